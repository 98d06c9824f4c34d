//! Semantics of `[rule.document]` tests and conditions, on in-memory files.

use std::sync::Arc;

use crate::engine::Engine;
use crate::plan::Plan;
use crate::policy::{self, PolicySet};
use crate::source::{Entry, FileSet};

/// `(line, column)` of every finding of a one-rule policy whose `[rule.document]` is `table`.
fn run(table: &str, path: &str, text: &str) -> Vec<(usize, usize)> {
    let policy = format!(
        "[pack]\nname = \"t\"\n[[rule]]\nid = \"r\"\nmessage = \"m\"\nhelp = \"h\"\n[rule.document]\n{table}\n\
         [[rule.example]]\nfail = ''\n[[rule.example]]\npass = ''\n"
    );
    let mut set = PolicySet::default();
    policy::load_str(&mut set, "t.toml", &policy, false).expect("policy loads");
    let plan = Plan::compile(set.rules).expect("compiles");
    let entry = Entry::in_memory(path, Arc::from(text.as_bytes()));
    let files = FileSet::from_entries(std::slice::from_ref(&entry));
    Engine::bare(&plan)
        .check_rule(0, &entry, &files)
        .iter()
        .map(|f| (f.location.line, f.location.column))
        .collect()
}

#[test]
fn contains_matches_scalars_items_and_keys() {
    let table = "query = \"on\"\ncontains = [\"pull_request_target\", \"workflow_run\"]";
    assert_eq!(run(table, "w.yml", "on: pull_request_target\n"), [(1, 5)]);
    assert_eq!(run(table, "w.yml", "on: [push, workflow_run]\n"), [(1, 12)]);
    assert_eq!(
        run(table, "w.yml", "on:\n  push:\n  pull_request_target:\n"),
        [(3, 3)]
    );
    assert!(run(table, "w.yml", "on: [push]\nworkflow_run: 1\n").is_empty());
}

#[test]
fn typed_equality_across_formats() {
    let table = "query = \"**.privileged\"\nequals = true";
    assert_eq!(run(table, "a.yaml", "a:\n  privileged: yes\n"), [(2, 15)]);
    assert!(run(table, "a.yaml", "privileged: \"true\"\n").is_empty());
    assert_eq!(run(table, "a.json", "{\"privileged\": true}"), [(1, 16)]);
    assert_eq!(run(table, "a.toml", "[x]\nprivileged = true\n"), [(2, 14)]);
    let zero = "query = \"runAsUser\"\nequals = 0";
    assert_eq!(run(zero, "a.yaml", "runAsUser: 0x0\n"), [(1, 12)]);
    assert!(run(zero, "a.yaml", "runAsUser: \"0\"\n").is_empty());
}

#[test]
fn yaml_on_key_is_not_a_boolean() {
    let table = "query = \"on.*\"\nkey-pattern = '^push$'";
    assert_eq!(
        run(table, "w.yml", "on:\n  push:\n    branches: [main]\n"),
        [(2, 3)]
    );
    let truthy = "query = \"true\"";
    assert!(run(truthy, "w.yml", "on:\n  push:\n").is_empty());
}

#[test]
fn allow_and_unless_in_exempt_hits() {
    let table =
        "query = \"cols.*\"\npattern = 'gender|race'\nallow = ['^race_note$']\nunless-in = \"drop.*\"";
    let yaml = "cols: [gender, race, race_note, income]\ndrop: [gender]\n";
    assert_eq!(run(table, "c.yaml", yaml), [(1, 16)]);
}

#[test]
fn missing_reports_under_each_parent_or_at_the_when_anchor() {
    let per_job = "query = \"jobs.*.permissions\"\nexists = false";
    let yaml = "jobs:\n  a:\n    permissions: {}\n  b:\n    steps: []\n";
    assert_eq!(run(per_job, "w.yml", yaml), [(4, 3)]);
    let top = "query = \"permissions\"\nexists = false\nwhen = { query = \"on\", contains = \"issues\" }";
    assert_eq!(run(top, "w.yml", "name: x\non: [push, issues]\n"), [(2, 12)]);
    assert!(run(top, "w.yml", "on: [issues]\npermissions: {}\n").is_empty());
    let bare = "query = \"permissions\"\nexists = false";
    assert_eq!(run(bare, "w.yml", "# c\nname: x\n"), [(2, 1)]);
}

#[test]
fn negated_condition_holds_when_its_test_finds_nothing() {
    let table =
        "query = \"user\"\nexists = false\nwhen = { query = \"image\", pattern = 'nonroot', exists = false }";
    assert_eq!(run(table, "a.yaml", "image: distroless\n"), [(1, 1)]);
    assert!(run(table, "a.yaml", "image: distroless:nonroot\n").is_empty());
}

#[test]
fn multi_document_yaml_checks_each_document_with_its_own_conditions() {
    let table = "query = \"spec.hostPID\"\nequals = true\nwhen = [{ query = \"kind\" }]";
    let yaml = "spec: {hostPID: true}\n---\nkind: Pod\nspec: {hostPID: true}\n";
    assert_eq!(run(table, "m.yaml", yaml), [(4, 17)]);
}

#[test]
fn pattern_hits_map_back_through_quotes_blocks_and_continuations() {
    let table = "query = \"**.run\"\npattern = 'EVIL'";
    let yaml = "a:\n  run: |\n    echo ok\n    echo \"EVIL\" EVIL\n";
    assert_eq!(run(table, "w.yml", yaml), [(4, 11), (4, 17)]);
    let docker = "query = \"stages.*.RUN.*\"\npattern = 'b\\s+\\| sh'";
    let file = "FROM x:1\nRUN a \\\n  b \\\n  | sh\n";
    assert_eq!(run(docker, "Dockerfile", file), [(3, 3)]);
}

#[test]
fn format_option_and_unknown_extensions() {
    let table = "query = \"a\"";
    assert!(run(table, "notes.txt", "a: 1\n").is_empty());
    let forced = "query = \"a\"\nformat = \"yaml\"";
    assert_eq!(run(forced, "notes.txt", "a: 1\n"), [(1, 1)]);
}
