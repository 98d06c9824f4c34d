//! guardrail: a policy-as-code checker for privacy, security and fairness guardrails.
//!
//! ```text
//! policies (built-in + --policy + guardrail.toml)
//!     │  policy: TOML with spans -> validated Rule list
//!     ▼
//! plan: matchers, path scopes, one keyword automaton
//!     ▼
//! source: working tree (ignore-aware parallel walk) | staged blobs | lines changed since REV
//!     ▼
//! engine, per file (an archive: per member): scan (prefilter, candidate matchers, then the
//!   text rules over decoded segments -> findings, redacted at birth)
//!   -> identity -> config overrides -> inline comments -> --diff lines -> baseline
//!     ▼
//! report: human | json | sarif | github   ->  exit code
//!     ▼
//! portfolio (`guardrail report`): JSON v1 reports (a check, --from files, past commits)
//!   -> owners, ages, scores, aggregates -> html | markdown | json
//! ```
//!
//! The library never prints; `cli` and `report` are the only writers.
#![deny(missing_docs)]

pub mod cli;
pub mod config;
pub mod context;
pub mod decode;
pub mod engine;
pub mod error;
pub mod finding;
pub mod fix;
pub mod gate;
pub mod history;
pub mod lsp;
pub mod matchers;
pub mod meta;
pub mod paths;
pub mod plan;
pub mod policy;
pub mod portfolio;
pub mod precedence;
pub mod report;
pub mod repository;
pub mod scan;
pub mod shard;
pub mod source;
pub mod suppress;
#[cfg(test)]
mod testing;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use config::{Config, FailOn};
pub use error::{Error, Result};
use policy::PolicySet;
use report::{Report, RuleInfo, Summary};
use scan::{Progress, ScanOptions};

use source::walk::Excludes;

/// Everything a `check` run needs, after flags and config are merged.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Working directory: display paths are relative to it.
    pub cwd: PathBuf,
    /// Files and directories to scan.
    pub roots: Vec<PathBuf>,
    /// The config (default when there is no file).
    pub config: Config,
    /// Load the built-in packs.
    pub builtin: bool,
    /// Extra policy files or directories.
    pub policy_paths: Vec<PathBuf>,
    /// Lowest severity that fails the run.
    pub fail_on: FailOn,
    /// Honour `guardrail:ignore` comments.
    pub inline_suppressions: bool,
    /// Require a reason on every suppression comment.
    pub require_reason: bool,
    /// Larger files are not read.
    pub max_file_size: u64,
    /// Longer lines are not matched by text rules.
    pub max_line_length: usize,
    /// Deepest nesting a structured document may have (YAML, JSON, TOML).
    pub max_parse_depth: usize,
    /// Time one file's structured parsing may take (`None`: unbounded).
    pub parse_time_budget: Option<std::time::Duration>,
    /// Findings listed here are moved to the suppressed list (`--baseline`).
    pub baseline: Option<suppress::baseline::Baseline>,
    /// Stale baseline entries are errors instead of notes, so they fail the run.
    pub fail_on_stale_baseline: bool,
    /// What is scanned: the working tree, the git index, or what changed since a revision.
    pub input: Input,
    /// Paths were named on the command line (not the default `.`).
    pub paths_given: bool,
    /// Accept a run that loaded no rule or scanned no file (`--allow-empty`).
    pub allow_empty: bool,
    /// Read the repository's ignore files (`.guardrailignore`, `.ignore`): repository
    /// configuration, so off when the config is pinned (`--config FILE`, `--no-config`).
    pub repo_ignore_files: bool,
    /// License rules get the dependency graph from a neutralised `cargo metadata` run instead
    /// of Cargo.lock and local sources (`--cargo-metadata`; never set from the repository).
    pub cargo_metadata: bool,
    /// Scan only this shard of the files (`--shard K/N`).
    pub shard: Option<shard::Shard>,
    /// How far encoded segments are decoded (`[decode]`, `--max-decode-*`).
    pub decode: decode::DecodeLimits,
    /// How far archives are opened (`[archives]`, `--max-archive-*`).
    pub archives: source::archive::ArchiveLimits,
}

/// Which content a check reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Input {
    /// The working tree under the roots.
    #[default]
    Tree,
    /// The git index: files staged for commit under the roots, or named ones (`--staged`).
    Staged,
    /// The working tree, reporting only what changed since the merge base with this
    /// revision (`--diff REV`).
    Diff(String),
}

impl Settings {
    /// Defaults for scanning `roots` from `cwd` with no config.
    pub fn new(cwd: PathBuf, roots: Vec<PathBuf>) -> Self {
        Self {
            cwd,
            roots,
            config: Config::default(),
            builtin: true,
            policy_paths: Vec::new(),
            fail_on: FailOn::Error,
            inline_suppressions: true,
            require_reason: false,
            max_file_size: source::DEFAULT_MAX_FILE_SIZE,
            max_line_length: scan::DEFAULT_MAX_LINE_LENGTH,
            max_parse_depth: matchers::limits::DEFAULT_MAX_DEPTH,
            parse_time_budget: Some(matchers::limits::DEFAULT_PARSE_BUDGET),
            baseline: None,
            fail_on_stale_baseline: false,
            input: Input::Tree,
            paths_given: false,
            allow_empty: false,
            repo_ignore_files: true,
            cargo_metadata: false,
            shard: None,
            decode: decode::DecodeLimits::default(),
            archives: source::archive::ArchiveLimits::default(),
        }
    }
}

impl Settings {
    /// Defaults for scanning `roots` from `cwd`, with what `config` sets (built-in packs,
    /// `fail-on`, suppression governance, limits) applied: what `check` and `lsp` share.
    pub fn from_config(cwd: PathBuf, roots: Vec<PathBuf>, config: Config) -> Self {
        let mut settings = Settings::new(cwd, roots);
        settings.builtin = config.builtin.unwrap_or(true);
        settings.fail_on = config.fail_on.unwrap_or_default();
        settings.require_reason = config.require_reason;
        settings.inline_suppressions = config.inline_suppressions.unwrap_or(true);
        if let Some(max) = config.max_file_size {
            settings.max_file_size = max;
        }
        if let Some(max) = config.max_line_length {
            settings.max_line_length = max;
        }
        if let Some(max) = config.max_parse_depth {
            settings.max_parse_depth = max;
        }
        if let Some(ms) = config.parse_time_budget_ms {
            settings.parse_time_budget = cli::budget(ms);
        }
        config.decode.apply(&mut settings.decode);
        config.archives.apply(&mut settings.archives);
        settings.config = config;
        settings
    }
}

impl Settings {
    /// The scan stage's knobs, with a fresh [`matchers::RunContext`]: nothing one run reads
    /// (lockfiles, dependency graphs) is seen by the next.
    pub fn scan_options(&self) -> ScanOptions {
        let source = if self.cargo_metadata {
            matchers::cargo::GraphSource::CargoMetadata
        } else {
            matchers::cargo::GraphSource::Lockfile
        };
        ScanOptions {
            max_file_size: self.max_file_size,
            max_line_length: self.max_line_length,
            max_parse_depth: self.max_parse_depth,
            parse_time_budget: self.parse_time_budget,
            run: std::sync::Arc::new(matchers::RunContext {
                cargo: matchers::cargo::RunState::with_graph_source(source),
                trees: None,
            }),
            contexts: std::sync::Arc::new(self.config.contexts.clone()),
            decode: self.decode,
            archives: self.archives,
        }
    }
}

/// Loads built-in and user packs and applies the config's pack and rule settings.
pub fn load_policies(settings: &Settings) -> Result<PolicySet> {
    let mut set = PolicySet::default();
    if settings.builtin {
        policy::load_builtin(&mut set)?;
    }
    policy::load_paths(&mut set, &settings.config.policies)?;
    policy::load_paths(&mut set, &settings.policy_paths)?;
    settings.config.apply(&mut set)?;
    Ok(set)
}

/// Runs a whole check: load, compile, walk, scan, suppress; returns the sorted report.
pub fn check(settings: &Settings, progress: Option<&Progress>) -> Result<Report> {
    let started = Instant::now();
    let policies = load_policies(settings)?;
    let mut config_summary = gate::summary::describe(settings, &policies);
    let excludes = excludes(settings)?;
    let sources = sources(settings, excludes.as_ref())?;
    config_summary.ignore_files = sources.ignore_files.clone();
    if sources.ignored > 0 {
        config_summary.changes.push(gate::summary::ConfigChange {
            key: "ignore files".to_string(),
            value: sources.ignore_files.join(", "),
            effect: format!("{} files not scanned", sources.ignored),
            relaxes: true,
        });
    }
    let known = suppress::KnownRules::of(&policies.rules);
    let plan = plan::Plan::compile_for(policies.rules, sources.entries.len())?;
    let engine = engine::Engine::new(&plan, settings)
        .known_rules(known)
        .only_changes(sources.changes.as_ref());
    let run = engine.run(&sources.entries, &sources.files, progress);
    let mut report = Report {
        findings: run.findings,
        suppressed: run.suppressed,
        rules: plan.rules.iter().map(RuleInfo::from).collect(),
        summary: summary_of(run.stats, &sources),
        repo: paths::RepoPaths::discover(&settings.cwd),
        config: config_summary,
        ..Report::default()
    };
    if let Some(baseline) = engine.baseline() {
        report
            .findings
            .extend(baseline.stale(&run.baseline_used, settings));
    }
    // Last, so nothing the change configures can hide them.
    report
        .findings
        .extend(gate::changed::findings(changed_paths(&sources), settings));
    if let Input::Diff(rev) = &settings.input {
        add_branch_history(&mut report, settings, rev)?;
    }
    report.tally();
    report.summary.duration_ms = started.elapsed().as_millis() as u64;
    gate::refuse_empty(&report, settings)?;
    Ok(report)
}

/// The summary's counters from the scan's and the sources'.
fn summary_of(stats: scan::ScanStats, sources: &Sources) -> Summary {
    let mut summary = Summary {
        files_scanned: stats.files_scanned,
        lossy_decoded: stats.lossy,
        unparsed: stats.unparsed,
        bounds: stats.bounds,
        internal_errors: stats.internal_errors,
        ..Summary::default()
    };
    for (reason, n) in &stats.skipped {
        summary.skipped.insert(reason.as_str().to_string(), *n);
    }
    summary.skipped_files = stats
        .skipped_files
        .iter()
        .map(|(path, reason)| report::SkippedFile {
            path: path.clone(),
            reason: reason.as_str(),
        })
        .collect();
    if sources.symlinks > 0 {
        summary.skipped.insert("symlink".to_string(), sources.symlinks);
    }
    if sources.special > 0 {
        summary.skipped.insert("special".to_string(), sources.special);
    }
    summary
}

/// Every file the change touches (`--staged`, `--diff`), before exclusions; none for a tree.
fn changed_paths(sources: &Sources) -> &[source::ChangedPath] {
    match (&sources.staged_changes, &sources.changes) {
        (Some(staged), _) => staged.as_slice(),
        (None, Some(diff)) => diff.changed.as_slice(),
        (None, None) => &[],
    }
}

/// `--diff REV` also scans what each commit since REV added, so a secret committed and removed
/// again inside a pull request is reported (with its commit), although the final diff no longer
/// shows it. Findings already in the report are not repeated.
fn add_branch_history(report: &mut Report, settings: &Settings, rev: &str) -> Result<()> {
    let opts = history::HistoryOptions {
        revisions: vec![format!("{rev}..HEAD")],
        ..Default::default()
    };
    let Some(found) = history::check_optional(settings, &opts)? else {
        return Ok(());
    };
    let repo = source::git::Repo::discover(&settings.cwd)?;
    // Only what a commit of the branch itself added counts (the range `rev..HEAD` keeps just
    // those findings already: a rename, a mode change or a merge of older content brings no
    // new line).
    let known: HashSet<(String, String)> = report
        .findings
        .iter()
        .chain(&report.suppressed)
        .map(|f| (f.rule.clone(), f.content_hash.clone()))
        .collect();
    for mut f in found.findings {
        if known.contains(&(f.rule.clone(), f.content_hash.clone())) {
            continue;
        }
        let Some(p) = found.provenance.get(&f.fingerprint) else {
            continue;
        };
        report.provenance.insert(f.fingerprint.clone(), p.clone());
        f.path = repo.display(&f.path);
        report.findings.push(f);
    }
    report.summary.commits_scanned = found.summary.commits_scanned;
    Ok(())
}

/// The files of a run, as [`Settings::input`] selects them.
#[derive(Debug)]
pub struct Sources {
    /// Files to scan.
    pub entries: Vec<source::Entry>,
    /// Every file known to the run (what `require` rules look among).
    pub files: source::FileSet,
    /// Symlinks seen and not followed.
    pub symlinks: usize,
    /// FIFOs, sockets and devices, never opened.
    pub special: usize,
    /// Repository ignore files (`.guardrailignore`, `.ignore`) that were read, relative to the
    /// repository root (to the scan root outside git), sorted.
    pub ignore_files: Vec<String>,
    /// Files those ignore files excluded from the scan.
    pub ignored: usize,
    /// Set for `--diff`: which findings lie on changed lines.
    pub changes: Option<source::diff::Changes>,
    /// Set for `--staged`: every staged file, before exclusions.
    pub staged_changes: Option<Vec<source::ChangedPath>>,
}

/// Lists the files a run scans (working tree, index or diff), after config excludes and
/// repository ignore files.
pub fn sources(settings: &Settings, excludes: Option<&Excludes>) -> Result<Sources> {
    let opts = source::walk::WalkOptions {
        excludes,
        repo_ignore_files: settings.repo_ignore_files,
    };
    if settings.input == Input::Staged {
        let mut s = source::staged::collect(&settings.cwd, &settings.roots, opts, settings.max_file_size)?;
        if let Some(shard) = settings.shard {
            s.entries.retain(|e| shard.contains(&e.rel));
        }
        return Ok(Sources {
            entries: s.entries,
            files: s.files,
            symlinks: s.symlinks,
            special: 0,
            ignore_files: s.ignore_files,
            ignored: s.ignored,
            changes: None,
            staged_changes: Some(s.changed),
        });
    }
    let mut walked = source::walk::walk(&settings.roots, &settings.cwd, opts)?;
    // Require rules look for companions among all walked files, changed or not, and in
    // every shard.
    let files = source::FileSet::from_entries(&walked.entries);
    if let Some(shard) = settings.shard {
        walked.entries.retain(|e| shard.contains(&e.rel));
    }
    let (entries, changes) = match &settings.input {
        Input::Diff(rev) => {
            let (entries, changes) = source::diff::select(walked.entries, rev, &settings.cwd)?;
            (entries, Some(changes))
        }
        _ => (walked.entries, None),
    };
    Ok(Sources {
        entries,
        files,
        symlinks: walked.symlinks,
        special: walked.special,
        ignore_files: walked.ignore_files,
        ignored: walked.ignored,
        changes,
        staged_changes: None,
    })
}

/// The config's `exclude` globs, anchored at the config's directory.
pub fn excludes(settings: &Settings) -> Result<Option<Excludes>> {
    if settings.config.exclude.is_empty() {
        return Ok(None);
    }
    let globs = matchers::glob_set_of(&settings.config.exclude).map_err(|e| Error::Usage(e.to_string()))?;
    let base = source::walk::absolute(&settings.config.dir, &settings.cwd);
    Ok(Some(Excludes { base, globs }))
}

/// Whether the report fails the gate: a reported finding at or above `fail_on`. Internal
/// errors are the caller's exit code 2.
pub fn fails(report: &Report, fail_on: FailOn) -> bool {
    report.findings.iter().any(|f| fail_on.fails(f.severity))
}
