//! `guardrail init`: the files it writes load and validate, and it never overwrites silently.

use std::path::Path;
use std::process::{Command, Output};

use crate::gitrepo::Repo;

fn guardrail_in(dir: &Path, args: &[&str]) -> Output {
    crate::common::guardrail()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn init_writes_a_config_at_the_repository_root_that_loads() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.join("src/deep")).unwrap();
    let out = guardrail_in(&repo.join("src/deep"), &["init"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("wrote ../../guardrail.toml"),
        "{}",
        text(&out)
    );
    let config = std::fs::read_to_string(repo.join("guardrail.toml")).unwrap();
    assert!(
        config.lines().filter(|l| l.starts_with('#')).count() >= 10,
        "commented"
    );
    // The written config is discovered and valid: a check of the empty tree passes.
    let run = crate::common::check_json(repo.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn the_commented_examples_load_when_uncommented() {
    let dir = tempfile::tempdir().unwrap();
    let out = guardrail_in(dir.path(), &["init", "--dir", "."]);
    assert!(out.status.success(), "{}", text(&out));
    let path = dir.path().join("guardrail.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    let uncommented = config
        .replace("  # \"vendor/**\",", "  \"vendor/**\",")
        .replace("# \"privacy/*\" = \"warning\"", "\"privacy/*\" = \"warning\"")
        .replace("# [[overrides]]", "[[overrides]]")
        .replace("# paths = ", "paths = ")
        .replace("# rules = ", "rules = ");
    assert_eq!(uncommented.matches("\n[[overrides]]").count(), 1, "{uncommented}");
    std::fs::write(&path, uncommented).unwrap();
    let run = crate::common::check_json(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn init_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("guardrail.toml"), "fail-on = \"warning\"\n").unwrap();
    let out = guardrail_in(dir.path(), &["init", "--pre-commit", "--dir", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("kept existing guardrail.toml"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("guardrail.toml")).unwrap(),
        "fail-on = \"warning\"\n"
    );
    // The file that did not exist was written.
    assert!(dir.path().join(".pre-commit-config.yaml").is_file());

    // An existing pre-commit config is kept too, and the entry to add is shown.
    let out = guardrail_in(dir.path(), &["init", "--pre-commit", "--dir", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("- id: guardrail"), "{}", text(&out));

    let out = guardrail_in(dir.path(), &["init", "--force", "--dir", "."]);
    assert!(out.status.success(), "{}", text(&out));
    let config = std::fs::read_to_string(dir.path().join("guardrail.toml")).unwrap();
    assert!(config.contains("[packs]"));
}

/// Issue 13.6: the generated pre-commit config works as written (a local hook running the
/// installed guardrail; no release tag to pin): the real pre-commit framework blocks a staged
/// secret and passes a clean commit. Skips loudly without pre-commit, except under CI.
#[test]
fn init_pre_commit_writes_a_config_that_gates_commits() {
    let repo = crate::gitrepo::Repo::new();
    let out = guardrail_in(repo.path(), &["init", "--pre-commit"]);
    assert!(out.status.success(), "{}", text(&out));
    let yaml = std::fs::read_to_string(repo.join(".pre-commit-config.yaml")).unwrap();
    assert!(yaml.contains("- id: guardrail"));
    assert!(yaml.contains("entry: guardrail check --staged"));
    let works = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but pre-commit is not installed"
        );
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"\n*** SKIPPED: pre-commit is not installed; the generated config was not run ***\n",
        );
        return;
    }
    // The hook runs `guardrail` from PATH: the binary under test.
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_guardrail"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut c = crate::gitrepo::git_command(repo.path());
        c.env("PATH", &path)
            .env("PRE_COMMIT_HOME", home.path())
            .env("NO_COLOR", "1");
        c.args(args).output().unwrap()
    };
    repo.git(&["add", "guardrail.toml", ".pre-commit-config.yaml"]);
    let pre_commit = |args: &[&str]| {
        Command::new("pre-commit")
            .args(args)
            .current_dir(repo.path())
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", home.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap()
    };
    let out = pre_commit(&["install"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["commit", "-q", "-m", "adopt guardrail"]);
    assert!(
        out.status.success(),
        "guardrail's own files blocked the commit: {}",
        text(&out)
    );
    repo.stage(&[("app/keys.py", &crate::gitrepo::token_line())]);
    let out = run(&["commit", "-q", "-m", "add keys"]);
    assert!(!out.status.success(), "secret committed: {}", text(&out));
    assert!(text(&out).contains("app/keys.py:1:10"), "{}", text(&out));
    assert!(!text(&out).contains(&crate::gitrepo::token()), "secret leaked");
}

/// Issue 13.6: what `init` writes passes guardrail's own rules (the workflow's action reference
/// is a commit-SHA placeholder, not a tag).
#[test]
fn init_output_passes_guardrails_own_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let out = guardrail_in(dir.path(), &["init", "--pre-commit", "--github"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("fill in the placeholders in .github/workflows/guardrail.yml"),
        "{}",
        text(&out)
    );
    let run = crate::common::check_json(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json["summary"]["findings"], 0, "{}", run.stdout);
    assert_eq!(run.json["summary"]["files_scanned"], 3);
}

#[test]
fn init_github_writes_a_pinned_workflow_with_sarif_upload() {
    let dir = tempfile::tempdir().unwrap();
    let out = guardrail_in(dir.path(), &["init", "--github", "--dir", "out"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(dir.path().join("out/guardrail.toml").is_file());
    let yaml = std::fs::read_to_string(dir.path().join("out/.github/workflows/guardrail.yml")).unwrap();
    assert!(yaml.contains("security-events: write"));
    assert!(yaml.contains("upload-sarif: true"));
    assert!(yaml.contains("persist-credentials: false"));
    let checkout = yaml.lines().find(|l| l.contains("actions/checkout@")).unwrap();
    let sha = checkout.split('@').nth(1).unwrap().split(' ').next().unwrap();
    assert!(
        sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
        "{checkout}"
    );
    let action = yaml.lines().find(|l| l.contains("/guardrail@")).unwrap();
    assert!(
        action.contains("@0000000000000000000000000000000000000000 # v"),
        "{action}"
    );
    assert!(yaml.contains("PLACEHOLDERS to fill in"));
}
