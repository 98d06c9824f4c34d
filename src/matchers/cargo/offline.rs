//! The dependency graph and its licenses without running anything: every package of Cargo.lock,
//! each with the `license` of a copy of its source already on this machine — the workspace's
//! own manifests and path dependencies inside the scan root, a cargo-vendor `vendor/`
//! directory, the local registry cache (`$CARGO_HOME/registry/src`) and git checkouts
//! (`$CARGO_HOME/git/checkouts`). Manifests are read as data with the `toml` crate; no
//! `.cargo/config.toml`, toolchain file or program of the repository is consulted.
//!
//! [`resolve`] is a function of (lockfile, manifests, source locations) only, so it can move to
//! whatever holds run-scoped state.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::licenses::{Graph, GraphPackage};
use super::lockfile::{self, LockPackage, Lockfile};

/// Larger manifests and lockfiles are not read (no real one comes close).
const MAX_MANIFEST_BYTES: u64 = 4 << 20;
const MAX_LOCKFILE_BYTES: u64 = 64 << 20;
/// Bounds on the manifests followed through path dependencies and on the directories searched
/// in one git checkout, so a hostile tree cannot make the walk unbounded.
const MAX_LOCAL_MANIFESTS: usize = 10_000;
const MAX_CHECKOUT_DIRS: usize = 2_000;

/// Where package sources may be found besides the workspace itself.
#[derive(Debug, Clone)]
pub struct SourceLocations {
    /// The scan root (canonical): path dependencies and `vendor/` must resolve inside it.
    pub scan_root: PathBuf,
    /// Cargo's home (its `registry/src` and `git/checkouts`), when known.
    pub cargo_home: Option<PathBuf>,
}

impl SourceLocations {
    /// `CARGO_HOME` from guardrail's own environment, else `~/.cargo`.
    pub fn from_env(scan_root: PathBuf) -> Self {
        let cargo_home = std::env::var_os("CARGO_HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
        Self {
            scan_root,
            cargo_home,
        }
    }
}

/// The graph of the workspace in `workspace` (the directory holding Cargo.lock), or why it
/// cannot be had.
pub fn resolve(workspace: &Path, sources: &SourceLocations) -> Result<Graph, String> {
    let lock_path = workspace.join("Cargo.lock");
    let text = read_bounded(&lock_path, MAX_LOCKFILE_BYTES)
        .ok_or_else(|| "Cargo.lock could not be read".to_string())?;
    let lock = lockfile::parse(&text).map_err(|(msg, _)| format!("Cargo.lock did not parse: {msg}"))?;
    let locals = local_manifests(workspace, &sources.scan_root);
    let registries = registry_dirs(sources.cargo_home.as_deref());
    let packages: Vec<GraphPackage> = lock
        .packages
        .iter()
        .map(|p| locate(p, workspace, sources, &locals, &registries))
        .collect();
    let direct = direct_dependencies(&lock, &packages);
    Ok(Graph {
        packages,
        direct,
        host_only: false,
    })
}

/// One package with the copy of its source that was found, if any.
fn locate(
    p: &LockPackage,
    workspace: &Path,
    sources: &SourceLocations,
    locals: &[LocalManifest],
    registries: &[PathBuf],
) -> GraphPackage {
    let found = match p.source.as_ref().map(|s| s.text.as_str()) {
        None => locals
            .iter()
            .find(|l| l.name == p.name && l.version == p.version)
            .map(|l| (l.path.clone(), l.license.clone())),
        Some(source) => {
            let cached = if source.starts_with("git+") {
                git_checkout(sources.cargo_home.as_deref(), source, p)
            } else {
                registry_copy(registries, source, p)
            };
            cached.or_else(|| vendored(workspace, &sources.scan_root, p))
        }
    };
    let known = found.is_some();
    let (manifest, license) = found.unwrap_or_default();
    GraphPackage {
        name: p.name.clone(),
        version: p.version.clone(),
        license,
        manifest,
        local: p.source.is_none(),
        known,
    }
}

/// Each local package's lockfile dependencies (every kind: normal, dev and build), by manifest.
fn direct_dependencies(lock: &Lockfile, packages: &[GraphPackage]) -> HashMap<PathBuf, Vec<usize>> {
    lock.packages
        .iter()
        .zip(packages)
        .filter(|(_, g)| g.local && g.known)
        .map(|(p, g)| {
            let deps = p.dependencies.iter().filter_map(|d| lock.dependency(d)).collect();
            (g.manifest.clone(), deps)
        })
        .collect()
}

/// A package's `[package]` as the license check needs it.
#[derive(Debug, Clone, PartialEq)]
struct PackageInfo {
    name: String,
    version: String,
    license: Option<String>,
}

/// A Cargo.toml of the workspace or one of its path dependencies.
#[derive(Debug, Clone)]
struct LocalManifest {
    path: PathBuf,
    name: String,
    version: String,
    license: Option<String>,
}

/// The root manifest, its workspace members and every path dependency reachable from them,
/// as long as each resolves (symlinks followed) inside the scan root.
fn local_manifests(workspace: &Path, scan_root: &Path) -> Vec<LocalManifest> {
    let root_manifest = workspace.join("Cargo.toml");
    let root = read_toml(&root_manifest);
    let inherited = root.as_ref().map(Inherited::of).unwrap_or_default();
    let mut queue: Vec<PathBuf> = vec![root_manifest];
    if let Some(root) = &root {
        for dir in members(workspace, root) {
            queue.push(dir.join("Cargo.toml"));
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    while let Some(path) = queue.pop() {
        if seen.len() >= MAX_LOCAL_MANIFESTS {
            break;
        }
        let Some(path) = inside(&path, scan_root) else {
            continue;
        };
        if !seen.insert(path.clone()) {
            continue;
        }
        let Some(doc) = read_toml(&path) else { continue };
        let dir = path.parent().unwrap_or(scan_root).to_path_buf();
        queue.extend(
            path_dependencies(&doc)
                .into_iter()
                .map(|p| dir.join(p).join("Cargo.toml")),
        );
        if let Some(info) = package_info(&doc, &inherited) {
            out.push(LocalManifest {
                path,
                name: info.name,
                version: info.version,
                license: info.license,
            });
        }
    }
    out
}

/// `[workspace.package]` values members inherit with `field.workspace = true`.
#[derive(Debug, Clone, Default)]
struct Inherited {
    version: Option<String>,
    license: Option<String>,
}

impl Inherited {
    fn of(root: &toml::Table) -> Self {
        let package = root
            .get("workspace")
            .and_then(|w| w.get("package"))
            .and_then(toml::Value::as_table);
        let field = |k: &str| package.and_then(|p| p.get(k)?.as_str().map(str::to_string));
        Self {
            version: field("version"),
            license: field("license"),
        }
    }
}

/// `[package]` name, version (`0.0.0` when absent, as cargo) and license.
fn package_info(doc: &toml::Table, inherited: &Inherited) -> Option<PackageInfo> {
    let package = doc.get("package")?.as_table()?;
    let field = |k: &str, from_workspace: &Option<String>| match package.get(k) {
        Some(toml::Value::String(s)) => Some(s.clone()),
        Some(toml::Value::Table(t)) if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) => {
            from_workspace.clone()
        }
        _ => None,
    };
    Some(PackageInfo {
        name: package.get("name")?.as_str()?.to_string(),
        version: field("version", &inherited.version).unwrap_or_else(|| "0.0.0".to_string()),
        license: field("license", &inherited.license),
    })
}

const DEP_TABLES: &[&str] = &[
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
];

/// `path = "..."` of every dependency declaration, `[workspace.dependencies]` and `[patch.*]`.
fn path_dependencies(doc: &toml::Table) -> Vec<String> {
    fn kinds(t: &toml::Table) -> impl Iterator<Item = &toml::Table> {
        DEP_TABLES.iter().filter_map(|k| t.get(*k)?.as_table())
    }
    let mut tables: Vec<&toml::Table> = kinds(doc).collect();
    let targets = doc.get("target").and_then(toml::Value::as_table);
    for target in targets.into_iter().flat_map(|t| t.values()) {
        tables.extend(target.as_table().into_iter().flat_map(kinds));
    }
    let workspace = doc.get("workspace").and_then(toml::Value::as_table);
    tables.extend(workspace.and_then(|w| w.get("dependencies")?.as_table()));
    let patches = doc.get("patch").and_then(toml::Value::as_table);
    tables.extend(
        patches
            .into_iter()
            .flat_map(|p| p.values())
            .filter_map(toml::Value::as_table),
    );
    tables
        .iter()
        .flat_map(|t| t.values())
        .filter_map(|d| d.get("path")?.as_str().map(str::to_string))
        .collect()
}

/// Directories of `[workspace] members` (globs expanded on disk), minus `exclude`.
fn members(workspace: &Path, root: &toml::Table) -> Vec<PathBuf> {
    let Some(ws) = root.get("workspace").and_then(toml::Value::as_table) else {
        return Vec::new();
    };
    let list = |k: &str| -> Vec<String> {
        ws.get(k)
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let excluded: Vec<PathBuf> = list("exclude").iter().map(|e| workspace.join(e)).collect();
    list("members")
        .iter()
        .flat_map(|m| expand(workspace, m))
        .filter(|d| !excluded.iter().any(|e| d.starts_with(e)))
        .collect()
}

/// Directories matching a member pattern: literal components are joined, wildcard components
/// (`*`, `?`, `[...]`) matched against the entries of the directory so far.
fn expand(base: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut dirs = vec![base.to_path_buf()];
    for part in pattern.split(['/', '\\']).filter(|p| !p.is_empty() && *p != ".") {
        if !part.contains(['*', '?', '[']) {
            dirs = dirs.into_iter().map(|d| d.join(part)).collect();
            continue;
        }
        let Ok(glob) = globset::Glob::new(part) else {
            return Vec::new();
        };
        let glob = glob.compile_matcher();
        dirs = dirs
            .iter()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .flat_map(|entries| entries.flatten())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) && glob.is_match(e.file_name()))
            .map(|e| e.path())
            .collect();
        dirs.sort();
    }
    dirs.into_iter()
        .filter(|d| d.join("Cargo.toml").is_file())
        .collect()
}

/// The directories of `$CARGO_HOME/registry/src` (one per registry: `<host>-<hash>`).
fn registry_dirs(cargo_home: Option<&Path>) -> Vec<PathBuf> {
    let Some(entries) = cargo_home.and_then(|h| std::fs::read_dir(h.join("registry/src")).ok()) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    dirs.sort();
    dirs
}

/// The extracted crate in the registry cache of the registry `source` names.
fn registry_copy(dirs: &[PathBuf], source: &str, p: &LockPackage) -> Option<(PathBuf, Option<String>)> {
    let hosts = registry_hosts(source);
    dirs.iter()
        .filter(|d| {
            let name = d.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
            hosts.iter().any(|h| {
                name.strip_prefix(h.as_str())
                    .is_some_and(|rest| rest.starts_with('-'))
            })
        })
        .find_map(|d| matching_manifest(&d.join(format!("{}-{}", p.name, p.version)), p))
}

/// Cargo names a registry's cache directory after the host of its index URL; crates.io's is
/// `index.crates.io` (sparse) or `github.com` (the old git index), whichever the lockfile says.
fn registry_hosts(source: &str) -> Vec<String> {
    let url = source
        .strip_prefix("registry+")
        .or_else(|| source.strip_prefix("sparse+"))
        .unwrap_or(source);
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', ':', '?']).next().unwrap_or("").to_string();
    let crates_io = url.trim_end_matches('/') == "https://github.com/rust-lang/crates.io-index"
        || host == "index.crates.io";
    if crates_io {
        vec!["index.crates.io".to_string(), "github.com".to_string()]
    } else {
        vec![host]
    }
}

/// A git dependency in `$CARGO_HOME/git/checkouts/<repo>-<hash>/<short commit>/`, searched a
/// few levels deep for the package's manifest (a repository may hold several crates).
fn git_checkout(
    cargo_home: Option<&Path>,
    source: &str,
    p: &LockPackage,
) -> Option<(PathBuf, Option<String>)> {
    let commit = source.rsplit_once('#')?.1;
    let short = commit.get(..7)?;
    let checkouts = std::fs::read_dir(cargo_home?.join("git/checkouts")).ok()?;
    let mut roots: Vec<PathBuf> = checkouts
        .flatten()
        .map(|e| e.path().join(short))
        .filter(|d| d.is_dir())
        .collect();
    roots.sort();
    let mut budget = MAX_CHECKOUT_DIRS;
    roots.iter().find_map(|r| search(r, p, 4, &mut budget))
}

fn search(
    dir: &Path,
    p: &LockPackage,
    depth: usize,
    budget: &mut usize,
) -> Option<(PathBuf, Option<String>)> {
    if *budget == 0 {
        return None;
    }
    *budget -= 1;
    if let Some(found) = matching_manifest(dir, p) {
        return Some(found);
    }
    if depth == 0 {
        return None;
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| !matches!(e.file_name().to_str(), Some(".git" | "target")))
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    subdirs.iter().find_map(|d| search(d, p, depth - 1, budget))
}

/// A cargo-vendor copy: `vendor/<name>-<version>` or `vendor/<name>` (whose manifest must
/// carry the locked version), resolving inside the scan root.
fn vendored(workspace: &Path, scan_root: &Path, p: &LockPackage) -> Option<(PathBuf, Option<String>)> {
    let vendor = workspace.join("vendor");
    [format!("{}-{}", p.name, p.version), p.name.clone()]
        .iter()
        .filter_map(|d| inside(&vendor.join(d), scan_root))
        .find_map(|d| matching_manifest(&d, p))
}

/// `dir/Cargo.toml` when it declares the package at the locked version.
fn matching_manifest(dir: &Path, p: &LockPackage) -> Option<(PathBuf, Option<String>)> {
    let path = dir.join("Cargo.toml");
    let info = package_info(&read_toml(&path)?, &Inherited::default())?;
    (info.name == p.name && info.version == p.version).then_some((path, info.license))
}

fn read_toml(path: &Path) -> Option<toml::Table> {
    read_bounded(path, MAX_MANIFEST_BYTES)?.parse().ok()
}

fn read_bounded(path: &Path, max: u64) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > max {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// `path` with symlinks resolved, when that stays inside `root` (itself canonical).
fn inside(path: &Path, root: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(path).ok()?;
    real.starts_with(root).then_some(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn registry_hosts_of_crates_io_and_others() {
        assert_eq!(
            registry_hosts("registry+https://github.com/rust-lang/crates.io-index"),
            ["index.crates.io", "github.com"]
        );
        assert_eq!(
            registry_hosts("sparse+https://index.crates.io/"),
            ["index.crates.io", "github.com"]
        );
        assert_eq!(
            registry_hosts("sparse+https://crates.corp.example/index/"),
            ["crates.corp.example"]
        );
    }

    #[test]
    fn licenses_come_from_the_workspace_the_cache_and_vendor() {
        let tmp = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(tmp.path()).unwrap();
        let ws = root.join("ws");
        let home = root.join("home");
        write(&ws, "Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nlicense = \"MIT\"\nversion = \"0.2.0\"\n");
        write(&ws, "crates/app/Cargo.toml", "[package]\nname = \"app\"\nversion.workspace = true\nlicense.workspace = true\n[dependencies]\nlib = { path = \"../../lib\" }\n");
        write(
            &ws,
            "lib/Cargo.toml",
            "[package]\nname = \"lib\"\nversion = \"1.0.0\"\nlicense = \"ISC\"\n",
        );
        write(&ws, "Cargo.lock", "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.2.0\"\ndependencies = [\n \"cached\",\n \"lib\",\n \"missing\",\n \"vend\",\n]\n\n[[package]]\nname = \"cached\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"lib\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"missing\"\nversion = \"3.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"vend\"\nversion = \"0.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n");
        write(
            &home,
            "registry/src/index.crates.io-abc/cached-1.0.0/Cargo.toml",
            "[package]\nname = \"cached\"\nversion = \"1.0.0\"\nlicense = \"Apache-2.0\"\n",
        );
        // A cache of another registry holds a different `missing`: not crates.io's.
        write(
            &home,
            "registry/src/corp.example-abc/missing-3.0.0/Cargo.toml",
            "[package]\nname = \"missing\"\nversion = \"3.0.0\"\nlicense = \"MIT\"\n",
        );
        write(
            &ws,
            "vendor/vend/Cargo.toml",
            "[package]\nname = \"vend\"\nversion = \"0.1.0\"\nlicense = \"GPL-3.0-only\"\n",
        );
        let graph = resolve(
            &ws,
            &SourceLocations {
                scan_root: root.clone(),
                cargo_home: Some(home),
            },
        )
        .unwrap();
        let summary: Vec<(String, Option<String>, bool, bool)> = graph
            .packages
            .iter()
            .map(|p| (p.name.clone(), p.license.clone(), p.local, p.known))
            .collect();
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            summary,
            [
                ("app".to_string(), s("MIT"), true, true),
                ("cached".to_string(), s("Apache-2.0"), false, true),
                ("lib".to_string(), s("ISC"), true, true),
                ("missing".to_string(), None, false, false),
                ("vend".to_string(), s("GPL-3.0-only"), false, true),
            ]
        );
        let app = ws.join("crates/app/Cargo.toml");
        assert_eq!(graph.direct[&app], [1, 2, 3, 4]);
    }

    #[cfg(unix)]
    #[test]
    fn vendor_and_path_dependencies_must_stay_inside_the_scan_root() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(tmp.path()).unwrap();
        write(
            outside.path(),
            "x/Cargo.toml",
            "[package]\nname = \"x\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\n",
        );
        write(&root, "Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\nout = { path = \"../elsewhere\" }\n");
        std::fs::create_dir_all(root.join("vendor")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("x"), root.join("vendor/x")).unwrap();
        write(&root, "Cargo.lock", "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"x\",\n]\n\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n");
        let graph = resolve(
            &root,
            &SourceLocations {
                scan_root: root.clone(),
                cargo_home: None,
            },
        )
        .unwrap();
        assert!(graph.packages[0].known);
        assert!(
            !graph.packages[1].known,
            "a vendor symlink out of the root is not followed"
        );
    }
}
