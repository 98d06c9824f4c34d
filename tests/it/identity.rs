//! Issue 10: a finding's identity is relative to the repository root. Rule path scopes,
//! fingerprints and baseline entries do not depend on the working directory or on the paths
//! named on the command line; only display paths do.

use std::path::Path;

use serde_json::Value;

use crate::common::{check_json, guardrail, write_tree};
use crate::gitrepo::Repo;

const WORKFLOW: &str = "\
on: push
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: someone/deploy-action@v2
";

/// `(rule, repository path, line, column, fingerprint)` of every finding, with the display
/// path turned back into a repository path by the caller's `prefix` (where the run started).
fn identities(json: &Value, prefix: &str) -> Vec<(String, String, u64, u64, String)> {
    let mut rows: Vec<_> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                format!("{prefix}{}", f["path"].as_str().unwrap_or_default()),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["fingerprint"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn repo_with_workflow() -> Repo {
    let repo = Repo::new();
    repo.write(&[
        (".github/workflows/ci.yml", WORKFLOW),
        ("src/lib.rs", "pub fn f() {}\n"),
    ]);
    repo
}

#[test]
fn actions_findings_and_fingerprints_are_the_same_from_the_root_a_subdirectory_and_a_named_one() {
    let repo = repo_with_workflow();
    let from_root = check_json(repo.path(), &["--no-config"]);
    let expected = identities(&from_root.json, "");
    let rules: Vec<&str> = expected.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        rules,
        vec![
            "security/action-not-pinned-to-sha",
            "security/workflow-permissions-write-all"
        ],
        "{}",
        from_root.stdout
    );
    assert!(expected.iter().all(|r| r.1 == ".github/workflows/ci.yml"));

    let named = check_json(repo.path(), &["--no-config", ".github/workflows"]);
    assert_eq!(identities(&named.json, ""), expected, "named subdirectory");

    let inside = check_json(&repo.join(".github"), &["--no-config"]);
    assert_eq!(identities(&inside.json, ".github/"), expected, "run from .github");

    let deeper = check_json(&repo.join(".github/workflows"), &["--no-config", "ci.yml"]);
    assert_eq!(
        identities(&deeper.json, ".github/workflows/"),
        expected,
        "one named file from its directory"
    );
}

#[test]
fn rule_scopes_outside_a_repository_are_relative_to_the_scan_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[(".github/workflows/ci.yml", WORKFLOW)]);
    let run = check_json(dir.path(), &["--no-config"]);
    assert_eq!(identities(&run.json, "").len(), 2, "{}", run.stdout);
    // Without a repository the scan root is the root: the workflow directory on its own is not
    // a repository's `.github/workflows`.
    let named = check_json(dir.path(), &["--no-config", ".github/workflows"]);
    assert_eq!(identities(&named.json, ""), vec![], "{}", named.stdout);
}

/// The fingerprint of the `action-not-pinned-to-sha` finding in a run from `dir`.
fn pinned_fingerprint(dir: &Path) -> String {
    let run = check_json(dir, &["--no-config"]);
    identities(&run.json, "")
        .into_iter()
        .find(|r| r.0 == "security/action-not-pinned-to-sha")
        .map(|r| r.4)
        .expect("finding")
}

#[test]
fn a_version_1_baseline_still_suppresses_and_is_rewritten_as_version_2() {
    let repo = repo_with_workflow();
    // A version-1 file in .github/ (paths relative to the file's directory), as guardrail wrote
    // it before: the fingerprint hashed the path written in the entry.
    let v2 = check_json(repo.path(), &["--no-config"]);
    let rows = identities(&v2.json, "");
    let entries: Vec<String> = rows
        .iter()
        .map(|r| {
            let fp = guardrail::finding::fingerprint_of(
                &r.0,
                "workflows/ci.yml",
                &content_hash_of(&v2.json, &r.0),
                Some(0),
            );
            format!(
                "  {{ rule = \"{}\", path = \"workflows/ci.yml\", fingerprint = \"{fp}\" }},",
                r.0
            )
        })
        .collect();
    let v1 = format!("version = 1\nfindings = [\n{}\n]\n", entries.join("\n"));
    write_tree(repo.path(), &[(".github/baseline.toml", &v1)]);

    for cwd in [repo.path().to_path_buf(), repo.join(".github")] {
        let run = check_json(&cwd, &["--no-config", "--baseline", &baseline_arg(&cwd)]);
        assert_eq!(
            (run.code, run.json["summary"]["suppressed"]["baseline"].as_u64()),
            (0, Some(2)),
            "from {}: {}",
            cwd.display(),
            run.stdout
        );
        assert_eq!(run.json["findings"], serde_json::json!([]), "{}", run.stdout);
    }

    guardrail()
        .current_dir(repo.join(".github"))
        .args(["check", "--no-config", "--write-baseline", "baseline.toml"])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(repo.join(".github/baseline.toml")).expect("rewritten");
    assert!(text.contains("\nversion = 2\n"), "{text}");
    let fingerprint = pinned_fingerprint(repo.path());
    assert!(
        text.contains(&format!(
            "{{ rule = \"security/action-not-pinned-to-sha\", path = \".github/workflows/ci.yml\", fingerprint = \"{fingerprint}\" }}"
        )),
        "{text}"
    );
    // The rewritten file suppresses from the root too.
    let run = check_json(
        repo.path(),
        &["--no-config", "--baseline", ".github/baseline.toml"],
    );
    assert_eq!(run.json["summary"]["suppressed"]["baseline"], 2, "{}", run.stdout);
}

/// `--baseline` spelled from `cwd`.
fn baseline_arg(cwd: &Path) -> String {
    if cwd.ends_with(".github") {
        "baseline.toml".to_string()
    } else {
        ".github/baseline.toml".to_string()
    }
}

/// The content hash behind a finding's fingerprint is not in the JSON; recompute it the way
/// the finding builder does, from the matched text of the one finding of `rule`.
fn content_hash_of(json: &Value, rule: &str) -> String {
    let matched = match rule {
        "security/action-not-pinned-to-sha" => "someone/deploy-action@v2",
        _ => "write-all",
    };
    let _ = json;
    guardrail::finding::hex_sha256(matched.as_bytes())
}
