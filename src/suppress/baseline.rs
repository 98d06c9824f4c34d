//! Baselines: `--write-baseline FILE` records today's findings, `--baseline FILE` moves the
//! findings it lists to the suppressed list and reports entries that match nothing as stale.
//!
//! An entry is `(rule, path, fingerprint)`. The fingerprint is bound to the rule, the path and
//! the hash of the matched text with its occurrence index (see `finding::fingerprint_of`),
//! never to a line, so inserting lines above a finding or re-indenting it keeps it baselined and
//! a different secret on the same line is new. Paths are relative to the baseline file's
//! directory, so the file means the same from any working directory. The file is sorted, one
//! entry per line, with no line numbers, timestamps or secret values: it does not churn in
//! merges, and `merge=union` in `.gitattributes` resolves concurrent additions.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{LocatedError, LocatedKind, Result, SourceText};
use crate::finding::{fingerprint_of, hex_sha256, Finding, FindingBuilder, Hit, Suppression};
use crate::gate::files::{self, GateFile};
use crate::meta::STALE_BASELINE;
use crate::policy::Severity;
use crate::report::{normalize, Report};
use crate::source::walk::absolute;
use crate::Settings;

/// The only baseline format version so far.
pub const VERSION: u32 = 1;

/// The comment at the top of every written baseline.
pub const HEADER: &str = "\
# guardrail baseline: findings accepted as they are, so that only new ones fail the gate.
# Each entry is bound to the rule, the path and the hashed matched text, never to a line.
# Regenerate with `guardrail check --write-baseline <this file>`; entries that match nothing
# any more are reported as stale. Paths are relative to this file's directory.
";

/// How far past the previous occurrence index the next one is searched for when fingerprints
/// are rebased (findings dropped by config overrides leave gaps).
const OCCURRENCE_WINDOW: usize = 1024;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry {
    /// `/`-separated path relative to the baseline file's directory.
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
    /// Absolute directory entry paths are relative to (the file's directory).
    pub dir: PathBuf,
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
        if *raw.version.get_ref() != VERSION {
            let message = format!("unsupported baseline version (this guardrail reads version {VERSION})");
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
        Ok(Self {
            source: Arc::clone(&source),
            dir: file.parent().map_or_else(|| file.clone(), Path::to_path_buf),
            file,
            entries,
        })
    }
}

/// The display name of baseline file `path` and its absolute, normalised path.
pub fn location(path: &Path, cwd: &Path) -> (String, PathBuf) {
    let abs = normalize(&absolute(path, cwd));
    (crate::source::display_path(&abs, cwd), abs)
}

/// The baseline entries for every reported finding (except those on the baseline `file`
/// itself), sorted and deduplicated, with paths and fingerprints rebased onto its directory.
pub fn entries(report: &Report, cwd: &Path, file: &Path) -> Vec<Entry> {
    let rebaser = Rebaser::new(report, cwd, file.parent().unwrap_or(file));
    let mut out: Vec<Entry> = report
        .findings
        .iter()
        .filter(|f| !on_file(f, cwd, file))
        .map(|f| rebaser.entry(f))
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

/// Moves the findings listed in `baseline` to `report.suppressed`, adds a note per stale entry
/// within the scanned paths (an error with `fail_on_stale_baseline`), and recounts the summary.
pub fn apply(report: &mut Report, baseline: &Baseline, settings: &Settings) {
    report.findings.retain(|f| f.rule != STALE_BASELINE);
    let lookup: HashMap<&Entry, usize> = baseline
        .entries
        .iter()
        .enumerate()
        .map(|(i, (e, _))| (e, i))
        .collect();
    let rebaser = Rebaser::new(report, &settings.cwd, &baseline.dir);
    let mut used = vec![false; baseline.entries.len()];
    let mut mark = |f: &Finding| {
        if on_file(f, &settings.cwd, &baseline.file) {
            return false;
        }
        let i = lookup.get(&rebaser.entry(f)).copied();
        if let Some(i) = i.filter(|&i| !used[i]) {
            used[i] = true;
            return true;
        }
        false
    };
    // Findings silenced inline still use their entry: it is needed when inline comments are off.
    report.suppressed.iter().for_each(|f| {
        mark(f);
    });
    let mut baselined = Vec::new();
    for mut f in std::mem::take(&mut report.findings) {
        if mark(&f) {
            f.suppressed = Some(Suppression::Baseline);
            baselined.push(f);
        } else {
            report.findings.push(f);
        }
    }
    let stale = stale_notes(baseline, &used, settings);
    report.summary.suppressed_baseline += baselined.len();
    report.summary.stale_baseline += stale.len();
    report.suppressed.extend(baselined);
    report.findings.extend(stale);
    crate::report::sort(&mut report.findings);
    crate::report::sort(&mut report.suppressed);
    recount(report);
}

fn stale_notes(baseline: &Baseline, used: &[bool], settings: &Settings) -> Vec<Finding> {
    if settings.input != crate::Input::Tree {
        // --staged and --diff see only part of the tree: an unmatched entry may be fine.
        return Vec::new();
    }
    let roots: Vec<PathBuf> = settings
        .roots
        .iter()
        .map(|r| normalize(&absolute(r, &settings.cwd)))
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
        let message = format!(
            "baseline entry for `{}` in `{}` matches no finding",
            entry.rule, entry.path
        );
        let mut f = builder.build_meta(STALE_BASELINE, severity, &message, &Hit::span(span.clone()));
        f.help = Some(crate::meta::help(STALE_BASELINE).to_string());
        f.content_hash =
            hex_sha256(format!("{}\0{}\0{}", entry.rule, entry.path, entry.fingerprint).as_bytes());
        f.fingerprint = fingerprint_of(STALE_BASELINE, &f.path, &f.content_hash, None);
        out.push(f);
    }
    out
}

/// Whether `f` is on the baseline file (stale-entry notes are, and findings of rules that ran
/// over it).
fn on_file(f: &Finding, cwd: &Path, file: &Path) -> bool {
    f.rule == STALE_BASELINE || normalize(&absolute(Path::new(&f.path), cwd)) == file
}

fn recount(report: &mut Report) {
    let s = &mut report.summary;
    (s.errors, s.warnings, s.notes) = (0, 0, 0);
    for f in &report.findings {
        match f.severity {
            Severity::Error => s.errors += 1,
            Severity::Warning => s.warnings += 1,
            Severity::Note => s.notes += 1,
        }
    }
}

/// Turns findings into entries relative to the baseline directory. A fingerprint hashes the
/// display path, so a finding displayed under another path (guardrail run from another
/// directory) needs its fingerprint recomputed with the entry path. The occurrence index that
/// went into it is not stored, so it is recovered once per run: within one group of equal
/// matches the indices grow in file order, so each search starts after the previous index.
struct Rebaser<'a> {
    cwd: &'a Path,
    dir: &'a Path,
    /// Occurrence index by original fingerprint, for findings whose path changes.
    occurrence: HashMap<String, usize>,
}

impl<'a> Rebaser<'a> {
    fn new(report: &Report, cwd: &'a Path, dir: &'a Path) -> Self {
        type Group<'f> = HashMap<(&'f str, &'f str, &'f str), Vec<&'f Finding>>;
        let mut groups: Group<'_> = HashMap::new();
        for f in report.findings.iter().chain(&report.suppressed) {
            let unindexed = fingerprint_of(&f.rule, &f.path, &f.content_hash, None) == f.fingerprint;
            if !unindexed && entry_path(f, cwd, dir) != f.path {
                groups
                    .entry((&f.rule, &f.path, &f.content_hash))
                    .or_default()
                    .push(f);
            }
        }
        let mut occurrence = HashMap::new();
        for ((rule, path, hash), mut group) in groups {
            group.sort_by_key(|f| f.location);
            let mut next = 0;
            for f in group {
                let found = (next..next + OCCURRENCE_WINDOW)
                    .find(|&n| fingerprint_of(rule, path, hash, Some(n)) == f.fingerprint);
                if let Some(n) = found {
                    occurrence.insert(f.fingerprint.clone(), n);
                    next = n + 1;
                }
            }
        }
        Self { cwd, dir, occurrence }
    }

    /// The entry for `f`: its path relative to the directory, and its fingerprint for that path.
    fn entry(&self, f: &Finding) -> Entry {
        let path = entry_path(f, self.cwd, self.dir);
        let fingerprint = if path == f.path {
            f.fingerprint.clone()
        } else if let Some(&n) = self.occurrence.get(&f.fingerprint) {
            fingerprint_of(&f.rule, &path, &f.content_hash, Some(n))
        } else if fingerprint_of(&f.rule, &f.path, &f.content_hash, None) == f.fingerprint {
            fingerprint_of(&f.rule, &path, &f.content_hash, None)
        } else {
            f.fingerprint.clone()
        };
        Entry {
            path,
            rule: f.rule.clone(),
            fingerprint,
        }
    }
}

/// `f`'s path relative to `dir`.
fn entry_path(f: &Finding, cwd: &Path, dir: &Path) -> String {
    relative_to(&normalize(&absolute(Path::new(&f.path), cwd)), dir)
}

/// `/`-separated path from `dir` to `path` (both absolute and normalised), with `..` steps.
fn relative_to(path: &Path, dir: &Path) -> String {
    let a: Vec<Component> = path.components().collect();
    let b: Vec<Component> = dir.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.to_string_lossy().replace('\\', "/");
    }
    let ups = std::iter::repeat_n("..".to_string(), b.len() - common);
    let rest = a[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    ups.chain(rest).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_out_of_the_directory() {
        let rel = |p: &str, d: &str| relative_to(Path::new(p), Path::new(d));
        assert_eq!(rel("/r/src/a.rs", "/r"), "src/a.rs");
        assert_eq!(rel("/r/a.rs", "/r/sub"), "../a.rs");
        assert_eq!(normalize(Path::new("/r/sub/../a")), PathBuf::from("/r/a"));
    }

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
