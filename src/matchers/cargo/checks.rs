//! The checks that work from the text alone: banned crates, dependency sources, unbounded
//! version requirements and `[package]` requirements.

use semver::{Comparator, Op, Version, VersionReq};

use super::lockfile::{same_crate, Lockfile};
use super::manifest::{Dep, Manifest, Publish};
use crate::finding::Hit;

/// One `banned` entry: `name`, `name <requirement>`, either with ` -- reason`.
#[derive(Debug)]
pub struct Ban {
    name: String,
    req: Option<VersionReq>,
    spec: String,
    reason: Option<String>,
}

impl Ban {
    /// Parses an entry; the error says what is wrong with it.
    pub fn parse(entry: &str) -> Result<Self, String> {
        let (spec, reason) = match entry.split_once(" -- ") {
            Some((s, r)) => (s.trim(), Some(r.trim().to_string())),
            None => (entry.trim(), None),
        };
        let end = spec
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(spec.len());
        let (name, req) = spec.split_at(end);
        if name.is_empty() {
            return Err("expected a crate name first".to_string());
        }
        let req = req.trim();
        let req = if req.is_empty() {
            None
        } else {
            Some(VersionReq::parse(req).map_err(|e| format!("invalid version requirement: {e}"))?)
        };
        Ok(Self {
            name: name.to_string(),
            req,
            spec: spec.to_string(),
            reason,
        })
    }

    /// Whether the entry has a version requirement (so the resolved versions matter).
    pub fn versioned(&self) -> bool {
        self.req.is_some()
    }

    fn admits(&self, version: &str) -> bool {
        match &self.req {
            None => true,
            Some(req) => Version::parse(version).is_ok_and(|v| req.matches(&v)),
        }
    }

    fn label(&self, version: Option<&str>) -> String {
        let what = match version {
            Some(v) => format!("{} {v}", self.name),
            None => self.name.clone(),
        };
        let spec = if self.req.is_some() {
            format!(" (`{}`)", self.spec)
        } else {
            String::new()
        };
        match &self.reason {
            Some(r) => format!("{what} is banned{spec}: {r}"),
            None => format!("{what} is banned{spec}"),
        }
    }
}

/// Banned packages anywhere in the resolved graph, at their `name = ` line.
pub fn banned_in_lockfile(bans: &[Ban], lock: &Lockfile, out: &mut Vec<Hit>) {
    for p in &lock.packages {
        if let Some(ban) = bans
            .iter()
            .find(|b| same_crate(&b.name, &p.name) && b.admits(&p.version))
        {
            out.push(Hit {
                label: Some(ban.label(Some(&p.version))),
                identity: Some(format!("{} {}", p.name, p.version)),
                ..Hit::span(p.span.clone())
            });
        }
    }
}

/// Banned direct dependencies, at their key. A version-bounded ban uses the versions the
/// lockfile resolved for the requirement, and is left to the lockfile's own entry when the rule
/// reads lockfiles too (`lock_reports`); without a lockfile, the lowest version the
/// requirement admits is checked.
pub fn banned_in_manifest(
    bans: &[Ban],
    m: &Manifest,
    lock: Option<&Lockfile>,
    lock_reports: bool,
    out: &mut Vec<Hit>,
) {
    for dep in m.deps.iter().filter(|d| !d.patch) {
        for ban in bans.iter().filter(|b| same_crate(&b.name, &dep.name)) {
            let version = match &ban.req {
                None => Some(None),
                Some(req) => banned_version(dep, req, lock, lock_reports).map(Some),
            };
            if let Some(version) = version {
                out.push(Hit {
                    label: Some(ban.label(version.as_deref())),
                    identity: Some(format!("{} {}", dep.table, dep.name)),
                    ..Hit::span(dep.key.clone())
                });
                break;
            }
        }
    }
}

/// The version of `dep` that `ban` matches, if any.
fn banned_version(
    dep: &Dep,
    ban: &VersionReq,
    lock: Option<&Lockfile>,
    lock_reports: bool,
) -> Option<String> {
    let wanted = dep.version.as_ref().and_then(|v| VersionReq::parse(&v.text).ok());
    if let Some(lock) = lock {
        let locked: Vec<Version> = lock
            .versions(&dep.name)
            .filter_map(|v| Version::parse(v).ok())
            .filter(|v| wanted.as_ref().is_none_or(|r| r.matches(v)))
            .collect();
        if lock_reports && !locked.is_empty() {
            // The rule reads the lockfile too, which reports a banned pinned version at its
            // own entry: the requirement is not a second finding.
            return None;
        }
        if !locked.is_empty() {
            return locked.into_iter().find(|v| ban.matches(v)).map(|v| v.to_string());
        }
    }
    let lowest = lowest(wanted.as_ref()?);
    ban.matches(&lowest).then(|| lowest.to_string())
}

/// The lowest version a requirement admits (`^0.10` -> 0.10.0, `>1.2` -> 1.3.0).
fn lowest(req: &VersionReq) -> Version {
    let floor = |c: &Comparator| {
        let mut v = Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
        v.pre = c.pre.clone();
        match c.op {
            Op::Greater => match (c.minor, c.patch) {
                (None, _) => Some(Version::new(c.major + 1, 0, 0)),
                (Some(m), None) => Some(Version::new(c.major, m + 1, 0)),
                (Some(m), Some(p)) => Some(Version::new(c.major, m, p + 1)),
            },
            Op::Less | Op::LessEq => None,
            _ => Some(v),
        }
    };
    req.comparators
        .iter()
        .filter_map(floor)
        .max()
        .unwrap_or(Version::new(0, 0, 0))
}

/// True when no comparator caps the version (`*`, `>=1`, `>0.5, >=0.6`).
pub fn unbounded(req: &VersionReq) -> bool {
    req.comparators
        .iter()
        .all(|c| matches!(c.op, Op::Greater | Op::GreaterEq))
}

/// Version requirements without an upper bound, at the requirement (or the key when a
/// registry dependency has none at all, which means `*`).
pub fn unbounded_versions(m: &Manifest, out: &mut Vec<Hit>) {
    for dep in m.deps.iter().filter(|d| !d.patch && !d.inherited) {
        match &dep.version {
            Some(v) if VersionReq::parse(&v.text).is_ok_and(|r| unbounded(&r)) => out.push(Hit {
                label: Some(format!("`{}` has no upper bound", v.text.trim())),
                identity: Some(format!("{} {} {}", dep.table, dep.name, v.text)),
                ..Hit::span(v.value.clone())
            }),
            Some(_) => {}
            None if dep.git.is_none() && dep.path.is_none() => out.push(Hit {
                label: Some("no version requirement: any version (`*`)".to_string()),
                identity: Some(format!("{} {}", dep.table, dep.name)),
                ..Hit::span(dep.key.clone())
            }),
            None => {}
        }
    }
}

/// Missing `[package]` fields, each at the `package` key. `license-file` satisfies `license`.
pub fn required_fields(m: &Manifest, fields: &[String], published_only: bool, out: &mut Vec<Hit>) {
    let Some(pkg) = &m.package else { return };
    if published_only && matches!(pkg.publish, Some((Publish::Never, _))) {
        return;
    }
    for field in fields {
        let present = pkg.fields.iter().any(|f| f == field)
            || (field == "license" && pkg.fields.iter().any(|f| f == "license-file"));
        if !present {
            out.push(Hit {
                label: Some(format!("no `{field}` in [package]")),
                identity: Some(format!("missing {field}")),
                ..Hit::span(pkg.key.clone())
            });
        }
    }
}

/// A `[package]` that crates.io would accept: no `publish = false` (or a registry list
/// without `crates-io`). `publish.workspace = true` is trusted to inherit a restriction.
pub fn publishable(m: &Manifest, out: &mut Vec<Hit>) {
    let Some(pkg) = &m.package else { return };
    let (label, span) = match &pkg.publish {
        None => (
            "no `publish = false`: `cargo publish` would upload it".to_string(),
            pkg.key.clone(),
        ),
        Some((Publish::Anywhere, span)) => ("`publish = true`".to_string(), span.clone()),
        Some((Publish::Registries(r), span)) if r.iter().any(|r| r == "crates-io") => {
            ("`crates-io` is in the publish list".to_string(), span.clone())
        }
        Some(_) => return,
    };
    out.push(Hit {
        label: Some(label),
        identity: Some("publishable".to_string()),
        ..Hit::span(span)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ban_entries_parse() {
        let b = Ban::parse("openssl < 0.10.55 -- RUSTSEC-2023-0044").unwrap();
        assert_eq!(b.name, "openssl");
        assert!(b.admits("0.10.50"));
        assert!(!b.admits("0.10.55"));
        assert_eq!(b.reason.as_deref(), Some("RUSTSEC-2023-0044"));
        assert!(Ban::parse("atty").unwrap().admits("0.2.14"));
        assert!(Ban::parse("time<0.2.23").unwrap().admits("0.1.45"));
        assert!(Ban::parse("< 1").is_err());
        assert!(Ban::parse("openssl <<").is_err());
    }

    #[test]
    fn lowest_admitted_versions() {
        let l = |s: &str| lowest(&VersionReq::parse(s).unwrap()).to_string();
        assert_eq!(l("0.10"), "0.10.0");
        assert_eq!(l(">1.2"), "1.3.0");
        assert_eq!(l(">=0.10.55, <0.11"), "0.10.55");
        assert_eq!(l("*"), "0.0.0");
    }

    #[test]
    fn unbounded_requirements() {
        let u = |s: &str| unbounded(&VersionReq::parse(s).unwrap());
        assert!(u("*"));
        assert!(u(">=1"));
        assert!(u(">0.5, >=0.6"));
        assert!(!u("1"));
        assert!(!u("1.*"));
        assert!(!u(">=1, <2"));
        assert!(!u("~0.3"));
        assert!(!u("=1.2.3"));
    }
}
