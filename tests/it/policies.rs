//! Every built-in rule documents itself and its examples behave (Missing / Noisy).

use guardrail::cli::test::run_examples;
use guardrail::policy::{self, PolicySet};

fn builtin() -> PolicySet {
    let mut set = PolicySet::default();
    policy::load_builtin(&mut set).expect("built-in packs load");
    set
}

#[test]
fn builtin_examples_pass() {
    let (count, failures) = run_examples(builtin()).expect("plan compiles");
    let messages: Vec<String> = failures.iter().map(|f| f.error.message.clone()).collect();
    assert!(
        failures.is_empty(),
        "{} of {count} examples failed:\n{}",
        failures.len(),
        messages.join("\n")
    );
}

#[test]
fn builtin_rules_are_documented() {
    for rule in builtin().rules {
        assert!(!rule.message.trim().is_empty(), "{} has no message", rule.id);
        assert!(
            rule.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
            "{} has no help",
            rule.id
        );
    }
}

#[test]
fn builtin_ids_are_unique_kebab_case() {
    let set = builtin();
    let mut ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
    for rule in &set.rules {
        assert!(policy::load::is_kebab(rule.short_id()), "{}", rule.id);
        assert!(
            !rule.short_id().starts_with("no-"),
            "{}: name the pattern, not the fix",
            rule.id
        );
    }
}
