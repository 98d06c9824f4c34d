//! tree-sitter plumbing shared by the front-ends: one parser per language per thread, a time
//! bound through the progress callback, the error share that decides "unparsed", and a
//! [`Builder`] that fills an [`Index`] (calls registered once however they are reached).

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::num::NonZeroU16;
use std::ops::{ControlFlow, Range};
use std::rc::Rc;
use std::time::{Duration, Instant};

use tree_sitter::{Language, Node, Parser, Tree};

use super::index::{Assign, Call, CallId, Expr, ExprId, Index, Mapped, TestPlace};
use crate::matchers::limits;

/// A file whose ERROR nodes cover more than this share of its bytes counts as unparsed: the
/// grammar did not recognise it (wrong language, template syntax), so its tree means little.
const MAX_ERROR_SHARE: f64 = 0.25;

/// Used when the scan set no per-file budget.
const FALLBACK_BUDGET: Duration = Duration::from_secs(2);

/// tree-sitter's parsing rate, generously rounded up: JavaScript and Python parse at 1-2 MB/s
/// per core here. A file larger than the time budget allows at this rate cannot finish in
/// time, so it is not started: the parse would spend the whole budget, and its tree (about 40
/// bytes per source byte) the memory, for nothing.
const PARSE_BYTES_PER_SECOND: f64 = 2.0 * 1024.0 * 1024.0;

/// Nesting beyond this is not converted (an `Other` stands in): bounds recursion.
pub const MAX_EXPR_DEPTH: usize = 256;

thread_local! {
    // Parsers are reusable and cheap to keep, but not `Sync`: one per language per thread.
    static PARSERS: RefCell<HashMap<&'static str, Parser>> = RefCell::new(HashMap::new());
}

/// Declares the grammar fields the front-ends read, as [`F`] variants with their names.
macro_rules! fields {
    ($($variant:ident = $name:literal,)*) => {
        /// A grammar field some front-end reads (`Builder::field`), resolved to an id once per
        /// grammar rather than by name on every lookup.
        #[derive(Clone, Copy, Debug)]
        pub enum F { $($variant,)* }
        /// Each [`F`]'s name, in declaration order.
        const FIELD_NAMES: &[&str] = &[$($name,)*];
    };
}

fields! {
    Alias = "alias",
    Alternative = "alternative",
    Arguments = "arguments",
    Array = "array",
    Attribute = "attribute",
    Body = "body",
    Condition = "condition",
    Consequence = "consequence",
    Constructor = "constructor",
    Declarator = "declarator",
    Field = "field",
    Function = "function",
    Index = "index",
    Key = "key",
    Left = "left",
    ModuleName = "module_name",
    Name = "name",
    Object = "object",
    Operand = "operand",
    Operator = "operator",
    Package = "package",
    Parameter = "parameter",
    Parameters = "parameters",
    Path = "path",
    Pattern = "pattern",
    Property = "property",
    Right = "right",
    Scope = "scope",
    Source = "source",
    Subject = "subject",
    Subscript = "subscript",
    Type = "type",
    Value = "value",
}

/// One grammar's node-kind names by kind id and the ids of the [`F`] fields: `Node::kind`
/// (a symbol lookup, `strlen` and UTF-8 check) and `child_by_field_name` (a scan of the field
/// names) cost more than the rest of the walk on every call.
struct Grammar {
    language: Language,
    /// Indexed by kind id; a node's kind id names the same kind as `Node::kind`.
    kinds: Vec<Option<&'static str>>,
    /// Indexed by `F as usize`; `None` when the grammar has no such field.
    fields: Vec<Option<NonZeroU16>>,
}

impl Grammar {
    fn new(language: &Language) -> Self {
        let kinds = (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
            })
            .collect();
        let fields = FIELD_NAMES
            .iter()
            .map(|name| language.field_id_for_name(name))
            .collect();
        Self {
            language: language.clone(),
            kinds,
            fields,
        }
    }
}

thread_local! {
    // A handful of grammars, resolved once per thread (ids are per grammar: JS, TS and TSX
    // share a front-end but not their ids).
    static GRAMMARS: RefCell<Vec<Rc<Grammar>>> = const { RefCell::new(Vec::new()) };
}

/// The resolved ids of the grammar `root` was parsed with.
fn grammar_of(root: Node<'_>) -> Rc<Grammar> {
    let language = root.language();
    GRAMMARS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(g) = cache.iter().find(|g| g.language == *language) {
            return Rc::clone(g);
        }
        let g = Rc::new(Grammar::new(&language));
        cache.push(Rc::clone(&g));
        g
    })
}

/// Hashes node ids (addresses) with one multiply instead of SipHash: the keys come from
/// tree-sitter, not from the file, so there is nothing to defend against.
#[derive(Default)]
struct NodeIdHasher(u64);

impl Hasher for NodeIdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits (the bucket index) as aligned as the address was.
        self.0.rotate_left(26)
    }
}

/// Why a file did not yield a tree.
pub struct ParseFailure {
    /// For the note.
    pub message: String,
    /// A resource bound (`parse_time`), when that is why.
    pub bound: Option<&'static str>,
}

/// Parses `text` as `name` within the current file's time budget; `previous` (an earlier tree
/// of the same document, already edited to line up with `text`) lets tree-sitter reuse what
/// did not change.
pub fn parse(
    name: &'static str,
    language: &Language,
    text: &str,
    previous: Option<&Tree>,
) -> Result<Tree, ParseFailure> {
    parse_within(name, language, text, previous, &[])
}

/// [`parse`], reading only the `kept` byte ranges of `text` (sorted, disjoint; empty: all of
/// it). Nodes keep the file's offsets.
pub fn parse_within(
    name: &'static str,
    language: &Language,
    text: &str,
    previous: Option<&Tree>,
    kept: &[Range<usize>],
) -> Result<Tree, ParseFailure> {
    let limits = limits::current();
    if previous.is_none() {
        too_large_for_budget(text, limits.budget.unwrap_or(FALLBACK_BUDGET))?;
    }
    let deadline = limits
        .deadline
        .unwrap_or_else(|| Instant::now() + FALLBACK_BUDGET);
    let tree = PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        if !parsers.contains_key(name) {
            let mut p = Parser::new();
            p.set_language(language).map_err(|e| ParseFailure {
                message: format!("grammar not loadable: {e}"),
                bound: None,
            })?;
            parsers.insert(name, p);
        }
        let Some(parser) = parsers.get_mut(name) else {
            return Err(ParseFailure {
                message: "no parser".into(),
                bound: None,
            });
        };
        let bytes = text.as_bytes();
        let included = included_ranges(text, kept);
        if parser.set_included_ranges(&included).is_err() {
            return Err(ParseFailure {
                message: "ranges out of order".into(),
                bound: None,
            });
        }
        let mut progress = |_: &tree_sitter::ParseState| {
            if Instant::now() >= deadline {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
        let tree = parser.parse_with_options(
            &mut |at, _| bytes.get(at..).unwrap_or_default(),
            previous,
            Some(options),
        );
        // A cancelled parse leaves state behind; the next file must start clean (and whole).
        parser.reset();
        let _ = parser.set_included_ranges(&[]);
        Ok(tree)
    })?;
    let Some(tree) = tree else {
        return Err(ParseFailure {
            message: limits::expired_message(),
            bound: Some("parse_time"),
        });
    };
    let share = error_share(tree.root_node(), text.len());
    if share > MAX_ERROR_SHARE {
        return Err(ParseFailure {
            message: format!("{:.0}% of the file is not valid {name}", share * 100.0),
            bound: None,
        });
    }
    Ok(tree)
}

/// tree-sitter's ranges (with rows and columns) for byte ranges of `text`.
fn included_ranges(text: &str, kept: &[Range<usize>]) -> Vec<tree_sitter::Range> {
    if kept.is_empty() {
        return Vec::new();
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    let point = |at: usize| {
        let row = line_starts.partition_point(|&s| s <= at).saturating_sub(1);
        tree_sitter::Point::new(row, at - line_starts[row])
    };
    kept.iter()
        .map(|r| tree_sitter::Range {
            start_byte: r.start,
            end_byte: r.end,
            start_point: point(r.start),
            end_point: point(r.end),
        })
        .collect()
}

/// Fails a text the budget cannot parse ([`PARSE_BYTES_PER_SECOND`]) before any work is done;
/// counted as the `parse_size` bound. An incremental reparse (an editor's) is not bounded here.
fn too_large_for_budget(text: &str, budget: Duration) -> Result<(), ParseFailure> {
    let allowed = budget.as_secs_f64() * PARSE_BYTES_PER_SECOND;
    if (text.len() as f64) <= allowed {
        return Ok(());
    }
    Err(ParseFailure {
        message: format!(
            "{:.1} MB is more than the per-file time budget can parse ({:.1} MB)",
            text.len() as f64 / 1e6,
            allowed / 1e6
        ),
        bound: Some("parse_size"),
    })
}

/// Share of bytes under outermost ERROR nodes.
fn error_share(root: Node<'_>, len: usize) -> f64 {
    if !root.has_error() || len == 0 {
        return 0.0;
    }
    let mut bad = 0usize;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.is_error() {
            bad += n.end_byte().saturating_sub(n.start_byte());
        } else if n.has_error() {
            let mut c = n.walk();
            stack.extend(n.children(&mut c));
        }
    }
    bad as f64 / len as f64
}

/// How a grammar writes the parts of an assignment target (`a.b`, `a["b"]`): node kinds and
/// field names, so one walk turns any front-end's target into a dotted path.
pub struct PathShape {
    /// Kinds that are a plain name (`identifier`, `this`).
    pub names: &'static [&'static str],
    /// Member access: kind, object field, member-name field.
    pub member: (&'static str, F, F),
    /// Subscript with a string key: kind, object field, index field, string-literal kind.
    pub subscript: Option<(&'static str, F, F, &'static str)>,
    /// A string literal's value.
    pub string: fn(&Builder<'_>, Node<'_>) -> String,
    /// Wrappers to look through (parentheses, casts); identity for most grammars.
    pub unwrap: for<'t> fn(&Builder<'_>, Node<'t>) -> Node<'t>,
}

/// Deepest `a.b.c...` chain a target path follows: a hostile chain thousands deep must not
/// exhaust the stack.
const MAX_PATH_DEPTH: usize = 64;

/// Fills an [`Index`] from one tree.
pub struct Builder<'s> {
    /// The file.
    pub src: &'s str,
    /// What is built.
    pub ix: Index,
    grammar: Rc<Grammar>,
    /// During [`Builder::walk`], the node being visited and its ancestors, innermost last:
    /// `Node::parent` searches down from the root on every call.
    path: Vec<Node<'s>>,
    calls: HashMap<usize, CallId, BuildHasherDefault<NodeIdHasher>>,
    /// Current expression depth.
    pub depth: usize,
}

impl<'s> Builder<'s> {
    /// An empty index over `src`, parsed as the tree under `root`.
    pub fn new(src: &'s str, root: Node<'s>) -> Self {
        Self {
            src,
            ix: Index::default(),
            grammar: grammar_of(root),
            path: Vec::new(),
            calls: HashMap::default(),
            depth: 0,
        }
    }

    /// `n.kind()`, from the grammar's table.
    pub fn kind(&self, n: Node<'_>) -> &'static str {
        let kind = match self.grammar.kinds.get(usize::from(n.kind_id())) {
            Some(Some(k)) => k,
            // ERROR nodes have an id past the table.
            _ => n.kind(),
        };
        debug_assert_eq!(kind, n.kind());
        kind
    }

    /// The id of field `f` in this grammar.
    fn field_id(&self, f: F) -> Option<NonZeroU16> {
        self.grammar.fields.get(f as usize).copied().flatten()
    }

    /// `n.child_by_field_name(f)`, by the field's id.
    pub fn field<'t>(&self, n: Node<'t>, f: F) -> Option<Node<'t>> {
        let child = self.field_id(f).and_then(|id| n.child_by_field_id(id.get()));
        debug_assert_eq!(child, n.child_by_field_name(FIELD_NAMES[f as usize]));
        child
    }

    /// `n.children_by_field_name(f)`, by the field's id.
    pub fn fields<'t>(&self, n: Node<'t>, f: F) -> Vec<Node<'t>> {
        let Some(id) = self.field_id(f) else {
            return Vec::new();
        };
        let mut c = n.walk();
        n.children_by_field_id(id, &mut c).collect()
    }

    /// `a.b["c"]` -> `[a, b, c]`; empty when the target is not a dotted path.
    pub fn target_path(&self, n: Node<'_>, shape: &PathShape) -> Vec<String> {
        self.target_path_at(n, shape, 0)
    }

    fn target_path_at(&self, n: Node<'_>, shape: &PathShape, depth: usize) -> Vec<String> {
        if depth > MAX_PATH_DEPTH {
            return Vec::new();
        }
        let n = (shape.unwrap)(self, n);
        let object = |field: F| {
            self.field(n, field)
                .map(|o| self.target_path_at(o, shape, depth + 1))
                .unwrap_or_default()
        };
        let (member, object_field, name_field) = shape.member;
        if shape.names.contains(&self.kind(n)) {
            vec![self.text(n).to_string()]
        } else if self.kind(n) == member {
            let mut p = object(object_field);
            if let Some(f) = self.field(n, name_field) {
                p.push(self.text(f).to_string());
            }
            p
        } else if let Some((kind, object_field, index_field, string_kind)) = shape.subscript {
            if self.kind(n) != kind {
                return Vec::new();
            }
            let mut p = object(object_field);
            if let Some(k) = self
                .field(n, index_field)
                .filter(|k| self.kind(*k) == string_kind)
            {
                p.push((shape.string)(self, k));
            }
            p
        } else {
            Vec::new()
        }
    }

    /// Converts an expression with `inner`, bounded in depth: past [`MAX_EXPR_DEPTH`] nested
    /// expressions the rest is opaque rather than a stack overflow.
    pub fn guarded_expr(&mut self, n: Node<'_>, inner: fn(&mut Self, Node<'_>) -> ExprId) -> ExprId {
        if self.depth > MAX_EXPR_DEPTH {
            return self.push(Expr::Other(Vec::new()), n);
        }
        self.depth += 1;
        let e = inner(self, n);
        self.depth -= 1;
        e
    }

    /// Source text of a node.
    pub fn text(&self, n: Node<'_>) -> &'s str {
        self.src.get(n.byte_range()).unwrap_or("")
    }

    /// Adds an expression at a node.
    pub fn push(&mut self, e: Expr, n: Node<'_>) -> ExprId {
        self.ix.push(e, n.byte_range())
    }

    /// The call registered for `n`, if it was already converted.
    pub fn known_call(&self, n: Node<'_>) -> Option<CallId> {
        self.calls.get(&n.id()).copied()
    }

    /// Registers a call for node `n` (once).
    pub fn add_call(&mut self, n: Node<'_>, call: Call) -> CallId {
        if let Some(&id) = self.calls.get(&n.id()) {
            return id;
        }
        let mut call = call;
        call.written = self.written(&call.path);
        self.ix.calls.push(call);
        let id = self.ix.calls.len() - 1;
        self.calls.insert(n.id(), id);
        // A call on this call's result (method chaining) names it as its receiver.
        if let Some(r) = self.ix.calls[id].receiver {
            if let Expr::Call(inner) = self.ix.expr(r) {
                let inner = *inner;
                self.ix.calls[inner].chained_by = Some(id);
            }
        }
        id
    }

    /// The path as written before alias resolution, if an alias produced it: the longest alias
    /// target that prefixes `path` (ties by local name, for a deterministic choice).
    fn written(&self, path: &[String]) -> Option<Vec<String>> {
        let (local, full) = self
            .ix
            .aliases
            .iter()
            .filter(|(_, full)| path.starts_with(full))
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| b.0.cmp(a.0)))?;
        let mut w = vec![local.clone()];
        w.extend(path[full.len()..].iter().cloned());
        (w != path).then_some(w)
    }

    /// Records an assignment to a dotted target.
    pub fn assign(&mut self, target: Vec<String>, value: ExprId, n: Node<'_>) {
        if target.is_empty() {
            return;
        }
        self.ix.assigns.push(Assign {
            target,
            value,
            span: n.byte_range(),
            func: None,
            block: self.straight_line_block(n),
        });
    }

    /// Records a store into element `key` of the local array `name` (`cmd[2] = command`).
    pub fn assign_element(&mut self, name: &str, key: ExprId, value: ExprId, n: Node<'_>) {
        let assign = Assign {
            target: vec![name.to_string()],
            value,
            span: n.byte_range(),
            func: None,
            block: self.straight_line_block(n),
        };
        self.ix.elements.push((assign, key));
    }

    /// Records that the value `id` is made of `body` applied to items (see [`Mapped`]).
    pub fn mapped(&mut self, id: ExprId, body: ExprId, vars: Vec<(String, Option<ExprId>)>) {
        self.ix.mapped.insert(id, Mapped { body, vars });
    }

    /// The named children of `n` without comments.
    pub fn named_kids<'t>(&self, n: Node<'t>) -> Vec<Node<'t>> {
        let mut c = n.walk();
        n.named_children(&mut c)
            .filter(|k| self.kind(*k) != "comment")
            .collect()
    }

    /// The identifiers a binding pattern binds (`x`, `k, v`, `(a, [b, c])`), at most 16 (of
    /// its first 256 nodes).
    pub fn bound_identifiers(&self, n: Node<'_>) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![n];
        let mut seen = 0;
        while let Some(n) = stack.pop() {
            seen += 1;
            if out.len() >= 16 || seen > 256 {
                break;
            }
            if self.kind(n) == "identifier" {
                out.push(self.text(n).to_string());
                continue;
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        out
    }

    /// Records a value the code tests (a condition, a switch subject).
    pub fn test(&mut self, place: TestPlace, value: ExprId) {
        self.ix.tests.push((place, value));
    }

    /// Converts the node in `field` of `n` and records it as tested (`if <cond>:`).
    pub fn test_field(&mut self, n: Node<'_>, field: F, place: TestPlace, conv: ExprFn) {
        if let Some(c) = self.field(n, field) {
            let value = conv(self, c);
            self.test(place, value);
        }
    }

    /// A binary expression: `+` concatenates (flattening `a + b + c`), comparisons and
    /// arithmetic keep their operands, anything else (`&&`, `|`) is opaque with its operands.
    pub fn binary(&mut self, n: Node<'_>, conv: ExprFn) -> Expr {
        let op = self.field(n, F::Operator).map(|o| self.text(o)).unwrap_or("");
        let (Some(l), Some(r)) = (self.field(n, F::Left), self.field(n, F::Right)) else {
            return Expr::Other(Vec::new());
        };
        let left = conv(self, l);
        let right = conv(self, r);
        match op {
            "+" => {
                let mut parts = match self.ix.expr(left) {
                    Expr::Concat(p) if self.kind(l) == self.kind(n) => p.clone(),
                    _ => vec![left],
                };
                parts.push(right);
                Expr::Concat(parts)
            }
            "==" | "!=" | "===" | "!==" | "<" | ">" | "<=" | ">=" => Expr::Compare(vec![left, right]),
            "*" | "/" | "-" | "%" | "**" | "//" => Expr::Arith(vec![left, right]),
            _ => Expr::Other(vec![left, right]),
        }
    }

    /// `base[key]`: the key by value when it is a string literal (`row["age"]`), else converted
    /// and kept beside the subscript (`df[["age", "income"]]`, `df[df["age"] < 30]`).
    pub fn subscript(
        &mut self,
        n: Node<'_>,
        (base, key): (Option<Node<'_>>, Option<Node<'_>>),
        string: fn(&Self, Node<'_>) -> String,
        conv: ExprFn,
    ) -> ExprId {
        let Some(base) = base.map(|b| conv(self, b)) else {
            return self.push(Expr::Other(Vec::new()), n);
        };
        let text = key.filter(|k| self.kind(*k) == "string").map(|k| string(self, k));
        let computed = key.filter(|k| self.kind(*k) != "string").map(|k| conv(self, k));
        let id = self.push(Expr::Index(base, text), n);
        if let Some(k) = computed {
            self.ix.computed_keys.insert(id, k);
        }
        id
    }

    /// `cond ? a : b` (JavaScript, Java): the condition is tested.
    pub fn ternary(&mut self, n: Node<'_>, conv: ExprFn) -> Expr {
        let mut parts = Vec::new();
        for field in [F::Condition, F::Consequence, F::Alternative] {
            if let Some(c) = self.field(n, field) {
                let e = conv(self, c);
                if matches!(field, F::Condition) {
                    self.test(TestPlace::Condition, e);
                }
                parts.push(e);
            }
        }
        Expr::Other(parts)
    }

    /// Records the declared type of a parameter or local: the type's last name (`User` for
    /// `*models.User`, `Applicant` for `List<Applicant>` or `[]Applicant`).
    pub fn typed(&mut self, name: Node<'_>, ty: Node<'_>) {
        let text = self.text(ty);
        let ty = text
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
            .find(|s| !s.is_empty() && !matches!(*s, "List" | "Array" | "Set" | "Optional" | "Collection"));
        if let Some(ty) = ty {
            self.ix
                .types
                .push((self.text(name).to_string(), ty.to_string(), name.byte_range()));
        }
    }

    /// Records a function body.
    pub fn function(&mut self, n: Node<'_>) {
        self.ix.functions.push(n.byte_range());
    }

    /// Records an imported module (`os.path`, `node:child_process`, `crypto/md5`).
    pub fn import(&mut self, module: &str, n: Node<'_>) {
        let path = module_path(module);
        if !path.is_empty() {
            self.ix.imports.push((path, n.byte_range()));
        }
    }

    /// Records an import alias (`req` -> `requests`).
    pub fn alias(&mut self, local: &str, full: &str) {
        let full = module_path(full);
        if !local.is_empty() && !full.is_empty() {
            self.ix.aliases.insert(local.to_string(), full);
        }
    }

    /// The finished index.
    pub fn finish(mut self) -> Index {
        self.ix.finish();
        self.ix
    }

    /// A string literal's content: the text of its fragment children (quotes and prefixes
    /// dropped, escapes kept as written).
    pub fn string_pieces(
        &mut self,
        n: Node<'_>,
        fragment: &[&str],
        interpolation: &[&str],
        conv: ExprFn,
    ) -> Expr {
        let mut parts = Vec::new();
        let mut buf = String::new();
        let mut dynamic = false;
        let mut c = n.walk();
        for child in n.children(&mut c) {
            let kind = self.kind(child);
            if fragment.contains(&kind) || kind == "escape_sequence" {
                buf.push_str(self.text(child));
            } else if interpolation.contains(&kind) {
                dynamic = true;
                if !buf.is_empty() {
                    let s = self
                        .ix
                        .push(Expr::Str(std::mem::take(&mut buf)), child.byte_range());
                    parts.push(s);
                }
                parts.push(self.interpolated(child, conv));
            }
        }
        if !dynamic {
            return Expr::Str(buf);
        }
        if !buf.is_empty() {
            let s = self.ix.push(Expr::Str(buf), n.byte_range());
            parts.push(s);
        }
        Expr::Concat(parts)
    }

    /// The expression inside an interpolation node (`{x!r:>4}` -> `x`).
    fn interpolated(&mut self, n: Node<'_>, conv: ExprFn) -> ExprId {
        let inner = n
            .named_children(&mut n.walk())
            .find(|c| self.kind(*c) != "format_specifier" && self.kind(*c) != "type_conversion");
        match inner {
            Some(i) => conv(self, i),
            None => self.push(Expr::Other(Vec::new()), n),
        }
    }
}

/// `os.path`, `node:child_process`, `crypto/md5` as dotted segments.
/// Statement lists: what runs in them runs in order, unconditionally once the list runs.
const BLOCKS: &[&str] = &[
    "block",
    "module",
    "source_file",
    "program",
    "statement_block",
    "class_body",
    "expression_case",
    "default_case",
    "type_case",
    "communication_case",
    "switch_case",
    "switch_default",
    "switch_block_statement_group",
];

/// Wrappers between an assignment and the statement list it sits in (declarations, statement
/// wrappers): climbing them changes nothing about when the assignment runs.
const WRAPPERS: &[&str] = &[
    "expression_statement",
    "assignment",
    "augmented_assignment",
    "assignment_statement",
    "assignment_expression",
    "augmented_assignment_expression",
    "short_var_declaration",
    "var_declaration",
    "var_spec",
    "var_spec_list",
    "const_declaration",
    "const_spec",
    "lexical_declaration",
    "variable_declaration",
    "variable_declarator",
    "local_variable_declaration",
];

impl Builder<'_> {
    /// The span within which a read follows the assignment `n` unconditionally: its statement
    /// list, or (inside an `if`, a loop, a one-line branch, a comprehension) the construct it
    /// belongs to, so that a read after the construct is not taken to see only this value.
    fn straight_line_block(&self, n: Node<'_>) -> Range<usize> {
        let block = match self.path.split_last() {
            // `n` is the walk's node: its ancestors are at hand.
            Some((last, ancestors)) if last.id() == n.id() => {
                self.enclosing_block(n, ancestors.iter().rev().copied())
            }
            _ => self.enclosing_block(n, std::iter::successors(n.parent(), Node::parent)),
        };
        debug_assert_eq!(
            block,
            self.enclosing_block(n, std::iter::successors(n.parent(), Node::parent))
        );
        block
    }

    /// [`Builder::straight_line_block`] of `n` given its ancestors, innermost first.
    fn enclosing_block<'t>(&self, n: Node<'_>, ancestors: impl Iterator<Item = Node<'t>>) -> Range<usize> {
        for parent in ancestors.take(16) {
            let kind = self.kind(parent);
            if BLOCKS.contains(&kind) || !WRAPPERS.contains(&kind) {
                return parent.byte_range();
            }
        }
        // Unknown shape: an empty span, so no read is taken to see only this value.
        n.start_byte()..n.start_byte()
    }
}

fn module_path(module: &str) -> Vec<String> {
    module
        .trim_start_matches("node:")
        .split(['.', '/'])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A front-end's expression converter.
pub type ExprFn = for<'a, 'b> fn(&mut Builder<'a>, Node<'b>) -> ExprId;

impl<'s> Builder<'s> {
    /// Walks every node once, without recursion (deep trees must not overflow the stack),
    /// keeping `path`. Stops when the file's time budget is spent; returns whether
    /// the walk was complete.
    pub fn walk(&mut self, root: Node<'s>, visit: fn(&mut Self, Node<'s>)) -> bool {
        let mut cursor = root.walk();
        let mut seen = 0u32;
        self.path.clear();
        loop {
            seen = seen.wrapping_add(1);
            if seen.is_multiple_of(1024) && limits::expired() {
                return false;
            }
            let node = cursor.node();
            self.path.push(node);
            visit(self, node);
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                self.path.pop();
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return true;
                }
            }
        }
    }
}
