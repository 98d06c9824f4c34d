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
    /// The full text of the file.
    pub text: String,
}

impl SourceText {
    /// Wraps a name and its text for sharing between rules.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            name: name.into(),
            text: text.into(),
        })
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
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
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
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
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
