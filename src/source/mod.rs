//! Where file contents come from (working tree, git index, memory) and how bytes become text.
//!
//! A source yields [`Entry`]s: a path relative to its scan root (for globs), a display path
//! (relative to the working directory, `/`-separated) and a way to load the bytes. Loading
//! applies the binary, size and encoding policy and counts what it skipped.

pub mod archive;
pub mod diff;
pub mod git;
pub mod history;
pub mod ignore;
pub mod lineage;
pub mod staged;
pub mod walk;

use std::collections::HashSet;
use std::io::Read as _;
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
    /// Content over the size limit, left unread (a staged blob of this many bytes).
    Oversize(u64),
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

impl Entry {
    /// A file held in memory (a git blob, an example, an editor buffer) whose path is both its
    /// identity and its display path.
    pub fn in_memory(path: &str, bytes: std::sync::Arc<[u8]>) -> Self {
        Self {
            root: 0,
            rel: path.to_string(),
            display: path.to_string(),
            origin: Origin::Memory(bytes),
        }
    }
}

/// A file a `--staged` or `--diff` change touches, before any exclusion (config `exclude`,
/// ignore files), so stages that must see the whole change (gate-config-changed) can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedPath {
    /// Display path (relative to the working directory).
    pub display: String,
    /// Absolute path.
    pub abs: PathBuf,
    /// The change deletes the file (it no longer exists on the scanned side).
    pub deleted: bool,
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
    let bytes = match &entry.origin {
        Origin::Disk(path) => read_disk(path, max_size)?,
        Origin::Memory(bytes) if bytes.len() as u64 > max_size => return Err(SkipReason::TooLarge),
        Origin::Memory(bytes) => bytes.to_vec(),
        Origin::Oversize(_) => return Err(SkipReason::TooLarge),
    };
    decode(bytes)
}

/// An entry's raw bytes, when it is a readable file within `max_size` (archives are read so).
pub fn read_bytes(entry: &Entry, max_size: u64) -> Result<Arc<[u8]>, SkipReason> {
    match &entry.origin {
        Origin::Disk(path) => read_disk(path, max_size).map(Arc::from),
        Origin::Memory(bytes) if bytes.len() as u64 > max_size => Err(SkipReason::TooLarge),
        Origin::Memory(bytes) => Ok(Arc::clone(bytes)),
        Origin::Oversize(_) => Err(SkipReason::TooLarge),
    }
}

fn read_disk(path: &std::path::Path, max_size: u64) -> Result<Vec<u8>, SkipReason> {
    // One open and an fstat on the open file, rather than a stat of the path and then a read
    // that stats it again: two fewer path walks per file, which show on large trees.
    let mut file = open_for_reading(path).map_err(|_| SkipReason::Unreadable)?;
    let meta = file.metadata().map_err(|_| SkipReason::Unreadable)?;
    if !meta.is_file() {
        return Err(SkipReason::Unreadable);
    }
    if meta.len() > max_size {
        return Err(SkipReason::TooLarge);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Read at most one byte past the bound: a file that grew since the fstat stays bounded.
    (&mut file)
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|_| SkipReason::Unreadable)?;
    if bytes.len() as u64 > max_size {
        return Err(SkipReason::TooLarge);
    }
    Ok(bytes)
}

/// Opens a file to read. On Unix without blocking: a FIFO put where the walk saw a file must
/// not hang the scan (the fstat that follows rejects it).
fn open_for_reading(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// Bytes to text. UTF-16 with a byte-order mark (what Windows editors write) is decoded;
/// otherwise binary detection as ripgrep and git do it: a NUL byte in the first 8 KiB.
pub fn decode(bytes: Vec<u8>) -> Result<SourceText, SkipReason> {
    match bytes.get(..2) {
        Some([0xFF, 0xFE]) => return Ok(decode_utf16(&bytes[2..], u16::from_le_bytes)),
        Some([0xFE, 0xFF]) => return Ok(decode_utf16(&bytes[2..], u16::from_be_bytes)),
        _ => {}
    }
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

/// UTF-16 code units (after the byte-order mark) to text; unpaired surrogates and an odd
/// trailing byte become U+FFFD and make the text lossy.
fn decode_utf16(body: &[u8], unit: fn([u8; 2]) -> u16) -> SourceText {
    let pairs = body.chunks_exact(2);
    let odd = !pairs.remainder().is_empty();
    let units = pairs.map(|p| unit([p[0], p[1]]));
    let mut lossy = odd;
    let mut text: String = char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                lossy = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    if odd {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    SourceText { text, lossy }
}

pub use crate::paths::{display_path, slashed};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_in_head_is_binary() {
        assert_eq!(decode(b"ab\0cd".to_vec()).unwrap_err(), SkipReason::Binary);
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_text() {
        let le: Vec<u8> = "\u{feff}key = 1\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "\u{feff}key = 1\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        for bytes in [le, be] {
            let t = decode(bytes).unwrap();
            assert_eq!(t.text, "key = 1\n");
            assert!(!t.lossy);
        }
        let t = decode(vec![0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b']).unwrap();
        assert_eq!(t.text, "a\u{fffd}\u{fffd}");
        assert!(t.lossy);
    }

    #[cfg(unix)]
    #[test]
    fn a_backslash_is_a_file_name_character_on_unix() {
        let p = std::path::Path::new("/w/src\\config.py");
        assert_eq!(display_path(p, std::path::Path::new("/w")), "src\\config.py");
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        let t = decode(b"caf\xe9 ok".to_vec()).unwrap();
        assert!(t.lossy);
        assert_eq!(t.text, "caf\u{fffd} ok");
    }
}
