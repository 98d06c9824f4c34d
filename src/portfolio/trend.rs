//! `--trend N`: the portfolio in the past. N commits sampled evenly along the first-parent line
//! before `HEAD` are checked by the same engine as `check`, from their trees read out of git
//! (`ls-tree` + `cat-file --batch` into memory): the user's working tree is never touched, and
//! git runs with every repository-configured program off ([`crate::source::git`]).
//!
//! Each past tree is checked with today's policies, config and baseline, so the series
//! measures the code, not changes of the rules; with today's baseline the baselined count is
//! the burn-down of the accepted debt still present then.

use std::sync::Arc;

use crate::engine::Engine;
use crate::error::Result;
use crate::plan::Plan;
use crate::report::{Report, RuleInfo};
use crate::repository::RepositoryInfo;
use crate::source::git::{split_nul, Repo};
use crate::source::history::{read_blobs, sizes};
use crate::source::{Entry, FileSet};
use crate::Settings;

use super::input::{self, ReportDoc};

/// A commit on the first-parent line.
#[derive(Debug, Clone)]
pub struct Sampled {
    /// Full id.
    pub id: String,
    /// Committer date, ISO 8601.
    pub date: String,
}

/// Up to `n` commits before `HEAD` on its first-parent line, evenly spaced, oldest included.
pub fn sample(repo: &Repo, n: usize) -> Result<Vec<Sampled>> {
    let out = repo.git(&[
        "log",
        "--first-parent",
        "--no-show-signature",
        "--format=%H%x00%cI",
        "HEAD",
    ])?;
    let text = String::from_utf8_lossy(&out);
    let past: Vec<Sampled> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let (id, date) = l.split_once('\0')?;
            Some(Sampled {
                id: id.to_string(),
                date: date.to_string(),
            })
        })
        .collect();
    Ok(pick_evenly(past, n))
}

/// `n` of `items`, evenly spaced, first and last included.
fn pick_evenly<T: Clone>(items: Vec<T>, n: usize) -> Vec<T> {
    if items.len() <= n {
        return items;
    }
    match n {
        0 => Vec::new(),
        1 => items.last().cloned().into_iter().collect(),
        _ => (0..n)
            .map(|k| items[k * (items.len() - 1) / (n - 1)].clone())
            .collect(),
    }
}

/// Checks each sampled commit's tree; one snapshot per commit, as a saved report would be.
pub fn snapshots(settings: &Settings, name: &str, n: usize) -> Result<Vec<ReportDoc>> {
    let repo = Repo::discover(&settings.cwd)?;
    let commits = sample(&repo, n)?;
    if commits.is_empty() {
        return Ok(Vec::new());
    }
    let policies = crate::load_policies(settings)?;
    let known = crate::suppress::KnownRules::of(&policies.rules);
    let plan = Plan::compile_for(policies.rules, 1_000)?;
    let engine = Engine::new(&plan, settings).known_rules(known);
    let excludes = crate::excludes(settings)?;
    let mut out = Vec::new();
    for commit in commits {
        let entries = tree_entries(&repo, &commit.id, settings.max_file_size, excludes.as_ref())?;
        let files = FileSet::from_entries(&entries);
        let run = engine.run(&entries, &files, None);
        let mut report = Report {
            findings: run.findings,
            suppressed: run.suppressed,
            rules: plan.rules.iter().map(RuleInfo::from).collect(),
            repository: Some(RepositoryInfo {
                name: name.to_string(),
                commit: Some(commit.id.clone()),
                commit_date: Some(commit.date.clone()),
                shard: None,
            }),
            ..Report::default()
        };
        report.summary.files_scanned = run.stats.files_scanned;
        report.tally();
        out.push(reparse(&report, &commit.id)?);
    }
    Ok(out)
}

/// The report through the JSON v1 contract, as `--from` would read it: one input model.
pub fn reparse(report: &Report, what: &str) -> Result<ReportDoc> {
    let mut bytes = Vec::new();
    crate::report::json::write(report, &mut bytes).map_err(|e| crate::Error::io(what, e))?;
    input::parse(what, &String::from_utf8_lossy(&bytes))
}

/// The regular files of `commit`'s tree (no symlinks or submodules), read into memory, minus
/// the config's excludes and files over the size limit.
fn tree_entries(
    repo: &Repo,
    commit: &str,
    max_size: u64,
    excludes: Option<&crate::source::walk::Excludes>,
) -> Result<Vec<Entry>> {
    let listing = repo.git(&["ls-tree", "-r", "-z", "--full-tree", commit])?;
    let mut wanted: Vec<(String, String)> = Vec::new();
    for record in split_nul(&listing) {
        let Some((meta, path)) = record.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split(' ');
        let (Some(mode), Some("blob"), Some(oid)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let regular = mode == "100644" || mode == "100755";
        let excluded = excludes.is_some_and(|x| x.globs.is_match(path));
        if regular && !excluded {
            wanted.push((oid.to_string(), path.to_string()));
        }
    }
    let oids: Vec<&str> = wanted.iter().map(|(o, _)| o.as_str()).collect();
    let size_of = sizes(&repo.toplevel, &oids)?;
    wanted.retain(|(oid, _)| size_of.get(oid).is_some_and(|&s| s <= max_size));
    let oids: Vec<&str> = wanted.iter().map(|(o, _)| o.as_str()).collect();
    let mut entries = Vec::with_capacity(wanted.len());
    read_blobs(&repo.toplevel, &oids, |i, bytes| {
        entries.push(Entry::in_memory(&wanted[i].1, Arc::from(bytes)));
    })?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::pick_evenly;

    #[test]
    fn picks_evenly_with_both_ends() {
        assert_eq!(pick_evenly((0..10).collect(), 3), [0, 4, 9]);
        assert_eq!(pick_evenly((0..2).collect(), 5), [0, 1]);
        assert_eq!(pick_evenly((0..10).collect(), 1), [9]);
    }
}
