//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it. One run; the driver lists
//! every loaded rule plus guardrail's meta rules; suppressed findings are kept as results with
//! `suppressions` (the audit trail), not dropped.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde::Serialize;

use super::{Report, RuleInfo};
use crate::finding::{Finding, Location, Suppression};
use crate::policy::{Category, Severity};

/// The OASIS schema this output validates against (tests/data/sarif-2.1.0.json).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// `uriBaseId` of every repository-relative artifact URI (the checkout root).
pub const SRCROOT: &str = "%SRCROOT%";
/// Key of the finding fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "guardrailFingerprint/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    version_control_provenance: Vec<VersionControl>,
}

/// The repository and one commit that history findings point into.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionControl {
    repository_uri: String,
    revision_id: String,
}

/// A history finding's commit and the places its content was committed.
#[derive(Serialize)]
struct ResultProperties<'a> {
    context: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a crate::source::history::Commit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    occurrences: Option<usize>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    category: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
    /// The configuration the run used and each change it made (the repository's config can
    /// weaken its own gate; a reviewer of the log sees it here).
    tool_configuration_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<FileLocation>,
}

/// A location naming a whole file (a skipped one), without a region.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileLocation {
    physical_location: FilePhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FilePhysicalLocation {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [ResultLocation; 1],
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

#[derive(Serialize)]
struct SarifSuppression<'a> {
    kind: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'a str>,
}

#[derive(Serialize)]
struct RunProperties<'a> {
    summary: RunSummary<'a>,
}

/// The report's counters, minus timing, so the log stays byte-identical between runs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunSummary<'a> {
    files_scanned: usize,
    files_skipped: usize,
    skipped: &'a BTreeMap<String, usize>,
    lossy_decoded: usize,
    unparsed: usize,
    suppressed_inline: usize,
    suppressed_baseline: usize,
    stale_baseline: usize,
}

/// Writes the report as one pretty-printed SARIF 2.1.0 log.
pub fn write(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    let rules = all_rules(report);
    let index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut ordered: Vec<&Finding> = report.findings.iter().chain(&report.suppressed).collect();
    ordered.sort_by(|a, b| (&a.path, a.location, &a.rule).cmp(&(&b.path, b.location, &b.rule)));
    let results = ordered
        .into_iter()
        .map(|f| result(f, index.get(f.rule.as_str()).copied(), report))
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: driver(&rules),
            },
            invocations: [invocation(report)],
            column_kind: "unicodeCodePoints",
            results,
            properties: properties(report),
            version_control_provenance: version_control(report),
        }],
    };
    serde_json::to_writer_pretty(&mut *w, &log)?;
    writeln!(w)
}

/// The loaded rules followed by the meta rules that are not already among them.
fn all_rules(report: &Report) -> Vec<RuleInfo> {
    let mut rules = report.rules.clone();
    for meta in crate::meta::META_RULES {
        if rules.iter().all(|r| r.id != meta.id) {
            rules.push(RuleInfo::from(meta));
        }
    }
    rules
}

fn driver(rules: &[RuleInfo]) -> Driver {
    Driver {
        name: "guardrail",
        version: env!("CARGO_PKG_VERSION"),
        semantic_version: env!("CARGO_PKG_VERSION"),
        information_uri: Some(env!("CARGO_PKG_REPOSITORY")).filter(|u| !u.is_empty()),
        rules: rules.iter().map(descriptor).collect(),
    }
}

fn descriptor(rule: &RuleInfo) -> Descriptor {
    let mut tags = rule.tags.clone();
    let category = rule.category.as_str();
    if !tags.iter().any(|t| t == category) {
        tags.push(category.to_string());
    }
    // Meta rules are about guardrail's own inputs, not vulnerabilities: no security score.
    let meta = crate::meta::is_meta(&rule.id);
    let security = rule.category == Category::Security && !meta;
    Descriptor {
        id: rule.id.clone(),
        name: pascal_case(&rule.id),
        short_description: Text {
            text: rule.message.clone(),
        },
        full_description: Text {
            text: rule.description.clone().unwrap_or_else(|| rule.message.clone()),
        },
        help: help(rule),
        help_uri: rule.references.iter().find(|r| is_web_url(r)).cloned(),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            tags,
            category,
            security_severity: security.then(|| security_severity(rule.severity)),
        },
    }
}

/// Help as plain text and as Markdown: how to fix, why, references.
fn help(rule: &RuleInfo) -> Help {
    let fix = rule.help.as_deref().unwrap_or(&rule.message);
    let mut text = fix.to_string();
    let mut markdown = format!("**How to fix:** {fix}");
    if let Some(why) = &rule.description {
        text.push_str(&format!("\n\nWhy: {why}"));
        markdown.push_str(&format!("\n\n**Why:** {why}"));
    }
    if !rule.references.is_empty() {
        text.push_str("\n\nReferences:");
        markdown.push_str("\n\n**References:**\n");
        for r in &rule.references {
            text.push_str(&format!("\n- {r}"));
            if is_web_url(r) {
                markdown.push_str(&format!("\n- <{r}>"));
            } else {
                markdown.push_str(&format!("\n- {r}"));
            }
        }
    }
    Help { text, markdown }
}

fn result<'a>(f: &'a Finding, rule_index: Option<usize>, report: &'a Report) -> SarifResult<'a> {
    SarifResult {
        rule_id: &f.rule,
        rule_index,
        level: level(f.severity),
        message: Text {
            text: super::message_with_detail(f),
        },
        locations: [ResultLocation {
            physical_location: PhysicalLocation {
                artifact_location: artifact(&f.path, report),
                region: region(f.location),
            },
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.as_str())]),
        suppressions: f.suppressed.as_ref().map(suppression).into_iter().collect(),
        properties: Some(ResultProperties {
            context: f.context.as_str(),
            commit: report.provenance.get(&f.fingerprint).map(|p| &p.commit),
            occurrences: report.provenance.get(&f.fingerprint).map(|p| p.places.len()),
        }),
    }
}

/// One entry per commit that a history finding is attributed to.
fn version_control(report: &Report) -> Vec<VersionControl> {
    let root = format!(
        "file://{}",
        encode_uri_path(&absolute_slashed(&report.repo.root.to_string_lossy()))
    );
    let commits: std::collections::BTreeSet<&str> =
        report.provenance.values().map(|p| p.commit.id.as_str()).collect();
    commits
        .into_iter()
        .map(|id| VersionControl {
            repository_uri: root.clone(),
            revision_id: id.to_string(),
        })
        .collect()
}

/// A whole-file finding (path and require rules) is given as line 1 only.
fn region(l: Location) -> Region {
    if l == Location::FILE {
        return Region {
            start_line: 1,
            start_column: None,
            end_line: None,
            end_column: None,
        };
    }
    Region {
        start_line: l.line,
        start_column: Some(l.column),
        end_line: Some(l.end_line),
        end_column: Some(l.end_column),
    }
}

fn suppression(s: &Suppression) -> SarifSuppression<'_> {
    match s {
        Suppression::Inline { reason, .. } => SarifSuppression {
            kind: "inSource",
            status: "accepted",
            justification: reason.as_deref(),
        },
        Suppression::Baseline => SarifSuppression {
            kind: "external",
            status: "accepted",
            justification: Some("listed in the guardrail baseline"),
        },
    }
}

fn invocation(report: &Report) -> Invocation {
    let errors = &report.summary.internal_errors;
    let internal = errors.iter().map(|e| Notification {
        level: "error",
        message: Text { text: e.clone() },
        locations: Vec::new(),
    });
    let skipped = report.summary.skipped_files.iter().map(|s| Notification {
        level: "note",
        message: Text {
            text: format!("not scanned: {}", s.reason),
        },
        locations: vec![FileLocation {
            physical_location: FilePhysicalLocation {
                artifact_location: artifact(&s.path, report),
            },
        }],
    });
    let config = &report.config;
    let headline = Notification {
        level: "note",
        message: Text {
            text: config.headline(),
        },
        locations: Vec::new(),
    };
    let changes = config.changes.iter().map(|c| Notification {
        level: if c.relaxes { "warning" } else { "note" },
        message: Text { text: c.describe() },
        locations: Vec::new(),
    });
    Invocation {
        execution_successful: errors.is_empty(),
        tool_execution_notifications: internal.chain(skipped).collect(),
        tool_configuration_notifications: std::iter::once(headline).chain(changes).collect(),
    }
}

/// Where `path` (a display path) is: relative to `%SRCROOT%` inside the repository, else an
/// absolute `file://` URI.
fn artifact(path: &str, report: &Report) -> ArtifactLocation {
    match report.repo.relative(path) {
        Some(rel) => ArtifactLocation {
            uri: encode_uri_path(&rel),
            uri_base_id: Some(SRCROOT),
        },
        None => ArtifactLocation {
            uri: format!("file://{}", encode_uri_path(&absolute_slashed(path))),
            uri_base_id: None,
        },
    }
}

fn properties(report: &Report) -> RunProperties<'_> {
    let s = &report.summary;
    RunProperties {
        summary: RunSummary {
            files_scanned: s.files_scanned,
            files_skipped: s.files_skipped,
            skipped: &s.skipped,
            lossy_decoded: s.lossy_decoded,
            unparsed: s.unparsed,
            suppressed_inline: s.suppressed_inline,
            suppressed_baseline: s.suppressed_baseline,
            stale_baseline: s.stale_baseline,
        },
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub's `security-severity` score: it shows 7.0-8.9 as high, 4.0-6.9 medium, below low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

/// `security/github-token` -> `SecurityGithubToken`: SARIF's "friendly name" is one Pascal-case
/// identifier.
pub fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn is_web_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && !s.contains(char::is_whitespace)
}

/// Percent-encodes everything but unreserved characters and `/`, byte by byte (RFC 3986), so
/// paths with spaces or non-ASCII names are valid URI references.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        // `!` is a sub-delimiter RFC 3986 allows in a path: archive members read `a.zip!b/c`.
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b'!') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An absolute display path with `/` separators and a leading `/` (Windows drive paths too).
fn absolute_slashed(path: &str) -> String {
    let p = path.replace('\\', "/");
    if p.starts_with('/') {
        p
    } else {
        format!("/{p}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(pascal_case("security/github-token"), "SecurityGithubToken");
        assert_eq!(
            pascal_case("guardrail/stale-baseline-entry"),
            "GuardrailStaleBaselineEntry"
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(encode_uri_path("src/a b/é.rs"), "src/a%20b/%C3%A9.rs");
        assert_eq!(encode_uri_path("x%y#z?.txt"), "x%25y%23z%3F.txt");
    }
}
