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
