//! JavaScript, TypeScript and TSX front-end (tree-sitter-javascript, tree-sitter-typescript):
//! calls and `new`, properties of object-literal arguments as named arguments, template
//! literals, `+`, declarations and assignments, `import`/`require` aliases.

use tree_sitter::Node;

use super::index::{Call, Expr, ExprId, Index, TestPlace};
use super::parse::{walk, Builder, PathShape};

/// Indexes a parsed JavaScript or TypeScript file.
pub fn index(root: Node<'_>, src: &str) -> Index {
    let mut b = Builder::new(src);
    let complete = walk(root, |n| visit(&mut b, n));
    let mut index = b.finish();
    index.truncated = !complete;
    index
}

fn visit(b: &mut Builder<'_>, n: Node<'_>) {
    match n.kind() {
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
            b.test_field(n, "condition", TestPlace::Condition, expr);
        }
        "switch_statement" => b.test_field(n, "value", TestPlace::Switch, expr),
        "required_parameter" | "optional_parameter" => {
            let name = n
                .child_by_field_name("pattern")
                .filter(|p| p.kind() == "identifier");
            if let (Some(name), Some(ty)) = (name, n.child_by_field_name("type")) {
                b.typed(name, ty);
            }
        }
        // `for (const cmd of ["a", "b"])`: the loop variable holds the iterable's items.
        "for_in_statement" => {
            if let (Some(left), Some(right)) = (n.child_by_field_name("left"), n.child_by_field_name("right"))
            {
                if left.kind() == "identifier" {
                    let value = expr(b, right);
                    b.assign(vec![b.text(left).to_string()], value, n);
                }
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

fn import(b: &mut Builder<'_>, n: Node<'_>) {
    let Some(source) = n.child_by_field_name("source") else {
        return;
    };
    let module = string_value(b, source);
    b.import(&module, n);
    let mut c = n.walk();
    let Some(clause) = n.named_children(&mut c).find(|k| k.kind() == "import_clause") else {
        return;
    };
    let mut c = clause.walk();
    for part in clause.named_children(&mut c) {
        match part.kind() {
            "identifier" => b.alias(b.text(part), &module),
            "namespace_import" => {
                if let Some(id) = part.named_child(0) {
                    b.alias(b.text(id), &module);
                }
            }
            "named_imports" => {
                let mut c = part.walk();
                for spec in part
                    .named_children(&mut c)
                    .filter(|s| s.kind() == "import_specifier")
                {
                    let name = spec.child_by_field_name("name").map(|x| b.text(x)).unwrap_or("");
                    let local = spec.child_by_field_name("alias").map_or(name, |x| b.text(x));
                    b.alias(local, &format!("{module}.{name}"));
                }
            }
            _ => {}
        }
    }
}

/// `require('child_process')` -> the module name.
fn required(b: &Builder<'_>, n: Node<'_>) -> Option<String> {
    let n = unwrap(n);
    if n.kind() != "call_expression" {
        return None;
    }
    let f = n.child_by_field_name("function")?;
    if b.text(f) != "require" {
        return None;
    }
    let arg = n.child_by_field_name("arguments")?.named_child(0)?;
    (arg.kind() == "string").then(|| string_value(b, arg))
}

fn declarator(b: &mut Builder<'_>, n: Node<'_>) {
    let (Some(name), Some(value)) = (n.child_by_field_name("name"), n.child_by_field_name("value")) else {
        return;
    };
    if let Some(module) = required(b, value) {
        match name.kind() {
            "identifier" => b.alias(b.text(name), &module),
            "object_pattern" => {
                let mut c = name.walk();
                for p in name.named_children(&mut c) {
                    match p.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let local = b.text(p);
                            b.alias(local, &format!("{module}.{local}"));
                        }
                        "pair_pattern" => {
                            let key = p.child_by_field_name("key").map(|k| b.text(k)).unwrap_or("");
                            let local = p.child_by_field_name("value").map(|k| b.text(k)).unwrap_or("");
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
    if name.kind() == "identifier" {
        b.assign(vec![b.text(name).to_string()], v, n);
    }
}

fn assignment(b: &mut Builder<'_>, n: Node<'_>) {
    let (Some(left), Some(right)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) else {
        return;
    };
    let mut value = expr(b, right);
    if n.kind() == "augmented_assignment_expression" {
        let prev = expr(b, left);
        value = b.push(Expr::Concat(vec![prev, value]), n);
    }
    let target = b.target_path(left, &TARGET);
    b.assign(target, value, n);
}

/// How this grammar writes assignment targets (see [`PathShape`]).
const TARGET: PathShape = PathShape {
    names: &["identifier", "this"],
    member: ("member_expression", "object", "property"),
    subscript: Some(("subscript_expression", "object", "index", "string")),
    string: string_value,
    unwrap,
};

fn string_value(b: &Builder<'_>, n: Node<'_>) -> String {
    let mut c = n.walk();
    n.children(&mut c)
        .filter(|c| c.kind() == "string_fragment" || c.kind() == "escape_sequence")
        .map(|c| b.text(c))
        .collect()
}

/// Looks through wrappers that do not change the value: parentheses, `await`, TS casts.
fn unwrap(n: Node<'_>) -> Node<'_> {
    let mut n = n;
    for _ in 0..32 {
        match n.kind() {
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
            | "type_assertion" => match n.named_child(0) {
                Some(inner) if n.kind() != "type_assertion" => n = inner,
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
    let func = n
        .child_by_field_name("function")
        .or_else(|| n.child_by_field_name("constructor"));
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
    if let Some(list) = n.child_by_field_name("arguments") {
        if list.kind() == "template_string" {
            // A tagged template: the tag decides how the pieces are used (sql`...` binds them).
            args.push(expr(b, list));
        } else {
            let mut c = list.walk();
            let kids: Vec<Node<'_>> = list
                .named_children(&mut c)
                .filter(|k| k.kind() != "comment")
                .collect();
            for a in kids {
                let e = expr(b, a);
                // An options object's properties are the call's named arguments.
                if let Expr::Other(items) = b.ix.expr(e) {
                    if unwrap(a).kind() == "object" {
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
    let e = match n.kind() {
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
            let base = n.child_by_field_name("object").map(|o| expr(b, o));
            let name = n
                .child_by_field_name("property")
                .map(|a| b.text(a).to_string())
                .unwrap_or_default();
            match base {
                Some(base) => Expr::Attr(base, name),
                None => Expr::Name(name),
            }
        }
        "subscript_expression" => {
            let parts = (n.child_by_field_name("object"), n.child_by_field_name("index"));
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
            let inner = unwrap(n);
            if inner.id() != n.id() {
                return expr(b, inner);
            }
            Expr::Other(Vec::new())
        }
        "pair" => {
            let key = n
                .child_by_field_name("key")
                .map(|k| {
                    if k.kind() == "string" {
                        string_value(b, k)
                    } else {
                        b.text(k).to_string()
                    }
                })
                .unwrap_or_default();
            match n.child_by_field_name("value") {
                Some(v) => Expr::Pair(key, expr(b, v)),
                None => Expr::Other(Vec::new()),
            }
        }
        "shorthand_property_identifier_pattern" => Expr::Name(b.text(n).to_string()),
        _ => {
            let mut c = n.walk();
            let kids: Vec<Node<'_>> = n
                .named_children(&mut c)
                .filter(|k| k.kind() != "comment")
                .collect();
            Expr::Other(kids.into_iter().map(|k| expr(b, k)).collect())
        }
    };
    b.push(e, n)
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
