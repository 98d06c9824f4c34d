//! `--format json`: the portfolio metrics for dashboards, as the `guardrail-portfolio` contract,
//! version 1. New data goes into new fields; a field is never renamed or removed.

use serde::Serialize;

use super::model::Portfolio;

/// The contract's name.
pub const CONTRACT: &str = "guardrail-portfolio";

#[derive(Serialize)]
struct Doc<'a> {
    contract: &'static str,
    version: u32,
    tool: Tool,
    #[serde(flatten)]
    portfolio: &'a Portfolio,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// Pretty-printed JSON with a final newline.
pub fn render(portfolio: &Portfolio) -> String {
    let doc = Doc {
        contract: CONTRACT,
        version: 1,
        tool: Tool {
            name: "guardrail",
            version: env!("CARGO_PKG_VERSION"),
        },
        portfolio,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
