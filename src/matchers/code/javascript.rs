//! JavaScript, TypeScript and TSX front-end (tree-sitter-javascript, tree-sitter-typescript):
//! calls and `new`, properties of object-literal arguments as named arguments, template
//! literals, `+`, declarations and assignments, `import`/`require` aliases.

use tree_sitter::Node;

use super::index::{Call, Expr, ExprId, Index, TestPlace};
use super::parse::{Builder, PathShape, F};

/// Indexes a parsed JavaScript or TypeScript file.
pub fn index(root: Node<'_>, src: &str) -> Index {
    let mut b = Builder::new(src, root);
    let complete = b.walk(root, visit);
    let mut index = b.finish();
    index.truncated = !complete;
    index
}

fn visit(b: &mut Builder<'_>, n: Node<'_>) {
    match b.kind(n) {
        "function_declaration"
        | "function_expression"
        | "function"
        | "arrow_function"
        | "method_definition"
        | "generator_function_declaration"
        | "generator_function" => b.function(n),
        "call_expression" | "new_expression" => {
            if let Some(module) = required(b, n) {
                b.import(&module, n);
            }
            call(b, n);
        }
        "variable_declarator" => declarator(b, n),
        "assignment_expression" | "augmented_assignment_expression" => assignment(b, n),
        "import_statement" => import(b, n),
        "if_statement" | "while_statement" | "do_statement" => {
            b.test_field(n, F::Condition, TestPlace::Condition, expr);
        }
        "switch_statement" => b.test_field(n, F::Value, TestPlace::Switch, expr),
        "required_parameter" | "optional_parameter" => {
            let name = b.field(n, F::Pattern).filter(|p| b.kind(*p) == "identifier");
            if let (Some(name), Some(ty)) = (name, b.field(n, F::Type)) {
                b.typed(name, ty);
            }
        }
        // `for (const cmd of ["a", "b"])`: the loop variable holds the iterable's items.
        "for_in_statement" => {
            if let (Some(left), Some(right)) = (b.field(n, F::Left), b.field(n, F::Right)) {
                if b.kind(left) == "identifier" {
                    let value = expr(b, right);
                    b.assign(vec![b.text(left).to_string()], value, n);
                }
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

fn import(b: &mut Builder<'_>, n: Node<'_>) {
    let Some(source) = b.field(n, F::Source) else {
        return;
    };
    let module = string_value(b, source);
    b.import(&module, n);
    let mut c = n.walk();
    let Some(clause) = n.named_children(&mut c).find(|k| b.kind(*k) == "import_clause") else {
        return;
    };
    let mut c = clause.walk();
    for part in clause.named_children(&mut c) {
        match b.kind(part) {
            "identifier" => b.alias(b.text(part), &module),
            "namespace_import" => {
                if let Some(id) = part.named_child(0) {
                    b.alias(b.text(id), &module);
                }
            }
            "named_imports" => {
                let mut c = part.walk();
                for spec in part.named_children(&mut c) {
                    if b.kind(spec) != "import_specifier" {
                        continue;
                    }
                    let name = b.field(spec, F::Name).map(|x| b.text(x)).unwrap_or("");
                    let local = b.field(spec, F::Alias).map_or(name, |x| b.text(x));
                    b.alias(local, &format!("{module}.{name}"));
                }
            }
            _ => {}
        }
    }
}

/// `require('child_process')` -> the module name.
fn required(b: &Builder<'_>, n: Node<'_>) -> Option<String> {
    let n = unwrap(b, n);
    if b.kind(n) != "call_expression" {
        return None;
    }
    let f = b.field(n, F::Function)?;
    if b.text(f) != "require" {
        return None;
    }
    let arg = b.field(n, F::Arguments)?.named_child(0)?;
    (b.kind(arg) == "string").then(|| string_value(b, arg))
}

fn declarator(b: &mut Builder<'_>, n: Node<'_>) {
    let (Some(name), Some(value)) = (b.field(n, F::Name), b.field(n, F::Value)) else {
        return;
    };
    if let Some(module) = required(b, value) {
        match b.kind(name) {
            "identifier" => b.alias(b.text(name), &module),
            "object_pattern" => {
                let mut c = name.walk();
                for p in name.named_children(&mut c) {
                    match b.kind(p) {
                        "shorthand_property_identifier_pattern" => {
                            let local = b.text(p);
                            b.alias(local, &format!("{module}.{local}"));
                        }
                        "pair_pattern" => {
                            let key = b.field(p, F::Key).map(|k| b.text(k)).unwrap_or("");
                            let local = b.field(p, F::Value).map(|k| b.text(k)).unwrap_or("");
                            b.alias(local, &format!("{module}.{key}"));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        return;
    }
    let v = expr(b, value);
    if b.kind(name) == "identifier" {
        b.assign(vec![b.text(name).to_string()], v, n);
    }
}

fn assignment(b: &mut Builder<'_>, n: Node<'_>) {
    let (Some(left), Some(right)) = (b.field(n, F::Left), b.field(n, F::Right)) else {
        return;
    };
    let mut value = expr(b, right);
    if b.kind(n) == "augmented_assignment_expression" {
        let prev = expr(b, left);
        value = b.push(Expr::Concat(vec![prev, value]), n);
    }
    let target = b.target_path(left, &TARGET);
    b.assign(target, value, n);
}

/// How this grammar writes assignment targets (see [`PathShape`]).
const TARGET: PathShape = PathShape {
    names: &["identifier", "this"],
    member: ("member_expression", F::Object, F::Property),
    subscript: Some(("subscript_expression", F::Object, F::Index, "string")),
    string: string_value,
    unwrap,
};

fn string_value(b: &Builder<'_>, n: Node<'_>) -> String {
    let mut c = n.walk();
    n.children(&mut c)
        .filter(|c| b.kind(*c) == "string_fragment" || b.kind(*c) == "escape_sequence")
        .map(|c| b.text(c))
        .collect()
}

/// Looks through wrappers that do not change the value: parentheses, `await`, TS casts.
fn unwrap<'t>(b: &Builder<'_>, n: Node<'t>) -> Node<'t> {
    let mut n = n;
    for _ in 0..32 {
        match b.kind(n) {
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
            | "type_assertion" => match n.named_child(0) {
                Some(inner) if b.kind(n) != "type_assertion" => n = inner,
                _ => match n.named_child(1) {
                    Some(inner) => n = inner,
                    None => return n,
                },
            },
            _ => return n,
        }
    }
    n
}

fn call(b: &mut Builder<'_>, n: Node<'_>) -> usize {
    if let Some(id) = b.known_call(n) {
        return id;
    }
    let func = b.field(n, F::Function).or_else(|| b.field(n, F::Constructor));
    let (path, receiver) = match func {
        // `require('child_process').exec(...)`: the module is the path.
        Some(_) if required(b, n).is_some() => {
            let module = required(b, n).unwrap_or_default();
            let path = module
                .trim_start_matches("node:")
                .split(['.', '/'])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (path, None)
        }
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
    if let Some(list) = b.field(n, F::Arguments) {
        if b.kind(list) == "template_string" {
            // A tagged template: the tag decides how the pieces are used (sql`...` binds them).
            args.push(expr(b, list));
        } else {
            let kids = b.named_kids(list);
            for a in kids {
                let e = expr(b, a);
                // An options object's properties are the call's named arguments.
                if let Expr::Other(items) = b.ix.expr(e) {
                    if b.kind(unwrap(b, a)) == "object" {
                        for &i in items {
                            if let Expr::Pair(k, v) = b.ix.expr(i) {
                                named.push((k.clone(), *v));
                            }
                        }
                    }
                }
                args.push(e);
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
        "identifier" | "this" | "shorthand_property_identifier" | "property_identifier" => {
            let t = b.text(n);
            if t == "undefined" {
                Expr::Lit("undefined".into())
            } else {
                Expr::Name(t.to_string())
            }
        }
        "true" | "false" | "null" | "number" => Expr::Lit(b.text(n).to_ascii_lowercase()),
        "string" => Expr::Str(string_value(b, n)),
        "template_string" => b.string_pieces(n, &["string_fragment"], &["template_substitution"], expr),
        "member_expression" => {
            let base = b.field(n, F::Object).map(|o| expr(b, o));
            let name = b
                .field(n, F::Property)
                .map(|a| b.text(a).to_string())
                .unwrap_or_default();
            match base {
                Some(base) => Expr::Attr(base, name),
                None => Expr::Name(name),
            }
        }
        "subscript_expression" => {
            let parts = (b.field(n, F::Object), b.field(n, F::Index));
            return b.subscript(n, parts, string_value, expr);
        }
        "call_expression" | "new_expression" => {
            let id = call(b, n);
            format_call(b, id).unwrap_or(Expr::Call(id))
        }
        "binary_expression" => b.binary(n, expr),
        "ternary_expression" => b.ternary(n, expr),
        "parenthesized_expression"
        | "await_expression"
        | "as_expression"
        | "non_null_expression"
        | "satisfies_expression"
        | "type_assertion" => {
            let inner = unwrap(b, n);
            if inner.id() != n.id() {
                return expr(b, inner);
            }
            Expr::Other(Vec::new())
        }
        "pair" => {
            let key = b
                .field(n, F::Key)
                .map(|k| {
                    if b.kind(k) == "string" {
                        string_value(b, k)
                    } else {
                        b.text(k).to_string()
                    }
                })
                .unwrap_or_default();
            match b.field(n, F::Value) {
                Some(v) => Expr::Pair(key, expr(b, v)),
                None => Expr::Other(Vec::new()),
            }
        }
        "shorthand_property_identifier_pattern" => Expr::Name(b.text(n).to_string()),
        "arrow_function" => return arrow(b, n),
        _ => {
            let kids = b.named_kids(n);
            Expr::Other(kids.into_iter().map(|k| expr(b, k)).collect())
        }
    };
    b.push(e, n)
}

/// `c => escapeId(c)`: recorded as its body over its parameters when the body is an
/// expression, for `.map(...)`.
fn arrow(b: &mut Builder<'_>, n: Node<'_>) -> ExprId {
    let params = b
        .field(n, F::Parameter)
        .or_else(|| b.field(n, F::Parameters))
        .map(|p| b.bound_identifiers(p))
        .unwrap_or_default();
    let body_node = b
        .field(n, F::Body)
        .filter(|body| b.kind(*body) != "statement_block");
    let kids = b.named_kids(n);
    let mut parts = Vec::with_capacity(kids.len());
    let mut body = None;
    for k in kids {
        let id = expr(b, k);
        if body_node.is_some_and(|body| body.id() == k.id()) {
            body = Some(id);
        }
        parts.push(id);
    }
    let id = b.push(Expr::Other(parts), n);
    if let Some(body) = body {
        b.mapped(id, body, params.into_iter().map(|p| (p, None)).collect());
    }
    id
}

/// Node's `util.format(template, ...values)` (also `import { format } from 'util'`) reads as
/// formatting: printf-style `%s` pastes the values in unescaped, unlike a database driver's
/// `format`, which quotes them.
fn format_call(b: &Builder<'_>, id: usize) -> Option<Expr> {
    let c = &b.ix.calls[id];
    let is_util = matches!(c.path.as_slice(), [.., m, f] if m == "util" && f == "format");
    if !is_util {
        return None;
    }
    let (&template, rest) = c.args.split_first()?;
    Some(Expr::Format(template, rest.to_vec()))
}
