//! `--format human`: one miette diagnostic per finding (severity, rule id, message, the redacted
//! source lines with the match underlined, help), then a one-line summary.

use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{RenderOptions, Report, Summary};
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
        Ok(Box::new(MietteSpanContents::new_named(
            self.path.to_string(),
            inner.data(),
            *inner.span(),
            inner.line() + self.snippet.first_line - 1,
            inner.column(),
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
        writeln!(w)?;
    }
    w.write_all(config_lines(&report.config).as_bytes())?;
    writeln!(w, "{}", summary_line(&report.summary))
}

/// The configuration the run used: a headline naming the config and ignore files, then one
/// indented line per change (`!` marks a change that relaxes the gate). Control characters
/// from the config are shown as placeholders.
pub fn config_lines(config: &ConfigSummary) -> String {
    let clean = |s: &str| s.chars().map(crate::error::visible).collect::<String>();
    let mut out = format!(
        "guardrail: {}
",
        clean(&config.headline())
    );
    for c in &config.changes {
        let mark = if c.relaxes { "!" } else { "-" };
        out.push_str(&format!(
            "  {mark} {}
",
            clean(&c.describe())
        ));
    }
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
    line.push_str(&format!("; {} ms", s.duration_ms));
    line
}
