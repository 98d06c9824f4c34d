//! The working tree: an ignore-aware parallel walk (`.gitignore`, `.ignore`, `.guardrailignore`).
//!
//! Hidden files are scanned (`.env` and `.github/` matter most), `.git/` is not, and symlinks
//! are never followed, so nothing outside the scan root is read.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};

use super::{display_path, Entry, Origin};
use crate::error::{Error, Result};
pub use crate::paths::absolute;
use crate::paths::{identity_base, identity_path, normalize};

/// Extra file names read like `.gitignore`.
pub const IGNORE_FILE: &str = ".guardrailignore";

/// Paths excluded by configuration, matched relative to `base` (the config's directory).
#[derive(Debug, Clone)]
pub struct Excludes {
    /// Directory the globs are relative to.
    pub base: PathBuf,
    /// The globs.
    pub globs: GlobSet,
}

impl Excludes {
    /// Whether `path` (absolute or relative to the working directory) is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        match normalize(path).strip_prefix(normalize(&self.base)) {
            Ok(rel) => self.globs.is_match(rel),
            Err(_) => false,
        }
    }
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Files to scan, sorted by display path.
    pub entries: Vec<Entry>,
    /// Symlinks seen and not followed.
    pub symlinks: usize,
    /// FIFOs, sockets and devices: never opened (a FIFO would block the scan).
    pub special: usize,
}

/// Walks each root (a directory or a file) with `threads` threads.
pub fn walk(roots: &[PathBuf], cwd: &Path, excludes: Option<&Excludes>) -> Result<Walked> {
    let mut out = Walked::default();
    for (index, root) in roots.iter().enumerate() {
        let meta = std::fs::symlink_metadata(root).map_err(|e| Error::io(root.display(), e))?;
        if meta.is_file() {
            let abs = absolute(root, cwd);
            if excludes.is_some_and(|x| x.is_excluded(&abs)) {
                continue;
            }
            out.entries.push(Entry {
                root: index,
                display: display_path(&abs, cwd),
                rel: identity_path(&abs, cwd, &identity_base(root, cwd)),
                origin: Origin::Disk(root.clone()),
            });
            continue;
        }
        walk_dir(index, root, cwd, excludes, &mut out);
    }
    out.entries.sort_by(|a, b| a.display.cmp(&b.display));
    out.entries.dedup_by(|a, b| a.display == b.display);
    Ok(out)
}

fn walk_dir(index: usize, root: &Path, cwd: &Path, excludes: Option<&Excludes>, out: &mut Walked) {
    let found = Mutex::new(Vec::new());
    let symlinks = std::sync::atomic::AtomicUsize::new(0);
    let special = std::sync::atomic::AtomicUsize::new(0);
    let base = identity_base(root, cwd);
    WalkBuilder::new(root)
        .hidden(false)
        .follow_links(false)
        .require_git(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel()
        .run(|| {
            Box::new(|result| {
                let Ok(entry) = result else {
                    return WalkState::Continue;
                };
                let Some(ft) = entry.file_type() else {
                    return WalkState::Continue;
                };
                let abs = absolute(entry.path(), cwd);
                if excludes.is_some_and(|x| x.is_excluded(&abs)) {
                    return if ft.is_dir() {
                        WalkState::Skip
                    } else {
                        WalkState::Continue
                    };
                }
                if ft.is_symlink() {
                    symlinks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                } else if !ft.is_file() && !ft.is_dir() {
                    special.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                } else if ft.is_file() {
                    let entry = Entry {
                        root: index,
                        rel: identity_path(&abs, cwd, &base),
                        display: display_path(&abs, cwd),
                        origin: Origin::Disk(entry.into_path()),
                    };
                    if let Ok(mut v) = found.lock() {
                        v.push(entry);
                    }
                }
                WalkState::Continue
            })
        });
    out.entries.extend(found.into_inner().unwrap_or_default());
    out.symlinks += symlinks.into_inner();
    out.special += special.into_inner();
}
