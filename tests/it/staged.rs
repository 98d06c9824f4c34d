//! `guardrail check --staged`: what is scanned is the index, not the working tree.

use crate::common::{check_json, findings, findings_of};
use crate::gitrepo::{token_line, Repo};

const TOKEN: &str = "security/github-token";

fn tokens(dir: &std::path::Path, args: &[&str]) -> Vec<(String, String, u64, u64)> {
    let mut all = vec!["--staged"];
    all.extend_from_slice(args);
    let run = check_json(dir, &all);
    assert!(run.code <= 1, "exit {}: {}", run.code, run.stderr);
    findings_of(&run.json, TOKEN)
}

fn hit(path: &str, line: u64) -> (String, String, u64, u64) {
    (TOKEN.to_string(), path.to_string(), line, 10)
}

#[test]
fn a_staged_secret_deleted_from_the_working_tree_is_still_found() {
    let repo = Repo::new();
    repo.stage(&[("app/config.py", &format!("# settings\n{}", token_line()))]);
    std::fs::remove_file(repo.join("app/config.py")).unwrap();
    let run = check_json(repo.path(), &["--staged"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings_of(&run.json, TOKEN), vec![hit("app/config.py", 2)]);
    assert!(!run.stdout.contains(&crate::gitrepo::token()), "secret leaked");
}

#[test]
fn a_secret_only_in_the_working_tree_is_not_found() {
    let repo = Repo::new();
    repo.stage(&[("app/config.py", "# settings\nname = \"demo\"\n")]);
    // The working tree now holds a secret that is not staged; a new untracked file too.
    repo.write(&[
        ("app/config.py", &format!("# settings\n{}", token_line())),
        ("untracked.py", &token_line()),
    ]);
    assert_eq!(tokens(repo.path(), &[]), vec![]);
    // Without --staged, the working tree is what counts.
    let run = check_json(repo.path(), &[]);
    assert_eq!(findings_of(&run.json, TOKEN).len(), 2);
}

#[test]
fn reported_lines_are_those_of_the_staged_content() {
    let repo = Repo::new();
    repo.stage(&[("a.py", &format!("x = 1\n{}", token_line()))]);
    repo.write(&[("a.py", &format!("# one\n# two\n# three\nx = 1\n{}", token_line()))]);
    assert_eq!(tokens(repo.path(), &[]), vec![hit("a.py", 2)]);
}

#[test]
fn only_files_staged_for_commit_are_scanned_after_the_first_commit() {
    let repo = Repo::new();
    repo.stage(&[("old.py", &token_line())]);
    repo.commit("legacy");
    repo.stage(&[("new.py", &format!("\n{}", token_line()))]);
    assert_eq!(tokens(repo.path(), &[]), vec![hit("new.py", 2)]);
    // A file named explicitly is scanned as staged even when unchanged (pre-commit --all-files).
    assert_eq!(
        tokens(repo.path(), &["old.py", "new.py"]),
        vec![hit("new.py", 2), hit("old.py", 1)]
    );
}

#[test]
fn works_on_the_first_commit_with_spaces_and_non_ascii_in_paths() {
    let repo = Repo::new();
    let path = "dir one/ünïcode fïle.py";
    repo.stage(&[(path, &token_line()), ("tab\there.py", &token_line())]);
    assert_eq!(
        tokens(repo.path(), &[]),
        vec![hit(path, 1), hit("tab\there.py", 1)]
    );
    // A file PATH with spaces, as the pre-commit framework passes it.
    assert_eq!(tokens(repo.path(), &[path]), vec![hit(path, 1)]);
}

#[test]
fn paths_are_relative_to_a_subdirectory_working_directory() {
    let repo = Repo::new();
    repo.stage(&[("sub/inner/a.py", &token_line()), ("other/b.py", &token_line())]);
    let sub = repo.join("sub");
    // "." in a subdirectory: the staged files below it, shown relative to it.
    assert_eq!(tokens(&sub, &[]), vec![hit("inner/a.py", 1)]);
    assert_eq!(
        tokens(&sub, &[".."]),
        vec![hit("../other/b.py", 1), hit("inner/a.py", 1)]
    );
    assert_eq!(tokens(repo.path(), &["other"]), vec![hit("other/b.py", 1)]);
}

#[test]
fn require_rules_see_the_whole_index() {
    let repo = Repo::new();
    repo.stage(&[("models/MODEL_CARD.md", "# Risk model\n")]);
    repo.commit("card");
    // The card is committed and unchanged; only the model is staged.
    repo.stage(&[("models/risk.onnx", "onnx"), ("other/fraud.onnx", "onnx")]);
    let run = check_json(repo.path(), &["--staged"]);
    assert_eq!(
        findings_of(&run.json, "fairness/model-without-card"),
        vec![(
            "fairness/model-without-card".to_string(),
            "other/fraud.onnx".to_string(),
            1,
            1
        )]
    );
}

#[test]
fn path_rules_apply_to_staged_binary_files() {
    let repo = Repo::new();
    repo.stage(&[("keys/id_rsa", "\0\u{1}binary key")]);
    let run = check_json(repo.path(), &["--staged"]);
    assert_eq!(
        findings(&run.json),
        vec![(
            "security/private-key-file".to_string(),
            "keys/id_rsa".to_string(),
            1,
            1
        )]
    );
    assert_eq!(run.json["summary"]["skipped"]["binary"], 1);
}

#[test]
fn config_excludes_and_guardrailignore_still_apply() {
    let repo = Repo::new();
    repo.stage(&[
        ("guardrail.toml", "exclude = [\"vendor/**\"]\n"),
        (".guardrailignore", "generated/\n"),
        ("vendor/lib.py", &token_line()),
        ("generated/keys.py", &token_line()),
        ("src/app.py", &token_line()),
    ]);
    assert_eq!(tokens(repo.path(), &[]), vec![hit("src/app.py", 1)]);
}

#[cfg(unix)]
#[test]
fn staged_symlinks_are_counted_not_followed() {
    let repo = Repo::new();
    repo.write(&[("outside.py", &token_line())]);
    std::os::unix::fs::symlink("outside.py", repo.join("link.py")).unwrap();
    repo.git(&["add", "link.py"]);
    let run = check_json(repo.path(), &["--staged"]);
    assert_eq!(findings(&run.json), vec![]);
    assert_eq!(run.json["summary"]["skipped"]["symlink"], 1);
}

#[test]
fn a_path_not_in_the_index_and_a_directory_outside_git_are_errors() {
    let repo = Repo::new();
    repo.write(&[("untracked.py", "x = 1\n")]);
    let out = crate::common::guardrail()
        .current_dir(repo.path())
        .args(["check", "--staged", "untracked.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the git index"));

    let plain = tempfile::tempdir().unwrap();
    let out = crate::common::guardrail()
        .current_dir(plain.path())
        .env("GIT_CEILING_DIRECTORIES", plain.path().parent().unwrap())
        .args(["check", "--staged"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a git repository"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn staged_and_diff_cannot_be_combined() {
    let repo = Repo::new();
    let out = crate::common::guardrail()
        .current_dir(repo.path())
        .args(["check", "--staged", "--diff", "main"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
