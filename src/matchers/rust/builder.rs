//! The one visit that fills an [`Index`]: every node kind rust forms ask about is recorded in
//! the same pass, with per-function state (locals bound to `format!` or to a call, and the call
//! a function body consists of).

use std::collections::HashMap;
use std::ops::Range;

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{BinOp, Expr, Fields, Pat, Stmt, Token, UseTree};

use super::chunks::{Chunk, ChunkKind};
use super::index::{
    Arg, Call, CondMention, FieldDecl, Index, MacroUse, PathUse, Root, ARITHMETIC, COMPARISON, IF, MATCH,
};
use super::mentions::{expr_start, macro_mentions, ExprMentions, Spans};
use super::syntax::{attr_words, derives, expr_end, first_string, literals, segments, use_end, TypeNames};

#[derive(Debug, Clone, Default)]
struct Local {
    format: Option<String>,
    root: Option<Root>,
}

pub(super) struct Builder<'t> {
    spans: Spans<'t>,
    pub(super) index: Index,
    locals: Vec<HashMap<String, Local>>,
    whole_body: Vec<Range<usize>>,
    seen_conditions: HashMap<(usize, usize), usize>,
    /// Inside a pattern that tests a value (`Nid::SHA1 => ...`): its paths are not uses.
    in_value_pattern: usize,
}

impl<'t> Builder<'t> {
    pub(super) fn new(spans: Spans<'t>, index: Index) -> Self {
        Self {
            spans,
            index,
            locals: vec![HashMap::new()],
            whole_body: Vec::new(),
            seen_conditions: HashMap::new(),
            in_value_pattern: 0,
        }
    }

    /// Parses one chunk and visits it; false when it does not parse.
    pub(super) fn chunk(&mut self, text: &str, chunk: &Chunk) -> bool {
        let src = &text[chunk.range.clone()];
        self.spans.base = chunk.range.start;
        match chunk.kind {
            ChunkKind::Item => syn::parse_str::<syn::Item>(src)
                .map(|i| self.visit_item(&i))
                .is_ok(),
            ChunkKind::ImplItem => syn::parse_str::<syn::ImplItem>(src)
                .map(|i| self.visit_impl_item(&i))
                .is_ok(),
            ChunkKind::TraitItem => syn::parse_str::<syn::TraitItem>(src)
                .map(|i| self.visit_trait_item(&i))
                .is_ok(),
        }
    }
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

    fn visit_pat(&mut self, p: &'ast syn::Pat) {
        // `match digest { Nid::MD5 | Nid::SHA1 => upgrade() }` asks which algorithm a value
        // names; it does not use it. Bindings with types (`h: sha1::Sha1`) still count.
        let tests_value = matches!(
            p,
            syn::Pat::Path(_) | syn::Pat::TupleStruct(_) | syn::Pat::Struct(_)
        );
        self.in_value_pattern += usize::from(tests_value);
        visit::visit_pat(self, p);
        self.in_value_pattern -= usize::from(tests_value);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if self.in_value_pattern == 0 && p.segments.len() >= 2
            || (p.leading_colon.is_some() && !p.segments.is_empty())
        {
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
