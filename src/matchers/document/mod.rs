//! `[rule.document]`: path queries over TOML, JSON, YAML and Dockerfile documents, with a test on
//! what they select (value regex, key regex, typed equality, membership, existence) and `when`
//! conditions on the same document. Findings point at the selected value or key.
//!
//! Each format parses into one positioned tree ([`tree`]), once per file for every document rule
//! ([`DocCache`] in the file cache). A file that does not parse is one note; text rules still run.

mod compile;
mod dockerfile;
mod json;
pub mod query;
mod toml;
pub mod tree;
mod yaml;

use std::collections::HashSet;
use std::ops::Range;

use crate::matchers::pattern::Pattern;
use query::{Query, Selected};
pub use tree::DocCache;
use tree::{Node, NodeKind, Scalar, ScalarKind};

use super::FileContext;
use crate::finding::Hit;
use crate::policy::raw::DocumentFormat;

/// Compiled `[rule.document]`.
#[derive(Debug)]
pub struct DocumentMatcher {
    queries: Vec<Query>,
    test: Test,
    allow: Vec<Pattern>,
    unless_in: Option<Query>,
    when: Vec<Condition>,
    keywords: Vec<String>,
    format: Option<DocumentFormat>,
}

/// A `when` condition: it holds when its test finds something (or, for `exists = false`, when
/// its queries select nothing in the document).
#[derive(Debug)]
struct Condition {
    queries: Vec<Query>,
    test: Test,
    /// `exists = false` beside a test: the condition holds when the test finds nothing.
    negate: bool,
}

#[derive(Debug)]
enum Test {
    Exists,
    Missing,
    Pattern(Pattern, Option<usize>),
    KeyPattern(Pattern),
    Equals(Expected),
    Contains(Vec<String>),
}

#[derive(Debug)]
enum Expected {
    Str(String),
    Bool(bool),
    Int(i64),
    Float(f64),
}

/// One thing a test found: where, and the text `allow` / `unless-in` look at.
struct Found {
    span: Range<usize>,
    subject: String,
    label: Option<String>,
}

impl DocumentMatcher {
    /// Literal words that must occur (case-insensitively) for the rule to run on a file.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// Every hit in every document of the file.
    pub fn check(&self, cx: &FileContext<'_>, out: &mut Vec<Hit>) {
        let Some(text) = cx.text else { return };
        let Some(format) = self.format.or_else(|| tree::detect(&cx.entry.rel)) else {
            return;
        };
        let docs = match cx.cache.document.get(format, text) {
            Ok(docs) => docs,
            Err(failure) => {
                if let Some(bound) = failure.bound {
                    cx.cache.bound_hit(bound);
                }
                cx.cache
                    .unparsed(tree::format_name(format), &failure.message, failure.span);
                return;
            }
        };
        let mut found = Vec::new();
        for doc in docs.iter() {
            let Some(anchor) = self.conditions_hold(doc, text) else {
                continue;
            };
            let before = found.len();
            self.find(doc, text, anchor, &mut found);
            self.filter(doc, &mut found, before);
        }
        found.sort_by_key(|f| (f.span.start, f.span.end));
        found.dedup_by_key(|f| f.span.clone());
        out.extend(found.into_iter().map(|f| Hit {
            span: f.span,
            label: f.label,
            ..Hit::default()
        }));
    }

    /// `Some(anchor)` when every condition holds; the anchor is the first condition's first
    /// hit, where a document-level `exists = false` finding is reported.
    fn conditions_hold(&self, doc: &Node, text: &str) -> Option<Option<Range<usize>>> {
        let mut anchor = None;
        for c in &self.when {
            let mut found = Vec::new();
            if let Test::Missing = c.test {
                if c.queries.iter().any(|q| !q.select(doc).is_empty()) {
                    return None;
                }
                continue;
            }
            for q in &c.queries {
                for sel in q.select(doc) {
                    c.test.apply(sel, text, &mut found);
                }
            }
            match (found.first(), c.negate) {
                (Some(_), true) | (None, false) => return None,
                (Some(first), false) => anchor = anchor.or_else(|| Some(first.span.clone())),
                (None, true) => {}
            }
        }
        Some(anchor)
    }

    fn find(&self, doc: &Node, text: &str, anchor: Option<Range<usize>>, out: &mut Vec<Found>) {
        for q in &self.queries {
            if let Test::Missing = self.test {
                missing(q, doc, text, anchor.clone(), out);
                continue;
            }
            for sel in q.select(doc) {
                self.test.apply(sel, text, out);
            }
        }
    }

    /// Drops `out[from..]` entries that `allow` or `unless-in` exempt.
    fn filter(&self, doc: &Node, out: &mut Vec<Found>, from: usize) {
        if out.len() == from {
            return;
        }
        let exempt: HashSet<&str> = self
            .unless_in
            .iter()
            .flat_map(|q| q.select(doc))
            .filter_map(|s| s.node.as_scalar().map(|s| s.text.as_str()))
            .collect();
        let fresh = out.split_off(from);
        out.extend(fresh.into_iter().filter(|f| {
            let subject = f.subject.as_str();
            let allowed = self
                .allow
                .iter()
                .any(|a| a.text().is_some_and(|re| re.is_match(subject)));
            !allowed && !exempt.contains(subject)
        }));
    }
}

/// `exists = false`: a finding under every parent where the last step selects nothing.
fn missing(q: &Query, doc: &Node, text: &str, anchor: Option<Range<usize>>, out: &mut Vec<Found>) {
    let label = q.last_key().map(|k| format!("no `{k}` here"));
    for (parent, found) in q.parents(doc) {
        if found {
            continue;
        }
        let span = match parent.key {
            Some(k) => k.span.clone(),
            None if std::ptr::eq(parent.node, doc) => anchor.clone().unwrap_or_else(|| first_line(text, doc)),
            None => parent.node.span.clone(),
        };
        out.push(Found {
            span,
            subject: parent.key.map(|k| k.text.clone()).unwrap_or_default(),
            label: label.clone(),
        });
    }
}

fn first_line(text: &str, doc: &Node) -> Range<usize> {
    let start = doc.span.start.min(text.len());
    let len = text[start..].find('\n').unwrap_or(text.len() - start);
    tree::trim_span(text, start..start + len)
}

impl Test {
    fn apply(&self, sel: Selected<'_>, text: &str, out: &mut Vec<Found>) {
        let node = sel.node;
        let found = |span: Range<usize>, subject: &str| Found {
            span,
            subject: subject.to_string(),
            label: None,
        };
        match self {
            Test::Exists => match (sel.key, node.as_scalar()) {
                (Some(k), _) => out.push(found(k.span.clone(), &k.text)),
                (None, s) => out.push(found(node.span.clone(), s.map_or("", |s| &s.text))),
            },
            Test::Missing => {}
            Test::Pattern(re, group) => {
                let (Some(s), Some(re)) = (node.as_scalar(), re.text()) else {
                    return;
                };
                let mut cursor = node.span.start;
                for caps in re.captures_iter(&s.text) {
                    let Some(m) = caps.get(group.unwrap_or(0)).or_else(|| caps.get(0)) else {
                        continue;
                    };
                    let span = locate(text, node, s, m.range(), &mut cursor);
                    out.push(found(span, &s.text));
                }
            }
            Test::KeyPattern(re) => {
                if let (Some(k), Some(re)) = (sel.key, re.text()) {
                    if re.is_match(&k.text) {
                        out.push(found(k.span.clone(), &k.text));
                    }
                }
            }
            Test::Equals(e) => {
                if let Some(s) = node.as_scalar().filter(|s| e.matches(s)) {
                    out.push(found(node.span.clone(), &s.text));
                }
            }
            Test::Contains(values) => contains(values, node, out),
        }
    }
}

/// Scalar equal to a value, sequence items equal to one, mapping keys equal to one.
fn contains(values: &[String], node: &Node, out: &mut Vec<Found>) {
    let hit = |t: &str| values.iter().any(|v| v == t);
    let found = |span: &Range<usize>, t: &str| Found {
        span: span.clone(),
        subject: t.to_string(),
        label: None,
    };
    match &node.kind {
        NodeKind::Scalar(s) if hit(&s.text) => out.push(found(&node.span, &s.text)),
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => out.extend(items.iter().filter_map(|i| {
            i.as_scalar()
                .filter(|s| hit(&s.text))
                .map(|s| found(&i.span, &s.text))
        })),
        NodeKind::Map(pairs) => out.extend(
            pairs
                .iter()
                .filter(|p| hit(&p.key.text))
                .map(|p| found(&p.key.span, &p.key.text)),
        ),
    }
}

impl Expected {
    fn matches(&self, s: &Scalar) -> bool {
        match (self, s.kind) {
            (Expected::Str(v), _) => s.text == *v,
            (Expected::Bool(b), ScalarKind::Bool(x)) => *b == x,
            (Expected::Int(i), ScalarKind::Int(x)) => *i == x,
            (Expected::Int(i), ScalarKind::Float(x)) => (*i as f64) == x,
            (Expected::Float(f), ScalarKind::Float(x)) => *f == x,
            (Expected::Float(f), ScalarKind::Int(x)) => *f == x as f64,
            _ => false,
        }
    }
}

/// Where a match inside a scalar's decoded text is in the file: exact through the scalar's
/// pieces, or by finding the matched text verbatim in the scalar's source (quotes, indentation
/// and escapes around it do not matter); the whole value when it cannot be found.
fn locate(text: &str, node: &Node, s: &Scalar, m: Range<usize>, cursor: &mut usize) -> Range<usize> {
    if m.is_empty() {
        return node.span.clone();
    }
    if !s.pieces.is_empty() {
        let map = |at: usize| {
            s.pieces
                .iter()
                .rev()
                .find(|(t, _)| *t <= at)
                .map_or(node.span.start + at, |(t, src)| src + (at - t))
        };
        let last = s.text[m.clone()].chars().next_back().map_or(1, char::len_utf8);
        return map(m.start)..map(m.end - last) + last;
    }
    let needle = &s.text[m];
    let end = node.span.end.min(text.len());
    let from = (*cursor).clamp(node.span.start, end);
    match text.get(from..end).and_then(|hay| hay.find(needle)) {
        Some(i) => {
            let start = from + i;
            *cursor = start + needle.len();
            start..start + needle.len()
        }
        None => node.span.clone(),
    }
}

#[cfg(test)]
mod tests;
