//! Git history as a source: every blob that a commit added or changed, read once however many
//! commits and paths hold it, with the commits that introduced it.
//!
//! Three git processes streamed into each other, so memory does not grow with the history's
//! size beyond one entry per distinct blob, and reading starts with the first commit: `git log
//! --raw -z` lists each commit's added blobs (oldest first, so the first place seen is where a
//! blob was introduced), `git cat-file --batch-check` gives each new blob's size, and `git
//! cat-file --batch` reads those within the size limit one at a time (larger ones are skipped
//! from their size, never read). git runs as [`super::git::command`] sets it up, with every
//! repository-configured program switched off (no fsmonitor, hooks, filters, textconv or
//! external diff).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Stdio};
use std::sync::Arc;

use crate::error::{Error, Result};

/// One commit, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Commit {
    /// Full object id.
    pub id: String,
    /// Author name.
    pub author: String,
    /// Author email.
    // guardrail:ignore privacy/unredacted-personal-data-field -- a commit's author email is public git metadata, and reporting who committed a secret is the point of history findings
    pub email: String,
    /// Author date, ISO 8601 (`%aI`).
    pub date: String,
    /// First line of the message.
    pub summary: String,
}

/// Where a blob appeared: a commit (index into [`History::commits`]) and the path in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Index of the commit in [`History::commits`].
    pub commit: usize,
    /// Repository path, `/`-separated.
    pub path: String,
    /// Whether the path held no file before (added, copied or renamed here), rather than
    /// another version of it.
    pub new_file: bool,
}

/// One distinct blob and every place it was added, earliest first.
#[derive(Debug, Clone)]
pub struct HistoryBlob {
    /// Object id.
    pub oid: String,
    /// Commits and paths that added it; never empty.
    pub places: Vec<Place>,
}

/// A distinct blob as the walk first meets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBlob {
    /// Index in [`History::blobs`].
    pub index: usize,
    /// Object id.
    pub oid: String,
    /// The path it was first added at.
    pub path: String,
    /// The blob at that path before the commit that first added this one (a changed file),
    /// `None` for a file added new.
    pub parent: Option<String>,
}

/// What a history walk found.
#[derive(Debug, Default)]
pub struct History {
    /// Commits that added at least one blob, oldest first.
    pub commits: Vec<Commit>,
    /// Distinct blobs, in the order they were first added.
    pub blobs: Vec<HistoryBlob>,
    /// Commits walked (including those that added nothing).
    pub commits_walked: usize,
}

/// The `git log` arguments for `revisions` (all branches and tags when empty).
fn log_args(revisions: &[String]) -> Vec<String> {
    let mut args: Vec<String> = [
        "log",
        "--topo-order",
        "--reverse",
        "-m",
        "--raw",
        "--no-abbrev",
        "-z",
        "--no-renames",
        "--no-ext-diff",
        "--no-textconv",
        "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if revisions.is_empty() {
        args.extend(["--branches", "--tags"].map(String::from));
    } else {
        args.extend(revisions.iter().cloned());
    }
    // Revisions only: a name that is also a file must not become a path filter.
    args.push("--".to_string());
    args
}

fn spawn(dir: &Path, args: &[String], stdin: bool) -> Result<Child> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The same safe invocation as every other git call: no fsmonitor, hooks, pager or lazy
    // fetch; `log` is told --no-ext-diff/--no-textconv and `cat-file` never runs filters.
    let mut cmd = super::git::command(dir, &args);
    if stdin {
        cmd.stdin(Stdio::piped());
    }
    cmd.spawn()
        .map_err(|e| Error::Git(format!("could not run git: {e}")))
}

/// Waits for `child`; an error with git's message when it failed.
fn finish(mut child: Child, what: &str) -> Result<()> {
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let status = child.wait().map_err(|e| Error::Git(format!("git {what}: {e}")))?;
    if status.success() {
        return Ok(());
    }
    let msg = stderr.trim().trim_start_matches("fatal: ");
    Err(Error::Git(format!("`git {what}` failed: {msg}")))
}

/// Parses `git log --raw -z` output in the format of [`log_args`]; `new_blob` hears of each
/// distinct blob as it is first seen.
///
/// A merge is listed once per parent (`-m`). What it adds is what differs from every parent
/// (a conflict resolution, an evil merge), as `git diff --cc` shows it: a file brought in
/// unchanged from one parent was added by that parent's own commits, which are walked too or
/// lie outside the range. So a merge's entries are held until all its parents' lists are read,
/// and only those in every list are kept (merging `main` into a branch adds none of `main`'s
/// secrets to the branch).
fn parse_log(mut reader: impl BufRead, new_blob: impl FnMut(NewBlob)) -> Result<History> {
    let mut log = LogState {
        history: History::default(),
        index: HashMap::new(),
        commit_index: HashMap::new(),
        new_blob,
    };
    let mut current: Option<(Commit, usize)> = None;
    let mut merge = MergeEntries::default();
    let mut token = Vec::new();
    loop {
        token.clear();
        let n = reader
            .read_until(0, &mut token)
            .map_err(|e| Error::Git(format!("git log: {e}")))?;
        if n == 0 {
            break;
        }
        if token.last() == Some(&0) {
            token.pop();
        }
        let text = trim_newline(&token);
        if let Some(header) = text.strip_prefix(b"\x1e") {
            let (commit, parents) = parse_header(header);
            if current.as_ref().is_some_and(|(c, _)| c.id == commit.id) {
                merge.sections += 1;
            } else {
                if let Some((done, parents)) = current.take() {
                    merge.flush(&done, parents, &mut log);
                }
                log.history.commits_walked += 1;
                merge = MergeEntries::default();
                merge.sections = 1;
                current = Some((commit, parents));
            }
            continue;
        }
        if text.first() != Some(&b':') {
            continue;
        }
        let meta = String::from_utf8_lossy(text).into_owned();
        let mut path = Vec::new();
        reader
            .read_until(0, &mut path)
            .map_err(|e| Error::Git(format!("git log: {e}")))?;
        if path.last() == Some(&0) {
            path.pop();
        }
        let Some((oid, parent)) = added_blob(&meta) else {
            continue;
        };
        let Some((commit, parents)) = &current else {
            continue;
        };
        let path = String::from_utf8_lossy(&path).into_owned();
        if *parents > 1 {
            merge.hold(path, oid, parent);
        } else {
            log.add(commit, path, oid, parent);
        }
    }
    if let Some((done, parents)) = current.take() {
        merge.flush(&done, parents, &mut log);
    }
    Ok(log.history)
}

/// What [`parse_log`] has gathered so far.
struct LogState<F> {
    history: History,
    /// Blob id -> index in `history.blobs`.
    index: HashMap<String, usize>,
    /// Commit id -> index in `history.commits`.
    commit_index: HashMap<String, usize>,
    new_blob: F,
}

impl<F: FnMut(NewBlob)> LogState<F> {
    /// Records that `commit` added blob `oid` at `path` (over `parent`, the blob it replaced).
    fn add(&mut self, commit: &Commit, path: String, oid: &str, parent: Option<&str>) {
        let history = &mut self.history;
        let ci = *self.commit_index.entry(commit.id.clone()).or_insert_with(|| {
            history.commits.push(commit.clone());
            history.commits.len() - 1
        });
        let place = Place {
            commit: ci,
            path,
            new_file: parent.is_none(),
        };
        match self.index.get(oid) {
            Some(&b) => {
                // The same blob at the same path again (a revert): not a new introduction.
                let places = &mut history.blobs[b].places;
                if !places.iter().any(|p| p.path == place.path) {
                    places.push(place);
                }
            }
            None => {
                (self.new_blob)(NewBlob {
                    index: history.blobs.len(),
                    oid: oid.to_string(),
                    path: place.path.clone(),
                    parent: parent.map(str::to_string),
                });
                self.index.insert(oid.to_string(), history.blobs.len());
                history.blobs.push(HistoryBlob {
                    oid: oid.to_string(),
                    places: vec![place],
                });
            }
        }
    }
}

/// A merge's entries, held until every parent's list has been read.
#[derive(Default)]
struct MergeEntries {
    /// Per-parent lists read so far.
    sections: usize,
    /// `(path, blob)` in first-seen order, with the blob it replaced in the first list it was
    /// in and the number of lists it was in.
    entries: Vec<(String, String, Option<String>, usize)>,
    at: HashMap<(String, String), usize>,
}

impl MergeEntries {
    fn hold(&mut self, path: String, oid: &str, parent: Option<&str>) {
        let key = (path, oid.to_string());
        match self.at.get(&key) {
            Some(&i) => self.entries[i].3 += 1,
            None => {
                self.at.insert(key.clone(), self.entries.len());
                self.entries.push((key.0, key.1, parent.map(str::to_string), 1));
            }
        }
    }

    /// Adds what differs from every one of the merge's `parents` (a parent whose list git left
    /// out, because nothing differed from it, leaves every entry short).
    fn flush<F: FnMut(NewBlob)>(&mut self, commit: &Commit, parents: usize, log: &mut LogState<F>) {
        for (path, oid, parent, lists) in self.entries.drain(..) {
            if lists >= parents && self.sections >= parents {
                log.add(commit, path, &oid, parent.as_deref());
            }
        }
        self.at.clear();
    }
}

fn trim_newline(token: &[u8]) -> &[u8] {
    let mut t = token;
    while let [b'\n', rest @ ..] = t {
        t = rest;
    }
    t
}

/// A commit's header and its number of parents.
fn parse_header(header: &[u8]) -> (Commit, usize) {
    let text = String::from_utf8_lossy(header);
    let mut fields = text.split('\x1f').map(str::to_string);
    let mut next = || fields.next().unwrap_or_default();
    let id = next();
    let parents = next().split_whitespace().count();
    let commit = Commit {
        id,
        author: next(),
        email: next(),
        date: next(),
        summary: next(),
    };
    (commit, parents)
}

/// The new blob id of a raw entry that adds or changes a regular file (`A`, `M`, `T`), and the
/// blob it replaced when that was a regular file too; `None` for deletions, symlinks (mode
/// 120000) and submodules (160000).
fn added_blob(meta: &str) -> Option<(&str, Option<&str>)> {
    // ":<old mode> <new mode> <old oid> <new oid> <status>"
    let mut parts = meta.trim_start_matches(':').split(' ');
    let old_mode = parts.next()?;
    let new_mode = parts.next()?;
    let old_oid = parts.next()?;
    let new_oid = parts.next()?;
    let status = parts.next()?;
    let regular = |mode: &str| mode == "100644" || mode == "100755";
    let adds = matches!(status.chars().next(), Some('A' | 'M' | 'T'));
    let parent = (regular(old_mode) && old_oid.bytes().any(|b| b != b'0')).then_some(old_oid);
    (regular(new_mode) && adds).then_some((new_oid, parent))
}

/// A blob as [`walk_and_read`] hands it over.
#[derive(Debug)]
pub enum BlobRead {
    /// Its bytes (within the size limit).
    Content(Arc<[u8]>),
    /// Over the size limit: skipped from its size, never read.
    TooLarge,
    /// Not in the object store (a shallow or partial clone).
    Missing,
}

/// Object ids passed on per write to the next git process: small enough that reading starts
/// while the walk goes on, large enough that the pipes are not written a line at a time.
const FLUSH_EVERY: usize = 32;

/// Walks the history (`git log --raw`) and reads every blob it adds while the walk goes on:
/// `git log`, `git cat-file --batch-check` and `git cat-file --batch` run as one streamed
/// pipeline, so blobs are read (and can be scanned) from the first commits on instead of after
/// the last. `each` gets every distinct blob once, in order of first appearance (its index in
/// [`History::blobs`]), with the path it was first added at. Memory is bounded by what `each`
/// keeps: the pipeline itself holds a few object ids.
pub fn walk_and_read(
    dir: &Path,
    revisions: &[String],
    max_size: u64,
    mut each: impl FnMut(&NewBlob, BlobRead),
) -> Result<History> {
    let mut log = spawn(dir, &log_args(revisions), false)?;
    let mut check = spawn(dir, &check_args(), true)?;
    let mut batch = spawn(dir, &batch_args(), true)?;
    let pipes = (
        log.stdout.take(),
        check.stdin.take(),
        check.stdout.take(),
        batch.stdin.take(),
        batch.stdout.take(),
    );
    let (Some(log_out), Some(check_in), Some(check_out), Some(batch_in), Some(batch_out)) = pipes else {
        for child in [&mut log, &mut check, &mut batch] {
            let _ = child.kill();
            let _ = child.wait();
        }
        return Err(Error::Git("git: no pipe to the history walk".into()));
    };
    let (found_tx, found_rx) = std::sync::mpsc::channel::<NewBlob>();
    let (sized_tx, sized_rx) = std::sync::mpsc::channel::<(NewBlob, Option<BlobRead>)>();
    let (walked, read) = std::thread::scope(|s| {
        let walker = s.spawn(move || list_blobs(log_out, check_in, found_tx));
        let sizer = s.spawn(move || size_blobs(check_out, batch_in, found_rx, sized_tx, max_size));
        let read = read_sized(batch_out, sized_rx, &mut each);
        // A stage that failed leaves the others waiting on full pipes: stopping the git
        // processes ends every stage. (The reader's channel closes only once the size stage
        // returned, so that stage is joined after the reader without waiting.)
        let mut stop = || {
            for child in [&mut log, &mut check, &mut batch] {
                let _ = child.kill();
            }
        };
        if read.is_err() {
            stop();
        }
        let sized = sizer
            .join()
            .unwrap_or_else(|_| Err(Error::Git("git cat-file: reader panicked".into())));
        if sized.is_err() {
            stop();
        }
        let walked = walker
            .join()
            .unwrap_or_else(|_| Err(Error::Git("git log: reader panicked".into())));
        (walked, read.and(sized))
    });
    let finished = (
        finish(log, "log"),
        finish(check, "cat-file --batch-check"),
        finish(batch, "cat-file --batch"),
    );
    let history = walked?;
    read?;
    finished.0?;
    finished.1?;
    finished.2?;
    Ok(history)
}

/// `git cat-file --batch` for a stream of blobs: output in stdio buffers instead of a write
/// (and a wakeup of the reader) per object, since the stream's end (stdin closed) flushes it.
fn batch_args() -> Vec<String> {
    ["cat-file", "--batch", "--buffer"].map(String::from).to_vec()
}

fn check_args() -> Vec<String> {
    vec![
        "cat-file".to_string(),
        "--batch-check=%(objectname) %(objectsize)".to_string(),
    ]
}

/// First stage: parses `git log` and passes each new blob's id to `git cat-file --batch-check`
/// and the blob on to the next stage, in the same order.
fn list_blobs(
    log_out: ChildStdout,
    check_in: std::process::ChildStdin,
    found: std::sync::mpsc::Sender<NewBlob>,
) -> Result<History> {
    let mut check_in = std::io::BufWriter::new(check_in);
    let mut pending = 0;
    let history = parse_log(BufReader::new(log_out), |blob| {
        // A write error means the size stage stopped; the walk still finishes for the report.
        let _ = writeln!(check_in, "{}", blob.oid);
        let _ = found.send(blob);
        pending += 1;
        if pending == FLUSH_EVERY {
            let _ = check_in.flush();
            pending = 0;
        }
    });
    let _ = check_in.flush();
    history
}

/// Second stage: reads each blob's size, passes the ids within `max_size` to
/// `git cat-file --batch`, and the blob with what was decided on to the reader.
fn size_blobs(
    check_out: ChildStdout,
    batch_in: std::process::ChildStdin,
    found: std::sync::mpsc::Receiver<NewBlob>,
    sized: std::sync::mpsc::Sender<(NewBlob, Option<BlobRead>)>,
    max_size: u64,
) -> Result<()> {
    let mut batch_in = std::io::BufWriter::new(batch_in);
    let mut answers = BufReader::new(check_out).lines();
    let mut pending = 0;
    for blob in found {
        let Some(line) = answers.next() else {
            break; // batch-check ended early: its exit status says why
        };
        let line = line.map_err(|e| Error::Git(format!("git cat-file: {e}")))?;
        // "<oid> <size>" or "<oid> missing"
        let size = line.split(' ').nth(1).and_then(|s| s.parse::<u64>().ok());
        let decided = match size {
            Some(size) if size <= max_size => {
                writeln!(batch_in, "{}", blob.oid).map_err(|e| Error::Git(format!("git cat-file: {e}")))?;
                pending += 1;
                None
            }
            Some(_) => Some(BlobRead::TooLarge),
            None => Some(BlobRead::Missing),
        };
        if pending == FLUSH_EVERY {
            batch_in
                .flush()
                .map_err(|e| Error::Git(format!("git cat-file: {e}")))?;
            pending = 0;
        }
        if sized.send((blob, decided)).is_err() {
            break;
        }
    }
    batch_in
        .flush()
        .map_err(|e| Error::Git(format!("git cat-file: {e}")))
}

/// Last stage: reads the blobs the size stage let through, in order, and hands every blob to
/// `each`.
fn read_sized(
    batch_out: ChildStdout,
    sized: std::sync::mpsc::Receiver<(NewBlob, Option<BlobRead>)>,
    each: &mut impl FnMut(&NewBlob, BlobRead),
) -> Result<()> {
    widen_pipe(&batch_out);
    let mut reader = BufReader::with_capacity(1 << 20, batch_out);
    for (blob, decided) in sized {
        let read = match decided {
            Some(skipped) => skipped,
            None => read_one(&mut reader)?.map_or(BlobRead::Missing, BlobRead::Content),
        };
        each(&blob, read);
    }
    Ok(())
}

/// Bytes a pipe from git is asked to hold: the default 64 KiB wakes the reader for every
/// 64 KiB of blob text; 1 MiB is what Linux lets any process ask for.
const PIPE_BYTES: usize = 1 << 20;

/// Asks for a larger pipe, best effort: fewer wakeups and switches between git and the reader
/// for the hundreds of megabytes a history moves. Where the call fails, the pipe stays as it is.
fn widen_pipe(pipe: &ChildStdout) {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::pipe::fcntl_setpipe_size(pipe, PIPE_BYTES);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (pipe, PIPE_BYTES);
}

/// One object of `git cat-file --batch` output: its content, or `None` when git says missing.
/// Read straight into shared memory: a scanner takes the bytes as they are, without a copy.
fn read_one(reader: &mut impl BufRead) -> Result<Option<Arc<[u8]>>> {
    let err = |e: std::io::Error| Error::Git(format!("git cat-file: {e}"));
    let mut header = String::new();
    if reader.read_line(&mut header).map_err(err)? == 0 {
        return Err(Error::Git("git cat-file: output ended early".into()));
    }
    // "<oid> <type> <size>" or "<oid> missing"
    let Some(size) = header
        .split_whitespace()
        .nth(2)
        .and_then(|s| s.parse::<usize>().ok())
    else {
        return Ok(None);
    };
    let mut content: Arc<[u8]> = std::iter::repeat_n(0, size).collect();
    let unshared =
        Arc::get_mut(&mut content).ok_or_else(|| Error::Git("git cat-file: buffer shared".into()))?;
    reader.read_exact(unshared).map_err(err)?;
    let mut newline = [0u8; 1];
    reader.read_exact(&mut newline).map_err(err)?;
    Ok(Some(content))
}

/// A blob's size from `git cat-file --batch-check` (`None`: missing object).
pub fn sizes(dir: &Path, oids: &[&str]) -> Result<HashMap<String, u64>> {
    let args = vec![
        "cat-file".to_string(),
        "--batch-check=%(objectname) %(objectsize)".to_string(),
    ];
    let mut child = spawn(dir, &args, true)?;
    let input: Vec<u8> = oids.iter().flat_map(|o| [o.as_bytes(), b"\n"].concat()).collect();
    let feeder = feed(&mut child, input);
    let mut out = HashMap::with_capacity(oids.len());
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| Error::Git(format!("git cat-file: {e}")))?;
            let mut parts = line.split(' ');
            if let (Some(oid), Some(size)) = (parts.next(), parts.next()) {
                if let Ok(size) = size.parse::<u64>() {
                    out.insert(oid.to_string(), size);
                }
            }
        }
    }
    let _ = feeder.join();
    finish(child, "cat-file --batch-check")?;
    Ok(out)
}

fn feed(child: &mut Child, input: Vec<u8>) -> std::thread::JoinHandle<()> {
    let stdin = child.stdin.take();
    // From another thread: git answers while it reads, and full pipes both ways would deadlock.
    std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(&input);
        }
    })
}

/// Streams the contents of `oids` (in order) to `each`, one blob in memory at a time.
pub fn read_blobs(dir: &Path, oids: &[&str], mut each: impl FnMut(usize, Vec<u8>)) -> Result<()> {
    let args = vec!["cat-file".to_string(), "--batch".to_string()];
    let mut child = spawn(dir, &args, true)?;
    let input: Vec<u8> = oids.iter().flat_map(|o| [o.as_bytes(), b"\n"].concat()).collect();
    let feeder = feed(&mut child, input);
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Error::Git("git cat-file: no output".into()))?;
    let result = read_batch(BufReader::new(stdout), oids.len(), &mut each);
    let _ = feeder.join();
    finish(child, "cat-file --batch")?;
    result
}

fn read_batch(
    mut reader: BufReader<ChildStdout>,
    count: usize,
    each: &mut impl FnMut(usize, Vec<u8>),
) -> Result<()> {
    let err = |e: std::io::Error| Error::Git(format!("git cat-file: {e}"));
    for i in 0..count {
        let mut header = String::new();
        reader.read_line(&mut header).map_err(err)?;
        // "<oid> <type> <size>" or "<oid> missing"
        let size = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse::<usize>().ok());
        let Some(size) = size else {
            continue;
        };
        let mut content = vec![0; size];
        reader.read_exact(&mut content).map_err(err)?;
        let mut newline = [0u8; 1];
        reader.read_exact(&mut newline).map_err(err)?;
        each(i, content);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commits_and_added_blobs_once() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let c = "c".repeat(40);
        let z = "0".repeat(40);
        let log = format!(
            "\x1ec1\x1f\x1fAnn\x1fann@x\x1f2026-01-01T00:00:00Z\x1fadd\0\n\
             :000000 100644 {z} {a} A\0src/a.py\0\
             :000000 120000 {z} {b} A\0link\0\
             \x1ec2\x1fc1\x1fBob\x1fbob@x\x1f2026-01-02T00:00:00Z\x1fcopy\0\n\
             :000000 100644 {z} {a} A\0src/b.py\0\
             :100644 000000 {a} {z} D\0src/a.py\0\
             :100644 100644 {b} {c} M\0src/c.py\0"
        );
        let mut heard = Vec::new();
        let h = parse_log(log.as_bytes(), |blob| heard.push(blob)).expect("parsed");
        assert_eq!(
            heard,
            vec![
                NewBlob {
                    index: 0,
                    oid: a.clone(),
                    path: "src/a.py".to_string(),
                    parent: None,
                },
                NewBlob {
                    index: 1,
                    oid: c.clone(),
                    path: "src/c.py".to_string(),
                    parent: Some(b.clone()),
                }
            ]
        );
        assert_eq!(h.commits_walked, 2);
        assert_eq!(h.commits.len(), 2);
        assert_eq!(h.commits[1].author, "Bob");
        assert_eq!(h.blobs.len(), 2);
        assert_eq!(
            h.blobs[0].places,
            vec![
                Place {
                    commit: 0,
                    path: "src/a.py".into(),
                    new_file: true,
                },
                Place {
                    commit: 1,
                    path: "src/b.py".into(),
                    new_file: true,
                },
            ]
        );
    }

    #[test]
    fn a_merge_adds_only_what_differs_from_every_parent() {
        let (a, b, c, d) = ("a".repeat(40), "b".repeat(40), "c".repeat(40), "d".repeat(40));
        // m1 (parents p1 p2): c.py differs from both, f.py only from p1 (it is p2's). m2 lists
        // one parent's diff only: nothing differed from the other.
        let log = format!(
            "\x1em1\x1fp1 p2\x1fAnn\x1fa@x\x1f2026-01-01T00:00:00Z\x1fmerge\0\n\
             :100644 100644 {a} {c} M\0c.py\0\
             :100644 100644 {a} {b} M\0f.py\0\
             \x1em1\x1fp1 p2\x1fAnn\x1fa@x\x1f2026-01-01T00:00:00Z\x1fmerge\0\n\
             :100644 100644 {b} {c} M\0c.py\0\
             \x1em2\x1fm1 p3\x1fAnn\x1fa@x\x1f2026-01-02T00:00:00Z\x1fmerge 2\0\n\
             :100644 100644 {c} {d} M\0c.py\0"
        );
        let mut heard = Vec::new();
        let h = parse_log(log.as_bytes(), |blob| heard.push(blob)).expect("parsed");
        assert_eq!(
            heard,
            vec![NewBlob {
                index: 0,
                oid: c.clone(),
                path: "c.py".to_string(),
                parent: Some(a.clone()),
            }]
        );
        assert_eq!((h.commits_walked, h.commits.len()), (2, 1));
    }
}
