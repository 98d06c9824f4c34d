//! The validated policy model: packs of rules, each with exactly one matcher table.
//!
//! `raw.rs` mirrors the TOML; `load.rs` validates it into these types; `builtin.rs` embeds the
//! packs shipped in the binary.

pub mod builtin;
pub mod load;
pub mod raw;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::SourceText;
pub use load::{load_builtin, load_file, load_paths, load_str};

/// How serious a finding is. Ordered: `Note < Warning < Error`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a default gate.
    Note,
    /// Should be looked at.
    Warning,
    /// Must be fixed.
    Error,
}

impl Severity {
    /// The lowercase name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which guardrail family a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Secrets, insecure code, risky dependencies.
    Security,
    /// Personal data handling.
    Privacy,
    /// Protected attributes, model documentation, inclusive language.
    Fairness,
}

impl Category {
    /// The lowercase name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Privacy => "privacy",
            Category::Fairness => "fairness",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one matcher table of a rule, syntactically valid; `matchers` compiles it.
#[derive(Debug, Clone)]
pub enum MatcherTable {
    /// `[rule.regex]`
    Regex(raw::RegexTable),
    /// `[rule.path]`
    Path(raw::PathTable),
    /// `[rule.require]`
    Require(raw::RequireTable),
    /// `[rule.document]`
    Document(raw::DocumentTable),
    /// `[rule.cargo]`
    Cargo(raw::CargoTable),
    /// `[rule.rust]`
    Rust(raw::RustTable),
    /// `[rule.code]`
    Code(raw::CodeTable),
}

impl MatcherTable {
    /// The table name as written in TOML.
    pub fn kind(&self) -> &'static str {
        match self {
            MatcherTable::Regex(_) => "regex",
            MatcherTable::Path(_) => "path",
            MatcherTable::Require(_) => "require",
            MatcherTable::Document(_) => "document",
            MatcherTable::Cargo(_) => "cargo",
            MatcherTable::Rust(_) => "rust",
            MatcherTable::Code(_) => "code",
        }
    }
}

/// Whether an example must produce a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// At least one finding of the rule.
    Fail,
    /// No finding of the rule.
    Pass,
}

/// One executable example of a rule.
#[derive(Debug, Clone)]
pub struct Example {
    /// Fail or pass.
    pub expect: Expect,
    /// File content.
    pub text: String,
    /// File path the content is scanned as.
    pub path: String,
    /// Other files present (empty), for `require` rules.
    pub files: Vec<String>,
    /// The text after the rule's fix (fail examples of rules with `[rule.fix]`).
    pub fixed: Option<String>,
    /// Where the example is written, for diagnostics.
    pub span: Range<usize>,
}

/// A validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Full id, `pack/short-id`.
    pub id: String,
    /// The pack's name.
    pub pack: String,
    /// Category (from the rule or its pack).
    pub category: Category,
    /// Severity after configuration.
    pub severity: Severity,
    /// Severity as written in the policy.
    pub default_severity: Severity,
    /// One line saying what was found.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Why it matters.
    pub description: Option<String>,
    /// Tags such as CWE ids.
    pub tags: Vec<String>,
    /// Links for further reading.
    pub references: Vec<String>,
    /// Include globs (empty: every file).
    pub paths: Vec<String>,
    /// Exclude globs.
    pub exclude_paths: Vec<String>,
    /// Whether inline comments can silence it.
    pub suppressible: bool,
    /// Whether it runs (false for off-by-default rules unless configured on).
    pub enabled: bool,
    /// `history = true|false` from the policy; see [`Rule::runs_on_history`].
    pub history: Option<bool>,
    /// What the rule does per file context (`[pack.contexts]` then `[rule.contexts]`);
    /// a context not listed keeps the rule's severity.
    pub contexts: crate::context::ContextSettings,
    /// The matcher table.
    pub matcher: MatcherTable,
    /// Regexes from `[pack] allow`.
    pub pack_allow: Vec<toml::Spanned<String>>,
    /// Executable examples.
    pub examples: Vec<Example>,
    /// `[rule.fix]`, when the rule declares one.
    pub fix: Option<crate::fix::Fix>,
    /// The policy file, so later stages can point into it.
    pub source: Arc<SourceText>,
    /// Span of the rule's `id` value in `source`.
    pub span: Range<usize>,
    /// True for packs shipped in the binary.
    pub builtin: bool,
}

impl Rule {
    /// Whether `guardrail history` runs this rule: as the policy says, else the rules about
    /// what a commit leaks for good (text and path rules tagged `secret`, and personal-data
    /// literals: `pii` text rules that are not about logging). Structural rules describe code
    /// as it is now and stay with `check`.
    pub fn runs_on_history(&self) -> bool {
        if let Some(explicit) = self.history {
            return explicit;
        }
        let tagged = |t: &str| self.tags.iter().any(|x| x == t);
        match self.matcher {
            MatcherTable::Regex(_) => tagged("secret") || (tagged("pii") && !tagged("logging")),
            MatcherTable::Path(_) => tagged("secret"),
            _ => false,
        }
    }

    /// An error in this rule's policy, pointing at `span` of its pack file: the one constructor
    /// every matcher kind's validation uses.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> crate::error::LocatedError {
        crate::error::LocatedError::new(crate::error::LocatedKind::Policy, &self.source, span, message)
    }

    /// The span of the character at `offset` inside string value `value` written at `span` of
    /// this rule's pack, when the value is written verbatim (a literal string, a basic one
    /// without escapes, or such an item of an array); else the whole value.
    pub fn span_within(&self, span: Range<usize>, value: &str, offset: usize) -> Range<usize> {
        let raw = self.source.text.get(span.clone()).unwrap_or("");
        for quote in ["\'\'\'", "'", "\"\"\"", "\""] {
            if raw.starts_with(quote) && raw[quote.len()..].starts_with(value) {
                let at = span.start + quote.len() + offset;
                return at..(at + 1).min(span.end);
            }
        }
        for quote in ['\'', '"'] {
            if let Some(i) = raw.find(&format!("{quote}{value}{quote}")) {
                let at = span.start + i + 1 + offset;
                return at..(at + 1).min(span.end);
            }
        }
        span
    }

    /// The severity the rule reports at in `context`; `None` when it is off there.
    pub fn severity_in(&self, context: crate::context::Context) -> Option<Severity> {
        match self.contexts.get(&context) {
            Some(setting) => *setting,
            None => Some(self.severity),
        }
    }

    /// The id without the pack prefix.
    pub fn short_id(&self) -> &str {
        self.id.split_once('/').map_or(&self.id, |(_, s)| s)
    }
}

/// A loaded pack's metadata, for `rules list`.
#[derive(Debug, Clone)]
pub struct PackInfo {
    /// Pack name.
    pub name: String,
    /// One line.
    pub description: Option<String>,
    /// True when embedded in the binary.
    pub builtin: bool,
}

/// Every rule of every loaded pack, in load order.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// Packs in load order.
    pub packs: Vec<PackInfo>,
    /// Rules in load order.
    pub rules: Vec<Rule>,
}

impl PolicySet {
    /// Looks a rule up by full id, or by short id when that is unambiguous.
    pub fn find(&self, id: &str) -> Option<&Rule> {
        if let Some(rule) = self.rules.iter().find(|r| r.id == id) {
            return Some(rule);
        }
        let mut short = self.rules.iter().filter(|r| r.short_id() == id);
        match (short.next(), short.next()) {
            (Some(rule), None) => Some(rule),
            _ => None,
        }
    }
}
