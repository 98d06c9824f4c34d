//! Recall and false alarms of the structural rules on the labelled set under
//! `tests/fixtures/labelled/<language>/`: a line ending in `# expect: <family>` (or
//! `// expect: <family>`) must be reported by that family's rule, a line ending in
//! `ok: <family>` is a near miss that must not be. Run with `--nocapture` to see the table
//! (the figures in README come from it).
// The table and the missed / false-alarm lines are this test's output.
#![allow(clippy::disallowed_macros)]

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{check_json, findings, fixture_copy};

/// The family of each rule this set measures, by exact id (without its pack). An id that merely
/// contains a family's word is not in it: `fairness/protected-attribute-in-sql-filter`, a
/// protected attribute in a SQL WHERE or ORDER BY, is the decision family's (records filtered or
/// ranked by the attribute), not SQL injection. `benches/labelled.py` has the same table
/// (`the_family_table_is_the_one_in_labelled_py` holds them equal).
const FAMILY: &[(&str, &str)] = &[
    // TLS verification off (the last one is the Rust rule)
    ("python-tls-verification-disabled", "tls"),
    ("js-tls-verification-disabled", "tls"),
    ("go-tls-verification-disabled", "tls"),
    ("java-trust-all-certificates", "tls"),
    ("tls-verification-disabled", "tls"),
    // SQL injection: SQL built from strings or read from a request
    ("python-sql-string-formatting", "sql"),
    ("js-sql-string-formatting", "sql"),
    ("go-sql-string-formatting", "sql"),
    ("java-sql-string-concatenation", "sql"),
    ("sql-built-with-format", "sql"),
    // shell commands that are not constant
    ("python-shell-command-built", "shell"),
    ("js-shell-command-built", "shell"),
    ("go-shell-command-built", "shell"),
    ("java-shell-command-built", "shell"),
    ("shell-command", "shell"),
    // weak hashes of passwords
    ("weak-password-hash", "hash"),
    // personal data in logs
    ("python-personal-data-in-log", "log"),
    ("js-personal-data-in-log", "log"),
    ("go-personal-data-in-log", "log"),
    ("java-personal-data-in-log", "log"),
    ("personal-data-in-log", "log"),
    // personal data sent to analytics
    ("personal-data-sent-to-analytics", "analytics"),
    // protected attributes deciding, filtering or ranking; in model feature lists
    ("protected-attribute-in-condition", "decision"),
    ("protected-attribute-in-sql-filter", "decision"),
    ("protected-attribute-in-feature-list", "features"),
];

/// The family a rule id belongs to, for the rules this set measures.
fn family(rule: &str) -> Option<&'static str> {
    let short = rule.split_once('/').map_or(rule, |(_, s)| s);
    FAMILY.iter().find(|(id, _)| *id == short).map(|(_, fam)| *fam)
}

/// `(line, expect?, family)` of every marked line of a file.
fn markers(text: &str) -> Vec<(u64, bool, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        for (marker, expect) in [("expect: ", true), ("ok: ", false)] {
            for comment in ["# ", "// "] {
                let needle = format!("{comment}{marker}");
                if let Some(at) = line.rfind(&needle) {
                    let fam = &line[at + needle.len()..];
                    if !fam.is_empty() && fam.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        out.push((i as u64 + 1, expect, fam.to_string()));
                    }
                }
            }
        }
    }
    out
}

#[derive(Default, Debug, Clone, Copy)]
struct Score {
    positives: usize,
    found: usize,
    negatives: usize,
    false_alarms: usize,
}

/// Scores per (language, family), measured on a copy of the labelled set.
fn measure() -> BTreeMap<(String, String), Score> {
    let copy = fixture_copy("labelled");
    let run = check_json(copy.path(), &["--no-config", "."]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let all = findings(&run.json);
    let mut scores: BTreeMap<(String, String), Score> = BTreeMap::new();
    for path in files(copy.path()) {
        let rel = path
            .strip_prefix(copy.path())
            .expect("under copy")
            .to_string_lossy()
            .replace('\\', "/");
        let lang = rel.split('/').next().unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&path).expect("read");
        let marks = markers(&text);
        let hits: Vec<(u64, &str)> = all
            .iter()
            .filter(|f| f.1 == rel)
            .filter_map(|f| family(&f.0).map(|fam| (f.2, fam)))
            .collect();
        for (line, expect, fam) in &marks {
            let s = scores.entry((lang.clone(), fam.clone())).or_default();
            let hit = hits.iter().any(|(l, f)| l == line && f == fam);
            if *expect {
                s.positives += 1;
                s.found += usize::from(hit);
            } else {
                s.negatives += 1;
            }
        }
        for (line, fam) in &hits {
            let expected = marks.iter().any(|(l, e, f)| l == line && *e && f == fam);
            if !expected {
                let s = scores.entry((lang.clone(), fam.to_string())).or_default();
                s.false_alarms += 1;
                eprintln!("false alarm: {rel}:{line} ({fam})");
            }
        }
        for (line, expect, fam) in &marks {
            if *expect && !hits.iter().any(|(l, f)| l == line && f == fam) {
                eprintln!("missed: {rel}:{line} ({fam})");
            }
        }
    }
    scores
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn recall_and_false_alarms_per_language_and_family() {
    let scores = measure();
    let mut per_lang: BTreeMap<String, Score> = BTreeMap::new();
    println!("| language | family | positives | found | recall | negatives | false alarms | rate |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for ((lang, fam), s) in &scores {
        let t = per_lang.entry(lang.clone()).or_default();
        t.positives += s.positives;
        t.found += s.found;
        t.negatives += s.negatives;
        t.false_alarms += s.false_alarms;
        println!(
            "| {lang} | {fam} | {} | {} | {:.2} | {} | {} | {:.1} % |",
            s.positives,
            s.found,
            s.found as f64 / s.positives.max(1) as f64,
            s.negatives,
            s.false_alarms,
            100.0 * s.false_alarms as f64 / s.negatives.max(1) as f64
        );
    }
    for (lang, t) in &per_lang {
        let recall = t.found as f64 / t.positives.max(1) as f64;
        let rate = t.false_alarms as f64 / t.negatives.max(1) as f64;
        println!(
            "| {lang} | all | {} | {} | {recall:.2} | {} | {} | {:.1} % |",
            t.positives,
            t.found,
            t.negatives,
            t.false_alarms,
            100.0 * rate
        );
        assert!(
            t.positives >= 40 && t.negatives >= 40,
            "{lang}: labelled set too small"
        );
        assert!(recall >= 0.85, "{lang}: recall {recall:.2}");
        assert!(rate < 0.03, "{lang}: false-alarm rate {rate:.3}");
    }
}

/// `benches/labelled.py` prints the README's tables with the same family table as this test.
#[test]
fn the_family_table_is_the_one_in_labelled_py() {
    let script = include_str!("../../benches/labelled.py");
    let (_, rest) = script
        .split_once("\nFAMILY = {\n")
        .expect("labelled.py has FAMILY");
    let (table, _) = rest.split_once("\n}\n").expect("FAMILY is closed");
    let python: Vec<(&str, &str)> = table
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let (id, fam) = line
                .trim_end_matches(',')
                .split_once(": ")
                .expect("\"id\": \"family\"");
            (id.trim_matches('"'), fam.trim_matches('"'))
        })
        .collect();
    assert_eq!(python, FAMILY);
}
