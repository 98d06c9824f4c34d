//! guardrail as a commit gate: the real pre-commit framework running this repository's
//! `.pre-commit-hooks.yaml`, and the plain hook `guardrail hook install` writes.
//!
//! The pre-commit tests need the `pre-commit` tool (`.ci/run` installs it with pip). Without it
//! they skip, loudly, except under CI, where they fail.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::gitrepo::{git_command, token, token_line, Repo};

const MANIFEST: &str = include_str!("../../.pre-commit-hooks.yaml");

/// How to run pre-commit here, or `None` (with a loud message) when Python is missing.
fn pre_commit() -> Option<Vec<String>> {
    let works = |cmd: &[&str]| {
        Command::new(cmd[0])
            .args(&cmd[1..])
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works(&["pre-commit"]) {
        return Some(vec!["pre-commit".into()]);
    }
    for python in ["python3", "python"] {
        if works(&[python, "-m", "pre_commit"]) {
            return Some(vec![python.into(), "-m".into(), "pre_commit".into()]);
        }
    }
    // In CI (.ci/run installs pre-commit) a missing tool is a failure; on a fresh developer
    // machine `cargo test` must still run every other test, so it skips, loudly.
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but pre-commit is not installed: `pip install pre-commit` (.ci/run does)");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: pre-commit is not installed (`pip install pre-commit`); the pre-commit framework tests did not run ***\n"
    );
    None
}

/// Runs pre-commit in `dir` with its cache in `home`, isolated from the machine's git config.
fn run_pre_commit(cmd: &[String], dir: &Path, home: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(&cmd[0]);
    c.args(&cmd[1..])
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid");
    c.output().expect("pre-commit runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_guardrail"))
}

/// A hook repository whose manifest is this repository's, except that it runs the binary
/// cargo already built (`language: system`) instead of building one with `cargo install`.
fn hook_repo() -> Repo {
    let repo = Repo::new();
    let manifest = MANIFEST
        .replace("language: rust", "language: system")
        .replace("entry: guardrail ", &format!("entry: {} ", binary().display()));
    assert_ne!(
        manifest, MANIFEST,
        "the manifest's entry/language lines changed shape"
    );
    repo.stage(&[(".pre-commit-hooks.yaml", &manifest)]);
    repo.commit("hooks");
    repo
}

#[test]
fn the_manifest_is_valid_for_pre_commit() {
    let Some(pc) = pre_commit() else { return };
    let home = tempfile::tempdir().unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let out = run_pre_commit(
        &pc,
        home.path(),
        home.path(),
        &["validate-manifest", &manifest.to_string_lossy()],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(MANIFEST.contains("entry: guardrail check --staged"));
    assert!(MANIFEST.contains("language: rust"));
}

#[test]
fn try_repo_blocks_a_staged_secret_and_passes_a_clean_commit() {
    let Some(pc) = pre_commit() else { return };
    let hooks = hook_repo();
    let home = tempfile::tempdir().unwrap();
    let project = Repo::new();
    let hooks_path = hooks.path().to_string_lossy().into_owned();
    project.stage(&[("src/settings.py", &format!("# config\n{}", token_line()))]);
    let out = run_pre_commit(
        &pc,
        project.path(),
        home.path(),
        &["try-repo", &hooks_path, "guardrail", "--verbose"],
    );
    let log = text(&out);
    assert!(!out.status.success(), "secret not blocked:\n{log}");
    assert!(log.contains("security/github-token"), "{log}");
    assert!(log.contains("src/settings.py:2:10"), "{log}");
    assert!(!log.contains(&token()), "secret leaked:\n{log}");

    project.git(&["rm", "-q", "--cached", "src/settings.py"]);
    project.stage(&[("src/clean.py", "name = \"demo\"\n")]);
    let out = run_pre_commit(
        &pc,
        project.path(),
        home.path(),
        &["try-repo", &hooks_path, "guardrail"],
    );
    assert!(out.status.success(), "clean commit blocked:\n{}", text(&out));
}

#[test]
fn an_installed_pre_commit_config_gates_real_commits() {
    let Some(pc) = pre_commit() else { return };
    let hooks = hook_repo();
    let rev = hooks.git(&["rev-parse", "HEAD"]);
    let home = tempfile::tempdir().unwrap();
    let project = Repo::new();
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: guardrail\n",
        hooks.path().display(),
        rev.trim()
    );
    project.stage(&[(".pre-commit-config.yaml", &config), ("README.md", "# demo\n")]);
    let out = run_pre_commit(&pc, project.path(), home.path(), &["install"]);
    assert!(out.status.success(), "{}", text(&out));
    let commit = |msg: &str| {
        let mut c = git_command(project.path());
        c.env("PRE_COMMIT_HOME", home.path())
            .args(["commit", "-q", "-m", msg]);
        c.output().unwrap()
    };
    assert!(commit("clean start").status.success());

    // The secret is staged, then deleted from the working tree: the commit is still blocked.
    project.stage(&[("app/keys.py", &token_line())]);
    std::fs::remove_file(project.join("app/keys.py")).unwrap();
    let out = commit("add keys");
    assert!(!out.status.success(), "secret committed:\n{}", text(&out));
    assert!(text(&out).contains("security/github-token"), "{}", text(&out));

    project.git(&["rm", "-q", "--cached", "app/keys.py"]);
    project.stage(&[("app/main.py", "print('hi')\n")]);
    let out = commit("clean change");
    assert!(out.status.success(), "{}", text(&out));

    // `run --all-files` passes every tracked file: a committed secret is found there too.
    project.stage(&[("legacy.py", &token_line())]);
    project.commit("legacy secret, committed around the hook");
    let out = run_pre_commit(&pc, project.path(), home.path(), &["run", "--all-files"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("legacy.py:1:10"), "{}", text(&out));
}

fn guardrail_in(dir: &Path, args: &[&str]) -> Output {
    crate::common::guardrail()
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn hook_install_writes_an_executable_hook_that_blocks_staged_secrets() {
    let repo = Repo::new();
    let out = guardrail_in(repo.path(), &["hook", "install"]);
    assert!(out.status.success(), "{}", text(&out));
    let hook = repo.join(".git/hooks/pre-commit");
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.contains("check --staged"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111,
            0o111
        );
    }
    // Idempotent: the same hook again changes nothing.
    let out = guardrail_in(repo.path(), &["hook", "install"]);
    assert!(text(&out).contains("already installed"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), script);

    repo.stage(&[("a.py", &token_line())]);
    let out = git_command(repo.path())
        .args(["commit", "-q", "-m", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "secret committed");
    assert!(text(&out).contains("security/github-token"));
    assert!(!text(&out).contains(&token()), "secret leaked");

    // A partial commit (`git commit <path>`) runs the hook on a temporary index: the secret in
    // a.py stays staged but is not part of this commit.
    repo.stage(&[("ok.py", "x = 1\n")]);
    let out = git_command(repo.path())
        .args(["commit", "-q", "-m", "ok", "ok.py"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn hook_install_respects_core_hooks_path_and_runs_from_a_subdirectory() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", "tools/hooks"]);
    std::fs::create_dir_all(repo.join("src/deep")).unwrap();
    let out = guardrail_in(&repo.join("src/deep"), &["hook", "install"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(repo.join("tools/hooks/pre-commit").is_file());
    assert!(!repo.join(".git/hooks/pre-commit").exists());
}

#[test]
fn hook_install_refuses_a_foreign_hook_without_force() {
    let repo = Repo::new();
    let hook = repo.join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\nmake lint\n").unwrap();
    let out = guardrail_in(repo.path(), &["hook", "install"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--force"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), "#!/bin/sh\nmake lint\n");
    // Uninstall leaves a foreign hook alone too.
    assert_eq!(
        guardrail_in(repo.path(), &["hook", "uninstall"]).status.code(),
        Some(2)
    );

    let out = guardrail_in(repo.path(), &["hook", "install", "--force"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(std::fs::read_to_string(&hook).unwrap().contains("check --staged"));
    let backup = repo.join(".git/hooks/pre-commit.guardrail-backup");
    assert_eq!(std::fs::read_to_string(backup).unwrap(), "#!/bin/sh\nmake lint\n");

    let out = guardrail_in(repo.path(), &["hook", "uninstall"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!hook.exists());
}

#[test]
fn hook_install_outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::common::guardrail()
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .args(["hook", "install"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Issue 13.4: the baseline named in guardrail.toml reaches the pre-commit hook, so a legacy
/// repository adopts guardrail with `guardrail check --write-baseline` and one commit.
#[test]
fn the_pre_commit_hook_uses_the_config_baseline() {
    let Some(pc) = pre_commit() else { return };
    let hooks = hook_repo();
    let hooks_path = hooks.path().to_string_lossy().into_owned();
    let home = tempfile::tempdir().unwrap();
    let project = Repo::new();
    project.stage(&[
        ("guardrail.toml", "baseline = \".guardrail-baseline.toml\"\n"),
        ("legacy.py", &token_line()),
    ]);
    let out = guardrail_in(project.path(), &["check", "--write-baseline"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    project.git(&["add", ".guardrail-baseline.toml"]);
    project.commit("adopt guardrail");

    // The legacy secret, moved down a line and staged: baselined, the hook passes.
    project.stage(&[("legacy.py", &format!("# moved\n{}", token_line()))]);
    let out = run_pre_commit(
        &pc,
        project.path(),
        home.path(),
        &["try-repo", &hooks_path, "guardrail", "--verbose"],
    );
    assert!(out.status.success(), "baselined secret blocked:\n{}", text(&out));

    // A new secret is blocked.
    let other = ["ghp_", "Zq8Rw2Et4Yu6Io8Pa1Sd3Fg5Hj7Kl9Mn", "Xc4v"].concat();
    project.stage(&[("new.py", &format!("key = \"{other}\"\n"))]);
    let out = run_pre_commit(
        &pc,
        project.path(),
        home.path(),
        &["try-repo", &hooks_path, "guardrail", "--verbose"],
    );
    let log = text(&out);
    assert!(!out.status.success(), "new secret not blocked:\n{log}");
    assert!(log.contains("new.py:1:8"), "{log}");
    assert!(!log.contains("legacy.py:2:10"), "{log}");
}
