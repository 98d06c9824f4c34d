//! `[rule.regex]`: text in files, with a keyword prefilter, a redacted secret group, an entropy
//! floor, an allow-list and checksum validators.
//!
//! Patterns compile byte-oriented and ASCII by default (`unicode = true` opts out): every token
//! format is ASCII and Unicode-aware classes cost ~30x on real code. The full regex is built
//! lazily, the first time a file's keywords call for it, so a one-file pre-commit run compiles
//! only what that file needs; syntax is checked up front so a broken pattern still fails at load.

use std::ops::Range;

use super::pattern::{Flavor, Pattern};
use super::validators::Validator;
use super::FileContext;
use crate::error::LocatedError;
use crate::finding::Hit;
use crate::policy::raw::RegexTable;
use crate::policy::Rule;

/// Compiled `[rule.regex]`.
#[derive(Debug)]
pub struct RegexMatcher {
    pattern: Pattern,
    allow: Vec<Pattern>,
    keywords: Vec<String>,
    secret: Option<usize>,
    group: Option<usize>,
    min_entropy: Option<f64>,
    validators: Vec<Validator>,
    code_only: bool,
}

impl RegexMatcher {
    /// Validates the table; builds the regexes now when `eager`, else on first use.
    pub fn compile(rule: &Rule, table: &RegexTable, eager: bool) -> Result<Self, LocatedError> {
        let flavor = Flavor::Bytes {
            unicode: table.unicode,
        };
        let allow = rule
            .pack_allow
            .iter()
            .chain(&table.allow)
            .map(|a| Pattern::compile(rule, a, flavor, eager))
            .collect::<Result<Vec<_>, _>>()?;
        let pattern = Pattern::compile(rule, &table.pattern, flavor, eager)?;
        // Unchecked (built-in, lazy) patterns have their groups checked by the pack tests.
        let captures = pattern.captures().unwrap_or(usize::MAX);
        for group in [&table.secret, &table.group].into_iter().flatten() {
            if *group.get_ref() > captures {
                return Err(rule
                    .error(group.span(), "no such capture group")
                    .with_help(format!(
                        "the pattern has {captures} capture group(s); groups are numbered from 1"
                    )));
            }
        }
        let validators = table
            .validate
            .iter()
            .map(|v| {
                Validator::parse(v.get_ref()).ok_or_else(|| {
                    rule.error(v.span(), "unknown validator")
                        .with_help(format!("known validators: {}", Validator::NAMES.join(", ")))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            pattern,
            allow,
            keywords: table.keywords.iter().map(|k| k.get_ref().clone()).collect(),
            secret: table.secret.as_ref().map(|s| *s.get_ref()),
            group: table.group.as_ref().map(|s| *s.get_ref()),
            min_entropy: table.min_entropy.as_ref().map(|s| *s.get_ref()),
            validators,
            code_only: table.code_only,
        })
    }

    /// Literal words that must occur (case-insensitively) for the rule to run on a file.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// Every reportable match in the file's text.
    pub fn check(&self, cx: &FileContext<'_>, out: &mut Vec<Hit>) {
        let (Some(text), Some(regex)) = (cx.text, self.pattern.bytes()) else {
            return;
        };
        let bytes = text.as_bytes();
        let mut prose: Option<Vec<Range<usize>>> = None;
        for caps in regex.captures_iter(bytes) {
            let Some(whole) = caps.get(0) else { continue };
            if self.code_only {
                let at = caps
                    .get(self.group.unwrap_or(0))
                    .map_or(whole.start(), |m| m.start());
                let prose = prose.get_or_insert_with(|| super::prose::ranges(&cx.entry.rel, text));
                if super::prose::contains(prose, at) {
                    continue;
                }
            }
            let group_range = |g: Option<usize>| g.and_then(|i| caps.get(i)).map(|m| m.range());
            let secret = group_range(self.secret);
            let reported = group_range(self.group)
                .or_else(|| secret.clone())
                .unwrap_or(whole.range());
            if self.rejects(bytes, whole.range(), &reported) {
                continue;
            }
            let span = align(text, group_range(self.group).unwrap_or(whole.range()));
            let secret = secret.map(|s| trim_breaks(text.as_bytes(), &align(text, s)));
            // A secret's match stays on its line; a rule without a secret group may span lines
            // on purpose.
            let span = match &secret {
                Some(sec) => one_line(text.as_bytes(), span, Some(sec)),
                None => span,
            };
            out.push(Hit {
                span,
                secret,
                ..Hit::default()
            });
        }
    }

    /// True when the allow-list, the entropy floor or a validator discards the match.
    fn rejects(&self, bytes: &[u8], whole: Range<usize>, reported: &Range<usize>) -> bool {
        let value = &bytes[reported.clone()];
        let allowed = |a: &Pattern| {
            a.bytes()
                .is_some_and(|re| re.is_match(&bytes[whole.clone()]) || re.is_match(value))
        };
        if self.allow.iter().any(allowed) {
            return true;
        }
        if self.min_entropy.is_some_and(|min| entropy(value) < min) {
            return true;
        }
        let text = String::from_utf8_lossy(value);
        self.validators.iter().any(|v| !v.check(&text))
    }
}

/// Byte-oriented patterns can match inside a multi-byte character: widen to char boundaries.
fn align(text: &str, r: Range<usize>) -> Range<usize> {
    let mut start = r.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = r.end.min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// A secret match's span kept on one line (issue 13): line breaks a pattern's `\s` took at
/// either end are dropped, and a match that still spans lines (a key on one line, its value on
/// the next) is cut to the line holding the secret, or to its first line. Only a block around a
/// secret (a PEM key: header, body lines, footer) keeps its lines.
fn one_line(b: &[u8], span: Range<usize>, secret: Option<&Range<usize>>) -> Range<usize> {
    let trim = |r: &Range<usize>| trim_breaks(b, r);
    let span = trim(&span);
    if !b[span.clone()].contains(&b'\n') {
        return span;
    }
    let anchor = match secret.map(trim) {
        Some(sec) if b[sec.clone()].contains(&b'\n') => return span,
        Some(sec) if sec.start >= span.start && sec.start < span.end => sec.start,
        _ => span.start,
    };
    let line_start = b[..anchor].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
    let mut line_end = b[anchor..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |i| anchor + i);
    if span.start < line_start && span.end > line_end {
        // Lines on both sides of the secret's: a block around it (a PEM key with a one-line
        // body), reported whole like a key whose body spans lines.
        return span;
    }
    if line_end > line_start && b[line_end - 1] == b'\r' {
        line_end -= 1;
    }
    let mut start = span.start.max(line_start);
    // The part of the match on the secret's line starts at its first visible character.
    if start > span.start {
        while start < anchor && (b[start] == b' ' || b[start] == b'\t') {
            start += 1;
        }
    }
    start..span.end.min(line_end).max(start)
}

/// `r` without the line breaks at its ends (a secret group that took a trailing newline would
/// reach past the snippet's lines, which must hold all of it to mask it).
fn trim_breaks(b: &[u8], r: &Range<usize>) -> Range<usize> {
    let is_break = |c: u8| c == b'\r' || c == b'\n';
    let (mut s, mut e) = (r.start.min(b.len()), r.end.min(b.len()));
    while s < e && is_break(b[s]) {
        s += 1;
    }
    while e > s && is_break(b[e - 1]) {
        e -= 1;
    }
    s..e
}

/// Shannon entropy in bits per byte.
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_and_random() {
        assert_eq!(entropy(b"aaaaaaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(entropy(b"q8Zr2LmX0vT9wKp4") > 3.5);
    }

    #[test]
    fn spans_stay_on_one_line() {
        let text = b"key =\nSECRETVALUE\nnext";
        // A key on one line, the secret on the next: the span is cut to the secret's line.
        assert_eq!(one_line(text, 0..17, Some(&(6..17))), 6..17);
        assert_eq!(one_line(b"k:\n  VALUE", 0..10, Some(&(5..10))), 5..10);
        // A trailing `\s` that took the line break: dropped.
        assert_eq!(one_line(text, 6..18, Some(&(6..17))), 6..17);
        // No secret group: the first line.
        assert_eq!(one_line(b"a b\r\nc", 0..6, None), 0..3);
        // A secret spanning lines (a key block) keeps them, and so does a block around a
        // one-line secret.
        assert_eq!(one_line(b"BEGIN\nAAA\nBBB\nEND", 0..17, Some(&(5..13))), 0..17);
        assert_eq!(one_line(b"BEGIN\nAAA\nEND", 0..13, Some(&(6..9))), 0..13);
    }

    #[test]
    fn align_widens_to_char_boundaries() {
        let t = "é1";
        assert_eq!(align(t, 1..3), 0..3);
    }
}
