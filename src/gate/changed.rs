//! `--staged` and `--diff`: a change that edits a file configuring its own gate (a
//! `guardrail.toml`, a `.guardrailignore`, a policy pack or the baseline in use) is reported as
//! a warning, so the reviewer sees that the change moves the goalposts. The finding is added
//! after config overrides, inline suppressions and the baseline, so none of those can hide it.

use std::path::{Path, PathBuf};

use crate::finding::{fingerprint_of, hex_sha256, Finding, Location};
use crate::meta::GATE_CONFIG_CHANGED;
use crate::policy::{Category, Severity};
use crate::source::walk::IGNORE_FILE;
use crate::source::ChangedPath;
use crate::Settings;

/// One warning per changed gate file, sorted by path.
pub fn findings(changed: &[ChangedPath], settings: &Settings) -> Vec<Finding> {
    let gate_files = gate_files(settings);
    let mut out: Vec<Finding> = changed
        .iter()
        .filter_map(|c| what(c, &gate_files).map(|what| finding(c, what)))
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.path == b.path);
    out
}

/// Policy files and directories and the baseline of this run, canonical where they exist.
fn gate_files(settings: &Settings) -> Vec<(PathBuf, &'static str)> {
    let canonical = |p: &Path| {
        let abs = crate::source::walk::absolute(p, &settings.cwd);
        abs.canonicalize().unwrap_or(abs)
    };
    let mut files: Vec<(PathBuf, &'static str)> = Vec::new();
    for p in settings.config.policies.iter().chain(&settings.policy_paths) {
        files.push((canonical(p), "a policy pack"));
    }
    if let Some(b) = &settings.baseline {
        files.push((canonical(&b.file), "the baseline"));
    }
    if let Some(c) = &settings.config.path {
        files.push((canonical(c), "the gate's config"));
    }
    files
}

/// What gate file `c` is, if any.
fn what(c: &ChangedPath, gate_files: &[(PathBuf, &'static str)]) -> Option<&'static str> {
    let name = c.abs.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == crate::config::FILE_NAME {
        return Some("a guardrail config");
    }
    if name == IGNORE_FILE {
        return Some("an ignore file of the gate");
    }
    let abs = c.abs.canonicalize().unwrap_or_else(|_| c.abs.clone());
    gate_files
        .iter()
        .find(|(p, _)| abs == *p || abs.starts_with(p))
        .map(|(_, what)| *what)
}

fn finding(c: &ChangedPath, what: &str) -> Finding {
    let content_hash = hex_sha256(format!("{GATE_CONFIG_CHANGED}\0{}", c.display).as_bytes());
    // Identity is repository-relative, like every finding's (see `crate::paths`).
    let repo_path = crate::paths::repository_root(&c.abs).map_or_else(
        || c.display.clone(),
        |root| crate::paths::relative_to(&c.abs, &root),
    );
    Finding {
        rule: GATE_CONFIG_CHANGED.to_string(),
        category: Category::Security,
        severity: Severity::Warning,
        message: if c.deleted {
            format!("this change deletes {what}, which decides what the gate checks")
        } else {
            format!("this change edits {what}, which decides what the gate checks")
        },
        help: Some(crate::meta::help(GATE_CONFIG_CHANGED).to_string()),
        fingerprint: fingerprint_of(GATE_CONFIG_CHANGED, &repo_path, &content_hash, None),
        occurrence: None,
        path: c.display.clone(),
        repo_path,
        location: Location::FILE,
        snippet: None,
        label: None,
        content_hash,
        suppressed: None,
        context: crate::context::Context::Source,
    }
}
