//! `--cargo-metadata`: the graph from `cargo metadata --offline --locked`, run so that nothing
//! the scanned repository configures chooses a program.
//!
//! What `cargo metadata` would otherwise run on the repository's say:
//! - rustup proxies (`cargo`, `rustc`) read `rust-toolchain.toml` from the working directory
//!   up, and a `path = "/abs/dir"` toolchain runs that directory's binaries;
//! - cargo reads `.cargo/config.toml` from the working directory up: `build.rustc`,
//!   `build.rustc-wrapper`, `build.rustc-workspace-wrapper`, `[env]`, `build.rustflags`, aliases;
//! - cargo runs rustc (`-vV`, `--print cfg` ...) for target information.
//!
//! So cargo runs with its working directory at the filesystem root (no repository config or
//! toolchain file is ever found; `--manifest-path` names the workspace), from a cleared
//! environment, as the toolchain's real `cargo` binary (not a rustup proxy), with rustc pinned to
//! the toolchain's real `rustc` and every wrapper and rustflag overridden on the command line.
//! The toolchain is found from guardrail's own environment, probed outside the repository.
//! Anything that cannot be pinned (a tool or `CARGO_HOME` inside the scanned tree) refuses the run.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::licenses::{Graph, GraphPackage};

/// Resolves the whole graph; when crates for other platforms were never downloaded (a build
/// fetches only the host's), falls back to the host platform's graph and says so.
pub fn resolve(manifest: &Path, scan_root: &Path) -> Result<Graph, String> {
    let tools = Toolchain::find(scan_root)?;
    match run(&tools, manifest, false) {
        Ok(meta) => Ok(graph(meta, false)),
        Err(full) => match run(&tools, manifest, true) {
            Ok(meta) => Ok(graph(meta, true)),
            Err(_) => Err(full),
        },
    }
}

/// Variables passed through from guardrail's own environment (trusted: the caller's, not the
/// repository's); everything else is cleared.
const PASS_THROUGH: &[&str] = &[
    "PATH",
    "HOME",
    "USERPROFILE",
    "RUSTUP_HOME",
    "SYSTEMROOT",
    "TMPDIR",
    "TEMP",
    "TMP",
];

/// The programs cargo may run, fixed before it starts.
#[derive(Debug)]
struct Toolchain {
    cargo: PathBuf,
    rustc: PathBuf,
    /// The rustup toolchain name, so any proxy that still runs picks this toolchain.
    rustup_toolchain: Option<OsString>,
    cargo_home: Option<PathBuf>,
    /// A directory outside the repository to run in.
    neutral: PathBuf,
}

impl Toolchain {
    fn find(scan_root: &Path) -> Result<Self, String> {
        let neutral = neutral_dir();
        if neutral.starts_with(scan_root) {
            return Err(refusal("the scan root contains the filesystem root"));
        }
        let cargo_home = env_path("CARGO_HOME")
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
        if cargo_home.as_ref().is_some_and(|h| inside(h, scan_root)) {
            return Err(refusal("CARGO_HOME lies inside the scanned tree"));
        }
        let probe = env_path("RUSTC")
            .or_else(|| which("rustc"))
            .ok_or_else(|| "rustc was not found".to_string())?;
        let sysroot = sysroot(&probe, &neutral)?;
        let rustc = exe(&sysroot.join("bin").join("rustc"))
            .ok_or_else(|| format!("the toolchain at {} has no rustc", sysroot.display()))?;
        let cargo = env_path("CARGO")
            .or_else(|| exe(&sysroot.join("bin").join("cargo")))
            .or_else(|| which("cargo"))
            .ok_or_else(|| "cargo was not found".to_string())?;
        let rustup_toolchain = (sysroot.parent().and_then(Path::file_name) == Some("toolchains".as_ref()))
            .then(|| sysroot.file_name().map(OsString::from))
            .flatten();
        for (what, path) in [("cargo", &cargo), ("rustc", &rustc)] {
            if inside(path, scan_root) {
                return Err(refusal(&format!("{what} lies inside the scanned tree")));
            }
        }
        Ok(Self {
            cargo,
            rustc,
            rustup_toolchain,
            cargo_home,
            neutral,
        })
    }

    /// A command with a cleared environment, run outside the repository.
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear().current_dir(&self.neutral).stdin(Stdio::null());
        for key in PASS_THROUGH {
            if let Some(v) = std::env::var_os(key) {
                cmd.env(key, v);
            }
        }
        if let Some(home) = &self.cargo_home {
            cmd.env("CARGO_HOME", home);
        }
        if let Some(t) = &self.rustup_toolchain {
            cmd.env("RUSTUP_TOOLCHAIN", t);
        }
        cmd
    }
}

fn refusal(why: &str) -> String {
    format!("refused to run cargo: {why}, so repository files could choose what runs")
}

/// The filesystem root: no repository's `.cargo/config.toml` or `rust-toolchain.toml` is
/// above it.
fn neutral_dir() -> PathBuf {
    if cfg!(unix) {
        PathBuf::from("/")
    } else {
        std::env::temp_dir()
            .ancestors()
            .last()
            .map_or_else(std::env::temp_dir, Path::to_path_buf)
    }
}

/// The toolchain directory `rustc --print sysroot` names, asked outside the repository.
fn sysroot(rustc: &Path, neutral: &Path) -> Result<PathBuf, String> {
    let mut cmd = Command::new(rustc);
    cmd.env_clear().current_dir(neutral).stdin(Stdio::null());
    for key in PASS_THROUGH.iter().chain(&["CARGO_HOME", "RUSTUP_TOOLCHAIN"]) {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    let out = cmd
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("rustc could not run: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || text.is_empty() {
        return Err("`rustc --print sysroot` failed".to_string());
    }
    Ok(PathBuf::from(text))
}

/// One `cargo metadata` run with every repository-controlled program setting overridden.
fn run(tools: &Toolchain, manifest: &Path, host_only: bool) -> Result<cargo_metadata::Metadata, String> {
    let rustc = toml::Value::String(tools.rustc.to_string_lossy().into_owned()).to_string();
    let mut cmd = tools.command(&tools.cargo);
    cmd.arg("metadata")
        .args(["--format-version", "1", "--all-features", "--offline", "--locked"])
        .arg("--manifest-path")
        .arg(manifest);
    if host_only {
        cmd.args(["--filter-platform", "host-tuple"]);
    }
    for setting in [
        format!("build.rustc={rustc}"),
        "build.rustc-wrapper=\"\"".to_string(),
        "build.rustc-workspace-wrapper=\"\"".to_string(),
        "build.rustflags=[]".to_string(),
    ] {
        cmd.arg("--config").arg(setting);
    }
    cmd.env("RUSTC", &tools.rustc)
        .env("CARGO_BUILD_RUSTC", &tools.rustc)
        .env("RUSTC_WRAPPER", "")
        .env("RUSTC_WORKSPACE_WRAPPER", "")
        .env("CARGO_BUILD_RUSTC_WRAPPER", "")
        .env("CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER", "")
        .env("CARGO_NET_OFFLINE", "true");
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "cargo was not found".to_string()
        } else {
            format!("cargo could not run: {e}")
        }
    })?;
    if !out.status.success() {
        return Err(reason(&String::from_utf8_lossy(&out.stderr)));
    }
    cargo_metadata::MetadataCommand::parse(String::from_utf8_lossy(&out.stdout)).map_err(|e| e.to_string())
}

/// The first `error:` line of cargo's output.
fn reason(stderr: &str) -> String {
    stderr
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("error"))
        .or_else(|| stderr.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("cargo metadata failed")
        .chars()
        .take(300)
        .collect()
}

fn graph(meta: cargo_metadata::Metadata, host_only: bool) -> Graph {
    let index: HashMap<_, _> = meta
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    let packages = meta
        .packages
        .iter()
        .map(|p| {
            let manifest = p.manifest_path.clone().into_std_path_buf();
            GraphPackage {
                name: p.name.to_string(),
                version: p.version.to_string(),
                license: p.license.clone(),
                // Local manifests are compared with scanned paths: resolve symlinks alike.
                manifest: if p.source.is_none() {
                    canonical(&manifest)
                } else {
                    manifest
                },
                local: p.source.is_none(),
                known: true,
            }
        })
        .collect::<Vec<_>>();
    let mut direct = HashMap::new();
    for node in meta.resolve.iter().flat_map(|r| &r.nodes) {
        let Some(&i) = index.get(&node.id) else { continue };
        if packages[i].local {
            let deps = node
                .deps
                .iter()
                .filter_map(|d| index.get(&d.pkg).copied())
                .collect();
            direct.insert(packages[i].manifest.clone(), deps);
        }
    }
    Graph {
        packages,
        direct,
        host_only,
    }
}

/// An absolute path from guardrail's environment variable `key`.
fn env_path(key: &str) -> Option<PathBuf> {
    let value = PathBuf::from(std::env::var_os(key).filter(|v| !v.is_empty())?);
    value.is_absolute().then_some(value)
}

/// `name` in an absolute directory of `PATH` (relative entries would depend on the working
/// directory, which may be the repository).
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .find_map(|d| exe(&d.join(name)))
}

fn exe(path: &Path) -> Option<PathBuf> {
    let with_ext = if cfg!(windows) {
        path.with_extension("exe")
    } else {
        path.to_path_buf()
    };
    with_ext.is_file().then_some(with_ext)
}

/// Whether `path` (symlinks resolved) lies in the canonical `root`.
fn inside(path: &Path, root: &Path) -> bool {
    canonical(path).starts_with(root)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_is_the_first_error_line() {
        assert_eq!(
            reason("warning: x\nerror: no matching package\n  more"),
            "error: no matching package"
        );
        assert_eq!(reason(""), "cargo metadata failed");
    }

    #[cfg(unix)]
    #[test]
    fn a_scan_of_the_filesystem_root_is_refused() {
        let err = Toolchain::find(Path::new("/")).unwrap_err();
        assert!(err.starts_with("refused to run cargo"), "{err}");
    }
}
