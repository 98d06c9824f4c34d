//! Human output at scale (issue 13): findings grouped by rule or by file, the rule's help once,
//! the per-rule tally, `--statistics`, `--quiet`, `--max-findings`, `--max-per-rule`, and
//! wrapping at the terminal width (forced with `COLUMNS`) without breaking words.

use std::path::Path;

use tempfile::TempDir;

use crate::common::{fixture, guardrail, normalize, write_tree};

/// 14 FIXME markers (12 of them in `vendor/`), two debug flags (one on a line too long for any
/// terminal) and a sleep.
fn repo() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = format!("{} debug = true {}\n", "x".repeat(150), "y".repeat(150));
    let mut vendored = String::new();
    for i in 0..12 {
        vendored.push_str(&format!("fn f{i}() {{}} // FIXME upstream\n"));
    }
    write_tree(
        dir.path(),
        &[
            (
                "src/app.rs",
                "// FIXME: handle errors\nfn main() {}\n// FIXME too\n",
            ),
            ("src/config.toml", "debug = true\n"),
            ("src/minified.js", &long),
            ("src/poll.py", "sleep(5)\n"),
            ("vendor/lib/src/lib.rs", &vendored),
        ],
    );
    dir
}

/// Human output of `check` at `columns`, with `extra` flags, normalised; the exit code too.
fn human(dir: &Path, columns: usize, extra: &[&str]) -> (i32, String) {
    let pack = fixture("human/pack.toml");
    let out = guardrail()
        .current_dir(dir)
        .env("COLUMNS", columns.to_string())
        .args(["check", "--no-builtin", "--policy"])
        .arg(&pack)
        .args(extra)
        .output()
        .expect("ran");
    let text = normalize(&String::from_utf8_lossy(&out.stdout), Some(dir));
    (out.status.code().unwrap_or(-1), text)
}

/// Every line fits, but the config lines and the summary line, which are never wrapped.
fn assert_fits(text: &str, columns: usize) {
    for line in text
        .lines()
        .filter(|l| !l.starts_with("guardrail: config") && !l.starts_with("guardrail: 2 errors"))
    {
        assert!(line.chars().count() <= columns, "wider than {columns}: {line:?}");
    }
}

#[test]
fn grouped_by_rule_at_80_and_120_columns() {
    let dir = repo();
    for columns in [80, 120] {
        let (code, text) = human(dir.path(), columns, &[]);
        assert_eq!(code, 1);
        assert_fits(&text, columns);
        insta::assert_snapshot!(format!("grouped_by_rule_{columns}"), text);
    }
}

#[test]
fn help_is_printed_once_per_rule() {
    let dir = repo();
    let (_, text) = human(dir.path(), 120, &["--max-per-rule", "0"]);
    assert_eq!(text.matches("help: Finish the work").count(), 1);
    assert_eq!(
        text.matches("Work-in-progress marker left in the code").count(),
        14
    );
}

#[test]
fn grouped_by_file_at_80_and_120_columns() {
    let dir = repo();
    for columns in [80, 120] {
        let (code, text) = human(dir.path(), columns, &["--group-by", "file"]);
        assert_eq!(code, 1);
        assert_fits(&text, columns);
        insta::assert_snapshot!(format!("grouped_by_file_{columns}"), text);
    }
}

#[test]
fn statistics_prints_the_tally_only() {
    let dir = repo();
    for columns in [80, 120] {
        let (code, text) = human(dir.path(), columns, &["--statistics"]);
        assert_eq!(code, 1);
        assert_fits(&text, columns);
        insta::assert_snapshot!(format!("statistics_{columns}"), text);
    }
}

#[test]
fn quiet_prints_the_summary_line_only() {
    let dir = repo();
    for columns in [80, 120] {
        let (code, text) = human(dir.path(), columns, &["-q"]);
        assert_eq!(code, 1);
        assert_eq!(
            text,
            "guardrail: 2 errors, 14 warnings, 1 note in 5 files; by file context: 5 source, 12 vendored; \
             [DURATION] ms\n"
        );
    }
}

#[test]
fn max_findings_counts_what_it_leaves_out() {
    let dir = repo();
    for columns in [80, 120] {
        let (code, text) = human(dir.path(), columns, &["--max-findings", "3"]);
        assert_eq!(code, 1);
        assert_fits(&text, columns);
        assert_eq!(text.matches("╭─[").count(), 3);
        assert!(text.contains("guardrail: 14 more findings not shown"), "{text}");
        insta::assert_snapshot!(format!("max_findings_{columns}"), text);
    }
}

#[test]
fn no_cap_shows_every_finding() {
    let dir = repo();
    let (_, text) = human(dir.path(), 100, &["--max-per-rule", "0"]);
    assert_eq!(text.matches("╭─[").count(), 17);
    assert!(!text.contains("not shown"));
}

#[test]
fn a_baseline_is_suggested_for_many_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let many = "// FIXME\n".repeat(60);
    write_tree(dir.path(), &[("src/a.rs", &many)]);
    let (_, text) = human(dir.path(), 300, &["--statistics"]);
    assert!(
        text.contains("hint: to accept these 60 findings and fail only on new ones, record a baseline: `guardrail check --write-baseline`"),
        "{text}"
    );
}
