//! Local data flow over the [`Index`]: where a value came from within its function. A string is
//! *built* when it is concatenated, interpolated or formatted from a value that is not a known
//! constant; names are followed through their assignments in the same function (and module
//! constants), sanitiser calls make a value clean. A string builder (`new StringBuilder("...")`
//! then `append`s and `insert`s on the local, a `StringJoiner` and its `add`s) and
//! `String.join` are read as the concatenation of their pieces. A name also holds what was
//! stored into its elements (`cmd[i] = x`). A comprehension, `map(f, items)` and a mapped
//! lambda hold what their body makes of the items, not the items themselves.

use std::cell::{Cell, RefCell};

use super::index::{is_builder, is_constant_name, snake, Call, Expr, ExprId, Index};

/// Bounds the walk: cycles (`q = q + x`) and very deep expressions stop here.
const DEPTH: usize = 12;

/// Bounds the work of one query: a walk that fans out (`q = q + q` on a hundred lines: each
/// read sees every earlier value) stops here and answers as it does past [`DEPTH`].
const STEPS: usize = 20_000;

/// Calls that return a number, a boolean or an empty container (Go's `make`): never text an
/// attacker controls.
const NUMERIC: &[&str] = &[
    "make",
    "len",
    "int",
    "float",
    "bool",
    "round",
    "abs",
    "count",
    "Number",
    "parseInt",
    "parseFloat",
    "Boolean",
    "Atoi",
    "Itoa",
    "size",
    "length",
];

/// Calls whose result is made of their receiver and arguments only.
const TRANSPARENT: &[&str] = &[
    "join",
    "strip",
    "lstrip",
    "rstrip",
    "lower",
    "upper",
    "title",
    "encode",
    "decode",
    "str",
    "repr",
    "String",
    "toString",
    "trim",
    "concat",
    "toLowerCase",
    "toUpperCase",
    "split",
    "rsplit",
    "splitlines",
    "replace",
    "Join",
    "append",
];

/// What a query may treat as clean.
pub struct Flow<'a> {
    /// The file's index.
    pub index: &'a Index,
    /// Calls whose result is safe to put into the string (`shlex.quote`, `quote_name`).
    pub sanitizer: &'a dyn Fn(&[String]) -> bool,
    /// Steps taken by the current query (see [`STEPS`]).
    steps: Cell<usize>,
    /// Names bound to the items of a value while a comprehension's or a mapped lambda's body
    /// is judged, innermost last.
    items: RefCell<Vec<(String, ExprId)>>,
    /// Assigned values being judged (see [`Flow::dynamic_at`]): one reached again through its
    /// own name (`q = append(q, x)` in a loop) adds nothing new.
    resolving: RefCell<Vec<ExprId>>,
}

impl<'a> Flow<'a> {
    /// Queries over `index`, with `sanitizer` naming the calls whose result is clean.
    pub fn new(index: &'a Index, sanitizer: &'a dyn Fn(&[String]) -> bool) -> Self {
        Self {
            index,
            sanitizer,
            steps: Cell::new(0),
            items: RefCell::new(Vec::new()),
            resolving: RefCell::new(Vec::new()),
        }
    }

    /// Starts a query: its budget of [`STEPS`] is whole again.
    fn start(&self) {
        self.steps.set(0);
        self.items.borrow_mut().clear();
        self.resolving.borrow_mut().clear();
    }

    /// `judge` of what the name `n` iterates, when it is bound to items in the body being
    /// judged: with only the bindings outside that one in force (`[c for c in c.split()]`
    /// reads the outer `c`).
    fn of_items<T>(&self, n: &str, judge: impl FnOnce(ExprId) -> T) -> Option<T> {
        let (at, of) = {
            let items = self.items.borrow();
            let at = items.iter().rposition(|(name, _)| name == n)?;
            (at, items[at].1)
        };
        let inner: Vec<(String, ExprId)> = self.items.borrow_mut().drain(at..).collect();
        let judged = judge(of);
        self.items.borrow_mut().extend(inner);
        Some(judged)
    }

    /// `judge` of the body of `mapped` with its variables bound to the items of what they
    /// iterate (a lambda's parameters to `over`); `None` when `id` is not a comprehension nor,
    /// with `over`, a lambda.
    fn in_body<T>(&self, id: ExprId, over: Option<ExprId>, judge: impl FnOnce(ExprId) -> T) -> Option<T> {
        let mapped = self.index.mapped.get(&id)?;
        let vars: Vec<(String, ExprId)> = mapped
            .vars
            .iter()
            .map(|(name, of)| of.or(over).map(|of| (name.clone(), of)))
            .collect::<Option<_>>()?;
        let depth = self.items.borrow().len();
        self.items.borrow_mut().extend(vars);
        let judged = judge(mapped.body);
        self.items.borrow_mut().truncate(depth);
        Some(judged)
    }

    /// `map(f, items)` or `items.map(f)`: the function and what it is applied to.
    fn map_call(call: &Call) -> Option<(ExprId, ExprId)> {
        if call.path.last().map(String::as_str) != Some("map") {
            return None;
        }
        match (call.receiver, call.args.as_slice()) {
            (Some(items), &[f]) => Some((f, items)),
            (None, &[f, items]) => Some((f, items)),
            _ => None,
        }
    }

    /// Whether `map(f, items)` may hold data: `f` a sanitiser or a numeric conversion gives
    /// clean items, a lambda gives what its body gives for the items, a transparent function
    /// (`str`) what the items are; any other function may return anything.
    fn map_dynamic(&self, f: ExprId, items: ExprId, depth: usize) -> bool {
        if let Some(judged) = self.in_body(f, Some(items), |body| self.dynamic_at(body, depth + 1)) {
            return judged;
        }
        if !matches!(self.index.expr(f), Expr::Name(_) | Expr::Attr(..)) {
            return true;
        }
        let path = self.index.path_of(f);
        let last = path.last().map(String::as_str).unwrap_or("");
        if (self.sanitizer)(&path) || NUMERIC.contains(&last) {
            return false;
        }
        !TRANSPARENT.contains(&last) || self.dynamic_at(items, depth + 1)
    }

    /// Counts one step; whether the query is past its depth or out of steps.
    fn spent(&self, depth: usize) -> bool {
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        depth > DEPTH || steps > STEPS
    }

    /// Whether `id` holds a string built here from a non-constant part.
    pub fn built(&self, id: ExprId) -> bool {
        self.start();
        self.built_at(id, 0)
    }

    fn built_at(&self, id: ExprId, depth: usize) -> bool {
        if self.spent(depth) {
            return false;
        }
        let ix = self.index;
        match ix.expr(id) {
            Expr::Concat(parts) => {
                let stringy = parts.iter().any(|&p| self.stringy(p, depth + 1));
                stringy && parts.iter().any(|&p| self.dynamic_at(p, depth + 1))
            }
            Expr::Format(template, args) => {
                self.dynamic_at(*template, depth + 1) || args.iter().any(|&a| self.dynamic_at(a, depth + 1))
            }
            Expr::Name(n) => match builder_parts(ix, id) {
                Some(parts) => self.built_parts(&parts, depth),
                None => {
                    let at = ix.span(id).start;
                    ix.values_of(n, ix.func_of(id), at)
                        .into_iter()
                        .any(|v| self.built_at(v, depth + 1))
                }
            },
            // `"SELECT ... ".concat(name)` (JavaScript, Java) joins strings like `+` does, and
            // `sb.toString()` joins what was appended to the builder.
            Expr::Call(_) => self
                .pieces(id)
                .is_some_and(|parts| self.built_parts(&parts, depth)),
            _ => false,
        }
    }

    /// Pieces joined into one string: some text, and some piece not constant.
    fn built_parts(&self, parts: &[ExprId], depth: usize) -> bool {
        parts.iter().any(|&p| self.stringy(p, depth + 1))
            && parts.iter().any(|&p| self.dynamic_at(p, depth + 1))
    }

    /// The pieces a call joins into its result: a string `concat` call's receiver and
    /// arguments, `String.join`'s arguments, or a string builder's pieces (see
    /// [`builder_parts`]).
    fn pieces(&self, id: ExprId) -> Option<Vec<ExprId>> {
        match self.index.expr(id) {
            Expr::Call(c) => self
                .concat_parts(*c)
                .or_else(|| self.join_parts(*c))
                .or_else(|| builder_parts(self.index, id)),
            _ => None,
        }
    }

    /// The receiver and arguments of a string `concat` call: `a.concat(b, c)` is `a + b + c`.
    fn concat_parts(&self, c: usize) -> Option<Vec<ExprId>> {
        let call = &self.index.calls[c];
        let receiver = call.receiver?;
        (call.path.last().map(String::as_str) == Some("concat")).then(|| {
            std::iter::once(receiver)
                .chain(call.args.iter().copied())
                .collect()
        })
    }

    /// Java's `String.join(delimiter, parts...)`: the delimiter and the parts (or the array or
    /// list holding them) are the pieces of one string, as `+` would join them.
    fn join_parts(&self, c: usize) -> Option<Vec<ExprId>> {
        let call = &self.index.calls[c];
        (call.path == ["String", "join"] && call.args.len() >= 2).then(|| call.args.clone())
    }

    /// Whether the value is (or evaluates to) a string literal or built string.
    fn stringy(&self, id: ExprId, depth: usize) -> bool {
        if self.spent(depth) {
            return false;
        }
        let ix = self.index;
        match ix.expr(id) {
            Expr::Str(_) | Expr::Format(..) => true,
            Expr::Concat(parts) => parts.iter().any(|&p| self.stringy(p, depth + 1)),
            Expr::Call(_) => self
                .pieces(id)
                .is_some_and(|parts| parts.iter().any(|&p| self.stringy(p, depth + 1))),
            Expr::Name(n) => match builder_parts(ix, id) {
                Some(parts) => parts.iter().any(|&p| self.stringy(p, depth + 1)),
                None => ix
                    .values_of(n, ix.func_of(id), ix.span(id).start)
                    .into_iter()
                    .any(|v| self.stringy(v, depth + 1)),
            },
            _ => false,
        }
    }

    /// Whether the value may hold data not written in this file: anything but literals,
    /// constants, names bound only to those, and sanitiser calls.
    pub fn dynamic(&self, id: ExprId) -> bool {
        self.start();
        self.dynamic_at(id, 0)
    }

    fn dynamic_at(&self, id: ExprId, depth: usize) -> bool {
        if self.spent(depth) {
            return true;
        }
        // `[quote(c) for c in cols]` holds what its body makes of the items, nothing else.
        if let Some(judged) = self.in_body(id, None, |body| self.dynamic_at(body, depth + 1)) {
            return judged;
        }
        let ix = self.index;
        match ix.expr(id) {
            Expr::Str(_) | Expr::Lit(_) => false,
            Expr::Name(n) => {
                if is_constant_name(n) {
                    return false;
                }
                if let Some(judged) = self.of_items(n, |items| self.dynamic_at(items, depth + 1)) {
                    return judged;
                }
                if let Some(parts) = builder_parts(ix, id) {
                    return parts.into_iter().any(|p| self.dynamic_at(p, depth + 1));
                }
                // A name never assigned here (a parameter) holds data, whatever is stored into
                // its elements. A value that is being judged already, reached again through the
                // name it is assigned to, holds what its other parts hold: nothing more; but a
                // name whose every value is such a one got its first value where the index does
                // not look (`sql, args = f()`), so it holds data too.
                let (values, stored) = held(ix, n, id);
                let open = |v: &ExprId| !self.resolving.borrow().contains(v);
                let values: Vec<ExprId> = values.into_iter().filter(open).collect();
                values.is_empty()
                    || values
                        .into_iter()
                        .chain(stored.into_iter().filter(open))
                        .any(|v| {
                            self.resolving.borrow_mut().push(v);
                            let dynamic = self.dynamic_at(v, depth + 1);
                            self.resolving.borrow_mut().pop();
                            dynamic
                        })
            }
            Expr::Attr(_, n) => !is_constant_name(n),
            Expr::Call(c) => {
                let call = &ix.calls[*c];
                if (self.sanitizer)(&call.path) {
                    return false;
                }
                if let Some(parts) = builder_parts(ix, id) {
                    return parts.into_iter().any(|p| self.dynamic_at(p, depth + 1));
                }
                if let Some((f, items)) = Self::map_call(call) {
                    return self.map_dynamic(f, items, depth);
                }
                // Calls that only reshape their inputs are as dynamic as those inputs:
                // `",".join(["?"] * len(ids))` is clean, `", ".join(names)` is not.
                let last = call.path.last().map(String::as_str).unwrap_or("");
                if NUMERIC.contains(&last) {
                    return false;
                }
                if !TRANSPARENT.contains(&last) {
                    return true;
                }
                // `strings.Join(parts, ", ")`: the package a function is called through is no
                // input of it.
                let package = |r: ExprId| matches!(ix.expr(r), Expr::Name(n) if ix.aliases.contains_key(n));
                call.receiver
                    .is_some_and(|r| !package(r) && self.dynamic_at(r, depth + 1))
                    || call.args.iter().any(|&a| self.dynamic_at(a, depth + 1))
            }
            Expr::Concat(parts) | Expr::Other(parts) | Expr::Compare(parts) | Expr::Arith(parts) => {
                parts.iter().any(|&p| self.dynamic_at(p, depth + 1))
            }
            Expr::Format(t, args) => {
                self.dynamic_at(*t, depth + 1) || args.iter().any(|&a| self.dynamic_at(a, depth + 1))
            }
            // `"... %(table)s" % {"table": quote_name(t)}`: a key names where the value goes.
            Expr::Pair(_, v) => self.dynamic_at(*v, depth + 1),
            Expr::Index(..) => true,
        }
    }

    /// Whether the value reads from a path `source` accepts (a request parameter, `sys.argv`),
    /// directly or through the names it was assigned from.
    pub fn tainted(&self, id: ExprId, source: &dyn Fn(&[String]) -> bool) -> bool {
        self.start();
        self.tainted_at(id, source, 0)
    }

    fn tainted_at(&self, id: ExprId, source: &dyn Fn(&[String]) -> bool, depth: usize) -> bool {
        if self.spent(depth) {
            return false;
        }
        if let Some(judged) = self.in_body(id, None, |body| self.tainted_at(body, source, depth + 1)) {
            return judged;
        }
        let ix = self.index;
        let from_source = |e: ExprId| {
            let path = ix.path_of(e);
            (1..=path.len()).any(|k| source(&path[..k]))
        };
        match ix.expr(id) {
            Expr::Str(_) | Expr::Lit(_) => false,
            Expr::Name(n) => {
                if let Some(judged) = self.of_items(n, |items| self.tainted_at(items, source, depth + 1)) {
                    return judged;
                }
                from_source(id)
                    || match builder_parts(ix, id) {
                        Some(parts) => parts.into_iter().any(|p| self.tainted_at(p, source, depth + 1)),
                        None => {
                            let (values, stored) = held(ix, n, id);
                            values
                                .into_iter()
                                .chain(stored)
                                .any(|v| self.tainted_at(v, source, depth + 1))
                        }
                    }
            }
            Expr::Attr(..) | Expr::Index(..) => from_source(id),
            Expr::Call(c) => {
                let call = &ix.calls[*c];
                if (self.sanitizer)(&call.path)
                    || NUMERIC.contains(&call.path.last().map(String::as_str).unwrap_or(""))
                {
                    return false;
                }
                if let Some((f, items)) = Self::map_call(call) {
                    if let Some(judged) =
                        self.in_body(f, Some(items), |body| self.tainted_at(body, source, depth + 1))
                    {
                        return judged;
                    }
                    let path = ix.path_of(f);
                    if (self.sanitizer)(&path)
                        || NUMERIC.contains(&path.last().map(String::as_str).unwrap_or(""))
                    {
                        return false;
                    }
                }
                from_source(id)
                    || call
                        .receiver
                        .is_some_and(|r| self.tainted_at(r, source, depth + 1))
                    || call.args.iter().any(|&a| self.tainted_at(a, source, depth + 1))
            }
            Expr::Concat(parts) | Expr::Other(parts) | Expr::Compare(parts) | Expr::Arith(parts) => {
                parts.iter().any(|&p| self.tainted_at(p, source, depth + 1))
            }
            Expr::Format(t, args) => {
                self.tainted_at(*t, source, depth + 1)
                    || args.iter().any(|&a| self.tainted_at(a, source, depth + 1))
            }
            Expr::Pair(_, v) => self.tainted_at(*v, source, depth + 1),
        }
    }

    /// The literal text of a (built) string, following names: what a `text` regex reads.
    pub fn text(&self, id: ExprId) -> String {
        self.start();
        let mut out = String::new();
        self.text_at(id, &mut out, 0);
        out
    }

    fn text_at(&self, id: ExprId, out: &mut String, depth: usize) {
        if self.spent(depth) || out.len() > 4096 {
            return;
        }
        let ix = self.index;
        match ix.expr(id) {
            Expr::Str(s) => {
                out.push_str(s);
                out.push(' ');
            }
            Expr::Concat(parts) => parts.iter().for_each(|&p| self.text_at(p, out, depth + 1)),
            Expr::Format(t, _) => self.text_at(*t, out, depth + 1),
            Expr::Name(n) => {
                let parts = builder_parts(ix, id)
                    .unwrap_or_else(|| ix.values_of(n, ix.func_of(id), ix.span(id).start));
                for v in parts {
                    self.text_at(v, out, depth + 1);
                }
            }
            Expr::Call(_) => {
                for p in self.pieces(id).unwrap_or_default() {
                    self.text_at(p, out, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// What the name `n` read at `id` may hold: the values assigned to it, and the values stored
/// into its elements since the first of them (`cmd = ["ls", "-l"]; cmd[1] = path`). Not for
/// [`Flow::built_at`]: an array with a built element is no built string.
fn held(ix: &Index, n: &str, id: ExprId) -> (Vec<ExprId>, Vec<ExprId>) {
    let (func, at) = (ix.func_of(id), ix.span(id).start);
    let values = ix.values_of(n, func, at);
    let made = values.iter().map(|&v| ix.span(v).start).min().unwrap_or(0);
    let stored = ix.stored_values(n, func, made, at);
    (values, stored)
}

/// Declared types of a number: a builder made with one (`new StringBuilder(capacity)`) starts
/// empty.
const NUMBER_TYPES: &[&str] = &["int", "long", "short", "byte", "Integer", "Long", "Short"];

/// Methods that add to a builder's text: `append` (and a joiner's `add`) at the end,
/// `insert(offset, text)` where its offset says.
const BUILDS: &[&str] = &["append", "add", "insert"];

/// The pieces of the string a builder holds where `id` reads it: `sb.toString()`, `sb` itself
/// or a chain (`new StringBuilder("SELECT ").append(x).toString()`), where `sb` is a local made
/// with `new StringBuilder(...)` / `StringBuffer` / `StringJoiner`. The pieces are the
/// constructor's text (not a capacity), then what every [`BUILDS`] call on the local before the
/// read adds, in order, chains (`sb.append(a).append(b)`) included. `None` when `id` reads no
/// builder.
pub fn builder_parts(ix: &Index, id: ExprId) -> Option<Vec<ExprId>> {
    let method = |c: usize| ix.calls[c].path.last().map(String::as_str).unwrap_or("");
    // Down a chain of appends (and a final `toString`) to what it starts from.
    let mut chained = Vec::new();
    let mut at = id;
    for _ in 0..256 {
        match ix.expr(at) {
            Expr::Call(c) if method(*c) == "toString" || BUILDS.contains(&method(*c)) => {
                if method(*c) != "toString" {
                    chained.push(*c);
                }
                at = ix.calls[*c].receiver?;
            }
            _ => break,
        }
    }
    let (mut parts, calls) = match ix.expr(at) {
        Expr::Call(c) if is_builder(&ix.calls[*c]) => (builder_text(ix, *c), Vec::new()),
        Expr::Name(n) => {
            let func = ix.func_of(at);
            if !ix.may_hold_builder(n, func) {
                return None;
            }
            let at = ix.span(at).start;
            let values = ix.values_of(n, func, at);
            let made = |v: ExprId| matches!(ix.expr(v), Expr::Call(c) if is_builder(&ix.calls[*c]));
            if !values.iter().any(|&v| made(v)) {
                return None;
            }
            let mut parts = Vec::new();
            for v in values {
                match ix.expr(v) {
                    Expr::Call(c) if made(v) => parts.extend(builder_text(ix, *c)),
                    _ => parts.push(v),
                }
            }
            (parts, ix.appending_calls(n, func, at, BUILDS))
        }
        _ => return None,
    };
    for c in calls.into_iter().chain(chained.into_iter().rev()) {
        add_piece(ix, c, &mut parts);
    }
    Some(parts)
}

/// Adds the text builder call `c` adds: `insert(0, x)` in front; an insert at another offset
/// at the end (where it lands is not known here, only that the string holds it); an append
/// at the end.
fn add_piece(ix: &Index, c: usize, parts: &mut Vec<ExprId>) {
    let call = &ix.calls[c];
    let insert = call.path.last().is_some_and(|m| m == "insert");
    let piece = if insert {
        call.args.get(1)
    } else {
        call.args.first()
    };
    let Some(&piece) = piece else { return };
    let offset = call.args.first().map(|&a| ix.expr(a));
    if insert && matches!(offset, Some(Expr::Lit(k)) if k == "0") {
        parts.insert(0, piece);
    } else {
        parts.push(piece);
    }
}

/// The text a builder starts with: the constructor's argument, unless it is a capacity (a
/// number, or a name declared as one).
fn builder_text(ix: &Index, c: usize) -> Vec<ExprId> {
    let call = &ix.calls[c];
    call.args
        .iter()
        .copied()
        .filter(|&a| match ix.expr(a) {
            Expr::Lit(_) => false,
            Expr::Name(n) => ix
                .type_of(n, call.func)
                .is_none_or(|ty| !NUMBER_TYPES.contains(&ty)),
            _ => true,
        })
        .collect()
}

/// A name mentioned in an expression, in snake case, with where it is.
#[derive(Debug, Clone)]
pub struct Mention {
    /// `email`, `card_number`, `get_email`.
    pub name: String,
}

/// Names an expression mentions: identifiers, attribute names, string subscripts and
/// `.get("key")` keys, pair keys; not string literals. Sub-expressions inside a call whose last
/// path segment `skip` accepts (a masking helper) are left out.
pub fn mentions(index: &Index, id: ExprId, skip: &dyn Fn(&str) -> bool, out: &mut Vec<Mention>) {
    mentions_at(index, id, skip, out, 0);
}

fn mentions_at(ix: &Index, id: ExprId, skip: &dyn Fn(&str) -> bool, out: &mut Vec<Mention>, depth: usize) {
    if depth > 48 {
        return;
    }
    let mut push = |n: &str| out.push(Mention { name: snake(n) });
    match ix.expr(id) {
        Expr::Str(_) | Expr::Lit(_) => {}
        Expr::Name(n) => push(n),
        Expr::Attr(base, n) => {
            push(n);
            mentions_at(ix, *base, skip, out, depth + 1);
        }
        Expr::Index(base, key) => {
            if let Some(k) = key {
                push(k);
            }
            mentions_at(ix, *base, skip, out, depth + 1);
        }
        Expr::Pair(k, v) => {
            // `password: 'XXXXX'` names a field but logs a constant; `email: mask(email)` logs
            // what the mask left.
            if !constant_or_masked(ix, *v, skip) {
                push(k);
            }
            mentions_at(ix, *v, skip, out, depth + 1);
        }
        Expr::Call(c) => {
            let call = &ix.calls[*c];
            let last = call.path.last().map(String::as_str).unwrap_or("");
            if skip(last) {
                return;
            }
            // A getter names its data: `user.getEmail()`, `data.get("email")`.
            if snake(last).starts_with("get_") {
                push(last);
            }
            if last == "get" || last == "Get" || last == "getString" {
                if let Some(Expr::Str(k)) = call.args.first().map(|&a| ix.expr(a)) {
                    out.push(Mention { name: snake(k) });
                }
            }
            if let Some(r) = call.receiver {
                mentions_at(ix, r, skip, out, depth + 1);
            }
            for &a in &call.args {
                mentions_at(ix, a, skip, out, depth + 1);
            }
            for (k, v) in &call.named {
                if !constant_or_masked(ix, *v, skip) {
                    out.push(Mention { name: snake(k) });
                }
                mentions_at(ix, *v, skip, out, depth + 1);
            }
        }
        Expr::Concat(parts) | Expr::Other(parts) | Expr::Compare(parts) | Expr::Arith(parts) => {
            for &p in parts {
                mentions_at(ix, p, skip, out, depth + 1);
            }
        }
        Expr::Format(t, args) => {
            mentions_at(ix, *t, skip, out, depth + 1);
            for &a in args {
                mentions_at(ix, a, skip, out, depth + 1);
            }
        }
    }
}

/// A literal, or a call to a helper `skip` accepts (a masking function).
pub fn constant_or_masked(ix: &Index, v: ExprId, skip: &dyn Fn(&str) -> bool) -> bool {
    match ix.expr(v) {
        Expr::Str(_) | Expr::Lit(_) => true,
        Expr::Call(c) => skip(ix.calls[*c].path.last().map(String::as_str).unwrap_or("")),
        _ => false,
    }
}
