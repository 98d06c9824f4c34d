//! `guardrail check --diff REV`: only what changed since the merge base of REV and HEAD.

use crate::common::{check_json, findings, findings_of, IG};
use crate::gitrepo::{token_line, Repo};

const TOKEN: &str = "security/github-token";

fn f(rule: &str, path: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), path.to_string(), line, column)
}

/// `main` with legacy findings, then a `feature` branch checked out.
fn legacy_repo() -> Repo {
    let repo = Repo::new();
    repo.stage(&[
        ("legacy.py", &format!("# old\n{}", token_line())),
        ("app.py", "import os\n\nname = \"demo\"\n"),
        ("keys/id_rsa", "legacy key\n"),
        ("models/old.onnx", "onnx\n"),
    ]);
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo
}

#[test]
fn only_added_and_changed_lines_are_reported() {
    let repo = legacy_repo();
    repo.stage(&[("app.py", &format!("import os\n\n{}", token_line()))]);
    repo.commit("change a line");
    let run = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings(&run.json), vec![f(TOKEN, "app.py", 3, 10)]);
    // Without --diff the legacy findings are all there.
    let all = check_json(repo.path(), &[]);
    assert_eq!(findings_of(&all.json, TOKEN).len(), 2);
    assert!(findings(&all.json).len() >= 4);
}

#[test]
fn nothing_is_reported_when_nothing_changed() {
    let repo = legacy_repo();
    let run = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(findings(&run.json), vec![]);
    assert_eq!(run.json["summary"]["files_scanned"], 0);
}

#[test]
fn path_and_require_rules_count_only_for_new_files() {
    let repo = legacy_repo();
    repo.stage(&[
        ("keys/id_rsa", "legacy key, edited\n"),
        ("models/old.onnx", "onnx v2\n"),
        ("keys/id_ed25519", "new key\n"),
        ("models/new.onnx", "onnx\n"),
    ]);
    repo.commit("keys and models");
    let run = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(
        findings(&run.json),
        vec![
            f("security/private-key-file", "keys/id_ed25519", 1, 1),
            f("fairness/model-without-card", "models/new.onnx", 1, 1),
        ]
    );
}

#[test]
fn uncommitted_edits_and_untracked_files_count_as_new() {
    let repo = legacy_repo();
    repo.write(&[
        (
            "app.py",
            &format!("{}import os\n\nname = \"demo\"\n", token_line()),
        ),
        ("notes/new.py", &format!("\n\n{}", token_line())),
        ("ignored/x.py", &token_line()),
        (".gitignore", "ignored/\n"),
    ]);
    let run = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(
        findings_of(&run.json, TOKEN),
        vec![f(TOKEN, "app.py", 1, 10), f(TOKEN, "notes/new.py", 3, 10)]
    );
}

#[test]
fn commits_on_rev_after_the_branch_point_are_not_the_branchs_changes() {
    let repo = legacy_repo();
    repo.git(&["checkout", "-q", "main"]);
    repo.stage(&[("legacy.py", "# old\ntoken = os.environ[\"TOKEN\"]\n")]);
    repo.commit("main fixes the legacy secret");
    repo.git(&["checkout", "-q", "feature"]);
    repo.stage(&[("app.py", "import os\n\nname = \"feature\"\n")]);
    repo.commit("feature work");
    // A two-dot comparison with main would claim legacy.py's old line as "added" here.
    let run = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(findings_of(&run.json, TOKEN), vec![]);
}

#[test]
fn a_renamed_file_brings_no_new_lines() {
    let repo = legacy_repo();
    repo.git(&["mv", "legacy.py", "moved.py"]);
    repo.commit("rename");
    let run = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(findings_of(&run.json, TOKEN), vec![]);
}

#[test]
fn suppressions_on_unchanged_lines_still_apply_and_are_not_reported_as_unused() {
    let repo = legacy_repo();
    repo.stage(&[
        (
            "legacy.py",
            &format!("# {IG} github-token -- rotated, test fixture\n{}", token_line()),
        ),
        (
            "app.py",
            &format!("# {IG} github-token -- fixture\n{}\n", token_line()),
        ),
    ]);
    repo.commit("base with suppressions");
    repo.git(&["branch", "-f", "main"]);
    // Change only the line under the comment in app.py; add an unused comment elsewhere.
    let other = ["ghp_", "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"].concat();
    repo.stage(&[(
        "app.py",
        &format!("# {IG} github-token -- fixture\ntoken = \"{other}\"\n# {IG} x\n"),
    )]);
    let run = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(
        findings(&run.json),
        vec![f("guardrail/unused-suppression", "app.py", 3, 3)]
    );
    assert_eq!(run.json["summary"]["suppressed"]["inline"], 1);
}

#[test]
fn paths_follow_the_working_directory() {
    let repo = legacy_repo();
    repo.stage(&[("sub/dir/a.py", &token_line()), ("top.py", &token_line())]);
    let sub = repo.join("sub");
    let run = check_json(&sub, &["--diff", "main"]);
    assert_eq!(findings_of(&run.json, TOKEN), vec![f(TOKEN, "dir/a.py", 1, 10)]);
    let run = check_json(&sub, &["--diff", "main", ".."]);
    assert_eq!(findings_of(&run.json, TOKEN).len(), 2);
}

#[test]
fn an_unknown_revision_is_an_error_that_says_so() {
    let repo = legacy_repo();
    let out = crate::common::guardrail()
        .current_dir(repo.path())
        .args(["check", "--diff", "origin/nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`origin/nope` is not a commit"), "{stderr}");
}
