//! Where syntax nodes start and end in the file, and literal values, without printing whole
//! nodes back to tokens (syn's `Spanned` does that, which costs as much as the node is big).

use std::ops::Range;

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Lit, Meta, UseTree};

use super::index::AttrWords;

/// Maps proc-macro2 spans to byte ranges of the file (`base`: bytes syn stripped in front,
/// a BOM or a shebang line).
#[derive(Clone, Copy)]
pub struct Spans<'t> {
    /// The whole file.
    pub text: &'t str,
    /// Offset of syn's input in `text`.
    pub base: usize,
}

impl Spans<'_> {
    /// Byte range of one span.
    pub fn range(&self, span: Span) -> Range<usize> {
        let r = span.byte_range();
        r.start + self.base..r.end + self.base
    }

    /// From the start of `first` to the end of `last`.
    pub fn between(&self, first: Span, last: Span) -> Range<usize> {
        self.range(first).start..self.range(last).end
    }

    /// Bytes of a whole syntax node.
    pub fn node(&self, node: &impl Spanned) -> Range<usize> {
        self.range(node.span())
    }
}

/// The span of the first token of `e`.
pub fn expr_start(e: &Expr) -> Span {
    match e {
        Expr::Path(p) => p
            .path
            .leading_colon
            .as_ref()
            .map(|c| c.spans[0])
            .or_else(|| p.path.segments.first().map(|s| s.ident.span()))
            .unwrap_or_else(|| e.span()),
        Expr::Field(f) => expr_start(&f.base),
        Expr::MethodCall(m) => expr_start(&m.receiver),
        Expr::Call(c) => expr_start(&c.func),
        Expr::Try(t) => expr_start(&t.expr),
        Expr::Reference(r) => r.and_token.span,
        Expr::Paren(p) => p.paren_token.span.open(),
        Expr::Lit(l) => l.lit.span(),
        Expr::Macro(m) => m
            .mac
            .path
            .segments
            .first()
            .map_or_else(|| e.span(), |s| s.ident.span()),
        Expr::Array(a) => a.bracket_token.span.open(),
        Expr::Tuple(t) => t.paren_token.span.open(),
        Expr::Closure(c) => c.capture.as_ref().map_or(c.inputs_begin.spans[0], |m| m.span),
        _ => e.span(),
    }
}

/// The span of the last token of `e` (generic arguments of a final path segment aside).
pub fn expr_end(e: &Expr) -> Span {
    match e {
        Expr::Path(p) => p
            .path
            .segments
            .last()
            .map_or_else(|| e.span(), |s| s.ident.span()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(id) => id.span(),
            syn::Member::Unnamed(i) => i.span,
        },
        Expr::MethodCall(m) => m.paren_token.span.close(),
        Expr::Call(c) => c.paren_token.span.close(),
        Expr::Macro(m) => m.mac.delimiter.span().close(),
        Expr::Paren(p) => p.paren_token.span.close(),
        Expr::Tuple(t) => t.paren_token.span.close(),
        Expr::Array(a) => a.bracket_token.span.close(),
        Expr::Index(i) => i.bracket_token.span.close(),
        Expr::Block(b) => b.block.brace_token.span.close(),
        Expr::Try(t) => t.question_token.spans[0],
        Expr::Reference(r) => expr_end(&r.expr),
        Expr::Unary(u) => expr_end(&u.expr),
        Expr::Binary(b) => expr_end(&b.right),
        Expr::Closure(c) => expr_end(&c.body),
        Expr::Lit(l) => l.lit.span(),
        _ => e.span(),
    }
}

/// A literal's value as a policy writes it: strings unquoted, numbers in base 10.
pub fn literal_value(lit: &Lit) -> String {
    match lit {
        Lit::Str(s) => s.value(),
        Lit::Bool(b) => b.value().to_string(),
        Lit::Int(i) => i.base10_digits().to_string(),
        Lit::Float(f) => f.base10_digits().to_string(),
        Lit::Char(c) => c.value().to_string(),
        Lit::ByteStr(b) => String::from_utf8_lossy(&b.value()).into_owned(),
        other => other.span().source_text().unwrap_or_default(),
    }
}

/// Literal values among a macro's top-level tokens (`vec!["-c", cmd]`).
pub fn macro_literals(tokens: &TokenStream) -> Vec<String> {
    tokens
        .clone()
        .into_iter()
        .filter_map(|t| match t {
            TokenTree::Literal(l) => Some(literal_value(&Lit::new(l))),
            TokenTree::Ident(id) if id == "true" || id == "false" => Some(id.to_string()),
            _ => None,
        })
        .collect()
}

/// The last token of a `use` subtree.
pub(super) fn use_end(tree: &UseTree) -> Span {
    match tree {
        UseTree::Path(p) => use_end(&p.tree),
        UseTree::Name(n) => n.ident.span(),
        UseTree::Rename(r) => r.rename.span(),
        UseTree::Glob(g) => g.star_token.spans[0],
        UseTree::Group(g) => g.brace_token.span.close(),
    }
}

/// Literal values of an argument: itself, or the elements of an array, slice or `vec!`.
pub(super) fn literals(e: &Expr) -> Vec<String> {
    match e {
        Expr::Lit(l) => vec![literal_value(&l.lit)],
        Expr::Reference(r) => literals(&r.expr),
        Expr::Paren(p) => literals(&p.expr),
        Expr::Array(a) => a.elems.iter().flat_map(literals).collect(),
        Expr::Macro(m) if m.mac.path.is_ident("vec") => macro_literals(&m.mac.tokens),
        _ => Vec::new(),
    }
}

/// The first token of a `format!` call's arguments when it is a string literal, else "".
pub(super) fn first_string(tokens: &TokenStream) -> String {
    match tokens.clone().into_iter().next() {
        Some(TokenTree::Literal(l)) => match syn::Lit::new(l) {
            syn::Lit::Str(s) => s.value(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// Traits named in `#[derive(..)]` and `#[cfg_attr(.., derive(..))]`.
pub(super) fn derives(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs {
        let Meta::List(list) = &attr.meta else { continue };
        if list.path.is_ident("derive") {
            derive_names(list.tokens.clone(), &mut out);
        } else if list.path.is_ident("cfg_attr") {
            let toks: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
            for pair in toks.windows(2) {
                if let [TokenTree::Ident(id), TokenTree::Group(g)] = pair {
                    if id == "derive" {
                        derive_names(g.stream(), &mut out);
                    }
                }
            }
        }
    }
    out
}

/// The last segment of each comma-separated path.
fn derive_names(tokens: TokenStream, out: &mut Vec<String>) {
    let mut last = None;
    for tok in tokens {
        match tok {
            TokenTree::Ident(id) => last = Some(id.to_string()),
            TokenTree::Punct(p) if p.as_char() == ',' => out.extend(last.take()),
            _ => {}
        }
    }
    out.extend(last);
}

pub(super) fn attr_words(attr: &syn::Attribute) -> AttrWords {
    let path = segments(attr.path()).join("::");
    let mut words = Vec::new();
    if let Meta::List(list) = &attr.meta {
        collect_idents(list.tokens.clone(), &mut words);
    }
    AttrWords { path, words }
}

fn collect_idents(tokens: TokenStream, out: &mut Vec<String>) {
    for tok in tokens {
        match tok {
            TokenTree::Ident(id) => out.push(id.to_string()),
            TokenTree::Group(g) => collect_idents(g.stream(), out),
            _ => {}
        }
    }
}

/// Every path segment in a type.
pub(super) struct TypeNames(pub(super) Vec<String>);

impl<'ast> Visit<'ast> for TypeNames {
    fn visit_path_segment(&mut self, s: &'ast syn::PathSegment) {
        self.0.push(s.ident.to_string());
        visit::visit_path_segment(self, s);
    }
}

/// Identifiers of a path.
pub(super) fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}
