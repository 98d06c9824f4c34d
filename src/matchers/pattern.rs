//! The one pattern type every matcher kind uses for a regex written in a policy.
//!
//! Syntax is checked when the policy loads (microseconds, no automata), so a broken pattern
//! fails at load with an error that points at the offending character of the policy value; the
//! automaton is built on first use, so a run whose files never reach a rule (a one-file
//! pre-commit check) does not pay for building it. Built-in packs skip even the syntax pass
//! unless `eager`: their tests compile every pattern eagerly.

use std::sync::OnceLock;

use toml::Spanned;

use crate::error::LocatedError;
use crate::policy::Rule;

/// Compiled-size bounds: generous for real token formats, small enough that a hostile pattern
/// cannot take the machine's memory.
const SIZE_LIMIT: usize = 32 * 1024 * 1024;
const DFA_SIZE_LIMIT: usize = 16 * 1024 * 1024;

/// How a pattern is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Over `&str` with Unicode classes (names, document values).
    Text,
    /// Over bytes; Unicode classes only when `unicode` (file text: every token format is
    /// ASCII, and Unicode-aware classes cost ~30x on real code).
    Bytes {
        /// Unicode-aware classes and case folding.
        unicode: bool,
    },
}

/// A regex from a policy, validated at load and built on first use.
#[derive(Debug)]
pub struct Pattern {
    source: String,
    flavor: Flavor,
    captures: Option<usize>,
    automaton: OnceLock<Option<Automaton>>,
}

/// The built automaton, of the pattern's flavor.
#[derive(Debug)]
enum Automaton {
    Text(regex::Regex),
    Bytes(regex::bytes::Regex),
}

impl Pattern {
    /// Validates `pattern` (a value of `rule`'s table); builds it now when `eager`, so size-limit
    /// errors surface at load too.
    pub fn compile(
        rule: &Rule,
        pattern: &Spanned<String>,
        flavor: Flavor,
        eager: bool,
    ) -> Result<Self, LocatedError> {
        let captures = if eager || !rule.builtin {
            Some(check_syntax(rule, pattern, flavor)?)
        } else {
            None
        };
        let compiled = Self {
            source: pattern.get_ref().clone(),
            flavor,
            captures,
            automaton: OnceLock::new(),
        };
        if eager {
            let built = compiled.build().map_err(|msg| {
                rule.error(pattern.span(), "pattern does not compile")
                    .with_help(msg)
            })?;
            let _ = compiled.automaton.set(Some(built));
        }
        Ok(compiled)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Explicit capture groups, when the syntax was checked (always for user policies).
    pub fn captures(&self) -> Option<usize> {
        self.captures
    }

    /// The `&str` automaton of a [`Flavor::Text`] pattern; `None` for another flavor or if it
    /// does not build (only an unchecked built-in pattern can fail here, and the built-in tests
    /// build every one of them).
    pub fn text(&self) -> Option<&regex::Regex> {
        match self.automaton()? {
            Automaton::Text(re) => Some(re),
            Automaton::Bytes(_) => None,
        }
    }

    /// The byte automaton of a [`Flavor::Bytes`] pattern; `None` otherwise or if it does not
    /// build.
    pub fn bytes(&self) -> Option<&regex::bytes::Regex> {
        match self.automaton()? {
            Automaton::Bytes(re) => Some(re),
            Automaton::Text(_) => None,
        }
    }

    /// Whether `s` matches; a pattern that failed to build matches nothing.
    pub fn is_match(&self, s: &str) -> bool {
        match self.automaton() {
            Some(Automaton::Text(re)) => re.is_match(s),
            Some(Automaton::Bytes(re)) => re.is_match(s.as_bytes()),
            None => false,
        }
    }

    fn automaton(&self) -> Option<&Automaton> {
        self.automaton.get_or_init(|| self.build().ok()).as_ref()
    }

    /// Builds the automaton of this pattern's flavor, or says why it does not build.
    fn build(&self) -> Result<Automaton, String> {
        match self.flavor {
            Flavor::Text => build_text(&self.source).map(Automaton::Text),
            Flavor::Bytes { unicode } => build_bytes(&self.source, unicode).map(Automaton::Bytes),
        }
    }
}

fn build_text(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

fn build_bytes(pattern: &str, unicode: bool) -> Result<regex::bytes::Regex, String> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(unicode)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

/// Parses the pattern without building automata; a syntax error points into the policy at the
/// offending character. Returns the number of explicit capture groups.
fn check_syntax(rule: &Rule, pattern: &Spanned<String>, flavor: Flavor) -> Result<usize, LocatedError> {
    let (unicode, utf8) = match flavor {
        Flavor::Text => (true, true),
        Flavor::Bytes { unicode } => (unicode, false),
    };
    let mut parser = regex_syntax::ParserBuilder::new()
        .unicode(unicode)
        .utf8(utf8)
        .build();
    match parser.parse(pattern.get_ref()) {
        Ok(hir) => Ok(hir.properties().explicit_captures_len()),
        Err(e) => {
            let (offset, message) = match &e {
                regex_syntax::Error::Parse(p) => (p.span().start.offset, p.kind().to_string()),
                regex_syntax::Error::Translate(t) => (t.span().start.offset, t.kind().to_string()),
                _ => (0, e.to_string()),
            };
            let span = rule.span_within(pattern.span(), pattern.get_ref(), offset);
            Err(rule
                .error(span, format!("invalid regex: {message}"))
                .with_label(message)
                .with_help("regex syntax: https://docs.rs/regex/latest/regex/#syntax"))
        }
    }
}
