//! Repository ignore files (`.guardrailignore`, `.ignore`): configuration the scanned repository
//! ships, read like `.gitignore`, that removes files from a scan.
//!
//! They are repository configuration like `guardrail.toml`: read only when config discovery is
//! on (`--config FILE` and `--no-config` turn them off), and what they loaded and excluded is
//! reported with the walk, so a change that adds `*` to one cannot blind the gate unseen.
//! Symlinked ignore files are never read.

use std::io::Read;
use std::path::Path;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// File names read as repository ignore files, strongest first (in one directory
/// `.guardrailignore` decides before `.ignore`, as ripgrep ranks a custom file first).
pub const REPO_IGNORE_FILES: &[&str] = &[".guardrailignore", ".ignore"];

/// Ignore files larger than this are not read (no real one comes close).
const MAX_IGNORE_FILE: u64 = 1024 * 1024;

/// Whether `path` (`/`-separated) names a repository ignore file.
pub fn is_ignore_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    REPO_IGNORE_FILES.contains(&name)
}

/// The rank of an ignore file name in [`REPO_IGNORE_FILES`].
fn rank(path: &str) -> usize {
    let name = path.rsplit('/').next().unwrap_or(path);
    REPO_IGNORE_FILES
        .iter()
        .position(|n| *n == name)
        .unwrap_or(REPO_IGNORE_FILES.len())
}

/// The ignore files of one base directory (a repository's top, or a scan root outside git).
#[derive(Debug, Default)]
pub struct RepoIgnores {
    /// `(directory prefix ("" or "dir/"), rank, matcher)`, deepest first.
    files: Vec<(String, usize, Gitignore)>,
    /// The ignore files read, relative to the base, sorted.
    pub loaded: Vec<String>,
}

impl RepoIgnores {
    /// Reads the ignore files at `paths` (relative to `base`, `/`-separated). A path that is not
    /// a regular file (a symlink, a directory, gone) is skipped unread.
    pub fn load(base: &Path, paths: impl IntoIterator<Item = String>) -> Self {
        let mut out = Self::default();
        for path in paths {
            if !is_ignore_file(&path) {
                continue;
            }
            let dir = &path[..path.len() - path.rsplit('/').next().unwrap_or("").len()];
            let Some(text) = read_regular(&base.join(&path)) else {
                continue;
            };
            let mut builder = GitignoreBuilder::new(base.join(dir));
            for line in text.lines() {
                // A malformed glob is skipped, as git skips it; the rest of the file applies.
                let _ = builder.add_line(None, line);
            }
            if let Ok(gi) = builder.build() {
                out.files.push((dir.to_string(), rank(&path), gi));
                out.loaded.push(path);
            }
        }
        out.files
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        out.loaded.sort();
        out.loaded.dedup();
        out
    }

    /// Whether `path` (relative to the base, `/`-separated) is ignored. The deepest file with
    /// an opinion decides, as in git; a `!pattern` re-includes.
    pub fn is_ignored(&self, path: &str) -> bool {
        for (dir, _, gi) in self.files.iter().filter(|(d, _, _)| path.starts_with(d.as_str())) {
            let rel = &path[dir.len()..];
            if rel.is_empty() {
                continue;
            }
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

    /// Whether no ignore file was read.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// The text of a regular file (not through a symlink), bounded in size; `None` otherwise.
fn read_regular(path: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_IGNORE_FILE {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_IGNORE_FILE)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deepest_file_decides_and_symlinks_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join(".guardrailignore"), "*.gen\nskip/\n").unwrap();
        std::fs::write(dir.path().join("a/.ignore"), "!keep.gen\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            dir.path().join(".guardrailignore"),
            dir.path().join("a/.guardrailignore"),
        )
        .unwrap();
        let ignores = RepoIgnores::load(
            dir.path(),
            [
                ".guardrailignore",
                "a/.ignore",
                "a/.guardrailignore",
                "b/.gitignore",
            ]
            .map(String::from),
        );
        assert_eq!(ignores.loaded, [".guardrailignore", "a/.ignore"]);
        assert!(ignores.is_ignored("x.gen"));
        assert!(ignores.is_ignored("skip/deep/file.py"));
        assert!(!ignores.is_ignored("a/keep.gen"));
        assert!(ignores.is_ignored("a/other.gen"));
        assert!(!ignores.is_ignored("x.py"));
    }

    #[test]
    fn ignore_file_names() {
        assert!(is_ignore_file(".guardrailignore"));
        assert!(is_ignore_file("a/b/.ignore"));
        assert!(!is_ignore_file("a/x.guardrailignore"));
        assert!(!is_ignore_file(".gitignore"));
    }
}
