//! The per-rule tally of a report (rule, severity, count, where most findings are) and the
//! hints about what to do next, shown by human output above the summary line.

use std::collections::BTreeMap;

use super::{visible, Report};
use crate::finding::Finding;
use crate::policy::Severity;

/// Paths shown per rule in the tally.
const TOP_PATHS: usize = 3;
/// From this many reported findings on, the summary suggests a baseline.
pub const BASELINE_HINT_AT: usize = 50;
/// Directory names that hold vendored or generated code.
const VENDORED: &[&str] = &[
    "vendor",
    "vendored",
    "third_party",
    "third-party",
    "node_modules",
    "generated",
    "dist",
    "target",
];

/// One rule's line of the tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCount {
    /// Full rule id.
    pub rule: String,
    /// Effective severity (the most severe of the rule's findings).
    pub severity: Severity,
    /// Reported findings.
    pub count: usize,
    /// Where most of them are: a directory (two levels at most) or a top-level file, with its
    /// count, most first.
    pub top_paths: Vec<(String, usize)>,
}

/// Counts reported findings per rule: most severe rules first, then the largest counts, then
/// by id.
pub fn by_rule(findings: &[Finding]) -> Vec<RuleCount> {
    let mut rules: BTreeMap<&str, (Severity, usize, BTreeMap<String, usize>)> = BTreeMap::new();
    for f in findings {
        let entry = rules
            .entry(f.rule.as_str())
            .or_insert_with(|| (f.severity, 0, BTreeMap::new()));
        entry.0 = entry.0.max(f.severity);
        entry.1 += 1;
        *entry.2.entry(area(&f.path)).or_insert(0) += 1;
    }
    let mut out: Vec<RuleCount> = rules
        .into_iter()
        .map(|(rule, (severity, count, paths))| {
            let mut top: Vec<(String, usize)> = paths.into_iter().collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            top.truncate(TOP_PATHS);
            RuleCount {
                rule: rule.to_string(),
                severity,
                count,
                top_paths: top,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| b.count.cmp(&a.count))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    out
}

/// The part of a display path the tally groups by: its directory, two levels at most
/// (`vendor/serde/`), or the file itself when it is at the top.
fn area(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.len() {
        0 | 1 => path.to_string(),
        2 => format!("{}/", parts[0]),
        _ => {
            // `../x/y/z.rs`: keep the `..` steps, then two real levels.
            let ups = parts.iter().take_while(|p| **p == "..").count();
            let keep = (ups + 2).min(parts.len() - 1);
            format!("{}/", parts[..keep].join("/"))
        }
    }
}

/// The tally as text lines, each cut to `width` characters:
/// `  error    security/github-token   3  src/ (2), tests/ (1)`.
pub fn lines(counts: &[RuleCount], width: usize) -> Vec<String> {
    let id_width = counts.iter().map(|c| c.rule.chars().count()).max().unwrap_or(0);
    let n_width = counts
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = vec![format!("guardrail: findings by rule ({})", counts.len())];
    for c in counts {
        let paths: Vec<String> = c
            .top_paths
            .iter()
            .map(|(p, n)| format!("{} ({n})", visible::line(p)))
            .collect();
        let line = format!(
            "  {:<7}  {:<id_width$}  {:>n_width$}  {}",
            c.severity.as_str(),
            visible::line(&c.rule),
            c.count,
            paths.join(", ")
        );
        out.push(cut(line.trim_end(), width));
    }
    out
}

/// `text` cut to `width` characters, ending in `…` when cut.
pub fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Suggestions for the next step, when one fits: exclude vendored or generated code that
/// holds most findings; record a baseline when there are many findings and none is in use.
pub fn hints(report: &Report) -> Vec<String> {
    let findings = &report.findings;
    let mut out = Vec::new();
    let mut vendored: BTreeMap<String, usize> = BTreeMap::new();
    for f in findings {
        if let Some(dir) = vendored_dir(&f.path) {
            *vendored.entry(dir).or_insert(0) += 1;
        }
    }
    let in_vendored: usize = vendored.values().sum();
    if in_vendored >= 10 && in_vendored * 2 >= findings.len() {
        let mut dirs: Vec<(String, usize)> = vendored.into_iter().collect();
        dirs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        dirs.truncate(2);
        let globs: Vec<String> = dirs.iter().map(|(d, _)| format!("\"{d}**\"")).collect();
        out.push(format!(
            "hint: {in_vendored} of {} findings are in vendored or generated code; to leave it out, add `exclude = [{}]` to guardrail.toml (or list it in .guardrailignore)",
            findings.len(),
            visible::line(&globs.join(", "))
        ));
    } else if findings.len() >= BASELINE_HINT_AT && report.summary.suppressed_baseline == 0 {
        out.push(format!(
            "hint: to accept these {} findings and fail only on new ones, record a baseline: `guardrail check --write-baseline`, then commit the file it writes",
            findings.len()
        ));
    }
    out
}

/// The path up to and including its first vendored or generated directory (`vendor/`), if any.
fn vendored_dir(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    let at = dirs.iter().position(|p| VENDORED.contains(p))?;
    Some(format!("{}/", parts[..=at].join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_two_levels_of_directory() {
        assert_eq!(area("Cargo.toml"), "Cargo.toml");
        assert_eq!(area("src/lib.rs"), "src/");
        assert_eq!(area("vendor/serde/src/de.rs"), "vendor/serde/");
        assert_eq!(area("vendor/serde/build.rs"), "vendor/serde/");
        assert_eq!(area("../up/src/x.rs"), "../up/src/");
    }

    #[test]
    fn vendored_directories_are_found_at_any_depth() {
        assert_eq!(vendored_dir("vendor/a/b.rs").as_deref(), Some("vendor/"));
        assert_eq!(
            vendored_dir("web/node_modules/x/y.js").as_deref(),
            Some("web/node_modules/")
        );
        assert_eq!(vendored_dir("src/vendor.rs"), None);
    }

    #[test]
    fn cut_marks_what_it_drops() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
    }
}
