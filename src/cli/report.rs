//! `guardrail report`: the portfolio page, summary or metrics, from a check run here (same
//! arguments and config as `check`) or from saved JSON reports (`--from`, repeatable).

use std::path::PathBuf;

use clap::Args;

use super::check::ScanArgs;
use super::{write_stdout, EXIT_CLEAN};
use crate::error::{Error, Result};
use crate::portfolio::codeowners::Codeowners;
use crate::portfolio::input::{self, ReportDoc};
use crate::portfolio::{self, age, trend, Enrichment, Format, Options};
use crate::repository::RepositoryInfo;

/// Arguments of `guardrail report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Read this saved `guardrail check --format json` report instead of checking (repeatable:
    /// shards of one run are merged, several commits of one repository make a trend, several
    /// repositories a portfolio).
    #[arg(long = "from", value_name = "FILE")]
    pub from: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    pub format: Format,
    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also check N commits sampled along the first-parent line before HEAD, for the trend.
    #[arg(long, value_name = "N", conflicts_with = "from")]
    pub trend: Option<usize>,
    /// Owners from this CODEOWNERS file (default: the repository's .github/, .gitlab/, root or
    /// docs/ CODEOWNERS when checking; none with --from).
    #[arg(long, value_name = "FILE")]
    pub codeowners: Option<PathBuf>,
    /// Length of the "fix these first" and "oldest debt" lists.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// Heading of the page.
    #[arg(long, value_name = "TEXT", default_value = "guardrail portfolio")]
    pub title: String,
    /// The check to run when no --from is given.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// Builds and writes the portfolio; 0 when written, whatever the findings (a report is not a
/// gate), 2 on any bad input.
pub fn run(args: &ReportArgs) -> Result<u8> {
    let (snapshots, mut enrich) = if args.from.is_empty() {
        from_check(args)?
    } else {
        if !args.scan.paths.is_empty() {
            return Err(Error::Usage(
                "--from reads saved reports: give no PATH to check".into(),
            ));
        }
        let docs = args
            .from
            .iter()
            .map(|p| input::read(p))
            .collect::<Result<Vec<_>>>()?;
        (docs, Enrichment::default())
    };
    if let Some(path) = &args.codeowners {
        enrich.owners = Some(Codeowners::load(path, &path.display().to_string())?);
    }
    let opts = Options {
        title: args.title.clone(),
        top: args.top,
    };
    let portfolio = portfolio::build(snapshots, &enrich, &opts);
    let text = portfolio::render(&portfolio, args.format);
    match &args.output {
        Some(path) => super::atomic::write(path, text.as_bytes())?,
        None => write_stdout(text.as_bytes())?,
    }
    Ok(EXIT_CLEAN)
}

/// Checks the working tree as `check` would, then adds what only a checkout knows: owners,
/// git blame of the debt, and past commits for `--trend`.
fn from_check(args: &ReportArgs) -> Result<(Vec<ReportDoc>, Enrichment)> {
    let (mut report, settings) = super::check::scan(&args.scan)?;
    let info = RepositoryInfo::discover(&settings.cwd, settings.shard);
    let name = info.name.clone();
    report.repository = Some(info);
    let current = trend::reparse(&report, "the check")?;
    let root = report.repo.root.clone();
    let mut enrich = Enrichment {
        owners: if args.codeowners.is_some() {
            None
        } else {
            Codeowners::discover(&root)?
        },
        path_prefix: prefix_of(&report.repo),
        ..Enrichment::default()
    };
    if let Ok(repo) = crate::source::git::Repo::discover(&settings.cwd) {
        enrich.as_of = age::as_of(&settings.cwd);
        enrich.blames = age::blame(&repo, &debt_lines(&current));
    }
    let mut snapshots = match args.trend {
        Some(n) if n > 0 => trend::snapshots(&settings, &name, n)?,
        _ => Vec::new(),
    };
    snapshots.push(current);
    Ok((snapshots, enrich))
}

/// The working directory relative to the repository root, `/`-terminated (empty at the root).
fn prefix_of(repo: &crate::report::RepoPaths) -> String {
    match repo.cwd.strip_prefix(&repo.root) {
        Ok(rel) if !rel.as_os_str().is_empty() => format!("{}/", crate::paths::slashed(rel)),
        _ => String::new(),
    }
}

/// The lines to blame: each accepted finding's line, and each suppression comment's.
fn debt_lines(doc: &ReportDoc) -> Vec<(String, usize)> {
    let mut lines = Vec::new();
    for s in &doc.suppressed_findings {
        lines.push((s.finding.path.clone(), s.finding.line));
        if let Some(l) = s.suppression.line {
            lines.push((s.finding.path.clone(), l));
        }
    }
    lines
}
