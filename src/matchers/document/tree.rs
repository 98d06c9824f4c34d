//! The positioned tree every document format parses into: mappings, sequences and scalars, each
//! with the byte span it was written at, plus the per-file cache that parses a file once.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use crate::policy::raw::DocumentFormat;

/// Deepest nesting accepted in any format: deeper files are reported as unparsed, so neither a
/// parser nor the query walker recurses without bound.
pub const MAX_DEPTH: usize = crate::matchers::limits::DEFAULT_MAX_DEPTH;
/// Most nodes YAML aliases may copy into one file's tree (billion-laughs guard).
pub const MAX_ALIAS_NODES: usize = crate::matchers::limits::DEFAULT_MAX_ALIAS_NODES;

/// One node of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Where it is written (for a scalar: the token, quotes included).
    pub span: Range<usize>,
}

/// Mapping, sequence or scalar.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// Key/value pairs in source order (duplicates kept).
    Map(Vec<Pair>),
    /// Items in source order.
    Seq(Vec<Node>),
    /// A leaf value.
    Scalar(Scalar),
}

/// One entry of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The key.
    pub key: Key,
    /// The value.
    pub value: Node,
}

/// A mapping key: its text as written (YAML `on` stays `on`) and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// Decoded key text.
    pub text: String,
    /// The key token.
    pub span: Range<usize>,
}

/// A leaf value: decoded text and resolved type.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// Decoded text (quotes and escapes resolved, block scalars de-indented).
    pub text: String,
    /// Resolved type.
    pub kind: ScalarKind,
    /// For text assembled from several source pieces (Dockerfile line continuations):
    /// `(offset in text, offset in source)` of each piece, so a match maps back exactly.
    pub pieces: Vec<(usize, usize)>,
}

/// Type of a scalar, for typed `equals`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarKind {
    /// A string (any quoted scalar, any unresolved plain one).
    Str,
    /// `true` / `false` (YAML 1.1 `yes`/`on`/`no`/`off` too, when unquoted).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// `null`, `~` or an empty YAML value.
    Null,
}

impl Scalar {
    /// A scalar whose text is written verbatim in its span (no pieces).
    pub fn new(text: impl Into<String>, kind: ScalarKind) -> Self {
        Scalar {
            text: text.into(),
            kind,
            pieces: Vec::new(),
        }
    }
}

impl Node {
    /// A scalar node.
    pub fn scalar(text: impl Into<String>, kind: ScalarKind, span: Range<usize>) -> Self {
        Node {
            kind: NodeKind::Scalar(Scalar::new(text, kind)),
            span,
        }
    }

    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// Number of nodes in this subtree (itself included).
    pub fn size(&self) -> usize {
        1 + match &self.kind {
            NodeKind::Map(pairs) => pairs.iter().map(|p| p.value.size()).sum(),
            NodeKind::Seq(items) => items.iter().map(Node::size).sum(),
            NodeKind::Scalar(_) => 0,
        }
    }
}

/// A file that did not parse: what went wrong and where (byte range in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    /// One line.
    pub message: String,
    /// Where (empty at 0 when unknown).
    pub span: Range<usize>,
    /// The resource bound that stopped the parse (`parse_depth`, `alias_expansion`), if any.
    pub bound: Option<&'static str>,
}

impl ParseFailure {
    /// A failure at `offset`.
    pub fn at(offset: usize, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            span: offset..offset,
            bound: None,
        }
    }

    /// A failure because a resource bound was hit (counted by name in the summary).
    pub fn bound(offset: usize, bound: &'static str, message: impl Into<String>) -> Self {
        Self {
            bound: Some(bound),
            ..Self::at(offset, message)
        }
    }
}

/// Every document of one file (YAML streams hold several).
pub type Documents = Rc<Vec<Node>>;

/// The format a file name implies, when it implies one.
pub fn detect(rel: &str) -> Option<DocumentFormat> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    match ext {
        Some("yaml" | "yml") => return Some(DocumentFormat::Yaml),
        Some("json" | "jsonc" | "json5") => return Some(DocumentFormat::Json),
        Some("toml") => return Some(DocumentFormat::Toml),
        Some("dockerfile" | "containerfile") => return Some(DocumentFormat::Dockerfile),
        Some("dockerignore") => return None,
        _ => {}
    }
    if lower.starts_with("dockerfile") || lower.starts_with("containerfile") {
        return Some(DocumentFormat::Dockerfile);
    }
    match name {
        "Pipfile" | "poetry.lock" | "Cargo.lock" => Some(DocumentFormat::Toml),
        ".babelrc" | ".eslintrc" | ".prettierrc" => Some(DocumentFormat::Json),
        _ => None,
    }
}

/// What the format's note calls it.
pub fn format_name(format: DocumentFormat) -> &'static str {
    match format {
        DocumentFormat::Yaml => "YAML",
        DocumentFormat::Json => "JSON",
        DocumentFormat::Toml => "TOML",
        DocumentFormat::Dockerfile => "Dockerfile",
    }
}

/// Parsed documents of one file, by format: every document rule of the file shares them.
#[derive(Debug, Default)]
pub struct DocCache {
    parsed: RefCell<Vec<(DocumentFormat, Result<Documents, ParseFailure>)>>,
}

impl DocCache {
    /// The documents of `text` in `format`, parsed on first use.
    pub fn get(&self, format: DocumentFormat, text: &str) -> Result<Documents, ParseFailure> {
        if let Some((_, r)) = self.parsed.borrow().iter().find(|(f, _)| *f == format) {
            return r.clone();
        }
        let result = parse(format, text).map(Rc::new);
        self.parsed.borrow_mut().push((format, result.clone()));
        result
    }
}

/// Parses `text`; a parser panic is a parse failure, never a crashed scan.
fn parse(format: DocumentFormat, text: &str) -> Result<Vec<Node>, ParseFailure> {
    // For JSON and TOML, a UTF-8 byte-order mark becomes three spaces: their parsers reject it
    // but accept whitespace, and every offset stays the same (saphyr handles it itself).
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) if format != DocumentFormat::Yaml => std::borrow::Cow::Owned(format!("   {rest}")),
        _ => std::borrow::Cow::Borrowed(text),
    };
    let text = text.as_ref();
    let run = || match format {
        DocumentFormat::Yaml => super::yaml::parse(text),
        DocumentFormat::Json => super::json::parse(text).map(|n| vec![n]),
        DocumentFormat::Toml => super::toml::parse(text).map(|n| vec![n]),
        DocumentFormat::Dockerfile => Ok(vec![super::dockerfile::parse(text)]),
    };
    let result = std::panic::catch_unwind(run)
        .unwrap_or_else(|_| Err(ParseFailure::at(0, "the parser failed on this input")));
    // JSON and TOML parse in one call: a budget spent inside it is caught here.
    if result.is_ok() && crate::matchers::limits::expired() {
        return Err(ParseFailure::bound(
            0,
            "parse_time",
            crate::matchers::limits::expired_message(),
        ));
    }
    result
}

/// Byte offsets where each line starts, to turn (line, column) positions into offsets.
#[derive(Debug)]
pub struct LineStarts<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineStarts<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        // saphyr counts columns of line 1 after a byte-order mark.
        let mut starts = vec![if text.starts_with('\u{feff}') { 3 } else { 0 }];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self { text, starts }
    }

    /// Byte offset of 1-based `line`, 0-based `col` counted in characters.
    pub fn offset(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        if rest.as_bytes().iter().take(col).all(u8::is_ascii) {
            return (start + col).min(self.text.len());
        }
        start + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i)
    }
}

/// Moves `span.end` back over trailing whitespace (block nodes end at the next line's start).
pub fn trim_span(text: &str, span: Range<usize>) -> Range<usize> {
    let end = span.end.min(text.len());
    let start = span.start.min(end);
    let trimmed = text.get(start..end).map_or(0, |s| s.trim_end().len());
    start..start + trimmed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names() {
        assert_eq!(detect(".github/workflows/ci.yml"), Some(DocumentFormat::Yaml));
        assert_eq!(detect("a/package.json"), Some(DocumentFormat::Json));
        assert_eq!(detect("pyproject.toml"), Some(DocumentFormat::Toml));
        assert_eq!(detect("Dockerfile"), Some(DocumentFormat::Dockerfile));
        assert_eq!(detect("docker/Dockerfile.prod"), Some(DocumentFormat::Dockerfile));
        assert_eq!(detect("api.Dockerfile"), Some(DocumentFormat::Dockerfile));
        assert_eq!(detect("Containerfile"), Some(DocumentFormat::Dockerfile));
        assert_eq!(detect("Dockerfile.dockerignore"), None);
        assert_eq!(detect("main.rs"), None);
    }

    #[test]
    fn byte_order_marks_are_accepted() {
        for (format, text) in [
            (DocumentFormat::Json, "\u{feff}{\"a\": 1}"),
            (DocumentFormat::Toml, "\u{feff}a = 1\n"),
            (DocumentFormat::Yaml, "\u{feff}a: 1\n"),
        ] {
            let docs = parse(format, text).unwrap();
            let NodeKind::Map(pairs) = &docs[0].kind else {
                panic!("{format:?}")
            };
            assert_eq!(&text[pairs[0].value.span.clone()], "1", "{format:?}");
        }
    }

    #[test]
    fn line_starts_count_characters() {
        let t = "ab\né: x\n";
        let l = LineStarts::new(t);
        assert_eq!(l.offset(1, 1), 1);
        assert_eq!(l.offset(2, 1), 5);
        assert_eq!(&t[l.offset(2, 3)..l.offset(2, 4)], "x");
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use crate::testing::{Xorshift, SEED};

    const SAMPLES: &[(DocumentFormat, &str)] = &[
        (DocumentFormat::Yaml, "on:\n  pull_request_target:\njobs:\n  a: &x\n    steps:\n      - uses: \"o/r@v1\"\n        run: |\n          echo ${{ github.head_ref }}\n  b: *x\n  c: {<<: *x, k: [1, 'two', {t: ~}]}\n---\nkind: Pod\n"),
        (DocumentFormat::Json, "{\"a\": [1, 2.5, true, null, {\"b\": \"c\\u00e9\"}], // c\n \"d\": {}}"),
        (DocumentFormat::Toml, "[a]\nb = [1, 2]\nc.d = { e = \"f\" }\n[[g]]\nh = 1979-05-27T07:32:00Z\n"),
        (DocumentFormat::Dockerfile, "# escape=\\\nFROM --platform=x a:1 AS b\nRUN <<EOF\ncurl x | sh\nEOF\nRUN a \\\n  # c\n  b\nUSER root\n"),
    ];

    /// Deterministic byte mutations of every sample: parsing never panics (the catch_unwind in
    /// `parse` is a last resort, not the plan) and always terminates.
    #[test]
    fn mutated_inputs_never_panic() {
        let mut rng = Xorshift::new(SEED);
        let alphabet = b"{}[]:,-'\"\\\n #&*!|>?%@`~\t\xc3\xa9";
        for (format, sample) in SAMPLES {
            for _ in 0..1500 {
                let mut bytes = sample.as_bytes().to_vec();
                for _ in 0..(rng.next() % 4 + 1) {
                    let at = (rng.next() as usize) % bytes.len();
                    let b = alphabet[(rng.next() as usize) % alphabet.len()];
                    match rng.next() % 3 {
                        0 => bytes[at] = b,
                        1 => bytes.insert(at, b),
                        _ => {
                            bytes.remove(at);
                        }
                    }
                }
                let text = String::from_utf8_lossy(&bytes);
                let run = || match format {
                    DocumentFormat::Yaml => super::super::yaml::parse(&text).map(|_| ()),
                    DocumentFormat::Json => super::super::json::parse(&text).map(|_| ()),
                    DocumentFormat::Toml => super::super::toml::parse(&text).map(|_| ()),
                    DocumentFormat::Dockerfile => {
                        super::super::dockerfile::parse(&text);
                        Ok(())
                    }
                };
                let outcome = std::panic::catch_unwind(run);
                assert!(outcome.is_ok(), "{format:?} panicked on {text:?}");
            }
        }
    }
}
