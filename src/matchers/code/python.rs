//! Python front-end (tree-sitter-python): calls with keyword arguments, f-strings, `%` and
//! `.format` formatting, assignments, `import x as y` / `from x import y as z`.

use tree_sitter::Node;

use super::index::{Call, Expr, ExprId, Index, TestPlace};
use super::parse::{Builder, PathShape, F};

/// Indexes a parsed Python file.
pub fn index(root: Node<'_>, src: &str) -> Index {
    let mut b = Builder::new(src, root);
    let complete = b.walk(root, visit);
    let mut index = b.finish();
    index.truncated = !complete;
    index
}

fn visit(b: &mut Builder<'_>, n: Node<'_>) {
    match b.kind(n) {
        "function_definition" | "lambda" => b.function(n),
        "call" => {
            call(b, n);
        }
        "assignment" | "augmented_assignment" => assignment(b, n),
        "if_statement" | "elif_clause" | "while_statement" => {
            b.test_field(n, F::Condition, TestPlace::Condition, expr);
        }
        "typed_parameter" | "typed_default_parameter" => {
            let name = b.field(n, F::Name).or_else(|| n.named_child(0));
            if let (Some(name), Some(ty)) = (name.filter(|x| b.kind(*x) == "identifier"), b.field(n, F::Type))
            {
                b.typed(name, ty);
            }
        }
        "match_statement" => {
            for s in b.fields(n, F::Subject) {
                let value = expr(b, s);
                b.test(TestPlace::Switch, value);
            }
        }
        // `for cmd in ("ver", "cmd /c ver")`: the loop variable holds the iterable's items.
        "for_statement" => {
            if let (Some(left), Some(right)) = (b.field(n, F::Left), b.field(n, F::Right)) {
                if b.kind(left) == "identifier" {
                    let value = expr(b, right);
                    b.assign(vec![b.text(left).to_string()], value, n);
                }
            }
        }
        "import_statement" => {
            for name in b.fields(n, F::Name) {
                import_name(b, name, None);
            }
        }
        "import_from_statement" => {
            let module = b.field(n, F::ModuleName).map(|m| b.text(m).to_string());
            for name in b.fields(n, F::Name) {
                import_name(b, name, module.as_deref());
            }
        }
        // A returned string is built here too (`return "SELECT ... " + name`).
        "return_statement" => {
            let kids = b.named_kids(n);
            for k in kids {
                expr(b, k);
            }
        }
        _ => {}
    }
}

fn import_name(b: &mut Builder<'_>, n: Node<'_>, module: Option<&str>) {
    let (name, alias) = if b.kind(n) == "aliased_import" {
        let name = b.field(n, F::Name).map(|x| b.text(x)).unwrap_or("");
        let alias = b.field(n, F::Alias).map(|x| b.text(x)).unwrap_or("");
        (name, alias.to_string())
    } else {
        let name = b.text(n);
        // `import os.path` binds `os`.
        let local = if module.is_some() {
            name.to_string()
        } else {
            name.split('.').next().unwrap_or("").to_string()
        };
        (name, local)
    };
    let imported = module.map_or_else(|| name.to_string(), |m| format!("{m}.{name}"));
    b.import(imported.trim_start_matches('.'), n);
    let full = match module {
        Some(m) => format!("{m}.{name}"),
        None if b.kind(n) == "aliased_import" => name.to_string(),
        None => alias.clone(),
    };
    if full != alias {
        b.alias(&alias, full.trim_start_matches('.'));
    }
}

fn assignment(b: &mut Builder<'_>, n: Node<'_>) {
    let (Some(left), Some(right)) = (b.field(n, F::Left), b.field(n, F::Right)) else {
        return;
    };
    let mut value = expr(b, right);
    if b.kind(n) == "augmented_assignment" {
        // `q += x` keeps building `q`.
        let prev = expr(b, left);
        value = b.push(Expr::Concat(vec![prev, value]), n);
    }
    if b.kind(left) == "pattern_list" || b.kind(left) == "tuple_pattern" {
        return;
    }
    // `run = getattr(os, "system")`, `m = __import__("os")`: the local names a module or one of
    // its functions for the rest of the file, as an import alias would.
    if b.kind(left) == "identifier"
        && b.kind(right) == "call"
        && matches!(b.ix.expr(value), Expr::Name(_) | Expr::Attr(..))
    {
        let full = b.ix.path_of(value).join(".");
        let local = b.text(left).to_string();
        if full != local {
            b.alias(&local, &full);
        }
    }
    if element_store(b, left, value, n) {
        return;
    }
    let target = b.target_path(left, &TARGET);
    b.assign(target, value, n);
}

/// `args[2] = x`, `args[i] = x`: a store into an element of a local list, which keeps its other
/// items (not an assignment of the whole of `args`). A string key (`config["debug"] = True`)
/// stays a dotted target. Whether it was one.
fn element_store(b: &mut Builder<'_>, left: Node<'_>, value: ExprId, n: Node<'_>) -> bool {
    if b.kind(left) != "subscript" {
        return false;
    }
    let (Some(base), Some(key)) = (b.field(left, F::Value), b.field(left, F::Subscript)) else {
        return false;
    };
    if b.kind(base) != "identifier" || b.kind(key) == "string" {
        return false;
    }
    let key = expr(b, key);
    let name = b.text(base).to_string();
    b.assign_element(&name, key, value, n);
    true
}

/// `__import__("os")` reads as the name `os`, `getattr(os, "system")` as `os.system`: the
/// dynamic spellings of a module and an attribute, so call names match through them
/// (`getattr(__import__("os"), "system")(cmd)` is `os.system(cmd)`). Only literal names.
fn lookup(b: &mut Builder<'_>, n: Node<'_>) -> Option<Expr> {
    let func = b.field(n, F::Function)?;
    if b.kind(func) != "identifier" {
        return None;
    }
    let list = b.field(n, F::Arguments)?;
    let mut c = list.walk();
    let args: Vec<Node<'_>> = list
        .named_children(&mut c)
        .filter(|a| b.kind(*a) != "comment")
        .collect();
    let literal = |b: &Builder<'_>, a: Node<'_>| -> Option<String> {
        let interpolated = {
            let mut c = a.walk();
            let found = a.named_children(&mut c).any(|k| b.kind(k) == "interpolation");
            found
        };
        let s = plain_string(b, a);
        (b.kind(a) == "string"
            && !interpolated
            && !s.is_empty()
            && s.chars()
                .all(|ch| ch == '_' || ch == '.' || ch.is_ascii_alphanumeric()))
        .then_some(s)
    };
    match (b.text(func), args.as_slice()) {
        // `__import__("os.path")` returns the top package.
        ("__import__", [module, ..]) => {
            let name = literal(b, *module)?;
            Some(Expr::Name(name.split('.').next()?.to_string()))
        }
        ("getattr", [object, attr]) => {
            let name = literal(b, *attr)?;
            if name.contains('.') {
                return None;
            }
            let base = expr(b, *object);
            Some(Expr::Attr(base, name))
        }
        _ => None,
    }
}

/// How this grammar writes assignment targets (see [`PathShape`]).
const TARGET: PathShape = PathShape {
    names: &["identifier"],
    member: ("attribute", F::Object, F::Attribute),
    subscript: Some(("subscript", F::Value, F::Subscript, "string")),
    string: plain_string,
    unwrap: |_, n| n,
};

fn plain_string(b: &Builder<'_>, n: Node<'_>) -> String {
    let mut c = n.walk();
    n.children(&mut c)
        .filter(|c| b.kind(*c) == "string_content")
        .map(|c| b.text(c))
        .collect()
}

fn call(b: &mut Builder<'_>, n: Node<'_>) -> usize {
    if let Some(id) = b.known_call(n) {
        return id;
    }
    let func = b.field(n, F::Function);
    let (path, receiver) = match func {
        Some(f) => {
            let e = expr(b, f);
            let receiver = match b.ix.expr(e) {
                Expr::Attr(base, _) => Some(*base),
                _ => None,
            };
            (b.ix.path_of(e), receiver)
        }
        None => (Vec::new(), None),
    };
    let mut args = Vec::new();
    let mut named = Vec::new();
    let arguments = b.field(n, F::Arguments);
    // `", ".join(q(c) for c in cols)`: the generator is the one argument.
    if let Some(generator) = arguments.filter(|a| b.kind(*a) == "generator_expression") {
        args.push(expr(b, generator));
    } else if let Some(list) = arguments {
        let mut c = list.walk();
        for a in list.named_children(&mut c) {
            match b.kind(a) {
                "keyword_argument" => {
                    let key = b
                        .field(a, F::Name)
                        .map(|k| b.text(k).to_string())
                        .unwrap_or_default();
                    if let Some(v) = b.field(a, F::Value) {
                        let v = expr(b, v);
                        // The pair itself, so a finding can underline `verify=False`.
                        b.push(Expr::Pair(key.clone(), v), a);
                        named.push((key, v));
                    }
                }
                "comment" => {}
                _ => args.push(expr(b, a)),
            }
        }
    }
    b.add_call(n, Call::new(path, receiver, args, named, n.byte_range()))
}

/// Converts an expression node.
pub fn expr(b: &mut Builder<'_>, n: Node<'_>) -> ExprId {
    b.guarded_expr(n, expr_inner)
}

fn expr_inner(b: &mut Builder<'_>, n: Node<'_>) -> ExprId {
    let e = match b.kind(n) {
        "identifier" => Expr::Name(b.text(n).to_string()),
        "true" | "false" | "none" | "integer" | "float" => Expr::Lit(b.text(n).to_ascii_lowercase()),
        "string" => b.string_pieces(n, &["string_content"], &["interpolation"], expr),
        "concatenated_string" => {
            let mut c = n.walk();
            let kids: Vec<Node<'_>> = n.named_children(&mut c).collect();
            let parts = kids.into_iter().map(|k| expr(b, k)).collect();
            Expr::Concat(parts)
        }
        "attribute" => {
            let base = b.field(n, F::Object).map(|o| expr(b, o));
            let name = b
                .field(n, F::Attribute)
                .map(|a| b.text(a).to_string())
                .unwrap_or_default();
            match base {
                Some(base) => Expr::Attr(base, name),
                None => Expr::Name(name),
            }
        }
        "subscript" => {
            let parts = (b.field(n, F::Value), b.field(n, F::Subscript));
            return b.subscript(n, parts, plain_string, expr);
        }
        "call" => match lookup(b, n) {
            Some(e) => e,
            None => {
                let id = call(b, n);
                format_call(b, id).unwrap_or(Expr::Call(id))
            }
        },
        "binary_operator" => binary(b, n),
        "comparison_operator" => Expr::Compare(operands(b, n)),
        // `a if cond else b`: the middle operand is tested.
        "conditional_expression" => {
            let parts = operands(b, n);
            if let Some(&cond) = parts.get(1) {
                b.test(TestPlace::Condition, cond);
            }
            Expr::Other(parts)
        }
        // `[u for u in users if cond]`.
        "if_clause" => {
            let parts = operands(b, n);
            for &p in &parts {
                b.test(TestPlace::Condition, p);
            }
            Expr::Other(parts)
        }
        "list_comprehension" | "set_comprehension" | "generator_expression" => return comprehension(b, n),
        "lambda" => return lambda(b, n),
        "parenthesized_expression" | "await" => match n.named_child(0) {
            Some(inner) => return expr(b, inner),
            None => Expr::Other(Vec::new()),
        },
        "keyword_argument" | "pair" => {
            let key = b
                .field(n, if b.kind(n) == "pair" { F::Key } else { F::Name })
                .map(|k| {
                    if b.kind(k) == "string" {
                        plain_string(b, k)
                    } else {
                        b.text(k).to_string()
                    }
                })
                .unwrap_or_default();
            let v = b.field(n, F::Value).map(|v| expr(b, v));
            match v {
                Some(v) => Expr::Pair(key, v),
                None => Expr::Other(Vec::new()),
            }
        }
        _ => Expr::Other(operands(b, n)),
    };
    b.push(e, n)
}

/// `[quote(c) for c in cols if c]`: its parts as any expression's (so mentions and conditions
/// see them all), and recorded as the body applied to the loop variables' items.
fn comprehension(b: &mut Builder<'_>, n: Node<'_>) -> ExprId {
    let body_node = b.field(n, F::Body);
    let (mut parts, mut body, mut vars) = (Vec::new(), None, Vec::new());
    let kids = b.named_kids(n);
    for k in kids {
        if b.kind(k) != "for_in_clause" {
            let id = expr(b, k);
            if body_node.is_some_and(|body| body.id() == k.id()) {
                body = Some(id);
            }
            parts.push(id);
            continue;
        }
        let left = b.field(k, F::Left);
        let right = b.field(k, F::Right).map(|r| expr(b, r));
        if let Some(left) = left {
            let names = b.bound_identifiers(left);
            vars.extend(names.into_iter().map(|name| (name, right)));
        }
        let left = left.map(|l| expr(b, l));
        let clause = b.push(Expr::Other(left.into_iter().chain(right).collect()), k);
        parts.push(clause);
    }
    let id = b.push(Expr::Other(parts), n);
    if let Some(body) = body {
        b.mapped(id, body, vars);
    }
    id
}

/// `lambda c: quote(c)`: recorded as its body over its parameters, for `map(...)`.
fn lambda(b: &mut Builder<'_>, n: Node<'_>) -> ExprId {
    let params = b
        .field(n, F::Parameters)
        .map(|p| b.bound_identifiers(p))
        .unwrap_or_default();
    let parts = operands(b, n);
    let body = b.field(n, F::Body).and_then(|body| {
        let span = body.byte_range();
        parts.iter().copied().find(|&p| b.ix.span(p) == span)
    });
    let id = b.push(Expr::Other(parts), n);
    if let Some(body) = body {
        b.mapped(id, body, params.into_iter().map(|p| (p, None)).collect());
    }
    id
}

/// The named children of `n`, converted (comments left out).
fn operands(b: &mut Builder<'_>, n: Node<'_>) -> Vec<ExprId> {
    let kids = b.named_kids(n);
    kids.into_iter().map(|k| expr(b, k)).collect()
}

/// `"...".format(x)` and `str.format("...", x)` read as formatting, not opaque calls.
fn format_call(b: &Builder<'_>, id: usize) -> Option<Expr> {
    let c = &b.ix.calls[id];
    if c.path.last().map(String::as_str) != Some("format") {
        return None;
    }
    let template = c.receiver?;
    if !matches!(b.ix.expr(template), Expr::Str(_) | Expr::Concat(_)) {
        return None;
    }
    let mut args = c.args.clone();
    args.extend(c.named.iter().map(|(_, v)| *v));
    Some(Expr::Format(template, args))
}

/// `+`, comparisons and arithmetic as in every grammar; `"..." % args` is formatting.
fn binary(b: &mut Builder<'_>, n: Node<'_>) -> Expr {
    let e = b.binary(n, expr);
    let Expr::Arith(ops) = &e else { return e };
    let is_modulo = b.field(n, F::Operator).is_some_and(|o| b.text(o) == "%");
    let (&[left, right], Some(r)) = (ops.as_slice(), b.field(n, F::Right)) else {
        return e;
    };
    if !is_modulo || !matches!(b.ix.expr(left), Expr::Str(_) | Expr::Concat(_)) {
        return e;
    }
    let args = match b.ix.expr(right) {
        Expr::Other(items) if b.kind(r) == "tuple" || b.kind(r) == "dictionary" => items.clone(),
        _ => vec![right],
    };
    Expr::Format(left, args)
}
