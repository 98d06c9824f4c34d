//! The rules over a file's decoded segments: the scan stage calls this after the plain text,
//! and gets hits placed on the encoded segment of the file, each with a note saying how it was
//! decoded.
//!
//! Only text rules that look for leaked content run on decoded text: regex rules that apply to
//! history (secrets, private keys, personal-data literals; `history = true` adds a rule). A hit
//! is bound to the decoded match (its fingerprint hashes that text, never the secret itself),
//! and the whole encoded segment is redacted, since it spells the secret too.

use std::ops::Range;

use super::{note, segments, Budget, DecodeLimits, Encoding, BOUND_DEPTH};
use crate::finding::Hit;
use crate::matchers::{FileCache, FileContext, Matcher};
use crate::plan::Plan;

/// What decoding one file gave.
#[derive(Debug, Default)]
pub struct Decoded {
    /// Hits of rule index, placed on the encoded segments of the file.
    pub hits: Vec<(usize, Hit)>,
    /// Bounds hit.
    pub bounds: Vec<&'static str>,
    /// Panics caught while matching, as "rule: message".
    pub panics: Vec<String>,
}

/// The rules of `plan` that read decoded text of a file at `rel`, among those `selected`.
pub fn eligible(plan: &Plan, rel: &str, selected: impl Fn(usize) -> bool) -> Vec<usize> {
    (0..plan.rules.len())
        .filter(|&i| {
            matches!(plan.matcher(i), Matcher::Regex(_))
                && plan.rules[i].runs_on_history()
                && plan.in_scope(i, rel)
                && selected(i)
        })
        .collect()
}

/// Runs the eligible rules among those `selected` over every decoded segment of the file `cx`
/// holds. Most files have no segment, so the rules are looked at only when one is found.
pub fn decoded(
    plan: &Plan,
    cx: &FileContext<'_>,
    selected: impl Fn(usize) -> bool,
    limits: &DecodeLimits,
) -> Decoded {
    let mut out = Decoded::default();
    let Some(text) = cx.text.filter(|_| limits.max_depth > 0) else {
        return out;
    };
    let mut budget = Budget::new(limits);
    let found = segments(text, &mut budget);
    let rules = if found.is_empty() {
        Vec::new()
    } else {
        eligible(plan, &cx.entry.rel, selected)
    };
    if !rules.is_empty() {
        let walker = Walker {
            plan,
            cx,
            rules: &rules,
            limits,
        };
        walker.walk(found, None, &mut Vec::new(), &mut budget, &mut out);
    }
    out.bounds = budget.hit;
    out
}

struct Walker<'a, 'b> {
    plan: &'a Plan,
    cx: &'a FileContext<'b>,
    rules: &'a [usize],
    limits: &'a DecodeLimits,
}

impl Walker<'_, '_> {
    /// Matches decoded `found` segments and decodes inside them; `outer` is the file span of
    /// the outermost segment.
    fn walk(
        &self,
        found: Vec<super::Segment>,
        outer: Option<&Range<usize>>,
        chain: &mut Vec<Encoding>,
        budget: &mut Budget,
        out: &mut Decoded,
    ) {
        for seg in found {
            let span = outer.cloned().unwrap_or_else(|| seg.span.clone());
            chain.push(seg.encoding);
            self.match_rules(&seg.text, &span, chain, out);
            if chain.len() < self.limits.max_depth {
                let inner = segments(&seg.text, budget);
                self.walk(inner, Some(&span), chain, budget, out);
            } else if !segments(&seg.text, &mut Budget::new(self.limits)).is_empty() {
                budget.hit(BOUND_DEPTH);
            }
            chain.pop();
        }
    }

    /// The eligible rules whose keywords occur in `decoded`, with hits moved to `span`.
    fn match_rules(&self, decoded: &str, span: &Range<usize>, chain: &[Encoding], out: &mut Decoded) {
        let cache = FileCache::default();
        let cx = FileContext {
            run: self.cx.run,
            entry: self.cx.entry,
            text: Some(decoded),
            files: self.cx.files,
            cache: &cache,
        };
        let note = note(chain);
        for i in self.plan.candidates(&self.cx.entry.rel, Some(decoded)) {
            if !self.rules.contains(&i) {
                continue;
            }
            match crate::scan::run_rule(self.plan, i, &cx) {
                Ok(hits) => out
                    .hits
                    .extend(hits.into_iter().map(|h| (i, placed(h, decoded, span, &note)))),
                Err(msg) => out.panics.push(format!("{}: {msg}", self.plan.rules[i].id)),
            }
        }
    }
}

/// A hit on decoded text, moved to the encoded segment at `span` of the file.
fn placed(hit: Hit, decoded: &str, span: &Range<usize>, note: &str) -> Hit {
    let identity = hit
        .identity
        .unwrap_or_else(|| decoded.get(hit.span.clone()).unwrap_or_default().to_string());
    let label = match hit.label {
        Some(l) => format!("{l} ({note})"),
        None => note.to_string(),
    };
    Hit {
        span: span.clone(),
        secret: Some(span.clone()),
        message: hit.message,
        label: Some(label),
        identity: Some(identity),
    }
}
