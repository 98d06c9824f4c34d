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

#[test]
fn init_pre_commit_writes_a_config_pre_commit_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = guardrail_in(dir.path(), &["init", "--pre-commit", "--dir", "."]);
    assert!(out.status.success(), "{}", text(&out));
    let path = dir.path().join(".pre-commit-config.yaml");
    let yaml = std::fs::read_to_string(&path).unwrap();
    assert!(yaml.contains("- id: guardrail"));
    assert!(yaml.contains(&format!("rev: v{}", env!("CARGO_PKG_VERSION"))));
    let validated = Command::new("pre-commit")
        .args(["validate-config", &path.to_string_lossy()])
        .output();
    match validated {
        Ok(o) => assert!(o.status.success(), "{}", text(&o)),
        Err(_) => {
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"*** pre-commit not installed: the generated config was not validated ***\n",
            );
        }
    }
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
}
