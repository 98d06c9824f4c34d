//! `--format github`: one workflow command per finding, escaped the way the Actions runner
//! parses them (`%`, CR, LF in data; also `:` and `,` in properties), with columns only where
//! the runner accepts them.

use std::path::Path;

use crate::common::{check_json, guardrail, write_tree};

const POLICY: &str = r#"
[pack]
name = "team"
category = "privacy"

[[rule]]
id = "odd-marker"
severity = "warning"
message = "100% sure: the marker, again"
help = """first line
second: line, 50%"""
paths = ["**/*.txt"]
[rule.regex]
pattern = 'MARKER'
[[rule.example]]
fail = 'MARKER'
[[rule.example]]
pass = 'marker'

[[rule]]
id = "split-pair"
severity = "note"
message = "START and STOP span lines"
paths = ["**/*.txt"]
[rule.regex]
pattern = 'START\s+STOP'
[[rule.example]]
fail = 'START STOP'
[[rule.example]]
pass = 'START'

[[rule]]
id = "forbidden-file"
severity = "error"
message = "forbidden file"
[rule.path]
files = ["forbidden.bin"]
[[rule.example]]
fail = ""
path = "forbidden.bin"
[[rule.example]]
pass = ""
path = "allowed.bin"
"#;

fn github(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = guardrail()
        .current_dir(dir)
        .args([
            "check",
            "--format",
            "github",
            "--no-builtin",
            "--policy",
            "policy.toml",
        ])
        .args(args)
        .output()
        .expect("ran");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
    )
}

fn annotations(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with("::")).collect()
}

#[test]
fn properties_and_message_are_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("policy.toml", POLICY),
            ("we,ird:na%me.txt", "ok\n    MARKER here\n"),
        ],
    );
    let (code, out) = github(dir.path(), &[]);
    assert_eq!(code, 0, "a warning does not fail the default gate: {out}");
    assert_eq!(
        annotations(&out),
        vec![
            "::warning file=we%2Cird%3Ana%25me.txt,line=2,col=5,endLine=2,endColumn=11,title=team/odd-marker\
             ::100%25 sure: the marker, again%0Ahelp: first line%0Asecond: line, 50%25"
        ]
    );
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.starts_with("guardrail: 0 errors, 1 warning")),
        "{out}"
    );
}

#[test]
fn multi_line_spans_omit_columns_and_whole_files_give_line_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("policy.toml", POLICY),
            ("notes.txt", "a\nb\nSTART\nSTOP\n"),
            ("forbidden.bin", ""),
        ],
    );
    let (code, out) = github(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        annotations(&out),
        vec![
            "::error file=forbidden.bin,line=1,title=team/forbidden-file::forbidden file",
            "::notice file=notes.txt,line=3,endLine=4,title=team/split-pair::START and STOP span lines",
        ]
    );
}

#[test]
fn paths_are_relative_to_the_repository_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[("policy.toml", POLICY), ("pkg/sub/a.txt", "MARKER\n")],
    );
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    let out = guardrail()
        .current_dir(dir.path().join("pkg"))
        .args([
            "check",
            "--format",
            "github",
            "--no-builtin",
            "--policy",
            "../policy.toml",
        ])
        .output()
        .expect("ran");
    let out = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        annotations(&out)[0].starts_with("::warning file=pkg/sub/a.txt,line=1,col=1,"),
        "{out}"
    );
}

#[test]
fn exit_code_matches_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("policy.toml", POLICY), ("a.txt", "MARKER\n")]);
    for extra in [&[][..], &["--fail-on", "warning"][..]] {
        let (code, _) = github(dir.path(), extra);
        let mut args = vec!["--no-builtin", "--policy", "policy.toml"];
        args.extend_from_slice(extra);
        assert_eq!(code, check_json(dir.path(), &args).code, "{extra:?}");
    }
}
