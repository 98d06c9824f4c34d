//! Errors that stop a run: broken policies, configs, arguments and I/O. Each maps to exit code 2.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};

/// A text file guardrail read its instructions from (a policy pack or a config), kept so that
/// errors found at any later stage can point into it.
#[derive(Debug)]
pub struct SourceText {
    /// Display name: the path as given, or `<built-in>/security.toml`.
    pub name: String,
    /// The full text of the file, or of an excerpt of it (see [`SourceText::excerpt`]).
    pub text: String,
    /// 0-based line of the file where `text` starts (non-zero for an excerpt).
    pub line_offset: usize,
    /// Characters of the first line cut off before `text` (non-zero for a cut excerpt).
    pub column_offset: usize,
}

/// Characters of a file that failed to parse shown in a diagnostic, at most.
pub const EXCERPT_CHARS: usize = 120;

impl SourceText {
    /// Wraps a name and its text for sharing between rules.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            name: name.into(),
            text: text.into(),
            line_offset: 0,
            column_offset: 0,
        })
    }

    /// A short, sanitised excerpt of `text` around `span`, for a diagnostic about a file that
    /// failed to parse: such a file may be anything (a secret, `/proc/self/environ`), so it is
    /// never quoted whole. The excerpt is the one line holding the span start, cut to
    /// [`EXCERPT_CHARS`] characters around it, with control and bidirectional characters
    /// replaced by visible placeholders. Returns the excerpt and the span mapped into it.
    pub fn excerpt(name: impl Into<String>, text: &str, span: Range<usize>) -> (Arc<Self>, Range<usize>) {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[line_start..line_end];
        let column = text[line_start..start].chars().count();
        // Keep a little context before the span start, the rest after it.
        let skip = column.saturating_sub(EXCERPT_CHARS / 3);
        let mut excerpt = String::new();
        let end = span.end.max(start);
        let (mut mapped_start, mut mapped_end) = (None, None);
        let mut offset = line_start;
        for (i, c) in line.chars().enumerate() {
            if i >= skip + EXCERPT_CHARS {
                break;
            }
            if i >= skip {
                if offset >= start && mapped_start.is_none() {
                    mapped_start = Some(excerpt.len());
                }
                if offset >= end && mapped_start.is_some() && mapped_end.is_none() {
                    mapped_end = Some(excerpt.len());
                }
                excerpt.push(visible(c));
            }
            offset += c.len_utf8();
        }
        let mapped_start = mapped_start.unwrap_or(excerpt.len());
        let mapped_end = mapped_end.unwrap_or(excerpt.len());
        if line.chars().count() > skip + EXCERPT_CHARS {
            excerpt.push('…');
        }
        let source = Arc::new(Self {
            name: name.into(),
            text: excerpt,
            line_offset: text[..line_start].matches('\n').count(),
            column_offset: skip,
        });
        (source, mapped_start..mapped_end.max(mapped_start))
    }
}

/// The largest char boundary of `s` at or below `i`.
fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `c`, or a visible stand-in when it is a control or bidirectional-override character (what
/// rustc does with Unicode control pictures), so a quoted line cannot drive the terminal or a
/// CI log parser.
pub fn visible(c: char) -> char {
    match c {
        '\t' => ' ',
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{fffd}',
        c => c,
    }
}

/// What kind of input was wrong; also the diagnostic code shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocatedKind {
    /// A policy pack.
    Policy,
    /// A `guardrail.toml` or a baseline file.
    Config,
}

/// An error in a file guardrail reads its instructions from, with the span it is about.
#[derive(Debug)]
pub struct LocatedError {
    /// Which kind of file is wrong.
    pub kind: LocatedKind,
    /// One line saying what is wrong.
    pub message: String,
    /// The file the span points into.
    pub source: Arc<SourceText>,
    /// Byte range in `source.text`.
    pub span: Range<usize>,
    /// Short text shown under the span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl LocatedError {
    /// A new error about `span` of `source`.
    pub fn new(
        kind: LocatedKind,
        source: &Arc<SourceText>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let end = span.end.min(source.text.len());
        let start = span.start.min(end);
        Self {
            kind,
            message: message.into(),
            source: Arc::clone(source),
            span: start..end,
            label: String::from("here"),
            help: None,
        }
    }

    /// Sets the text shown under the span.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// 1-based line and column of the span start, for plain-text messages.
    pub fn line_col(&self) -> (usize, usize) {
        let before = &self.source.text[..self.span.start];
        let line = before.matches('\n').count() + 1;
        let mut col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        if line == 1 {
            col += self.source.column_offset;
        }
        (line + self.source.line_offset, col)
    }

    /// An error about a file that failed to parse: it quotes only a short, sanitised excerpt
    /// of `text` around `span` (see [`SourceText::excerpt`]).
    pub fn parse_failure(
        kind: LocatedKind,
        name: &str,
        text: &str,
        span: Range<usize>,
        message: &str,
    ) -> Self {
        let (source, span) = SourceText::excerpt(name, text, span);
        let message: String = message.chars().take(4 * EXCERPT_CHARS).map(visible).collect();
        Self::new(kind, &source, span, message)
    }
}

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LocatedError {}

impl Diagnostic for LocatedError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(match self.kind {
            LocatedKind::Policy => "guardrail::policy",
            LocatedKind::Config => "guardrail::config",
        }))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source.as_ref())
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.span.end - self.span.start;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(self.label.clone()),
            self.span.start,
            len,
        ))))
    }
}

impl SourceCode for SourceText {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        let column = if inner.line() == 0 {
            inner.column() + self.column_offset
        } else {
            inner.column()
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.line_offset,
            column,
            inner.line_count(),
        )))
    }
}

/// Every error that stops a run. All of them exit with code 2.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// A policy, config or baseline file is wrong at a known place.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Located(Box<LocatedError>),
    /// Several located errors found in one pass (all are shown).
    #[error("{} errors in policies or configuration", .0.len())]
    #[diagnostic(code(guardrail::invalid))]
    Many(#[related] Vec<LocatedError>),
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    #[diagnostic(code(guardrail::io))]
    Io {
        /// The path involved.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A command-line argument that cannot work.
    #[error("{0}")]
    #[diagnostic(code(guardrail::usage))]
    Usage(String),
    /// The run checked nothing (no rule loaded, or no file scanned) and `--allow-empty` was
    /// not given: passing would be silent.
    #[error("{message}")]
    #[diagnostic(code(guardrail::empty))]
    Empty {
        /// What was empty.
        message: String,
        /// How to proceed.
        #[help]
        help: String,
    },
    /// A saved report or a CODEOWNERS file `guardrail report` cannot use.
    #[error("{file}: {problem}")]
    #[diagnostic(code(guardrail::report))]
    Report {
        /// The file.
        file: String,
        /// What is wrong with it.
        problem: String,
    },
    /// git failed or the directory is not a repository.
    #[error("git: {0}")]
    #[diagnostic(code(guardrail::git))]
    Git(String),
}

impl From<LocatedError> for Error {
    fn from(e: LocatedError) -> Self {
        Error::Located(Box::new(e))
    }
}

impl Error {
    /// Builds an I/O error naming the path.
    pub fn io(path: impl fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_string(),
            source,
        }
    }

    /// One error, or a list when several were collected.
    pub fn from_many(mut errors: Vec<LocatedError>) -> Self {
        if errors.len() == 1 {
            Error::from(errors.remove(0))
        } else {
            Error::Many(errors)
        }
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_one_cut_sanitised_line_with_its_real_position() {
        let long = "x".repeat(400);
        let text = format!("first = 1\nkey = \"\u{1b}[31m{long}\"\nlast = 2\n");
        let start = text.find('\u{1b}').unwrap_or(0);
        let (source, span) = SourceText::excerpt("f.toml", &text, start..start + 1);
        assert!(!source.text.contains('\n') && !source.text.contains('\u{1b}'));
        assert!(source.text.starts_with("key = \"\u{241b}[31m"), "{}", source.text);
        assert_eq!(
            source.text.chars().count(),
            EXCERPT_CHARS + 1,
            "cut, with an ellipsis"
        );
        assert_eq!(&source.text[span.clone()], "\u{241b}");
        let e = LocatedError::new(LocatedKind::Config, &source, span, "bad");
        assert_eq!(e.line_col(), (2, 8));
    }

    #[test]
    fn a_far_span_keeps_context_and_columns() {
        let text = format!("{}ERR{}", "a".repeat(500), "b".repeat(500));
        let (source, span) = SourceText::excerpt("f", &text, 500..503);
        assert_eq!(&source.text[span.clone()], "ERR");
        let e = LocatedError::new(LocatedKind::Policy, &source, span, "bad");
        assert_eq!(e.line_col(), (1, 501));
    }

    #[test]
    fn visible_replaces_controls_and_bidi_overrides() {
        let shown: String = "a\r\u{7f}\u{9b}\u{202e}\tb".chars().map(visible).collect();
        assert_eq!(shown, "a\u{240d}\u{2421}\u{fffd}\u{fffd} b");
    }
}
