//! `[rule.cargo]`: Cargo.toml and Cargo.lock — banned crates (with version requirements) in the
//! resolved graph, git / path / non-crates.io sources, unbounded version requirements,
//! dependency licenses and `[package]` requirements. Findings point at the offending key or
//! value; everything but the dependency graph's licenses works from the file text alone.

mod checks;
mod graph;
mod licenses;
pub mod lockfile;
pub mod manifest;
mod metadata;
mod offline;
mod sources;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::FileContext;
use crate::error::LocatedError;
use crate::finding::Hit;
use crate::policy::raw::{CargoFile, CargoTable};
use crate::policy::Rule;
use crate::source::Origin;
use checks::Ban;
pub use licenses::GraphSource;
use licenses::{GraphCache, LicensePolicy};
use lockfile::Lockfile;
use manifest::Manifest;
use sources::SourcePolicy;

/// A Cargo file parsed once per file for every cargo rule (kept in the file's cache).
#[derive(Debug)]
pub enum Parsed {
    /// A Cargo.toml.
    Manifest(Box<Manifest>),
    /// A Cargo.lock.
    Lockfile(Lockfile),
    /// Did not parse (already reported as a note).
    Invalid,
}

#[derive(Debug)]
enum Check {
    Banned(Vec<Ban>),
    Sources(SourcePolicy),
    Unbounded,
    Licenses(LicensePolicy),
    Fields {
        fields: Vec<String>,
        published_only: bool,
    },
    Publishable,
}

/// Compiled `[rule.cargo]`.
#[derive(Debug)]
pub struct CargoMatcher {
    check: Check,
    manifest: bool,
    lockfile: bool,
    /// The rule's paths take in `Cargo.lock`, so a lockfile finding stands for the manifest's.
    lock_in_scope: bool,
}

/// The cargo matchers' share of a [`super::RunContext`]: lockfiles and dependency graphs, each
/// read or resolved once per run however many rules, files and threads ask.
#[derive(Debug, Default)]
pub struct RunState {
    /// Lockfiles read from disk for manifest checks, by path.
    locks: Mutex<HashMap<PathBuf, Option<Arc<Lockfile>>>>,
    /// Dependency graphs by workspace.
    pub graphs: GraphCache,
    /// Where license rules get the dependency graph (a run setting, never the repository's).
    pub graph_source: GraphSource,
}

impl RunState {
    /// A run whose license rules get the graph from `source`.
    pub fn with_graph_source(source: GraphSource) -> Self {
        Self {
            graph_source: source,
            ..Self::default()
        }
    }
}

/// `[package]` keys `required-fields` may name.
const PACKAGE_FIELDS: &[&str] = &[
    "authors",
    "autobenches",
    "autobins",
    "autoexamples",
    "autolib",
    "autotests",
    "build",
    "categories",
    "default-run",
    "description",
    "documentation",
    "edition",
    "exclude",
    "homepage",
    "include",
    "keywords",
    "license",
    "license-file",
    "links",
    "metadata",
    "name",
    "publish",
    "readme",
    "repository",
    "resolver",
    "rust-version",
    "version",
    "workspace",
];

impl CargoMatcher {
    /// Validates the table: exactly one check, well-formed entries.
    pub fn compile(rule: &Rule, t: &CargoTable) -> Result<Self, LocatedError> {
        let files: Vec<CargoFile> = t.files.iter().map(|f| *f.get_ref()).collect();
        Ok(Self {
            check: compile_check(rule, t)?,
            manifest: files.is_empty() || files.contains(&CargoFile::Manifest),
            lockfile: files.is_empty() || files.contains(&CargoFile::Lockfile),
            lock_in_scope: lock_in_scope(rule),
        })
    }

    /// Checks a Cargo.toml or Cargo.lock; other files are ignored.
    pub fn check(&self, cx: &FileContext<'_>, out: &mut Vec<Hit>) {
        let name = cx.entry.rel.rsplit('/').next().unwrap_or("");
        if name != "Cargo.toml" && name != "Cargo.lock" {
            return;
        }
        let Some(text) = cx.text else { return };
        let parsed = cx.cache.cargo.get_or_init(|| parse(name, text, cx));
        match parsed {
            Parsed::Manifest(m) => self.check_manifest(cx, m, out),
            Parsed::Lockfile(l) => self.check_lockfile(cx, l, out),
            Parsed::Invalid => {}
        }
    }

    fn check_manifest(&self, cx: &FileContext<'_>, m: &Manifest, out: &mut Vec<Hit>) {
        match &self.check {
            Check::Banned(bans) if self.manifest => {
                let versioned = bans.iter().any(Ban::versioned);
                let lock = versioned.then(|| self.lockfile_for(cx)).flatten();
                checks::banned_in_manifest(
                    bans,
                    m,
                    lock.as_deref(),
                    self.lockfile && self.lock_in_scope,
                    out,
                );
            }
            Check::Sources(p) if self.manifest => {
                let dir = parent(&cx.entry.rel);
                p.check_manifest(m, dir, &workspace_dir(cx).unwrap_or_default(), out);
            }
            Check::Unbounded => checks::unbounded_versions(m, out),
            Check::Licenses(p) => graph::licenses_in_manifest(p, cx, m, out),
            Check::Fields {
                fields,
                published_only,
            } => checks::required_fields(m, fields, *published_only, out),
            Check::Publishable => checks::publishable(m, out),
            _ => {}
        }
    }

    fn check_lockfile(&self, cx: &FileContext<'_>, l: &Lockfile, out: &mut Vec<Hit>) {
        match &self.check {
            Check::Banned(bans) if self.lockfile => checks::banned_in_lockfile(bans, l, out),
            Check::Sources(p) if self.lockfile => p.check_lockfile(l, out),
            Check::Licenses(p) => graph::licenses_in_lockfile(p, cx, l, out),
            _ => {}
        }
    }

    /// The workspace's Cargo.lock, read from disk once per run; `None` in memory.
    fn lockfile_for(&self, cx: &FileContext<'_>) -> Option<Arc<Lockfile>> {
        let path = scan_root(cx)?.join(workspace_dir(cx)?).join("Cargo.lock");
        let mut locks = cx
            .run
            .cargo
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks
            .entry(path.clone())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(&path).ok()?;
                lockfile::parse(&text).ok().map(Arc::new)
            })
            .clone()
    }
}

/// Whether the rule's include and exclude globs take in a `Cargo.lock`.
fn lock_in_scope(rule: &Rule) -> bool {
    let matches = |p: &String| {
        globset::Glob::new(p)
            .ok()
            .is_some_and(|g| g.compile_matcher().is_match("Cargo.lock"))
    };
    (rule.paths.is_empty() || rule.paths.iter().any(matches)) && !rule.exclude_paths.iter().any(matches)
}

/// The table's single check, validated.
fn compile_check(rule: &Rule, t: &CargoTable) -> Result<Check, LocatedError> {
    let chosen = [
        !t.banned.is_empty(),
        !t.sources.is_empty(),
        t.unbounded_versions.is_some(),
        t.licenses.is_some(),
        !t.required_fields.is_empty(),
        t.publish.is_some(),
    ];
    if chosen.iter().filter(|&&c| c).count() != 1 {
        return Err(rule.error(rule.span.clone(), "[rule.cargo] needs exactly one check")
            .with_label("in this rule")
            .with_help("set one of `banned`, `sources`, `unbounded-versions`, `licenses`, `required-fields`, `publish`; write one rule per check"));
    }
    let strings = |v: &[toml::Spanned<String>]| v.iter().map(|s| s.get_ref().clone()).collect();
    Ok(if !t.banned.is_empty() {
        Check::Banned(bans(rule, &t.banned)?)
    } else if !t.sources.is_empty() {
        let kinds: Vec<_> = t.sources.iter().map(|s| *s.get_ref()).collect();
        Check::Sources(SourcePolicy::new(
            &kinds,
            strings(&t.allow_registries),
            strings(&t.allow_git),
        ))
    } else if let Some(u) = t.unbounded_versions.as_ref().filter(|u| !*u.get_ref()) {
        return Err(rule
            .error(u.span(), "`unbounded-versions = false` checks nothing")
            .with_help("set it to `true`, or remove the rule"));
    } else if t.unbounded_versions.is_some() {
        Check::Unbounded
    } else if let Some(l) = &t.licenses {
        Check::Licenses(LicensePolicy::compile(rule, l)?)
    } else if let Some(p) = t.publish.as_ref().filter(|p| *p.get_ref()) {
        return Err(rule
            .error(p.span(), "`publish = true` checks nothing")
            .with_help("`publish = false` flags every [package] that crates.io would accept"));
    } else if t.publish.is_some() {
        Check::Publishable
    } else {
        if let Some(f) = t
            .required_fields
            .iter()
            .find(|f| !PACKAGE_FIELDS.contains(&f.get_ref().as_str()))
        {
            return Err(rule
                .error(f.span(), "not a [package] field")
                .with_help(format!("known fields: {}", PACKAGE_FIELDS.join(", "))));
        }
        Check::Fields {
            fields: strings(&t.required_fields),
            published_only: t.published_only,
        }
    })
}

fn bans(rule: &Rule, entries: &[toml::Spanned<String>]) -> Result<Vec<Ban>, LocatedError> {
    entries
        .iter()
        .map(|b| {
            Ban::parse(b.get_ref()).map_err(|e| {
                rule.error(b.span(), "invalid banned crate")
                    .with_label(e)
                    .with_help("write `name`, `name <semver requirement>` or either with ` -- reason`, e.g. \"openssl < 0.10.55 -- RUSTSEC-2023-0044\"")
            })
        })
        .collect()
}

fn parse(name: &str, text: &str, cx: &FileContext<'_>) -> Parsed {
    let result = if name == "Cargo.toml" {
        manifest::parse(text).map(|m| Parsed::Manifest(Box::new(m)))
    } else {
        lockfile::parse(text).map(Parsed::Lockfile)
    };
    result.unwrap_or_else(|(message, span)| {
        cx.cache.unparsed(name, &message, span);
        Parsed::Invalid
    })
}

/// The directory part of a `/`-separated relative path (`""` at the root).
fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The nearest directory at or above the file that holds a Cargo.lock in this scan.
fn workspace_dir(cx: &FileContext<'_>) -> Option<String> {
    let mut dir = parent(&cx.entry.rel);
    loop {
        let lock = if dir.is_empty() {
            "Cargo.lock".to_string()
        } else {
            format!("{dir}/Cargo.lock")
        };
        if cx.files.contains(cx.entry.root, &lock) {
            return Some(dir.to_string());
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent(dir);
    }
}

/// The scan root on disk: the entry's path with its relative components taken off.
fn scan_root(cx: &FileContext<'_>) -> Option<PathBuf> {
    let Origin::Disk(path) = &cx.entry.origin else {
        return None;
    };
    let depth = cx.entry.rel.split('/').count();
    path.ancestors().nth(depth).map(Path::to_path_buf)
}
