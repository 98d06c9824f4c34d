//! Running the `git` CLI for the staged and diff sources, and mapping paths between the
//! repository (toplevel-relative, `/`-separated) and the working directory.
//!
//! The CLI rather than a git library: it is on every machine that has a repository, it honours
//! the environment a hook runs in (`GIT_DIR`, `GIT_INDEX_FILE` of a partial commit), and it
//! costs a few milliseconds per call.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::error::{Error, Result};

/// The repository around a working directory.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The working directory git commands run in.
    pub cwd: PathBuf,
    /// The repository's top directory, as git reports it (symlinks resolved).
    pub toplevel: PathBuf,
    /// `cwd` relative to the toplevel, `/`-separated, ending in `/` (empty at the top).
    pub prefix: String,
}

impl Repo {
    /// Finds the repository that contains `cwd`; an error when there is none.
    pub fn discover(cwd: &Path) -> Result<Self> {
        Self::from_rev_parse(cwd, start(cwd, REV_PARSE, None)?)
    }

    /// Completes discovery from a running [`REV_PARSE`], so callers can start other git
    /// commands (that do not need the answer) before waiting for it.
    pub fn from_rev_parse(cwd: &Path, rev_parse: Pending) -> Result<Self> {
        let out = rev_parse.finish()?;
        let text = String::from_utf8_lossy(&out);
        let mut lines = text.lines();
        let toplevel = lines.next().filter(|l| !l.is_empty()).ok_or_else(|| {
            Error::Git("not inside a git work tree (a bare repository has no files to scan)".into())
        })?;
        Ok(Self {
            cwd: cwd.to_path_buf(),
            toplevel: PathBuf::from(toplevel),
            prefix: lines.next().unwrap_or("").to_string(),
        })
    }

    /// The toplevel spelled from the working directory (its symlinks unresolved), so paths built
    /// on it compare with paths built on the working directory.
    pub fn toplevel_from_cwd(&self) -> PathBuf {
        let mut top = self.cwd.clone();
        for _ in self.prefix.split('/').filter(|p| !p.is_empty()) {
            top.pop();
        }
        top
    }

    /// Runs `git ARGS` in the working directory and returns its stdout.
    pub fn git(&self, args: &[&str]) -> Result<Vec<u8>> {
        start(&self.cwd, args, None)?.finish()
    }

    /// Runs `git ARGS` with `input` on stdin and returns its stdout.
    pub fn git_with_input(&self, args: &[&str], input: Vec<u8>) -> Result<Vec<u8>> {
        start(&self.cwd, args, Some(input))?.finish()
    }

    /// The directory git runs hooks from (`core.hooksPath` or `.git/hooks`), as git spells it:
    /// the one question asked with the repository's hook setting left in place.
    pub fn hooks_dir(&self) -> Result<PathBuf> {
        let args = ["rev-parse", "--git-path", "hooks"];
        let mut cmd = base_command(&self.cwd);
        cmd.args(args);
        let out = spawn(cmd, &args, None)?.finish()?;
        Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()))
    }

    /// Runs `git ARGS` with extra configuration (`key`, `value`) and returns its stdout.
    pub fn git_with_config(&self, config: &[(String, String)], args: &[&str]) -> Result<Vec<u8>> {
        let mut cmd = command(&self.cwd, args);
        add_config(&mut cmd, config);
        spawn(cmd, args, None)?.finish()
    }

    /// Configuration that switches off every filter driver the repository configures
    /// (`filter.<name>.clean`, `.smudge`, `.process`), for commands that read the working
    /// tree: git would otherwise run the repository's program on each file it hashes. An
    /// empty command is no filter to git; `required = false` keeps it from failing instead.
    pub fn filter_overrides(&self) -> Result<Vec<(String, String)>> {
        let names = self.git(&["config", "-z", "--name-only", "--list"])?;
        let mut drivers: Vec<String> = split_nul(&names)
            .filter_map(|name| {
                let rest = name
                    .get(..7)?
                    .eq_ignore_ascii_case("filter.")
                    .then(|| &name[7..])?;
                Some(rest.rsplit_once('.')?.0.to_string())
            })
            .collect();
        drivers.sort();
        drivers.dedup();
        let mut config = Vec::new();
        for driver in drivers {
            for key in ["clean", "smudge", "process"] {
                config.push((format!("filter.{driver}.{key}"), String::new()));
            }
            config.push((format!("filter.{driver}.required"), "false".to_string()));
        }
        Ok(config)
    }

    /// A repository path as users see it: relative to the working directory (`../x` above it).
    pub fn display(&self, repo_path: &str) -> String {
        if let Some(rest) = repo_path.strip_prefix(self.prefix.as_str()) {
            return rest.to_string();
        }
        let mut up = self.prefix.trim_end_matches('/').split('/').collect::<Vec<_>>();
        let mut target: Vec<&str> = repo_path.split('/').collect();
        while !up.is_empty() && !target.is_empty() && up[0] == target[0] && target.len() > 1 {
            up.remove(0);
            target.remove(0);
        }
        let mut out = "../".repeat(up.len());
        out.push_str(&target.join("/"));
        out
    }

    /// The repository path of `path` (relative to the working directory, or absolute);
    /// `None` when it lies outside the repository. Empty string: the toplevel itself.
    pub fn repo_path(&self, path: &Path) -> Option<String> {
        if path.is_absolute() {
            let canonical = std::fs::canonicalize(path).ok();
            let abs = canonical.as_deref().unwrap_or(path);
            let rel = abs.strip_prefix(&self.toplevel).ok()?;
            return normalize("", rel);
        }
        normalize(&self.prefix, path)
    }
}

/// Joins `base` (a `/`-terminated repository path or empty) and a relative `path` lexically,
/// resolving `.` and `..`; `None` when `..` climbs above the toplevel.
fn normalize(base: &str, path: &Path) -> Option<String> {
    let mut parts: Vec<String> = base
        .split('/')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

/// Arguments that find the toplevel and the working directory's prefix.
pub const REV_PARSE: &[&str] = &["rev-parse", "--show-toplevel", "--show-prefix"];

/// A git command that is running; [`Pending::finish`] collects its output. Several can run at
/// once: each costs a few milliseconds of process start, which overlap.
pub struct Pending {
    child: Option<Child>,
    args: String,
    feeder: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

/// Global options on every git command line, so that nothing the scanned repository configures
/// runs: no fsmonitor daemon or hook script, no pager (and, in [`command`], no hooks). Filters, textconv and external
/// diff drivers are switched off by the commands that could run them (`--no-textconv`,
/// `--no-ext-diff`, [`Repo::filter_overrides`]); `cat-file --batch` never runs filters.
/// Paths come back verbatim (no C-quoting of non-ASCII).
pub const SAFE_OPTIONS: &[&str] = &[
    "--no-pager",
    "-c",
    "core.quotePath=false",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.untrackedCache=false",
];

/// No hook runs (none of the read-only commands a scan uses should start one; this makes sure).
const NO_HOOKS: &[&str] = &["-c", "core.hooksPath=/dev/null"];

/// A `git` command with [`SAFE_OPTIONS`] and no hooks, run in `cwd`, with stdout and stderr
/// piped.
pub fn command(cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = base_command(cwd);
    cmd.args(NO_HOOKS).args(args);
    cmd
}

fn base_command(cwd: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(SAFE_OPTIONS)
        .current_dir(cwd)
        // No optional index lock, so a scan never races the `git commit` whose hook it runs in.
        .env("GIT_OPTIONAL_LOCKS", "0")
        // A partial clone would otherwise fetch missing objects (network, credential helpers).
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_EXTERNAL_DIFF")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    keep_repository_env(&mut cmd, cwd);
    cmd
}

/// A hook's environment (`GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`, possibly relative to
/// the process's directory) made to mean the same for a command run in another directory.
fn keep_repository_env(cmd: &mut Command, cwd: &Path) {
    let Ok(here) = std::env::current_dir() else {
        return;
    };
    if here == cwd {
        return;
    }
    for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
        if let Some(value) = std::env::var_os(var) {
            let path = Path::new(&value);
            if path.is_relative() {
                cmd.env(var, here.join(path));
            }
        }
    }
    // With GIT_DIR alone, git takes its own directory as the top of the work tree.
    if std::env::var_os("GIT_DIR").is_some() && std::env::var_os("GIT_WORK_TREE").is_none() {
        cmd.env("GIT_WORK_TREE", &here);
    }
}

/// Passes `config` through git's `GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>` variables, after
/// any the environment already holds: unlike `-c key=value`, a key may contain `=`.
fn add_config(cmd: &mut Command, config: &[(String, String)]) {
    let first: usize = std::env::var("GIT_CONFIG_COUNT")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    for (i, (key, value)) in config.iter().enumerate() {
        cmd.env(format!("GIT_CONFIG_KEY_{}", first + i), key)
            .env(format!("GIT_CONFIG_VALUE_{}", first + i), value);
    }
    if !config.is_empty() {
        cmd.env("GIT_CONFIG_COUNT", (first + config.len()).to_string());
    }
}

/// Starts `git ARGS` in `cwd`, with `input` on stdin when given.
pub fn start(cwd: &Path, args: &[&str], input: Option<Vec<u8>>) -> Result<Pending> {
    spawn(command(cwd, args), args, input)
}

fn spawn(mut cmd: Command, args: &[&str], input: Option<Vec<u8>>) -> Result<Pending> {
    if input.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::Git(format!("could not run git: {e}")))?;
    // Feed stdin from another thread: git answers while it reads, and a full pipe both ways
    // would deadlock.
    let feeder = match (input, child.stdin.take()) {
        (Some(bytes), Some(mut stdin)) => Some(std::thread::spawn(move || stdin.write_all(&bytes))),
        _ => None,
    };
    Ok(Pending {
        child: Some(child),
        args: args.join(" "),
        feeder,
    })
}

impl Pending {
    /// Waits for the command; its stdout, or an error carrying git's own message.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        let Some(child) = self.child.take() else {
            return Err(Error::Git(format!("git {} was already collected", self.args)));
        };
        let out = child
            .wait_with_output()
            .map_err(|e| Error::Git(format!("git {}: {e}", self.args)))?;
        if let Some(f) = self.feeder.take() {
            let _ = f.join();
        }
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let what = stderr.trim().trim_start_matches("fatal: ");
            return Err(Error::Git(format!("`git {}` failed: {what}", self.args)));
        }
        Ok(out.stdout)
    }
}

impl Drop for Pending {
    /// A command whose output is no longer wanted (an earlier one failed) is stopped and reaped.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Splits NUL-terminated git output into strings (paths are UTF-8 on every platform git
/// supports well; others are decoded lossily).
pub fn split_nul(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(prefix: &str) -> Repo {
        Repo {
            cwd: PathBuf::from("/r").join(prefix),
            toplevel: PathBuf::from("/r"),
            prefix: prefix.to_string(),
        }
    }

    #[test]
    fn display_is_relative_to_the_working_directory() {
        assert_eq!(repo("").display("a/b.txt"), "a/b.txt");
        assert_eq!(repo("a/").display("a/b.txt"), "b.txt");
        assert_eq!(repo("a/c/").display("a/b.txt"), "../b.txt");
        assert_eq!(repo("x/").display("a/b.txt"), "../a/b.txt");
    }

    #[test]
    fn repo_paths_resolve_dot_dot() {
        assert_eq!(repo("a/").repo_path(Path::new("../b/c")).as_deref(), Some("b/c"));
        assert_eq!(repo("a/").repo_path(Path::new(".")).as_deref(), Some("a"));
        assert_eq!(repo("").repo_path(Path::new(".")).as_deref(), Some(""));
        assert_eq!(repo("").repo_path(Path::new("../x")), None);
    }
}
