//! `--staged`: the blobs in git's index, so a pre-commit scan sees exactly what will be
//! committed, not the working tree.
//!
//! Which files: a directory PATH (the default `.`) selects the files staged for commit below it
//! (added, copied, modified, renamed); a file PATH selects that file's index version whether or
//! not it changed, the way the pre-commit framework passes file names (also with
//! `--all-files`). Rule globs see paths relative to the repository root, and `require` rules
//! see the whole index, so a companion that is committed but unchanged counts.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::Gitignore;

use super::git::{self, split_nul, Repo};
use super::walk::{Excludes, IGNORE_FILE};
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

/// Files staged for commit: added, copied, modified or renamed relative to HEAD (or to the
/// empty tree before the first commit).
const STAGED: &[&str] = &[
    "diff",
    "--cached",
    "--name-only",
    "-z",
    "--no-relative",
    "--diff-filter=ACMR",
];

/// Collects the staged files selected by `roots` (relative to `cwd` or absolute).
pub fn collect(cwd: &Path, roots: &[PathBuf], excludes: Option<&Excludes>, max_size: u64) -> Result<Staged> {
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
    let changed: Vec<String> = split_nul(&staged.finish()?).collect();
    let mut chosen: Vec<String> = Vec::new();
    for root in roots {
        select(&repo, root, &index, &changed, &mut chosen)?;
    }
    chosen.sort();
    chosen.dedup();
    let ignores = IgnoreFiles::load(&repo, index.paths());
    let top = repo.toplevel_from_cwd();
    let changed_paths: Vec<super::ChangedPath> = chosen
        .iter()
        .map(|p| super::ChangedPath {
            display: repo.display(p),
            abs: top.join(p),
        })
        .collect();
    chosen.retain(|p| !excludes.is_some_and(|x| x.is_excluded(&top.join(p))) && !ignores.is_ignored(p));
    let mut out = Staged {
        files: FileSet::from_paths(0, index.paths().map(String::from)),
        changed: changed_paths,
        ..Staged::default()
    };
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
    for ((path, _), bytes) in blobs.into_iter().zip(contents) {
        out.entries.push(Entry {
            root: 0,
            display: repo.display(&path),
            rel: path,
            origin: Origin::Memory(bytes),
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

/// Reads blobs with one `git cat-file --batch`. Content beyond `max_size + 1` bytes is dropped
/// on the way in, so a huge blob costs no memory and still reads as too large.
fn read_blobs(repo: &Repo, blobs: &[(String, &str)], max_size: u64) -> Result<Vec<Arc<[u8]>>> {
    if blobs.is_empty() {
        return Ok(Vec::new());
    }
    let input: Vec<u8> = blobs
        .iter()
        .flat_map(|(_, oid)| format!("{oid}\n").into_bytes())
        .collect();
    let out = repo.git_with_input(&["cat-file", "--batch"], input)?;
    let keep = usize::try_from(max_size.saturating_add(1)).unwrap_or(usize::MAX);
    let mut rest = out.as_slice();
    let mut contents = Vec::with_capacity(blobs.len());
    for (path, _) in blobs {
        let bad = || Error::Git(format!("unexpected `git cat-file` output for {path}"));
        let nl = memchr::memchr(b'\n', rest).ok_or_else(bad)?;
        let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
        rest = &rest[nl + 1..];
        let size: usize = match header.rsplit_once(' ') {
            Some((_, n)) if !header.ends_with(" missing") => n.parse().map_err(|_| bad())?,
            _ => return Err(Error::Git(format!("the staged blob of {path} is missing"))),
        };
        let body = rest.get(..size).ok_or_else(bad)?;
        contents.push(Arc::from(&body[..size.min(keep)]));
        rest = rest.get(size + 1..).unwrap_or(&[]);
    }
    Ok(contents)
}

/// `.guardrailignore` files of the repository, deepest first, read like the tree walk reads them.
struct IgnoreFiles {
    files: Vec<(String, Gitignore)>,
}

impl IgnoreFiles {
    fn load<'a>(repo: &Repo, paths: impl Iterator<Item = &'a str>) -> Self {
        let mut files: Vec<(String, Gitignore)> = paths
            .filter(|p| {
                p.strip_suffix(IGNORE_FILE)
                    .is_some_and(|dir| dir.is_empty() || dir.ends_with('/'))
            })
            .filter_map(|p| {
                let (gi, _) = Gitignore::new(repo.toplevel.join(p));
                let dir = p.strip_suffix(IGNORE_FILE).unwrap_or("").to_string();
                (!gi.is_empty()).then_some((dir, gi))
            })
            .collect();
        files.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.len()));
        Self { files }
    }

    /// The deepest file with an opinion decides, as in git.
    fn is_ignored(&self, path: &str) -> bool {
        for (dir, gi) in self.files.iter().filter(|(d, _)| path.starts_with(d.as_str())) {
            let rel = &path[dir.len()..];
            let m = gi.matched_path_or_any_parents(rel, false);
            if m.is_ignore() {
                return true;
            }
            // guardrail:ignore list-color-metaphor -- the ignore crate's API name, not ours
            if m.is_whitelist() {
                return false;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
