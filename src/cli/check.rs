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
use crate::report::{self, Format, RenderOptions};
use crate::scan::Progress;

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
    /// Files or directories to scan.
    #[arg(default_value = ".", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that fails the run (default: error, or the config's fail-on).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Colour for human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Do not read files larger than this many bytes (path rules still apply).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Ignore `guardrail:ignore` comments (for a central CI gate).
    #[arg(long)]
    pub no_inline_suppressions: bool,
    /// Scan what is staged in git (the index blobs), not the working tree: the staged files
    /// below each directory PATH, and every file PATH as staged.
    #[arg(long, conflicts_with = "diff")]
    pub staged: bool,
    /// Report only findings on lines added or changed since the merge base with REV
    /// (e.g. origin/main); findings about a whole file count when the file is new.
    #[arg(long, value_name = "REV")]
    pub diff: Option<String>,
    /// Policy sources.
    #[command(flatten)]
    pub policy: PolicyArgs,
}

impl CheckArgs {
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
    let mut settings = args.policy.settings(args.paths.clone())?;
    if let Some(fail_on) = args.fail_on {
        settings.fail_on = fail_on;
    }
    if let Some(max) = args.max_file_size {
        settings.max_file_size = max;
    }
    if args.no_inline_suppressions {
        settings.inline_suppressions = false;
    }
    settings.input = args.input();
    let progress = Arc::new(Progress::default());
    let spinner = ProgressLine::start(Arc::clone(&progress));
    let result = crate::check(&settings, Some(&progress));
    spinner.stop();
    let report = result?;
    let opts = RenderOptions {
        color: use_color(args),
        width: 100,
    };
    let mut bytes = Vec::new();
    report::write(&report, args.format, opts, &mut bytes).map_err(|e| Error::io("<report>", e))?;
    match &args.output {
        Some(path) => std::fs::write(path, &bytes).map_err(|e| Error::io(path.display(), e))?,
        None => write_stdout(&bytes)?,
    }
    if let (Some(_), Format::Human) = (&args.output, args.format) {
        let mut err = anstream::stderr();
        let _ = std::io::Write::write_all(&mut err, report::human::summary_line(&report.summary).as_bytes());
        let _ = std::io::Write::write_all(&mut err, b"\n");
    }
    Ok(if !report.summary.internal_errors.is_empty() {
        EXIT_ERROR
    } else if crate::fails(&report, settings.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
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
