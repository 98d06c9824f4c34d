//! Runs the plan's matchers over one file: path rules first, then the read, the keyword
//! prefilter and the candidate matchers, giving raw findings and the file's suppression
//! comments. [`crate::engine`] drives it, in parallel, and applies everything after.
//!
//! A file that cannot be read is counted, never fatal; a panic inside one rule's matching is
//! caught, named (file and rule), and turns the run's exit code to 2 instead of killing the scan.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::AtomicUsize;

use crate::context::{self, Context};
use crate::finding::{Finding, FindingBuilder, Hit};
use crate::matchers::{FileCache, FileContext};
use crate::plan::Plan;
use crate::policy::Severity;
use crate::source::{self, Entry, FileSet, SkipReason};
use crate::suppress::inline::{self, Directive};

/// Live counters a CLI can render as a progress line.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files finished.
    pub files: AtomicUsize,
    /// Findings so far (before suppression).
    pub findings: AtomicUsize,
}

/// Lines longer than this are not matched by text rules (minified bundles, data blobs).
pub const DEFAULT_MAX_LINE_LENGTH: usize = 1024 * 1024;

/// Per-run knobs for the scan stage.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Files larger than this are not read.
    pub max_file_size: u64,
    /// Lines longer than this are blanked before matching (byte offsets are kept).
    pub max_line_length: usize,
    /// Deepest nesting a structured document may have.
    pub max_parse_depth: usize,
    /// Time one file's structured parsing may take (`None`: unbounded).
    pub parse_time_budget: Option<std::time::Duration>,
    /// What this run's files share (lockfiles, dependency graphs); a fresh one per run.
    pub run: std::sync::Arc<crate::matchers::RunContext>,
    /// Globs the config adds per file context.
    pub contexts: std::sync::Arc<crate::context::ContextGlobs>,
    /// How far encoded segments are decoded per file.
    pub decode: crate::decode::DecodeLimits,
    /// How far archives are opened.
    pub archives: crate::source::archive::ArchiveLimits,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            max_file_size: source::DEFAULT_MAX_FILE_SIZE,
            max_line_length: DEFAULT_MAX_LINE_LENGTH,
            max_parse_depth: crate::matchers::limits::DEFAULT_MAX_DEPTH,
            parse_time_budget: Some(crate::matchers::limits::DEFAULT_PARSE_BUDGET),
            run: std::sync::Arc::default(),
            contexts: std::sync::Arc::default(),
            decode: crate::decode::DecodeLimits::default(),
            archives: crate::source::archive::ArchiveLimits::default(),
        }
    }
}

/// What one file produced.
#[derive(Debug, Default)]
pub struct FileScan {
    /// Display path.
    pub path: String,
    /// Identity path (relative to the repository root): what fingerprints hash.
    pub rel: String,
    /// Raw findings, before suppression, at the severity their rule has in the file's context.
    pub findings: Vec<Finding>,
    /// Where the file sits.
    pub context: Context,
    /// `guardrail:ignore` comments in the file.
    pub directives: Vec<Directive>,
}

/// Counters for the summary.
#[derive(Debug, Default, Clone)]
pub struct ScanStats {
    /// Files whose content was scanned.
    pub files_scanned: usize,
    /// Files not read, by reason.
    pub skipped: BTreeMap<SkipReason, usize>,
    /// Files not read: display path and reason, in entry order.
    pub skipped_files: Vec<(String, SkipReason)>,
    /// Files decoded lossily (invalid UTF-8).
    pub lossy: usize,
    /// Files a structural matcher could not parse (text rules still ran).
    pub unparsed: usize,
    /// Files where a resource bound was hit, by bound name (`long_line`, `parse_depth`, ...).
    pub bounds: BTreeMap<String, usize>,
    /// Panics caught while matching, as "path: rule: message".
    pub internal_errors: Vec<String>,
}

/// How one file went.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Why the file was not read, if it was not.
    pub skipped: Option<SkipReason>,
    /// Decoded lossily (invalid UTF-8).
    pub lossy: bool,
    /// A structural matcher could not parse it.
    pub unparsed: bool,
    /// Resource bounds hit, by name.
    pub bounds: Vec<String>,
    /// Panics caught while matching, as "path: rule: message".
    pub panics: Vec<String>,
    /// Archive members scanned (each counts as a scanned file).
    pub members: usize,
    /// Archive members not read: display path and reason.
    pub member_skips: Vec<(String, SkipReason)>,
}

impl ScanStats {
    /// Adds one file's outcome; `path` is its display path.
    pub fn add(&mut self, path: &str, outcome: Outcome) {
        match outcome.skipped {
            Some(reason) => {
                *self.skipped.entry(reason).or_default() += 1;
                self.skipped_files.push((path.to_string(), reason));
            }
            None => self.files_scanned += 1,
        }
        self.files_scanned += outcome.members;
        for (path, reason) in outcome.member_skips {
            *self.skipped.entry(reason).or_default() += 1;
            self.skipped_files.push((path, reason));
        }
        self.lossy += usize::from(outcome.lossy);
        self.unparsed += usize::from(outcome.unparsed);
        for bound in outcome.bounds {
            *self.bounds.entry(bound).or_default() += 1;
        }
        self.internal_errors.extend(outcome.panics);
    }
}

/// Which of the plan's rules run on a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// Every rule in scope.
    All,
    /// One rule (an example of `guardrail test`).
    Rule(usize),
    /// Only rules that need no content: path rules, for another name a git blob had.
    PathOnly,
}

/// Runs the selected rules of the plan over one file: its raw findings (in matcher order, not
/// yet sorted or fingerprinted) and its suppression comments.
pub fn file(
    plan: &Plan,
    entry: &Entry,
    files: &FileSet,
    opts: &ScanOptions,
    select: Select,
    keywords: Option<&[bool]>,
) -> (FileScan, Outcome) {
    let mut outcome = Outcome::default();
    crate::matchers::limits::start_file(opts.max_parse_depth, opts.parse_time_budget);
    let needs_content = match select {
        Select::Rule(i) => plan.matcher(i).needs_content() && plan.in_scope(i, &entry.rel),
        Select::All => plan.any_content_rule(&entry.rel),
        Select::PathOnly => false,
    };
    let text = if needs_content {
        read_text(entry, opts, &mut outcome)
    } else {
        None
    };
    let cache = FileCache::default();
    let cx = FileContext {
        run: &opts.run,
        entry,
        text: text.as_deref(),
        files,
        cache: &cache,
    };
    let mut scan = FileScan {
        path: entry.display.clone(),
        rel: entry.rel.clone(),
        ..FileScan::default()
    };
    scan.context = context::classify(&entry.rel, cx.text, &opts.contexts);
    let mut builder = FindingBuilder::new(&entry.display, cx.text);
    let candidates = match keywords {
        Some(known) => plan.candidates_given(&entry.rel, cx.text, Some(known)),
        None => plan.candidates_in(&entry.rel, cx.text, scan.context),
    };
    let mut runnable = Vec::new();
    for i in candidates {
        let selected = match select {
            Select::Rule(only) => only == i,
            Select::All | Select::PathOnly => true,
        };
        if !selected || (plan.matcher(i).needs_content() && cx.text.is_none()) {
            continue;
        }
        // Off in this file's context: not run.
        if let Some(severity) = plan.rules[i].severity_in(scan.context) {
            runnable.push((i, severity));
        }
    }
    for &(i, _) in &runnable {
        plan.matcher(i).prepare(&cx);
    }
    for (i, severity) in runnable {
        let rule = &plan.rules[i];
        match run_rule(plan, i, &cx) {
            Ok(hits) => scan.findings.extend(hits.iter().map(|h| {
                let mut f = builder.build(rule, h);
                f.severity = severity;
                f.context = scan.context;
                f
            })),
            Err(msg) => outcome
                .panics
                .push(format!("{}: {}: {msg}", entry.display, plan.rules[i].id)),
        }
    }
    if cx.text.is_some() && select != Select::PathOnly {
        decoded_findings(plan, &cx, select, opts, &mut builder, &mut scan, &mut outcome);
    }
    for note in cache.notes.borrow().iter() {
        let hit = Hit::span(note.span.clone());
        let mut f = builder.build_meta(note.rule, Severity::Note, &note.message, &hit);
        f.context = scan.context;
        scan.findings.push(f);
    }
    if let Some(text) = cx.text {
        scan.directives = inline::parse(text);
    }
    outcome.unparsed = cache.unparsed.get();
    outcome.bounds.extend(cache.bounds.borrow().iter().cloned());
    (scan, outcome)
}

/// Adds the findings of the decodable rules in the file's encoded segments ([`crate::decode`])
/// to `scan`, and their bounds and panics to `outcome`. A secret already reported in the plain
/// text is not reported again from its encoded copy.
fn decoded_findings(
    plan: &Plan,
    cx: &FileContext<'_>,
    select: Select,
    opts: &ScanOptions,
    builder: &mut FindingBuilder<'_>,
    scan: &mut FileScan,
    outcome: &mut Outcome,
) {
    let context = scan.context;
    let selected = |i: usize| {
        plan.rules[i].severity_in(context).is_some()
            && match select {
                Select::Rule(only) => only == i,
                Select::All => true,
                Select::PathOnly => false,
            }
    };
    let decoded = crate::decode::rescan::decoded(plan, cx, selected, &opts.decode);
    let plain: std::collections::HashSet<(String, String)> = scan
        .findings
        .iter()
        .map(|f| (f.rule.clone(), f.content_hash.clone()))
        .collect();
    let first_new = scan.findings.len();
    for (i, hit) in &decoded.hits {
        let rule = &plan.rules[*i];
        let mut f = builder.build(rule, hit);
        let repeated = plain.contains(&(f.rule.clone(), f.content_hash.clone()))
            || scan.findings[first_new..]
                .iter()
                .any(|g| g.rule == f.rule && g.content_hash == f.content_hash && g.location == f.location);
        if !repeated {
            f.severity = rule.severity_in(context).unwrap_or(rule.severity);
            f.context = context;
            scan.findings.push(f);
        }
    }
    outcome
        .bounds
        .extend(decoded.bounds.iter().map(|b| b.to_string()));
    let path = &cx.entry.display;
    outcome
        .panics
        .extend(decoded.panics.iter().map(|p| format!("{path}: {p}")));
}

/// Reads the file and applies the line-length bound; records skips in `outcome`.
fn read_text(entry: &Entry, opts: &ScanOptions, outcome: &mut Outcome) -> Option<String> {
    match source::load(entry, opts.max_file_size) {
        Ok(t) => {
            outcome.lossy = t.lossy;
            let (text, masked) = mask_long_lines(t.text, opts.max_line_length);
            if masked {
                outcome.bounds.push("long_line".to_string());
            }
            Some(text)
        }
        Err(reason) => {
            outcome.skipped = Some(reason);
            None
        }
    }
}

/// Runs one rule's matcher, turning a panic into an error message instead of unwinding.
pub(crate) fn run_rule(plan: &Plan, i: usize, cx: &FileContext<'_>) -> Result<Vec<Hit>, String> {
    let mut hits = Vec::new();
    catch_unwind(AssertUnwindSafe(|| {
        test_hook(cx.entry);
        plan.matcher(i).check(cx, &mut hits);
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string())
    })?;
    Ok(hits)
}

/// Debug builds only: panics on files whose path contains `GUARDRAIL_TEST_PANIC`, so tests can
/// prove a panic is contained. Compiled out of release builds.
fn test_hook(entry: &Entry) {
    #[cfg(debug_assertions)]
    if let Some(needle) = std::env::var_os("GUARDRAIL_TEST_PANIC") {
        if entry.rel.contains(needle.to_string_lossy().as_ref()) {
            panic!("test hook");
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = entry;
}

/// Blanks every line longer than `max` with spaces, keeping byte offsets (and so every other
/// line's position) intact. Returns whether anything was blanked.
pub fn mask_long_lines(text: String, max: usize) -> (String, bool) {
    if text.len() <= max {
        // No line is longer than the whole text: most files end here, without a pass.
        return (text, false);
    }
    let bytes = text.as_bytes();
    let mut long = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        if end - start > max {
            long.push(start..end);
        }
        start = end + 1;
    }
    if long.is_empty() {
        return (text, false);
    }
    let mut out = text.into_bytes();
    for range in long {
        out[range].fill(b' ');
    }
    // Only whole lines were replaced with ASCII, so the bytes are still UTF-8.
    (String::from_utf8_lossy(&out).into_owned(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_blanked_in_place() {
        let (text, masked) = mask_long_lines("ok\nthis line is long\nfine".to_string(), 8);
        assert!(masked);
        assert_eq!(text, "ok\n                 \nfine");
        let (same, masked) = mask_long_lines("short\nlines".to_string(), 8);
        assert!(!masked);
        assert_eq!(same, "short\nlines");
    }
}
