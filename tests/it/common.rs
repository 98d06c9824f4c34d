//! Shared helpers for integration tests: run the real binary, read its JSON, normalise output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The guardrail binary, with a clean environment (no colour, no CI progress line, the
/// fallback width of 100 columns).
pub fn guardrail() -> Command {
    let mut cmd = Command::cargo_bin("guardrail").expect("binary built");
    cmd.env("NO_COLOR", "1").env_remove("CI").env_remove("COLUMNS");
    cmd
}

/// `tests/fixtures/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A copy of `tests/fixtures/<rel>` in a fresh temporary directory. Fixture repositories are
/// scanned there, outside this repository: scanned in place they would be subdirectories of
/// guardrail's own repository, whose root the rules' path scopes (`.github/workflows/*`) and
/// fingerprints are relative to.
pub fn fixture_copy(rel: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixture(rel), tmp.path());
    tmp
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Output of one `guardrail check --format json` run.
pub struct JsonRun {
    /// Exit code.
    pub code: i32,
    /// Parsed stdout.
    pub json: Value,
    /// Raw stdout.
    pub stdout: String,
    /// Raw stderr.
    pub stderr: String,
}

/// Runs `guardrail check --format json <args>` in `dir` (config discovery starts there).
pub fn check_json(dir: &Path, args: &[&str]) -> JsonRun {
    let out = guardrail()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .expect("ran");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    JsonRun {
        code: out.status.code().unwrap_or(-1),
        json,
        stdout,
        stderr,
    }
}

/// `(rule, path, line, column)` of every finding, in report order.
pub fn findings(json: &Value) -> Vec<(String, String, u64, u64)> {
    findings_with_end(json)
        .into_iter()
        .map(|(rule, path, line, column, _, _)| (rule, path, line, column))
        .collect()
}

/// A finding's rule, path, line, column, end line and end column.
pub type SpanRow = (String, String, u64, u64, u64, u64);

/// A [`SpanRow`] to compare with.
pub fn span_row(rule: &str, path: &str, line: u64, col: u64, end_line: u64, end_col: u64) -> SpanRow {
    (rule.to_string(), path.to_string(), line, col, end_line, end_col)
}

/// A zero-configuration check of `dir` (a scan that found something or nothing, never an
/// error): the findings of `rules` as [`SpanRow`]s, and the whole report.
pub fn rows_of_rules(dir: &std::path::Path, rules: &[&str]) -> (Vec<SpanRow>, Value) {
    let r = check_json(dir, &["--no-config", "."]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let rows = findings_with_end(&r.json)
        .into_iter()
        .filter(|f| rules.contains(&f.0.as_str()))
        .collect();
    (rows, r.json)
}

/// `(rule, path, line, column, end_line, end_column)` of every finding.
pub fn findings_with_end(json: &Value) -> Vec<(String, String, u64, u64, u64, u64)> {
    json["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["end_line"].as_u64().unwrap_or_default(),
                f["end_column"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// Findings of one rule only.
pub fn findings_of(json: &Value, rule: &str) -> Vec<(String, String, u64, u64)> {
    findings(json).into_iter().filter(|f| f.0 == rule).collect()
}

/// Human output made stable for snapshots: timing and temp paths replaced.
pub fn normalize(text: &str, tmp: Option<&Path>) -> String {
    let mut s = text.to_string();
    if let Some(tmp) = tmp {
        s = s.replace(&tmp.display().to_string(), "[TMP]");
    }
    let re = regex::Regex::new(r"\d+ ms").expect("static regex");
    re.replace_all(&s, "[DURATION] ms").into_owned()
}

/// Writes `files` (`path`, `content`) under `dir`, creating parent directories.
pub fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    for (rel, content) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, content).expect("write");
    }
}

/// Builds a fake-but-well-formed secret from fragments, so this repository's own files do not
/// contain anything that looks like a real token to other scanners.
pub fn fake(parts: &[&str]) -> String {
    parts.concat()
}

/// The suppression directive word, split so test sources hold no directive of their own
/// (guardrail scans this repository and would report them as unused).
pub const IG: &str = concat!("guardrail", ":ignore");

/// One policy, one in-memory file: the findings the engine reports for `text` scanned as
/// `path` under the policy TOML `policy` alone (no built-in packs, no config).
pub fn check_text(policy: &str, path: &str, text: &str) -> Vec<guardrail::finding::Finding> {
    use guardrail::engine::Engine;
    use guardrail::source::{Entry, FileSet};
    let mut set = guardrail::policy::PolicySet::default();
    guardrail::policy::load_str(&mut set, "policy.toml", policy, false).expect("policy loads");
    let plan = guardrail::plan::Plan::compile(set.rules).expect("policy compiles");
    let entry = Entry::in_memory(path, std::sync::Arc::from(text.as_bytes()));
    let files = FileSet::from_entries(std::slice::from_ref(&entry));
    Engine::bare(&plan).check_file(&entry, &files).findings
}
