//! `[rule.rust]`: rules over Rust syntax, parsed with syn once per file and only when a rule's
//! trigger words occur in it.
//!
//! Cost model: a `.rs` file reaches a rust rule only when the plan's keyword prefilter fires;
//! each form then checks its own trigger words (whole identifiers, plus co-occurring words such
//! as `format` for a `format` constraint); only if one passes is the file parsed. The parse and
//! one visit build a rule-independent [`index::Index`] kept in the per-file [`RustCache`], so
//! every rust rule on the file reads the same index. `unsafe` forms need no parse at all: a
//! comment- and string-aware token scan (`tokens.rs`) finds them, also in files syn rejects.

mod builder;
mod chunks;
mod forms;
mod index;
mod mentions;
mod names;
mod syntax;
mod tokens;

use std::cell::{Cell, OnceCell, Ref, RefCell};
use std::collections::HashMap;

use super::FileContext;
use crate::error::LocatedError;
use crate::finding::Hit;
use crate::plan::keywords::KeywordDfa;
use crate::policy::raw::RustTable;
use crate::policy::Rule;

pub use index::Index;
pub use tokens::UnsafeSite;

/// Per-file Rust state shared by every rust rule: the index of the parsed items and the
/// `unsafe` sites of one token scan, each item parsed and the file scanned at most once.
#[derive(Default)]
pub struct RustCache {
    indexer: RefCell<Option<index::Indexer>>,
    failed: Cell<bool>,
    names: RefCell<HashMap<String, Vec<usize>>>,
    unsafe_sites: OnceCell<Vec<UnsafeSite>>,
}

impl RustCache {
    /// The file's index, covering at least the items that contain one of `anchors`; `None`
    /// once syn has rejected the file (recorded once as an unparsed note).
    fn index(&self, cx: &FileContext<'_>, text: &str, anchors: &[usize]) -> Option<Ref<'_, Index>> {
        if self.failed.get() {
            return None;
        }
        let result = self
            .indexer
            .borrow_mut()
            .get_or_insert_with(|| index::Indexer::new(text))
            .extend(text, anchors);
        if let Err(err) = result {
            self.failed.set(true);
            if let Some(bound) = err.bound {
                cx.cache.bound_hit(bound);
            }
            cx.cache.unparsed("Rust", &err.message, err.span);
            return None;
        }
        Ref::filter_map(self.indexer.borrow(), |i| i.as_ref().map(|i| &i.index)).ok()
    }

    /// `unsafe` sites of the file, from a token scan.
    fn unsafe_sites(&self, text: &str) -> &[UnsafeSite] {
        self.unsafe_sites.get_or_init(|| tokens::unsafe_sites(text))
    }
}

/// Compiled `[rule.rust]`.
#[derive(Debug)]
pub struct RustMatcher {
    keywords: Vec<String>,
    /// Finds the rule's own keywords again, to test the identifiers around them against the
    /// forms' name regexes before deciding to parse (absent when keywords were derived).
    trigger: Option<KeywordDfa>,
    trigger_key: String,
    forms: Vec<forms::Form>,
}

impl RustMatcher {
    /// Validates the table; every regex and path is checked now, errors point into the policy.
    pub fn compile(rule: &Rule, table: &RustTable) -> Result<Self, LocatedError> {
        let forms = forms::compile(rule, table)?;
        if forms.is_empty() {
            return Err(rule.error(rule.span.clone(), "`[rule.rust]` has no form")
                .with_help("add one of [[rule.rust.call]], [[rule.rust.macro]], [[rule.rust.unsafe]], [[rule.rust.field]], [[rule.rust.condition]], [[rule.rust.use]]"));
        }
        let explicit: Vec<String> = table.keywords.iter().map(|k| k.get_ref().clone()).collect();
        let keywords = if explicit.is_empty() {
            derived_keywords(rule, &forms)?
        } else {
            explicit.clone()
        };
        // Two interleaved lanes of a DFA: about twice the speed of an `aho_corasick` search
        // over the whole file, which these words need (a dozen short ones have no prefilter).
        let trigger = match table.keywords.first() {
            None => None,
            Some(first) => Some(KeywordDfa::new(&explicit).ok_or_else(|| {
                rule.error(first.span(), "`keywords` are too many to search for together")
                    .with_help("list fewer or shorter keywords; each should name what the rule is about")
            })?),
        };
        Ok(Self {
            trigger_key: explicit.join("\u{1f}").to_lowercase(),
            keywords,
            trigger,
            forms,
        })
    }

    /// Prefilter words: the table's `keywords`, else the forms' names.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// Checks one `.rs` file.
    pub fn check(&self, cx: &FileContext<'_>, out: &mut Vec<Hit>) {
        let Some(text) = cx.text else { return };
        if !cx.entry.rel.ends_with(".rs") {
            return;
        }
        let gate = forms::Gate {
            text,
            trigger: self.trigger.as_ref(),
            trigger_key: &self.trigger_key,
            memo: &cx.cache.rust.names,
        };
        let start = out.len();
        let mut anchors = Vec::new();
        let mut syntax = Vec::new();
        for form in &self.forms {
            if form.token_level_may_match(text) {
                form.check_unsafe(cx.cache.rust.unsafe_sites(text), out);
            } else if let Some(mut found) = form.anchors(&gate) {
                anchors.append(&mut found);
                syntax.push(form);
            }
        }
        if !syntax.is_empty() {
            if let Some(index) = cx.cache.rust.index(cx, text, &anchors) {
                for form in syntax {
                    let from = out.len();
                    form.check(&index, out);
                    form.drop_exempt(text, from, out);
                }
            }
        }
        dedupe(out, start);
    }
}

/// Keeps the first hit per span from `start` on: a node that two forms of one rule match is
/// one finding.
fn dedupe(out: &mut Vec<Hit>, start: usize) {
    let tail: Vec<Hit> = out.drain(start..).collect();
    for hit in tail {
        if !out[start..].iter().any(|h| h.span == hit.span) {
            out.push(hit);
        }
    }
}

/// Keywords from the forms' names; an error when a form has none (a name-regex-only form
/// without `keywords` would parse every Rust file).
fn derived_keywords(rule: &Rule, forms: &[forms::Form]) -> Result<Vec<String>, LocatedError> {
    let mut words = Vec::new();
    for form in forms {
        let own = form.trigger_words();
        if own.is_empty() {
            return Err(rule.error(form.span(), "this form needs `keywords` in [rule.rust]")
                .with_help("list the words its names contain (e.g. keywords = [\"email\", \"phone\"]): without them every Rust file would be parsed"));
        }
        for w in own {
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    Ok(words)
}
