//! Path arithmetic in one place: absolute and normalised paths, display paths (relative to the
//! working directory), identity paths (relative to the repository root) and finding that root.
//!
//! Two kinds of path describe a file. Its *display* path is what users read and depends on
//! where guardrail was started. Its *identity* path is relative to the repository root (the
//! nearest directory above the scan root holding `.git`, or the scan root outside a
//! repository): rule path scopes, config overrides, fingerprints and baselines use it, so a
//! finding is the same finding whichever directory guardrail runs from and whichever paths are
//! named on the command line.

use std::path::{Component, Path, PathBuf};

/// The path rule scopes, path rules and file contexts match: an archive member's identity
/// path (`dist/app.zip!conf/.env`) with each `!` read as a directory separator, so `.env` and
/// `**/conf/*` match members as they match files.
pub fn scope_path(rel: &str) -> std::borrow::Cow<'_, str> {
    if rel.contains('!') {
        std::borrow::Cow::Owned(rel.replace('!', "/"))
    } else {
        std::borrow::Cow::Borrowed(rel)
    }
}

/// `path` made absolute against `cwd`, with `.` components dropped (no symlink resolution; `..`
/// is kept, so display paths of `../x` stay `../x`).
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    joined
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// `path` with `.` and `..` resolved lexically (symlinks are not followed).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// [`absolute`] then [`normalize`]: the one spelling two paths are compared in.
pub fn resolved(path: &Path, cwd: &Path) -> PathBuf {
    normalize(&absolute(path, cwd))
}

/// A relative path with `/` separators. Only on Windows is `\\` a separator; on Unix it is an
/// ordinary file-name character, and turning it into `/` would make `src\\config.py` and
/// `src/config.py` one file.
pub fn slashed(path: &Path) -> String {
    let s = path.to_string_lossy();
    if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// Turns a path into the `/`-separated display form, relative to `cwd` when below it.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let shown = shown.strip_prefix(".").unwrap_or(shown);
    let s = slashed(shown);
    if s.is_empty() {
        ".".to_string()
    } else {
        s
    }
}

/// `/`-separated path from `dir` to `path` (both absolute and normalised), with `..` steps;
/// `path` itself when they share nothing.
pub fn relative_to(path: &Path, dir: &Path) -> String {
    let a: Vec<Component> = path.components().collect();
    let b: Vec<Component> = dir.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return slashed(path);
    }
    let ups = std::iter::repeat_n("..".to_string(), b.len() - common);
    let rest = a[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    ups.chain(rest).collect::<Vec<_>>().join("/")
}

/// The repository around `dir` (absolute): the nearest ancestor holding `.git` (a directory,
/// or a file in worktrees and submodules). No git process is started: this runs on every scan,
/// including the pre-commit one.
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The directory identity paths of files under scan root `root` are relative to: the
/// repository root; outside a repository, the root itself (a directory) or, for a named file,
/// the working directory when the file lies below it, else the file's directory.
pub fn identity_base(root: &Path, cwd: &Path) -> PathBuf {
    let abs = resolved(root, cwd);
    let is_dir = std::fs::metadata(&abs).is_ok_and(|m| m.is_dir());
    let dir = if is_dir {
        abs.clone()
    } else {
        abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf)
    };
    if let Some(repo) = repository_root(&dir) {
        return repo;
    }
    let cwd = normalize(cwd);
    match (is_dir, abs.starts_with(&cwd)) {
        (true, _) => abs,
        (false, true) => cwd,
        (false, false) => dir,
    }
}

/// The identity path of `path` (absolute or relative to `cwd`) under `base`: `/`-separated and
/// relative to it; the whole normalised path when it lies outside `base`.
pub fn identity_path(path: &Path, cwd: &Path, base: &Path) -> String {
    let abs = resolved(path, cwd);
    match abs.strip_prefix(base) {
        Ok(rel) => slashed(rel),
        Err(_) => slashed(&abs),
    }
}

/// The working directory and the repository root it lies in, so formats that want
/// repository-relative paths (SARIF, GitHub annotations) can rebase display paths, which are
/// relative to the working directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoPaths {
    /// Absolute working directory (empty: display paths are taken as repository-relative).
    pub cwd: PathBuf,
    /// Absolute repository root: the nearest ancestor of `cwd` holding `.git`, else `cwd`.
    pub root: PathBuf,
}

impl RepoPaths {
    /// Finds the repository root above `cwd` (a `.git` directory or file; no git needed).
    pub fn discover(cwd: &Path) -> Self {
        Self {
            cwd: cwd.to_path_buf(),
            root: repository_root(cwd).unwrap_or_else(|| cwd.to_path_buf()),
        }
    }

    /// `display` (relative to `cwd`, or absolute) as a `/`-separated path relative to the
    /// repository root; `None` when it lies outside the repository.
    pub fn relative(&self, display: &str) -> Option<String> {
        let abs = resolved(Path::new(display), &self.cwd);
        let rel = abs.strip_prefix(&self.root).ok()?;
        if rel.has_root() || rel.as_os_str().is_empty() {
            return None;
        }
        Some(slashed(rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_out_of_the_directory() {
        let rel = |p: &str, d: &str| relative_to(Path::new(p), Path::new(d));
        assert_eq!(rel("/r/src/a.rs", "/r"), "src/a.rs");
        assert_eq!(rel("/r/a.rs", "/r/sub"), "../a.rs");
        assert_eq!(normalize(Path::new("/r/sub/../a")), PathBuf::from("/r/a"));
    }

    #[test]
    fn display_paths_are_relative_to_the_working_directory_when_below_it() {
        let cwd = Path::new("/r/sub");
        assert_eq!(display_path(Path::new("/r/sub/a/b.rs"), cwd), "a/b.rs");
        assert_eq!(display_path(Path::new("/r/other.rs"), cwd), "/r/other.rs");
        assert_eq!(display_path(Path::new("/r/sub"), cwd), ".");
    }

    #[test]
    fn identity_paths_are_relative_to_the_repository_root_from_anywhere() {
        let tmp = tempfile_dir();
        let repo = tmp.join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join(".github/workflows")).unwrap();
        let wf = repo.join(".github/workflows");
        for (root, cwd) in [
            (repo.as_path(), repo.as_path()),
            (Path::new(".github/workflows"), repo.as_path()),
            (Path::new("."), repo.join(".github").as_path()),
            (Path::new("."), wf.as_path()),
        ] {
            let base = identity_base(root, cwd);
            assert_eq!(base, repo, "root {root:?} from {cwd:?}");
            let file = repo.join(".github/workflows/ci.yml");
            assert_eq!(identity_path(&file, cwd, &base), ".github/workflows/ci.yml");
        }
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn outside_a_repository_the_scan_root_is_the_base() {
        let tmp = tempfile_dir();
        std::fs::create_dir_all(tmp.join("sub")).unwrap();
        assert_eq!(identity_base(Path::new("sub"), &tmp), tmp.join("sub"));
        assert_eq!(identity_base(Path::new("sub/x.rs"), &tmp), tmp);
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    /// A fresh directory under the system temp dir (unit tests have no tempfile crate).
    fn tempfile_dir() -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "guardrail-paths-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        normalize(&dir)
    }
}
