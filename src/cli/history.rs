//! `guardrail history`: scan what commits added, across every branch and tag or a range.

use std::path::PathBuf;

use clap::Args;

use super::{write_stdout, PolicyArgs};
use crate::config::FailOn;
use crate::error::{Error, Result};
use crate::history::HistoryOptions;
use crate::report::{self, Format};
use crate::suppress::baseline::Baseline;

/// Arguments of `guardrail history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Revisions and ranges as `git log` takes them (`main`, `v1.0..HEAD`); default: every
    /// branch and tag.
    #[arg(value_name = "REVISION-RANGE")]
    pub revisions: Vec<String>,
    /// Only commits after REV on the current branch (`REV..HEAD`).
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Only commits reachable from this branch (repeatable).
    #[arg(long = "branch", value_name = "NAME")]
    pub branches: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that fails the run (default: error, or the config's fail-on).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Blobs larger than this many bytes are not read (their size comes from git's header).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Report only findings not listed in this baseline file (written by `check --write-baseline`);
    /// default: the `baseline` file of guardrail.toml, when it exists.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// List every commit and path a secret was added at as its own finding, instead of one
    /// finding per secret with its places.
    #[arg(long)]
    pub all_occurrences: bool,
    /// Decoding and archive bounds.
    #[command(flatten)]
    pub bounds: super::bounds::BoundArgs,
    /// Rule selection.
    #[command(flatten)]
    pub select: super::SelectArgs,
    /// Human output.
    #[command(flatten)]
    pub display: super::display::DisplayArgs,
    /// Policy sources.
    #[command(flatten)]
    pub policy: PolicyArgs,
}

impl HistoryArgs {
    fn revisions(&self) -> Vec<String> {
        let mut revs = self.revisions.clone();
        revs.extend(self.branches.iter().cloned());
        if let Some(since) = &self.since {
            revs.push(format!("{since}..HEAD"));
        }
        revs
    }
}

/// Runs the history scan and writes the report.
pub fn run(args: &HistoryArgs) -> Result<u8> {
    let mut settings = args.policy.settings(vec![PathBuf::from(".")])?;
    settings.config.selection = args.select.selection()?;
    if let Some(fail_on) = args.fail_on {
        settings.fail_on = fail_on;
    }
    if let Some(max) = args.max_file_size {
        settings.max_file_size = max;
    }
    args.bounds.apply(&mut settings);
    // The config's baseline too, when it exists (history also runs before one is written).
    let config_baseline = settings.config.baseline.clone().filter(|p| p.exists());
    if let Some(path) = args.baseline.as_ref().or(config_baseline.as_ref()) {
        settings.baseline = Some(Baseline::load(path, &settings.cwd)?);
    }
    let opts = HistoryOptions {
        revisions: args.revisions(),
        all_occurrences: args.all_occurrences,
    };
    let mut report = crate::history::check(&settings, &opts)?;
    super::apply_selection(&mut report, &settings.config.selection);
    let render = args.display.render_options(false);
    let mut bytes = Vec::new();
    report::write(&report, args.format, render, &mut bytes).map_err(|e| Error::io("<report>", e))?;
    match &args.output {
        Some(path) => {
            super::atomic::write(path, &bytes)?;
            let line = format!("{}\n", report::human::summary_line(&report.summary));
            let _ = std::io::Write::write_all(&mut anstream::stderr(), line.as_bytes());
        }
        None => match write_stdout(&bytes) {
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        },
    }
    Ok(super::check::exit_code(&report, settings.fail_on))
}
