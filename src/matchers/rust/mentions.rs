//! Which identifiers and fields an expression or a macro's arguments mention, with exact spans
//! and the calls they are wrapped in (`redact(&user.email)`, `user.email.len()`).
//!
//! Expressions come parsed by syn; macro arguments are token trees syn leaves unparsed, so they
//! are read with a small token walker that knows format strings (`"{email}"` captures), named
//! arguments (`email = %x`) and tracing's `%`/`?`/`target:` forms. Words inside string
//! literals are never mentions: only inline captures of a format string are.

use std::ops::Range;

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{Expr, Member};

pub use super::syntax::{expr_start, Spans};

/// One identifier or field named in an expression.
#[derive(Debug, Clone)]
pub struct Mention {
    /// The identifier, field or getter name (`email` for `user.email`).
    pub name: String,
    /// Bytes of the mention in the file (`user.email`, or `email` inside `"{email}"`).
    pub span: Range<usize>,
    /// Names of the calls and methods it is passed to or through, innermost last.
    pub wrappers: Vec<String>,
}

/// Words that are never a mention.
const NOT_VALUES: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while",
];

/// An identifier that can name a value: not a keyword, not a type, const or variant (those
/// start with an uppercase letter).
fn is_value_name(name: &str) -> bool {
    !NOT_VALUES.contains(&name) && !name.starts_with(|c: char| c.is_uppercase())
}

fn ident_name(id: &proc_macro2::Ident) -> String {
    let s = id.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

/// Collects the mentions of a parsed expression.
pub struct ExprMentions<'m, 't> {
    spans: Spans<'t>,
    out: &'m mut Vec<Mention>,
    wrappers: Vec<String>,
}

impl<'m, 't> ExprMentions<'m, 't> {
    /// Mentions of `expr`, appended to `out`.
    pub fn collect(spans: Spans<'t>, expr: &Expr, out: &'m mut Vec<Mention>) {
        let mut me = Self {
            spans,
            out,
            wrappers: Vec::new(),
        };
        me.visit_expr(expr);
    }

    fn push(&mut self, name: String, span: Range<usize>) {
        self.out.push(Mention {
            name,
            span,
            wrappers: self.wrappers.clone(),
        });
    }
}

impl<'ast> Visit<'ast> for ExprMentions<'_, '_> {
    fn visit_expr_path(&mut self, e: &'ast syn::ExprPath) {
        if let (None, None, 1) = (&e.qself, &e.path.leading_colon, e.path.segments.len()) {
            let id = &e.path.segments[0].ident;
            let name = ident_name(id);
            if is_value_name(&name) {
                self.push(name, self.spans.range(id.span()));
            }
        }
    }

    fn visit_expr_field(&mut self, e: &'ast syn::ExprField) {
        if let Member::Named(id) = &e.member {
            let span = self.spans.between(expr_start(&e.base), id.span());
            self.push(ident_name(id), span);
        }
        self.visit_expr(&e.base);
    }

    fn visit_expr_method_call(&mut self, e: &'ast syn::ExprMethodCall) {
        if e.args.is_empty() {
            let span = self
                .spans
                .between(expr_start(&e.receiver), e.paren_token.span.close());
            self.push(ident_name(&e.method), span);
        }
        self.wrappers.push(ident_name(&e.method));
        self.visit_expr(&e.receiver);
        for arg in &e.args {
            self.visit_expr(arg);
        }
        self.wrappers.pop();
    }

    fn visit_expr_call(&mut self, e: &'ast syn::ExprCall) {
        let name = match &*e.func {
            Expr::Path(p) => p.path.segments.last().map(|s| ident_name(&s.ident)),
            _ => None,
        };
        self.wrappers.push(name.unwrap_or_default());
        for arg in &e.args {
            self.visit_expr(arg);
        }
        self.wrappers.pop();
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let mut walker = TokenMentions {
            spans: self.spans,
            out: Vec::new(),
        };
        walker.args(m.tokens.clone(), &mut self.wrappers);
        self.out.append(&mut walker.out);
    }

    fn visit_expr_closure(&mut self, e: &'ast syn::ExprClosure) {
        visit::visit_expr(self, &e.body);
    }
}

/// Mentions in a macro's arguments, read from its tokens.
pub fn macro_mentions(spans: Spans<'_>, tokens: TokenStream) -> Vec<Mention> {
    let mut walker = TokenMentions {
        spans,
        out: Vec::new(),
    };
    walker.args(tokens, &mut Vec::new());
    walker.out
}

struct TokenMentions<'t> {
    spans: Spans<'t>,
    out: Vec<Mention>,
}

fn is_punct(t: Option<&TokenTree>, c: char) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

impl TokenMentions<'_> {
    fn push(&mut self, name: String, span: Range<usize>, wrappers: &[String]) -> usize {
        self.out.push(Mention {
            name,
            span,
            wrappers: wrappers.to_vec(),
        });
        self.out.len() - 1
    }

    /// Comma-separated arguments of a format-like or tracing macro.
    fn args(&mut self, tokens: TokenStream, wrappers: &mut Vec<String>) {
        let all: Vec<TokenTree> = tokens.into_iter().collect();
        for arg in all.split(|t| is_punct(Some(t), ',')) {
            self.arg(arg, wrappers);
        }
    }

    fn arg(&mut self, toks: &[TokenTree], wrappers: &mut Vec<String>) {
        if let [TokenTree::Ident(id), TokenTree::Punct(p), ..] = toks {
            let meta = matches!(id.to_string().as_str(), "target" | "parent" | "name");
            if meta && p.as_char() == ':' && p.spacing() == Spacing::Alone {
                return;
            }
        }
        let toks = strip_sigil(toks);
        if let Some(eq) = named_arg(toks) {
            let value = strip_sigil(&toks[eq + 1..]);
            if !matches!(value, [TokenTree::Literal(_)]) {
                self.named(&toks[..eq], value, wrappers);
            }
            self.walk(value, wrappers);
        } else if let [TokenTree::Literal(lit)] = toks {
            self.captures(lit, wrappers);
        } else {
            self.walk(toks, wrappers);
        }
    }

    /// `email = value` / `user.email = %value`: the name is a mention, wrapped by the value's
    /// outermost call (`email = %redact(x)` is wrapped by `redact`).
    fn named(&mut self, name: &[TokenTree], value: &[TokenTree], wrappers: &[String]) {
        let (Some(TokenTree::Ident(first)), Some(TokenTree::Ident(last))) = (name.first(), name.last())
        else {
            return;
        };
        let mut wrapped = wrappers.to_vec();
        if let [.., TokenTree::Ident(f), TokenTree::Group(g)] = value {
            if g.delimiter() == Delimiter::Parenthesis {
                wrapped.push(ident_name(f));
            }
        }
        let span = self.spans.between(first.span(), last.span());
        self.push(ident_name(last), span, &wrapped);
    }

    /// Inline captures of a format string: `"{email}"`, `"{user_email:?}"`.
    fn captures(&mut self, lit: &proc_macro2::Literal, wrappers: &[String]) {
        let range = self.spans.range(lit.span());
        let Some(src) = self.spans.text.get(range.clone()) else {
            return;
        };
        let raw = src.starts_with('r');
        if !(src.starts_with('"') || raw) {
            return;
        }
        for (at, name) in format_captures(src, raw) {
            let start = range.start + at;
            self.push(name.to_string(), start..start + name.len(), wrappers);
        }
    }

    /// An expression's tokens: identifiers, field chains, calls, nested macros and groups.
    fn walk(&mut self, toks: &[TokenTree], wrappers: &mut Vec<String>) {
        let mut chain: Vec<usize> = Vec::new();
        let mut chain_start: Option<Span> = None;
        let mut i = 0;
        while i < toks.len() {
            i = match &toks[i] {
                TokenTree::Ident(_) => self.ident(toks, i, wrappers, &mut chain, &mut chain_start),
                TokenTree::Punct(p) if p.as_char() == '.' => {
                    self.member(toks, i, wrappers, &mut chain, chain_start)
                }
                TokenTree::Punct(p) => {
                    if p.as_char() != '?' {
                        chain.clear();
                        chain_start = None;
                    }
                    i + 1
                }
                TokenTree::Group(g) => {
                    self.walk(&g.stream().into_iter().collect::<Vec<_>>(), wrappers);
                    chain.clear();
                    chain_start = Some(g.span());
                    i + 1
                }
                TokenTree::Literal(l) => {
                    chain.clear();
                    chain_start = Some(l.span());
                    i + 1
                }
            };
        }
    }

    /// A (possibly qualified) identifier at `i`: a value, a call, or a macro invocation.
    fn ident(
        &mut self,
        toks: &[TokenTree],
        i: usize,
        wrappers: &mut Vec<String>,
        chain: &mut Vec<usize>,
        chain_start: &mut Option<Span>,
    ) -> usize {
        let mut j = i;
        while is_punct(toks.get(j + 1), ':') && is_punct(toks.get(j + 2), ':') {
            if !matches!(toks.get(j + 3), Some(TokenTree::Ident(_))) {
                break;
            }
            j += 3;
        }
        let TokenTree::Ident(id) = &toks[j] else {
            return j + 1;
        };
        let name = ident_name(id);
        chain.clear();
        *chain_start = Some(toks[i].span());
        match (toks.get(j + 1), toks.get(j + 2)) {
            (Some(TokenTree::Punct(p)), Some(TokenTree::Group(g))) if p.as_char() == '!' => {
                self.args(g.stream(), wrappers);
                j + 3
            }
            (Some(TokenTree::Group(g)), _) if g.delimiter() == Delimiter::Parenthesis => {
                wrappers.push(name);
                self.walk(&g.stream().into_iter().collect::<Vec<_>>(), wrappers);
                wrappers.pop();
                j + 2
            }
            _ => {
                if j == i && is_value_name(&name) {
                    chain.push(self.push(name, self.spans.range(id.span()), wrappers));
                }
                j + 1
            }
        }
    }

    /// `.field`, `.method(args)` or `.0` after an expression.
    fn member(
        &mut self,
        toks: &[TokenTree],
        i: usize,
        wrappers: &mut Vec<String>,
        chain: &mut Vec<usize>,
        chain_start: Option<Span>,
    ) -> usize {
        let Some(TokenTree::Ident(id)) = toks.get(i + 1) else {
            return i + 2;
        };
        let name = ident_name(id);
        let start = chain_start.unwrap_or_else(|| id.span());
        if let Some(TokenTree::Group(g)) = toks.get(i + 2) {
            if g.delimiter() == Delimiter::Parenthesis {
                for &m in chain.iter() {
                    self.out[m].wrappers.push(name.clone());
                }
                if g.stream().is_empty() {
                    chain.push(self.push(name.clone(), self.spans.between(start, g.span()), wrappers));
                }
                wrappers.push(name);
                self.walk(&g.stream().into_iter().collect::<Vec<_>>(), wrappers);
                wrappers.pop();
                return i + 3;
            }
        }
        chain.push(self.push(name, self.spans.between(start, id.span()), wrappers));
        i + 2
    }
}

/// Drops tracing's leading `%` (Display) or `?` (Debug) sigil.
fn strip_sigil(toks: &[TokenTree]) -> &[TokenTree] {
    match toks.first() {
        Some(TokenTree::Punct(p)) if matches!(p.as_char(), '%' | '?') => &toks[1..],
        _ => toks,
    }
}

/// Index of the `=` of `name = value` / `a.b = value` (not `==`, `=>`, `<=`).
fn named_arg(toks: &[TokenTree]) -> Option<usize> {
    let mut i = 0;
    loop {
        if !matches!(toks.get(i), Some(TokenTree::Ident(_))) {
            return None;
        }
        match toks.get(i + 1) {
            Some(TokenTree::Punct(p)) if p.as_char() == '=' && p.spacing() == Spacing::Alone => {
                return Some(i + 1)
            }
            Some(TokenTree::Punct(p)) if p.as_char() == '.' => i += 2,
            _ => return None,
        }
    }
}

/// `(byte offset in src, name)` of each `{name}` / `{name:spec}` capture in a string
/// literal's source text; `{{` is an escape, `\u{..}` is not a capture.
pub fn format_captures(src: &str, raw: bool) -> Vec<(usize, &str)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if !raw && b.get(i + 1) == Some(&b'u') => {
                i = b[i..]
                    .iter()
                    .position(|&c| c == b'}')
                    .map_or(b.len(), |n| i + n + 1);
            }
            b'\\' if !raw => i += 2,
            b'{' if b.get(i + 1) == Some(&b'{') => i += 2,
            b'{' => {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_' || b[end] >= 0x80) {
                    end += 1;
                }
                let name = &src[start..end];
                let closes = matches!(b.get(end), Some(b'}' | b':'));
                if closes && super::names::is_ident(name) && name != "_" {
                    out.push((start, name));
                }
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(src: &str) -> Vec<(String, String, Vec<String>)> {
        let tokens: TokenStream = src.parse().unwrap();
        let spans = Spans { text: src, base: 0 };
        let out = macro_mentions(spans, tokens)
            .into_iter()
            .map(|m| (m.name, src[m.span].to_string(), m.wrappers))
            .collect();
        proc_macro2::extra::invalidate_current_thread_spans();
        out
    }

    fn just(src: &str) -> Vec<(String, String)> {
        names(src).into_iter().map(|(n, s, _)| (n, s)).collect()
    }

    #[test]
    fn format_strings_and_arguments() {
        assert_eq!(
            just(r#""{} {email:?}", user.email"#),
            vec![
                ("email".into(), "email".into()),
                ("user".into(), "user".into()),
                ("email".into(), "user.email".into())
            ]
        );
        assert!(just(r#""email sent to {}", count"#)
            .iter()
            .all(|m| m.0 == "count"));
        assert!(just(r#""{{email}} \u{e9}""#).is_empty());
    }

    #[test]
    fn tracing_fields_and_sigils() {
        assert_eq!(
            just(r#"target: "auth", email = %addr, ?user.phone, "signed in""#),
            vec![
                ("email".into(), "email".into()),
                ("addr".into(), "addr".into()),
                ("user".into(), "user".into()),
                ("phone".into(), "user.phone".into()),
            ]
        );
        assert!(just(r#"email = "redacted""#).is_empty());
    }

    #[test]
    fn wrappers_record_calls_and_methods() {
        let got = names(r#""{}", redact(&user.email).to_string(), user.email.len(), Gender::Female"#);
        let email: Vec<_> = got.iter().filter(|m| m.0 == "email").collect();
        assert_eq!(email[0].2, vec!["redact".to_string()]);
        assert_eq!(email[1].2, vec!["len".to_string()]);
        assert!(got.iter().all(|m| m.0 != "Female" && m.0 != "Gender"));
    }
}
