//! Runs the plan over files in parallel: path rules first, then the read, the keyword
//! prefilter and the candidate matchers. The only module that knows about threads.
//!
//! A file that cannot be read is counted, never fatal; a panic inside one file's matching is
//! caught, named, and turns the run's exit code to 2 instead of killing the scan.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

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

/// Per-run knobs for the scan stage.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Files larger than this are not read.
    pub max_file_size: u64,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            max_file_size: source::DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// What one file produced.
#[derive(Debug, Default)]
pub struct FileScan {
    /// Display path.
    pub path: String,
    /// Raw findings, before suppression.
    pub findings: Vec<Finding>,
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
    /// Files decoded lossily (invalid UTF-8).
    pub lossy: usize,
    /// Files a structural matcher could not parse (text rules still ran).
    pub unparsed: usize,
    /// Panics caught while matching, as "path: message".
    pub internal_errors: Vec<String>,
}

/// Output of the scan stage.
#[derive(Debug, Default)]
pub struct ScanOutput {
    /// Per-file results, in entry order.
    pub files: Vec<FileScan>,
    /// Counters.
    pub stats: ScanStats,
}

enum Outcome {
    Scanned { lossy: bool, unparsed: bool },
    Skipped(SkipReason),
    Panicked(String),
}

/// Scans every entry with every applicable rule of the plan.
pub fn scan(
    plan: &Plan,
    entries: &[Entry],
    files: &FileSet,
    opts: &ScanOptions,
    progress: Option<&Progress>,
) -> ScanOutput {
    let results: Vec<(FileScan, Outcome)> = entries
        .par_iter()
        .map(|entry| {
            let result = catch_unwind(AssertUnwindSafe(|| scan_file(plan, entry, files, opts, None)));
            let out = match result {
                Ok(r) => r,
                Err(panic) => {
                    let msg = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "panic".to_string());
                    (
                        FileScan::default(),
                        Outcome::Panicked(format!("{}: {msg}", entry.display)),
                    )
                }
            };
            if let Some(p) = progress {
                p.files.fetch_add(1, Ordering::Relaxed);
                p.findings.fetch_add(out.0.findings.len(), Ordering::Relaxed);
            }
            out
        })
        .collect();
    let mut output = ScanOutput::default();
    for (file, outcome) in results {
        match outcome {
            Outcome::Scanned { lossy, unparsed } => {
                output.stats.files_scanned += 1;
                output.stats.lossy += usize::from(lossy);
                output.stats.unparsed += usize::from(unparsed);
            }
            Outcome::Skipped(reason) => *output.stats.skipped.entry(reason).or_default() += 1,
            Outcome::Panicked(msg) => output.stats.internal_errors.push(msg),
        }
        output.files.push(file);
    }
    output
}

/// Scans one file; `only` restricts the run to one rule (used by `guardrail test`).
fn scan_file(
    plan: &Plan,
    entry: &Entry,
    files: &FileSet,
    opts: &ScanOptions,
    only: Option<usize>,
) -> (FileScan, Outcome) {
    let mut scan = FileScan {
        path: entry.display.clone(),
        ..FileScan::default()
    };
    let wanted = |i: usize| only.is_none_or(|o| o == i);
    let needs_content = match only {
        Some(i) => plan.matcher(i).needs_content() && plan.in_scope(i, &entry.rel),
        None => plan.any_content_rule(&entry.rel),
    };
    let loaded = if needs_content {
        Some(source::load(entry, opts.max_file_size))
    } else {
        None
    };
    let text = match &loaded {
        Some(Ok(t)) => Some(t.text.as_str()),
        _ => None,
    };
    let cache = FileCache::default();
    let cx = FileContext {
        entry,
        text,
        files,
        cache: &cache,
    };
    let mut builder = FindingBuilder::new(&entry.display, text);
    let mut hits: Vec<Hit> = Vec::new();
    for i in plan
        .candidates(&entry.rel, text)
        .into_iter()
        .filter(|&i| wanted(i))
    {
        let matcher = plan.matcher(i);
        if matcher.needs_content() && text.is_none() {
            continue;
        }
        hits.clear();
        matcher.check(&cx, &mut hits);
        scan.findings
            .extend(hits.iter().map(|h| builder.build(&plan.rules[i], h)));
    }
    for note in cache.notes.borrow().iter() {
        let hit = Hit::span(note.span.clone());
        scan.findings
            .push(builder.build_meta(note.rule, Severity::Note, &note.message, &hit));
    }
    if let Some(text) = text {
        scan.directives = inline::parse(text);
    }
    let unparsed = cache.unparsed.get();
    let outcome = match loaded {
        Some(Ok(t)) => Outcome::Scanned {
            lossy: t.lossy,
            unparsed,
        },
        Some(Err(reason)) => Outcome::Skipped(reason),
        None => Outcome::Scanned {
            lossy: false,
            unparsed,
        },
    };
    (scan, outcome)
}

/// Runs one rule over one in-memory entry: what `guardrail test` does for each example.
pub fn check_one(plan: &Plan, rule: usize, entry: &Entry, files: &FileSet) -> Vec<Finding> {
    scan_file(plan, entry, files, &ScanOptions::default(), Some(rule))
        .0
        .findings
}
