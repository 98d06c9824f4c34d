//! Parses `guardrail:ignore [rule-id ...] [-- reason]` comments, in any comment syntax.
//!
//! The directive must follow a comment marker (`//`, `#`, `--`, `/*`, `<!--`, `;`, `%`, `*`),
//! so prose and string literals that merely mention it do not count. A directive alone on its
//! line covers the next line too; a trailing one covers only its own line.

use std::sync::OnceLock;

use regex::Regex;

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// 1-based line of the comment.
    pub line: usize,
    /// 1-based column where `guardrail:ignore` starts.
    pub column: usize,
    /// Column after the directive text.
    pub end_column: usize,
    /// Rule ids (full or short); empty means every rule.
    pub rules: Vec<String>,
    /// Text after `--`, trimmed; `None` when absent or empty.
    pub reason: Option<String>,
    /// True when the comment stands alone on its line, so it also covers the next line.
    pub covers_next_line: bool,
}

impl Directive {
    /// Whether the directive names `rule` (full id or the part after the pack).
    pub fn names(&self, rule: &str) -> bool {
        let short = rule.split_once('/').map_or(rule, |(_, s)| s);
        self.rules.is_empty() || self.rules.iter().any(|r| r == rule || r == short)
    }

    /// Whether it applies to a finding starting on `line`.
    pub fn covers(&self, line: usize) -> bool {
        line == self.line || (self.covers_next_line && line == self.line + 1)
    }
}

const NEEDLE: &str = "guardrail:ignore";

fn directive_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?://+!?|#+|--|/\*+|<!--|;+|%+|\*|\{-|\(\*)[ \t]*(guardrail:ignore)(?:[ \t]+([A-Za-z0-9/_,\- \t]*?))?[ \t]*(?:--[ \t]*(.*?))?[ \t]*(?:\*/|-->|-\}|\*\))?[ \t]*$")
            .expect("static regex")
    })
}

/// Every directive in `text`. Cheap when there is none: one substring search.
pub fn parse(text: &str) -> Vec<Directive> {
    if memchr::memmem::find(text.as_bytes(), NEEDLE.as_bytes()).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut open = Open::Code;
    for (i, line) in text.lines().enumerate() {
        let at_start = open;
        open = quotes(line, at_start, usize::MAX).1;
        if !line.contains(NEEDLE) {
            continue;
        }
        let Some(caps) = directive_regex().captures(line) else {
            continue;
        };
        let (Some(whole), Some(word)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        // Only a comment may suppress: a directive quoted inside a string literal (or a
        // Markdown code span) is data, and would let a changed string switch a rule off.
        if quotes(line, at_start, whole.start()).0 {
            continue;
        }
        let rules = caps.get(2).map_or_else(Vec::new, |m| {
            m.as_str()
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        });
        let reason = caps
            .get(3)
            .map(|m| m.as_str().trim().to_string())
            .filter(|r| !r.is_empty());
        out.push(Directive {
            line: i + 1,
            column: line[..word.start()].chars().count() + 1,
            end_column: line[..whole.end()].trim_end().chars().count() + 1,
            rules,
            reason,
            covers_next_line: line[..whole.start()].trim().is_empty(),
        });
    }
    out
}

/// What a line starts inside: code (or prose), or a triple-quoted string opened earlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Code,
    Triple(u8),
}

/// Scans `line` from state `open` up to byte `stop`: whether `stop` lies inside a string
/// literal, and the state at the end of the line. Strings are `"…"`, `` `…` `` and `'…'` closed
/// on the same line (an unclosed `'` is an apostrophe or a lifetime; an unclosed `"` or
/// backtick runs to the end of the line), and `"""`/`'''` blocks that may span lines. A
/// comment start (`//`, `/*`, `<!--`, or `#` after whitespace) ends the scan: quotes in a
/// comment delimit nothing.
fn quotes(line: &str, mut open: Open, stop: usize) -> (bool, Open) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Open::Triple(q) = open {
            match find_triple(b, i, q) {
                Some(end) if end + 3 <= stop || stop == usize::MAX => {
                    open = Open::Code;
                    i = end + 3;
                    continue;
                }
                _ => return (stop <= b.len(), open),
            }
        }
        if i >= stop {
            return (false, open);
        }
        let c = b[i];
        let comment = b[i..].starts_with(b"//")
            || b[i..].starts_with(b"/*")
            || b[i..].starts_with(b"<!--")
            || (c == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()));
        if comment {
            return (false, Open::Code);
        }
        if (c == b'"' || c == b'\'') && b[i..].starts_with(&[c, c, c]) {
            open = Open::Triple(c);
            i += 3;
            continue;
        }
        if c == b'"' || c == b'`' || c == b'\'' {
            match close_of(b, i + 1, c) {
                Some(end) if stop > i && stop <= end => return (true, open),
                Some(end) => i = end + 1,
                None if c == b'\'' => i += 1,
                None => return (stop > i && stop != usize::MAX, open),
            }
            continue;
        }
        i += 1;
    }
    (false, open)
}

/// Index of the next unescaped `q` at or after `from`.
fn close_of(b: &[u8], mut from: usize, q: u8) -> Option<usize> {
    while from < b.len() {
        match b[from] {
            b'\\' => from += 2,
            c if c == q => return Some(from),
            _ => from += 1,
        }
    }
    None
}

/// Index of the next `qqq` at or after `from`.
fn find_triple(b: &[u8], from: usize, q: u8) -> Option<usize> {
    (from..b.len().saturating_sub(2)).find(|&k| b[k] == q && b[k + 1] == q && b[k + 2] == q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids_and_reason_in_several_syntaxes() {
        // Built from NEEDLE so this file holds no directive of its own for guardrail to check.
        let text = format!(
            "x = 1  # {NEEDLE} security/github-token -- rotated, test fixture\n\
             // {NEEDLE}\n\
             <!-- {NEEDLE} a, b -- docs -->\n\
             s = \"{NEEDLE} in a string\"\n"
        );
        let d = parse(&text);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].rules, vec!["security/github-token"]);
        assert_eq!(d[0].reason.as_deref(), Some("rotated, test fixture"));
        assert!(!d[0].covers_next_line);
        assert_eq!(d[0].column, 10);
        assert!(d[1].rules.is_empty() && d[1].reason.is_none() && d[1].covers_next_line);
        assert_eq!(d[2].rules, vec!["a", "b"]);
        assert_eq!(d[2].reason.as_deref(), Some("docs"));
    }

    #[test]
    fn directives_inside_string_literals_do_not_count() {
        let text = format!(
            "k = \"abc # {NEEDLE}\"\n\
             k = 'abc // {NEEDLE}'\n\
             k = `x # {NEEDLE}`\n\
             s = \"\"\"\n# {NEEDLE}\n\"\"\"\n\
             k = \"unterminated # {NEEDLE}\n\
             fn f<'a>(x: &'a str) {{}} // {NEEDLE} -- lifetime, not a string\n\
             k = \"a\" + \"b\"  # {NEEDLE} -- after two strings\n\
             # it's fine # {NEEDLE}\n\
             k = \"v\" # quote \" in a comment # {NEEDLE}\n"
        );
        let lines: Vec<usize> = parse(&text).iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![8, 9, 10, 11]);
    }

    #[test]
    fn names_full_and_short_ids() {
        let d = &parse(&format!("# {NEEDLE} github-token"))[0];
        assert!(d.names("security/github-token"));
        assert!(!d.names("security/aws-access-key"));
    }
}
