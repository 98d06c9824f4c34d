//! Temporary git repositories for the `--staged`, `--diff`, hook and pre-commit tests, with git
//! isolated from the machine's global configuration.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A throwaway repository on branch `main`.
pub struct Repo {
    /// Keeps the directory alive.
    pub tmp: tempfile::TempDir,
}

impl Repo {
    /// `git init` in a new temporary directory.
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let repo = Self { tmp };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// `path()/rel`.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    /// Runs git in the work tree and returns stdout; panics when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let out = git_command(self.path()).args(args).output().expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Writes files (creating directories).
    pub fn write(&self, files: &[(&str, &str)]) {
        for (rel, content) in files {
            let path = self.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, content).expect("write");
        }
    }

    /// Writes and stages files.
    pub fn stage(&self, files: &[(&str, &str)]) {
        self.write(files);
        let mut args = vec!["add", "--"];
        args.extend(files.iter().map(|(p, _)| *p));
        self.git(&args);
    }

    /// Commits what is staged.
    pub fn commit(&self, message: &str) {
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
    }
}

/// `git` with an identity and no global or system configuration.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .args(["-c", "commit.gpgsign=false"]);
    cmd
}

/// A well-formed fake GitHub token, assembled at run time so no file here contains one.
pub fn token() -> String {
    ["ghp_", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"].concat()
}

/// `token = "<token>"` plus a newline.
pub fn token_line() -> String {
    format!("token = \"{}\"\n", token())
}
