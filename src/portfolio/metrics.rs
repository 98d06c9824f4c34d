//! From snapshots (parsed reports) to the portfolio: merge shards, pick each repository's
//! latest snapshot, score and attribute every finding, count, and keep the top lists.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::age::{self, Blames};
use super::codeowners::{Codeowners, UNOWNED};
use super::input::{FindingDoc, ReportDoc};
use super::model::*;
use super::priority;

/// What git and CODEOWNERS add to the findings of the repository being checked.
#[derive(Default)]
pub struct Enrichment {
    /// Owners of paths (`None`: the repository has no CODEOWNERS).
    pub owners: Option<Codeowners>,
    /// Blames of matched lines and suppression comments.
    pub blames: Blames,
    /// Reference time for ages (`HEAD`'s commit time).
    pub as_of: Option<i64>,
    /// The working directory relative to the repository root (`sub/`, empty at the root):
    /// report paths are relative to the working directory, CODEOWNERS patterns to the root.
    pub path_prefix: String,
    /// The repository the blames (and discovered owners) describe: the checkout the report
    /// runs in. `None`: every repository (owners given with `--codeowners`).
    pub repository: Option<String>,
    /// The owners hold for every repository (a CODEOWNERS named with `--codeowners`).
    pub owners_everywhere: bool,
}

impl Enrichment {
    /// Whether the owners apply to findings of `repository`.
    fn owns(&self, repository: &str) -> bool {
        self.owners.is_some() && (self.owners_everywhere || self.applies_to(repository))
    }

    /// Whether what was learned from the checkout applies to findings of `repository`.
    fn applies_to(&self, repository: &str) -> bool {
        self.repository.as_deref().is_none_or(|r| r == repository)
    }

    /// The blame of `line` of `path` in `repository`.
    fn blame(&self, repository: &str, path: &str, line: usize) -> Option<&age::Blame> {
        if !self.applies_to(repository) {
            return None;
        }
        self.blames.get(&(path.to_string(), line))
    }
}

/// What the portfolio shows.
pub struct Options {
    /// Heading.
    pub title: String,
    /// Length of the "fix these first" and "oldest debt" lists.
    pub top: usize,
}

/// One finding of a latest snapshot, attributed and scored.
struct Item<'a> {
    repository: &'a str,
    finding: &'a FindingDoc,
    status: Status,
    owners: Vec<String>,
    score: f64,
}

/// Builds the portfolio from every snapshot, in the order given.
pub fn build(snapshots: Vec<ReportDoc>, enrich: &Enrichment, opts: &Options) -> Portfolio {
    let merged = merge_shards(snapshots);
    let trend = trend(&merged);
    let latest = latest_per_repository(merged);
    let items: Vec<Item> = latest.iter().flat_map(|s| items_of(&s.doc, enrich)).collect();
    let many = latest.len() > 1;
    let view = |i: &Item| view_of(i, enrich);
    let fix_first = highest(&items, opts.top, |a, b| {
        b.score.total_cmp(&a.score).then_with(|| order(a, b))
    });
    Portfolio {
        title: opts.title.clone(),
        as_of: latest
            .iter()
            .filter_map(|s| s.commit_date())
            .max()
            .map(str::to_string),
        codeowners: enrich.owners.as_ref().map(|o| o.file.clone()),
        totals: totals(&latest, &items),
        repositories: latest.iter().map(|s| repository_row(s, &items)).collect(),
        by_category: rows(&items, |i| vec![i.finding.category.clone()], None),
        by_severity: rows(&items, |i| vec![i.finding.severity.clone()], None),
        by_context: rows(&items, |i| vec![i.finding.context.clone()], None),
        by_owner: rows(&items, |i| owner_keys(i, enrich), None),
        by_rule: rows(&items, |i| vec![i.finding.rule.clone()], Some(LIST_LIMIT)),
        by_directory: rows(&items, |i| vec![directory_key(i, many)], Some(LIST_LIMIT)),
        fix_first: fix_first.iter().map(|i| view(i)).collect(),
        debt: debt(&items, enrich, opts.top),
        trend,
    }
}

/// The first `n` of `items` in the order `cmp` defines, without sorting them all.
fn highest<'i, 'a>(
    items: &'i [Item<'a>],
    n: usize,
    cmp: impl Fn(&Item, &Item) -> std::cmp::Ordering,
) -> Vec<&'i Item<'a>> {
    if n == 0 {
        return Vec::new();
    }
    let mut all: Vec<&Item> = items.iter().collect();
    if all.len() > n {
        all.select_nth_unstable_by(n - 1, |a, b| cmp(a, b));
        all.truncate(n);
    }
    all.sort_by(|a, b| cmp(a, b));
    all
}

/// All reports of one repository at one commit (its shards), merged.
struct Snapshot {
    doc: ReportDoc,
    reports: usize,
}

impl Snapshot {
    fn name(&self) -> &str {
        self.doc.repository.as_ref().map_or("", |r| r.name.as_str())
    }
    fn commit_date(&self) -> Option<&str> {
        self.doc.repository.as_ref()?.commit_date.as_deref()
    }
}

/// Merges reports of the same repository and commit (the shards of one run): findings are
/// united by fingerprint, so a report given twice counts once; files add up per shard.
fn merge_shards(docs: Vec<ReportDoc>) -> Vec<Snapshot> {
    let mut out: Vec<Snapshot> = Vec::new();
    let mut index: HashMap<(String, Option<String>), usize> = HashMap::new();
    let mut shards_seen: Vec<HashSet<Option<usize>>> = Vec::new();
    for doc in docs {
        let repo = doc.repository.clone().unwrap_or_default();
        let shard = repo.shard.map(|s| s.index);
        let key = (repo.name.clone(), repo.commit.clone());
        let Some(&i) = index.get(&key).filter(|_| repo.commit.is_some()) else {
            index.insert(key, out.len());
            shards_seen.push(HashSet::from([shard]));
            out.push(Snapshot { doc, reports: 1 });
            continue;
        };
        let target = &mut out[i];
        if shards_seen[i].insert(shard) {
            target.doc.summary.files_scanned += doc.summary.files_scanned;
            target.reports += 1;
        }
        let known: HashSet<String> = target
            .doc
            .findings
            .iter()
            .map(|f| f.fingerprint.clone())
            .collect();
        target.doc.findings.extend(
            doc.findings
                .into_iter()
                .filter(|f| !known.contains(&f.fingerprint)),
        );
        let known: HashSet<String> = target
            .doc
            .suppressed_findings
            .iter()
            .map(|f| f.finding.fingerprint.clone())
            .collect();
        target.doc.suppressed_findings.extend(
            doc.suppressed_findings
                .into_iter()
                .filter(|f| !known.contains(&f.finding.fingerprint)),
        );
    }
    for s in out.iter_mut().filter(|s| s.reports > 1) {
        // Merged shards, back in the order one report lists its findings.
        s.doc
            .findings
            .sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
        s.doc.suppressed_findings.sort_by(|a, b| {
            let (a, b) = (&a.finding, &b.finding);
            (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule))
        });
    }
    for s in &mut out {
        if let Some(r) = &mut s.doc.repository {
            r.shard = None;
        }
    }
    out
}

/// Snapshots in time order: by commit date, then as given.
fn in_time_order(snapshots: &[Snapshot]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..snapshots.len()).collect();
    order.sort_by(|&a, &b| {
        snapshots[a]
            .commit_date()
            .cmp(&snapshots[b].commit_date())
            .then(a.cmp(&b))
    });
    order
}

/// Each repository's newest snapshot, by name.
fn latest_per_repository(snapshots: Vec<Snapshot>) -> Vec<Snapshot> {
    let order = in_time_order(&snapshots);
    let mut newest: BTreeMap<String, usize> = BTreeMap::new();
    for i in order {
        newest.insert(snapshots[i].name().to_string(), i);
    }
    let keep: HashSet<usize> = newest.values().copied().collect();
    let mut out: Vec<Snapshot> = snapshots
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, s)| s)
        .collect();
    out.sort_by(|a, b| a.name().cmp(b.name()));
    out
}

/// The portfolio over time: after each snapshot (in time order), the sum over repositories of
/// their latest snapshot so far. Empty unless some repository has several snapshots.
fn trend(snapshots: &[Snapshot]) -> Vec<TrendPoint> {
    let mut per_name: HashMap<&str, usize> = HashMap::new();
    for s in snapshots {
        *per_name.entry(s.name()).or_default() += 1;
    }
    if per_name.values().all(|&n| n < 2) {
        return Vec::new();
    }
    let many = per_name.len() > 1;
    let mut current: BTreeMap<&str, TrendPoint> = BTreeMap::new();
    let mut out = Vec::new();
    for i in in_time_order(snapshots) {
        let s = &snapshots[i];
        current.insert(s.name(), point_of(s));
        let mut sum = TrendPoint {
            label: label_of(s, many),
            date: s.commit_date().map(str::to_string),
            ..TrendPoint::default()
        };
        for p in current.values() {
            sum.open += p.open;
            sum.baselined += p.baselined;
            sum.suppressed += p.suppressed;
            for (k, n) in &p.by_category {
                *sum.by_category.entry(k.clone()).or_default() += n;
            }
        }
        out.push(sum);
    }
    out
}

fn point_of(s: &Snapshot) -> TrendPoint {
    let mut p = TrendPoint {
        open: s.doc.findings.len(),
        ..TrendPoint::default()
    };
    for f in &s.doc.findings {
        *p.by_category.entry(f.category.clone()).or_default() += 1;
    }
    for f in &s.doc.suppressed_findings {
        if f.suppression.kind == "baseline" {
            p.baselined += 1;
        } else {
            p.suppressed += 1;
        }
    }
    p
}

fn label_of(s: &Snapshot, many: bool) -> String {
    let commit = s
        .doc
        .repository
        .as_ref()
        .and_then(|r| r.commit.as_deref())
        .unwrap_or("working tree");
    let short = commit.get(..8).unwrap_or(commit);
    if many {
        format!("{}@{short}", s.name())
    } else {
        short.to_string()
    }
}

/// The snapshot's findings, open and accepted, with owners and scores.
fn items_of<'a>(doc: &'a ReportDoc, enrich: &Enrichment) -> Vec<Item<'a>> {
    let name = doc.repository.as_ref().map_or("", |r| r.name.as_str());
    let open = doc.findings.iter().map(|f| (f, Status::Open));
    let accepted = doc.suppressed_findings.iter().map(|s| {
        let status = if s.suppression.kind == "baseline" {
            Status::Baselined
        } else {
            Status::Suppressed {
                reason: s.suppression.reason.clone(),
                line: s.suppression.line,
            }
        };
        (&s.finding, status)
    });
    open.chain(accepted)
        .map(|(finding, status)| Item {
            repository: name,
            owners: enrich
                .owners
                .as_ref()
                .filter(|_| enrich.owns(name))
                .map(|o| o.owners_of(&format!("{}{}", enrich.path_prefix, finding.path)))
                .unwrap_or_default(),
            score: priority::score(
                &finding.severity,
                &finding.category,
                &finding.context,
                &finding.path,
                &status,
            ),
            finding,
            status,
        })
        .collect()
}

fn order(a: &Item, b: &Item) -> std::cmp::Ordering {
    (a.repository, &a.finding.path, a.finding.line, &a.finding.rule).cmp(&(
        b.repository,
        &b.finding.path,
        b.finding.line,
        &b.finding.rule,
    ))
}

fn owner_keys(i: &Item, enrich: &Enrichment) -> Vec<String> {
    if !enrich.owns(i.repository) {
        vec!["(no CODEOWNERS)".to_string()]
    } else if i.owners.is_empty() {
        vec![UNOWNED.to_string()]
    } else {
        i.owners.clone()
    }
}

/// The first two directories of the path (`vendor/libc/`), `./` for top-level files; with
/// several repositories, prefixed by the repository's name.
fn directory_key(i: &Item, many: bool) -> String {
    let parts: Vec<&str> = i.finding.path.split('/').collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    let dir = if dirs.is_empty() {
        "./".to_string()
    } else {
        format!("{}/", dirs[..dirs.len().min(2)].join("/"))
    };
    if many {
        format!("{}: {dir}", i.repository)
    } else {
        dir
    }
}

/// Counts per key (an item may have several keys: owners), most first, then by key.
fn rows(items: &[Item], keys: impl Fn(&Item) -> Vec<String>, limit: Option<usize>) -> Vec<Row> {
    let mut counts: BTreeMap<String, Row> = BTreeMap::new();
    for i in items {
        for key in keys(i) {
            let row = counts.entry(key.clone()).or_insert_with(|| Row {
                key,
                ..Row::default()
            });
            if i.status == Status::Open {
                row.open += 1;
            } else {
                row.debt += 1;
            }
        }
    }
    let mut out: Vec<Row> = counts.into_values().collect();
    out.sort_by(|a, b| {
        (b.open + b.debt)
            .cmp(&(a.open + a.debt))
            .then_with(|| a.key.cmp(&b.key))
    });
    if let Some(n) = limit {
        out.truncate(n);
    }
    out
}

fn totals(latest: &[Snapshot], items: &[Item]) -> Totals {
    let mut t = Totals {
        repositories: latest.len(),
        files_scanned: latest.iter().map(|s| s.doc.summary.files_scanned).sum(),
        ..Totals::default()
    };
    for i in items {
        match &i.status {
            Status::Open => {
                t.open += 1;
                match i.finding.severity.as_str() {
                    "error" => t.errors += 1,
                    "warning" => t.warnings += 1,
                    _ => t.notes += 1,
                }
            }
            Status::Baselined => t.baselined += 1,
            Status::Suppressed { .. } => t.suppressed += 1,
        }
    }
    t
}

fn repository_row(s: &Snapshot, items: &[Item]) -> RepositoryRow {
    let repo = s.doc.repository.clone().unwrap_or_default();
    let mine = items.iter().filter(|i| i.repository == repo.name);
    let mut row = RepositoryRow {
        name: repo.name.clone(),
        commit: repo.commit,
        commit_date: repo.commit_date,
        reports: s.reports,
        files_scanned: s.doc.summary.files_scanned,
        ..RepositoryRow::default()
    };
    for i in mine {
        row.top_score = row.top_score.max(i.score);
        match i.status {
            Status::Open => {
                row.open += 1;
                row.errors += usize::from(i.finding.severity == "error");
            }
            Status::Baselined => row.baselined += 1,
            Status::Suppressed { .. } => row.suppressed += 1,
        }
    }
    row
}

fn dated(enrich: &Enrichment, repository: &str, path: &str, line: usize) -> Option<Dated> {
    let b = enrich.blame(repository, path, line)?;
    Some(Dated {
        commit: b.commit.clone(),
        author: b.author.clone(),
        date: age::date_of(b.time),
        age_days: enrich.as_of.map(|now| age::days_between(b.time, now)),
    })
}

fn view_of(i: &Item, enrich: &Enrichment) -> ItemView {
    let f = i.finding;
    let (reason, comment_line) = match &i.status {
        Status::Suppressed { reason, line } => (reason.clone(), *line),
        _ => (None, None),
    };
    ItemView {
        repository: i.repository.to_string(),
        rule: f.rule.clone(),
        category: f.category.clone(),
        severity: f.severity.clone(),
        context: f.context.clone(),
        path: f.path.clone(),
        line: f.line,
        message: f.message.clone(),
        owners: i.owners.clone(),
        status: i.status.as_str(),
        reason,
        exposed: priority::exposed(&f.path),
        score: i.score,
        introduced: dated(enrich, i.repository, &f.path, f.line),
        suppressed_by: comment_line.and_then(|l| dated(enrich, i.repository, &f.path, l)),
    }
}

/// Age buckets of dated debt.
const AGE_BUCKETS: &[(&str, i64)] = &[
    ("< 30 days", 30),
    ("30-90 days", 90),
    ("90-365 days", 365),
    ("> 1 year", i64::MAX),
];

fn debt(items: &[Item], enrich: &Enrichment, top: usize) -> Debt {
    let mut accepted: Vec<(&Item, Option<i64>)> = items
        .iter()
        .filter(|i| i.status != Status::Open)
        .map(|i| (i, age_of(i, enrich)))
        .collect();
    let mut ages: Vec<i64> = accepted.iter().filter_map(|(_, a)| *a).collect();
    let mut by_age: Vec<Row> = AGE_BUCKETS
        .iter()
        .map(|(k, _)| Row {
            key: k.to_string(),
            ..Row::default()
        })
        .collect();
    for &a in &ages {
        let bucket = AGE_BUCKETS
            .iter()
            .position(|(_, max)| a < *max)
            .unwrap_or(AGE_BUCKETS.len() - 1);
        by_age[bucket].debt += 1;
    }
    ages.sort_unstable();
    let count = |want: fn(&Status) -> bool| accepted.iter().filter(|(i, _)| want(&i.status)).count();
    let debt = Debt {
        baselined: count(|s| *s == Status::Baselined),
        suppressed: count(|s| matches!(s, Status::Suppressed { .. })),
        without_reason: count(|s| matches!(s, Status::Suppressed { reason: None, .. })),
        dated: ages.len(),
        median_age_days: ages.get(ages.len() / 2).copied(),
        by_age,
        oldest: Vec::new(),
    };
    // Oldest first; undated items after the dated ones, highest score first. Only the listed
    // ones become views: a large portfolio has tens of thousands of accepted findings.
    let by_age_then_score = |(a, age_a): &(&Item, Option<i64>), (b, age_b): &(&Item, Option<i64>)| {
        age_b
            .cmp(age_a)
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| order(a, b))
    };
    if top > 0 && accepted.len() > top {
        accepted.select_nth_unstable_by(top - 1, by_age_then_score);
    }
    accepted.truncate(top);
    accepted.sort_by(by_age_then_score);
    Debt {
        oldest: accepted.iter().map(|(i, _)| view_of(i, enrich)).collect(),
        ..debt
    }
}

/// Days since the matched line was written, when git blame knows.
fn age_of(i: &Item, enrich: &Enrichment) -> Option<i64> {
    let now = enrich.as_of?;
    let b = enrich.blame(i.repository, &i.finding.path, i.finding.line)?;
    Some(age::days_between(b.time, now))
}
