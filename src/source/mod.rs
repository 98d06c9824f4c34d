//! Where file contents come from (working tree, git index, memory) and how bytes become text.
//!
//! A source yields [`Entry`]s: a path relative to its scan root (for globs), a display path
//! (relative to the working directory, `/`-separated) and a way to load the bytes. Loading
//! applies the binary, size and encoding policy and counts what it skipped.

pub mod diff;
pub mod git;
pub mod history;
pub mod staged;
pub mod walk;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

/// Files larger than this are not read (path rules still apply). Overridable per run.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// Where an entry's bytes live.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A file on disk.
    Disk(PathBuf),
    /// Bytes already in memory (examples, git blobs).
    Memory(Arc<[u8]>),
}

/// One file to scan.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index of the scan root this entry belongs to (into [`FileSet`]s).
    pub root: usize,
    /// Identity path: relative to the repository root (or the scan root outside a repository,
    /// see [`crate::paths`]), `/`-separated. Rule globs match it and fingerprints hash it.
    pub rel: String,
    /// Path shown to users: relative to the working directory when below it, `/`-separated.
    pub display: String,
    /// How to read it.
    pub origin: Origin,
}

/// A file a `--staged` or `--diff` change touches, before any exclusion (config `exclude`,
/// ignore files), so stages that must see the whole change (gate-config-changed) can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedPath {
    /// Display path (relative to the working directory).
    pub display: String,
    /// Absolute path.
    pub abs: PathBuf,
}

/// Every file path known to a run, per root, so `require` rules can ask what exists.
#[derive(Debug, Default)]
pub struct FileSet {
    roots: Vec<HashSet<String>>,
}

impl FileSet {
    /// Builds the set from the entries of a run.
    pub fn from_entries(entries: &[Entry]) -> Self {
        let mut roots: Vec<HashSet<String>> = Vec::new();
        for e in entries {
            if roots.len() <= e.root {
                roots.resize_with(e.root + 1, HashSet::new);
            }
            roots[e.root].insert(e.rel.clone());
        }
        Self { roots }
    }

    /// The paths of one root (the git index, for `--staged`).
    pub fn from_paths(root: usize, paths: impl IntoIterator<Item = String>) -> Self {
        let mut roots: Vec<HashSet<String>> = Vec::new();
        roots.resize_with(root + 1, HashSet::new);
        roots[root].extend(paths);
        Self { roots }
    }

    /// Whether `rel` exists under root `root`.
    pub fn contains(&self, root: usize, rel: &str) -> bool {
        self.roots.get(root).is_some_and(|s| s.contains(rel))
    }

    /// Every path under root `root`.
    pub fn paths(&self, root: usize) -> impl Iterator<Item = &String> {
        self.roots.get(root).into_iter().flatten()
    }
}

/// Why a file's content was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// Contains NUL bytes near the start.
    Binary,
    /// Larger than the size limit.
    TooLarge,
    /// Could not be read (permissions, vanished, not a regular file).
    Unreadable,
}

impl SkipReason {
    /// Name used in the summary.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too_large",
            SkipReason::Unreadable => "unreadable",
        }
    }
}

/// A file's text, ready for matchers.
#[derive(Debug)]
pub struct SourceText {
    /// The text (lossily decoded when it was not UTF-8).
    pub text: String,
    /// True when invalid UTF-8 was replaced.
    pub lossy: bool,
}

/// Reads an entry's bytes and applies the binary / size / encoding policy.
pub fn load(entry: &Entry, max_size: u64) -> Result<SourceText, SkipReason> {
    let bytes: Vec<u8> = match &entry.origin {
        Origin::Disk(path) => {
            let meta = std::fs::metadata(path).map_err(|_| SkipReason::Unreadable)?;
            if !meta.is_file() {
                return Err(SkipReason::Unreadable);
            }
            if meta.len() > max_size {
                return Err(SkipReason::TooLarge);
            }
            std::fs::read(path).map_err(|_| SkipReason::Unreadable)?
        }
        Origin::Memory(bytes) => {
            if bytes.len() as u64 > max_size {
                return Err(SkipReason::TooLarge);
            }
            bytes.to_vec()
        }
    };
    decode(bytes)
}

/// Binary detection as ripgrep and git do it: a NUL byte in the first 8 KiB.
pub fn decode(bytes: Vec<u8>) -> Result<SourceText, SkipReason> {
    let head = &bytes[..bytes.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        return Err(SkipReason::Binary);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceText { text, lossy: false }),
        Err(e) => Ok(SourceText {
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            lossy: true,
        }),
    }
}

pub use crate::paths::display_path;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_in_head_is_binary() {
        assert_eq!(decode(b"ab\0cd".to_vec()).unwrap_err(), SkipReason::Binary);
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        let t = decode(b"caf\xe9 ok".to_vec()).unwrap();
        assert!(t.lossy);
        assert_eq!(t.text, "caf\u{fffd} ok");
    }
}
