//! Where syntax nodes start and end in the file, and literal values, without printing whole
//! nodes back to tokens (syn's `Spanned` does that, which costs as much as the node is big).

use std::ops::Range;

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::{Expr, Lit};

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
