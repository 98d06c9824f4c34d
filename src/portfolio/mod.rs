//! The portfolio report: guardrail's findings and accepted debt (baseline, suppressions) as
//! metrics for one repository or many, with owners, ages, a priority score and a trend.
//!
//! ```text
//! snapshots: JSON v1 reports (--from) | a check run, serialised the same way | past commits (--trend)
//!     │  input: parse and validate the contract (a bad file stops the run: exit 2)
//!     ▼
//! metrics: merge shards -> latest snapshot per repository -> owners (codeowners), ages (age),
//!          scores (priority) -> aggregates, top lists, trend
//!     ▼
//! output: html | markdown | json   (aggregates and top lists; no snippet, no secret)
//! ```

pub mod age;
pub mod codeowners;
pub mod html;
pub mod input;
pub mod json;
pub mod markdown;
pub mod metrics;
pub mod model;
pub mod priority;
pub mod svg;
pub mod trend;

pub use metrics::{build, Enrichment, Options};
pub use model::Portfolio;

/// Portfolio output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One self-contained HTML page (inline CSS and SVG; no script, no network).
    Html,
    /// A compact summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// The metrics, versioned (`"contract": "guardrail-portfolio", "version": 1`).
    Json,
}

/// Renders the portfolio in `format`.
pub fn render(portfolio: &Portfolio, format: Format) -> String {
    match format {
        Format::Html => html::render(portfolio),
        Format::Markdown => markdown::render(portfolio),
        Format::Json => json::render(portfolio),
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Repository-controlled text (rule ids of user packs, paths, suppression reasons) cannot
    /// add markup to the page or break the Markdown tables.
    #[test]
    fn repository_text_is_inert_in_every_format() {
        let evil = r#"<script>alert(1)</script>\"><img src=x onerror=alert(1)>|*"#;
        let finding = serde_json::json!({
            "rule": evil, "category": "security", "severity": "error", "message": evil,
            "path": format!("src/{evil}.py"), "line": 3, "fingerprint": "f1", "context": "source",
        });
        let mut suppressed = finding.clone();
        suppressed["fingerprint"] = "f2".into();
        suppressed["suppression"] = serde_json::json!({"kind": "inline", "reason": evil, "line": 2});
        let doc = serde_json::json!({
            "version": 1, "tool": {"name": "guardrail"}, "findings": [finding],
            "suppressed_findings": [suppressed], "summary": {"files_scanned": 1},
            "repository": {"name": evil, "commit": null, "commit_date": null},
        });
        let parsed = input::parse("r.json", &doc.to_string());
        let Ok(parsed) = parsed else { panic!("{parsed:?}") };
        let opts = Options {
            title: evil.to_string(),
            top: 10,
        };
        let p = build(vec![parsed], &Enrichment::default(), &opts);
        let html = render(&p, Format::Html);
        assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        let md = render(&p, Format::Markdown);
        let escaped = |c: char| {
            md.match_indices(c)
                .all(|(i, _)| i > 0 && md.as_bytes()[i - 1] == b'\\')
        };
        assert!(escaped('<') && md.contains(r"\|\*"), "{md}");
        let json: serde_json::Value = serde_json::from_str(&render(&p, Format::Json)).unwrap_or_default();
        assert_eq!(json["fix_first"][0]["reason"], serde_json::Value::Null);
        assert_eq!(json["debt"]["oldest"][0]["reason"], evil);
    }
}
