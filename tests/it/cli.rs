//! The CLI contract: every `--format` gives the same exit code for the same input (a SARIF or
//! GitHub run fails the gate exactly when a human run would), and the completion scripts and
//! man page generate from the clap definitions.

use crate::common::IG;

use std::path::Path;

use crate::common::{fake, guardrail, write_tree};

const FORMATS: &[&str] = &["human", "json", "sarif", "github"];

const POLICY: &str = r#"
[pack]
name = "team"

[[rule]]
id = "todo-marker"
severity = "warning"
message = "TODO-LATER marker left in code"
paths = ["**/*.txt"]
[rule.regex]
pattern = 'TODO-LATER'
[[rule.example]]
fail = 'TODO-LATER'
[[rule.example]]
pass = 'TODO'

[[rule]]
id = "fyi-marker"
severity = "note"
message = "FYI-MARKER seen"
paths = ["**/*.txt"]
[rule.regex]
pattern = 'FYI-MARKER'
[[rule.example]]
fail = 'FYI-MARKER'
[[rule.example]]
pass = 'FYI'
"#;

fn secret() -> String {
    fake(&["ghp_", "Ty6Ui8Op0As2Df4Gh6Jk8Lz1Xc3Vb5Nm7Qw9"])
}

/// Runs `check` in every format (to stdout and with --output) and returns the one exit code
/// they all gave.
fn same_code_in_every_format(dir: &Path, args: &[&str]) -> i32 {
    let mut codes = Vec::new();
    for format in FORMATS {
        for to_file in [false, true] {
            let mut cmd = guardrail();
            cmd.current_dir(dir)
                .args(["check", "--format", format])
                .args(args);
            if to_file {
                cmd.args(["--output", "report.out"]);
            }
            let out = cmd.output().expect("ran");
            codes.push((*format, to_file, out.status.code().unwrap_or(-1)));
        }
    }
    let first = codes[0].2;
    assert!(
        codes.iter().all(|c| c.2 == first),
        "exit codes differ for {args:?}: {codes:?}"
    );
    first
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("policy/team.toml", POLICY)]);
    write_tree(dir.path(), files);
    dir
}

/// `(name, files, extra args, expected exit code)`.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<&'a str>, i32);

#[test]
fn every_format_gives_the_same_exit_code() {
    let token = format!("t = \"{}\"\n", secret());
    let suppressed = format!("t = \"{}\" # {IG} github-token -- fixture\n", secret());
    let cases: Vec<Case> = vec![
        ("clean", vec![("a.txt", "nothing\n")], vec![], 0),
        ("error", vec![("a.txt", &token)], vec![], 1),
        (
            "warning, default gate",
            vec![("a.txt", "TODO-LATER\n")],
            vec![],
            0,
        ),
        (
            "warning, --fail-on warning",
            vec![("a.txt", "TODO-LATER\n")],
            vec!["--fail-on", "warning"],
            1,
        ),
        (
            "note, --fail-on warning",
            vec![("a.txt", "FYI-MARKER\n")],
            vec!["--fail-on", "warning"],
            0,
        ),
        (
            "note, --fail-on note",
            vec![("a.txt", "FYI-MARKER\n")],
            vec!["--fail-on", "note"],
            1,
        ),
        ("inline suppressed", vec![("a.txt", &suppressed)], vec![], 0),
        (
            "inline ignored",
            vec![("a.txt", &suppressed)],
            vec!["--no-inline-suppressions"],
            1,
        ),
        (
            "bad policy",
            vec![("bad.toml", "[pack]\nname = 3\n")],
            vec!["--policy", "bad.toml"],
            2,
        ),
        ("missing path", vec![], vec!["does-not-exist"], 2),
    ];
    for (name, files, args, expected) in cases {
        let dir = tree(&files);
        let mut all = vec!["--policy", "policy/team.toml"];
        all.extend(args);
        assert_eq!(same_code_in_every_format(dir.path(), &all), expected, "{name}");
    }
}

#[test]
fn baseline_runs_give_the_same_exit_code_in_every_format() {
    let dir = tree(&[("a.txt", &format!("t = \"{}\"\n", secret()))]);
    guardrail()
        .current_dir(dir.path())
        .args(["check", "--write-baseline", "baseline.toml"])
        .assert()
        .code(0);
    let args = ["--baseline", "baseline.toml", "--fail-on-stale-baseline"];
    assert_eq!(same_code_in_every_format(dir.path(), &args), 0, "baselined");
    write_tree(dir.path(), &[("a.txt", "fixed\n")]);
    assert_eq!(
        same_code_in_every_format(dir.path(), &args[..2]),
        0,
        "stale is a note"
    );
    assert_eq!(
        same_code_in_every_format(dir.path(), &args),
        1,
        "stale fails when asked"
    );
}

#[test]
fn completions_generate_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = guardrail().args(["completions", shell]).output().expect("ran");
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).expect("utf-8");
        assert!(
            script.contains("check") && script.contains("write-baseline"),
            "{shell}: {script}"
        );
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(script.contains("sarif"), "{shell}: format values are completed");
        }
    }
    guardrail().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_page_is_roff_and_documents_check() {
    let out = guardrail().arg("man").output().expect("ran");
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        page.starts_with(".ie") || page.contains(".TH guardrail"),
        "{page}"
    );
    assert!(page.contains("check") && page.contains("completions"), "{page}");

    let dir = tempfile::tempdir().expect("tempdir");
    let pages = dir.path().join("man1");
    guardrail()
        .args(["man", "--out-dir"])
        .arg(&pages)
        .assert()
        .code(0);
    let check = std::fs::read_to_string(pages.join("guardrail-check.1")).expect("check page");
    assert!(
        check.contains("\\-\\-write\\-baseline") || check.contains("write-baseline"),
        "{check}"
    );
}
