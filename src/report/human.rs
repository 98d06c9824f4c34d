//! `--format human`: one miette diagnostic per finding (severity, rule id, message, the redacted
//! source lines with the match underlined, help), then a one-line summary.

use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{visible, RenderOptions, Report, Summary};
use crate::finding::{Finding, Snippet};
use crate::gate::summary::ConfigSummary;
use crate::policy::Severity;

/// A finding's redacted snippet, presented to miette with its real line numbers and path.
struct SnippetSource<'a> {
    path: &'a str,
    snippet: &'a Snippet,
}

impl SourceCode for SnippetSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.snippet.text.read_span(span, before, after)?;
        // miette counts this column in bytes; the header must agree with the finding's
        // location, which counts characters.
        let text = &self.snippet.text;
        let start = inner.span().offset().min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column = text
            .get(line_start..start)
            .map_or(inner.column(), |s| s.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.path.to_string(),
            inner.data(),
            *inner.span(),
            inner.line() + self.snippet.first_line - 1,
            column,
            inner.line_count(),
        )))
    }
}

/// One finding as a miette diagnostic.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: Option<SnippetSource<'a>>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.finding.location;
        if self.source.is_some() {
            f.write_str(&self.finding.message)
        } else {
            write!(
                f,
                "{}\n  --> {}:{}:{}",
                self.finding.message, self.finding.path, l.line, l.column
            )
        }
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let snippet = self.source.as_ref()?.snippet;
        let label = self.finding.label.clone();
        let len = snippet.span.end - snippet.span.start;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            label,
            snippet.span.start,
            len,
        ))))
    }
}

/// Renders each finding, then the summary line.
pub fn write(report: &Report, opts: RenderOptions, w: &mut dyn Write) -> io::Result<()> {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false);
    for finding in &report.findings {
        let finding = &shown(finding);
        let diagnostic = FindingDiagnostic {
            finding,
            source: finding.snippet.as_ref().map(|snippet| SnippetSource {
                path: &finding.path,
                snippet,
            }),
        };
        let mut out = String::new();
        handler
            .render_report(&mut out, &diagnostic)
            .map_err(|e| io::Error::other(e.to_string()))?;
        w.write_all(out.as_bytes())?;
        if let Some(p) = report.provenance.get(&finding.fingerprint) {
            writeln!(w, "{}", visible::line(&provenance_line(p)))?;
        }
        writeln!(w)?;
    }
    w.write_all(config_lines(&report.config).as_bytes())?;
    writeln!(w, "{}", summary_line(&report.summary))
}

/// The configuration the run used: a headline naming the config and ignore files, then one
/// indented line per change (`!` marks a change that relaxes the gate). Control characters
/// from the config are shown as placeholders.
pub fn config_lines(config: &ConfigSummary) -> String {
    let mut out = format!("guardrail: {}\n", visible::line(&config.headline()));
    for c in &config.changes {
        let mark = if c.relaxes { "!" } else { "-" };
        out.push_str(&format!("  {mark} {}\n", visible::line(&c.describe())));
    }
    out
}

/// `  = commit 1a2b3c4d (2026-01-02, Ann <ann@example.com>): add config; in 3 places`
fn provenance_line(p: &super::Provenance) -> String {
    let c = &p.commit;
    let short: String = c.id.chars().take(12).collect();
    let mut line = format!(
        "  = commit {short} ({}, {} <{}>): {}",
        c.date, c.author, c.email, c.summary
    );
    if p.places.len() > 1 {
        line.push_str(&format!("; committed in {} places", p.places.len()));
    }
    line
}

/// The first few skipped files with their reasons, then how many more.
fn named_skips(files: &[super::SkippedFile]) -> String {
    const SHOWN: usize = 3;
    let mut names: Vec<String> = files
        .iter()
        .take(SHOWN)
        .map(|f| format!("{} ({})", f.path, f.reason))
        .collect();
    if files.len() > SHOWN {
        names.push(format!("and {} more", files.len() - SHOWN));
    }
    names.join(", ")
}

/// The finding with every field a person reads made visible (see [`visible`]).
fn shown(f: &Finding) -> Finding {
    let mut out = f.clone();
    out.path = visible::line(&f.path).into_owned();
    out.message = visible::line(&f.message).into_owned();
    out.help = f.help.as_deref().map(|h| visible::lines(h).into_owned());
    out.label = f.label.as_deref().map(|l| visible::line(l).into_owned());
    out.snippet = f.snippet.as_ref().map(|s| {
        let (text, span) = visible::snippet(&s.text, s.span.clone());
        Snippet {
            first_line: s.first_line,
            text,
            span,
        }
    });
    out
}

/// `guardrail: 2 errors, 1 warning, 0 notes in 120 files (3 skipped: 3 binary); 1 suppressed; 41 ms`
pub fn summary_line(s: &Summary) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "guardrail: {}, {}, {} in {}",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notes, "note"),
        plural(s.files_scanned, "file"),
    );
    if s.files_skipped > 0 {
        let reasons: Vec<String> = s.skipped.iter().map(|(k, v)| format!("{v} {k}")).collect();
        line.push_str(&format!(" ({} skipped: {})", s.files_skipped, reasons.join(", ")));
    }
    if !s.skipped_files.is_empty() {
        line.push_str(&format!("; not scanned: {}", named_skips(&s.skipped_files)));
    }
    if s.lossy_decoded > 0 {
        line.push_str(&format!("; {} not UTF-8, decoded lossily", s.lossy_decoded));
    }
    if s.unparsed > 0 {
        line.push_str(&format!("; {} unparsed", s.unparsed));
    }
    if !s.bounds.is_empty() {
        let hit: Vec<String> = s.bounds.iter().map(|(k, v)| format!("{v} {k}")).collect();
        line.push_str(&format!("; bounds hit: {}", hit.join(", ")));
    }
    let suppressed = s.suppressed_inline + s.suppressed_baseline;
    if suppressed > 0 {
        line.push_str(&format!(
            "; {suppressed} suppressed ({} inline, {} baseline)",
            s.suppressed_inline, s.suppressed_baseline
        ));
    }
    if s.stale_baseline > 0 {
        let entries = if s.stale_baseline == 1 { "entry" } else { "entries" };
        line.push_str(&format!("; {} stale baseline {entries}", s.stale_baseline));
    }
    if !s.internal_errors.is_empty() {
        line.push_str(&format!("; {} internal errors", s.internal_errors.len()));
    }
    if let Some(commits) = s.commits_scanned {
        line.push_str(&format!("; history of {commits} commits scanned"));
    }
    line.push_str(&format!("; {} ms", s.duration_ms));
    visible::line(&line).into_owned()
}
