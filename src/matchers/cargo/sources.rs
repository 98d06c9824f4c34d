//! Where dependencies come from: git repositories, paths that leave the workspace, and
//! registries other than crates.io, in Cargo.toml (at the `git`/`path`/`registry` entry) and
//! Cargo.lock (at the package's `source`).

use super::lockfile::Lockfile;
use super::manifest::Manifest;
use crate::finding::Hit;
use crate::policy::raw::CargoSource;

/// crates.io's index, as git and sparse URLs appear in lockfiles.
const CRATES_IO: &[&str] = &[
    "https://github.com/rust-lang/crates.io-index",
    "https://index.crates.io",
    "crates-io",
];

/// Which sources a rule flags, and what it accepts anyway.
#[derive(Debug)]
pub struct SourcePolicy {
    git: bool,
    path: bool,
    registry: bool,
    allow_registries: Vec<String>,
    allow_git: Vec<String>,
}

impl SourcePolicy {
    /// Builds the policy from the table's lists.
    pub fn new(kinds: &[CargoSource], allow_registries: Vec<String>, allow_git: Vec<String>) -> Self {
        Self {
            git: kinds.contains(&CargoSource::Git),
            path: kinds.contains(&CargoSource::Path),
            registry: kinds.contains(&CargoSource::Registry),
            allow_registries,
            allow_git,
        }
    }

    fn git_allowed(&self, url: &str) -> bool {
        self.allow_git.iter().any(|p| url.starts_with(p.as_str()))
    }

    fn registry_allowed(&self, registry: &str) -> bool {
        let norm = |s: &str| {
            let s = s.trim();
            let s = s
                .strip_prefix("sparse+")
                .or_else(|| s.strip_prefix("registry+"))
                .unwrap_or(s);
            s.trim_end_matches('/').to_string()
        };
        let registry = norm(registry);
        CRATES_IO.iter().any(|c| *c == registry) || self.allow_registries.iter().any(|a| norm(a) == registry)
    }

    /// Flags sources in a manifest at `dir` (relative to the scan root) whose workspace root
    /// is `workspace` (also relative).
    pub fn check_manifest(&self, m: &Manifest, dir: &str, workspace: &str, out: &mut Vec<Hit>) {
        for dep in &m.deps {
            let mut hit = |val: &super::manifest::Val, label: String| {
                out.push(Hit {
                    label: Some(label),
                    identity: Some(format!("{} {} {}", dep.table, dep.name, val.text)),
                    ..Hit::span(val.pair.clone())
                });
            };
            match (&dep.git, &dep.path, &dep.registry) {
                (Some(git), _, _) if self.git && !self.git_allowed(&git.text) => {
                    hit(git, format!("`{}` comes from a git repository", dep.name));
                }
                (None, Some(path), _) if self.path && leaves(workspace, dir, &path.text) => {
                    hit(path, format!("`{}` is outside the workspace root", path.text));
                }
                (None, None, Some(reg)) if self.registry && !self.registry_allowed(&reg.text) => {
                    hit(reg, format!("registry `{}` is not crates.io", reg.text));
                }
                _ => {}
            }
        }
    }

    /// Flags git and non-crates.io registry sources in the resolved graph.
    pub fn check_lockfile(&self, lock: &Lockfile, out: &mut Vec<Hit>) {
        for p in &lock.packages {
            let Some(source) = &p.source else { continue };
            let label = if let Some(url) = source.text.strip_prefix("git+") {
                let url = url.split(['?', '#']).next().unwrap_or(url);
                if !self.git || self.git_allowed(url) {
                    continue;
                }
                format!("{} {} comes from {url}", p.name, p.version)
            } else if self.registry && !self.registry_allowed(&source.text) {
                format!("{} {} comes from {}", p.name, p.version, source.text)
            } else {
                continue;
            };
            out.push(Hit {
                label: Some(label),
                identity: Some(format!("{} {} {}", p.name, p.version, source.text)),
                ..Hit::span(source.pair.clone())
            });
        }
    }
}

/// Whether `path`, relative to directory `dir`, leaves `workspace` (both relative to the scan
/// root; an absolute path always leaves).
pub fn leaves(workspace: &str, dir: &str, path: &str) -> bool {
    let bytes = path.as_bytes();
    if path.starts_with(['/', '\\']) || (bytes.len() > 1 && bytes[1] == b':') {
        return true;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for c in path.split(['/', '\\']) {
        match c {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return true;
                }
            }
            c => parts.push(c),
        }
    }
    let ws: Vec<&str> = workspace.split('/').filter(|p| !p.is_empty()).collect();
    !parts.starts_with(&ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_leaving_the_workspace() {
        assert!(leaves("", "", "../other"));
        assert!(!leaves("", "crates/app", "../lib"));
        assert!(leaves("", "crates/app", "../../../x"));
        assert!(leaves("ws", "ws/app", "../../x"));
        assert!(!leaves("ws", "ws/app", "./../lib"));
        assert!(leaves("", "", "/abs/path"));
        assert!(leaves("", "", "C:\\x"));
    }

    #[test]
    fn crates_io_is_the_default_registry() {
        let p = SourcePolicy::new(&[CargoSource::Registry], vec!["corp".into()], vec![]);
        assert!(p.registry_allowed("registry+https://github.com/rust-lang/crates.io-index"));
        assert!(p.registry_allowed("sparse+https://index.crates.io/"));
        assert!(p.registry_allowed("corp"));
        assert!(!p.registry_allowed("sparse+https://evil.example/index/"));
    }
}
