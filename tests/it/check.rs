//! `guardrail check` end to end on generated repositories: exact findings, exit codes, inline
//! suppression, configuration, ignore files, skipped files, redaction and fingerprints.

use std::path::Path;

use crate::common::{
    check_json, fake, findings, findings_with_end, fixture, guardrail, normalize, write_tree, IG,
};
use tempfile::TempDir;

fn token() -> String {
    fake(&["acme_", "Q8r2Lm5Xv9", "Tz1Kp4Wn7Hc3Jd"])
}

fn pack() -> String {
    fixture("core/pack.toml").display().to_string()
}

/// A repository with one finding of every matcher kind.
fn repo() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = token();
    write_tree(
        dir.path(),
        &[
            ("app/settings.py", &format!("import os\n\nAPI = \"{t}\"\n")),
            ("app/dev.cfg", "name = x\ndebug = true\n"),
            ("keys/release.jks", "not really a keystore"),
            ("models/risk.onnx", ""),
            ("docs/README.md", "nothing to see\n"),
        ],
    );
    dir
}

fn run(dir: &Path, extra: &[&str]) -> crate::common::JsonRun {
    let mut args = vec!["--no-builtin", "--policy"];
    let p = pack();
    args.push(&p);
    args.extend_from_slice(extra);
    check_json(dir, &args)
}

fn row(rule: &str, path: &str, line: u64, col: u64) -> (String, String, u64, u64) {
    (rule.to_string(), path.to_string(), line, col)
}

#[test]
fn reports_exact_findings_sorted_with_exit_1() {
    let dir = repo();
    let r = run(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings_with_end(&r.json),
        vec![
            ("acme/debug-flag".into(), "app/dev.cfg".into(), 2, 1, 2, 13),
            ("acme/acme-token".into(), "app/settings.py".into(), 3, 8, 3, 37),
            ("acme/keystore-file".into(), "keys/release.jks".into(), 1, 1, 1, 1),
            ("acme/model-card".into(), "models/risk.onnx".into(), 1, 1, 1, 1),
        ]
    );
    assert_eq!(r.json["summary"]["files_scanned"], 5);
    assert_eq!(r.json["summary"]["findings"], 4);
}

#[test]
fn json_report_follows_the_v1_contract() {
    let dir = repo();
    let r = run(dir.path(), &[]);
    let mut keys: Vec<&str> = r
        .json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "config",
            "findings",
            "repository",
            "summary",
            "suppressed_findings",
            "tool",
            "version"
        ]
    );
    assert_eq!(r.json["version"], 1);
    assert_eq!(r.json["tool"]["name"], "guardrail");
    let f = &r.json["findings"][1];
    let mut fields: Vec<&str> = f
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "category",
            "column",
            "context",
            "detail",
            "end_column",
            "end_line",
            "fingerprint",
            "help",
            "line",
            "message",
            "path",
            "rule",
            "severity",
            "snippet"
        ]
    );
    assert_eq!(f["category"], "security");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["message"], "ACME API token committed");
    for key in ["files_scanned", "files_skipped", "findings", "duration_ms"] {
        assert!(r.json["summary"][key].is_u64(), "summary.{key}");
    }
}

#[test]
fn secrets_never_appear_in_any_output() {
    let dir = repo();
    let t = token();
    let json = run(dir.path(), &[]);
    assert!(!json.stdout.contains(&t) && !json.stderr.contains(&t));
    assert!(
        !json.stdout.contains(&t[5..]),
        "no long fragment of the secret either"
    );
    let human = guardrail()
        .current_dir(dir.path())
        .args(["check", "--no-builtin", "--policy", &pack()])
        .output()
        .expect("ran");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(!text.contains(&t) && !text.contains(&t[5..]));
    assert!(text.contains("\"acm****\""), "{text}");
}

#[test]
fn fail_on_decides_the_exit_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("dev.cfg", "debug = true\n")]);
    assert_eq!(
        run(dir.path(), &[]).code,
        0,
        "a warning does not fail the default gate"
    );
    assert_eq!(run(dir.path(), &["--fail-on", "warning"]).code, 1);
    assert_eq!(run(dir.path(), &["--fail-on", "note"]).code, 1);
    let repo = repo();
    assert_eq!(run(repo.path(), &["--fail-on", "never"]).code, 0);
}

#[test]
fn clean_tree_exits_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("src/main.py", "print('hello')\n"),
            ("models/MODEL_CARD.md", "# card\n"),
        ],
    );
    let r = run(dir.path(), &[]);
    assert_eq!(r.code, 0);
    assert_eq!(findings(&r.json), vec![]);
}

#[test]
fn inline_suppression_with_reason_silences_and_is_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = token();
    write_tree(
        dir.path(),
        &[(
            "a.py",
            &format!(
                "# {IG} acme-token -- revoked test credential\nA = \"{t}\"\nB = \"{t}\"  # {IG}\n\
                 # {IG} acme/debug-flag -- nothing here\nC = 1\n"
            ),
        )],
    );
    let r = run(dir.path(), &[]);
    assert_eq!(
        findings(&r.json),
        vec![row("guardrail/unused-suppression", "a.py", 4, 3)]
    );
    assert_eq!(r.json["summary"]["suppressed"]["inline"], 2);
    assert_eq!(r.code, 0, "a stale suppression is a note");
    let strict = run(dir.path(), &["--no-inline-suppressions"]);
    assert_eq!(
        findings(&strict.json),
        vec![
            row("acme/acme-token", "a.py", 2, 6),
            row("acme/acme-token", "a.py", 3, 6)
        ]
    );
    assert_eq!(strict.code, 1);
}

#[test]
fn unsuppressible_rules_stay_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("notes.txt", "x\n"),
            ("k.jks", &format!("# {IG} keystore-file -- we need it\n")),
        ],
    );
    let r = run(dir.path(), &[]);
    assert_eq!(
        findings(&r.json),
        vec![
            row("acme/keystore-file", "k.jks", 1, 1),
            row("guardrail/unsuppressible-rule", "k.jks", 1, 3)
        ]
    );
    assert_eq!(r.code, 1);
}

#[test]
fn require_reason_makes_bare_suppressions_a_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = token();
    write_tree(
        dir.path(),
        &[
            ("guardrail.toml", "require-reason = true\n"),
            ("a.py", &format!("A = \"{t}\"  # {IG} acme-token\n")),
        ],
    );
    let r = run(dir.path(), &[]);
    assert_eq!(
        findings(&r.json),
        vec![
            row("acme/acme-token", "a.py", 1, 6),
            row("guardrail/suppression-without-reason", "a.py", 1, 40)
        ]
    );
}

#[test]
fn config_turns_rules_off_changes_severity_and_overrides_paths() {
    let dir = repo();
    write_tree(
        dir.path(),
        &[(
            "guardrail.toml",
            "exclude = [\"keys/**\"]\n\n[rules]\n\"acme/model-card\" = \"off\"\n\"debug-flag\" = \"error\"\n\n\
             [[overrides]]\npaths = [\"app/*.py\"]\nrules = { \"acme/*\" = \"note\" }\n",
        )],
    );
    let r = run(dir.path(), &[]);
    let got: Vec<(String, String)> = r.json["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").into(),
                f["severity"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("acme/debug-flag".into(), "error".into()),
            ("acme/acme-token".into(), "note".into())
        ]
    );
    assert_eq!(r.code, 1);
}

#[test]
fn config_errors_exit_2_and_point_at_the_line() {
    let dir = repo();
    write_tree(
        dir.path(),
        &[(
            "guardrail.toml",
            "fail-on = \"error\"\n\n[rules]\n\"acme/no-such-rule\" = \"off\"\n",
        )],
    );
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "--no-builtin", "--policy", &pack()])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("guardrail.toml:4:1"), "{stderr}");
    assert!(
        stderr.contains("no loaded rule matches `acme/no-such-rule`"),
        "{stderr}"
    );
}

#[test]
fn config_is_discovered_from_a_subdirectory() {
    let dir = repo();
    write_tree(dir.path(), &[("guardrail.toml", "fail-on = \"never\"\n")]);
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    let r = run(&dir.path().join("app"), &[]);
    assert_eq!(r.code, 0);
    assert_eq!(
        findings(&r.json),
        vec![
            row("acme/debug-flag", "dev.cfg", 2, 1),
            row("acme/acme-token", "settings.py", 3, 8)
        ]
    );
}

#[test]
fn ignore_files_are_honoured() {
    let dir = repo();
    write_tree(
        dir.path(),
        &[
            (".guardrailignore", "app/settings.py\n"),
            (".gitignore", "models/\n"),
        ],
    );
    let r = run(dir.path(), &[]);
    let rules: Vec<String> = findings(&r.json).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["acme/debug-flag", "acme/keystore-file"]);
}

#[test]
fn binary_and_non_utf8_files_are_counted_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = token();
    write_tree(dir.path(), &[("ok.txt", "fine\n")]);
    std::fs::write(dir.path().join("blob.bin"), [0u8, 1, 2, 3, 0, 9]).expect("write");
    let mut latin1 = b"caf\xe9 = 1\nK = \"".to_vec();
    latin1.extend_from_slice(t.as_bytes());
    latin1.extend_from_slice(b"\"\n");
    std::fs::write(dir.path().join("latin1.txt"), latin1).expect("write");
    let r = run(dir.path(), &[]);
    assert_eq!(
        findings(&r.json),
        vec![row("acme/acme-token", "latin1.txt", 2, 6)]
    );
    assert_eq!(r.json["summary"]["files_skipped"], 1);
    assert_eq!(r.json["summary"]["skipped"]["binary"], 1);
    assert_eq!(r.json["summary"]["lossy_decoded"], 1);
    let small = run(dir.path(), &["--max-file-size", "8"]);
    assert_eq!(small.json["summary"]["skipped"]["too_large"], 1);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_out_of_the_root() {
    let outside = tempfile::tempdir().expect("tempdir");
    write_tree(
        outside.path(),
        &[("secret.py", &format!("K = \"{}\"\n", token()))],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("a.txt", "x\n")]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).expect("symlink");
    std::os::unix::fs::symlink(outside.path().join("secret.py"), dir.path().join("file.py"))
        .expect("symlink");
    let r = run(dir.path(), &[]);
    assert_eq!(findings(&r.json), vec![]);
    assert_eq!(r.json["summary"]["skipped"]["symlink"], 2);
}

#[test]
fn fingerprints_survive_lines_inserted_above() {
    let dir = repo();
    let before = run(dir.path(), &[]);
    let t = token();
    write_tree(
        dir.path(),
        &[(
            "app/settings.py",
            &format!("import os\n\n# config\n\n\nAPI = \"{t}\"\n"),
        )],
    );
    let after = run(dir.path(), &[]);
    assert_eq!(after.json["findings"][1]["line"], 6);
    assert_eq!(
        before.json["findings"][1]["fingerprint"],
        after.json["findings"][1]["fingerprint"]
    );
    let other = fake(&["acme_", "Zz9Yy8Xx7W", "w6Vv5Uu4Tt3Ss2"]);
    write_tree(
        dir.path(),
        &[(
            "app/settings.py",
            &format!("import os\n\n# config\n\n\nAPI = \"{other}\"\n"),
        )],
    );
    let changed = run(dir.path(), &[]);
    assert_ne!(
        before.json["findings"][1]["fingerprint"],
        changed.json["findings"][1]["fingerprint"]
    );
}

#[test]
fn output_flag_writes_the_report_to_a_file() {
    let dir = repo();
    let out = dir.path().join("report.json");
    guardrail()
        .current_dir(dir.path())
        .args([
            "check",
            "--no-builtin",
            "--policy",
            &pack(),
            "--format",
            "json",
            "--output",
        ])
        .arg(&out)
        .assert()
        .code(1)
        .stdout("");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("json");
    assert_eq!(json["summary"]["findings"], 4);
}

#[test]
fn human_output_shows_each_matcher_kind() {
    let dir = repo();
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "--no-builtin", "--policy", &pack(), "--color", "never"])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(1));
    let text = normalize(&String::from_utf8_lossy(&out.stdout), Some(dir.path()));
    insta::assert_snapshot!(text);
}

#[test]
fn usage_errors_exit_2() {
    guardrail().args(["check", "--format", "yaml"]).assert().code(2);
    guardrail().args(["check", "/no/such/dir"]).assert().code(2);
    guardrail()
        .args(["rules", "explain", "no-such-rule", "--no-builtin"])
        .assert()
        .code(2);
}
