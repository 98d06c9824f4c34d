//! A rule-independent index of the nodes rust forms look at in one file: calls, macro
//! invocations, struct fields, names in conditions, and paths. It grows item by item as rules
//! ask for the items around their anchor words; spans are byte ranges, and proc-macro2's
//! thread-local source map is cleared after every parse, so nothing outlives the file.

use std::ops::Range;

use syn::visit::Visit;

use super::builder::Builder;
use super::chunks::{self, Chunk};
use super::mentions::{Mention, Spans};
use super::names::Imports;

/// Context bits of a name in a decision.
pub const IF: u8 = 1;
/// `match` scrutinee or guard.
pub const MATCH: u8 = 2;
/// Operand of a comparison.
pub const COMPARISON: u8 = 4;
/// Operand of arithmetic.
pub const ARITHMETIC: u8 = 8;

/// Everything rust forms can ask about one file.
#[derive(Debug, Default)]
pub struct Index {
    /// Function and method calls.
    pub calls: Vec<Call>,
    /// Macro invocations.
    pub macros: Vec<MacroUse>,
    /// Named fields of structs and enum variants that derive something.
    pub fields: Vec<FieldDecl>,
    /// Names used in conditions, comparisons and arithmetic.
    pub conditions: Vec<CondMention>,
    /// Paths of two or more segments, and `use` trees (pre-order).
    pub paths: Vec<PathUse>,
    /// What `use` items import.
    pub imports: Imports,
}

/// A call `a::b(..)` or method call `.m(..)`.
#[derive(Debug)]
pub struct Call {
    /// Path segments, or the method name alone.
    pub path: Vec<String>,
    /// True for `.m(..)`.
    pub method: bool,
    /// The call, or `m(..)` for a method call.
    pub span: Range<usize>,
    /// Its arguments (receiver excluded).
    pub args: Vec<Arg>,
    /// Where the receiver chain starts, when it starts at a call.
    pub receiver: Option<Root>,
    /// The call is the whole body of its function (maybe inside `Ok(..)`).
    pub whole_body: bool,
}

/// One argument of a call.
#[derive(Debug)]
pub struct Arg {
    /// The argument expression.
    pub span: Range<usize>,
    /// Literal values in it (itself, or the elements of an array).
    pub literals: Vec<String>,
    /// Its format string, when it is built with `format!` (directly or via a local).
    pub format: Option<String>,
    /// The part built with `format!`: the argument, or the element of an array argument.
    pub format_span: Range<usize>,
    /// Names it mentions.
    pub mentions: Vec<Mention>,
}

/// The call at the start of a method chain: `Command::new("sh")` in `Command::new("sh").arg(..)`.
#[derive(Debug, Clone)]
pub struct Root {
    /// Its path.
    pub path: Vec<String>,
    /// Literal values of its arguments.
    pub literals: Vec<String>,
}

/// A macro invocation.
#[derive(Debug)]
pub struct MacroUse {
    /// Its path as written.
    pub path: Vec<String>,
    /// From the path to the closing delimiter.
    pub span: Range<usize>,
    /// Names its arguments mention.
    pub mentions: Vec<Mention>,
}

/// A named field in a type with derives.
#[derive(Debug)]
pub struct FieldDecl {
    /// Field name.
    pub name: String,
    /// `name: Type`.
    pub span: Range<usize>,
    /// Derived traits of the type (last path segments).
    pub derives: Vec<String>,
    /// The field's attributes.
    pub attrs: Vec<AttrWords>,
    /// Every path segment in the field's type.
    pub type_names: Vec<String>,
}

/// An attribute reduced to its path and the identifiers inside it.
#[derive(Debug)]
pub struct AttrWords {
    /// `serde` in `#[serde(skip)]`.
    pub path: String,
    /// `skip`.
    pub words: Vec<String>,
}

/// A name in a decision context.
#[derive(Debug)]
pub struct CondMention {
    /// The name.
    pub mention: Mention,
    /// [`IF`] | [`MATCH`] | [`COMPARISON`] | [`ARITHMETIC`].
    pub contexts: u8,
}

/// A path in code or a node of a `use` tree.
#[derive(Debug)]
pub struct PathUse {
    /// Full segments (for a `use` node: its prefix and itself).
    pub segments: Vec<String>,
    /// The path, or the `use` subtree.
    pub span: Range<usize>,
}

/// Why syn rejected a file, and where.
#[derive(Debug)]
pub struct ParseError {
    /// syn's message.
    pub message: String,
    /// Bytes it points at.
    pub span: Range<usize>,
    /// The resource bound that stopped parsing (`parse_time`), if that is why.
    pub bound: Option<&'static str>,
}

/// A file's index, grown item by item: only the chunks that hold an anchor (and the imports)
/// are parsed; if one does not parse, the whole file is parsed instead.
pub struct Indexer {
    base: usize,
    chunks: Vec<Chunk>,
    parsed: Vec<bool>,
    whole: bool,
    /// What has been indexed so far.
    pub index: Index,
}

impl Indexer {
    /// Splits `text` into items; parses nothing yet.
    pub fn new(text: &str) -> Self {
        let base = syn_offset(text);
        let chunks = chunks::chunks(text, base);
        Self {
            base,
            parsed: vec![false; chunks.len()],
            chunks,
            whole: false,
            index: Index::default(),
        }
    }

    /// Indexes the chunks containing one of `anchors` (byte offsets) not indexed yet.
    pub fn extend(&mut self, text: &str, anchors: &[usize]) -> Result<(), ParseError> {
        if self.whole {
            return Ok(());
        }
        let todo: Vec<usize> = (0..self.chunks.len())
            .filter(|&i| !self.parsed[i])
            .filter(|&i| {
                let c = &self.chunks[i];
                c.import || anchors.iter().any(|a| c.range.contains(a))
            })
            .collect();
        if todo.is_empty() {
            return Ok(());
        }
        let mut builder = Builder::new(
            Spans {
                text,
                base: self.base,
            },
            std::mem::take(&mut self.index),
        );
        let mut ok = true;
        for &i in &todo {
            if crate::matchers::limits::expired() {
                let at = self.chunks[i].range.start;
                proc_macro2::extra::invalidate_current_thread_spans();
                return Err(ParseError {
                    message: crate::matchers::limits::expired_message(),
                    span: at..at,
                    bound: Some("parse_time"),
                });
            }
            self.parsed[i] = true;
            if !builder.chunk(text, &self.chunks[i]) {
                ok = false;
                break;
            }
        }
        let result = if ok {
            self.index = builder.index;
            Ok(())
        } else {
            self.whole = true;
            build(text, self.base).map(|index| self.index = index)
        };
        proc_macro2::extra::invalidate_current_thread_spans();
        result
    }
}

/// Parses and indexes the whole of `text` (from `base`).
fn build(text: &str, base: usize) -> Result<Index, ParseError> {
    let spans = Spans { text, base };
    match syn::parse_str::<syn::File>(&text[base..]) {
        Ok(file) => {
            let mut builder = Builder::new(spans, Index::default());
            builder.visit_file(&file);
            Ok(builder.index)
        }
        Err(e) => {
            let mut message = e.to_string();
            if message == "cannot parse string into token stream" {
                message = "unbalanced delimiter or invalid token".to_string();
            }
            let mut span = spans.range(e.span());
            // syn reports a missing closing token at the call site (offset 0): point at the end.
            if span.is_empty() && span.start == base && message.contains("end of input") {
                span = text.len()..text.len();
            }
            Err(ParseError {
                message,
                span,
                bound: None,
            })
        }
    }
}

/// Bytes before what syn parses: a BOM, and a shebang line (kept as its newline).
pub(super) fn syn_offset(text: &str) -> usize {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[bom..];
    if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        return bom + rest.find('\n').unwrap_or(rest.len());
    }
    bom
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_skip_bom_and_shebang() {
        assert_eq!(syn_offset("fn main() {}"), 0);
        assert_eq!(syn_offset("\u{feff}fn main() {}"), 3);
        assert_eq!(syn_offset("#!/usr/bin/env run\nfn main() {}"), 18);
        assert_eq!(syn_offset("#![allow(x)]\nfn main() {}"), 0);
    }

    #[test]
    fn spans_are_file_bytes() {
        let text = "#!/bin/x\nfn f() { md5::compute(password); }\n";
        let index = build(text, syn_offset(text)).unwrap();
        let call = &index.calls[0];
        assert_eq!(&text[call.span.clone()], "md5::compute(password)");
        assert_eq!(&text[call.args[0].span.clone()], "password");
        assert_eq!(index.paths[0].segments, vec!["md5", "compute"]);
    }

    #[test]
    fn only_anchored_chunks_are_indexed() {
        let text = "use log::info;\nfn a() { x::y(1); }\nfn b() { z::w(2); }\n";
        let mut indexer = Indexer::new(text);
        indexer.extend(text, &[text.find("z::w").unwrap()]).unwrap();
        let calls: Vec<String> = indexer.index.calls.iter().map(|c| c.path.join("::")).collect();
        assert_eq!(calls, vec!["z::w"]);
        assert!(indexer.index.imports.names.contains_key("info"));
        indexer.extend(text, &[text.find("x::y").unwrap()]).unwrap();
        assert_eq!(indexer.index.calls.len(), 2);
    }

    #[test]
    fn a_chunk_that_does_not_parse_falls_back_to_the_file_once() {
        let text = "fn a() { let = ; }\nfn b() { z::w(2); }\n";
        let mut indexer = Indexer::new(text);
        assert!(
            indexer.extend(text, &[text.find("z::w").unwrap()]).is_ok(),
            "the broken item is not needed"
        );
        assert!(
            indexer.extend(text, &[3]).is_err(),
            "needed: the file is parsed and fails"
        );
        assert!(indexer.extend(text, &[3]).is_ok(), "never parsed twice");
    }

    #[test]
    fn parse_errors_have_a_span() {
        let err = build("fn f( {", 0).unwrap_err();
        assert!(!err.message.is_empty());
    }
}

/// Chunked parsing against whole-file parsing on a real corpus: run with
/// `GUARDRAIL_CORPUS=/path cargo test --release --lib chunk_split_agrees -- --ignored --nocapture`.
#[cfg(test)]
mod corpus {
    use super::*;

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    #[ignore = "needs GUARDRAIL_CORPUS"]
    #[allow(clippy::disallowed_macros)]
    fn chunk_split_agrees_with_whole_file_parse() {
        let Some(root) = std::env::var_os("GUARDRAIL_CORPUS") else {
            return;
        };
        let mut files = Vec::new();
        rust_files(std::path::Path::new(&root), &mut files);
        let (mut whole_ok, mut fallbacks) = (0, Vec::new());
        for path in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if build(&text, syn_offset(&text)).is_err() {
                proc_macro2::extra::invalidate_current_thread_spans();
                continue;
            }
            whole_ok += 1;
            let mut indexer = Indexer::new(&text);
            let mut builder = Builder::new(Spans { text: &text, base: 0 }, Index::default());
            if let Some(chunk) = indexer.chunks.iter().find(|c| !builder.chunk(&text, c)) {
                fallbacks.push(format!(
                    "{}: {:?}",
                    path.display(),
                    &text[chunk.range.clone()].lines().next()
                ));
            }
            indexer.parsed.clear();
            proc_macro2::extra::invalidate_current_thread_spans();
        }
        let shown: Vec<&String> = fallbacks.iter().take(20).collect();
        println!(
            "{whole_ok} files parse; {} need the whole-file fallback: {shown:#?}",
            fallbacks.len()
        );
    }
}
