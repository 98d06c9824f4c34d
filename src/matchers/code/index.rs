//! The language-neutral code index: what structural rules look at, filled by one front-end per
//! language. Expressions live in an arena; calls, assignments and properties point into it.
//!
//! Paths are dotted segments after import-alias resolution (`req.get` with `import requests as
//! req` is `requests.get`); a call in a chain contributes its callee's segments
//! (`requests.Session().get` is `requests.Session.get`).

use std::collections::HashMap;
use std::ops::Range;

/// Index of an expression in [`Index::exprs`].
pub type ExprId = usize;
/// Index of a call in [`Index::calls`].
pub type CallId = usize;

/// One expression, reduced to what the forms ask about.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A string literal without interpolation: its text between the quotes.
    Str(String),
    /// Any other literal, lowercased: `true`, `false`, `none`, `null`, `0`.
    Lit(String),
    /// An identifier.
    Name(String),
    /// `base.name`.
    Attr(ExprId, String),
    /// `base[key]`, with the key when it is a string literal.
    Index(ExprId, Option<String>),
    /// A call or `new`.
    Call(CallId),
    /// A string built by concatenation or interpolation (f-string, template literal): literal
    /// pieces are `Str`, the rest are the interpolated values.
    Concat(Vec<ExprId>),
    /// A format call or `%`: the template and the values formatted into it.
    Format(ExprId, Vec<ExprId>),
    /// A `key: value` / `key=value` pair inside a larger expression (object literal, kwarg).
    Pair(String, ExprId),
    /// Anything else, by its sub-expressions (mentions look through it).
    Other(Vec<ExprId>),
}

/// A call, method call, constructor call or (Go) composite literal.
#[derive(Debug, Clone)]
pub struct Call {
    /// Callee path after alias resolution.
    pub path: Vec<String>,
    /// The receiver of a method call (`user.email` in `user.email.lower()`).
    pub receiver: Option<ExprId>,
    /// Positional arguments.
    pub args: Vec<ExprId>,
    /// Named arguments: Python keywords, properties of object-literal arguments (JS), keyed
    /// elements (Go composite literals).
    pub named: Vec<(String, ExprId)>,
    /// The call whose receiver chain starts at this one (`createHash('md5').update(pw)`).
    pub chained_by: Option<CallId>,
    /// Span of the whole call.
    pub span: Range<usize>,
    /// Enclosing function (an index into [`Index::functions`]), `None` at module level.
    pub func: Option<usize>,
}

/// `target = value` (also `let`/`const`/`var`, `:=`, augmented assignment as a Concat).
#[derive(Debug, Clone)]
pub struct Assign {
    /// Dotted target (`q`, `self.password`, `process.env.NODE_TLS_REJECT_UNAUTHORIZED`).
    pub target: Vec<String>,
    /// The value.
    pub value: ExprId,
    /// Span of the whole assignment.
    pub span: Range<usize>,
    /// Enclosing function.
    pub func: Option<usize>,
}

/// Everything indexed in one file.
#[derive(Debug, Default)]
pub struct Index {
    /// Expression arena.
    pub exprs: Vec<(Expr, Range<usize>)>,
    /// Calls in source order of their start.
    pub calls: Vec<Call>,
    /// Assignments in source order.
    pub assigns: Vec<Assign>,
    /// Function spans.
    pub functions: Vec<Range<usize>>,
    /// Import aliases: local name -> full dotted path.
    pub aliases: HashMap<String, Vec<String>>,
}

impl Index {
    /// Adds an expression.
    pub fn push(&mut self, e: Expr, span: Range<usize>) -> ExprId {
        self.exprs.push((e, span));
        self.exprs.len() - 1
    }

    /// The expression.
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id].0
    }

    /// Its span.
    pub fn span(&self, id: ExprId) -> Range<usize> {
        self.exprs[id].1.clone()
    }

    /// Dotted path of a name/attribute/call chain, aliases resolved on the first segment.
    pub fn path_of(&self, id: ExprId) -> Vec<String> {
        let mut out = Vec::new();
        self.raw_path(id, &mut out, 0);
        if let Some(first) = out.first() {
            if let Some(full) = self.aliases.get(first) {
                let mut resolved = full.clone();
                resolved.extend(out.drain(1..));
                return resolved;
            }
        }
        out
    }

    fn raw_path(&self, id: ExprId, out: &mut Vec<String>, depth: usize) {
        if depth > 64 {
            return;
        }
        match self.expr(id) {
            Expr::Name(n) => out.push(n.clone()),
            Expr::Attr(base, n) => {
                self.raw_path(*base, out, depth + 1);
                out.push(n.clone());
            }
            Expr::Index(base, _) => self.raw_path(*base, out, depth + 1),
            Expr::Call(c) => out.extend(self.calls[*c].path.iter().cloned()),
            _ => out.push("?".into()),
        }
    }

    /// The function that contains byte `at` (innermost), if any.
    pub fn function_at(&self, at: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, f) in self.functions.iter().enumerate() {
            if f.start <= at && at < f.end && best.is_none_or(|b| self.functions[b].start <= f.start) {
                best = Some(i);
            }
        }
        best
    }

    /// Values assigned to the plain name `name` before byte `before`, in function `func`, or at
    /// module level when the function has none: local data flow within one function.
    pub fn values_of(&self, name: &str, func: Option<usize>, before: usize) -> Vec<ExprId> {
        let pick = |f: Option<usize>| -> Vec<ExprId> {
            self.assigns
                .iter()
                .filter(|a| {
                    a.func == f && a.span.start < before && a.target.len() == 1 && a.target[0] == name
                })
                .map(|a| a.value)
                .collect()
        };
        let local = pick(func);
        if !local.is_empty() || func.is_none() {
            return local;
        }
        pick(None)
    }

    /// The function an expression belongs to.
    pub fn func_of(&self, id: ExprId) -> Option<usize> {
        self.function_at(self.exprs[id].1.start)
    }
}

/// Whether a name reads as a constant (`TABLE`, `_ORDERING`).
pub fn is_constant_name(name: &str) -> bool {
    let t = name.trim_start_matches('_');
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_uppercase())
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `dateOfBirth`, `CardNumber`, `remote-addr` -> `date_of_birth`, `card_number`, `remote_addr`:
/// mention patterns are written once, in snake case, for every language.
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' {
            out.push('_');
        } else if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if i > 0 && !out.ends_with('_') && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_of_every_style() {
        assert_eq!(snake("dateOfBirth"), "date_of_birth");
        assert_eq!(snake("CardNumber"), "card_number");
        assert_eq!(snake("RemoteAddr"), "remote_addr");
        assert_eq!(snake("IPAddress"), "ip_address");
        assert_eq!(snake("user_email"), "user_email");
        assert_eq!(snake("getEmail"), "get_email");
    }

    #[test]
    fn constants() {
        assert!(is_constant_name("TABLE_NAME"));
        assert!(is_constant_name("_ORDERING"));
        assert!(!is_constant_name("name"));
        assert!(!is_constant_name("_"));
    }
}
