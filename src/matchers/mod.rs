//! One file per matcher kind; this enum is the only place they are registered.
//!
//! A matcher compiles from its rule's table (errors point into the policy) and checks one file
//! at a time through a [`FileContext`], reporting [`Hit`]s (byte spans). It never sees
//! suppressions, configuration or output formats.

pub mod cargo;
pub mod code;
pub mod document;
pub mod limits;
pub mod path;
pub mod pattern;
pub mod prose;
pub mod regex;
pub mod require;
pub mod rust;
pub mod validators;

use std::cell::{Cell, RefCell};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml::Spanned;

use crate::error::LocatedError;
use crate::finding::Hit;
use crate::policy::{MatcherTable, Rule};
use crate::source::{Entry, FileSet};

/// Everything that lives for one run and is shared by its files: read once, by whoever asks
/// first, and dropped with the run. Owned by the caller (a CLI run, a test, a language server
/// session), never by a compiled plan or a static, so one plan can serve many runs.
#[derive(Debug, Default)]
pub struct RunContext {
    /// Cargo lockfiles and dependency graphs of this run.
    pub cargo: cargo::RunState,
    /// Syntax trees of earlier checks of the same documents, for incremental reparsing; only
    /// a caller that re-checks buffers (the language server) keeps them.
    pub trees: Option<std::sync::Arc<code::trees::Trees>>,
}

/// What a matcher may look at for one file.
pub struct FileContext<'a> {
    /// State shared by every file of the run.
    pub run: &'a RunContext,
    /// The file.
    pub entry: &'a Entry,
    /// Its text, when it was read (absent for binary, huge or unreadable files).
    pub text: Option<&'a str>,
    /// Every path in the run, for companion-file checks.
    pub files: &'a FileSet,
    /// Per-file state shared by all rules: parse once, however many rules need the tree.
    pub cache: &'a FileCache,
}

/// Per-file state that matchers of one kind share (parsed trees), plus notes for the report.
/// Lives for one file on one thread.
#[derive(Default)]
pub struct FileCache {
    /// Set when a structured parse of the file failed (counted as `unparsed` in the summary).
    pub unparsed: Cell<bool>,
    /// Notes to report once per file (e.g. a parse failure), as meta findings.
    pub notes: RefCell<Vec<FileNote>>,
    /// Resource bounds hit on this file (`parse_depth`, `parse_time`, ...), for the summary.
    pub bounds: RefCell<Vec<String>>,
    /// The file parsed as TOML/JSON/YAML/Dockerfile documents, shared by all document rules.
    pub document: document::DocCache,
    /// The file parsed as Cargo.toml / Cargo.lock, shared by every cargo rule.
    pub cargo: std::cell::OnceCell<cargo::Parsed>,
    /// The Rust file parsed and indexed once for every `[rule.rust]`.
    pub rust: rust::RustCache,
    /// The file parsed with tree-sitter and indexed once for every `[rule.code]`.
    pub code: code::CodeCache,
}

/// A note a matcher wants reported about a file, once, independent of rules.
#[derive(Debug, Clone)]
pub struct FileNote {
    /// A meta rule id from [`crate::meta`].
    pub rule: &'static str,
    /// What happened.
    pub message: String,
    /// Where (empty range at 0: line 1).
    pub span: std::ops::Range<usize>,
}

impl FileCache {
    /// Records that a resource bound stopped work on this file (counted and named in the summary).
    pub fn bound_hit(&self, bound: &str) {
        let mut bounds = self.bounds.borrow_mut();
        if !bounds.iter().any(|b| b == bound) {
            bounds.push(bound.to_string());
        }
    }

    /// Records that the file did not parse as `what` (reported once per file and kind).
    pub fn unparsed(&self, what: &str, error: &str, span: std::ops::Range<usize>) {
        self.unparsed.set(true);
        let mut notes = self.notes.borrow_mut();
        let message = format!("could not parse as {what}: {error}; structural rules skipped this file");
        if !notes.iter().any(|n| {
            n.rule == crate::meta::UNPARSED && n.message.starts_with(&message[..20.min(message.len())])
        }) {
            notes.push(FileNote {
                rule: crate::meta::UNPARSED,
                message,
                span,
            });
        }
    }
}

/// A compiled matcher of any kind.
#[derive(Debug)]
pub enum Matcher {
    /// `[rule.regex]`
    Regex(regex::RegexMatcher),
    /// `[rule.path]`
    Path(path::PathMatcher),
    /// `[rule.require]`
    Require(require::RequireMatcher),
    /// `[rule.document]`
    Document(document::DocumentMatcher),
    /// `[rule.cargo]`
    Cargo(cargo::CargoMatcher),
    /// `[rule.rust]`
    Rust(rust::RustMatcher),
    /// `[rule.code]`
    Code(code::CodeMatcher),
}

impl Matcher {
    /// Compiles a rule's table. `eager` builds every regex now (user policies), so size-limit
    /// errors surface at load rather than mid-scan.
    pub fn compile(rule: &Rule, eager: bool) -> Result<Self, LocatedError> {
        Ok(match &rule.matcher {
            MatcherTable::Regex(t) => Matcher::Regex(regex::RegexMatcher::compile(rule, t, eager)?),
            MatcherTable::Path(t) => Matcher::Path(path::PathMatcher::compile(rule, t)?),
            MatcherTable::Require(t) => Matcher::Require(require::RequireMatcher::compile(rule, t)?),
            MatcherTable::Document(t) => {
                Matcher::Document(document::DocumentMatcher::compile(rule, t, eager)?)
            }
            MatcherTable::Cargo(t) => Matcher::Cargo(cargo::CargoMatcher::compile(rule, t)?),
            MatcherTable::Rust(t) => Matcher::Rust(rust::RustMatcher::compile(rule, t)?),
            MatcherTable::Code(t) => Matcher::Code(code::CodeMatcher::compile(rule, t, eager)?),
        })
    }

    /// Lets the compiled matchers of one plan share per-file work: every code rule's words
    /// are searched for in one pass per file (`many`: a run over many files).
    pub fn share(matchers: &mut [Matcher], many: bool) {
        code::share_words(
            matchers.iter_mut().filter_map(|m| match m {
                Matcher::Code(c) => Some(c),
                _ => None,
            }),
            many,
        );
    }

    /// Words the prefilter looks for; empty means "run on every file in scope".
    pub fn keywords(&self) -> &[String] {
        match self {
            Matcher::Regex(m) => m.keywords(),
            Matcher::Document(m) => m.keywords(),
            Matcher::Rust(m) => m.keywords(),
            Matcher::Code(m) => m.keywords(),
            Matcher::Path(_) | Matcher::Require(_) | Matcher::Cargo(_) => &[],
        }
    }

    /// Whether the matcher reads file content (false: it decides from the path alone, so it
    /// also runs on binary and oversized files).
    pub fn needs_content(&self) -> bool {
        match self {
            Matcher::Regex(_)
            | Matcher::Document(_)
            | Matcher::Cargo(_)
            | Matcher::Rust(_)
            | Matcher::Code(_) => true,
            Matcher::Path(_) | Matcher::Require(_) => false,
        }
    }

    /// Before any rule checks the file: lets matchers that share a per-file parse say what
    /// they will need from it.
    pub fn prepare(&self, cx: &FileContext<'_>) {
        if let Matcher::Code(m) = self {
            m.prepare(cx);
        }
    }

    /// Checks one file.
    pub fn check(&self, cx: &FileContext<'_>, out: &mut Vec<Hit>) {
        match self {
            Matcher::Regex(m) => m.check(cx, out),
            Matcher::Path(m) => m.check(cx, out),
            Matcher::Require(m) => m.check(cx, out),
            Matcher::Document(m) => m.check(cx, out),
            Matcher::Cargo(m) => m.check(cx, out),
            Matcher::Rust(m) => m.check(cx, out),
            Matcher::Code(m) => m.check(cx, out),
        }
    }
}

/// Compiles globs the way `.gitignore` reads them: `*` stays within a directory, and a glob
/// without `/` matches the file name at any depth.
pub fn glob_set(rule: &Rule, globs: &[Spanned<String>]) -> Result<GlobSet, LocatedError> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let g = compile_glob(glob.get_ref()).map_err(|e| {
            rule.error(glob.span(), "invalid glob")
                .with_label(e.kind().to_string())
        })?;
        builder.add(g);
    }
    builder.build().map_err(|e| {
        rule.error(rule.span.clone(), "invalid globs")
            .with_label(e.to_string())
    })
}

/// One glob with guardrail's semantics (see [`glob_set`]).
pub fn compile_glob(glob: &str) -> Result<globset::Glob, globset::Error> {
    let glob = glob.trim_start_matches("./");
    let glob = if glob.contains('/') {
        glob.to_string()
    } else {
        format!("**/{glob}")
    };
    GlobBuilder::new(&glob).literal_separator(true).build()
}

/// Compiles plain strings (from config or rule scopes) as a [`GlobSet`].
pub fn glob_set_of(globs: &[String]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        builder.add(compile_glob(g)?);
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_gitignore_shape() {
        let set = glob_set_of(&["*.pem".into(), ".github/workflows/*.yml".into()]).unwrap();
        assert!(set.is_match("a/b/key.pem"));
        assert!(set.is_match("key.pem"));
        assert!(set.is_match(".github/workflows/ci.yml"));
        assert!(!set.is_match("x/.github/workflows/ci.yml"));
        assert!(!set.is_match(".github/workflows/sub/ci.yml"));
    }
}
