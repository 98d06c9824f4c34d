//! `--format human`: findings grouped by rule (or by file), each a miette diagnostic (severity,
//! message, the redacted source lines with the match underlined) with the rule's help printed
//! once; at most `--max-per-rule` / `--max-findings` in full. Then the per-rule tally, a hint
//! for the next step, the config lines and the one-line summary. Text wraps at the terminal
//! width between words; snippet lines are cut to it.

use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use std::collections::{BTreeMap, BTreeSet};

use super::{tally, visible, Detail, GroupBy, RenderOptions, Report, Summary};
use crate::finding::{Finding, Snippet};
use crate::gate::summary::ConfigSummary;
use crate::policy::Severity;

/// A finding's redacted snippet, presented to miette with its real line numbers and path.
struct SnippetSource<'a> {
    path: &'a str,
    snippet: &'a Snippet,
    /// 0-based character column of the finding: the header shows it even when the snippet line
    /// was cut to the terminal's width.
    column: usize,
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
            self.column,
            inner.line_count(),
        )))
    }
}

/// One finding as a miette diagnostic.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: Option<SnippetSource<'a>>,
    /// Show the rule id above the message (when the section does not already name the rule).
    code: bool,
    /// Show the rule's help (the first time the rule appears).
    help: bool,
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
        self.code
            .then(|| Box::new(&self.finding.rule) as Box<dyn fmt::Display>)
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
            .filter(|_| self.help)
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

/// Narrowest width wrapped to, whatever the terminal says.
const MIN_WIDTH: usize = 40;

/// Renders the findings (grouped, capped), the per-rule tally, hints, the config lines and the
/// summary line; `--statistics` and `--quiet` leave out the first parts.
pub fn write(report: &Report, opts: RenderOptions, w: &mut dyn Write) -> io::Result<()> {
    let width = opts.width.max(MIN_WIDTH);
    // The config lines and the summary line are never wrapped: scripts and people grep them.
    let summary = summary_line(&report.summary);
    if opts.detail == Detail::Quiet {
        w.write_all(relaxing_config_lines(&report.config).as_bytes())?;
        return writeln!(w, "{summary}");
    }
    if opts.detail == Detail::Full {
        let mut findings = Findings::new(report, opts, width);
        match opts.group_by {
            GroupBy::Rule => findings.by_rule(w)?,
            GroupBy::File => findings.by_file(w)?,
        }
        findings.hidden_note(w)?;
    }
    if !report.findings.is_empty() {
        for line in tally::lines(&tally::by_rule(&report.findings), width) {
            writeln!(w, "{line}")?;
        }
    }
    for hint in tally::hints(report) {
        writeln!(w, "{}", wrap(&hint, width, "      "))?;
    }
    w.write_all(config_lines(&report.config).as_bytes())?;
    writeln!(w, "{summary}")
}

/// `text` wrapped at `width` between words (never inside one), later lines indented.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let opts = textwrap::Options::new(width)
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .subsequent_indent(indent);
    textwrap::fill(text, opts)
}

/// The findings section of human output: renders findings in full up to the caps and counts
/// the ones it leaves out.
struct Findings<'a> {
    report: &'a Report,
    opts: RenderOptions,
    width: usize,
    handler: GraphicalReportHandler,
    shown: usize,
    shown_per_rule: BTreeMap<&'a str, usize>,
    hidden_per_rule: BTreeMap<&'a str, usize>,
    helped: BTreeSet<&'a str>,
}

impl<'a> Findings<'a> {
    fn new(report: &'a Report, opts: RenderOptions, width: usize) -> Self {
        let theme = if opts.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(width)
            .with_break_words(false)
            .with_word_separator(textwrap::WordSeparator::AsciiSpace)
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
            .with_links(false);
        Self {
            report,
            opts,
            width,
            handler,
            shown: 0,
            shown_per_rule: BTreeMap::new(),
            hidden_per_rule: BTreeMap::new(),
            helped: BTreeSet::new(),
        }
    }

    /// Whether `f` is shown in full, counting it either way.
    fn admit(&mut self, f: &'a Finding) -> bool {
        let of_rule = self.shown_per_rule.entry(&f.rule).or_insert(0);
        let fits = self.opts.max_findings.is_none_or(|max| self.shown < max)
            && self.opts.max_per_rule.is_none_or(|max| *of_rule < max);
        if fits {
            *of_rule += 1;
            self.shown += 1;
        } else {
            *self.hidden_per_rule.entry(&f.rule).or_insert(0) += 1;
        }
        fits
    }

    /// One section per rule, most severe and most frequent first; the rule's help once, under
    /// its heading.
    fn by_rule(&mut self, w: &mut dyn Write) -> io::Result<()> {
        let mut groups: BTreeMap<&'a str, Vec<&'a Finding>> = BTreeMap::new();
        for f in &self.report.findings {
            groups.entry(&f.rule).or_default().push(f);
        }
        for count in tally::by_rule(&self.report.findings) {
            let Some(members) = groups.get(count.rule.as_str()) else {
                continue;
            };
            let admitted: Vec<&'a Finding> = members.iter().copied().filter(|f| self.admit(f)).collect();
            if admitted.is_empty() {
                continue;
            }
            self.rule_heading(w, &count, members[0])?;
            for f in &admitted {
                self.render(w, f, false, false)?;
            }
            let hidden = members.len() - admitted.len();
            if hidden > 0 {
                let line = format!(
                    "  … {hidden} more {} not shown ({})",
                    if hidden == 1 { "finding" } else { "findings" },
                    self.raise_hint()
                );
                writeln!(w, "{}\n", wrap(&visible::line(&line), self.width, "    "))?;
            }
        }
        Ok(())
    }

    /// `security/github-token: 3 errors` and the rule's help, wrapped.
    fn rule_heading(
        &mut self,
        w: &mut dyn Write,
        count: &tally::RuleCount,
        first: &Finding,
    ) -> io::Result<()> {
        let heading = format!(
            "{}: {}",
            visible::line(&count.rule),
            plural(count.count, count.severity.as_str())
        );
        writeln!(w, "{}", tally::cut(&heading, self.width))?;
        writeln!(w, "{}", "─".repeat(heading.chars().count().min(self.width)))?;
        if let Some(help) = &first.help {
            let help = format!("help: {}", visible::line(help));
            writeln!(w, "{}", wrap(&help, self.width, "      "))?;
        }
        writeln!(w)
    }

    /// One section per file, in path order; each rule's help the first time it appears.
    fn by_file(&mut self, w: &mut dyn Write) -> io::Result<()> {
        let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &self.report.findings {
            *per_file.entry(&f.path).or_insert(0) += 1;
        }
        let mut current: Option<&str> = None;
        for f in &self.report.findings {
            if !self.admit(f) {
                continue;
            }
            if current != Some(f.path.as_str()) {
                current = Some(f.path.as_str());
                let n = per_file.get(f.path.as_str()).copied().unwrap_or(0);
                let heading = format!("{}: {}", visible::line(&f.path), plural(n, "finding"));
                writeln!(w, "{}", tally::cut(&heading, self.width))?;
                writeln!(w, "{}\n", "─".repeat(heading.chars().count().min(self.width)))?;
            }
            let help = self.helped.insert(&f.rule);
            self.render(w, f, true, help)?;
        }
        Ok(())
    }

    fn render(&self, w: &mut dyn Write, finding: &Finding, code: bool, help: bool) -> io::Result<()> {
        let gutter = finding.snippet.as_ref().map_or(1, |s| {
            (s.first_line + s.text.matches('\n').count()).to_string().len()
        });
        let mut finding = shown(finding, self.width.saturating_sub(gutter + 6));
        wrap_label(&mut finding, self.width, gutter);
        let finding = &finding;
        let diagnostic = FindingDiagnostic {
            finding,
            source: finding.snippet.as_ref().map(|snippet| SnippetSource {
                path: &finding.path,
                snippet,
                column: finding.location.column.saturating_sub(1),
            }),
            code,
            help,
        };
        let mut out = String::new();
        self.handler
            .render_report(&mut out, &diagnostic)
            .map_err(|e| io::Error::other(e.to_string()))?;
        w.write_all(out.as_bytes())?;
        if let Some(p) = self.report.provenance.get(&finding.fingerprint) {
            let line = visible::line(&provenance_line(p)).into_owned();
            writeln!(w, "{}", wrap(&line, self.width, "    "))?;
        }
        writeln!(w)
    }

    /// How to see what a cap left out.
    fn raise_hint(&self) -> &'static str {
        match (self.opts.max_findings, self.opts.max_per_rule) {
            (Some(_), Some(_)) => "raise --max-findings or --max-per-rule; 0 shows all",
            (Some(_), None) => "raise --max-findings; 0 shows all",
            _ => "--max-per-rule 0 shows all",
        }
    }

    /// After the findings: how many the caps left out, if any.
    fn hidden_note(&self, w: &mut dyn Write) -> io::Result<()> {
        let hidden: usize = self.hidden_per_rule.values().sum();
        if hidden == 0 {
            return Ok(());
        }
        let line = format!(
            "guardrail: {hidden} more {} not shown ({}); every finding is counted below",
            if hidden == 1 { "finding" } else { "findings" },
            self.raise_hint()
        );
        writeln!(w, "{}\n", wrap(&line, self.width, "  "))
    }
}

/// Wraps the label under the underline to what is left of the line after miette's gutter and
/// the `╰──` that starts at the middle of the underline (miette writes each line of a
/// multi-line label aligned under the first).
fn wrap_label(finding: &mut Finding, width: usize, gutter: usize) {
    let (Some(label), Some(snippet)) = (&finding.label, &finding.snippet) else {
        return;
    };
    let text = &snippet.text;
    let start = snippet.span.start.min(text.len());
    let end = snippet.span.end.clamp(start, text.len());
    let before = text.get(..start).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or("").chars().count();
    let marked = text.get(start..end).unwrap_or("");
    let half = marked.split('\n').next().unwrap_or("").chars().count() / 2;
    let used = gutter + 3 + column + half + 5;
    let room = width.saturating_sub(used).max(24);
    if label.chars().count() > room {
        let opts = textwrap::Options::new(room)
            .break_words(false)
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        finding.label = Some(textwrap::wrap(label, opts).join("\n"));
    }
}

/// `1 error`, `3 errors`.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// For `--quiet`: the config lines only when a change relaxes the gate (those are never
/// hidden), as the headline and the relaxing changes.
fn relaxing_config_lines(config: &ConfigSummary) -> String {
    if !config.changes.iter().any(|c| c.relaxes) {
        return String::new();
    }
    let mut out = format!("guardrail: {}\n", visible::line(&config.headline()));
    for c in config.changes.iter().filter(|c| c.relaxes) {
        out.push_str(&format!("  ! {}\n", visible::line(&c.describe())));
    }
    out
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

/// The finding with every field a person reads made visible (see [`visible`]), its snippet
/// lines cut to `max_chars` characters.
fn shown(f: &Finding, max_chars: usize) -> Finding {
    let mut out = f.clone();
    out.path = visible::line(&f.path).into_owned();
    out.message = visible::line(&f.message).into_owned();
    out.help = f.help.as_deref().map(|h| visible::lines(h).into_owned());
    out.label = f.label.as_deref().map(|l| visible::line(l).into_owned());
    out.snippet = f.snippet.as_ref().map(|s| {
        let (text, span) = visible::snippet_within(&s.text, s.span.clone(), max_chars);
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
    if s.contexts.keys().any(|c| c != "source") {
        let by: Vec<String> = s.contexts.iter().map(|(k, v)| format!("{v} {k}")).collect();
        line.push_str(&format!("; by file context: {}", by.join(", ")));
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
