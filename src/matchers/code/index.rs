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
    /// A comparison (`==`, `!=`, `<`, `>=`, `in`, `is`, `===`): its operands.
    Compare(Vec<ExprId>),
    /// Arithmetic (`*`, `/`, `-`, `%`, `**`): its operands. `+` is a [`Expr::Concat`], since
    /// without types it may join strings.
    Arith(Vec<ExprId>),
    /// Anything else, by its sub-expressions (mentions look through it).
    Other(Vec<ExprId>),
}

/// Where a value decides what the code does, besides comparisons and arithmetic (which are
/// expressions of their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestPlace {
    /// The condition of an `if`, `elif`, `while`, ternary or comprehension filter.
    Condition,
    /// The subject of a `switch` or `match`.
    Switch,
}

/// A call, method call, constructor call or (Go) composite literal.
#[derive(Debug, Clone)]
pub struct Call {
    /// Callee path after alias resolution.
    pub path: Vec<String>,
    /// The path as written, when an import alias changed it (`mixpanel.track` for
    /// `import mixpanel from 'mixpanel-browser'`): names match either.
    pub written: Option<Vec<String>>,
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

impl Call {
    /// A call as a front-end sees it: callee, receiver and arguments at `span`; the builder
    /// fills in aliases, chaining and the enclosing function.
    pub fn new(
        path: Vec<String>,
        receiver: Option<ExprId>,
        args: Vec<ExprId>,
        named: Vec<(String, ExprId)>,
        span: Range<usize>,
    ) -> Self {
        Self {
            path,
            written: None,
            receiver,
            args,
            named,
            chained_by: None,
            span,
            func: None,
        }
    }
}

/// A value made by applying an expression to the items of something else: its items are
/// `body` with each name in `vars` bound to an item of the expression beside it (`None`: bound
/// to whatever the lambda is applied to). The other parts (filters, the iterable itself) do
/// not end up in the value.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// The expression each item is.
    pub body: ExprId,
    /// Names the body reads items through, and what they iterate.
    pub vars: Vec<(String, Option<ExprId>)>,
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
    /// The statement list the assignment runs in unconditionally (a block, a module, a case),
    /// or the conditional or loop construct it belongs to: a later read inside this span sees
    /// this value and no earlier one.
    pub block: Range<usize>,
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
    /// Stores into an element of a local array by index (`cmd[2] = command`), in source order:
    /// the assignment (its target the array's name) and the index expression.
    pub elements: Vec<(Assign, ExprId)>,
    /// Function spans.
    pub functions: Vec<Range<usize>>,
    /// Tested values: conditions and switch subjects, in source order.
    pub tests: Vec<(TestPlace, ExprId)>,
    /// Computed keys of subscripts: the `Index` expression and its key (`df[["age", "income"]]`,
    /// `df[df["age"] < 30]`).
    pub computed_keys: HashMap<ExprId, ExprId>,
    /// Declared types of parameters and locals: name, type name (its last segment), span.
    pub types: Vec<(String, String, Range<usize>)>,
    /// Comprehensions and expression-bodied lambdas, by their expression: what their value is
    /// made of (see [`Mapped`]).
    pub mapped: HashMap<ExprId, Mapped>,
    /// Imported modules (`os.path`, `child_process`, `crypto/md5`, `java.io.ObjectInputStream`)
    /// as dotted segments, with the import's span.
    pub imports: Vec<(Vec<String>, Range<usize>)>,
    /// Import aliases: local name -> full dotted path.
    pub aliases: HashMap<String, Vec<String>>,
    /// Whether indexing stopped early (time budget): the index is partial.
    pub truncated: bool,
    expr_func: Vec<Option<usize>>,
    by_name: HashMap<(String, Option<usize>), Vec<usize>>,
    assigns_by_func: HashMap<Option<usize>, Vec<usize>>,
    elements_by_name: HashMap<(String, Option<usize>), Vec<usize>>,
    /// Names assigned a new string builder somewhere in a function (or at module level).
    builder_names: std::collections::HashSet<(String, Option<usize>)>,
    /// Calls of an [`APPEND_LIKE`] method on a local, by the local's name and function.
    appends_by_name: HashMap<(String, Option<usize>), Vec<CallId>>,
    type_by_name: HashMap<(String, Option<usize>), String>,
    calls_by_func: HashMap<Option<usize>, Vec<usize>>,
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

    /// Values assigned to the plain name `name` before byte `before`, in function `func`, or at
    /// module level when the function has none: local data flow within one function.
    pub fn values_of(&self, name: &str, func: Option<usize>, before: usize) -> Vec<ExprId> {
        let pick = |f: Option<usize>| -> Vec<ExprId> {
            let Some(ids) = self.by_name.get(&(name.to_string(), f)) else {
                return Vec::new();
            };
            visible(ids.iter().map(|&i| &self.assigns[i]), before).0
        };
        let local = pick(func);
        if !local.is_empty() || func.is_none() {
            return local;
        }
        pick(None)
    }

    /// The values stored into elements of the local array `name` (`cmd[2] = command`) in
    /// function `func`, after byte `after` and before byte `before`, by literal index: for
    /// each index, the values a read at `before` may see and whether the last store replaces
    /// whatever the element held before (it runs unconditionally in the read's block). Stores at
    /// a computed index (`cmd[i] = x`) are left out: see [`Index::computed_element_values`].
    pub fn element_values(
        &self,
        name: &str,
        func: Option<usize>,
        after: usize,
        before: usize,
    ) -> Vec<(usize, Vec<ExprId>, bool)> {
        let Some(ids) = self.elements_by_name.get(&(name.to_string(), func)) else {
            return Vec::new();
        };
        let mut by_key: std::collections::BTreeMap<usize, Vec<&Assign>> = Default::default();
        for &i in ids {
            let (a, key) = &self.elements[i];
            match literal_index(self.expr(*key)) {
                Some(k) if a.span.start > after => by_key.entry(k).or_default().push(a),
                _ => {}
            }
        }
        by_key
            .into_iter()
            .filter_map(|(k, stores)| {
                let (values, replaces) = visible(stores.into_iter(), before);
                (!values.is_empty()).then_some((k, values, replaces))
            })
            .collect()
    }

    /// The values stored into elements of the local array `name` in function `func`, after byte
    /// `after` and before byte `before`, at an index that is not a literal (`cmd[i] = x`,
    /// `cmd[n - 1] = x`): the array may hold each of them at any element.
    pub fn computed_element_values(
        &self,
        name: &str,
        func: Option<usize>,
        after: usize,
        before: usize,
    ) -> Vec<ExprId> {
        self.element_stores(name, func, after, before)
            .filter(|(_, key)| literal_index(self.expr(*key)).is_none())
            .map(|(a, _)| a.value)
            .collect()
    }

    /// Every value stored into an element of the local array `name` in function `func` after
    /// byte `after` and before byte `before`, at any index: what the array may hold besides the
    /// value it was made with.
    pub fn stored_values(&self, name: &str, func: Option<usize>, after: usize, before: usize) -> Vec<ExprId> {
        self.element_stores(name, func, after, before)
            .map(|(a, _)| a.value)
            .collect()
    }

    /// The element stores into `name` in `func` that start after `after` and before `before`,
    /// with their index expressions.
    fn element_stores<'s>(
        &'s self,
        name: &str,
        func: Option<usize>,
        after: usize,
        before: usize,
    ) -> impl Iterator<Item = (&'s Assign, ExprId)> + 's {
        self.elements_by_name
            .get(&(name.to_string(), func))
            .into_iter()
            .flatten()
            .map(|&i| (&self.elements[i].0, self.elements[i].1))
            .filter(move |(a, _)| a.span.start > after && a.span.start < before)
    }

    /// The items appended to local list or builder `name` before `at` in `func`, in order, by a
    /// call of one of `methods` (some of [`APPENDS`]): `args.add("sh")`, `args.push(cmd)`,
    /// `sb.append(a).append(b)` (a chain of them counts as calls on the local).
    pub fn appended(&self, name: &str, func: Option<usize>, at: usize, methods: &[&str]) -> Vec<ExprId> {
        self.appending_calls(name, func, at, methods)
            .into_iter()
            .filter_map(|c| self.calls[c].args.first().copied())
            .collect()
    }

    /// The calls of one of `methods` (some of [`APPEND_LIKE`]) on local `name` before `at` in
    /// `func`, in the order they run.
    pub fn appending_calls(
        &self,
        name: &str,
        func: Option<usize>,
        at: usize,
        methods: &[&str],
    ) -> Vec<CallId> {
        let Some(ids) = self.appends_by_name.get(&(name.to_string(), func)) else {
            return Vec::new();
        };
        let mut appends: Vec<(usize, usize, CallId)> = ids
            .iter()
            .map(|&i| (i, &self.calls[i]))
            // Calls done before the read: not one whose own argument reads the local.
            .filter(|(_, c)| c.span.end <= at && self.append_root(c, methods) == Some(name))
            .map(|(i, c)| (c.span.start, c.span.end, i))
            .collect();
        // A chain's calls start together: the inner (shorter) one runs first.
        appends.sort_unstable_by_key(|&(start, end, _)| (start, end));
        appends.into_iter().map(|(_, _, c)| c).collect()
    }

    /// The local a call of one of `methods` appends to, through a chain of such calls.
    fn append_root(&self, call: &Call, methods: &[&str]) -> Option<&str> {
        let method = |c: &Call| c.path.last().is_some_and(|m| methods.contains(&m.as_str()));
        if !method(call) {
            return None;
        }
        let mut r = call.receiver;
        for _ in 0..256 {
            match self.expr(r?) {
                Expr::Name(m) => return Some(m),
                Expr::Call(inner) if method(&self.calls[*inner]) => r = self.calls[*inner].receiver,
                _ => return None,
            }
        }
        None
    }

    /// Whether `name` may hold a string builder in `func` (it is assigned one there, or at module
    /// level): a cheap test before following its values.
    pub fn may_hold_builder(&self, name: &str, func: Option<usize>) -> bool {
        let key = (name.to_string(), func);
        self.builder_names.contains(&key) || (func.is_some() && self.builder_names.contains(&(key.0, None)))
    }

    /// The declared type of `name` in function `func` (`applicant: Applicant`, `u User`).
    pub fn type_of(&self, name: &str, func: Option<usize>) -> Option<&str> {
        self.type_by_name
            .get(&(name.to_string(), func))
            .map(String::as_str)
    }

    /// Assignments made directly in function `func` (`None`: module level).
    pub fn assigns_in(&self, func: Option<usize>) -> impl Iterator<Item = &Assign> {
        self.assigns_by_func
            .get(&func)
            .into_iter()
            .flatten()
            .map(|&i| &self.assigns[i])
    }

    /// Calls made directly in function `func`, with their ids.
    pub fn calls_in(&self, func: Option<usize>) -> impl Iterator<Item = (CallId, &Call)> {
        self.calls_by_func
            .get(&func)
            .into_iter()
            .flatten()
            .map(|&i| (i, &self.calls[i]))
    }

    /// Whether `pattern` accepts the call's resolved path or its path as written.
    pub fn call_matches(&self, call: &Call, pattern: &dyn Fn(&[String]) -> bool) -> bool {
        pattern(&call.path) || call.written.as_deref().is_some_and(pattern) || {
            // A method on a local of a declared type is that type's method: `Runtime r =
            // Runtime.getRuntime(); r.exec(cmd)` is `Runtime.exec`, whatever the local is called.
            let typed = match (call.receiver.map(|r| self.expr(r)), call.path.as_slice()) {
                (Some(Expr::Name(local)), [first, rest @ ..]) if first == local && !rest.is_empty() => self
                    .type_of(local, call.func)
                    .or_else(|| self.type_of(local, None))
                    .map(|ty| {
                        std::iter::once(ty.to_string())
                            .chain(rest.iter().cloned())
                            .collect::<Vec<_>>()
                    }),
                _ => None,
            };
            typed.is_some_and(|path| pattern(&path))
        }
    }

    /// The function an expression belongs to.
    pub fn func_of(&self, id: ExprId) -> Option<usize> {
        self.expr_func.get(id).copied().flatten()
    }

    /// Sets the enclosing function of every call, assignment and expression, and indexes
    /// assignments by name: one sweep over sorted positions instead of a search per query.
    pub fn finish(&mut self) {
        let starts: Vec<usize> = self.exprs.iter().map(|(_, s)| s.start).collect();
        self.expr_func = innermost(&self.functions, &starts);
        let starts: Vec<usize> = self.calls.iter().map(|c| c.span.start).collect();
        for (c, f) in self.calls.iter_mut().zip(innermost(&self.functions, &starts)) {
            c.func = f;
        }
        let starts: Vec<usize> = self.assigns.iter().map(|a| a.span.start).collect();
        for (a, f) in self.assigns.iter_mut().zip(innermost(&self.functions, &starts)) {
            a.func = f;
        }
        let starts: Vec<usize> = self.types.iter().map(|t| t.2.start).collect();
        for ((name, ty, _), f) in self.types.iter().zip(innermost(&self.functions, &starts)) {
            self.type_by_name.insert((name.clone(), f), ty.clone());
        }
        for (i, c) in self.calls.iter().enumerate() {
            self.calls_by_func.entry(c.func).or_default().push(i);
            if let Some(local) = self.append_root(c, APPEND_LIKE) {
                self.appends_by_name
                    .entry((local.to_string(), c.func))
                    .or_default()
                    .push(i);
            }
        }
        let starts: Vec<usize> = self.elements.iter().map(|(a, _)| a.span.start).collect();
        for ((a, _), f) in self.elements.iter_mut().zip(innermost(&self.functions, &starts)) {
            a.func = f;
        }
        for (i, (a, _)) in self.elements.iter().enumerate() {
            if let [name] = a.target.as_slice() {
                self.elements_by_name
                    .entry((name.clone(), a.func))
                    .or_default()
                    .push(i);
            }
        }
        for (i, a) in self.assigns.iter().enumerate() {
            self.assigns_by_func.entry(a.func).or_default().push(i);
            if let [name] = a.target.as_slice() {
                self.by_name.entry((name.clone(), a.func)).or_default().push(i);
                if matches!(self.expr(a.value), Expr::Call(c) if is_builder(&self.calls[*c])) {
                    self.builder_names.insert((name.clone(), a.func));
                }
            }
        }
    }
}

/// The element a literal index names (`cmd[2]`), when it is a small one: a larger number is no
/// argument vector's slot, and reads as an unknown index.
fn literal_index(key: &Expr) -> Option<usize> {
    match key {
        Expr::Lit(k) => k.parse::<usize>().ok().filter(|&k| k < 1024),
        _ => None,
    }
}

/// Methods that add an item to a local list or string builder.
pub const APPENDS: &[&str] = &["add", "push", "append"];

/// Methods that add to a local, indexed by the local's name: [`APPENDS`], and a string
/// builder's `insert(offset, text)`.
pub const APPEND_LIKE: &[&str] = &["add", "push", "append", "insert"];

/// Classes whose instances build a string: `append` and `insert` on a builder, `add` on a
/// joiner (`new StringJoiner(" ")`).
const BUILDERS: &[&str] = &["StringBuilder", "StringBuffer", "StringJoiner"];

/// Whether the call makes a new string builder (`new StringBuilder(...)`, a `StringJoiner`).
pub fn is_builder(call: &Call) -> bool {
    call.path.last().is_some_and(|c| BUILDERS.contains(&c.as_str()))
}

/// Of `assigns` (to one name), the values a read at `before` sees, and whether that is the last
/// assignment alone. `q = "... " + x` then `q = "SELECT 1"` in the same block: the read sees the
/// last value only. One made in a branch or loop the read is outside of adds to the others, and
/// a read inside an assignment of the name (`q = q + x`, a `for` body) keeps them all.
fn visible<'a>(assigns: impl Iterator<Item = &'a Assign>, before: usize) -> (Vec<ExprId>, bool) {
    let earlier: Vec<&Assign> = assigns.filter(|a| a.span.start < before).collect();
    let inside = earlier.iter().any(|a| before < a.span.end);
    if let Some(last) = earlier.iter().max_by_key(|a| a.span.start).filter(|_| !inside) {
        if last.block.start <= before && before < last.block.end {
            return (vec![last.value], true);
        }
    }
    (earlier.into_iter().map(|a| a.value).collect(), false)
}

/// For each position, the innermost function span containing it (spans nest or are disjoint).
fn innermost(functions: &[Range<usize>], positions: &[usize]) -> Vec<Option<usize>> {
    let mut out = vec![None; positions.len()];
    if functions.is_empty() {
        return out;
    }
    // Keys copied beside their indexes (no indirection while sorting), the index last: keys are
    // distinct, so the unstable sort gives the stable order.
    let mut order: Vec<(usize, std::cmp::Reverse<usize>, usize)> = functions
        .iter()
        .enumerate()
        .map(|(i, f)| (f.start, std::cmp::Reverse(f.end), i))
        .collect();
    order.sort_unstable();
    let mut queries: Vec<(usize, usize)> = positions.iter().copied().zip(0..).collect();
    queries.sort_unstable();
    let mut open: Vec<usize> = Vec::new();
    let mut next = 0;
    for (at, q) in queries {
        while next < order.len() && order[next].0 <= at {
            let f = order[next].2;
            while open
                .last()
                .is_some_and(|&o| functions[o].end <= functions[f].start)
            {
                open.pop();
            }
            open.push(f);
            next += 1;
        }
        while open.last().is_some_and(|&o| functions[o].end <= at) {
            open.pop();
        }
        out[q] = open.last().copied();
    }
    out
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

#[cfg(test)]
mod sweep_tests {
    use super::innermost;

    #[test]
    fn innermost_function_of_nested_and_disjoint_spans() {
        let f = vec![0..100, 10..50, 20..30, 60..70, 200..300];
        let got = innermost(&f, &[5, 25, 40, 55, 65, 150, 250, 300]);
        assert_eq!(
            got,
            vec![Some(0), Some(2), Some(1), Some(0), Some(3), None, Some(4), None]
        );
    }
}
