//! Reading saved reports: the JSON v1 contract of `guardrail check --format json`, and nothing
//! else. A file that is not JSON, not a guardrail report, or of another contract version is an
//! error naming the file, so a portfolio is never built from part of its input.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::repository::RepositoryInfo;

/// The contract version this reader understands.
pub const CONTRACT_VERSION: u64 = 1;

/// One saved report, as far as the portfolio reads it (readers of v1 ignore unknown fields).
#[derive(Debug, Clone, Deserialize)]
pub struct ReportDoc {
    /// Reported findings.
    pub findings: Vec<FindingDoc>,
    /// Silenced findings (absent in reports written before the field was added).
    #[serde(default)]
    pub suppressed_findings: Vec<SuppressedDoc>,
    /// Counters.
    pub summary: SummaryDoc,
    /// Repository, commit and shard (absent in older reports: named after the file).
    #[serde(default)]
    pub repository: Option<RepositoryInfo>,
}

/// The finding fields the portfolio uses.
#[derive(Debug, Clone, Deserialize)]
pub struct FindingDoc {
    /// Full rule id.
    pub rule: String,
    /// `security`, `privacy`, `fairness`.
    pub category: String,
    /// `error`, `warning`, `note`.
    pub severity: String,
    /// One line; already redacted by the check that wrote it.
    pub message: String,
    /// Display path.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// Content-bound identity.
    pub fingerprint: String,
    /// File context (`source` when absent: older reports).
    #[serde(default = "source_context")]
    pub context: String,
}

fn source_context() -> String {
    "source".to_string()
}

/// A silenced finding and how it was silenced.
#[derive(Debug, Clone, Deserialize)]
pub struct SuppressedDoc {
    /// The finding.
    #[serde(flatten)]
    pub finding: FindingDoc,
    /// The suppression.
    pub suppression: SuppressionDoc,
}

/// How a finding was silenced.
#[derive(Debug, Clone, Deserialize)]
pub struct SuppressionDoc {
    /// `inline` or `baseline`.
    pub kind: String,
    /// The comment's reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// The comment's line.
    #[serde(default)]
    pub line: Option<usize>,
}

/// The counters the portfolio uses.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SummaryDoc {
    /// Files scanned.
    pub files_scanned: usize,
    /// Files whose matching failed ("path: message"): a report with any is incomplete.
    #[serde(default)]
    pub internal_errors: Vec<String>,
}

/// Just enough to tell a guardrail report of the right version from anything else, before
/// reading the whole document.
#[derive(Deserialize)]
struct Header {
    version: Option<serde_json::Value>,
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    name: Option<String>,
}

/// Parses `text` (read from `name`) as a JSON v1 report.
pub fn parse(name: &str, text: &str) -> Result<ReportDoc> {
    let bad = |problem: String| Error::Report {
        file: name.to_string(),
        problem,
    };
    let header: Header = serde_json::from_str(text).map_err(|e| bad(format!("not a JSON report ({e})")))?;
    match header.tool.and_then(|t| t.name) {
        Some(tool) if tool == "guardrail" => {}
        Some(tool) => return Err(bad(format!("a report of `{tool}`, not of guardrail"))),
        None => return Err(bad("not a guardrail report (no `tool.name`)".to_string())),
    }
    match header.version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(CONTRACT_VERSION) => {}
        Some(v) => {
            return Err(bad(format!(
                "report contract version {v}; this guardrail reads version {CONTRACT_VERSION}"
            )))
        }
        None => return Err(bad("no `version` field".to_string())),
    }
    let doc: ReportDoc =
        serde_json::from_str(text).map_err(|e| bad(format!("does not follow the JSON v1 contract ({e})")))?;
    if let Some(first) = doc.summary.internal_errors.first() {
        return Err(bad(format!(
            "the check that wrote it is incomplete: {} internal error{} (first: {first})",
            doc.summary.internal_errors.len(),
            if doc.summary.internal_errors.len() == 1 {
                ""
            } else {
                "s"
            }
        )));
    }
    if let Some(f) = doc.findings.iter().find(|f| f.line == 0) {
        return Err(bad(format!("finding at line 0 in `{}`", f.path)));
    }
    Ok(doc)
}

/// Reads and parses the report at `path`.
pub fn read(path: &std::path::Path) -> Result<ReportDoc> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::Report {
        file: name.clone(),
        problem: format!("cannot read it ({e})"),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| Error::Report {
        file: name.clone(),
        problem: "not UTF-8 text".to_string(),
    })?;
    let mut doc = parse(&name, &text)?;
    if doc.repository.is_none() {
        // An older report: the file's name stands in for the repository's.
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        doc.repository = Some(RepositoryInfo {
            name: stem.unwrap_or_else(|| name.clone()),
            ..RepositoryInfo::default()
        });
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        match parse("r.json", text) {
            Err(Error::Report { file, problem }) => {
                assert_eq!(file, "r.json");
                problem
            }
            other => panic!("expected a report error, got {other:?}"),
        }
    }

    #[test]
    fn refuses_what_is_not_a_v1_report() {
        assert!(problem("{").contains("not a JSON report"));
        assert!(problem(r#"{"version": "2.1.0", "runs": []}"#).contains("not a guardrail report"));
        assert!(problem(r#"{"version": 1, "tool": {"name": "semgrep"}}"#).contains("semgrep"));
        assert!(problem(r#"{"version": 2, "tool": {"name": "guardrail"}}"#).contains("version 2"));
        assert!(problem(r#"{"version": 1, "tool": {"name": "guardrail"}}"#).contains("v1 contract"));
        let incomplete = r#"{"version": 1, "tool": {"name": "guardrail"}, "findings": [],
            "summary": {"files_scanned": 1, "internal_errors": ["a.rs: boom"]}}"#;
        assert!(problem(incomplete).contains("incomplete: 1 internal error (first: a.rs: boom)"));
    }

    #[test]
    fn reads_a_minimal_report() {
        let doc = parse(
            "r.json",
            r#"{"version": 1, "tool": {"name": "guardrail"}, "findings": [], "summary": {"files_scanned": 3}}"#,
        );
        assert!(doc.is_ok_and(|d| d.summary.files_scanned == 3 && d.suppressed_findings.is_empty()));
    }
}
