//! Fixes a rule declares (`[rule.fix]`): literal replacements made inside a finding's span,
//! offered by the language server as a quick fix and checked by `guardrail test` against the
//! examples' `fixed` text.
//!
//! A replacement is literal text from the policy (no capture references), so a fix never
//! copies what it matched — a secret cannot travel into an edit.

use std::ops::Range;
use std::sync::Arc;

use regex::Regex;
use toml::Spanned;

use crate::error::{LocatedError, LocatedKind, SourceText};
use crate::finding::Location;
use crate::policy::raw::RawFix;

/// A compiled `[rule.fix]`.
#[derive(Debug, Clone)]
pub struct Fix {
    /// What the editor offers ("Turn certificate verification back on").
    pub title: String,
    replacements: Vec<Replacement>,
}

#[derive(Debug, Clone)]
struct Replacement {
    find: Regex,
    with: String,
}

/// One edit: replace the bytes `range` of the file with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in the file.
    pub range: Range<usize>,
    /// New text.
    pub replacement: String,
}

impl Fix {
    /// Validates `[rule.fix]`; errors point into the policy.
    pub fn compile(source: &Arc<SourceText>, raw: &Spanned<RawFix>) -> Result<Self, LocatedError> {
        let table = raw.get_ref();
        if table.replace.is_empty() {
            return Err(LocatedError::new(
                LocatedKind::Policy,
                source,
                raw.span(),
                "`[rule.fix]` has no replacement",
            )
            .with_help("add [[rule.fix.replace]] with `find` (a regex) and `with` (the new text)"));
        }
        let mut replacements = Vec::new();
        for r in &table.replace {
            let find = Regex::new(r.find.get_ref()).map_err(|e| {
                LocatedError::new(
                    LocatedKind::Policy,
                    source,
                    r.find.span(),
                    "invalid `find` pattern",
                )
                .with_label(
                    e.to_string()
                        .lines()
                        .last()
                        .unwrap_or("invalid")
                        .trim()
                        .to_string(),
                )
            })?;
            if find.is_match("") {
                return Err(LocatedError::new(
                    LocatedKind::Policy,
                    source,
                    r.find.span(),
                    "`find` matches the empty string",
                )
                .with_help("a fix must replace some text: make the pattern match at least one character"));
            }
            replacements.push(Replacement {
                find,
                with: r.with.clone(),
            });
        }
        Ok(Self {
            title: table
                .title
                .clone()
                .unwrap_or_else(|| "Apply the rule's fix".to_string()),
            replacements,
        })
    }

    /// The edit for a finding at bytes `span` of `text`: the first replacement whose `find`
    /// matches inside the span, at its first match. `None` when none applies.
    pub fn edit(&self, text: &str, span: Range<usize>) -> Option<Edit> {
        let inside = text.get(span.clone())?;
        self.replacements.iter().find_map(|r| {
            let m = r.find.find(inside)?;
            Some(Edit {
                range: span.start + m.start()..span.start + m.end(),
                replacement: r.with.clone(),
            })
        })
    }
}

/// The byte range of a finding's location in `text` (columns count characters).
pub fn byte_range(text: &str, loc: &Location) -> Option<Range<usize>> {
    let start = byte_offset(text, loc.line, loc.column)?;
    let end = byte_offset(text, loc.end_line, loc.end_column)?;
    (start <= end).then_some(start..end)
}

fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', text.as_bytes()).nth(line - 2)? + 1
    };
    let rest = text.get(line_start..)?;
    let within: usize = rest
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    Some(line_start + within)
}

/// `text` with `edits` made (non-overlapping; any order).
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.range.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        if e.range.start < at || e.range.end > text.len() {
            continue;
        }
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.replacement);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(toml_text: &str) -> Result<Fix, LocatedError> {
        #[derive(serde::Deserialize)]
        struct Doc {
            fix: Spanned<RawFix>,
        }
        let doc: Doc = toml::from_str(toml_text).expect("toml");
        let source = SourceText::new("policy.toml", toml_text);
        Fix::compile(&source, &doc.fix)
    }

    #[test]
    fn the_first_replacement_that_matches_inside_the_span_wins() {
        let f = fix("[fix]\ntitle = \"t\"\n[[fix.replace]]\nfind = 'CERT_NONE'\nwith = \"CERT_REQUIRED\"\n[[fix.replace]]\nfind = '\\bFalse\\b'\nwith = \"True\"\n").unwrap();
        let text = "x = get(u, verify=False)\nFalse\n";
        let span = 11..23;
        let edit = f.edit(text, span).unwrap();
        assert_eq!(edit.range, 18..23);
        assert_eq!(apply(text, &[edit]), "x = get(u, verify=True)\nFalse\n");
        assert_eq!(f.edit(text, 0..10), None);
        let edit = f.edit("m = ssl.CERT_NONE", 4..17).unwrap();
        assert_eq!(apply("m = ssl.CERT_NONE", &[edit]), "m = ssl.CERT_REQUIRED");
    }

    #[test]
    fn bad_fixes_are_located_errors() {
        let e = fix("[fix]\n[[fix.replace]]\nfind = '('\nwith = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("invalid `find` pattern"), "{e}");
        let e = fix("[fix]\n[[fix.replace]]\nfind = 'a*'\nwith = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("empty string"), "{e}");
        let e = fix("[fix]\nreplace = []\n").unwrap_err();
        assert!(e.to_string().contains("no replacement"), "{e}");
    }

    #[test]
    fn locations_become_byte_ranges_counting_characters() {
        let text = "é = 1\nab é cd\n";
        let loc = Location {
            line: 2,
            column: 4,
            end_line: 2,
            end_column: 5,
        };
        assert_eq!(&text[byte_range(text, &loc).unwrap()], "é");
        let past = Location {
            line: 9,
            column: 1,
            end_line: 9,
            end_column: 1,
        };
        assert_eq!(byte_range(text, &past), None);
    }
}
