//! `[rule.fix]`: a rule's fix is checked by `guardrail test` against its examples' `fixed`
//! text (exact result, and the result passes the rule), and bad fixes are located errors.

use guardrail::cli::test::run_examples;
use guardrail::policy::{self, PolicySet};

use crate::common::guardrail;

fn policy(fixed: &str) -> String {
    format!(
        r#"[pack]
name = "team"
category = "security"

[[rule]]
id = "debug-flag"
message = "debug mode on"
help = "turn it off"
[rule.regex]
pattern = 'DEBUG\s*=\s*True'
[rule.fix]
title = "Turn debug off"
[[rule.fix.replace]]
find = 'True'
with = "False"
[[rule.example]]
fail = "DEBUG = True\nx = 1\nDEBUG=True\n"
fixed = "{fixed}"
[[rule.example]]
pass = "DEBUG = False\n"
"#
    )
}

fn failures(text: &str) -> Vec<String> {
    let mut set = PolicySet::default();
    policy::load::load_str(&mut set, "team.toml", text, false).expect("policy loads");
    let (_, failures) = run_examples(set).expect("plan compiles");
    failures.iter().map(|f| f.error.message.clone()).collect()
}

#[test]
fn a_fixed_example_holds_when_the_fix_gives_exactly_that_text() {
    assert_eq!(
        failures(&policy(r"DEBUG = False\nx = 1\nDEBUG=False\n")),
        Vec::<String>::new()
    );
}

#[test]
fn a_fixed_example_that_differs_fails_guardrail_test() {
    let got = failures(&policy(r"DEBUG = Off\nx = 1\nDEBUG=Off\n"));
    assert_eq!(
        got,
        vec![
            "`team/debug-flag`: the fix gives \"DEBUG = False\\nx = 1\\nDEBUG=False\\n\", the example expects \"DEBUG = Off\\nx = 1\\nDEBUG=Off\\n\"".to_string()
        ]
    );
}

#[test]
fn a_fix_that_leaves_the_problem_fails_guardrail_test() {
    // `find` replaces a word the pattern does not depend on: the fixed text still matches.
    let text = policy(r"DEBUG = True\nx = 1\nDEBUG=True\n")
        .replace("find = 'True'", "find = 'DEBUG'")
        .replace("with = \"False\"", "with = \"DEBUG\"");
    assert_eq!(
        failures(&text),
        vec!["`team/debug-flag`: the fixed text still produces 2 finding(s)".to_string()]
    );
}

#[test]
fn fixes_are_validated_with_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = policy(r"DEBUG = False\nx = 1\nDEBUG=False\n").replace("find = 'True'", "find = '(True'");
    std::fs::write(dir.path().join("team.toml"), bad).unwrap();
    let out = guardrail()
        .current_dir(dir.path())
        .args(["test", "team.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid `find` pattern"), "{err}");
    assert!(err.contains("team.toml:14:8"), "{err}");

    let orphan = policy("x").replace(
        "[rule.fix]\ntitle = \"Turn debug off\"\n[[rule.fix.replace]]\nfind = 'True'\nwith = \"False\"\n",
        "",
    );
    std::fs::write(dir.path().join("team.toml"), orphan).unwrap();
    let out = guardrail()
        .current_dir(dir.path())
        .args(["test", "team.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`fixed` needs a `fail` example of a rule with `[rule.fix]`"),
        "{err}"
    );
}

#[test]
fn rules_explain_names_the_fix() {
    let out = guardrail()
        .args(["rules", "explain", "security/go-tls-verification-disabled"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\nFix (offered in the editor): Turn certificate verification back on\n"),
        "{text}"
    );
}
