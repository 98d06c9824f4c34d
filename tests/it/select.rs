//! `--select` / `--ignore` on `check` and `history`, and "did you mean" for an unknown rule id
//! wherever one is accepted: the command line, guardrail.toml and suppression comments.

use std::path::Path;

use crate::common::{check_json, findings, fixture, guardrail, write_tree, IG};
use crate::gitrepo::{token_line, Repo};

fn row(rule: &str, path: &str, line: u64, col: u64) -> (String, String, u64, u64) {
    (rule.to_string(), path.to_string(), line, col)
}

/// One finding of each rule of the human-output test pack.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("app.rs", "// FIXME later\n"),
            ("config.toml", "debug = true\n"),
            ("poll.py", "sleep(5)\n"),
        ],
    );
    dir
}

fn check(dir: &Path, extra: &[&str]) -> crate::common::JsonRun {
    let pack = fixture("human/pack.toml").display().to_string();
    let mut args = vec!["--no-builtin", "--policy", pack.as_str()];
    args.extend_from_slice(extra);
    check_json(dir, &args)
}

/// The stderr of a run expected to fail with a usage error (exit 2).
fn usage_error(dir: &Path, args: &[&str]) -> String {
    let pack = fixture("human/pack.toml");
    let out = guardrail()
        .current_dir(dir)
        .args(["check", "--no-builtin", "--policy"])
        .arg(&pack)
        .args(args)
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn select_runs_only_the_named_rules() {
    let dir = repo();
    let r = check(dir.path(), &["--select", "demo/debug-flag"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        findings(&r.json),
        vec![row("demo/debug-flag", "config.toml", 1, 1)]
    );
    let r = check(dir.path(), &["--select", "sleep-call"]);
    assert_eq!(r.code, 0);
    assert_eq!(findings(&r.json), vec![row("demo/sleep-call", "poll.py", 1, 1)]);
}

#[test]
fn select_and_ignore_take_globs_and_lists() {
    let dir = repo();
    let r = check(dir.path(), &["--select", "demo/*-flag,demo/s*"]);
    assert_eq!(
        findings(&r.json),
        vec![
            row("demo/debug-flag", "config.toml", 1, 1),
            row("demo/sleep-call", "poll.py", 1, 1)
        ]
    );
    let r = check(
        dir.path(),
        &["--ignore", "demo/debug-*", "--ignore", "sleep-call"],
    );
    assert_eq!(r.code, 0, "only a warning is left");
    assert_eq!(findings(&r.json), vec![row("demo/todo-marker", "app.rs", 1, 4)]);
    let r = check(dir.path(), &["--select", "demo/*", "--ignore", "todo-marker"]);
    assert_eq!(r.json["summary"]["findings"], 2);
}

#[test]
fn an_unknown_rule_on_the_command_line_suggests_the_nearest() {
    let dir = repo();
    let stderr = usage_error(dir.path(), &["--select", "demo/debug-flg"]);
    assert!(
        stderr.contains("--select demo/debug-flg: no loaded rule matches; did you mean `demo/debug-flag`?"),
        "{stderr}"
    );
    let stderr = usage_error(dir.path(), &["--ignore", "slep-call"]);
    assert!(
        stderr.contains("--ignore slep-call: no loaded rule matches; did you mean `demo/sleep-call`?"),
        "{stderr}"
    );
    let stderr = usage_error(dir.path(), &["--select", "privacy/*-in-log"]);
    assert!(
        stderr.contains("--select privacy/*-in-log: no loaded rule matches\n"),
        "{stderr}"
    );
    let stderr = usage_error(dir.path(), &["--select", "demo/[x"]);
    assert!(stderr.contains("--select demo/[x: invalid glob"), "{stderr}");
}

#[test]
fn builtin_globs_select_pack_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("app.py", &token_line())]);
    let r = check_json(dir.path(), &["--select", "security/*-token"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        findings(&r.json),
        vec![row("security/github-token", "app.py", 1, 10)]
    );
    let r = check_json(dir.path(), &["--ignore", "security/*"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.json["summary"]["findings"], 0);
}

#[test]
fn a_config_rule_typo_suggests_the_nearest() {
    let dir = repo();
    write_tree(
        dir.path(),
        &[("guardrail.toml", "[rules]\n\"demo/debug-flg\" = \"off\"\n")],
    );
    let stderr = usage_error(dir.path(), &[]);
    assert!(
        stderr.contains("no loaded rule matches `demo/debug-flg`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `demo/debug-flag`?"), "{stderr}");
    assert!(stderr.contains("guardrail.toml:2:1"), "{stderr}");
}

#[test]
fn a_suppression_naming_an_unknown_rule_suggests_the_nearest() {
    let dir = repo();
    write_tree(
        dir.path(),
        &[(
            "config.toml",
            &format!("debug = true # {IG} debug-flg -- local only\n"),
        )],
    );
    let r = check(dir.path(), &[]);
    let notes: Vec<(String, u64, u64, String)> = r.json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "guardrail/unused-suppression")
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        notes,
        vec![(
            "config.toml".to_string(),
            1,
            16,
            "suppression names unknown rule `debug-flg` (did you mean `demo/debug-flag`?)".to_string()
        )]
    );
}

#[test]
fn a_suppression_of_an_ignored_rule_is_not_called_stale() {
    let dir = repo();
    write_tree(
        dir.path(),
        &[(
            "config.toml",
            &format!("debug = true # {IG} debug-flag -- local only\n"),
        )],
    );
    let r = check(dir.path(), &["--ignore", "debug-flag"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        findings(&r.json),
        vec![
            row("demo/todo-marker", "app.rs", 1, 4),
            row("demo/sleep-call", "poll.py", 1, 1)
        ]
    );
}

#[test]
fn meta_rules_can_be_ignored() {
    let dir = repo();
    write_tree(
        dir.path(),
        &[(
            "poll.py",
            &format!("sleep(5)\n# {IG} todo-marker -- old\nx = 1\n"),
        )],
    );
    let r = check(dir.path(), &["--select", "sleep-call"]);
    assert_eq!(findings(&r.json), vec![row("demo/sleep-call", "poll.py", 1, 1)]);
    let r = check(dir.path(), &["--ignore", "guardrail/unused-suppression"]);
    assert_eq!(r.json["summary"]["findings"], 3);
    let r = check(dir.path(), &[]);
    assert_eq!(r.json["summary"]["findings"], 4, "{}", r.stdout);
}

#[test]
fn history_takes_select_and_ignore() {
    let repo = Repo::new();
    repo.stage(&[("app.py", &token_line())]);
    repo.commit("add");
    let run = |args: &[&str]| {
        let out = guardrail()
            .current_dir(repo.path())
            .args(["history", "--format", "json"])
            .args(args)
            .output()
            .expect("ran");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (
            out.status.code(),
            findings_or_empty(&json),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, found, _) = run(&["--select", "security/github-*"]);
    assert_eq!(code, Some(1));
    assert_eq!(found, vec![row("security/github-token", "app.py", 1, 10)]);
    let (code, found, _) = run(&["--ignore", "github-token"]);
    assert_eq!((code, found), (Some(0), vec![]));
    let (code, _, stderr) = run(&["--select", "security/githb-token"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("did you mean `security/github-token`?"),
        "{stderr}"
    );
}

fn findings_or_empty(json: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    if json["findings"].is_array() {
        findings(json)
    } else {
        Vec::new()
    }
}

#[test]
fn write_baseline_refuses_a_partial_selection() {
    let dir = repo();
    let pack = fixture("human/pack.toml");
    for flag in ["--select", "--ignore"] {
        let out = guardrail()
            .current_dir(dir.path())
            .args(["check", "--no-builtin", "--policy"])
            .arg(&pack)
            .args([flag, "sleep-call", "--write-baseline=b.toml"])
            .output()
            .expect("ran");
        assert_eq!(out.status.code(), Some(2));
        assert!(!dir.path().join("b.toml").exists());
    }
}

#[test]
fn rules_explain_suggests_the_nearest_id() {
    let out = guardrail()
        .args(["rules", "explain", "security/githb-token"])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr).replace("\n  │ ", " ");
    assert!(
        stderr.contains("no rule `security/githb-token`; did you mean `security/github-token`? (`guardrail rules list` shows every id)"),
        "{stderr}"
    );
    let out = guardrail()
        .args(["rules", "explain", "unused-supression"])
        .output()
        .expect("ran");
    let stderr = String::from_utf8_lossy(&out.stderr).replace("\n  │ ", " ");
    assert!(
        stderr.contains("did you mean `guardrail/unused-suppression`?"),
        "{stderr}"
    );
}
