//! Every built-in rule, rendered: its first `fail` example scanned by the engine and shown as
//! the human diagnostic a user would read, one snapshot per rule
//! (`snapshots/it__rule_snapshots__<pack>__<rule>.snap`), so a reviewer sees span, message and
//! help together, and a change to any of them shows up in review.

use guardrail::cli::test::example_input;
use guardrail::engine::Engine;
use guardrail::plan::Plan;
use guardrail::policy::{self, Expect, PolicySet};
use guardrail::report::{self, Format, RenderOptions, Report, RuleInfo};

use crate::common::check_text;

#[test]
fn every_builtin_rule_renders_its_fail_example() {
    let mut set = PolicySet::default();
    policy::load_builtin(&mut set).expect("built-in packs load");
    for r in &mut set.rules {
        r.enabled = true;
    }
    let plan = Plan::compile(set.rules).expect("built-in packs compile");
    let engine = Engine::bare(&plan);
    for (i, rule) in plan.rules.iter().enumerate() {
        let example = rule
            .examples
            .iter()
            .find(|e| e.expect == Expect::Fail)
            .unwrap_or_else(|| panic!("{} has no fail example", rule.id));
        let (entry, files) = example_input(example);
        let mut report = Report {
            findings: engine.check_rule(i, &entry, &files),
            rules: vec![RuleInfo::from(rule)],
            ..Report::default()
        };
        report.summary.files_scanned = 1;
        report.tally();
        let mut out = Vec::new();
        report::write(&report, Format::Human, RenderOptions::default(), &mut out).expect("renders");
        let rendered = String::from_utf8(out).expect("utf-8");
        insta::assert_snapshot!(rule.id.replace('/', "__"), rendered);
    }
}

#[test]
fn one_policy_one_file_helper_reports_exact_positions() {
    let policy = "[pack]\nname = \"t\"\n[[rule]]\nid = \"todo\"\nmessage = \"a todo\"\nhelp = \"do it\"\n\
                  [rule.regex]\npattern = 'TODO'\n[[rule.example]]\nfail = 'TODO'\n[[rule.example]]\npass = 'done'\n";
    let found = check_text(policy, "src/a.py", "x = 1\n# TODO later\n");
    let got: Vec<(&str, &str, usize, usize)> = found
        .iter()
        .map(|f| {
            (
                f.rule.as_str(),
                f.path.as_str(),
                f.location.line,
                f.location.column,
            )
        })
        .collect();
    assert_eq!(got, vec![("t/todo", "src/a.py", 2, 3)]);
}
