//! The engine: the whole pipeline for one file, and for a run of many, behind one call.
//!
//! ```text
//! Entry (path + bytes, from any source; an archive's members each as an Entry)
//!   -> scan::file        matchers, then text rules over decoded segments -> raw findings
//!                        + suppression comments
//!   -> precedence        one finding per problem (the most specific secret rule)
//!   -> identity          repository-relative path, position order, fingerprints
//!   -> suppress::apply   config overrides, inline comments
//!   -> --diff lines      only what the change introduced
//!   -> baseline          listed findings move to the suppressed list
//! ```
//!
//! Every entry point calls it: `check` (tree, `--staged`, `--diff`) through [`Engine::run`],
//! `guardrail history` through [`Engine::check_file`] per blob, `guardrail test` through
//! [`Engine::check_rule`]. What a run adds around the files (stale baseline entries, gate-file
//! edits, branch history) joins the findings before [`crate::report::Report::tally`], the one
//! place a report is sorted and counted.

use std::sync::atomic::Ordering;

use rayon::prelude::*;

use crate::finding::{self, Finding, FindingBuilder, Hit};
use crate::plan::Plan;
use crate::precedence::Precedence;
use crate::scan::{self, FileScan, Outcome, Progress, ScanOptions, ScanStats, Select};
use crate::source::diff::Changes;
use crate::source::{archive, Entry, FileSet};
use crate::suppress::{self, baseline, Sorted, SuppressOptions};
use crate::Settings;

/// Files one rayon task scans at most before the rest of its range can be taken by an idle
/// thread (see [`Engine::run`]).
const FILES_PER_TASK: usize = 4;

/// A compiled plan with everything one run applies to each file.
pub struct Engine<'a> {
    plan: &'a Plan,
    precedence: Precedence,
    scan: ScanOptions,
    suppress: SuppressOptions<'a>,
    changes: Option<&'a Changes>,
    baseline: Option<baseline::Matcher<'a>>,
}

/// What one file produced, every stage applied.
#[derive(Debug, Default)]
pub struct FileResult {
    /// Display path.
    pub path: String,
    /// Reported findings, fingerprinted (a report sorts them once, with every other file's).
    pub findings: Vec<Finding>,
    /// Silenced findings (inline comments, baseline), each with its suppression.
    pub suppressed: Vec<Finding>,
    /// Baseline entries these findings used (indices into the baseline's entries).
    pub baseline_used: Vec<usize>,
    /// Whether it was read, parsed, bounded.
    pub outcome: Outcome,
}

/// What a run over many files produced.
#[derive(Debug, Default)]
pub struct Run {
    /// Reported findings of every file, in entry order (a report sorts them once).
    pub findings: Vec<Finding>,
    /// Silenced findings of every file.
    pub suppressed: Vec<Finding>,
    /// Counters for the summary.
    pub stats: ScanStats,
    /// Per baseline entry, whether a finding used it.
    pub baseline_used: Vec<bool>,
}

impl<'a> Engine<'a> {
    /// An engine for `plan` with the settings' suppression options, baseline and a fresh run
    /// context ([`Settings::scan_options`]).
    pub fn new(plan: &'a Plan, settings: &'a Settings) -> Self {
        Self {
            plan,
            precedence: Precedence::new(&plan.rules),
            scan: settings.scan_options(),
            suppress: SuppressOptions {
                inline: settings.inline_suppressions,
                require_reason: settings.require_reason,
                unsuppressible: plan
                    .rules
                    .iter()
                    .filter(|r| !r.suppressible)
                    .map(|r| r.id.clone())
                    .collect(),
                config: Some((&settings.config, &settings.cwd)),
                known: suppress::KnownRules::of(&plan.rules),
            },
            changes: None,
            baseline: settings
                .baseline
                .as_ref()
                .map(|b| baseline::Matcher::new(b, &settings.cwd)),
        }
    }

    /// An engine that runs the plan alone: no config, inline comments honoured, no baseline
    /// (`guardrail test`, fuzzing, embedding).
    pub fn bare(plan: &'a Plan) -> Self {
        Self {
            plan,
            precedence: Precedence::new(&plan.rules),
            scan: ScanOptions::default(),
            suppress: SuppressOptions {
                inline: true,
                require_reason: false,
                unsuppressible: Default::default(),
                config: None,
                known: suppress::KnownRules::of(&plan.rules),
            },
            changes: None,
            baseline: None,
        }
    }

    /// Judges the rule ids suppression comments name against every loaded rule, not only the
    /// plan's (a comment naming a rule that is turned off is not stale).
    pub fn known_rules(mut self, known: suppress::KnownRules) -> Self {
        self.suppress.known = known;
        self
    }

    /// Reparses documents incrementally from the trees an earlier check kept (an editor
    /// session re-checking its buffers).
    pub fn keep_trees(mut self, trees: std::sync::Arc<crate::matchers::code::trees::Trees>) -> Self {
        // The run context is fresh from `Settings::scan_options`, so this engine owns it.
        if let Some(run) = std::sync::Arc::get_mut(&mut self.scan.run) {
            run.trees = Some(trees);
        }
        self
    }

    /// Keeps only findings on what a change introduced (`--diff`).
    pub fn only_changes(mut self, changes: Option<&'a Changes>) -> Self {
        self.changes = changes;
        self
    }

    /// Leaves the baseline to the caller: history merges findings across blobs first, and the
    /// merged findings are what a baseline lists.
    pub fn without_baseline(mut self) -> Self {
        self.baseline = None;
        self
    }

    /// The baseline stage, for a caller that applies it to merged findings.
    pub fn baseline(&self) -> Option<&baseline::Matcher<'a>> {
        self.baseline.as_ref()
    }

    /// Every stage for one file; for an archive, for each of its members too (see
    /// [`archive`]), all in one result.
    pub fn check_file(&self, entry: &Entry, files: &FileSet) -> FileResult {
        match archive::kind_of(&entry.rel).filter(|_| self.scan.archives.max_depth > 0) {
            Some(kind) => self.check_archive(entry, kind, files),
            None => self.check_selected(entry, files, Select::All),
        }
    }

    /// An archive: path rules on the archive itself, every stage on each member, nested
    /// archives opened within the bounds. An archive that does not open is scanned as a file
    /// (and reported unreadable), never passed over in silence.
    fn check_archive(&self, entry: &Entry, kind: archive::Kind, files: &FileSet) -> FileResult {
        let Ok(bytes) = crate::source::read_bytes(entry, self.scan.max_file_size) else {
            // Too large or unreadable: the plain check records why.
            return self.check_selected(entry, files, Select::All);
        };
        let mut members = FileResult::default();
        let limits = &self.scan.archives;
        let expansion = archive::expand(entry, kind, &bytes, limits, self.scan.max_file_size, &mut |m| {
            let select = if m.archive { Select::PathOnly } else { Select::All };
            absorb(
                &mut members,
                self.check_selected(&m.entry, files, select),
                !m.archive,
            );
        });
        let select = if expansion.opened {
            Select::PathOnly
        } else {
            Select::All
        };
        let mut result = self.check_selected(entry, files, select);
        absorb(&mut result, members, false);
        for bound in expansion.bounds {
            add_bound(&mut result.outcome, bound);
        }
        result.outcome.member_skips.extend(expansion.skipped);
        for error in &expansion.errors {
            self.archive_error(&mut result, error);
        }
        result
    }

    /// Reports an archive that could not be read, through the baseline like any finding.
    fn archive_error(&self, result: &mut FileResult, error: &archive::ArchiveError) {
        let hit = Hit {
            message: Some(format!("archive could not be read: {}", error.message)),
            identity: Some(error.message.clone()),
            ..Hit::file()
        };
        let meta = crate::meta::find(crate::meta::UNREADABLE_ARCHIVE);
        // A corrupt archive among tests or docs is most often corrupt on purpose (a fixture for
        // a decompressor's error path): a note there, as policy rules are.
        let outer = error.rel.split('!').next().unwrap_or(&error.rel);
        let context = crate::context::classify(outer, None, &self.scan.contexts);
        let severity = match context {
            crate::context::Context::Source => meta.map_or(crate::policy::Severity::Warning, |m| m.severity),
            _ => crate::policy::Severity::Note,
        };
        let mut f = FindingBuilder::new(&error.display, None).build_meta(
            crate::meta::UNREADABLE_ARCHIVE,
            severity,
            "",
            &hit,
        );
        f.context = context;
        f.repo_path.clone_from(&error.rel);
        let mut sorted = Sorted {
            active: vec![f],
            suppressed: Vec::new(),
        };
        finding::assign_fingerprints(&mut sorted.active);
        if let Some(b) = &self.baseline {
            result.baseline_used.extend(b.apply(&mut sorted));
        }
        result.findings.extend(sorted.active);
        result.suppressed.extend(sorted.suppressed);
    }

    /// Only the rules that need no content, for another name a git blob was committed under.
    pub fn check_path(&self, entry: &Entry, files: &FileSet) -> FileResult {
        self.check_selected(entry, files, Select::PathOnly)
    }

    /// One rule's reported findings in one file (an example of `guardrail test`); notes about
    /// the file (unparsed, unused suppressions) are not the rule's and are left out.
    pub fn check_rule(&self, rule: usize, entry: &Entry, files: &FileSet) -> Vec<Finding> {
        let id = &self.plan.rules[rule].id;
        let mut findings = self.check_selected(entry, files, Select::Rule(rule)).findings;
        findings.retain(|f| f.rule == *id);
        findings
    }

    /// Every stage for every file, in parallel; results in entry order.
    pub fn run(&self, entries: &[Entry], files: &FileSet, progress: Option<&Progress>) -> Run {
        let results: Vec<FileResult> = entries
            .par_iter()
            // Leaves of a few files: rayon otherwise ends its splitting with long runs of
            // neighbouring files on one thread, and a run of costly ones (a big package's
            // sources are neighbours in path order) was left to one core while the other idled
            // (2.7 of 11 s on the real packages).
            .with_max_len(FILES_PER_TASK)
            .map(|entry| {
                let result = self.check_file(entry, files);
                if let Some(p) = progress {
                    p.files.fetch_add(1, Ordering::Relaxed);
                    p.findings.fetch_add(result.findings.len(), Ordering::Relaxed);
                }
                result
            })
            .collect();
        let entries_len = self.baseline.as_ref().map_or(0, baseline::Matcher::len);
        let mut run = Run {
            baseline_used: vec![false; entries_len],
            ..Run::default()
        };
        for result in results {
            run.stats.add(&result.path, result.outcome);
            run.findings.extend(result.findings);
            run.suppressed.extend(result.suppressed);
            for i in result.baseline_used {
                run.baseline_used[i] = true;
            }
        }
        run
    }

    /// Every stage for one file (not an archive) whose keywords are already known: the keyword
    /// ids of [`Plan::keyword_ids`] in its text, or a superset of them. History finds them
    /// while it reads, for the lines each version added.
    pub fn check_with_keywords(&self, entry: &Entry, files: &FileSet, keywords: &[bool]) -> FileResult {
        self.check_given(entry, files, Select::All, Some(keywords))
    }

    fn check_selected(&self, entry: &Entry, files: &FileSet, select: Select) -> FileResult {
        self.check_given(entry, files, select, None)
    }

    fn check_given(
        &self,
        entry: &Entry,
        files: &FileSet,
        select: Select,
        keywords: Option<&[bool]>,
    ) -> FileResult {
        let (mut file, outcome) = scan::file(self.plan, entry, files, &self.scan, select, keywords);
        self.precedence.one_per_problem(&mut file.findings);
        identify(&mut file);
        let path = file.path.clone();
        let mut sorted = suppress::apply(file, &self.suppress);
        if let Some(changes) = self.changes {
            changes.retain(&mut sorted);
        }
        finding::assign_fingerprints_missing(&mut sorted.active);
        let baseline_used = match &self.baseline {
            Some(b) => b.apply(&mut sorted),
            None => Vec::new(),
        };
        let Sorted { active, suppressed } = sorted;
        FileResult {
            path,
            findings: active,
            suppressed,
            baseline_used,
            outcome,
        }
    }
}

/// Adds a member's (or a group of members') result to an archive's; `counted`: it is one
/// member file, counted as scanned or skipped.
fn absorb(into: &mut FileResult, from: FileResult, counted: bool) {
    into.findings.extend(from.findings);
    into.suppressed.extend(from.suppressed);
    into.baseline_used.extend(from.baseline_used);
    let (o, f) = (&mut into.outcome, from.outcome);
    if counted {
        match f.skipped {
            Some(reason) => o.member_skips.push((from.path, reason)),
            None => o.members += 1,
        }
    }
    o.members += f.members;
    o.member_skips.extend(f.member_skips);
    o.lossy |= f.lossy;
    o.unparsed |= f.unparsed;
    for bound in f.bounds {
        add_bound(o, &bound);
    }
    o.panics.extend(f.panics);
}

/// Records a bound once per top-level file (the summary counts files that hit it).
fn add_bound(outcome: &mut Outcome, bound: &str) {
    if !outcome.bounds.iter().any(|b| b == bound) {
        outcome.bounds.push(bound.to_string());
    }
}

/// Gives a file's raw findings their identity: the repository-relative path, position order,
/// and the occurrence index and fingerprint that order defines.
fn identify(file: &mut FileScan) {
    crate::report::sort(&mut file.findings);
    for f in &mut file.findings {
        f.repo_path.clone_from(&file.rel);
    }
    finding::assign_fingerprints(&mut file.findings);
}

/// Scans one in-memory file with every rule of the plan (fuzzing and embedding).
pub fn check_bytes(plan: &Plan, path: &str, bytes: &[u8]) -> Vec<Finding> {
    let entry = Entry::in_memory(path, std::sync::Arc::from(bytes));
    let files = FileSet::from_entries(std::slice::from_ref(&entry));
    Engine::bare(plan).check_file(&entry, &files).findings
}
