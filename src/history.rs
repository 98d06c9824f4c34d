//! `guardrail history`: the secrets a repository ever committed. The history source lists each
//! distinct blob once with every commit and path that added it; each blob is scanned once, by
//! the rules that apply to history ([`crate::policy::Rule::runs_on_history`]); findings with
//! the same rule and matched content are merged into one, attributed to the earliest commit
//! that added it, with the count and list of every place it appears.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::engine::{Engine, FileResult};
use crate::error::{Error, Result};
use crate::finding::{self, Finding};
use crate::plan::Plan;
use crate::report::{Provenance, Report, RuleInfo, SkippedFile, Summary};
use crate::source::git::Repo;
use crate::source::history::{self as source, BlobRead, History, NewBlob};
use crate::source::lineage::{AddedLines, Lineage};
use crate::source::{archive, Entry, FileSet, SkipReason};
use crate::suppress;
use crate::Settings;

/// What to walk.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// Revisions and ranges as `git log` takes them; empty: every branch and tag.
    pub revisions: Vec<String>,
    /// One finding per commit and path a secret was added at (`--all-occurrences`), instead
    /// of one per secret with its places.
    pub all_occurrences: bool,
}

/// Blob bytes read but not yet scanned, at most: bounded memory while reading runs ahead.
const IN_FLIGHT_BYTES: usize = 64 * 1024 * 1024;

/// Scans the history; returns the report with one finding per distinct leak. An error when no
/// loaded rule applies to history.
pub fn check(settings: &Settings, opts: &HistoryOptions) -> Result<Report> {
    check_optional(settings, opts)?.ok_or_else(|| {
        Error::Usage(
            "no rule applies to history (secret, private-key, credential-file and personal-data rules do by default; \
             set `history = true` on a rule to add it)"
                .into(),
        )
    })
}

/// As [`check`], but `None` when no loaded rule applies to history.
pub fn check_optional(settings: &Settings, opts: &HistoryOptions) -> Result<Option<Report>> {
    let started = Instant::now();
    let repo = Repo::discover(&settings.cwd)?;
    let mut policies = crate::load_policies(settings)?;
    let mut known = suppress::KnownRules::of(&policies.rules);
    policies.rules.retain(|r| r.enabled && r.runs_on_history());
    known.set_running(&policies.rules);
    if policies.rules.is_empty() {
        return Ok(None);
    }
    // Compiled before the walk (the blobs are scanned while it goes on), so sized for many.
    let plan = Plan::compile(policies.rules)?;
    // The baseline lists merged findings, so it is applied after merging, below.
    let engine = Engine::new(&plan, settings).known_rules(known).without_baseline();
    let mut summary = Summary::default();
    let (history, scanned) = scan_history(
        &repo,
        &opts.revisions,
        (&plan, &engine),
        settings.max_file_size,
        &mut summary,
    )?;
    let raw = opts
        .all_occurrences
        .then(|| (scanned.findings.clone(), scanned.suppressed.clone()));
    let (mut findings, mut provenance) = merge(scanned.findings, &scanned.origins, &history);
    let (mut suppressed, suppressed_provenance) = merge(scanned.suppressed, &scanned.origins, &history);
    provenance.extend(suppressed_provenance);
    let mut introduced = is_range(&opts.revisions).then(|| Introduced::new(&repo));
    if let Some(introduced) = &mut introduced {
        for list in [&mut findings, &mut suppressed] {
            introduced.retain(list, |f| {
                provenance.get(&f.fingerprint).map(|p| p.commit.id.clone())
            })?;
        }
        provenance.retain(|fp, _| findings.iter().chain(&suppressed).any(|f| f.fingerprint == *fp));
    }
    let mut report = Report {
        findings,
        suppressed,
        rules: plan.rules.iter().map(RuleInfo::from).collect(),
        summary,
        provenance,
        // History paths are repository paths, whatever the working directory.
        repo: crate::report::RepoPaths {
            cwd: repo.toplevel.clone(),
            root: repo.toplevel.clone(),
        },
        ..Report::default()
    };
    if let Some(baseline) = &settings.baseline {
        suppress::baseline::apply(&mut report, baseline, settings);
    }
    if let Some((found, silenced)) = raw {
        let mut found = each_occurrence(found, &scanned.found_in, &history);
        let mut silenced = each_occurrence(silenced, &scanned.suppressed_in, &history);
        if let Some(introduced) = &mut introduced {
            for list in [&mut found, &mut silenced] {
                let mut kept = Vec::with_capacity(list.len());
                for (f, commit) in list.drain(..) {
                    let id = history
                        .commits
                        .get(commit)
                        .map(|c| c.id.as_str())
                        .unwrap_or_default();
                    if introduced.added(&f, id)? {
                        kept.push((f, commit));
                    }
                }
                *list = kept;
            }
        }
        list_each_occurrence(&mut report, found, silenced, &history);
    }
    report.tally();
    report.summary.duration_ms = started.elapsed().as_millis() as u64;
    report.summary.commits_scanned = Some(history.commits_walked);
    Ok(Some(report))
}

/// Whether `revisions` leave commits out (`A..B`, `A...B`, `^A`, `--not`): a version whose
/// predecessor lies outside them is scanned whole.
fn is_range(revisions: &[String]) -> bool {
    revisions
        .iter()
        .any(|r| r.contains("..") || r.starts_with('^') || r == "--not")
}

/// Over a range, a version whose predecessor lies outside it is scanned whole, so a secret
/// older than the range would be charged to the commit in it that merely edited other lines,
/// renamed or copied the file. Keeps the findings on lines their commit's own diff adds, as
/// `check --diff` keeps a pull request's (one `git diff` per commit asked about).
struct Introduced<'r> {
    repo: &'r Repo,
    per_commit: HashMap<String, HashMap<String, crate::source::diff::FileChange>>,
}

impl<'r> Introduced<'r> {
    fn new(repo: &'r Repo) -> Self {
        Self {
            repo,
            per_commit: HashMap::new(),
        }
    }

    /// Whether `commit`'s own diff adds the line `f` is on.
    fn added(&mut self, f: &Finding, commit: &str) -> Result<bool> {
        if !self.per_commit.contains_key(commit) {
            let files = crate::source::diff::of_commit(self.repo, commit)?;
            self.per_commit.insert(commit.to_string(), files);
        }
        Ok(self
            .per_commit
            .get(commit)
            .is_some_and(|files| crate::source::diff::covered(files, f)))
    }

    /// Keeps the findings of `list` whose commit (`commit_of`) adds their line.
    fn retain(
        &mut self,
        list: &mut Vec<Finding>,
        commit_of: impl Fn(&Finding) -> Option<String>,
    ) -> Result<()> {
        let mut kept = Vec::with_capacity(list.len());
        for f in list.drain(..) {
            let keep = match commit_of(&f) {
                Some(commit) => self.added(&f, &commit)?,
                None => true,
            };
            if keep {
                kept.push(f);
            }
        }
        *list = kept;
        Ok(())
    }
}

/// Which blobs a finding's content was found in: (rule, path, content hash) -> the blobs, and
/// which of each blob's places the scan that found it speaks for.
type Origins = HashMap<(String, String, String), Vec<(usize, Places)>>;

/// Which places of a blob one scan of it speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Places {
    /// Every place (the blob's scan).
    All,
    /// Those at the finding's path (path rules under a later name of the blob).
    AtPath,
    /// Those where the blob was a new file (a whole rescan of a blob first scanned for the
    /// lines it added: a copy or rename added all of it).
    NewFiles,
}

/// A merged finding: the earliest commit index, the finding there, and every (commit, path).
type Group = (usize, Finding, Vec<(usize, String)>);

/// The findings of every blob (not yet merged) and where each came from.
struct Scanned {
    findings: Vec<Finding>,
    suppressed: Vec<Finding>,
    origins: Origins,
    /// The blob each of `findings` was found in, and the places that scan speaks for.
    found_in: Vec<(usize, Places)>,
    /// The same for `suppressed`.
    suppressed_in: Vec<(usize, Places)>,
}

/// Walks the history and scans each blob as soon as it is read: the git pipeline
/// ([`source::walk_and_read`]) runs on one thread while the others scan, and at most
/// [`IN_FLIGHT_BYTES`] of read, unscanned blobs are held at a time. Blobs finish in no
/// particular order, so everything is counted and listed in blob order afterwards: the report
/// is the same bytes every run.
fn scan_history(
    repo: &Repo,
    revisions: &[String],
    (plan, engine): (&Plan, &Engine<'_>),
    max_file_size: u64,
    summary: &mut Summary,
) -> Result<(History, Scanned)> {
    let gate = ByteGate::new(IN_FLIGHT_BYTES);
    let done = &AtomicUsize::new(0);
    let (read_tx, read_rx) = std::sync::mpsc::channel::<(NewBlob, Arc<[u8]>)>();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<Scan>>();
    let (walked, mut skipped, mut scans) = std::thread::scope(|s| {
        let gate = &gate;
        let reader = s.spawn(move || {
            let mut skipped = Vec::new();
            let walked = source::walk_and_read(&repo.toplevel, revisions, max_file_size, |blob, read| {
                let path = || blob.path.clone();
                match read {
                    BlobRead::Content(bytes) => {
                        gate.acquire(bytes.len());
                        // A closed channel means the scanners are gone; the walk just finishes.
                        let _ = read_tx.send((blob.clone(), bytes));
                    }
                    BlobRead::TooLarge => skipped.push((blob.index, path(), SkipReason::TooLarge)),
                    BlobRead::Missing => skipped.push((blob.index, path(), SkipReason::Unreadable)),
                }
            });
            (walked, skipped)
        });
        // Comparing each version with the one before it takes a thread of its own, so reading
        // from git goes on meanwhile; it sees the blobs in history order, as it must.
        s.spawn(move || compare_in_order(plan, read_rx, tx, done));
        let scanners_done = CloseOnDrop(gate);
        let scans: Vec<(usize, FileResult, bool)> = rx
            .into_iter()
            .par_bridge()
            .flat_map_iter(|batch| {
                let scanned: Vec<_> = batch
                    .into_iter()
                    .map(|(blob, path, bytes, work)| {
                        let partial = matches!(work, Work::Added(_));
                        let file = scan_blob(engine, &path, &bytes, work);
                        gate.release(bytes.len());
                        (blob, file, partial)
                    })
                    .collect();
                done.fetch_add(1, Ordering::Release);
                scanned
            })
            .collect();
        drop(scanners_done);
        let (walked, skipped) = reader.join().unwrap_or_else(|_| {
            let panicked = Err(Error::Git("history reader panicked".into()));
            (panicked, Vec::new())
        });
        (walked, skipped, scans)
    });
    let history = walked?;
    skipped.sort_unstable_by_key(|(blob, _, _)| *blob);
    for (_, path, reason) in &skipped {
        skip(summary, path, *reason);
    }
    scans.sort_unstable_by_key(|(blob, _, _)| *blob);
    let renamed: Vec<Vec<FileResult>> = scans
        .par_iter()
        .map(|(blob, _, _)| other_paths(engine, &history, *blob))
        .collect();
    let copied = copies_scanned_whole(repo, engine, &history, &scans)?;
    let mut out = Scanned {
        findings: Vec::new(),
        suppressed: Vec::new(),
        origins: HashMap::new(),
        found_in: Vec::new(),
        suppressed_in: Vec::new(),
    };
    for ((blob, file, _), renamed) in scans.into_iter().zip(renamed) {
        out.add(blob, file, Places::All, summary);
        for file in renamed {
            out.add(blob, file, Places::AtPath, summary);
        }
    }
    for (blob, file) in copied {
        out.add(blob, file, Places::NewFiles, summary);
    }
    Ok((history, out))
}

/// Whole scans of the blobs first scanned for the lines they added that a later commit added
/// as a new file (a copy, or a rename: git's raw output without rename detection lists the
/// new name as added), so each secret in them is placed at the new path too. Read again from
/// git; only those with findings are returned.
fn copies_scanned_whole(
    repo: &Repo,
    engine: &Engine<'_>,
    history: &History,
    scans: &[(usize, FileResult, bool)],
) -> Result<Vec<(usize, FileResult)>> {
    let copied: Vec<(usize, &str)> = scans
        .iter()
        .filter(|(_, _, partial)| *partial)
        .filter_map(|(blob, _, _)| {
            let places = &history.blobs[*blob].places;
            let copy = places[1..].iter().find(|p| p.new_file)?;
            Some((*blob, copy.path.as_str()))
        })
        .collect();
    if copied.is_empty() {
        return Ok(Vec::new());
    }
    let oids: Vec<&str> = copied
        .iter()
        .map(|(b, _)| history.blobs[*b].oid.as_str())
        .collect();
    let mut out = Vec::new();
    source::read_blobs(&repo.toplevel, &oids, |i, bytes| {
        let (blob, path) = copied[i];
        let entry = Entry::in_memory(path, Arc::from(bytes));
        let file = engine.check_file(&entry, &FileSet::from_entries(std::slice::from_ref(&entry)));
        if !file.findings.is_empty() || !file.suppressed.is_empty() {
            out.push((blob, file));
        }
    })?;
    Ok(out)
}

/// A blob to scan: its index, path, bytes and how.
type Scan = (usize, String, Arc<[u8]>, Work);

/// Blobs and bytes handed to a scanner at once, at most: one wake-up per batch, not per blob.
const BATCH_BLOBS: usize = 32;
const BATCH_BYTES: usize = 1 << 20;

/// How long a batch waits for the next blob while every scanner is busy.
const BATCH_WAIT: std::time::Duration = std::time::Duration::from_millis(1);

/// The comparison stage: decides each blob's [`Work`] in history order and passes blobs on in
/// batches. A batch waits for more blobs only while every scanner is busy (`done` counts the
/// batches scanned), and never longer than [`BATCH_WAIT`]: batching never starves a scanner,
/// and never keeps the reader waiting on bytes held back.
fn compare_in_order(
    plan: &Plan,
    read: std::sync::mpsc::Receiver<(NewBlob, Arc<[u8]>)>,
    scan: std::sync::mpsc::Sender<Vec<Scan>>,
    done: &AtomicUsize,
) {
    use std::sync::mpsc::RecvTimeoutError;
    let scanners = rayon::current_num_threads();
    let mut lineage = Lineage::default();
    let mut batch: Vec<Scan> = Vec::with_capacity(BATCH_BLOBS);
    let (mut batch_bytes, sent) = (0, std::cell::Cell::new(0usize));
    let flush = |batch: &mut Vec<Scan>, batch_bytes: &mut usize| {
        *batch_bytes = 0;
        sent.set(sent.get() + 1);
        scan.send(std::mem::take(batch)).is_ok()
    };
    let mut next = read.recv().ok();
    while let Some((blob, bytes)) = next {
        batch_bytes += bytes.len();
        let work = work_for(plan, &mut lineage, &blob, &bytes);
        batch.push((blob.index, blob.path, bytes, work));
        next = read.try_recv().ok();
        let busy = sent.get().saturating_sub(done.load(Ordering::Acquire)) >= scanners;
        let full = batch.len() >= BATCH_BLOBS || batch_bytes >= BATCH_BYTES;
        if (full || next.is_none() && !busy) && !flush(&mut batch, &mut batch_bytes) {
            return;
        }
        if next.is_some() {
            continue;
        }
        next = match read.recv_timeout(BATCH_WAIT) {
            Ok(item) => Some(item),
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => {
                if !batch.is_empty() && !flush(&mut batch, &mut batch_bytes) {
                    return;
                }
                read.recv().ok()
            }
        };
    }
    if !batch.is_empty() {
        let _ = scan.send(batch);
    }
}

/// How a blob is scanned.
enum Work {
    /// Whole, with the keyword ids of its text when they were found while reading.
    Whole(Option<Arc<[bool]>>),
    /// For the lines it added over the version before it at its path.
    Added(AddedLines),
}

/// Decides how a blob just read is scanned (on the reader thread, in history order, so each
/// version's predecessor has been remembered before it).
fn work_for(plan: &Plan, lineage: &mut Lineage, blob: &NewBlob, bytes: &Arc<[u8]>) -> Work {
    if archive::kind_of(&blob.path).is_some() {
        return Work::Whole(None);
    }
    let (added, keywords) = lineage.added(&blob.oid, blob.parent.as_deref(), bytes, |text| {
        plan.keyword_ids(text)
    });
    match added {
        Some(added) => Work::Added(added),
        None => Work::Whole(keywords),
    }
}

/// Scans one blob read from history. A version that changed a file is scanned first for the
/// lines it added (with a few lines around them); only when that finds something is the whole
/// version scanned, and its findings kept on the added lines: a secret a commit did not touch
/// was added, and is reported, by the commit that did.
fn scan_blob(engine: &Engine<'_>, path: &str, bytes: &Arc<[u8]>, work: Work) -> FileResult {
    let whole = Entry::in_memory(path, Arc::clone(bytes));
    let one = |entry: &Entry| FileSet::from_entries(std::slice::from_ref(entry));
    match work {
        Work::Whole(Some(keywords)) => engine.check_with_keywords(&whole, &one(&whole), &keywords),
        Work::Whole(None) => engine.check_file(&whole, &one(&whole)),
        Work::Added(added) => {
            let lines = Entry::in_memory(path, Arc::clone(&added.text));
            let first = engine.check_with_keywords(&lines, &one(&lines), &added.keywords);
            if first.findings.is_empty() && first.suppressed.is_empty() {
                return first;
            }
            let mut file = engine.check_file(&whole, &one(&whole));
            // Path rules' findings (no snippet) belong to every version.
            let on_added = |f: &Finding| f.snippet.is_none() || added.holds(&f.location);
            file.findings.retain(on_added);
            file.suppressed.retain(on_added);
            file
        }
    }
}

impl Scanned {
    /// Adds one scan of blob `blob`, speaking for its `places`.
    fn add(&mut self, blob: usize, file: FileResult, places: Places, summary: &mut Summary) {
        if places != Places::NewFiles {
            count(summary, &file, places == Places::AtPath);
        }
        for f in file.findings.iter().chain(&file.suppressed) {
            let key = (f.rule.clone(), f.path.clone(), f.content_hash.clone());
            self.origins.entry(key).or_default().push((blob, places));
        }
        self.found_in.extend(file.findings.iter().map(|_| (blob, places)));
        self.suppressed_in
            .extend(file.suppressed.iter().map(|_| (blob, places)));
        self.findings.extend(file.findings);
        self.suppressed.extend(file.suppressed);
    }
}

/// Path rules for every other path blob `blob` was committed under (a key committed as
/// `notes.txt`, then renamed `id_rsa`): only those with findings. Path rules read no content,
/// so the blob is not needed again.
fn other_paths(engine: &Engine<'_>, history: &History, blob: usize) -> Vec<FileResult> {
    let places = &history.blobs[blob].places;
    let mut seen = vec![places[0].path.as_str()];
    let mut out = Vec::new();
    for place in &places[1..] {
        if seen.contains(&place.path.as_str()) {
            continue;
        }
        seen.push(&place.path);
        let entry = Entry::in_memory(&place.path, Arc::from(&[][..]));
        let file = engine.check_path(&entry, &FileSet::from_entries(std::slice::from_ref(&entry)));
        if !file.findings.is_empty() || !file.suppressed.is_empty() {
            out.push(file);
        }
    }
    out
}

/// A bound on the bytes read ahead of the scanners: the reader waits while more than the limit
/// is held (a single blob over the limit still passes, alone). Once closed (the scanners are
/// done, or unwinding), nothing waits any more.
struct ByteGate {
    limit: usize,
    /// Bytes held, and whether the gate is closed.
    state: std::sync::Mutex<(usize, bool)>,
    freed: std::sync::Condvar,
}

impl ByteGate {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            state: std::sync::Mutex::new((0, false)),
            freed: std::sync::Condvar::new(),
        }
    }

    fn acquire(&self, bytes: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while !state.1 && state.0 > 0 && state.0 + bytes > self.limit {
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.0 += bytes;
    }

    fn release(&self, bytes: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 = state.0.saturating_sub(bytes);
        self.freed.notify_one();
    }

    fn close(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1 = true;
        self.freed.notify_all();
    }
}

/// Closes the gate when dropped, so a reader never waits on scanners that are gone.
struct CloseOnDrop<'a>(&'a ByteGate);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Counts one scan of a blob (and its archive members) in the summary.
fn count(summary: &mut Summary, file: &FileResult, path_only: bool) {
    let outcome = &file.outcome;
    match outcome.skipped {
        Some(reason) => skip(summary, &file.path, reason),
        None if !path_only => summary.files_scanned += 1,
        None => {}
    }
    summary.files_scanned += outcome.members;
    for (path, reason) in &outcome.member_skips {
        skip(summary, path, *reason);
    }
    for bound in &outcome.bounds {
        *summary.bounds.entry(bound.clone()).or_default() += 1;
    }
}

/// The part of a finding's path after the blob's path: `!inner/path` for an archive member
/// found in the blob scanned as `blob_path`, else empty.
fn member_suffix<'a>(path: &'a str, blob_path: &str) -> &'a str {
    path.strip_prefix(blob_path)
        .filter(|rest| rest.starts_with('!'))
        .unwrap_or("")
}

/// Every (commit, path) where blob `b` put the content of a finding at `path`.
fn places_of<'a>(
    history: &'a History,
    b: usize,
    path: &'a str,
    which: Places,
) -> impl Iterator<Item = (usize, String)> + 'a {
    let places = &history.blobs[b].places;
    let suffix = member_suffix(path, &places[0].path);
    places
        .iter()
        .filter(move |p| match which {
            Places::All => true,
            Places::AtPath => p.path == path,
            Places::NewFiles => p.new_file,
        })
        .map(move |p| (p.commit, format!("{}{suffix}", p.path)))
}

/// `--all-occurrences`: each raw finding once per (commit, path) its blob was added at, with
/// that commit; equal findings at the same place are one.
fn each_occurrence(
    findings: Vec<Finding>,
    found_in: &[(usize, Places)],
    history: &History,
) -> Vec<(Finding, usize)> {
    let mut out: Vec<(Finding, usize)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (f, &(b, which)) in findings.into_iter().zip(found_in) {
        for (commit, path) in places_of(history, b, &f.path, which) {
            let key = (
                f.rule.clone(),
                f.content_hash.clone(),
                commit,
                path.clone(),
                f.location,
            );
            if seen.insert(key) {
                let mut g = f.clone();
                g.path.clone_from(&path);
                g.repo_path = path;
                out.push((g, commit));
            }
        }
    }
    out
}

/// Replaces the report's merged findings with one per occurrence: a finding the baseline
/// silenced stays silenced at every place; each gets a fingerprint of its own place and commit.
fn list_each_occurrence(
    report: &mut Report,
    found: Vec<(Finding, usize)>,
    silenced: Vec<(Finding, usize)>,
    history: &History,
) {
    let baselined = baselined(report);
    let stale: Vec<Finding> = report
        .findings
        .drain(..)
        .filter(|f| f.rule == crate::meta::STALE_BASELINE)
        .collect();
    report.suppressed.clear();
    report.provenance.clear();
    let mut all: Vec<(Finding, usize)> = found.into_iter().chain(silenced).collect();
    all.sort_by(|(a, ca), (b, cb)| {
        (&a.path, ca, a.location, &a.rule).cmp(&(&b.path, cb, b.location, &b.rule))
    });
    let mut seen: HashMap<(String, String, String, usize), usize> = HashMap::new();
    for (mut f, commit) in all {
        let Some(c) = history.commits.get(commit) else {
            continue;
        };
        let n = seen
            .entry((f.rule.clone(), f.path.clone(), f.content_hash.clone(), commit))
            .or_insert(0);
        f.fingerprint = occurrence_fingerprint(&f, &c.id, *n);
        *n += 1;
        let places = vec![(c.id.clone(), f.path.clone())];
        let commit = c.clone();
        report
            .provenance
            .insert(f.fingerprint.clone(), Provenance { commit, places });
        if f.suppressed.is_none() && baselined.contains(&(f.rule.clone(), f.content_hash.clone())) {
            f.suppressed = Some(finding::Suppression::Baseline);
        }
        match f.suppressed {
            Some(_) => report.suppressed.push(f),
            None => report.findings.push(f),
        }
    }
    report.findings.extend(stale);
}

/// (rule, content hash) of the findings the baseline silenced.
fn baselined(report: &Report) -> std::collections::HashSet<(String, String)> {
    report
        .suppressed
        .iter()
        .filter(|f| f.suppressed == Some(finding::Suppression::Baseline))
        .map(|f| (f.rule.clone(), f.content_hash.clone()))
        .collect()
}

/// The fingerprint of one occurrence: its place and commit, the matched content's hash and its
/// index among equal contents there.
fn occurrence_fingerprint(f: &Finding, commit: &str, n: usize) -> String {
    let place = format!("{}@{commit}", f.repo_path);
    finding::fingerprint_of(&f.rule, &place, &f.content_hash, Some(n))
}

fn skip(summary: &mut Summary, path: &str, reason: SkipReason) {
    *summary.skipped.entry(reason.as_str().to_string()).or_default() += 1;
    summary.skipped_files.push(SkippedFile {
        path: path.to_string(),
        reason: reason.as_str(),
    });
}

/// Merges findings of the same rule and content into one, at the earliest place any of their
/// blobs was added; returns them with each one's provenance, keyed by fingerprint.
fn merge(
    findings: Vec<Finding>,
    origins: &Origins,
    history: &History,
) -> (Vec<Finding>, BTreeMap<String, Provenance>) {
    // Each merged finding: the finding at its earliest place, and every (commit, path).
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    // The places of a finding depend only on (rule, path, content): the same secret found in
    // each of a file's many versions is one lookup, not one per version (that was quadratic).
    // A repeat changes nothing below: the same places, and not an earlier one to keep.
    let mut placed: std::collections::HashSet<(String, String, String)> = std::collections::HashSet::new();
    for f in findings {
        let key = (f.rule.clone(), f.path.clone(), f.content_hash.clone());
        if !placed.insert(key.clone()) {
            continue;
        }
        let blobs = origins.get(&key).map(Vec::as_slice).unwrap_or_default();
        let mut where_: Vec<(usize, String)> = blobs
            .iter()
            .flat_map(|&(b, which)| places_of(history, b, &f.path, which))
            .collect();
        where_.sort();
        where_.dedup();
        let earliest = where_.first().map_or(usize::MAX, |(c, _)| *c);
        let key = (f.rule.clone(), f.content_hash.clone());
        match groups.get_mut(&key) {
            Some((first, kept, all)) => {
                if earliest < *first {
                    *first = earliest;
                    *kept = f;
                }
                all.extend(where_);
            }
            None => {
                groups.insert(key, (earliest, f, where_));
            }
        }
    }
    let mut out = Vec::with_capacity(groups.len());
    let mut provenance = BTreeMap::new();
    let mut pending = Vec::new();
    for (_, (first, mut f, mut all)) in groups {
        all.sort();
        all.dedup();
        if let Some((_, path)) = all.iter().find(|(c, _)| *c == first) {
            f.path = path.clone();
            f.repo_path = path.clone();
        }
        pending.push((f, first, all));
    }
    let mut only: Vec<Finding> = pending.iter().map(|(f, _, _)| f.clone()).collect();
    crate::report::sort(&mut only);
    finding::assign_fingerprints(&mut only);
    let by_key: HashMap<(String, String, String), String> = only
        .iter()
        .map(|f| {
            (
                (f.rule.clone(), f.path.clone(), f.content_hash.clone()),
                f.fingerprint.clone(),
            )
        })
        .collect();
    for (mut f, first, all) in pending {
        let key = (f.rule.clone(), f.path.clone(), f.content_hash.clone());
        f.fingerprint = by_key.get(&key).cloned().unwrap_or_default();
        if let Some(commit) = history.commits.get(first) {
            provenance.insert(
                f.fingerprint.clone(),
                Provenance {
                    commit: commit.clone(),
                    places: all
                        .iter()
                        .filter_map(|(c, p)| history.commits.get(*c).map(|c| (c.id.clone(), p.clone())))
                        .collect(),
                },
            );
        }
        out.push(f);
    }
    crate::report::sort(&mut out);
    (out, provenance)
}
