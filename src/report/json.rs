//! `--format json`: the version 1 contract. Field names and order are part of it; new data goes
//! into new fields, never renamed ones.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Report;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    summary: JsonSummary<'a>,
    config: JsonConfig<'a>,
    /// The repository and commit scanned, and the shard; added to v1 (what `guardrail report`
    /// merges by).
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<&'a crate::repository::RepositoryInfo>,
    /// Findings silenced by a comment or the baseline, each with its suppression: the accepted
    /// debt; added to v1.
    suppressed_findings: Vec<JsonSuppressed<'a>>,
}

/// A silenced finding: the finding's fields and how it was silenced.
#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    suppression: JsonSuppression<'a>,
}

/// How a finding was silenced.
#[derive(Serialize)]
struct JsonSuppression<'a> {
    /// `inline` (a `guardrail:ignore` comment) or `baseline`.
    kind: &'static str,
    /// The comment's reason (text after `--`).
    reason: Option<&'a str>,
    /// The comment's line (inline only).
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

/// What configuration the run used (added to v1; see docs/outputs.md).
#[derive(Serialize)]
struct JsonConfig<'a> {
    file: Option<&'a str>,
    origin: &'static str,
    ignore_files: &'a [String],
    changes: Vec<JsonChange<'a>>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    key: &'a str,
    value: &'a str,
    effect: &'a str,
    relaxes: bool,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    category: &'a str,
    severity: &'a str,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    fingerprint: &'a str,
    /// How to fix it (the rule's help); added to v1.
    help: Option<&'a str>,
    /// The matcher's specifics (crate, version, advisories; key; construct); added to v1.
    detail: Option<&'a str>,
    /// The source lines, secrets masked; added to v1.
    snippet: Option<JsonSnippet<'a>>,
    /// The file context (source, test, docs, generated, vendored, build); added to v1.
    context: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a crate::source::history::Commit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    occurrences: Option<Vec<Occurrence<'a>>>,
}

/// A finding's source lines, redacted.
#[derive(Serialize)]
struct JsonSnippet<'a> {
    /// Line number of the first line of `text`.
    line: usize,
    /// Whole lines, secrets masked.
    text: &'a str,
}

/// One place a history finding's content was committed.
#[derive(Serialize)]
struct Occurrence<'a> {
    commit: &'a str,
    path: &'a str,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files_scanned: usize,
    files_skipped: usize,
    findings: usize,
    duration_ms: u64,
    errors: usize,
    warnings: usize,
    notes: usize,
    suppressed: Suppressed,
    stale_baseline: usize,
    skipped: &'a BTreeMap<String, usize>,
    skipped_files: &'a [super::SkippedFile],
    lossy_decoded: usize,
    unparsed: usize,
    bounds: &'a BTreeMap<String, usize>,
    internal_errors: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    commits_scanned: Option<usize>,
    /// Reported findings per file context; added to v1.
    contexts: &'a BTreeMap<String, usize>,
}

#[derive(Serialize)]
struct Suppressed {
    inline: usize,
    baseline: usize,
}

/// Writes the report as pretty-printed JSON v1.
pub fn write(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let doc = JsonReport {
        version: 1,
        tool: Tool {
            name: "guardrail",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: report.findings.iter().map(|f| finding(report, f)).collect(),
        summary: JsonSummary {
            files_scanned: s.files_scanned,
            files_skipped: s.files_skipped,
            findings: s.findings(),
            duration_ms: s.duration_ms,
            errors: s.errors,
            warnings: s.warnings,
            notes: s.notes,
            suppressed: Suppressed {
                inline: s.suppressed_inline,
                baseline: s.suppressed_baseline,
            },
            stale_baseline: s.stale_baseline,
            skipped: &s.skipped,
            skipped_files: &s.skipped_files,
            lossy_decoded: s.lossy_decoded,
            unparsed: s.unparsed,
            bounds: &s.bounds,
            internal_errors: &s.internal_errors,
            commits_scanned: s.commits_scanned,
            contexts: &s.contexts,
        },
        config: JsonConfig {
            file: report.config.file.as_deref(),
            origin: report.config.origin.as_str(),
            ignore_files: &report.config.ignore_files,
            changes: report
                .config
                .changes
                .iter()
                .map(|c| JsonChange {
                    key: &c.key,
                    value: &c.value,
                    effect: &c.effect,
                    relaxes: c.relaxes,
                })
                .collect(),
        },
        repository: report.repository.as_ref(),
        suppressed_findings: report.suppressed.iter().map(|f| suppressed(report, f)).collect(),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

fn finding<'a>(report: &'a Report, f: &'a crate::finding::Finding) -> JsonFinding<'a> {
    JsonFinding {
        rule: &f.rule,
        category: f.category.as_str(),
        severity: f.severity.as_str(),
        message: &f.message,
        path: &f.path,
        line: f.location.line,
        column: f.location.column,
        end_line: f.location.end_line,
        end_column: f.location.end_column,
        fingerprint: &f.fingerprint,
        help: f.help.as_deref(),
        detail: super::detail(f),
        snippet: f.snippet.as_ref().map(|s| JsonSnippet {
            line: s.first_line,
            text: &s.text,
        }),
        context: f.context.as_str(),
        commit: report.provenance.get(&f.fingerprint).map(|p| &p.commit),
        occurrences: report.provenance.get(&f.fingerprint).map(|p| {
            p.places
                .iter()
                .map(|(commit, path)| Occurrence { commit, path })
                .collect()
        }),
    }
}

fn suppressed<'a>(report: &'a Report, f: &'a crate::finding::Finding) -> JsonSuppressed<'a> {
    use crate::finding::Suppression;
    let suppression = match &f.suppressed {
        Some(Suppression::Inline { reason, line }) => JsonSuppression {
            kind: "inline",
            reason: reason.as_deref(),
            line: Some(*line),
        },
        Some(Suppression::Baseline) | None => JsonSuppression {
            kind: "baseline",
            reason: None,
            line: None,
        },
    };
    JsonSuppressed {
        finding: finding(report, f),
        suppression,
    }
}
