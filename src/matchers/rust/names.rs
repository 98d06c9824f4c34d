//! Path patterns (`Command::new`, `tracing::*`, `sha1::Sha1`) and how they match the paths of
//! calls, macros and `use` items, plus the whole-identifier word test the prefilter uses.

use std::collections::HashMap;

/// A path pattern from a policy: segments, optionally ending in `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    /// Segments before any `*`, without a leading `::`.
    pub segments: Vec<String>,
    /// True for `a::b::*`.
    pub wildcard: bool,
}

impl PathPattern {
    /// Parses `a::b`, `::a::b` or `a::*`; `None` when a segment is not an identifier.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().trim_start_matches("::");
        let mut segments: Vec<String> = text.split("::").map(|s| s.trim().to_string()).collect();
        let wildcard = segments.last().is_some_and(|s| s == "*");
        if wildcard {
            segments.pop();
        }
        let valid = !segments.is_empty() && segments.iter().all(|s| is_ident(s));
        valid.then_some(Self { segments, wildcard })
    }

    /// The word that locates a match: the first segment (`Command` of `Command::new`), the
    /// rarer one in practice.
    pub fn anchor(&self) -> &str {
        &self.segments[0]
    }

    /// Whether every segment occurs in `text` as a whole identifier.
    pub fn present(&self, text: &str) -> bool {
        self.segments.iter().all(|s| has_word(text, s))
    }

    /// Calls and macros: `path` ends with the pattern (`std::process::Command::new` matches
    /// `Command::new`); a wildcard pattern needs `path` to start with its segments.
    pub fn matches_call(&self, path: &[String]) -> bool {
        let path = strip_root(path);
        if self.wildcard {
            return path.len() > self.segments.len() && path.starts_with(&self.segments);
        }
        path.ends_with(&self.segments)
    }

    /// `use` items and paths: the pattern's segments occur contiguously anywhere in `path`.
    pub fn within(&self, path: &[String]) -> bool {
        let n = self.segments.len();
        path.len() >= n && path.windows(n).any(|w| w == self.segments.as_slice())
    }
}

/// `crate`/`self`/`super` and `::` roots carry no meaning for suffix matching.
fn strip_root(path: &[String]) -> &[String] {
    match path.first().map(String::as_str) {
        Some("crate" | "self" | "super") => &path[1..],
        _ => path,
    }
}

/// What `use` items bring into scope, for resolving bare macro names (`info!` after
/// `use tracing::info`).
#[derive(Debug, Default)]
pub struct Imports {
    /// Local name to full path.
    pub names: HashMap<String, Vec<String>>,
    /// Prefixes of glob imports (`use tracing::*`).
    pub globs: Vec<Vec<String>>,
    /// Crates imported with `#[macro_use] extern crate`.
    pub macro_use: Vec<String>,
}

/// Macros of the standard prelude: never resolved through `#[macro_use]` crates.
const STD_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "cfg",
    "column",
    "concat",
    "dbg",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "env",
    "eprint",
    "eprintln",
    "file",
    "format",
    "format_args",
    "include",
    "include_bytes",
    "include_str",
    "line",
    "matches",
    "module_path",
    "option_env",
    "panic",
    "print",
    "println",
    "stringify",
    "thread_local",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

impl Imports {
    /// Every full path `path` may stand for: itself, and its first segment expanded through
    /// the file's imports.
    pub fn resolve(&self, path: &[String]) -> Vec<Vec<String>> {
        let mut out = vec![path.to_vec()];
        let Some((first, rest)) = path.split_first() else {
            return out;
        };
        if let Some(full) = self.names.get(first) {
            out.push(full.iter().chain(rest).cloned().collect());
        }
        if rest.is_empty() {
            for glob in &self.globs {
                out.push(glob.iter().chain([first]).cloned().collect());
            }
            if !STD_MACROS.contains(&first.as_str()) {
                for krate in &self.macro_use {
                    out.push(vec![krate.clone(), first.clone()]);
                }
            }
        }
        out
    }
}

/// Whether `word` occurs in `text` as a whole identifier (case-sensitive).
pub fn has_word(text: &str, word: &str) -> bool {
    word_positions(text, word).next().is_some()
}

/// Byte offsets where `word` occurs in `text` as a whole identifier.
pub fn word_positions<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, word.as_bytes()).filter(move |&at| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + word.len()).copied();
        !before.is_some_and(is_ident_byte) && !after.is_some_and(is_ident_byte)
    })
}

/// Whether a literal value can occur in `text`: as a word (`true`, `0`) or quoted (`"-c"`).
pub fn literal_present(text: &str, value: &str) -> bool {
    if !value.is_empty() && value.bytes().all(is_ident_byte) {
        has_word(text, value)
    } else {
        text.contains(&format!("\"{value}\""))
    }
}

/// Bytes that continue an identifier (non-ASCII counts, so `émail` is one word).
pub fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// An ASCII identifier (or `_`-prefixed); raw identifiers are written without `r#`.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// The identifier around byte `at` of `text`.
pub fn word_around(text: &str, at: usize) -> &str {
    let bytes = text.as_bytes();
    let mut start = at.min(bytes.len());
    while start > 0 && is_ident_byte(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = at.min(bytes.len());
    while end < bytes.len() && is_ident_byte(bytes[end]) {
        end += 1;
    }
    text.get(start..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        s.split("::").map(String::from).collect()
    }

    #[test]
    fn call_patterns_match_suffixes_and_wildcards() {
        let new = PathPattern::parse("Command::new").unwrap();
        assert!(new.matches_call(&p("std::process::Command::new")));
        assert!(new.matches_call(&p("Command::new")));
        assert!(!new.matches_call(&p("new")));
        let tracing = PathPattern::parse("tracing::*").unwrap();
        assert!(tracing.matches_call(&p("tracing::info")));
        assert!(!tracing.matches_call(&p("tracing")));
        assert!(!tracing.matches_call(&p("info")));
        assert!(PathPattern::parse("a::*::b").is_none());
        assert!(PathPattern::parse("a b").is_none());
    }

    #[test]
    fn use_patterns_match_anywhere() {
        let sha = PathPattern::parse("sha1::Sha1").unwrap();
        assert!(sha.within(&p("sha1::Sha1::new")));
        assert!(sha.within(&p("sha1::Sha1")));
        assert!(!sha.within(&p("sha1::Digest")));
    }

    #[test]
    fn imports_resolve_bare_macros() {
        let mut imports = Imports::default();
        imports.names.insert("info".into(), p("tracing::info"));
        imports.macro_use.push("log".into());
        let tracing = PathPattern::parse("tracing::*").unwrap();
        let log = PathPattern::parse("log::*").unwrap();
        let any =
            |pat: &PathPattern, path: &str| imports.resolve(&p(path)).iter().any(|r| pat.matches_call(r));
        assert!(any(&tracing, "info"));
        assert!(any(&log, "warn"));
        assert!(!any(&log, "println"));
    }

    #[test]
    fn words_are_whole_identifiers() {
        assert!(has_word("x.danger_accept(true)", "danger_accept"));
        assert!(!has_word("login()", "log"));
        assert!(has_word("log::info!()", "log"));
        assert_eq!(word_around("let user_email = 1;", 9), "user_email");
    }
}
