//! Reading the files that configure the gate (config, policies, baseline) without letting the
//! scanned repository point guardrail at anything else: such a file must not be a symlink, and
//! a path named inside a repository's config must stay inside that repository.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What kind of gate file is read, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateFile {
    /// `guardrail.toml` or `--config FILE`.
    Config,
    /// A policy pack.
    Policy,
    /// A baseline.
    Baseline,
}

impl GateFile {
    fn noun(self) -> &'static str {
        match self {
            GateFile::Config => "config file",
            GateFile::Policy => "policy file",
            GateFile::Baseline => "baseline file",
        }
    }
}

/// Reads a gate file as text. A symlink is refused (a committed link to `/proc/self/environ`
/// or `~/.ssh/id_rsa` would otherwise be read, and quoted in a parse error), and so is anything
/// but a regular file (a FIFO would block the run).
pub fn read(path: &Path, kind: GateFile) -> Result<String> {
    refuse_symlink(path, kind)?;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path.display(), e))?;
    if !meta.is_file() {
        return Err(Error::Usage(format!(
            "{}: the {} is not a regular file",
            path.display(),
            kind.noun()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path.display(), e))?;
    // A NUL byte means it is no TOML file at all (`/proc/self/environ` is NUL-separated):
    // refuse it before any parser could quote it.
    if bytes.contains(&0) {
        return Err(Error::Usage(format!(
            "{}: the {} is not a text file (it contains NUL bytes)",
            path.display(),
            kind.noun()
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        Error::Usage(format!(
            "{}: the {} is not valid UTF-8",
            path.display(),
            kind.noun()
        ))
    })
}

/// Refuses `path` when it is a symlink (its own entry, not its parent directories).
pub fn refuse_symlink(path: &Path, kind: GateFile) -> Result<()> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        return Err(Error::Usage(format!(
            "{}: the {} is a symlink; guardrail does not follow symlinks for files that configure \
             the gate (replace it with the file itself)",
            path.display(),
            kind.noun()
        )));
    }
    Ok(())
}

/// The root a config's paths must stay in: the git work tree holding `dir` (the nearest
/// ancestor with `.git`), else `dir` itself. Canonical.
pub fn repository_root(dir: &Path) -> Result<PathBuf> {
    let dir = dir.canonicalize().map_err(|e| Error::io(dir.display(), e))?;
    let root = dir
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&dir)
        .to_path_buf();
    Ok(root)
}

/// Why a path named by a config cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Escape {
    /// It does not exist or cannot be resolved.
    Unresolvable(String),
    /// It resolves outside `root`.
    Outside(PathBuf),
}

/// `path` (already joined onto the config's directory) canonicalised, when it lies inside
/// `root` (canonical). `..` steps and symlinked directories are resolved first, so neither
/// leads out.
pub fn confine(path: &Path, root: &Path) -> std::result::Result<PathBuf, Escape> {
    let resolved = path
        .canonicalize()
        .map_err(|e| Escape::Unresolvable(e.to_string()))?;
    if resolved.starts_with(root) {
        Ok(resolved)
    } else {
        Err(Escape::Outside(resolved))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confine_refuses_parent_steps_and_absolute_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir(root.join("repo")).expect("mkdir");
        std::fs::write(root.join("outside.toml"), "").expect("write");
        std::fs::write(root.join("repo/inside.toml"), "").expect("write");
        let repo = root.join("repo");
        assert_eq!(
            confine(&repo.join("inside.toml"), &repo),
            Ok(repo.join("inside.toml"))
        );
        assert_eq!(
            confine(&repo.join("../outside.toml"), &repo),
            Err(Escape::Outside(root.join("outside.toml")))
        );
        assert!(confine(Path::new("/etc/hostname"), &repo).is_err());
        assert!(matches!(
            confine(&repo.join("missing.toml"), &repo),
            Err(Escape::Unresolvable(_))
        ));
    }
}
