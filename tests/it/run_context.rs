//! One compiled plan, many runs: what a run reads (lockfiles, dependency graphs) lives in the
//! caller's run context, so a second run over a changed lockfile sees the change.

use guardrail::engine::Engine;
use guardrail::plan::Plan;

use crate::common::write_tree;

const POLICY: &str = "[pack]\nname = \"t\"\ncategory = \"security\"\n\n[[rule]]\nid = \"old-time\"\nseverity = \"error\"\nmessage = \"old time\"\npaths = [\"**/Cargo.toml\"]\n[rule.cargo]\nbanned = [\"time < 0.2.0 -- RUSTSEC-2020-0071\"]\n[[rule.example]]\npath = \"Cargo.lock\"\nfail = \"[[package]]\\nname = \\\"time\\\"\\nversion = \\\"0.1.44\\\"\\n\"\n[[rule.example]]\npath = \"Cargo.lock\"\npass = \"[[package]]\\nname = \\\"time\\\"\\nversion = \\\"0.3.0\\\"\\n\"\n";

fn lockfile(time_version: &str) -> String {
    format!(
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"time\"]\n\n\
         [[package]]\nname = \"time\"\nversion = \"{time_version}\"\n\
         source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
    )
}

/// Rule ids and lines the plan reports for the manifest in one run.
fn run(plan: &Plan, settings: &guardrail::Settings) -> Vec<(String, usize)> {
    let sources = guardrail::sources(settings, None).expect("sources");
    let out = Engine::new(plan, settings).run(&sources.entries, &sources.files, None);
    out.findings
        .iter()
        .filter(|f| f.rule == "t/old-time")
        .map(|f| (f.rule.clone(), f.location.line))
        .collect()
}

#[test]
fn a_plan_reused_for_two_runs_over_a_changed_lockfile_gives_fresh_results() {
    let dir = tempfile::tempdir().expect("tmp");
    write_tree(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\ntime = \">=0.1\"\n",
            ),
            ("Cargo.lock", &lockfile("0.1.44")),
            ("policy.toml", POLICY),
        ],
    );
    let mut settings = guardrail::Settings::new(dir.path().to_path_buf(), vec![dir.path().to_path_buf()]);
    settings.builtin = false;
    settings.policy_paths = vec![dir.path().join("policy.toml")];
    let plan = Plan::compile(guardrail::load_policies(&settings).expect("policies").rules).expect("plan");
    assert_eq!(run(&plan, &settings), vec![("t/old-time".to_string(), 6)]);
    std::fs::write(dir.path().join("Cargo.lock"), lockfile("0.3.36")).expect("write");
    assert_eq!(run(&plan, &settings), vec![]);
    std::fs::write(dir.path().join("Cargo.lock"), lockfile("0.1.1")).expect("write");
    assert_eq!(run(&plan, &settings), vec![("t/old-time".to_string(), 6)]);
}
