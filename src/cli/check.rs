//! `guardrail check`: merge flags with config, scan, write the report, choose the exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::{write_stdout, PolicyArgs, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::config::FailOn;
use crate::error::{Error, Result};
use crate::report::{self, Format, Report};
use crate::scan::Progress;
use crate::suppress::baseline::{self, Baseline};
use crate::Settings;

/// When to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments of `guardrail check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// What to scan and how.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour for human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Human output.
    #[command(flatten)]
    pub display: super::display::DisplayArgs,
}

/// What a check scans and how: shared by `check` and `report`, which runs the same check.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Accept a run that loaded no rule or scanned no file (otherwise exit 2: a gate that
    /// checks nothing must not pass silently).
    #[arg(long)]
    pub allow_empty: bool,
    /// Lowest severity that fails the run (default: error, or the config's fail-on).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Do not read files larger than this many bytes (path rules still apply).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Do not match text rules on lines longer than this many bytes (minified files).
    #[arg(long, value_name = "BYTES")]
    pub max_line_length: Option<usize>,
    /// Deepest nesting a YAML/JSON/TOML document may have before it is reported unparsed.
    #[arg(long, value_name = "LEVELS")]
    pub max_parse_depth: Option<usize>,
    /// Time one file's structured parsing (Rust, YAML, JSON, TOML) may take; 0 = unbounded.
    #[arg(long, value_name = "MS")]
    pub parse_time_budget_ms: Option<u64>,
    /// Ignore `guardrail:ignore` comments (for a central CI gate).
    #[arg(long)]
    pub no_inline_suppressions: bool,
    /// Report only findings not listed in this baseline file (written by --write-baseline);
    /// default: the `baseline` file of guardrail.toml, if it names one.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["write_baseline", "no_baseline"])]
    pub baseline: Option<PathBuf>,
    /// Do not apply the baseline named in guardrail.toml (report every finding).
    #[arg(long)]
    pub no_baseline: bool,
    /// Record every reported finding in a baseline file, then report them as baselined. Without
    /// FILE: the config's `baseline`, else .guardrail-baseline.toml at the repository root
    /// (write `--write-baseline=FILE` when paths follow). Not with --select/--ignore: the file
    /// would lose the entries of the rules left out.
    #[arg(long, value_name = "FILE", num_args = 0..=1, conflicts_with_all = ["select", "ignore"])]
    pub write_baseline: Option<Option<PathBuf>>,
    /// Fail when a baseline entry matches no finding any more (stale entries become errors).
    #[arg(long)]
    pub fail_on_stale_baseline: bool,
    /// Scan what is staged in git (the index blobs), not the working tree: the staged files
    /// below each directory PATH, and every file PATH as staged.
    #[arg(long, conflicts_with = "diff")]
    pub staged: bool,
    /// Report only findings on lines added or changed since the merge base with REV
    /// (e.g. origin/main); findings about a whole file count when the file is new.
    #[arg(long, value_name = "REV")]
    pub diff: Option<String>,
    /// License rules: resolve the dependency graph with `cargo metadata --offline` instead of
    /// reading Cargo.lock and package sources already on this machine. Cargo runs outside the
    /// repository with its config, toolchain file and rustc wrappers neutralised.
    #[arg(long)]
    pub cargo_metadata: bool,
    /// Decoding and archive bounds.
    #[command(flatten)]
    pub bounds: super::bounds::BoundArgs,
    /// Rule selection.
    #[command(flatten)]
    pub select: super::SelectArgs,
    /// Policy sources.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Scan only shard K of N (e.g. 2/8): a deterministic 1/N of the files, chosen by a hash
    /// of each repository-relative path; merged shard reports equal the unsharded report.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
}

impl ScanArgs {
    /// The input `--staged` / `--diff` select.
    pub fn input(&self) -> crate::Input {
        match (&self.diff, self.staged) {
            (Some(rev), _) => crate::Input::Diff(rev.clone()),
            (None, true) => crate::Input::Staged,
            (None, false) => crate::Input::Tree,
        }
    }
}

/// Runs the check and writes the report.
pub fn run(args: &CheckArgs) -> Result<u8> {
    let (mut report, settings) = scan(&args.scan)?;
    if args.format == Format::Json {
        // Only JSON carries it, and only JSON pays for the git call (pre-commit latency).
        report.repository = Some(crate::repository::RepositoryInfo::discover(
            &settings.cwd,
            settings.shard,
        ));
    }
    let opts = args.display.render_options(use_color(args));
    let mut bytes = Vec::new();
    report::write(&report, args.format, opts, &mut bytes).map_err(|e| Error::io("<report>", e))?;
    match &args.output {
        Some(path) => super::atomic::write(path, &bytes)?,
        // A reader that stops early (`| head`) does not change what the gate decided.
        None => match write_stdout(&bytes) {
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        },
    }
    // A report written to a file still leaves its one-line summary in the log, whatever the
    // format, so a CI log is never silent about what the gate decided.
    if args.output.is_some() {
        let mut err = anstream::stderr();
        let _ = std::io::Write::write_all(&mut err, report::human::summary_line(&report.summary).as_bytes());
        let _ = std::io::Write::write_all(&mut err, b"\n");
    }
    Ok(exit_code(&report, settings.fail_on))
}

/// Runs the check the arguments describe (flags merged with the config, baseline read or
/// written) and returns the report with the settings it ran under.
pub fn scan(args: &ScanArgs) -> Result<(Report, Settings)> {
    let mut settings = settings_of(args)?;
    read_baseline(args, &mut settings)?;
    let progress = Arc::new(Progress::default());
    let spinner = ProgressLine::start(Arc::clone(&progress));
    let result = crate::check(&settings, Some(&progress));
    spinner.stop();
    let mut report = result?;
    super::apply_selection(&mut report, &settings.config.selection);
    let mut report = write_baseline(args, &settings, report)?;
    note_config_baseline(&mut report, &settings, args);
    Ok((report, settings))
}

/// The settings: the config, then the flags over it (the baseline is read separately).
pub fn settings_of(args: &ScanArgs) -> Result<Settings> {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut settings = args.policy.settings(roots)?;
    settings.config.selection = args.select.selection()?;
    settings.paths_given = !args.paths.is_empty();
    settings.allow_empty = args.allow_empty;
    if let Some(fail_on) = args.fail_on {
        settings.fail_on = fail_on;
    }
    if let Some(max) = args.max_file_size {
        settings.max_file_size = max;
    }
    if let Some(max) = args.max_line_length {
        settings.max_line_length = max;
    }
    if let Some(max) = args.max_parse_depth {
        settings.max_parse_depth = max;
    }
    if let Some(ms) = args.parse_time_budget_ms {
        settings.parse_time_budget = super::budget(ms);
    }
    if args.no_inline_suppressions {
        settings.inline_suppressions = false;
    }
    args.bounds.apply(&mut settings);
    settings.cargo_metadata = args.cargo_metadata;
    settings.shard = args
        .shard
        .as_deref()
        .map(crate::shard::Shard::parse)
        .transpose()?;
    settings.input = args.input();
    Ok(settings)
}

/// 2 for an internal error while matching, 1 when a reported finding fails the gate, else 0.
pub fn exit_code(report: &Report, fail_on: FailOn) -> u8 {
    if !report.summary.internal_errors.is_empty() {
        EXIT_ERROR
    } else if crate::fails(report, fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// The baseline file written when `--write-baseline` names none and the config has no
/// `baseline` key, at the repository root.
pub const DEFAULT_BASELINE: &str = ".guardrail-baseline.toml";

/// `--baseline`, else the config's `baseline` (unless `--no-baseline` or `--write-baseline`):
/// loads the file into the settings. A baseline the config names must exist: a typo must not
/// quietly turn the baseline off.
fn read_baseline(args: &ScanArgs, settings: &mut Settings) -> Result<()> {
    let from_config = args.baseline.is_none() && !args.no_baseline && args.write_baseline.is_none();
    let path = match &args.baseline {
        Some(path) => Some(path.clone()),
        None if from_config => settings.config.baseline.clone(),
        None => None,
    };
    let Some(path) = path else {
        if args.fail_on_stale_baseline {
            return Err(Error::Usage(
                "--fail-on-stale-baseline needs a baseline: --baseline FILE, or `baseline` in guardrail.toml"
                    .to_string(),
            ));
        }
        return Ok(());
    };
    if from_config && std::fs::symlink_metadata(&path).is_err() {
        let (name, _) = baseline::location(&path, &settings.cwd);
        return Err(Error::Usage(format!(
            "{name}: the baseline named in guardrail.toml (`baseline = \"{}\"`) does not exist; \
             write it with `guardrail check --write-baseline`, or remove the key",
            settings.config.baseline_as_written().unwrap_or_default()
        )));
    }
    settings.baseline = Some(Baseline::load(&path, &settings.cwd)?);
    settings.fail_on_stale_baseline = args.fail_on_stale_baseline;
    Ok(())
}

/// A baseline from the repository's config accepts findings without a flag on the command
/// line, so it is listed with the other config changes, as relaxing the gate.
fn note_config_baseline(report: &mut Report, settings: &Settings, args: &ScanArgs) {
    let (Some(written), None) = (settings.config.baseline_as_written(), &args.baseline) else {
        return;
    };
    if settings.baseline.is_none() {
        return;
    }
    let n = report.summary.suppressed_baseline;
    report.config.changes.push(crate::gate::summary::ConfigChange {
        key: "baseline".to_string(),
        value: format!("\"{written}\""),
        effect: format!(
            "{n} finding{} accepted as they are",
            if n == 1 { "" } else { "s" }
        ),
        relaxes: true,
    });
}

/// Where `--write-baseline` writes: the file it names, else the config's `baseline`, else
/// [`DEFAULT_BASELINE`] at the repository root.
fn baseline_target(args: &ScanArgs, settings: &Settings) -> Option<PathBuf> {
    match &args.write_baseline {
        None => None,
        Some(Some(path)) => Some(path.clone()),
        Some(None) => Some(settings.config.baseline.clone().unwrap_or_else(|| {
            crate::report::RepoPaths::discover(&settings.cwd)
                .root
                .join(DEFAULT_BASELINE)
        })),
    }
}

/// `--write-baseline`: records every reported finding, then applies the file just written, so
/// the run reports them as baselined (and passes, unless something else fails it).
fn write_baseline(args: &ScanArgs, settings: &Settings, mut report: Report) -> Result<Report> {
    let Some(path) = baseline_target(args, settings) else {
        return Ok(report);
    };
    let (name, file) = baseline::location(&path, &settings.cwd);
    let entries = baseline::entries(&report, &settings.cwd, &file);
    let text = baseline::render(&entries);
    super::atomic::write(&path, text.as_bytes())?;
    baseline::apply(&mut report, &Baseline::parse(name.clone(), text, file)?, settings);
    let s = if entries.len() == 1 { "y" } else { "ies" };
    let mut line = format!("guardrail: wrote {} baseline entr{s} to {name}", entries.len());
    if settings.config.baseline.is_none() {
        line.push_str(&format!(
            "; commit it, and add `baseline = \"{}\"` to guardrail.toml so every check (and the pre-commit hook) uses it",
            DEFAULT_BASELINE
        ));
    }
    line.push('\n');
    let _ = std::io::Write::write_all(&mut anstream::stderr(), line.as_bytes());
    Ok(report)
}

fn use_color(args: &CheckArgs) -> bool {
    match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// A spinner on stderr, shown only on a terminal, outside CI, after the scan has run a second.
struct ProgressLine {
    done: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl ProgressLine {
    fn start(progress: Arc<Progress>) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let wanted = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let handle = wanted.then(|| {
            let done = Arc::clone(&done);
            std::thread::spawn(move || spin(&progress, &done))
        });
        Self { done, handle }
    }

    fn stop(self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle {
            let _ = h.join();
        }
    }
}

fn spin(progress: &Progress, done: &AtomicBool) {
    for _ in 0..10 {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let bar = indicatif::ProgressBar::new_spinner();
    while !done.load(Ordering::Relaxed) {
        bar.set_message(format!(
            "scanned {} files, {} findings",
            progress.files.load(Ordering::Relaxed),
            progress.findings.load(Ordering::Relaxed)
        ));
        bar.tick();
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}
