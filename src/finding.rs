//! A finding: a rule, a place, a redacted snippet and a content-bound fingerprint.
//!
//! Matchers report byte spans plus the byte range of any secret. This module turns them into
//! findings and is the only place that sees both the secret and the text shown to users, so
//! redaction happens here, once, before any report can see the finding.

use std::ops::Range;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::policy::{Category, Rule, Severity};

/// 1-based start and exclusive end position; columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// First line, 1-based.
    pub line: usize,
    /// First column, 1-based, in characters.
    pub column: usize,
    /// Last line, 1-based.
    pub end_line: usize,
    /// Column just after the match, 1-based, in characters.
    pub end_column: usize,
}

impl Location {
    /// Line 1, column 1: where path and require findings point.
    pub const FILE: Location = Location {
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
    };
}

/// The source lines around a finding, already redacted, for human output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// Line number of the first line of `text`.
    pub first_line: usize,
    /// Whole lines, redacted.
    pub text: String,
    /// What to underline, as a byte range in `text`.
    pub span: Range<usize>,
}

/// How a finding was suppressed, kept for the audit trail (SARIF `suppressions`, counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Suppression {
    /// A `guardrail:ignore` comment; the reason, if one was given.
    Inline {
        /// Text after `--`.
        reason: Option<String>,
        /// 1-based line of the comment (whose git blame says who suppressed it, and when).
        line: usize,
    },
    /// An entry of the baseline file.
    Baseline,
}

/// One violation of one rule at one place.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Full rule id.
    pub rule: String,
    /// The rule's category.
    pub category: Category,
    /// Effective severity.
    pub severity: Severity,
    /// The rule message, or a matcher's more specific one.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Display path, `/`-separated.
    pub path: String,
    /// Identity path: relative to the repository root (see [`crate::paths`]); the fingerprint
    /// hashes it, so it does not depend on the working directory.
    pub repo_path: String,
    /// Where it is.
    pub location: Location,
    /// Content-bound identity: rule, repository path, hashed matched text and occurrence index.
    pub fingerprint: String,
    /// Index among the file's findings of the same rule and content (file order); `None` for
    /// notes made after the scan. Kept so a fingerprint can be recomputed for another path.
    pub occurrence: Option<usize>,
    /// Redacted source context (absent for path rules and binary files).
    pub snippet: Option<Snippet>,
    /// Label under the underline.
    pub label: Option<String>,
    /// Hash of the matched content (no secret in it); the fingerprint's input.
    pub content_hash: String,
    /// Set by the suppress stage.
    pub suppressed: Option<Suppression>,
    /// Where the file sits (test, docs, generated, ...): what decided the severity.
    pub context: crate::context::Context,
}

/// What a matcher reports: byte spans into the file text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hit {
    /// Bytes to underline (empty at 0: the whole file, line 1).
    pub span: Range<usize>,
    /// Bytes that hold a secret, to redact.
    pub secret: Option<Range<usize>>,
    /// A message more specific than the rule's.
    pub message: Option<String>,
    /// Label under the underline.
    pub label: Option<String>,
    /// Text the fingerprint is bound to, when it is not the span's text.
    pub identity: Option<String>,
}

impl Hit {
    /// A hit at line 1 of a file (path and require rules).
    pub fn file() -> Self {
        Self::default()
    }

    /// A hit on a byte range.
    pub fn span(span: Range<usize>) -> Self {
        Self {
            span,
            ..Self::default()
        }
    }
}

/// Byte offsets of line starts, built once per file that has findings.
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self { starts }
    }

    /// 0-based line of byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte range of 0-based `line`, without its newline.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.starts[line];
        let mut end = self.starts.get(line + 1).map_or(text.len(), |&s| s - 1);
        if end > start && text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        start..end.max(start)
    }

    /// 1-based line and character column of byte `offset`.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.starts[line];
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

/// Replaces a secret with a short prefix and `****`: 4 characters of a 32+ character token,
/// fewer for short secrets (a password of 8 keeps 1), none under 8.
pub fn mask(secret: &str) -> String {
    let len = secret.chars().count();
    let keep = (len / 8).min(4);
    let prefix: String = secret.chars().take(keep).collect();
    format!("{prefix}****")
}

/// Builds findings for one file from a rule's hits; `text` is `None` for files not read.
pub struct FindingBuilder<'a> {
    /// Display path.
    pub path: &'a str,
    /// The file's text, when it was read.
    pub text: Option<&'a str>,
    index: Option<LineIndex>,
}

impl<'a> FindingBuilder<'a> {
    /// A builder for one file.
    pub fn new(path: &'a str, text: Option<&'a str>) -> Self {
        Self {
            path,
            text,
            index: None,
        }
    }

    /// Turns one hit into a finding (fingerprint occurrence is fixed later by [`assign_fingerprints`]).
    pub fn build(&mut self, rule: &Rule, hit: &Hit) -> Finding {
        let mut f = self.build_meta(&rule.id, rule.severity, &rule.message, hit);
        f.category = rule.category;
        f.help = rule.help.clone();
        f
    }

    /// A finding of one of guardrail's own meta rules (see [`crate::meta`]).
    pub fn build_meta(&mut self, rule: &str, severity: Severity, message: &str, hit: &Hit) -> Finding {
        let (location, snippet, content) = match self.text {
            Some(text) if !hit.span.is_empty() || hit.span.start > 0 => {
                let index = self.index.get_or_insert_with(|| LineIndex::new(text));
                let location = locate(index, text, &hit.span);
                let snippet = snippet(index, text, &hit.span, hit.secret.as_ref());
                let content = hit
                    .identity
                    .clone()
                    .unwrap_or_else(|| text.get(hit.span.clone()).unwrap_or("").to_string());
                (location, Some(snippet), content)
            }
            _ => (Location::FILE, None, hit.identity.clone().unwrap_or_default()),
        };
        Finding {
            rule: rule.to_string(),
            category: Category::Security,
            severity,
            message: hit.message.clone().unwrap_or_else(|| message.to_string()),
            help: crate::meta::find(rule).map(|m| m.help.to_string()),
            path: self.path.to_string(),
            repo_path: self.path.to_string(),
            location,
            fingerprint: String::new(),
            occurrence: None,
            snippet,
            label: hit.label.clone(),
            content_hash: hex_sha256(content.trim().as_bytes()),
            suppressed: None,
            context: crate::context::Context::Source,
        }
    }
}

fn locate(index: &LineIndex, text: &str, span: &Range<usize>) -> Location {
    let (line, column) = index.position(text, span.start);
    let (end_line, end_column) = index.position(text, span.end.max(span.start));
    Location {
        line,
        column,
        end_line,
        end_column,
    }
}

/// The whole lines containing `span`, with `secret` masked; the span is re-based on the result.
fn snippet(index: &LineIndex, text: &str, span: &Range<usize>, secret: Option<&Range<usize>>) -> Snippet {
    let first = index.line_of(span.start);
    let last = index.line_of(span.end.saturating_sub(1).max(span.start));
    let start = index.line_range(text, first).start;
    let end = index.line_range(text, last).end.max(span.end.min(text.len()));
    let mut out = String::with_capacity(end - start);
    let (mut new_start, mut new_end) = (span.start - start, span.end.min(end) - start);
    match secret.filter(|s| s.start >= start && s.end <= end && s.start < s.end) {
        Some(sec) => {
            let masked = mask(&text[sec.clone()]);
            out.push_str(&text[start..sec.start]);
            out.push_str(&masked);
            out.push_str(&text[sec.end..end]);
            let shift = |p: usize| -> usize {
                let abs = p + start;
                if abs <= sec.start {
                    p
                } else if abs >= sec.end {
                    p + masked.len() - (sec.end - sec.start)
                } else {
                    sec.start - start + masked.len()
                }
            };
            new_start = shift(new_start);
            new_end = shift(new_end);
        }
        None => out.push_str(&text[start..end]),
    }
    Snippet {
        first_line: first + 1,
        text: out,
        span: new_start..new_end.max(new_start),
    }
}

/// Lowercase hex SHA-256.
pub fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sets each finding's occurrence index and fingerprint from rule, repository path
/// ([`Finding::repo_path`]) and content hash. Findings must be sorted by position first, so
/// occurrence indices follow file order.
pub fn assign_fingerprints(findings: &mut [Finding]) {
    let mut seen: std::collections::HashMap<(String, String, String), usize> = Default::default();
    for f in findings.iter_mut() {
        let key = (f.rule.clone(), f.repo_path.clone(), f.content_hash.clone());
        let n = seen.entry(key).or_insert(0);
        f.occurrence = Some(*n);
        f.fingerprint = fingerprint_of(&f.rule, &f.repo_path, &f.content_hash, Some(*n));
        *n += 1;
    }
}

/// Fingerprints findings created after the scan (notes about suppressions), leaving others.
pub fn assign_fingerprints_missing(findings: &mut [Finding]) {
    for f in findings.iter_mut().filter(|f| f.fingerprint.is_empty()) {
        f.fingerprint = fingerprint_of(&f.rule, &f.repo_path, &f.content_hash, None);
    }
}

/// The fingerprint formula: rule, repository path, content hash and (for scanned findings) the
/// occurrence index among equal contents in the file. Version-1 baselines recompute it for the
/// path they stored.
pub fn fingerprint_of(rule: &str, path: &str, content_hash: &str, occurrence: Option<usize>) -> String {
    let input = match occurrence {
        Some(n) => format!("{rule}\0{path}\0{content_hash}\0{n}"),
        None => format!("{rule}\0{path}\0{content_hash}"),
    };
    hex_sha256(input.as_bytes())[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keeps_a_short_prefix() {
        assert_eq!(
            mask(concat!("ghp_", "0123456789abcdef", "0123456789abcdef0123")),
            "ghp_****"
        );
        assert_eq!(mask("hunter22"), "h****");
        assert_eq!(mask("short"), "****");
    }

    #[test]
    fn positions_count_characters() {
        let text = "ab\né€x = 1\n";
        let index = LineIndex::new(text);
        let off = text.find('x').unwrap();
        assert_eq!(index.position(text, off), (2, 3));
    }

    #[test]
    fn snippet_masks_and_rebases_the_span() {
        let text = "a\nkey = \"SECRETSECRETSECRET\" # x\n";
        let index = LineIndex::new(text);
        let s = text.find('"').unwrap();
        let span = s..s + 20;
        let secret = s + 1..s + 19;
        let snip = snippet(&index, text, &span, Some(&secret));
        assert_eq!(snip.first_line, 2);
        assert_eq!(snip.text, "key = \"SE****\" # x");
        assert_eq!(&snip.text[snip.span.clone()], "\"SE****\"");
    }
}
