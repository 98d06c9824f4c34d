//! The license check over the dependency graph: a package's own `license` from its Cargo.toml
//! text, every resolved package at its Cargo.lock line, and direct dependencies at their key.
//! Packages whose license could not be determined (source not on this machine, or the graph
//! not resolvable) are never passed silently: one note per lockfile counts them and names the fix.

use std::path::{Path, PathBuf};

use super::licenses::{GraphSource, LicensePolicy};
use super::lockfile::{same_crate, Lockfile};
use super::manifest::{Manifest, Val};
use super::{parent, scan_root, workspace_dir, FileContext};
use crate::finding::Hit;
use crate::matchers::FileNote;
use crate::meta::{CARGO_METADATA_RAN, DEPENDENCY_LICENSES_UNCHECKED};
use crate::source::Origin;

/// Licenses declared in a Cargo.toml (its package, `[workspace.package]`) and those of its
/// direct dependencies when the workspace graph is available.
pub fn licenses_in_manifest(policy: &LicensePolicy, cx: &FileContext<'_>, m: &Manifest, out: &mut Vec<Hit>) {
    let own = m
        .package
        .as_ref()
        .filter(|p| !p.name.as_deref().is_some_and(|n| policy.exempt(n)))
        .and_then(|p| p.license.as_ref());
    for license in own.into_iter().chain(&m.workspace_license) {
        declared(policy, license, out);
    }
    let Origin::Disk(path) = &cx.entry.origin else {
        return;
    };
    let Some(ws) = workspace_dir(cx) else {
        if is_top_manifest(cx) && !m.deps.is_empty() {
            note(cx, "dependency licenses were not checked: this workspace has no Cargo.lock; run `cargo generate-lockfile` and `cargo fetch`, then scan again".to_string());
        }
        return;
    };
    let Some(root) = scan_root(cx).filter(|_| !nested(cx, &ws)) else {
        return;
    };
    let root = canonical(&root);
    let workspace = canonical(&root.join(ws).join("Cargo.toml"));
    let run = &cx.run.cargo;
    let outcome = run.graphs.graph(&workspace, &root, run.graph_source);
    let Some(Ok(graph)) = outcome.get() else {
        return;
    };
    let Some(direct) = graph.direct.get(&canonical(path)) else {
        return;
    };
    for &i in direct {
        let pkg = &graph.packages[i];
        // An unknown license is counted in the lockfile's note, not judged.
        if pkg.local || !pkg.known || policy.exempt(&pkg.name) {
            continue;
        }
        let Some(why) = policy.verdict(pkg.license.as_deref()) else {
            continue;
        };
        for dep in m
            .deps
            .iter()
            .filter(|d| !d.patch && same_crate(&d.name, &pkg.name))
        {
            out.push(Hit {
                label: Some(format!("{} {}: {why}", pkg.name, pkg.version)),
                identity: Some(format!("{} {} {}", dep.table, pkg.name, pkg.version)),
                ..Hit::span(dep.key.clone())
            });
        }
    }
}

/// Every package of the resolved graph, at its `name = ` line in Cargo.lock. Local packages
/// whose Cargo.toml is part of this scan are judged from that file instead.
pub fn licenses_in_lockfile(
    policy: &LicensePolicy,
    cx: &FileContext<'_>,
    lock: &Lockfile,
    out: &mut Vec<Hit>,
) {
    if nested(cx, parent(&cx.entry.rel)) {
        return;
    }
    let Origin::Disk(path) = &cx.entry.origin else {
        note(cx, "dependency licenses were not checked: the lockfile is not on disk (staged or in-memory scan); run `guardrail check` on the working tree after `cargo fetch`".to_string());
        return;
    };
    let Some(root) = scan_root(cx).map(|r| canonical(&r)) else {
        return;
    };
    let manifest = canonical(&path.with_file_name("Cargo.toml"));
    let run = &cx.run.cargo;
    let ran_cargo = run.graph_source == GraphSource::CargoMetadata;
    let outcome = run.graphs.graph(&manifest, &root, run.graph_source);
    let dir = display_dir(&cx.entry.display);
    let graph = match outcome.get() {
        Some(Ok(graph)) => graph,
        Some(Err(reason)) if ran_cargo && !reason.starts_with("refused") => {
            note(cx, format!("dependency licenses were not checked: `cargo metadata --offline` failed ({reason}); run `cargo fetch` in {dir} (it needs the network once), then scan again"));
            return;
        }
        Some(Err(reason)) => {
            note(cx, format!("dependency licenses were not checked: {reason}"));
            return;
        }
        None => return,
    };
    if ran_cargo {
        note_as(cx, CARGO_METADATA_RAN, format!("`cargo metadata --offline` ran for the workspace in {dir} (--cargo-metadata): the toolchain's own cargo and rustc, started outside the repository with wrappers and rustflags overridden; the repository's .cargo/config.toml and rust-toolchain.toml were not used"));
    }
    let unknown = graph.unknown();
    if !unknown.is_empty() {
        note(cx, unknown_note(&unknown, &dir));
    }
    if graph.host_only {
        let missing = lock
            .packages
            .iter()
            .filter(|p| !graph.contains(&p.name, &p.version))
            .count();
        note(cx, format!("licenses of {missing} package(s) used only on other platforms were not checked: they have not been downloaded; run `cargo fetch` in {} (it needs the network once) to check them too", display_dir(&cx.entry.display)));
    }
    for pkg in &graph.packages {
        let judged_from_text = pkg.local && in_scan(cx, Some(&root), &pkg.manifest);
        if !pkg.known || judged_from_text || policy.exempt(&pkg.name) {
            continue;
        }
        let Some(why) = policy.verdict(pkg.license.as_deref()) else {
            continue;
        };
        let span = lock
            .find(&pkg.name, &pkg.version)
            .map_or(0..0, |p| p.span.clone());
        out.push(Hit {
            label: Some(format!("{} {}: {why}", pkg.name, pkg.version)),
            identity: Some(format!("{} {}", pkg.name, pkg.version)),
            ..Hit::span(span)
        });
    }
}

fn declared(policy: &LicensePolicy, license: &Val, out: &mut Vec<Hit>) {
    if let Some(why) = policy.verdict(Some(&license.text)) {
        out.push(Hit {
            label: Some(why),
            identity: Some(format!("license {}", license.text)),
            ..Hit::span(license.value.clone())
        });
    }
}

/// Whether `manifest` is a Cargo.toml this scan reads (so its license was judged from text).
fn in_scan(cx: &FileContext<'_>, root: Option<&Path>, manifest: &Path) -> bool {
    let Some(rel) = root.and_then(|r| manifest.strip_prefix(r).ok()) else {
        return false;
    };
    let rel = crate::source::slashed(rel);
    cx.files.contains(cx.entry.root, &rel)
}

/// Whether a Cargo.lock in `dir` sits below another Cargo.lock of the scan: a vendored crate's
/// own lockfile, which does not decide what the outer workspace builds. Resolving hundreds of
/// them would cost a `cargo metadata` run each; the outer graph already covers the crate.
fn nested(cx: &FileContext<'_>, dir: &str) -> bool {
    above(cx, dir, "Cargo.lock")
}

/// A Cargo.toml with no Cargo.toml above it in this scan: a workspace (or lone crate) root.
fn is_top_manifest(cx: &FileContext<'_>) -> bool {
    !above(cx, parent(&cx.entry.rel), "Cargo.toml")
}

/// Whether a file `name` exists in a directory strictly above `dir` in this scan.
fn above(cx: &FileContext<'_>, dir: &str, name: &str) -> bool {
    let mut dir = dir;
    while !dir.is_empty() {
        dir = parent(dir);
        let candidate = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        if cx.files.contains(cx.entry.root, &candidate) {
            return true;
        }
    }
    false
}

/// The note for packages whose source is not on this machine: never a silent pass.
fn unknown_note(unknown: &[String], dir: &str) -> String {
    const SHOWN: usize = 5;
    let mut names = unknown.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if unknown.len() > SHOWN {
        names.push_str(&format!(" and {} more", unknown.len() - SHOWN));
    }
    format!("licenses of {} package(s) could not be determined (source not on this machine): {names}; run `cargo fetch` in {dir} (it needs the network once) or `cargo vendor`, then scan again", unknown.len())
}

fn note(cx: &FileContext<'_>, message: String) {
    note_as(cx, DEPENDENCY_LICENSES_UNCHECKED, message);
}

fn note_as(cx: &FileContext<'_>, rule: &'static str, message: String) {
    let mut notes = cx.cache.notes.borrow_mut();
    if !notes.iter().any(|n| n.message == message) {
        notes.push(FileNote {
            rule,
            message,
            span: 0..0,
        });
    }
}

fn display_dir(display: &str) -> String {
    match parent(display) {
        "" => ".".to_string(),
        d => d.to_string(),
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
