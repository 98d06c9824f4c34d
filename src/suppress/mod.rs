//! Turns raw findings into reported and suppressed ones, in order: path overrides from config,
//! then inline `guardrail:ignore` comments. Suppressed findings are kept (the audit trail), and
//! suppressions that silence nothing come back as notes.

pub mod baseline;
pub mod inline;

use std::collections::HashSet;
use std::path::Path;

use crate::config::Config;
use crate::finding::{Finding, Location, Suppression};
use crate::paths;
use crate::policy::{Category, Severity};
use crate::scan::FileScan;
use inline::Directive;

pub use crate::meta::{MISSING_REASON, UNSUPPRESSIBLE, UNUSED_SUPPRESSION};

/// Settings of the suppress stage.
#[derive(Debug, Clone)]
pub struct SuppressOptions<'a> {
    /// Honour `guardrail:ignore` comments.
    pub inline: bool,
    /// Require `-- reason` on every comment.
    pub require_reason: bool,
    /// Rules that cannot be silenced inline.
    pub unsuppressible: HashSet<String>,
    /// Config with `[[overrides]]`, and the working directory paths are shown relative to.
    pub config: Option<(&'a Config, &'a Path)>,
    /// Every loaded rule id and which of them run, to judge the ids a comment names.
    pub known: KnownRules,
}

/// The rule ids a run loaded, and the ones it runs: a comment naming a rule that exists but
/// does not run (turned off, `--ignore`) is not stale, and one naming no rule gets a
/// "did you mean".
#[derive(Debug, Clone, Default)]
pub struct KnownRules {
    all: Vec<String>,
    running: HashSet<String>,
}

impl KnownRules {
    /// From the loaded rules; the enabled ones run.
    pub fn of(rules: &[crate::policy::Rule]) -> Self {
        Self {
            all: rules.iter().map(|r| r.id.clone()).collect(),
            running: rules.iter().filter(|r| r.enabled).map(|r| r.id.clone()).collect(),
        }
    }

    /// Narrows what runs to `rules` (what a run kept after loading).
    pub fn set_running(&mut self, rules: &[crate::policy::Rule]) {
        self.running = rules.iter().map(|r| r.id.clone()).collect();
    }

    fn ids(&self) -> impl Iterator<Item = &str> + Clone {
        self.all
            .iter()
            .map(String::as_str)
            .chain(crate::meta::META_RULES.iter().map(|m| m.id))
    }

    /// What a comment naming `name` (full or short id) refers to.
    fn lookup(&self, name: &str) -> Named {
        let matches = |id: &str| id == name || id.split_once('/').is_some_and(|(_, s)| s == name);
        if self.running.iter().any(|id| matches(id)) || crate::meta::is_meta(name) {
            Named::Running
        } else if self.ids().any(matches) {
            Named::NotRunning
        } else {
            Named::Unknown(crate::config::did_you_mean(name, self.ids()))
        }
    }
}

/// See [`KnownRules::lookup`].
enum Named {
    Running,
    NotRunning,
    /// No such rule; the nearest id, if one is close.
    Unknown(Option<String>),
}

/// Findings sorted into what is reported and what was silenced.
#[derive(Debug, Default)]
pub struct Sorted {
    /// Reported findings, including notes about suppressions.
    pub active: Vec<Finding>,
    /// Silenced findings, each with its [`Suppression`].
    pub suppressed: Vec<Finding>,
}

/// Applies overrides and inline suppressions to one file's findings.
pub fn apply(mut file: FileScan, opts: &SuppressOptions<'_>) -> Sorted {
    let mut out = Sorted::default();
    let findings = apply_overrides(std::mem::take(&mut file.findings), opts);
    if opts.inline {
        apply_inline(findings, &file, opts, &mut out);
    } else {
        out.active = findings;
    }
    out
}

fn apply_overrides(findings: Vec<Finding>, opts: &SuppressOptions<'_>) -> Vec<Finding> {
    let Some((config, cwd)) = opts.config.filter(|(c, _)| !c.overrides.is_empty()) else {
        return findings;
    };
    findings
        .into_iter()
        .filter_map(|mut f| {
            // Both resolved, so `..` in a display path (a run from a subdirectory) or in the
            // config's directory does not hide the file from its overrides.
            let abs = paths::resolved(Path::new(&f.path), cwd);
            let dir = paths::resolved(&config.dir, cwd);
            let rel = abs.strip_prefix(&dir).unwrap_or(&abs).to_path_buf();
            f.severity = config.severity_at(&f.rule, &rel, f.severity, f.severity)?;
            Some(f)
        })
        .collect()
}

fn apply_inline(findings: Vec<Finding>, file: &FileScan, opts: &SuppressOptions<'_>, out: &mut Sorted) {
    let directives = &file.directives;
    let mut used = vec![false; directives.len()];
    for mut f in findings {
        let matching = directives
            .iter()
            .enumerate()
            .find(|(_, d)| d.covers(f.location.line) && d.names(&f.rule));
        let Some((i, d)) = matching else {
            out.active.push(f);
            continue;
        };
        used[i] = true;
        if opts.unsuppressible.contains(&f.rule) {
            out.active.push(note(
                file,
                d,
                UNSUPPRESSIBLE,
                Severity::Warning,
                format!("`{}` cannot be suppressed inline", f.rule),
            ));
            out.active.push(f);
        } else if opts.require_reason && d.reason.is_none() {
            out.active.push(note(
                file,
                d,
                MISSING_REASON,
                Severity::Warning,
                "suppression has no reason (`-- why`), so it is not honoured".into(),
            ));
            out.active.push(f);
        } else {
            f.suppressed = Some(Suppression::Inline {
                reason: d.reason.clone(),
                line: d.line,
            });
            out.suppressed.push(f);
        }
    }
    for (d, _) in directives.iter().zip(used).filter(|(_, u)| !u) {
        if let Some(message) = unused_message(d, &opts.known) {
            out.active
                .push(note(file, d, UNUSED_SUPPRESSION, Severity::Note, message));
        }
    }
}

/// Why a comment that silenced nothing is reported: it names an unknown rule (with the nearest
/// id), or its rules ran and found nothing here. `None` when every rule it names exists but did
/// not run in this run: it cannot be judged stale.
fn unused_message(d: &Directive, known: &KnownRules) -> Option<String> {
    if d.rules.is_empty() {
        return Some("suppression of any rule matches no finding".to_string());
    }
    let mut unknown = Vec::new();
    let mut running = false;
    for name in &d.rules {
        match known.lookup(name) {
            Named::Running => running = true,
            Named::NotRunning => {}
            Named::Unknown(near) => unknown.push(match near {
                Some(near) => format!("`{name}` (did you mean `{near}`?)"),
                None => format!("`{name}`"),
            }),
        }
    }
    if !unknown.is_empty() {
        let s = if unknown.len() == 1 { "" } else { "s" };
        return Some(format!(
            "suppression names unknown rule{s} {}",
            unknown.join(", ")
        ));
    }
    running.then(|| format!("suppression of {} matches no finding", d.rules.join(", ")))
}

fn note(file: &FileScan, d: &Directive, rule: &str, severity: Severity, message: String) -> Finding {
    Finding {
        rule: rule.to_string(),
        category: Category::Security,
        severity,
        message,
        help: Some(crate::meta::help(rule).to_string()),
        path: file.path.clone(),
        repo_path: file.rel.clone(),
        location: Location {
            line: d.line,
            column: d.column,
            end_line: d.line,
            end_column: d.end_column,
        },
        fingerprint: String::new(),
        occurrence: None,
        snippet: None,
        label: None,
        content_hash: crate::finding::hex_sha256(format!("{}:{}", rule, d.rules.join(",")).as_bytes()),
        suppressed: None,
        context: crate::context::Context::Source,
    }
}
