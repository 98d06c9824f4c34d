//! `guardrail rules list|explain`: every rule documents itself from its policy metadata.

use std::fmt::Write as _;

use clap::{Subcommand, ValueEnum};

use super::{write_stdout, PolicyArgs, EXIT_CLEAN};
use crate::error::{Error, Result};
use crate::meta::{self, MetaRule, META_RULES};
use crate::policy::{Expect, Rule};

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// One line per rule: id, severity, category, message.
    List {
        /// Table layout.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Policy sources.
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Everything about one rule: message, why, help, tags, paths, examples.
    Explain {
        /// Full id (`security/github-token`) or short id when unambiguous.
        id: String,
        /// Policy sources.
        #[command(flatten)]
        policy: PolicyArgs,
    },
}

/// Layouts for `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns.
    Text,
    /// A Markdown table (the README's rule table is generated from this).
    Markdown,
}

/// Runs a `rules` subcommand.
pub fn run(cmd: &RulesCommand) -> Result<u8> {
    match cmd {
        RulesCommand::List { format, policy } => {
            let set = crate::load_policies(&policy.settings(Vec::new())?)?;
            write_stdout(list(&set.rules, *format).as_bytes())?;
        }
        RulesCommand::Explain { id, policy } => {
            let set = crate::load_policies(&policy.settings(Vec::new())?)?;
            let text = match (set.find(id), meta::find(id)) {
                (Some(rule), _) => explain(rule),
                (None, Some(m)) => explain_meta(m),
                (None, None) => {
                    let ids = set
                        .rules
                        .iter()
                        .map(|r| r.id.as_str())
                        .chain(meta::META_RULES.iter().map(|m| m.id));
                    let near = crate::config::did_you_mean(id, ids)
                        .map(|n| format!("; did you mean `{n}`?"))
                        .unwrap_or_default();
                    return Err(Error::Usage(format!(
                        "no rule `{id}`{near} (`guardrail rules list` shows every id)"
                    )));
                }
            };
            write_stdout(text.as_bytes())?;
        }
    }
    Ok(EXIT_CLEAN)
}

/// Renders the rule list: the policy rules, then guardrail's own meta rules.
pub fn list(rules: &[Rule], format: ListFormat) -> String {
    let mut out = String::new();
    match format {
        ListFormat::Text => {
            let width = rules
                .iter()
                .map(|r| r.id.len())
                .chain(META_RULES.iter().map(|m| m.id.len()))
                .max()
                .unwrap_or(0);
            for r in rules {
                let state = if r.enabled { "" } else { " (off by default)" };
                let _ = writeln!(
                    out,
                    "{:width$}  {:7}  {:8}  {}{state}",
                    r.id,
                    r.severity.as_str(),
                    r.category.as_str(),
                    r.message
                );
            }
            for m in META_RULES {
                let _ = writeln!(
                    out,
                    "{:width$}  {:7}  {:8}  {}",
                    m.id,
                    m.severity.as_str(),
                    "meta",
                    m.message
                );
            }
        }
        ListFormat::Markdown => {
            out.push_str("| rule | severity | category | matcher | finds |\n|---|---|---|---|---|\n");
            for r in rules {
                let state = if r.enabled { "" } else { " (off by default)" };
                let _ = writeln!(
                    out,
                    "| `{}` | {}{state} | {} | {} | {} |",
                    r.id,
                    r.severity,
                    r.category,
                    r.matcher.kind(),
                    r.message.replace('|', "\\|")
                );
            }
            for m in META_RULES {
                let _ = writeln!(out, "| `{}` | {} | meta | — | {} |", m.id, m.severity, m.message);
            }
        }
    }
    out
}

/// Renders one meta rule in the shape [`explain`] uses for policy rules.
pub fn explain_meta(m: &MetaRule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  ({}, guardrail's own diagnostic)", m.id, m.severity);
    let _ = writeln!(out, "\n  {}", m.message);
    let _ = writeln!(out, "\nWhy:\n  {}", m.description);
    let _ = writeln!(out, "\nHelp:\n  {}", m.help);
    out
}

/// What the rule does in each file context, e.g. `source: error, test: warning, ...`.
fn contexts_line(r: &Rule) -> String {
    use crate::context::Context;
    [
        Context::Source,
        Context::Test,
        Context::Docs,
        Context::Generated,
        Context::Vendored,
        Context::Build,
    ]
    .iter()
    .map(|&c| match r.severity_in(c) {
        Some(sev) => format!("{c}: {sev}"),
        None => format!("{c}: off"),
    })
    .collect::<Vec<_>>()
    .join(", ")
}

/// Renders one rule in the fixed documentation shape.
pub fn explain(r: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  ({}, {}, {} matcher)",
        r.id,
        r.severity,
        r.category,
        r.matcher.kind()
    );
    let _ = writeln!(out, "\n  {}", r.message);
    if let Some(d) = &r.description {
        let _ = writeln!(out, "\nWhy:\n  {}", d.trim());
    }
    if let Some(h) = &r.help {
        let _ = writeln!(out, "\nHelp:\n  {}", h.trim());
    }
    if !r.tags.is_empty() {
        let _ = writeln!(out, "\nTags: {}", r.tags.join(", "));
    }
    let paths = if r.paths.is_empty() {
        "every text file".to_string()
    } else {
        r.paths.join(", ")
    };
    let _ = writeln!(out, "Paths: {paths}");
    if !r.exclude_paths.is_empty() {
        let _ = writeln!(out, "Excluded: {}", r.exclude_paths.join(", "));
    }
    let _ = writeln!(out, "Contexts: {}", contexts_line(r));
    if let Some(fix) = &r.fix {
        let _ = writeln!(out, "Fix (offered in the editor): {}", fix.title);
    }
    if !r.suppressible {
        let _ = writeln!(out, "Cannot be suppressed inline.");
    }
    if !r.enabled {
        let _ = writeln!(
            out,
            "Off by default; enable with `\"{}\" = \"on\"` under [rules] in guardrail.toml.",
            r.id
        );
    }
    for e in &r.examples {
        let word = if e.expect == Expect::Fail {
            "Flagged"
        } else {
            "Not flagged"
        };
        let _ = writeln!(out, "\n{word} ({}):", e.path);
        for line in e.text.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    for link in &r.references {
        let _ = writeln!(out, "\nSee: {link}");
    }
    out
}
