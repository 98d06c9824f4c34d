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
        for caps in regex.captures_iter(bytes) {
            let Some(whole) = caps.get(0) else { continue };
            let group_range = |g: Option<usize>| g.and_then(|i| caps.get(i)).map(|m| m.range());
            let secret = group_range(self.secret);
            let reported = group_range(self.group)
                .or_else(|| secret.clone())
                .unwrap_or(whole.range());
            if self.rejects(bytes, whole.range(), &reported) {
                continue;
            }
            let span = group_range(self.group).unwrap_or(whole.range());
            out.push(Hit {
                span: align(text, span),
                secret: secret.map(|s| align(text, s)),
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
    fn align_widens_to_char_boundaries() {
        let t = "é1";
        assert_eq!(align(t, 1..3), 0..3);
    }
}
