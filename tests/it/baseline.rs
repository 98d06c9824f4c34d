//! Baselines through the real binary: content-bound entries survive inserted lines and
//! re-indentation, a different secret on the same line is new, the file is byte-stable and
//! secret-free, stale entries are reported (and fail with --fail-on-stale-baseline).

use crate::common::IG;

use std::path::Path;

use crate::common::{check_json, fake, findings, guardrail, write_tree};

const BASELINE: &str = ".guardrail-baseline.toml";

fn token(tail: &str) -> String {
    fake(&["ghp_", "Vb7Nm3Qw9Er1Ty5Ui2Op8As4Df6Gh0Jk", tail])
}

fn config_rs(indent: &str, secret: &str) -> String {
    format!("pub fn token() -> &'static str {{\n{indent}\"{secret}\"\n}}\n")
}

/// A repository with one secret in src/config.rs and a baseline written for it.
fn baselined() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[("src/config.rs", &config_rs("    ", &token("Lz2X")))],
    );
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "--write-baseline", BASELINE])
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wrote 1 baseline entry to .guardrail-baseline.toml"),
        "{stderr}"
    );
    dir
}

fn baseline_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(BASELINE)).expect("baseline written")
}

fn with_baseline(dir: &Path, extra: &[&str]) -> crate::common::JsonRun {
    let mut args = vec!["--baseline", BASELINE];
    args.extend_from_slice(extra);
    check_json(dir, &args)
}

fn baselined_count(run: &crate::common::JsonRun) -> u64 {
    run.json["summary"]["suppressed"]["baseline"]
        .as_u64()
        .expect("count")
}

#[test]
fn baseline_file_is_sorted_stable_and_holds_no_lines_times_or_secrets() {
    let dir = baselined();
    let text = baseline_text(dir.path());
    let entry = text
        .lines()
        .find(|l| l.contains("security/github-token"))
        .expect("entry");
    assert!(
        entry.starts_with("  { rule = \"security/github-token\", path = \"src/config.rs\", fingerprint = \""),
        "{entry}"
    );
    assert!(
        !text.contains(&token("Lz2X")) && !text.contains("Lz2X"),
        "secret in baseline"
    );
    assert!(
        !text.contains("line =") && !text.contains("column"),
        "position in baseline"
    );
    // Writing again, and writing after lines moved, gives the same bytes: no churn in merges.
    guardrail()
        .current_dir(dir.path())
        .args(["check", "--write-baseline", BASELINE])
        .assert()
        .code(0);
    assert_eq!(baseline_text(dir.path()), text);
    write_tree(
        dir.path(),
        &[(
            "src/config.rs",
            &format!("// moved\n\n{}", config_rs("\t\t", &token("Lz2X"))),
        )],
    );
    guardrail()
        .current_dir(dir.path())
        .args(["check", "--write-baseline", BASELINE])
        .assert()
        .code(0);
    assert_eq!(baseline_text(dir.path()), text);
}

#[test]
fn round_trip_reports_nothing_and_counts_the_baselined_finding() {
    let dir = baselined();
    assert_eq!(
        check_json(dir.path(), &[]).code,
        1,
        "without the baseline the finding fails"
    );
    let run = with_baseline(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(findings(&run.json), vec![]);
    assert_eq!(baselined_count(&run), 1);
    let human = guardrail()
        .current_dir(dir.path())
        .args(["check", "--baseline", BASELINE])
        .output()
        .expect("ran");
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(human.contains("1 suppressed (0 inline, 1 baseline)"), "{human}");
}

#[test]
fn inserting_lines_above_keeps_the_finding_baselined() {
    let dir = baselined();
    let moved = format!("// a\n// b\n// c\n\n{}", config_rs("    ", &token("Lz2X")));
    write_tree(dir.path(), &[("src/config.rs", &moved)]);
    let run = with_baseline(dir.path(), &[]);
    assert_eq!(
        (run.code, findings(&run.json), baselined_count(&run)),
        (0, vec![], 1)
    );
}

#[test]
fn reindenting_keeps_the_finding_baselined() {
    let dir = baselined();
    write_tree(
        dir.path(),
        &[("src/config.rs", &config_rs("\t\t\t", &token("Lz2X")))],
    );
    let run = with_baseline(dir.path(), &[]);
    assert_eq!(
        (run.code, findings(&run.json), baselined_count(&run)),
        (0, vec![], 1)
    );
}

#[test]
fn a_different_secret_on_the_same_line_is_new() {
    let dir = baselined();
    write_tree(
        dir.path(),
        &[("src/config.rs", &config_rs("    ", &token("Qp7R")))],
    );
    let run = with_baseline(dir.path(), &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        findings(&run.json),
        vec![
            ("guardrail/stale-baseline-entry".into(), BASELINE.into(), 7, 3),
            ("security/github-token".into(), "src/config.rs".into(), 2, 6),
        ]
    );
    assert_eq!(baselined_count(&run), 0);
}

#[test]
fn a_second_copy_of_a_baselined_secret_is_new() {
    let dir = baselined();
    let twice = format!(
        "{}{}",
        config_rs("    ", &token("Lz2X")),
        config_rs("    ", &token("Lz2X"))
    );
    write_tree(dir.path(), &[("src/config.rs", &twice)]);
    let run = with_baseline(dir.path(), &[]);
    assert_eq!(
        findings(&run.json),
        vec![("security/github-token".into(), "src/config.rs".into(), 5, 6)]
    );
    assert_eq!(baselined_count(&run), 1);
}

#[test]
fn stale_entries_are_notes_and_fail_only_when_asked() {
    let dir = baselined();
    write_tree(
        dir.path(),
        &[(
            "src/config.rs",
            "pub fn token() -> String { std::env::var(\"T\").unwrap() }\n",
        )],
    );
    let run = with_baseline(dir.path(), &[]);
    assert_eq!(run.code, 0, "a stale entry is a note");
    let stale = &run.json["findings"][0];
    assert_eq!(stale["rule"], "guardrail/stale-baseline-entry");
    assert_eq!(stale["severity"], "note");
    assert_eq!(
        stale["message"],
        "baseline entry for `security/github-token` in `src/config.rs` matches no finding"
    );
    assert_eq!(run.json["summary"]["stale_baseline"], 1);
    let strict = with_baseline(dir.path(), &["--fail-on-stale-baseline"]);
    assert_eq!(strict.code, 1);
    assert_eq!(strict.json["findings"][0]["severity"], "error");
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "--baseline", BASELINE])
        .output()
        .expect("ran");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 stale baseline entry"));
}

#[test]
fn entries_outside_the_scanned_paths_are_not_stale() {
    let dir = baselined();
    write_tree(dir.path(), &[("docs/readme.md", "nothing here\n")]);
    let run = with_baseline(dir.path(), &["--fail-on-stale-baseline", "docs"]);
    assert_eq!((run.code, findings(&run.json)), (0, vec![]));
}

#[test]
fn inline_suppressed_findings_keep_their_entry_alive() {
    let dir = baselined();
    let commented = format!(
        "pub fn token() -> &'static str {{\n    \"{}\" // {IG} github-token -- rotated\n}}\n",
        token("Lz2X")
    );
    write_tree(dir.path(), &[("src/config.rs", &commented)]);
    let run = with_baseline(dir.path(), &["--fail-on-stale-baseline"]);
    assert_eq!((run.code, findings(&run.json)), (0, vec![]));
    assert_eq!(run.json["summary"]["suppressed"]["inline"], 1);
}

#[test]
fn the_baseline_works_from_a_subdirectory() {
    let dir = baselined();
    let sub = dir.path().join("src");
    let run = check_json(&sub, &["--baseline", "../.guardrail-baseline.toml", "."]);
    assert_eq!(
        (run.code, findings(&run.json), baselined_count(&run)),
        (0, vec![], 1)
    );
    // Written from the subdirectory, the file is the same as written from the root.
    let text = baseline_text(dir.path());
    guardrail()
        .current_dir(&sub)
        .args(["check", "..", "--write-baseline", "../.guardrail-baseline.toml"])
        .assert()
        .code(0);
    assert_eq!(baseline_text(dir.path()), text);
}

#[test]
fn a_broken_baseline_is_a_located_error() {
    let dir = baselined();
    write_tree(
        dir.path(),
        &[(BASELINE, "version = 1\nfindings = [ { rule = \"x\" } ]\n")],
    );
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "--baseline", BASELINE])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("guardrail::config") && stderr.contains(".guardrail-baseline.toml:2"),
        "{stderr}"
    );
    let missing = guardrail()
        .current_dir(dir.path())
        .args(["check", "--baseline", "nope.toml"])
        .output()
        .expect("ran");
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn fail_on_stale_needs_a_baseline_and_write_conflicts_with_read() {
    let dir = baselined();
    for args in [
        &["check", "--fail-on-stale-baseline"][..],
        &["check", "--baseline", BASELINE, "--write-baseline", "b2.toml"][..],
    ] {
        guardrail().current_dir(dir.path()).args(args).assert().code(2);
    }
}

#[test]
fn repeated_matches_are_rebased_from_a_subdirectory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copies = config_rs("    ", &token("Lz2X")).repeat(3);
    write_tree(dir.path(), &[("src/config.rs", &copies)]);
    guardrail()
        .current_dir(dir.path())
        .args(["check", "--write-baseline", BASELINE])
        .assert()
        .code(0);
    let text = baseline_text(dir.path());
    assert_eq!(text.matches("src/config.rs").count(), 3, "{text}");
    let sub = dir.path().join("src");
    let run = check_json(
        &sub,
        &[
            "--baseline",
            "../.guardrail-baseline.toml",
            "--fail-on-stale-baseline",
            ".",
        ],
    );
    assert_eq!(
        (run.code, findings(&run.json), baselined_count(&run)),
        (0, vec![], 3)
    );
    guardrail()
        .current_dir(&sub)
        .args(["check", "..", "--write-baseline", "../.guardrail-baseline.toml"])
        .assert()
        .code(0);
    assert_eq!(baseline_text(dir.path()), text);
}
