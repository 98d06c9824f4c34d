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
    for (i, line) in text.lines().enumerate() {
        if !line.contains(NEEDLE) {
            continue;
        }
        let Some(caps) = directive_regex().captures(line) else {
            continue;
        };
        let (Some(whole), Some(word)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
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
    fn names_full_and_short_ids() {
        let d = &parse(&format!("# {NEEDLE} github-token"))[0];
        assert!(d.names("security/github-token"));
        assert!(!d.names("security/aws-access-key"));
    }
}
