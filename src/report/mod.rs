//! One file per output format; `Format` is the only place they are registered. A reporter sees
//! a sorted, already-redacted [`Report`] and writes bytes; it decides nothing about exit codes.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod tally;
pub mod visible;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::finding::Finding;
pub use crate::paths::RepoPaths;
use crate::policy::{Category, Rule, Severity};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Rustc-style diagnostics with source snippets (miette), then a summary line.
    Human,
    /// The JSON v1 contract (see README).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`): pull-request annotations.
    Github,
}

/// Rule metadata, for formats that describe the rules they report (SARIF).
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// Full id.
    pub id: String,
    /// Category.
    pub category: Category,
    /// Effective severity.
    pub severity: Severity,
    /// One line.
    pub message: String,
    /// Why it matters.
    pub description: Option<String>,
    /// How to fix.
    pub help: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Links; the first is the help URI.
    pub references: Vec<String>,
}

impl From<&Rule> for RuleInfo {
    fn from(r: &Rule) -> Self {
        Self {
            id: r.id.clone(),
            category: r.category,
            severity: r.severity,
            message: r.message.clone(),
            description: r.description.clone(),
            help: r.help.clone(),
            tags: r.tags.clone(),
            references: r.references.clone(),
        }
    }
}

impl From<&crate::meta::MetaRule> for RuleInfo {
    fn from(m: &crate::meta::MetaRule) -> Self {
        Self {
            id: m.id.to_string(),
            category: Category::Security,
            severity: m.severity,
            message: m.message.to_string(),
            description: Some(m.description.to_string()),
            help: Some(m.help.to_string()),
            tags: vec!["guardrail".to_string()],
            references: Vec::new(),
        }
    }
}

/// Counters shown after the findings.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Files whose content was scanned.
    pub files_scanned: usize,
    /// Files not scanned (sum of `skipped`).
    pub files_skipped: usize,
    /// Skipped files by reason (`binary`, `too_large`, `unreadable`, `symlink`, ...).
    pub skipped: BTreeMap<String, usize>,
    /// The files the scan stage skipped, by display path, with the reason: a skip is never
    /// anonymous, so a file cannot hide by looking binary or growing large.
    pub skipped_files: Vec<SkippedFile>,
    /// Files decoded lossily because they were not valid UTF-8.
    pub lossy_decoded: usize,
    /// Files a structural matcher could not parse (text rules still ran on them).
    pub unparsed: usize,
    /// Files where a resource bound was hit, by bound (`long_line`, `parse_depth`, ...).
    pub bounds: BTreeMap<String, usize>,
    /// Reported findings by severity.
    pub errors: usize,
    /// See `errors`.
    pub warnings: usize,
    /// See `errors`.
    pub notes: usize,
    /// Findings silenced by inline comments.
    pub suppressed_inline: usize,
    /// Findings silenced by the baseline.
    pub suppressed_baseline: usize,
    /// Baseline entries that matched no finding (each is also reported as a finding).
    pub stale_baseline: usize,
    /// Panics caught while matching ("path: message"); any makes the exit code 2.
    pub internal_errors: Vec<String>,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// Commits walked (`guardrail history` only).
    pub commits_scanned: Option<usize>,
    /// Reported findings per file context (`source`, `test`, `docs`, ...).
    pub contexts: BTreeMap<String, usize>,
}

/// One file that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedFile {
    /// Display path.
    pub path: String,
    /// `binary`, `too_large`, `unreadable`, ...
    pub reason: &'static str,
}

impl Summary {
    /// Counts one reported finding under its severity.
    pub fn count(&mut self, f: &Finding) {
        match f.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Note => self.notes += 1,
        }
    }

    /// Reported findings.
    pub fn findings(&self) -> usize {
        self.errors + self.warnings + self.notes
    }
}

/// Everything a reporter needs.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Reported findings, sorted by path, line, column, rule.
    pub findings: Vec<Finding>,
    /// Silenced findings with their suppression, same order.
    pub suppressed: Vec<Finding>,
    /// Every rule that ran.
    pub rules: Vec<RuleInfo>,
    /// Counters.
    pub summary: Summary,
    /// Where the working directory sits in its repository.
    pub repo: RepoPaths,
    /// The configuration the run used and what it changed.
    pub config: crate::gate::summary::ConfigSummary,
    /// For findings from git history, by fingerprint: the commit that introduced the content
    /// and every place it appears.
    pub provenance: BTreeMap<String, Provenance>,
    /// The repository and commit described (set for JSON output, which carries them).
    pub repository: Option<crate::repository::RepositoryInfo>,
}

/// Where a finding from history came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The earliest commit that added the matched content at the finding's path.
    pub commit: crate::source::history::Commit,
    /// Every (commit id, path) that added it, oldest first.
    pub places: Vec<(String, String)>,
}

/// How to render human output.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// ANSI colours.
    pub color: bool,
    /// Terminal width for wrapping and cutting snippet lines.
    pub width: usize,
    /// How findings are grouped.
    pub group_by: GroupBy,
    /// How much is shown.
    pub detail: Detail,
    /// Show at most this many findings in full (`--max-findings`); the rest are counted.
    pub max_findings: Option<usize>,
    /// Show at most this many findings of each rule in full (`--max-per-rule`).
    pub max_per_rule: Option<usize>,
}

/// How human output groups findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum GroupBy {
    /// One section per rule, its help printed once (most severe rules first).
    #[default]
    Rule,
    /// One section per file, in path order.
    File,
}

/// How much human output shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Findings, the per-rule tally, hints and the summary line.
    #[default]
    Full,
    /// The per-rule tally, hints and the summary line (`--statistics`).
    Statistics,
    /// The summary line only (`--quiet`), plus any config change that relaxes the gate.
    Quiet,
}

/// Findings of one rule shown in full by default; the tally counts the rest.
pub const DEFAULT_MAX_PER_RULE: usize = 10;

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            color: false,
            width: 100,
            group_by: GroupBy::Rule,
            detail: Detail::Full,
            max_findings: None,
            max_per_rule: Some(DEFAULT_MAX_PER_RULE),
        }
    }
}

impl Report {
    /// Puts the findings in their final order and counts them: the one place a report is
    /// sorted and tallied, whichever entry point built it.
    pub fn tally(&mut self) {
        sort(&mut self.findings);
        sort(&mut self.suppressed);
        let s = &mut self.summary;
        (s.errors, s.warnings, s.notes) = (0, 0, 0);
        for f in &self.findings {
            s.count(f);
        }
        let by = |how: fn(&crate::finding::Suppression) -> bool| {
            self.suppressed
                .iter()
                .filter(|f| f.suppressed.as_ref().is_some_and(how))
                .count()
        };
        s.suppressed_inline = by(|x| matches!(x, crate::finding::Suppression::Inline { .. }));
        s.suppressed_baseline = by(|x| matches!(x, crate::finding::Suppression::Baseline));
        s.stale_baseline = self
            .findings
            .iter()
            .filter(|f| f.rule == crate::meta::STALE_BASELINE)
            .count();
        s.files_skipped = s.skipped.values().sum();
        s.contexts.clear();
        for f in &self.findings {
            *s.contexts.entry(f.context.as_str().to_string()).or_default() += 1;
        }
    }
}

/// The matcher's specifics of a finding (the crate, version and advisories; the key; the
/// construct found), beyond the rule's message: what human output writes under the underline.
pub fn detail(f: &Finding) -> Option<&str> {
    f.label
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty() && *d != f.message)
}

/// The finding's message followed by its detail (`message: detail`), for formats with one
/// message field.
pub fn message_with_detail(f: &Finding) -> String {
    match detail(f) {
        Some(d) => format!("{}: {d}", f.message),
        None => f.message.clone(),
    }
}

/// Sorts findings the way every format lists them: path, line, column, rule.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (&a.path, a.location, &a.rule).cmp(&(&b.path, b.location, &b.rule)));
}

/// Writes `report` in `format`.
pub fn write(report: &Report, format: Format, opts: RenderOptions, w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::write(report, opts, w),
        Format::Json => json::write(report, w),
        Format::Sarif => sarif::write(report, w),
        Format::Github => github::write(report, w),
    }
}
