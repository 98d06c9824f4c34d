//! `baseline = "FILE"` in guardrail.toml (issue 13.4): every entry point uses it (`check`,
//! `--staged`, `--diff`, the git hook, `history`; the pre-commit framework is in
//! `precommit.rs`), `--write-baseline` without a file writes it, and the key is confined to the
//! repository like every path a config names.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{fake, findings, guardrail};
use crate::gitrepo::{git_command, token, token_line, Repo};

const CONFIG: &str = "baseline = \".guardrail-baseline.toml\"\n";

/// A second, different token.
fn new_token() -> String {
    fake(&["ghp_", "Zq8Rw2Et4Yu6Io8Pa1Sd3Fg5Hj7Kl9Mn", "Xc4v"])
}

fn run(dir: &Path, args: &[&str]) -> Output {
    guardrail()
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(args)
        .output()
        .expect("ran")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

fn row(path: &str, line: u64, col: u64) -> (String, String, u64, u64) {
    ("security/github-token".to_string(), path.to_string(), line, col)
}

/// A repository with a committed legacy secret, a config naming the baseline, and the
/// baseline written by `guardrail check --write-baseline` (no file named) and committed.
fn adopted() -> Repo {
    let repo = Repo::new();
    repo.stage(&[("guardrail.toml", CONFIG), ("legacy.py", &token_line())]);
    let out = run(repo.path(), &["check", "--write-baseline"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "guardrail: wrote 1 baseline entry to .guardrail-baseline.toml\n"
    );
    repo.stage(&[(
        ".guardrail-baseline.toml",
        &std::fs::read_to_string(repo.join(".guardrail-baseline.toml")).expect("written"),
    )]);
    repo.commit("adopt guardrail");
    repo
}

#[test]
fn check_uses_the_config_baseline_and_says_so() {
    let repo = adopted();
    let out = run(repo.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let j = json(&out);
    assert_eq!(findings(&j), vec![]);
    assert_eq!(j["summary"]["suppressed"]["baseline"], 1);
    let change = j["config"]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["key"] == "baseline")
        .cloned();
    assert_eq!(
        change,
        Some(serde_json::json!({
            "key": "baseline",
            "value": "\".guardrail-baseline.toml\"",
            "effect": "1 finding accepted as they are",
            "relaxes": true
        }))
    );
    // A new secret is reported; --no-baseline reports the legacy one too.
    repo.write(&[("new.py", &format!("x = 1\nkey = \"{}\"\n", new_token()))]);
    let out = run(repo.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(findings(&json(&out)), vec![row("new.py", 2, 8)]);
    let out = run(repo.path(), &["check", "--format", "json", "--no-baseline"]);
    assert_eq!(
        findings(&json(&out)),
        vec![row("legacy.py", 1, 10), row("new.py", 2, 8)]
    );
}

#[test]
fn staged_and_diff_use_the_config_baseline() {
    let repo = adopted();
    // Lines inserted above the legacy secret: still baselined. A new secret: reported.
    repo.stage(&[
        ("legacy.py", &format!("# moved down\n{}", token_line())),
        ("new.py", &format!("key = \"{}\"\n", new_token())),
    ]);
    let out = run(repo.path(), &["check", "--staged", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(findings(&json(&out)), vec![row("new.py", 1, 8)]);
    repo.commit("change");
    let out = run(repo.path(), &["check", "--diff", "HEAD~1", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(findings(&json(&out)), vec![row("new.py", 1, 8)]);
    // Without the new secret both pass.
    repo.git(&["rm", "-q", "new.py"]);
    let out = run(repo.path(), &["check", "--staged"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_git_hook_uses_the_config_baseline() {
    let repo = adopted();
    let out = run(repo.path(), &["hook", "install"]);
    assert!(out.status.success());
    let commit = |msg: &str| {
        git_command(repo.path())
            .args(["commit", "-q", "-m", msg])
            .output()
            .expect("git")
    };
    repo.stage(&[("legacy.py", &format!("# moved down\n{}", token_line()))]);
    let out = commit("edit legacy");
    assert!(
        out.status.success(),
        "baselined secret blocked the commit: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    repo.stage(&[("new.py", &format!("key = \"{}\"\n", new_token()))]);
    let out = commit("new secret");
    assert!(!out.status.success(), "new secret committed");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(log.contains("new.py:1:8"), "{log}");
}

#[test]
fn history_uses_the_config_baseline() {
    let repo = adopted();
    let out = run(repo.path(), &["history", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(findings(&json(&out)), vec![]);
    assert_eq!(json(&out)["summary"]["suppressed"]["baseline"], 1);
}

#[test]
fn write_baseline_without_a_config_key_writes_the_default_file() {
    let repo = Repo::new();
    std::fs::create_dir(repo.join("src")).expect("mkdir");
    repo.write(&[("legacy.py", &token_line())]);
    let out = run(&repo.join("src"), &["check", "..", "--write-baseline"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("guardrail: wrote 1 baseline entry to "),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(".guardrail-baseline.toml; commit it, and add `baseline = \".guardrail-baseline.toml\"` to guardrail.toml so every check (and the pre-commit hook) uses it\n"),
        "{stderr}"
    );
    assert!(repo.join(".guardrail-baseline.toml").is_file());
    // Without the key nothing reads it by itself.
    assert_eq!(run(repo.path(), &["check", "-q"]).status.code(), Some(1));
    // --write-baseline=FILE still names a file.
    let out = run(repo.path(), &["check", "--write-baseline=other.toml", "."]);
    assert_eq!(out.status.code(), Some(0));
    assert!(repo.join("other.toml").is_file());
}

#[test]
fn a_missing_config_baseline_is_an_error() {
    let repo = Repo::new();
    repo.write(&[("guardrail.toml", CONFIG), ("a.py", "x = 1\n")]);
    let out = run(repo.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr).replace("\n  │ ", " ");
    assert!(
        stderr.contains(".guardrail-baseline.toml: the baseline named in guardrail.toml (`baseline = \".guardrail-baseline.toml\"`) does not exist; write it with `guardrail check --write-baseline`, or remove the key"),
        "{stderr}"
    );
    // --fail-on-stale-baseline without any baseline is a usage error too.
    let out = run(
        repo.path(),
        &["check", "--no-baseline", "--fail-on-stale-baseline"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_config_baseline_stays_inside_the_repository() {
    let outer = tempfile::tempdir().expect("tempdir");
    std::fs::write(outer.path().join("outside.toml"), "version = 2\nfindings = []\n").expect("write");
    let repo_dir = outer.path().join("repo");
    std::fs::create_dir_all(repo_dir.join(".git")).expect("mkdir");
    std::fs::write(repo_dir.join("a.py"), "x = 1\n").expect("write");
    std::fs::write(
        repo_dir.join("guardrail.toml"),
        "baseline = \"../outside.toml\"\n",
    )
    .expect("write");
    let out = run(&repo_dir, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`baseline` points outside the repository"),
        "{stderr}"
    );
    assert!(stderr.contains("guardrail.toml:1:12"), "{stderr}");

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outer.path().join("outside.toml"), repo_dir.join("link.toml"))
            .expect("symlink");
        std::fs::write(repo_dir.join("guardrail.toml"), "baseline = \"link.toml\"\n").expect("write");
        let out = run(&repo_dir, &["check"]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("the baseline file is a symlink"), "{stderr}");
    }
    assert!(!token().is_empty());
}
