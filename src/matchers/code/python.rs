//! Python front-end (tree-sitter-python): calls with keyword arguments, f-strings, `%` and
//! `.format` formatting, assignments, `import x as y` / `from x import y as z`.

use tree_sitter::Node;

use super::index::{Call, Expr, ExprId, Index, TestPlace};
use super::parse::{walk, Builder, PathShape};

/// Indexes a parsed Python file.
pub fn index(root: Node<'_>, src: &str) -> Index {
    let mut b = Builder::new(src);
    let complete = walk(root, |n| visit(&mut b, n));
    let mut index = b.finish();
    index.truncated = !complete;
    index
}

fn visit(b: &mut Builder<'_>, n: Node<'_>) {
    match n.kind() {
        "function_definition" | "lambda" => b.function(n),
        "call" => {
            call(b, n);
        }
        "assignment" | "augmented_assignment" => assignment(b, n),
        "if_statement" | "elif_clause" | "while_statement" => {
            b.test_field(n, "condition", TestPlace::Condition, expr);
        }
        "typed_parameter" | "typed_default_parameter" => {
            let name = n.child_by_field_name("name").or_else(|| n.named_child(0));
            if let (Some(name), Some(ty)) = (
                name.filter(|x| x.kind() == "identifier"),
                n.child_by_field_name("type"),
            ) {
                b.typed(name, ty);
            }
        }
        "match_statement" => {
            let mut c = n.walk();
            let subjects: Vec<Node<'_>> = n.children_by_field_name("subject", &mut c).collect();
            for s in subjects {
                let value = expr(b, s);
                b.test(TestPlace::Switch, value);
            }
        }
        // `for cmd in ("ver", "cmd /c ver")`: the loop variable holds the iterable's items.
        "for_statement" => {
            if let (Some(left), Some(right)) = (n.child_by_field_name("left"), n.child_by_field_name("right"))
            {
                if left.kind() == "identifier" {
                    let value = expr(b, right);
                    b.assign(vec![b.text(left).to_string()], value, n);
                }
            }
        }
        "import_statement" => {
            let mut c = n.walk();
            for name in n.children_by_field_name("name", &mut c) {
                import_name(b, name, None);
            }
        }
        "import_from_statement" => {
            let module = n
                .child_by_field_name("module_name")
                .map(|m| b.text(m).to_string());
            let mut c = n.walk();
            for name in n.children_by_field_name("name", &mut c) {
                import_name(b, name, module.as_deref());
            }
        }
        // A returned string is built here too (`return "SELECT ... " + name`).
        "return_statement" => {
            let mut c = n.walk();
            let kids: Vec<Node<'_>> = n
                .named_children(&mut c)
                .filter(|k| k.kind() != "comment")
                .collect();
            for k in kids {
                expr(b, k);
            }
        }
        _ => {}
    }
}

fn import_name(b: &mut Builder<'_>, n: Node<'_>, module: Option<&str>) {
    let (name, alias) = if n.kind() == "aliased_import" {
        let name = n.child_by_field_name("name").map(|x| b.text(x)).unwrap_or("");
        let alias = n.child_by_field_name("alias").map(|x| b.text(x)).unwrap_or("");
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
        None if n.kind() == "aliased_import" => name.to_string(),
        None => alias.clone(),
    };
    if full != alias {
        b.alias(&alias, full.trim_start_matches('.'));
    }
}

fn assignment(b: &mut Builder<'_>, n: Node<'_>) {
    let (Some(left), Some(right)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) else {
        return;
    };
    let mut value = expr(b, right);
    if n.kind() == "augmented_assignment" {
        // `q += x` keeps building `q`.
        let prev = expr(b, left);
        value = b.push(Expr::Concat(vec![prev, value]), n);
    }
    if left.kind() == "pattern_list" || left.kind() == "tuple_pattern" {
        return;
    }
    // `run = getattr(os, "system")`, `m = __import__("os")`: the local names a module or one of
    // its functions for the rest of the file, as an import alias would.
    if left.kind() == "identifier"
        && right.kind() == "call"
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
    if left.kind() != "subscript" {
        return false;
    }
    let (Some(base), Some(key)) = (
        left.child_by_field_name("value"),
        left.child_by_field_name("subscript"),
    ) else {
        return false;
    };
    if base.kind() != "identifier" || key.kind() == "string" {
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
    let func = n.child_by_field_name("function")?;
    if func.kind() != "identifier" {
        return None;
    }
    let list = n.child_by_field_name("arguments")?;
    let mut c = list.walk();
    let args: Vec<Node<'_>> = list
        .named_children(&mut c)
        .filter(|a| a.kind() != "comment")
        .collect();
    let literal = |b: &Builder<'_>, a: Node<'_>| -> Option<String> {
        let interpolated = {
            let mut c = a.walk();
            let found = a.named_children(&mut c).any(|k| k.kind() == "interpolation");
            found
        };
        let s = plain_string(b, a);
        (a.kind() == "string"
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
    member: ("attribute", "object", "attribute"),
    subscript: Some(("subscript", "value", "subscript", "string")),
    string: plain_string,
    unwrap: |n| n,
};

fn plain_string(b: &Builder<'_>, n: Node<'_>) -> String {
    let mut c = n.walk();
    n.children(&mut c)
        .filter(|c| c.kind() == "string_content")
        .map(|c| b.text(c))
        .collect()
}

fn call(b: &mut Builder<'_>, n: Node<'_>) -> usize {
    if let Some(id) = b.known_call(n) {
        return id;
    }
    let func = n.child_by_field_name("function");
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
    if let Some(list) = n.child_by_field_name("arguments") {
        let mut c = list.walk();
        for a in list.named_children(&mut c) {
            match a.kind() {
                "keyword_argument" => {
                    let key = a
                        .child_by_field_name("name")
                        .map(|k| b.text(k).to_string())
                        .unwrap_or_default();
                    if let Some(v) = a.child_by_field_name("value") {
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
    let e = match n.kind() {
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
            let base = n.child_by_field_name("object").map(|o| expr(b, o));
            let name = n
                .child_by_field_name("attribute")
                .map(|a| b.text(a).to_string())
                .unwrap_or_default();
            match base {
                Some(base) => Expr::Attr(base, name),
                None => Expr::Name(name),
            }
        }
        "subscript" => {
            let parts = (n.child_by_field_name("value"), n.child_by_field_name("subscript"));
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
        "parenthesized_expression" | "await" => match n.named_child(0) {
            Some(inner) => return expr(b, inner),
            None => Expr::Other(Vec::new()),
        },
        "keyword_argument" | "pair" => {
            let key = n
                .child_by_field_name(if n.kind() == "pair" { "key" } else { "name" })
                .map(|k| {
                    if k.kind() == "string" {
                        plain_string(b, k)
                    } else {
                        b.text(k).to_string()
                    }
                })
                .unwrap_or_default();
            let v = n.child_by_field_name("value").map(|v| expr(b, v));
            match v {
                Some(v) => Expr::Pair(key, v),
                None => Expr::Other(Vec::new()),
            }
        }
        _ => Expr::Other(operands(b, n)),
    };
    b.push(e, n)
}

/// The named children of `n`, converted (comments left out).
fn operands(b: &mut Builder<'_>, n: Node<'_>) -> Vec<ExprId> {
    let mut c = n.walk();
    let kids: Vec<Node<'_>> = n
        .named_children(&mut c)
        .filter(|k| k.kind() != "comment")
        .collect();
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
    let is_modulo = n
        .child_by_field_name("operator")
        .is_some_and(|o| b.text(o) == "%");
    let (&[left, right], Some(r)) = (ops.as_slice(), n.child_by_field_name("right")) else {
        return e;
    };
    if !is_modulo || !matches!(b.ix.expr(left), Expr::Str(_) | Expr::Concat(_)) {
        return e;
    }
    let args = match b.ix.expr(right) {
        Expr::Other(items) if r.kind() == "tuple" || r.kind() == "dictionary" => items.clone(),
        _ => vec![right],
    };
    Expr::Format(left, args)
}
