//! Serde structs that mirror a policy file exactly, with spans, so validation can point at lines.
//!
//! Nothing here is trusted yet: `load.rs` turns these into the validated model in `mod.rs`.

use serde::Deserialize;
use toml::Spanned;

use super::{Category, Severity};

/// A whole policy file: one `[pack]` and its `[[rule]]`s.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicyFile {
    /// The `[pack]` table.
    pub pack: Spanned<RawPack>,
    /// The `[[rule]]` array.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Spanned<RawRule>>,
}

/// `[pack]`: names the pack and sets defaults for its rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPack {
    /// Prefix of every rule id in the pack.
    pub name: Spanned<String>,
    /// Default category of the pack's rules.
    pub category: Option<Spanned<Category>>,
    /// One line for `rules list`.
    pub description: Option<String>,
    /// Regexes that exempt a regex match in any rule of this pack (placeholders, examples).
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
}

/// One `[[rule]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRule {
    /// Short id, kebab-case, unique in the pack.
    pub id: Spanned<String>,
    /// Default severity (error when absent).
    pub severity: Option<Spanned<Severity>>,
    /// Overrides the pack category.
    pub category: Option<Spanned<Category>>,
    /// One line saying what was found.
    pub message: Spanned<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// Why it matters.
    pub description: Option<String>,
    /// Free-form tags (CWE ids, `secret`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Links for further reading; the first is the help URI.
    #[serde(default)]
    pub references: Vec<String>,
    /// Include globs relative to the scan root.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Exclude globs relative to the scan root.
    #[serde(default)]
    pub exclude_paths: Vec<Spanned<String>>,
    /// False: inline comments cannot silence this rule.
    pub suppressible: Option<bool>,
    /// False: the rule is off unless a config turns it on.
    pub enabled: Option<bool>,
    /// `[rule.regex]`
    pub regex: Option<Spanned<RegexTable>>,
    /// `[rule.path]`
    pub path: Option<Spanned<PathTable>>,
    /// `[rule.require]`
    pub require: Option<Spanned<RequireTable>>,
    /// `[rule.rust]`
    pub rust: Option<Spanned<RustTable>>,
    /// `[[rule.example]]`
    #[serde(default, rename = "example")]
    pub examples: Vec<Spanned<RawExample>>,
}

/// `[rule.regex]`: text in files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RegexTable {
    /// The pattern (ASCII-oriented unless `unicode = true`).
    pub pattern: Spanned<String>,
    /// Literal prefilter words, case-insensitive; the regex runs only where one occurs.
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// Capture group holding a secret: redacted in every output and checked for entropy.
    pub secret: Option<Spanned<usize>>,
    /// Capture group to underline and validate when it is not the secret group.
    pub group: Option<Spanned<usize>>,
    /// Minimum Shannon entropy, bits per character, of the secret (or reported) group.
    pub min_entropy: Option<Spanned<f64>>,
    /// A match whose text matches one of these is not reported.
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    /// Checksums the reported group must pass: `luhn`, `iban`, `ssn`.
    #[serde(default)]
    pub validate: Vec<Spanned<String>>,
    /// Compile Unicode-aware (slower); default is byte-oriented ASCII classes.
    #[serde(default)]
    pub unicode: bool,
}

/// `[rule.path]`: files that must not exist.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PathTable {
    /// Globs, relative to the scan root, of forbidden files.
    pub files: Vec<Spanned<String>>,
}

/// `[rule.require]`: a companion file that must exist when a trigger file does.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequireTable {
    /// Globs of files that trigger the requirement.
    pub when: Vec<Spanned<String>>,
    /// Any one of these must exist. `{stem}` is the trigger's file name without extension.
    pub companion: Vec<Spanned<String>>,
    /// Where companions are looked for: `sibling` (default), `ancestors` or `root`.
    pub scope: Option<Spanned<RequireScope>>,
}

/// Where a `require` rule looks for companion files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequireScope {
    /// In the trigger file's directory.
    #[default]
    Sibling,
    /// In the trigger file's directory or any parent up to the scan root.
    Ancestors,
    /// At the scan root.
    Root,
}

/// `[[rule.example]]`: exactly one of `fail` / `pass`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawExample {
    /// Text that must yield at least one finding of the rule.
    pub fail: Option<String>,
    /// Text that must yield none.
    pub pass: Option<String>,
    /// File name the text is scanned as (default: derived from the rule's `paths`).
    pub path: Option<String>,
    /// Other (empty) files present beside it, for `require` rules.
    #[serde(default)]
    pub files: Vec<String>,
}

/// `[rule.rust]`: Rust syntax, parsed with syn (see docs/rust-matcher.md). Each array is one
/// form; a rule fires on a node that any of its forms matches.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RustTable {
    /// Prefilter words, case-insensitive (default: derived from the forms' names).
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// `[[rule.rust.call]]`: calls and method calls.
    #[serde(default)]
    pub call: Vec<Spanned<RustCallForm>>,
    /// `[[rule.rust.macro]]`: macro invocations whose arguments mention a name.
    #[serde(default, rename = "macro")]
    pub macros: Vec<Spanned<RustMacroForm>>,
    /// `[[rule.rust.unsafe]]`: `unsafe` without a safety comment.
    #[serde(default, rename = "unsafe")]
    pub unsafes: Vec<Spanned<RustUnsafeForm>>,
    /// `[[rule.rust.field]]`: struct fields under a derive.
    #[serde(default)]
    pub field: Vec<Spanned<RustFieldForm>>,
    /// `[[rule.rust.condition]]`: names used in conditions, comparisons, arithmetic.
    #[serde(default)]
    pub condition: Vec<Spanned<RustConditionForm>>,
    /// `[[rule.rust.use]]`: uses of a path.
    #[serde(default, rename = "use")]
    pub uses: Vec<Spanned<RustUseForm>>,
}

/// `format = true` (any `format!`) or `format = 'regex'` (on the format string).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RustFormatArg {
    /// Whether the argument must be built with `format!`.
    Any(bool),
    /// A regex the format string must match.
    Pattern(String),
}

/// `[[rule.rust.call]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RustCallForm {
    /// Function paths (suffix match) or method names.
    pub name: Vec<Spanned<String>>,
    /// Which argument (0-based, receiver excluded) the argument constraints look at.
    pub arg: Option<Spanned<usize>>,
    /// The argument is one of these literals (`true`, `sh`; strings compare by value).
    #[serde(default)]
    pub literal: Vec<Spanned<String>>,
    /// The argument is built with `format!` (directly or through a local `let`).
    pub format: Option<Spanned<RustFormatArg>>,
    /// The argument mentions an identifier or field whose name matches this regex.
    pub mentions: Option<Spanned<String>>,
    /// Mentions inside a call whose name matches this regex do not count.
    pub unless_call: Option<Spanned<String>>,
    /// The method call's receiver chain starts at a call to one of these.
    #[serde(default)]
    pub receiver: Vec<Spanned<String>>,
    /// ... which has one of these literal arguments.
    #[serde(default)]
    pub receiver_literal: Vec<Spanned<String>>,
    /// The call is the whole body of its function (optionally in `Ok(..)`).
    #[serde(default)]
    pub whole_body: bool,
    /// Underline the `call` (default) or the matching `argument`.
    pub report: Option<Spanned<RustReportAt>>,
    /// Message for findings of this form (default: the rule's).
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}

/// What a call form underlines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RustReportAt {
    /// The call.
    #[default]
    Call,
    /// The argument that matched the constraints.
    Argument,
}

/// `[[rule.rust.macro]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RustMacroForm {
    /// Macro paths: `println`, `log::info`, `tracing::*`.
    pub name: Vec<Spanned<String>>,
    /// Regex on identifier and field names mentioned in the arguments.
    pub mentions: Spanned<String>,
    /// Mentions inside a call whose name matches this regex do not count.
    pub unless_call: Option<Spanned<String>>,
    /// Message for findings of this form.
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}

/// Kinds of `unsafe` a form looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RustUnsafeKind {
    /// `unsafe { .. }`
    Block,
    /// `unsafe fn`
    Fn,
    /// `unsafe impl`
    Impl,
}

/// `[[rule.rust.unsafe]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RustUnsafeForm {
    /// Which kinds (default: all).
    #[serde(default)]
    pub kinds: Vec<Spanned<RustUnsafeKind>>,
    /// Text the comment above must contain (default `SAFETY:`, case-insensitive).
    pub comment: Option<Spanned<String>>,
    /// Message for findings of this form.
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}

/// `[[rule.rust.field]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RustFieldForm {
    /// Regex on the field name.
    pub name: Spanned<String>,
    /// The struct or enum derives one of these traits (last path segment).
    pub derives: Vec<Spanned<String>>,
    /// Attributes that exempt a field: `serde(skip)` (path and an inner word) or `redact`.
    #[serde(default)]
    pub unless_attribute: Vec<Spanned<String>>,
    /// Wrapper types that exempt a field, anywhere in its type: `Secret`, `Redacted`.
    #[serde(default)]
    pub unless_type: Vec<Spanned<String>>,
    /// Message for findings of this form.
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}

/// Where a condition form looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RustConditionContext {
    /// `if` and `while` conditions.
    If,
    /// `match` scrutinees and arm guards.
    Match,
    /// Operands of `==`, `<`, ...
    Comparison,
    /// Operands of `+`, `*`, `+=`, ...
    Arithmetic,
}

/// `[[rule.rust.condition]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RustConditionForm {
    /// Regex on identifier and field names.
    pub name: Spanned<String>,
    /// Contexts to look in (default: all).
    #[serde(default, rename = "in")]
    pub contexts: Vec<Spanned<RustConditionContext>>,
    /// Message for findings of this form.
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}

/// `[[rule.rust.use]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RustUseForm {
    /// Paths whose segments occur, in order, in a `use` item, a type or an expression path.
    pub path: Vec<Spanned<String>>,
    /// Message for findings of this form.
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}
