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
    /// Owners from this CODEOWNERS file, for every repository (default: the checkout's
    /// .github/, .gitlab/, root or docs/ CODEOWNERS, for its own findings; with --from, for the
    /// report of the checked-out commit).
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
        let enrich = from_checkout(&docs, args)?;
        (docs, enrich)
    };
    if let Some(path) = &args.codeowners {
        // Named on the command line: for every repository of the portfolio.
        enrich.owners = Some(Codeowners::load(path, &path.display().to_string())?);
        enrich.owners_everywhere = true;
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
    let current = trend::reparse(&report, "this checkout's report")?;
    let enrich = enrichment(args, &report.repo, &current)?;
    let mut snapshots = match args.trend {
        Some(n) if n > 0 => trend::snapshots(&settings, &name, n)?,
        _ => Vec::new(),
    };
    snapshots.push(current);
    Ok((snapshots, enrich))
}

/// Saved reports read inside a checkout of one of them (the same commit, the working directory
/// the check ran in): that repository's debt gets its ages and owners as if checked here.
fn from_checkout(docs: &[ReportDoc], args: &ReportArgs) -> Result<Enrichment> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let head = RepositoryInfo::discover(&cwd, None).commit;
    let here = docs.iter().rev().find(|d| {
        let commit = d.repository.as_ref().and_then(|r| r.commit.as_ref());
        head.is_some() && commit == head.as_ref()
    });
    let Some(doc) = here else {
        return Ok(Enrichment::default());
    };
    let mut merged = doc.clone();
    // Shards of this commit each hold part of the debt.
    merged.suppressed_findings = docs
        .iter()
        .filter(|d| {
            d.repository.as_ref().map(|r| (&r.name, &r.commit))
                == doc.repository.as_ref().map(|r| (&r.name, &r.commit))
        })
        .flat_map(|d| d.suppressed_findings.iter().cloned())
        .collect();
    enrichment(args, &crate::report::RepoPaths::discover(&cwd), &merged)
}

/// Owners (unless `--codeowners` names the file) and blames of `doc`'s debt, from the checkout
/// at `repo`; they apply to `doc`'s repository only.
fn enrichment(args: &ReportArgs, repo: &crate::report::RepoPaths, doc: &ReportDoc) -> Result<Enrichment> {
    let mut enrich = Enrichment {
        owners: if args.codeowners.is_some() {
            None
        } else {
            Codeowners::discover(&repo.root)?
        },
        path_prefix: prefix_of(repo),
        repository: doc.repository.as_ref().map(|r| r.name.clone()),
        ..Enrichment::default()
    };
    if let Ok(git) = crate::source::git::Repo::discover(&repo.cwd) {
        enrich.as_of = age::as_of(&repo.cwd);
        enrich.blames = age::blame(&git, &debt_lines(doc));
    }
    Ok(enrich)
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
