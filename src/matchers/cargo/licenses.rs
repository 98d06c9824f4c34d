//! Dependency licenses: SPDX expressions judged against an allow- or deny-list (`A OR B` passes
//! when either side does, `A AND B` needs both), and the license data of the whole graph —
//! from Cargo.lock and sources on this machine ([`offline`]), or with `--cargo-metadata` from a
//! neutralised `cargo metadata` run ([`metadata`]) — resolved at most once per workspace per scan.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use spdx::{Expression, LicenseReq, Licensee, ParseMode};
use toml::Spanned;

use super::lockfile::same_crate;
use super::metadata;
use super::offline::{self, SourceLocations};
use crate::error::LocatedError;
use crate::policy::raw::CargoLicenses;
use crate::policy::Rule;

/// A compiled `[rule.cargo.licenses]`.
#[derive(Debug)]
pub struct LicensePolicy {
    allow: bool,
    entries: Vec<ListEntry>,
    exceptions: Vec<String>,
}

#[derive(Debug)]
struct ListEntry {
    /// License id without `-only` / `-or-later` / `+`.
    base: String,
    /// `WITH` exception, when the entry names one.
    addition: Option<String>,
}

impl LicensePolicy {
    /// Validates the list: exactly one of `allow` / `deny`, each entry an SPDX license id.
    pub fn compile(rule: &Rule, table: &Spanned<CargoLicenses>) -> Result<Self, LocatedError> {
        let t = table.get_ref();
        let (allow, list) = match (t.allow.is_empty(), t.deny.is_empty()) {
            (false, true) => (true, &t.allow),
            (true, false) => (false, &t.deny),
            _ => {
                return Err(rule.error(table.span(), "give exactly one of `allow` or `deny`")
                    .with_help("`allow = [\"MIT\", \"Apache-2.0\"]` flags everything else; `deny = [\"GPL-3.0-only\"]` flags only those"));
            }
        };
        let entries = list
            .iter()
            .map(|e| {
                let licensee = Licensee::parse_mode(e.get_ref(), ParseMode::LAX).map_err(|err| {
                    rule.error(e.span(), "not an SPDX license id")
                        .with_label(err.reason.to_string())
                        .with_help("use ids from https://spdx.org/licenses/, e.g. `MIT`, `GPL-3.0-only`, `Apache-2.0 WITH LLVM-exception`")
                })?;
                let req = licensee.into_req();
                Ok(ListEntry {
                    base: base_name(&req),
                    addition: req.addition.as_ref().map(ToString::to_string),
                })
            })
            .collect::<Result<Vec<_>, LocatedError>>()?;
        Ok(Self {
            allow,
            entries,
            exceptions: t.exceptions.iter().map(|e| e.get_ref().clone()).collect(),
        })
    }

    /// Whether the crate is listed in `exceptions`.
    pub fn exempt(&self, name: &str) -> bool {
        self.exceptions.iter().any(|e| same_crate(e, name))
    }

    /// Why `license` (a package's `license` field) is not acceptable; `None` when it is.
    pub fn verdict(&self, license: Option<&str>) -> Option<String> {
        let Some(license) = license.map(str::trim).filter(|l| !l.is_empty()) else {
            return self.allow.then(|| "no SPDX `license` expression".to_string());
        };
        let Ok(expr) = Expression::parse_mode(license, ParseMode::LAX) else {
            return self
                .allow
                .then(|| format!("`{license}` is not an SPDX expression"));
        };
        let failed = match expr.evaluate_with_failures(|req| self.acceptable(req)) {
            Ok(()) => return None,
            Err(failed) => failed,
        };
        let mut names: Vec<String> = failed.iter().map(|r| r.req.to_string()).collect();
        names.dedup();
        let which = names.join(", ");
        Some(if self.allow {
            format!("`{license}`: {which} not on the allow-list")
        } else {
            format!("`{license}`: requires denied {which}")
        })
    }

    /// Allow-list: some entry permits `req`. Deny-list: no entry names it. An entry without
    /// `WITH` covers the license with any exception; `X-or-later` is allowed by a later `X`.
    fn acceptable(&self, req: &LicenseReq) -> bool {
        let name = req.license.to_string();
        let or_later = name.ends_with('+') || name.ends_with("-or-later");
        let base = base_name(req);
        let addition = req.addition.as_ref().map(ToString::to_string);
        let listed = self.entries.iter().any(|e| {
            (e.addition.is_none() || e.addition == addition)
                && (e.base == base || (self.allow && or_later && is_later(&e.base, &base)))
        });
        listed == self.allow
    }
}

/// Whether license `a` is a later version of the same license as `b` (`GPL-3.0` vs `GPL-2.0`).
fn is_later(a: &str, b: &str) -> bool {
    let split = |s: &'_ str| -> Option<(String, Vec<u32>)> {
        let (family, version) = s.rsplit_once('-')?;
        let nums = version
            .split('.')
            .map(|n| n.parse().ok())
            .collect::<Option<Vec<u32>>>()?;
        Some((family.to_string(), nums))
    };
    matches!((split(a), split(b)), (Some((fa, va)), Some((fb, vb))) if fa == fb && va >= vb)
}

/// `GPL-2.0-or-later`, `GPL-2.0+` and `GPL-2.0-only` all name the license `GPL-2.0`.
fn base_name(req: &LicenseReq) -> String {
    let name = req.license.to_string();
    let name = name.trim_end_matches('+');
    name.strip_suffix("-or-later")
        .or_else(|| name.strip_suffix("-only"))
        .unwrap_or(name)
        .to_string()
}

/// One package of the resolved graph.
#[derive(Debug, Clone)]
pub struct GraphPackage {
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: String,
    /// The `license` expression, if any.
    pub license: Option<String>,
    /// Its Cargo.toml on disk (empty when its source was not found).
    pub manifest: PathBuf,
    /// True for workspace members and path dependencies (no registry or git source).
    pub local: bool,
    /// False when no copy of the package's source is on this machine: its license is unknown.
    pub known: bool,
}

/// The dependency graph of one workspace.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Every package, members included.
    pub packages: Vec<GraphPackage>,
    /// Direct dependencies (indices into `packages`) of each member, by manifest path.
    pub direct: HashMap<PathBuf, Vec<usize>>,
    /// True when only the host platform's packages could be resolved offline.
    pub host_only: bool,
}

impl Graph {
    /// Whether the graph holds `name` at `version`.
    pub fn contains(&self, name: &str, version: &str) -> bool {
        self.packages
            .iter()
            .any(|p| p.name == name && p.version == version)
    }

    /// `name version` of every package whose license could not be determined.
    pub fn unknown(&self) -> Vec<String> {
        self.packages
            .iter()
            .filter(|p| !p.known)
            .map(|p| format!("{} {}", p.name, p.version))
            .collect()
    }
}

/// Where the license graph comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum GraphSource {
    /// Cargo.lock plus package sources already on the machine; nothing runs (the default).
    #[default]
    Lockfile,
    /// `cargo metadata --offline`, with repository-controlled programs neutralised
    /// (`--cargo-metadata` on the command line only).
    CargoMetadata,
}

/// A workspace's graph or why it is unavailable, computed once by whoever asks first.
type Cell = OnceLock<Result<Graph, String>>;
type Outcome = Arc<Cell>;
type Key = (PathBuf, GraphSource);

/// Graphs by workspace manifest, so each workspace is resolved once per run however many
/// files, rules and threads ask. Lives in the run's [`crate::matchers::RunContext`].
#[derive(Debug, Default)]
pub struct GraphCache {
    runs: Mutex<HashMap<Key, Outcome>>,
}

impl GraphCache {
    /// The graph of the workspace whose root manifest is `manifest` (scanned under the
    /// canonical `scan_root`), or why it is unavailable.
    pub fn graph(&self, manifest: &Path, scan_root: &Path, source: GraphSource) -> Outcome {
        let key = (manifest.to_path_buf(), source);
        let cell = {
            let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(runs.entry(key).or_default())
        };
        // Initialised outside the map locks: other workspaces need not wait for this one.
        cell.get_or_init(|| match source {
            GraphSource::Lockfile => {
                let workspace = manifest.parent().unwrap_or(scan_root);
                offline::resolve(workspace, &SourceLocations::from_env(scan_root.to_path_buf()))
            }
            GraphSource::CargoMetadata => metadata::resolve(manifest, scan_root),
        });
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::raw::CargoLicenses;

    fn policy(allow: &[&str], deny: &[&str]) -> LicensePolicy {
        let list = |l: &[&str]| l.iter().map(|s| Spanned::new(0..0, s.to_string())).collect();
        let mut set = crate::policy::PolicySet::default();
        crate::policy::load_str(
            &mut set,
            "t.toml",
            "[pack]\nname='t'\n[[rule]]\nid='r'\nmessage='m'\nhelp='h'\n[rule.cargo]\nunbounded-versions=true\n[[rule.example]]\nfail='a'\n[[rule.example]]\npass='b'\n",
            false,
        )
        .unwrap();
        let table = CargoLicenses {
            allow: list(allow),
            deny: list(deny),
            exceptions: vec![],
        };
        LicensePolicy::compile(&set.rules[0], &Spanned::new(0..0, table)).unwrap()
    }

    #[test]
    fn or_needs_one_side_and_needs_both() {
        let deny = policy(&[], &["GPL-3.0-only"]);
        assert_eq!(deny.verdict(Some("MIT OR GPL-3.0-only")), None);
        assert!(deny.verdict(Some("MIT AND GPL-3.0")).is_some());
        assert!(deny.verdict(Some("GPL-3.0-or-later")).is_some());
        assert_eq!(deny.verdict(Some("LGPL-3.0-only")), None);
        assert_eq!(deny.verdict(None), None);
        let allow = policy(&["MIT", "Apache-2.0"], &[]);
        assert_eq!(allow.verdict(Some("MIT/Apache-2.0")), None);
        assert_eq!(allow.verdict(Some("Apache-2.0 WITH LLVM-exception")), None);
        assert!(allow
            .verdict(Some("MIT AND BSD-3-Clause"))
            .unwrap()
            .contains("BSD-3-Clause"));
        assert!(allow.verdict(None).is_some());
        assert!(allow.verdict(Some("not a license")).is_some());
    }

    #[test]
    fn or_later_is_satisfied_by_a_later_allowed_version() {
        let allow = policy(&["GPL-3.0-only"], &[]);
        assert_eq!(allow.verdict(Some("GPL-2.0-or-later")), None);
        assert!(allow.verdict(Some("GPL-2.0-only")).is_some());
    }
}
