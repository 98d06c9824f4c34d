//! `--staged`: the blobs in git's index, so a pre-commit scan sees exactly what will be
//! committed, not the working tree.
//!
//! Which files: a directory PATH (the default `.`) selects the files staged for commit below it
//! (added, copied, modified, renamed); a file PATH selects that file's index version whether or
//! not it changed, the way the pre-commit framework passes file names (also with
//! `--all-files`). Rule globs see paths relative to the repository root, and `require` rules
//! see the whole index, so a companion that is committed but unchanged counts.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use super::git::{self, split_nul, Repo};
use super::ignore::{is_ignore_file, RepoIgnores};
use super::walk::WalkOptions;
use super::{Entry, FileSet, Origin};
use crate::error::{Error, Result};

/// What the index holds for one run.
#[derive(Debug, Default)]
pub struct Staged {
    /// Files to scan, sorted by display path.
    pub entries: Vec<Entry>,
    /// Every path in the index (root 0 = the repository root).
    pub files: FileSet,
    /// Staged symlinks, not scanned (as in the tree walk).
    pub symlinks: usize,
    /// Every file staged for commit under the roots, before exclusions.
    pub changed: Vec<super::ChangedPath>,
    /// Repository ignore files that were read, relative to the repository root.
    pub ignore_files: Vec<String>,
    /// Staged files those ignore files excluded from the scan.
    pub ignored: usize,
}

/// Mode recorded for a path with unmerged stages.
const CONFLICT: &str = "conflict";

/// The whole index, borrowed from `git ls-files -s` output, in git's (byte-wise) path order:
/// `(path, mode, object id)`. A conflicted path (stages 1-3) appears once, with mode
/// [`CONFLICT`]: it cannot be committed as it is. Sorted slices, not a hash map: a hook in a
/// large repository looks up a handful of paths among tens of thousands.
struct Index<'a> {
    entries: Vec<(&'a str, &'a str, &'a str)>,
}

impl<'a> Index<'a> {
    /// Parses `git ls-files -s -z`: records `<mode> <oid> <stage>\t<path>`.
    fn parse(listing: &'a str) -> Self {
        let mut entries: Vec<(&str, &str, &str)> = Vec::new();
        for record in listing.split('\0') {
            let Some((meta, path)) = record.split_once('\t') else {
                continue;
            };
            let mut fields = meta.split(' ');
            let (Some(mode), Some(oid), Some(stage)) = (fields.next(), fields.next(), fields.next()) else {
                continue;
            };
            let mode = if stage == "0" { mode } else { CONFLICT };
            match entries.last_mut() {
                Some(last) if last.0 == path => last.1 = CONFLICT,
                _ => entries.push((path, mode, oid)),
            }
        }
        // git lists the index sorted already; sorting again is a no-op that makes it certain.
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        Self { entries }
    }

    /// `(mode, oid)` of `path`.
    fn get(&self, path: &str) -> Option<(&'a str, &'a str)> {
        let i = self.entries.binary_search_by(|e| e.0.cmp(path)).ok()?;
        Some((self.entries[i].1, self.entries[i].2))
    }

    /// Whether some path starts with `prefix`.
    fn has_prefix(&self, prefix: &str) -> bool {
        let i = self.entries.partition_point(|e| e.0 < prefix);
        self.entries.get(i).is_some_and(|e| e.0.starts_with(prefix))
    }

    fn paths(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.entries.iter().map(|e| e.0)
    }
}

const LS_FILES: &[&str] = &["ls-files", "-s", "-z", "--full-name", "--", ":/"];

/// Files staged for commit relative to HEAD (or to the empty tree before the first commit),
/// with their status: added, copied, modified or changed in type (a symlink replaced by a
/// file) are scanned; deleted ones only matter when they configure the gate. Renames are
/// listed as a deletion and an addition, so the new path is always scanned.
const STAGED: &[&str] = &[
    "diff",
    "--cached",
    "--name-status",
    "--no-renames",
    "-z",
    "--no-relative",
    "--no-ext-diff",
    "--no-textconv",
    "--diff-filter=ACMTD",
];

/// `--name-status -z` output: `<status>\0<path>\0` pairs, split into the paths a commit adds
/// or changes and the paths it deletes.
fn split_status(out: &[u8]) -> (Vec<String>, Vec<String>) {
    let (mut changed, mut deleted) = (Vec::new(), Vec::new());
    let mut fields = split_nul(out);
    while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
        if status.starts_with('D') {
            deleted.push(path);
        } else {
            changed.push(path);
        }
    }
    (changed, deleted)
}

/// Collects the staged files selected by `roots` (relative to `cwd` or absolute).
pub fn collect(cwd: &Path, roots: &[PathBuf], opts: WalkOptions<'_>, max_size: u64) -> Result<Staged> {
    // Three independent questions, asked at once: a hook pays for one process start, not three.
    let rev_parse = git::start(cwd, git::REV_PARSE, None)?;
    let ls_files = git::start(cwd, LS_FILES, None)?;
    let staged = git::start(cwd, STAGED, None)?;
    let repo = Repo::from_rev_parse(cwd, rev_parse)?;
    let listing = ls_files.finish()?;
    // Validate once (fast); fall back to a lossy copy only for non-UTF-8 paths.
    let listing = match std::str::from_utf8(&listing) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(&listing),
    };
    let index = Index::parse(&listing);
    let (changed, deleted) = split_status(&staged.finish()?);
    let mut chosen: Vec<String> = Vec::new();
    for root in roots {
        select(&repo, root, &index, &changed, &mut chosen)?;
    }
    chosen.sort();
    chosen.dedup();
    let top = repo.toplevel_from_cwd();
    let changed_paths: Vec<super::ChangedPath> = chosen
        .iter()
        .map(|p| super::ChangedPath {
            display: repo.display(p),
            abs: top.join(p),
            deleted: false,
        })
        .chain(deleted.iter().map(|p| super::ChangedPath {
            display: repo.display(p),
            abs: top.join(p),
            deleted: true,
        }))
        .collect();
    chosen.retain(|p| !opts.excludes.is_some_and(|x| x.is_excluded(&top.join(p))));
    let mut out = Staged {
        files: FileSet::from_paths(0, index.paths().map(String::from)),
        changed: changed_paths,
        ..Staged::default()
    };
    if opts.repo_ignore_files {
        let ignores = RepoIgnores::load(
            &repo.toplevel,
            index.paths().filter(|p| is_ignore_file(p)).map(String::from),
        );
        let before = chosen.len();
        chosen.retain(|p| !ignores.is_ignored(p));
        out.ignored = before - chosen.len();
        out.ignore_files = ignores.loaded;
    }
    read_entries(&repo, &index, chosen, max_size, &mut out)?;
    Ok(out)
}

/// Reads the chosen paths' blobs into entries; symlinks are counted, submodules skipped.
fn read_entries(
    repo: &Repo,
    index: &Index<'_>,
    chosen: Vec<String>,
    max_size: u64,
    out: &mut Staged,
) -> Result<()> {
    let mut blobs: Vec<(String, &str)> = Vec::new();
    for path in chosen {
        match index.get(&path) {
            Some(("120000", _)) => out.symlinks += 1,
            // A submodule commit or an unmerged path: no content to scan.
            Some(("160000" | CONFLICT, _)) | None => {}
            Some((_, oid)) => blobs.push((path, oid)),
        }
    }
    let contents = read_blobs(repo, &blobs, max_size)?;
    for ((path, _), origin) in blobs.into_iter().zip(contents) {
        out.entries.push(Entry {
            root: 0,
            display: repo.display(&path),
            rel: path,
            origin,
        });
    }
    out.entries.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(())
}

/// Adds the paths `root` selects; a root that names nothing in the index or on disk is an error.
fn select(
    repo: &Repo,
    root: &Path,
    index: &Index<'_>,
    changed: &[String],
    chosen: &mut Vec<String>,
) -> Result<()> {
    let Some(r) = repo.repo_path(root) else {
        return Err(Error::Usage(format!(
            "{} is outside the git repository at {}",
            root.display(),
            repo.toplevel.display()
        )));
    };
    if index.get(&r).is_some() {
        chosen.push(r);
        return Ok(());
    }
    let dir = if r.is_empty() {
        String::new()
    } else {
        format!("{r}/")
    };
    if dir.is_empty() || repo.cwd.join(root).is_dir() || index.has_prefix(&dir) {
        chosen.extend(changed.iter().filter(|p| p.starts_with(&dir)).cloned());
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{} is not in the git index (stage it with `git add`, or drop --staged)",
        root.display()
    )))
}

/// Reads blobs with one `git cat-file --batch`, one at a time as git streams them (no filter
/// runs). A blob over `max_size` is skipped by the size in its header, never held in memory.
fn read_blobs(repo: &Repo, blobs: &[(String, &str)], max_size: u64) -> Result<Vec<Origin>> {
    if blobs.is_empty() {
        return Ok(Vec::new());
    }
    let input: Vec<u8> = blobs
        .iter()
        .flat_map(|(_, oid)| format!("{oid}\n").into_bytes())
        .collect();
    let args = ["cat-file", "--batch"];
    let mut cmd = git::command(&repo.cwd, &args);
    cmd.stdin(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::Git(format!("could not run git: {e}")))?;
    // Feed the ids from another thread: git answers while it reads them.
    let feeder = child
        .stdin
        .take()
        .map(|mut stdin| std::thread::spawn(move || stdin.write_all(&input)));
    let read = match child.stdout.take() {
        Some(stdout) => read_batch(BufReader::with_capacity(1 << 16, stdout), blobs, max_size),
        None => Err(Error::Git("git cat-file has no output".into())),
    };
    if read.is_err() {
        let _ = child.kill();
    }
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let status = child.wait();
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let contents = read?;
    if !status.is_ok_and(|s| s.success()) {
        let what = stderr.trim().trim_start_matches("fatal: ");
        return Err(Error::Git(format!("`git cat-file --batch` failed: {what}")));
    }
    Ok(contents)
}

/// Reads `<oid> <type> <size>\n<content>\n` records, one per blob, in order.
fn read_batch(mut out: impl BufRead, blobs: &[(String, &str)], max_size: u64) -> Result<Vec<Origin>> {
    let mut contents = Vec::with_capacity(blobs.len());
    let mut header = Vec::new();
    for (path, _) in blobs {
        let bad = || Error::Git(format!("unexpected `git cat-file` output for {path}"));
        header.clear();
        out.read_until(b'\n', &mut header).map_err(|_| bad())?;
        let text = String::from_utf8_lossy(&header);
        let text = text.trim_end();
        let size: u64 = match text.rsplit_once(' ') {
            Some((_, n)) if !text.ends_with(" missing") => n.parse().map_err(|_| bad())?,
            _ => return Err(Error::Git(format!("the staged blob of {path} is missing"))),
        };
        if size > max_size {
            // Drain the body and its newline through a small buffer.
            let drained =
                std::io::copy(&mut (&mut out).take(size + 1), &mut std::io::sink()).map_err(|_| bad())?;
            if drained != size + 1 {
                return Err(bad());
            }
            contents.push(Origin::Oversize(size));
            continue;
        }
        let len = usize::try_from(size).map_err(|_| bad())?;
        let mut body = vec![0u8; len + 1];
        out.read_exact(&mut body).map_err(|_| bad())?;
        body.pop();
        contents.push(Origin::Memory(Arc::from(body)));
    }
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_status_splits_changes_from_deletions() {
        let (changed, deleted) = split_status(b"M\0a.py\0D\0guardrail.toml\0A\0b c.py\0T\0link\0");
        assert_eq!(changed, vec!["a.py", "b c.py", "link"]);
        assert_eq!(deleted, vec!["guardrail.toml"]);
    }

    #[test]
    fn index_lists_paths_and_marks_conflicts() {
        let oid = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
        let listing = format!(
            "100644 {oid} 0\ta b.txt\0100644 {oid} 1\tc.txt\0100644 {oid} 2\tc.txt\0120000 {oid} 0\tdir/link\0"
        );
        let index = Index::parse(&listing);
        assert_eq!(index.get("a b.txt"), Some(("100644", oid)));
        assert_eq!(index.get("c.txt"), Some((CONFLICT, oid)));
        assert_eq!(index.get("dir/link"), Some(("120000", oid)));
        assert_eq!(index.get("dir"), None);
        assert!(index.has_prefix("dir/"));
        assert!(!index.has_prefix("d/"));
        assert_eq!(index.paths().count(), 3);
    }

    #[test]
    fn oversize_blobs_are_skipped_by_their_header() {
        let stream = b"a blob 3\nabc\nb blob 5\n12345\nc blob 0\n\n".to_vec();
        let blobs = [
            ("a".to_string(), "a"),
            ("b".to_string(), "b"),
            ("c".to_string(), "c"),
        ];
        let got = read_batch(std::io::Cursor::new(stream), &blobs, 4).unwrap();
        assert!(matches!(&got[0], Origin::Memory(b) if &b[..] == b"abc"));
        assert!(matches!(got[1], Origin::Oversize(5)));
        assert!(matches!(&got[2], Origin::Memory(b) if b.is_empty()));
        let truncated = b"a blob 9\nabc".to_vec();
        assert!(read_batch(std::io::Cursor::new(truncated), &blobs[..1], 100).is_err());
    }
}
