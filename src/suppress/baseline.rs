//! Baselines: `--write-baseline FILE` records today's findings, `--baseline FILE` moves the
//! findings it lists to the suppressed list and reports entries that match nothing as stale.
//!
//! An entry is `(rule, path, fingerprint)`. The fingerprint is bound to the rule, the path and
//! the hash of the matched text with its occurrence index (see `finding::fingerprint_of`),
//! never to a line, so inserting lines above a finding or re-indenting it keeps it baselined and
//! a different secret on the same line is new. Version 2 paths are relative to the repository
//! root around the file (its directory outside a repository), the same identity paths findings
//! carry; version 1 paths, still read, are relative to the file's directory. Either way the
//! file means the same from any working directory: an entry's fingerprint is recomputed from
//! the finding's stored occurrence index when the paths differ. The file is sorted, one
//! entry per line, with no line numbers, timestamps or secret values: it does not churn in
//! merges, and `merge=union` in `.gitattributes` resolves concurrent additions.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{LocatedError, LocatedKind, Result, SourceText};
use crate::finding::{fingerprint_of, hex_sha256, Finding, FindingBuilder, Hit, Suppression};
use crate::gate::files::{self, GateFile};
use crate::meta::STALE_BASELINE;
use crate::paths::{normalize, relative_to, repository_root, resolved};
use crate::policy::Severity;
use crate::report::Report;
use crate::suppress::Sorted;
use crate::Settings;

/// The version written: paths relative to the repository root.
pub const VERSION: u32 = 2;

/// The first version: paths relative to the baseline file's directory. Read, never written.
pub const VERSION_1: u32 = 1;

/// The comment at the top of every written baseline.
pub const HEADER: &str = "\
# guardrail baseline: findings accepted as they are, so that only new ones fail the gate.
# Each entry is bound to the rule, the path and the hashed matched text, never to a line.
# Regenerate with `guardrail check --write-baseline <this file>`; entries that match nothing
# any more are reported as stale. Paths are relative to the repository root.
";

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry {
    /// `/`-separated path relative to the baseline's [`Baseline::dir`].
    pub path: String,
    /// Full rule id.
    pub rule: String,
    /// The finding's fingerprint, computed with `path`.
    pub fingerprint: String,
}

/// A loaded baseline file.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The file's text, named by its path as shown to the user (stale notes point into it).
    pub source: Arc<SourceText>,
    /// Absolute, normalised path of the file. It is scanned like every other file (a secret
    /// pasted into it is reported), but findings on it are never baselined: the file cannot
    /// vouch for itself.
    pub file: PathBuf,
    /// Absolute directory entry paths are relative to: the repository root around the file
    /// (version 2; the file's directory outside a repository), or the file's directory
    /// (version 1).
    pub dir: PathBuf,
    /// The format version the file was written in.
    pub version: u32,
    /// Entries with the byte span of each in the file.
    pub entries: Vec<(Entry, Range<usize>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseline {
    version: Spanned<u32>,
    #[serde(default)]
    findings: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    rule: String,
    path: String,
    fingerprint: String,
}

impl Baseline {
    /// Reads `path` (not a symlink); the display name is relative to `cwd` when below it.
    pub fn load(path: &Path, cwd: &Path) -> Result<Self> {
        let text = files::read(path, GateFile::Baseline)?;
        let (name, file) = location(path, cwd);
        Self::parse(name, text, file)
    }

    /// Validates the text of baseline `file` (absolute), shown to the user as `name`.
    pub fn parse(name: String, text: String, file: PathBuf) -> Result<Self> {
        let source = SourceText::new(name, text);
        let error = |span: Range<usize>, message: &str| {
            LocatedError::new(LocatedKind::Config, &source, span, message)
                .with_label("invalid baseline")
                .with_help("regenerate it with `guardrail check --write-baseline FILE`")
        };
        let raw: RawBaseline = toml::from_str(&source.text).map_err(|e| {
            LocatedError::parse_failure(
                LocatedKind::Config,
                &source.name,
                &source.text,
                e.span().unwrap_or(0..0),
                e.message().trim(),
            )
            .with_label("invalid baseline")
            .with_help("regenerate it with `guardrail check --write-baseline FILE`")
        })?;
        let version = *raw.version.get_ref();
        if version != VERSION && version != VERSION_1 {
            let message = format!(
                "unsupported baseline version (this guardrail reads versions {VERSION_1} and {VERSION})"
            );
            return Err(error(raw.version.span(), &message).into());
        }
        let entries = raw
            .findings
            .into_iter()
            .map(|e| {
                let span = e.span();
                let e = e.into_inner();
                let entry = Entry {
                    path: e.path,
                    rule: e.rule,
                    fingerprint: e.fingerprint,
                };
                (entry, span)
            })
            .collect();
        let dir = if version == VERSION_1 {
            file.parent().map_or_else(|| file.clone(), Path::to_path_buf)
        } else {
            anchor(&file)
        };
        Ok(Self {
            source: Arc::clone(&source),
            dir,
            version,
            file,
            entries,
        })
    }
}

/// The display name of baseline file `path` and its absolute, normalised path.
pub fn location(path: &Path, cwd: &Path) -> (String, PathBuf) {
    let abs = resolved(path, cwd);
    (crate::paths::display_path(&abs, cwd), abs)
}

/// Where version-2 entry paths of baseline `file` (absolute) are relative to: the repository
/// around it, else its directory.
fn anchor(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(file);
    repository_root(dir).unwrap_or_else(|| dir.to_path_buf())
}

/// The (version 2) baseline entries for every reported finding (except those on the baseline
/// `file` itself), sorted and deduplicated.
pub fn entries(report: &Report, cwd: &Path, file: &Path) -> Vec<Entry> {
    let dir = anchor(file);
    let mut out: Vec<Entry> = report
        .findings
        .iter()
        .filter(|f| !on_file(f, cwd, file))
        .map(|f| entry_of(f, cwd, &dir))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The file text for `entries`: a header comment, then one inline table per line.
pub fn render(entries: &[Entry]) -> String {
    let mut out = format!("{HEADER}version = {VERSION}\n");
    if entries.is_empty() {
        out.push_str("findings = []\n");
        return out;
    }
    out.push_str("findings = [\n");
    for e in entries {
        let _ = writeln!(
            out,
            "  {{ rule = {}, path = {}, fingerprint = {} }},",
            quote(&e.rule),
            quote(&e.path),
            quote(&e.fingerprint)
        );
    }
    out.push_str("]\n");
    out
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A loaded baseline ready to match findings: the engine's last per-file stage.
#[derive(Debug)]
pub struct Matcher<'a> {
    baseline: &'a Baseline,
    cwd: &'a Path,
    lookup: HashMap<&'a Entry, usize>,
}

impl<'a> Matcher<'a> {
    /// Indexes `baseline`'s entries; display paths of findings are relative to `cwd`.
    pub fn new(baseline: &'a Baseline, cwd: &'a Path) -> Self {
        let lookup = baseline
            .entries
            .iter()
            .enumerate()
            .map(|(i, (e, _))| (e, i))
            .collect();
        Self {
            baseline,
            cwd,
            lookup,
        }
    }

    /// How many entries the baseline has.
    pub fn len(&self) -> usize {
        self.baseline.entries.len()
    }

    /// Whether the baseline has no entry.
    pub fn is_empty(&self) -> bool {
        self.baseline.entries.is_empty()
    }

    /// Moves the reported findings the baseline lists to `sorted.suppressed`, marked
    /// [`Suppression::Baseline`]; returns the indices of the entries used. Findings already
    /// silenced inline use their entry too: it is needed when inline comments are off. Each
    /// entry silences one finding.
    pub fn apply(&self, sorted: &mut Sorted) -> Vec<usize> {
        let mut used = Vec::new();
        let mut claim = |f: &Finding| {
            if on_file(f, self.cwd, &self.baseline.file) {
                return false;
            }
            let entry = entry_of(f, self.cwd, &self.baseline.dir);
            match self.lookup.get(&entry) {
                Some(&i) if !used.contains(&i) => {
                    used.push(i);
                    true
                }
                _ => false,
            }
        };
        for f in &sorted.suppressed {
            claim(f);
        }
        let mut kept = Vec::with_capacity(sorted.active.len());
        for mut f in std::mem::take(&mut sorted.active) {
            if claim(&f) {
                f.suppressed = Some(Suppression::Baseline);
                sorted.suppressed.push(f);
            } else {
                kept.push(f);
            }
        }
        sorted.active = kept;
        used
    }

    /// A note for each entry no finding used (`used[i]` false) within the scanned paths; an
    /// error with `--fail-on-stale-baseline`.
    pub fn stale(&self, used: &[bool], settings: &Settings) -> Vec<Finding> {
        stale_notes(self.baseline, used, settings)
    }
}

/// Applies `baseline` to a finished report (after `--write-baseline`): the findings it lists
/// move to the suppressed list, stale entries become notes, and the report is re-tallied.
pub fn apply(report: &mut Report, baseline: &Baseline, settings: &Settings) {
    report.findings.retain(|f| f.rule != STALE_BASELINE);
    let matcher = Matcher::new(baseline, &settings.cwd);
    let mut sorted = Sorted {
        active: std::mem::take(&mut report.findings),
        suppressed: std::mem::take(&mut report.suppressed),
    };
    let mut used = vec![false; baseline.entries.len()];
    for i in matcher.apply(&mut sorted) {
        used[i] = true;
    }
    sorted.active.extend(matcher.stale(&used, settings));
    report.findings = sorted.active;
    report.suppressed = sorted.suppressed;
    report.tally();
}

fn stale_notes(baseline: &Baseline, used: &[bool], settings: &Settings) -> Vec<Finding> {
    if settings.input != crate::Input::Tree {
        // --staged and --diff see only part of the tree: an unmatched entry may be fine.
        return Vec::new();
    }
    let roots: Vec<PathBuf> = settings
        .roots
        .iter()
        .map(|r| resolved(r, &settings.cwd))
        .collect();
    let severity = if settings.fail_on_stale_baseline {
        Severity::Error
    } else {
        Severity::Note
    };
    let mut builder = FindingBuilder::new(&baseline.source.name, Some(&baseline.source.text));
    let mut out = Vec::new();
    for ((entry, span), _) in baseline.entries.iter().zip(used).filter(|(_, u)| !**u) {
        let file = normalize(&baseline.dir.join(&entry.path));
        if !roots.iter().any(|r| file.starts_with(r)) {
            continue; // outside what was scanned: unknown, not stale
        }
        if !settings.config.selection.allows(&entry.rule) {
            continue; // a rule left out with --select / --ignore found nothing: not stale
        }
        if !in_shard(settings, &file) {
            continue; // another shard scans that file
        }
        let message = format!(
            "baseline entry for `{}` in `{}` matches no finding",
            entry.rule, entry.path
        );
        let mut f = builder.build_meta(STALE_BASELINE, severity, &message, &Hit::span(span.clone()));
        f.content_hash =
            hex_sha256(format!("{}\0{}\0{}", entry.rule, entry.path, entry.fingerprint).as_bytes());
        f.repo_path = relative_to(&baseline.file, &baseline.dir);
        f.fingerprint = fingerprint_of(STALE_BASELINE, &f.repo_path, &f.content_hash, None);
        out.push(f);
    }
    out
}

/// Whether a `--shard` run scanned `file` (every file, without `--shard`).
fn in_shard(settings: &Settings, file: &Path) -> bool {
    let Some(shard) = settings.shard else {
        return true;
    };
    let root = crate::paths::RepoPaths::discover(&settings.cwd).root;
    shard.contains(&relative_to(file, &normalize(&root)))
}

/// Whether `f` is on the baseline file (stale-entry notes are, and findings of rules that ran
/// over it).
fn on_file(f: &Finding, cwd: &Path, file: &Path) -> bool {
    f.rule == STALE_BASELINE || resolved(Path::new(&f.path), cwd) == file
}

/// The entry for `f` in a baseline whose paths are relative to `dir`: its path from there, and
/// its fingerprint for that path. The path is usually the finding's own identity path, and so
/// is the fingerprint; otherwise (a version-1 file, a baseline outside the scanned repository)
/// the stored occurrence index recomputes it, no search needed.
fn entry_of(f: &Finding, cwd: &Path, dir: &Path) -> Entry {
    let path = relative_to(&resolved(Path::new(&f.path), cwd), dir);
    let fingerprint = if path == f.repo_path {
        f.fingerprint.clone()
    } else {
        fingerprint_of(&f.rule, &path, &f.content_hash, f.occurrence)
    };
    Entry {
        path,
        rule: f.rule.clone(),
        fingerprint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_quotes_and_parses_back() {
        let entries = vec![Entry {
            path: "dir with \"quote\"/a\\b.txt".into(),
            rule: "security/x".into(),
            fingerprint: "abc".into(),
        }];
        let text = render(&entries);
        let parsed = Baseline::parse("b.toml".into(), text, PathBuf::from("/r/b.toml")).expect("parses");
        assert_eq!(parsed.entries[0].0, entries[0]);
    }

    #[test]
    fn unknown_version_points_at_it() {
        let err = Baseline::parse(
            "b.toml".into(),
            "version = 7\n".into(),
            PathBuf::from("/r/b.toml"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("unsupported baseline version"), "{err}");
    }
}
