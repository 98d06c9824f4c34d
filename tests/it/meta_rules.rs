//! Issue 10: guardrail's own `guardrail/...` rules are described from one table
//! (`guardrail::meta::META_RULES`) by `rules explain`, `rules list` and the findings' help.

use guardrail::meta::{META_RULES, MISSING_REASON};

use crate::common::{fake, guardrail, write_tree, IG};

#[test]
fn rules_explain_describes_every_meta_rule() {
    for m in META_RULES {
        let out = guardrail()
            .args(["rules", "explain", m.id, "--no-config"])
            .output()
            .expect("ran");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            m.id,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.starts_with(&format!("{}  ({}, ", m.id, m.severity)),
            "{stdout}"
        );
        for part in [m.message, m.description, m.help] {
            assert!(stdout.contains(part), "{}: {part:?} missing from\n{stdout}", m.id);
        }
    }
}

#[test]
fn rules_list_names_every_meta_rule_after_the_policy_rules() {
    let out = guardrail()
        .args(["rules", "list", "--no-config"])
        .output()
        .expect("ran");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ids: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let metas: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| id.starts_with("guardrail/"))
        .collect();
    assert_eq!(metas, META_RULES.iter().map(|m| m.id).collect::<Vec<_>>());
    assert!(ids.ends_with(&metas), "meta rules come last");
}

#[test]
fn a_suppression_without_a_reason_gets_its_own_help() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = fake(&["ghp_", "Zq4VbN8mXw2LpR7tKc9Hd3Fs", "6YjG1uEaTo5B"]);
    write_tree(
        dir.path(),
        &[
            ("guardrail.toml", "require-reason = true\n"),
            (
                "a.py",
                &format!("A = \"{token}\"  # {IG} security/github-token\n"),
            ),
        ],
    );
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "--format", "github"])
        .output()
        .expect("ran");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains(MISSING_REASON))
        .unwrap_or_else(|| panic!("no {MISSING_REASON} in\n{stdout}"));
    assert!(line.contains("help: Add a reason after `--`"), "{line}");
    assert!(!line.contains("fix its rule id"), "{line}");
}
