//! Issue 13.5: a secret match never crosses a line break. Every built-in secret rule's fail
//! examples are scanned with each space or tab turned into a line break, and with blank lines
//! around them; every finding must start and end on one line (so GitHub annotations keep
//! their columns and a snippet shows one line). The one exception is a secret that is itself a
//! block of lines (a PEM or PuTTY private key, whose examples span lines): its span may cover
//! that block, never more.

use guardrail::engine::check_bytes;
use guardrail::plan::Plan;
use guardrail::policy::{self, MatcherTable, PolicySet};

/// Every way of putting a line break into `text` at one of its spaces or tabs, plus `text`
/// between blank lines and twice in a row.
fn variants(text: &str) -> Vec<String> {
    let mut out = vec![format!("\n{text}\n\n"), format!("{text}\n{text}\n")];
    for (i, c) in text.char_indices() {
        if c == ' ' || c == '\t' {
            out.push(format!("{}\n{}", &text[..i], &text[i + 1..]));
            out.push(format!("{}\r\n{}", &text[..i], &text[i + 1..]));
        }
    }
    out
}

#[test]
fn no_secret_rule_span_crosses_a_line_break() {
    let mut set = PolicySet::default();
    policy::load_builtin(&mut set).expect("built-in packs load");
    let mut rules: Vec<_> = set
        .rules
        .into_iter()
        .filter(|r| r.tags.iter().any(|t| t == "secret") && matches!(r.matcher, MatcherTable::Regex(_)))
        .collect();
    assert!(rules.len() >= 40, "only {} secret rules", rules.len());
    for r in &mut rules {
        r.enabled = true;
    }
    let plan = Plan::compile(rules).expect("plan compiles");
    let mut crossing = Vec::new();
    let mut checked = 0;
    for rule in &plan.rules {
        for example in rule.examples.iter().filter(|e| e.expect == policy::Expect::Fail) {
            // Lines the example's own block spans, beyond its first.
            let block = example.text.trim_end_matches(['\r', '\n']).matches('\n').count();
            for text in variants(&example.text) {
                for f in check_bytes(&plan, &example.path, text.as_bytes()) {
                    checked += 1;
                    if f.location.end_line - f.location.line > block {
                        crossing.push(format!("{} in {:?}: {:?}", f.rule, text, f.location));
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} findings checked");
    assert!(
        crossing.is_empty(),
        "{} spans cross a line:\n{}",
        crossing.len(),
        crossing.join("\n")
    );
}

/// A key on one line and its value on the next: the finding is the value's line, so a GitHub
/// annotation keeps its columns.
#[test]
fn a_value_on_the_next_line_is_annotated_with_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let value = crate::common::fake(&["qHtcJOacMm/cDn674vp", "MTfEHHirZ5s1+6iLlzUks"]);
    crate::common::write_tree(
        dir.path(),
        &[("settings.cfg", &format!("aws_secret_access_key =\n  {value}\n"))],
    );
    let out = crate::common::guardrail()
        .current_dir(dir.path())
        .args([
            "check",
            "--format",
            "github",
            "--select",
            "security/aws-secret-access-key",
        ])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("::error file=settings.cfg,line=2,col=3,endLine=2,endColumn=43,title=security/aws-secret-access-key::"),
        "{stdout}"
    );
    assert!(!stdout.contains(&value), "secret value in the output");
}
