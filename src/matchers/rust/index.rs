//! One syn parse and one visit of a file, recorded as a rule-independent index of the nodes
//! rust forms look at: calls, macro invocations, struct fields, names in conditions and paths.
//! Spans become byte ranges during the visit, and proc-macro2's thread-local source map is
//! cleared before returning, so nothing outlives the file.

use std::collections::HashMap;
use std::ops::Range;

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{BinOp, Expr, Fields, Meta, Pat, Stmt, Token, UseTree};

use super::mentions::{expr_start, macro_mentions, ExprMentions, Mention, Spans};
use super::names::Imports;
use super::syntax::{expr_end, literal_value, macro_literals};

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
}

/// Parses `text` and indexes it.
pub fn build(text: &str) -> Result<Index, ParseError> {
    let base = syn_offset(text);
    let spans = Spans { text, base };
    let result = match syn::parse_str::<syn::File>(&text[base..]) {
        Ok(file) => {
            let mut builder = Builder {
                spans,
                index: Index::default(),
                locals: vec![HashMap::new()],
                whole_body: Vec::new(),
                seen_conditions: HashMap::new(),
            };
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
            Err(ParseError { message, span })
        }
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}

/// Bytes before what syn parses: a BOM, and a shebang line (kept as its newline).
fn syn_offset(text: &str) -> usize {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[bom..];
    if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        return bom + rest.find('\n').unwrap_or(rest.len());
    }
    bom
}

#[derive(Debug, Clone, Default)]
struct Local {
    format: Option<String>,
    root: Option<Root>,
}

struct Builder<'t> {
    spans: Spans<'t>,
    index: Index,
    locals: Vec<HashMap<String, Local>>,
    whole_body: Vec<Range<usize>>,
    seen_conditions: HashMap<(usize, usize), usize>,
}

fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

impl Builder<'_> {
    fn local(&self, e: &Expr) -> Option<&Local> {
        let Expr::Path(p) = e else { return None };
        let id = p.path.get_ident()?;
        self.locals.last()?.get(&id.to_string())
    }

    /// Records the call a function body consists of, so `whole-body` forms can ask.
    fn fn_body(&mut self, block: &syn::Block) {
        let expr = match block.stmts.as_slice() {
            [Stmt::Expr(Expr::Return(r), _)] => r.expr.as_deref(),
            [Stmt::Expr(e, None)] => Some(e),
            _ => None,
        };
        let mut expr = expr;
        if let Some(Expr::Call(c)) = expr {
            let wrapper =
                matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Ok") || p.path.is_ident("Some"));
            if wrapper && c.args.len() == 1 {
                expr = c.args.first();
            }
        }
        if let Some(e @ (Expr::Call(_) | Expr::MethodCall(_))) = expr {
            let span = self.call_span(e);
            self.whole_body.push(span);
        }
    }

    fn call_span(&self, e: &Expr) -> Range<usize> {
        match e {
            Expr::Call(c) => self.fn_call_span(c),
            Expr::MethodCall(m) => self.spans.between(m.method.span(), m.paren_token.span.close()),
            _ => self.spans.range(expr_start(e)),
        }
    }

    fn fn_call_span(&self, c: &syn::ExprCall) -> Range<usize> {
        self.spans
            .between(expr_start(&c.func), c.paren_token.span.close())
    }

    fn in_fn(&mut self, block: &syn::Block, visit: impl FnOnce(&mut Self)) {
        self.fn_body(block);
        self.locals.push(HashMap::new());
        visit(self);
        self.locals.pop();
    }

    fn arg(&self, e: &Expr) -> Arg {
        let mut mentions = Vec::new();
        ExprMentions::collect(self.spans, e, &mut mentions);
        let span = self.node_range(e);
        let format = self.format_of(e);
        let element = match e {
            Expr::Reference(r) => &*r.expr,
            _ => e,
        };
        let format_span = match element {
            Expr::Array(a) if format.is_some() => a
                .elems
                .iter()
                .find(|x| self.format_of(x).is_some())
                .map_or(span.clone(), |x| self.node_range(x)),
            _ => span.clone(),
        };
        Arg {
            span,
            literals: literals(e),
            format,
            format_span,
            mentions,
        }
    }

    fn node_range(&self, e: &Expr) -> Range<usize> {
        self.spans.range(expr_start(e)).start..self.spans.range(expr_end(e)).end
    }

    /// The format string of an argument built with `format!`, seen through `&`, `*`,
    /// `.as_str()`-like conversions, `+ ..` and locals bound to one.
    fn format_of(&self, e: &Expr) -> Option<String> {
        const THROUGH: &[&str] = &[
            "as_str",
            "as_ref",
            "to_string",
            "to_owned",
            "into",
            "clone",
            "as_bytes",
            "trim",
        ];
        match e {
            Expr::Reference(r) => self.format_of(&r.expr),
            Expr::Paren(p) => self.format_of(&p.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.format_of(&u.expr),
            Expr::MethodCall(m) if m.args.is_empty() && THROUGH.contains(&m.method.to_string().as_str()) => {
                self.format_of(&m.receiver)
            }
            Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => self.format_of(&b.left),
            Expr::Array(a) => a.elems.iter().find_map(|e| self.format_of(e)),
            Expr::Macro(m) => {
                let name = m.mac.path.segments.last()?.ident.to_string();
                matches!(name.as_str(), "format" | "format_args").then(|| first_string(&m.mac.tokens))
            }
            Expr::Path(_) => self.local(e)?.format.clone(),
            _ => None,
        }
    }

    /// The call a method chain (or the local it starts from) begins with.
    fn root_of(&self, e: &Expr) -> Option<Root> {
        match e {
            Expr::MethodCall(m) => self.root_of(&m.receiver),
            Expr::Reference(r) => self.root_of(&r.expr),
            Expr::Paren(p) => self.root_of(&p.expr),
            Expr::Try(t) => self.root_of(&t.expr),
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => Some(Root {
                    path: segments(&p.path),
                    literals: c.args.iter().flat_map(literals).collect(),
                }),
                _ => None,
            },
            Expr::Path(_) => self.local(e)?.root.clone(),
            _ => None,
        }
    }

    fn record_call(
        &mut self,
        path: Vec<String>,
        method: bool,
        span: Range<usize>,
        args: Vec<Arg>,
        receiver: Option<Root>,
    ) {
        let whole_body = self.whole_body.contains(&span);
        self.index.calls.push(Call {
            path,
            method,
            span,
            args,
            receiver,
            whole_body,
        });
    }

    /// Names in a decision: `if`/`while` conditions (not `let` patterns), scrutinees, operands.
    fn condition(&mut self, e: &Expr, context: u8) {
        match e {
            Expr::Let(_) => {}
            Expr::Binary(b) if matches!(b.op, BinOp::And(_) | BinOp::Or(_)) => {
                self.condition(&b.left, context);
                self.condition(&b.right, context);
            }
            _ => {
                let mut found = Vec::new();
                ExprMentions::collect(self.spans, e, &mut found);
                for mention in found {
                    let key = (mention.span.start, mention.span.end);
                    match self.seen_conditions.get(&key) {
                        Some(&i) => self.index.conditions[i].contexts |= context,
                        None => {
                            self.seen_conditions.insert(key, self.index.conditions.len());
                            self.index.conditions.push(CondMention {
                                mention,
                                contexts: context,
                            });
                        }
                    }
                }
            }
        }
    }

    fn fields(&mut self, attrs: &[syn::Attribute], fields: &Fields) {
        let derives = derives(attrs);
        if derives.is_empty() {
            return;
        }
        for field in fields.iter() {
            let Some(id) = &field.ident else { continue };
            let mut names = TypeNames(Vec::new());
            names.visit_type(&field.ty);
            let end = self.spans.node(&field.ty).end;
            self.index.fields.push(FieldDecl {
                name: id.to_string().trim_start_matches("r#").to_string(),
                span: self.spans.range(id.span()).start..end,
                derives: derives.clone(),
                attrs: field.attrs.iter().map(attr_words).collect(),
                type_names: names.0,
            });
        }
    }

    fn use_tree(&mut self, tree: &UseTree, prefix: &mut Vec<String>) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                let span = self.spans.between(p.ident.span(), use_end(&p.tree));
                self.index.paths.push(PathUse {
                    segments: prefix.clone(),
                    span,
                });
                self.use_tree(&p.tree, prefix);
                prefix.pop();
            }
            UseTree::Name(n) => self.use_leaf(&n.ident, &n.ident, prefix),
            UseTree::Rename(r) => self.use_leaf(&r.ident, &r.rename, prefix),
            UseTree::Glob(_) => self.index.imports.globs.push(prefix.clone()),
            UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(item, prefix);
                }
            }
        }
    }

    fn use_leaf(&mut self, ident: &syn::Ident, local: &syn::Ident, prefix: &[String]) {
        let mut full = prefix.to_vec();
        if ident != "self" {
            full.push(ident.to_string());
        }
        let local_name = if local == "self" {
            full.last().cloned()
        } else {
            Some(local.to_string())
        };
        let span = self.spans.between(ident.span(), local.span());
        if let Some(name) = local_name {
            self.index.imports.names.insert(name, full.clone());
        }
        self.index.paths.push(PathUse { segments: full, span });
    }
}

impl<'ast> Visit<'ast> for Builder<'_> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.in_fn(&f.block, |me| visit::visit_item_fn(me, f));
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.in_fn(&f.block, |me| visit::visit_impl_item_fn(me, f));
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        match &f.default {
            Some(block) => self.in_fn(block, |me| visit::visit_trait_item_fn(me, f)),
            None => visit::visit_trait_item_fn(self, f),
        }
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let Some(init) = &l.init {
            let name = match &l.pat {
                Pat::Ident(p) => Some(p.ident.to_string()),
                Pat::Type(t) => match &*t.pat {
                    Pat::Ident(p) => Some(p.ident.to_string()),
                    _ => None,
                },
                _ => None,
            };
            if let Some(name) = name {
                let local = Local {
                    format: self.format_of(&init.expr),
                    root: self.root_of(&init.expr),
                };
                if let Some(scope) = self.locals.last_mut() {
                    scope.insert(name, local);
                }
            }
        }
        visit::visit_local(self, l);
    }

    fn visit_expr_call(&mut self, e: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*e.func {
            if p.qself.is_none() {
                let span = self.fn_call_span(e);
                let args = e.args.iter().map(|a| self.arg(a)).collect();
                self.record_call(segments(&p.path), false, span, args, None);
            }
        }
        visit::visit_expr_call(self, e);
    }

    fn visit_expr_method_call(&mut self, e: &'ast syn::ExprMethodCall) {
        let span = self.spans.between(e.method.span(), e.paren_token.span.close());
        let args = e.args.iter().map(|a| self.arg(a)).collect();
        let receiver = self.root_of(&e.receiver);
        self.record_call(vec![e.method.to_string()], true, span, args, receiver);
        visit::visit_expr_method_call(self, e);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let path = segments(&m.path);
        if path.last().is_some_and(|s| s == "macro_rules") {
            return;
        }
        let first = m
            .path
            .segments
            .first()
            .map_or_else(Span::call_site, |s| s.ident.span());
        let span = self.spans.between(first, m.delimiter.span().close());
        let mentions = macro_mentions(self.spans, m.tokens.clone());
        self.index.macros.push(MacroUse { path, span, mentions });
        // Most macro bodies are comma-separated expressions (format!, println!, vec!, assert!):
        // visit them like code, so a call inside `format!("{}", md5::compute(x))` counts.
        if let Ok(args) = m.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            for arg in &args {
                self.visit_expr(arg);
            }
        }
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        self.fields(&s.attrs, &s.fields);
        visit::visit_item_struct(self, s);
    }

    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        for variant in &e.variants {
            self.fields(&e.attrs, &variant.fields);
        }
        visit::visit_item_enum(self, e);
    }

    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        self.condition(&e.cond, IF);
        visit::visit_expr_if(self, e);
    }

    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.condition(&e.cond, IF);
        visit::visit_expr_while(self, e);
    }

    fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
        self.condition(&e.expr, MATCH);
        visit::visit_expr_match(self, e);
    }

    fn visit_pat_guard(&mut self, g: &'ast syn::PatGuard) {
        self.condition(&g.guard, MATCH);
        visit::visit_pat_guard(self, g);
    }

    fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
        if let Some(context) = binary_context(&e.op) {
            self.condition(&e.left, context);
            self.condition(&e.right, context);
        }
        visit::visit_expr_binary(self, e);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&u.tree, &mut Vec::new());
    }

    fn visit_item_extern_crate(&mut self, e: &'ast syn::ItemExternCrate) {
        let name = e.ident.to_string();
        if e.attrs.iter().any(|a| a.path().is_ident("macro_use")) {
            self.index.imports.macro_use.push(name.clone());
        }
        let span = self.spans.range(e.ident.span());
        self.index.paths.push(PathUse {
            segments: vec![name],
            span,
        });
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.segments.len() >= 2 || (p.leading_colon.is_some() && !p.segments.is_empty()) {
            let first = p.segments.first().map(|s| s.ident.span());
            let last = p.segments.last().map(|s| s.ident.span());
            if let (Some(first), Some(last)) = (first, last) {
                let span = self.spans.between(first, last);
                self.index.paths.push(PathUse {
                    segments: segments(p),
                    span,
                });
            }
        }
        visit::visit_path(self, p);
    }
}

fn binary_context(op: &BinOp) -> Option<u8> {
    match op {
        BinOp::Eq(_) | BinOp::Ne(_) | BinOp::Lt(_) | BinOp::Le(_) | BinOp::Gt(_) | BinOp::Ge(_) => {
            Some(COMPARISON)
        }
        BinOp::Add(_)
        | BinOp::Sub(_)
        | BinOp::Mul(_)
        | BinOp::Div(_)
        | BinOp::Rem(_)
        | BinOp::AddAssign(_)
        | BinOp::SubAssign(_)
        | BinOp::MulAssign(_)
        | BinOp::DivAssign(_)
        | BinOp::RemAssign(_) => Some(ARITHMETIC),
        _ => None,
    }
}

/// The last token of a `use` subtree.
fn use_end(tree: &UseTree) -> Span {
    match tree {
        UseTree::Path(p) => use_end(&p.tree),
        UseTree::Name(n) => n.ident.span(),
        UseTree::Rename(r) => r.rename.span(),
        UseTree::Glob(g) => g.star_token.spans[0],
        UseTree::Group(g) => g.brace_token.span.close(),
    }
}

/// Literal values of an argument: itself, or the elements of an array, slice or `vec!`.
fn literals(e: &Expr) -> Vec<String> {
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
fn first_string(tokens: &TokenStream) -> String {
    match tokens.clone().into_iter().next() {
        Some(TokenTree::Literal(l)) => match syn::Lit::new(l) {
            syn::Lit::Str(s) => s.value(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// Traits named in `#[derive(..)]` and `#[cfg_attr(.., derive(..))]`.
fn derives(attrs: &[syn::Attribute]) -> Vec<String> {
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

fn attr_words(attr: &syn::Attribute) -> AttrWords {
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
struct TypeNames(Vec<String>);

impl<'ast> Visit<'ast> for TypeNames {
    fn visit_path_segment(&mut self, s: &'ast syn::PathSegment) {
        self.0.push(s.ident.to_string());
        visit::visit_path_segment(self, s);
    }
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
        let index = build(text).unwrap();
        let call = &index.calls[0];
        assert_eq!(&text[call.span.clone()], "md5::compute(password)");
        assert_eq!(&text[call.args[0].span.clone()], "password");
        assert_eq!(index.paths[0].segments, vec!["md5", "compute"]);
    }

    #[test]
    fn parse_errors_have_a_span() {
        let err = build("fn f( {").unwrap_err();
        assert!(!err.message.is_empty());
    }
}
