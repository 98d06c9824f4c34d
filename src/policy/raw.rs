//! Serde structs that mirror a policy file exactly, with spans, so validation can point at lines.
//!
//! Nothing here is trusted yet: `load.rs` turns these into the validated model in `mod.rs`.

use std::collections::BTreeMap;

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
    /// What the rules of this file do per file context (`test = "note"`, `generated = "off"`),
    /// unless a rule says otherwise.
    #[serde(default)]
    pub contexts: BTreeMap<Spanned<String>, Spanned<String>>,
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
    /// Whether `guardrail history` runs the rule (default: secret and personal-data literal
    /// rules do, code-structure rules do not).
    pub history: Option<bool>,
    /// `[rule.contexts]`: what the rule does per file context, over the pack's defaults.
    #[serde(default)]
    pub contexts: BTreeMap<Spanned<String>, Spanned<String>>,
    /// `[rule.regex]`
    pub regex: Option<Spanned<RegexTable>>,
    /// `[rule.path]`
    pub path: Option<Spanned<PathTable>>,
    /// `[rule.require]`
    pub require: Option<Spanned<RequireTable>>,
    /// `[rule.document]`
    pub document: Option<Spanned<DocumentTable>>,
    /// `[rule.cargo]`
    pub cargo: Option<Spanned<CargoTable>>,
    /// `[rule.rust]`
    pub rust: Option<Spanned<RustTable>>,
    /// `[rule.code]`
    pub code: Option<Spanned<CodeTable>>,
    /// `[[rule.example]]`
    #[serde(default, rename = "example")]
    pub examples: Vec<Spanned<RawExample>>,
    /// `[rule.fix]`: replacements an editor can apply inside a finding's span.
    pub fix: Option<Spanned<RawFix>>,
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
    /// Skip matches that start in prose: comments of the file's language, Python docstrings,
    /// Markdown outside fenced code blocks.
    #[serde(default)]
    pub code_only: bool,
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

/// `[rule.document]`: a path query over TOML, JSON, YAML or Dockerfile documents, a test on what
/// it selects, and conditions on the same document. Validated in `matchers::document`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DocumentTable {
    /// One query or several (`jobs.*.steps.*.uses`); a node any of them selects is tested.
    pub query: Spanned<Strings>,
    /// Regex on a selected scalar's value.
    pub pattern: Option<Spanned<String>>,
    /// Capture group of `pattern` to underline instead of the whole match.
    pub group: Option<Spanned<usize>>,
    /// Regex on a selected node's key.
    pub key_pattern: Option<Spanned<String>>,
    /// Typed equality with a selected scalar (string, boolean, integer or float).
    pub equals: Option<Spanned<toml::Value>>,
    /// A scalar equal to, a sequence item equal to, or a mapping key equal to one of these.
    pub contains: Option<Spanned<Strings>>,
    /// `false`: report where the query's last step selects nothing. `true`: the default test.
    pub exists: Option<Spanned<bool>>,
    /// A hit whose value (or key) matches one of these regexes is not reported.
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    /// A hit whose value (or key) equals a scalar this query selects in the same document is
    /// not reported (a column that is also dropped, a stage name used as a base image).
    pub unless_in: Option<Spanned<String>>,
    /// Conditions that must all hold in the same document (one table or an array).
    #[serde(default)]
    pub when: DocumentConditions,
    /// Literal prefilter words, case-insensitive: the file is parsed only when one occurs.
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// Parse files as this format instead of guessing from the file name.
    pub format: Option<Spanned<DocumentFormat>>,
}

/// One `when` condition of a `[rule.document]`: a query and at most one test.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DocumentCondition {
    /// The query.
    pub query: Spanned<Strings>,
    /// Regex on a selected scalar's value.
    pub pattern: Option<Spanned<String>>,
    /// Regex on a selected node's key.
    pub key_pattern: Option<Spanned<String>>,
    /// Typed equality with a selected scalar.
    pub equals: Option<Spanned<toml::Value>>,
    /// Scalar, sequence item or mapping key equal to one of these.
    pub contains: Option<Spanned<Strings>>,
    /// `false`: the condition holds when the query selects nothing, or, beside a test, when the
    /// test finds nothing.
    pub exists: Option<Spanned<bool>>,
}

/// `when = {...}` or `when = [{...}, ...]`: every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct DocumentConditions(pub Vec<DocumentCondition>);

impl<'de> Deserialize<'de> for DocumentConditions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = DocumentConditions;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a condition table or an array of them")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let one = DocumentCondition::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(DocumentConditions(vec![one]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut all = Vec::new();
                while let Some(c) = seq.next_element()? {
                    all.push(c);
                }
                Ok(DocumentConditions(all))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string or an array of strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Strings(pub Vec<String>);

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Strings;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Strings(vec![v.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut all = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    all.push(s);
                }
                Ok(Strings(all))
            }
        }
        d.deserialize_any(V)
    }
}

/// Formats the `document` matcher parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentFormat {
    /// YAML 1.2, every document of a multi-document stream.
    Yaml,
    /// JSON, with comments and trailing commas allowed (JSONC).
    Json,
    /// TOML.
    Toml,
    /// A Dockerfile / Containerfile, as a tree of build stages and instructions.
    Dockerfile,
}

/// `[rule.cargo]`: Cargo manifests and lockfiles. Exactly one check per rule: `banned`,
/// `sources`, `unbounded-versions`, `licenses`, `required-fields` or `publish`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CargoTable {
    /// Crates to flag, each `name`, `name <semver requirement>` or either with ` -- reason`.
    #[serde(default)]
    pub banned: Vec<Spanned<String>>,
    /// Dependency sources to flag: `git`, `path` (outside the workspace), `registry` (not crates.io).
    #[serde(default)]
    pub sources: Vec<Spanned<CargoSource>>,
    /// Registry names or index URLs that `sources = ["registry"]` accepts besides crates.io.
    #[serde(default)]
    pub allow_registries: Vec<Spanned<String>>,
    /// Repository URL prefixes that `sources = ["git"]` accepts.
    #[serde(default)]
    pub allow_git: Vec<Spanned<String>>,
    /// `true`: flag version requirements without an upper bound (`*`, `>=1`).
    pub unbounded_versions: Option<Spanned<bool>>,
    /// SPDX license ids allowed or denied across the dependency graph.
    pub licenses: Option<Spanned<CargoLicenses>>,
    /// `[package]` fields every manifest must set (`license`, `repository`, ...).
    #[serde(default)]
    pub required_fields: Vec<Spanned<String>>,
    /// `false`: every `[package]` must set `publish = false`.
    pub publish: Option<Spanned<bool>>,
    /// Where `banned` and `sources` look: `manifest`, `lockfile` (default: both).
    #[serde(default, rename = "in")]
    pub files: Vec<Spanned<CargoFile>>,
    /// With `required-fields`: skip packages that set `publish = false`.
    #[serde(default)]
    pub published_only: bool,
}

/// A kind of dependency source for `[rule.cargo] sources`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CargoSource {
    /// `git = "..."` / `source = "git+..."`.
    Git,
    /// `path = "..."` leading outside the workspace root.
    Path,
    /// A registry other than crates.io.
    Registry,
}

/// Which Cargo file a check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CargoFile {
    /// `Cargo.toml`.
    Manifest,
    /// `Cargo.lock`.
    Lockfile,
}

/// `[rule.cargo.licenses]`: exactly one of `allow` / `deny`, each a list of SPDX license ids.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CargoLicenses {
    /// Licenses a dependency may be used under; anything else is flagged.
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    /// Licenses a dependency must not require.
    #[serde(default)]
    pub deny: Vec<Spanned<String>>,
    /// Crate names exempt from the check (a reviewed exception).
    #[serde(default)]
    pub exceptions: Vec<Spanned<String>>,
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
    /// The `fail` text after the rule's fix is applied to every finding (needs `[rule.fix]`).
    pub fixed: Option<String>,
}

/// `[rule.fix]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFix {
    /// What the editor offers.
    pub title: Option<String>,
    /// `[[rule.fix.replace]]`, tried in order inside the finding's span.
    #[serde(default)]
    pub replace: Vec<RawReplace>,
}

/// One `[[rule.fix.replace]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReplace {
    /// Regex; its first match inside the span is replaced.
    pub find: Spanned<String>,
    /// Literal replacement text.
    pub with: String,
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
    /// A use is not reported when its enclosing item (the function, or the whole file for a
    /// `use` import) matches this regex: code that says what the use is for.
    pub unless_context: Option<Spanned<String>>,
    /// Message for findings of this form.
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}

/// `[rule.code]`: structural rules over Python, JavaScript/TypeScript (and the languages
/// registered in `matchers/code`), parsed with tree-sitter. Each array is one form; a rule fires
/// on a node any of its forms matches.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CodeTable {
    /// Languages the rule reads: `python`, `javascript`, `typescript`, or `any`.
    pub languages: Vec<Spanned<String>>,
    /// Prefilter words, case-insensitive (default: derived from the forms).
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// `[[rule.code.call]]`: calls by name with argument constraints.
    #[serde(default)]
    pub call: Vec<Spanned<CodeCallForm>>,
    /// `[[rule.code.property]]`: a key set to a literal (keyword argument, object property,
    /// attribute assignment).
    #[serde(default)]
    pub property: Vec<Spanned<CodePropertyForm>>,
    /// `[[rule.code.string]]`: a string built from non-constant parts whose text matches.
    #[serde(default)]
    pub string: Vec<Spanned<CodeStringForm>>,
    /// `[[rule.code.import]]`: a module imported (`import pickle`, `require("telnet")`).
    #[serde(default)]
    pub import: Vec<Spanned<CodeImportForm>>,
    /// `[[rule.code.decision]]`: named attributes deciding what the code does (comparisons,
    /// conditions, switches, arithmetic, sort keys, record filters).
    #[serde(default)]
    pub decision: Vec<Spanned<CodeDecisionForm>>,
    /// `[rule.code.fallback]`: a regex that runs instead on files the front-end cannot parse
    /// (and on files of the rule's `paths` that no front-end reads).
    pub fallback: Option<Spanned<RegexTable>>,
}

/// `arg = 0` (position) or `arg = "verify"` (name).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum CodeArg {
    /// 0-based position among positional arguments.
    Position(usize),
    /// Keyword argument / option property / keyed element.
    Name(String),
}

/// `[[rule.code.call]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CodeCallForm {
    /// Dotted callee paths after import-alias resolution, matched on their last segments;
    /// `*` in a segment is a wildcard (`logging.*`, `*.execute`).
    pub name: Vec<Spanned<String>>,
    /// The argument the constraints below look at.
    pub arg: Option<Spanned<CodeArg>>,
    /// The argument is one of these literals (`false`, `0`, `md5`; names compare by path).
    #[serde(default)]
    pub literal: Vec<Spanned<String>>,
    /// The argument is a string built here from non-constant parts (following local variables).
    #[serde(default)]
    pub built: bool,
    /// ... whose literal text matches this regex.
    pub text: Option<Spanned<String>>,
    /// The argument is not a literal or constant (following local variables): a command passed
    /// to a shell as a variable, a parameter or a built string.
    #[serde(default)]
    pub dynamic: bool,
    /// The argument is an argument vector that runs a shell (`["sh", "-c", cmd]`, also after
    /// the call's earlier arguments: `spawn("sh", ["-c", cmd])`); `dynamic` and `report` then
    /// apply to the command the shell runs.
    #[serde(default)]
    pub shell_argv: bool,
    /// Positions of `arg` and `with` count after a leading context argument (`ctx`,
    /// `context.Background()`, `r.Context()`) when the call has one: pgx, go-pg and bun take the
    /// context first on the same method names database/sql does not (`conn.Query(ctx, sql)`).
    #[serde(default)]
    pub after_context: bool,
    /// ... or (with `built`) the argument reads, directly or through locals, from one of these
    /// untrusted sources: `request.args`, `sys.argv`, `req.query`, `r.FormValue`.
    #[serde(default)]
    pub sources: Vec<Spanned<String>>,
    /// Calls whose result is clean inside a built string (`shlex.quote`, `quote_name`).
    #[serde(default)]
    pub sanitizers: Vec<Spanned<String>>,
    /// Other arguments that must have these literal values: `{ shell = "true" }`, `{ "1" = "-c" }`.
    #[serde(default)]
    pub with: std::collections::BTreeMap<String, Spanned<String>>,
    /// The arguments (or, without `arg`, any argument, or a method chained onto the call)
    /// mention a name matching this regex (matched in snake case).
    pub mentions: Option<Spanned<String>>,
    /// Mentions inside a call whose last name matches this regex do not count.
    pub unless_call: Option<Spanned<String>>,
    /// The call's result is assigned (directly or through a local) to a target, or passed as
    /// a named argument, whose last name matches this regex (in snake case).
    pub flows_to: Option<Spanned<String>>,
    /// Underline the `call` (default) or the matching `argument`.
    pub report: Option<Spanned<RustReportAt>>,
    /// Message for findings of this form (default: the rule's).
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}

/// `[[rule.code.property]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CodePropertyForm {
    /// Key names, exact (`rejectUnauthorized`, `check_hostname`, `NODE_TLS_REJECT_UNAUTHORIZED`).
    pub key: Vec<Spanned<String>>,
    /// The value is one of these literals.
    pub literal: Vec<Spanned<String>>,
    /// Only as a named argument of these calls (default: anywhere, assignments included).
    #[serde(default, rename = "in")]
    pub within: Vec<Spanned<String>>,
    /// Where the key may appear: `argument` (keyword argument, option property), `object`
    /// (object/dict literal), `assignment` (`session.verify = False`). Default: all three.
    #[serde(default)]
    pub places: Vec<Spanned<CodePlace>>,
    /// Not when the same call or composite literal also sets one of these keys: Go's
    /// `InsecureSkipVerify: true` next to a `VerifyConnection` / `VerifyPeerCertificate`
    /// callback is the documented way to verify certificates yourself.
    #[serde(default)]
    pub unless_key: Vec<Spanned<String>>,
    /// Message for findings of this form.
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}

/// Where a property form looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodePlace {
    /// A named argument of a call (Python keyword, JS options-object property, Go keyed element).
    Argument,
    /// A key of an object or dict literal that is not a call argument.
    Object,
    /// An assignment to a name, attribute or string subscript.
    Assignment,
}

/// `[[rule.code.import]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CodeImportForm {
    /// Modules as dotted paths (`pickle`, `xml.etree`, `crypto/md5` as `crypto.md5`), matched on
    /// the last segments of the imported module or of one of its parents, so `xml.etree` also
    /// finds `import xml.etree.ElementTree` and `md5` finds `"crypto/md5"`.
    pub module: Vec<Spanned<String>>,
    /// Message for findings of this form.
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}

/// `[[rule.code.decision]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CodeDecisionForm {
    /// Attribute names in snake case (`gender`, `marital_status`), matched against names in
    /// snake case: the name itself, a getter (`getMaritalStatus()`), `is_`/`has_` forms
    /// (`is_pregnant`), or the attribute prefixed by an owner (`applicant_gender`).
    #[serde(default)]
    pub attributes: Vec<Spanned<String>>,
    /// Attributes that count only with an owner `owners` accepts (`applicant.age`,
    /// `row["age"]`, `user_age`, a sort of `applicants`), never alone (`max_age`, `entry.age`).
    #[serde(default)]
    pub owned_attributes: Vec<Spanned<String>>,
    /// Regex over an owner's snake-case name (the object, the collection sorted or filtered,
    /// the model queried, the loop's iterable, a name's prefix).
    pub owners: Option<Spanned<String>>,
    /// Where the attribute must appear. Default: all of them.
    #[serde(default)]
    pub places: Vec<Spanned<CodeDecisionPlace>>,
    /// A comparison with a value naming something this regex matches (in snake case) does not
    /// count (`ttl`, `timeout`); neither does a comparison with null.
    pub unless_compared_with: Option<Spanned<String>>,
    /// Feature lists: a list of column names (or a column selection `df[[...]]`) assigned to, or
    /// passed as a named argument called, a name this regex matches (`features`, `X_train`).
    pub feature_lists: Option<Spanned<String>>,
    /// ... unless the name also matches this one (`sensitive_features`, `drop_cols`).
    pub unless_feature_lists: Option<Spanned<String>>,
    /// Message for findings of this form.
    pub message: Option<String>,
    /// Label under the underline (default: says where the attribute decides).
    pub label: Option<String>,
}

/// Where a decision form looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeDecisionPlace {
    /// An operand of `==`, `<`, `in`, ..., `.equals(...)`, `.isin(...)`.
    Comparison,
    /// A boolean attribute (`is_`/`has_`) tested by `if`, `while`, a ternary or a filter clause.
    Condition,
    /// The subject of a `switch` or `match`.
    Switch,
    /// An operand of arithmetic (`*`, `/`, `-`, `%`, `+` without strings): a score or weight.
    Arithmetic,
    /// A sort key: `sorted(..., key=...)`, `.sort_values("age")`, `.order_by(...)`,
    /// `Comparator.comparing(...)`.
    SortKey,
    /// A record filter's key: `.filter(gender="F")`, `.filter_by(...)`, `.where({...})`.
    Filter,
    /// A column name in a feature list (needs `feature-lists`).
    FeatureList,
}

/// `[[rule.code.string]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CodeStringForm {
    /// Regex on the literal text of the built string (`SELECT ... FROM`).
    pub text: Spanned<String>,
    /// Calls whose result is clean inside the string (`quote_name`, `escape`).
    #[serde(default)]
    pub sanitizers: Vec<Spanned<String>>,
    /// A string passed (directly or through a local) to one of these calls is left to the
    /// rule's call forms, or is harmless there (a log message).
    #[serde(default)]
    pub unless_argument_of: Vec<Spanned<String>>,
    /// Message for findings of this form.
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
}
