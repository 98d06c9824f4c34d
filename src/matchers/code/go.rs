//! Go front-end (tree-sitter-go): calls, composite literals as calls with keyed elements as
//! named arguments (`tls.Config{InsecureSkipVerify: true}`), `fmt.Sprintf` as formatting, `:=`,
//! `=` and `var`, imports by package name or alias (`crypto/md5` binds `md5`).

use tree_sitter::Node;

use super::index::{Call, Expr, ExprId, Index, TestPlace};
use super::parse::{Builder, PathShape, F};

/// Indexes a parsed Go file.
pub fn index(root: Node<'_>, src: &str) -> Index {
    let mut b = Builder::new(src, root);
    let complete = b.walk(root, visit);
    let mut index = b.finish();
    index.truncated = !complete;
    index
}

fn visit(b: &mut Builder<'_>, n: Node<'_>) {
    match b.kind(n) {
        "function_declaration" | "method_declaration" | "func_literal" => b.function(n),
        "call_expression" | "composite_literal" => {
            call(b, n);
        }
        "short_var_declaration" | "assignment_statement" => assignment(b, n),
        "var_spec" | "const_spec" => var_spec(b, n),
        "import_spec" => import(b, n),
        "parameter_declaration" => {
            if let Some(ty) = b.field(n, F::Type) {
                for name in b.fields(n, F::Name) {
                    b.typed(name, ty);
                }
            }
        }
        // `for _, a := range applicants`: the value variable holds the collection's items.
        "range_clause" => {
            let left = list(b, b.field(n, F::Left));
            if let (Some(item), Some(right)) = (left.last(), b.field(n, F::Right)) {
                if b.kind(*item) == "identifier" {
                    let value = expr(b, right);
                    b.assign(vec![b.text(*item).to_string()], value, n);
                }
            }
        }
        "if_statement" => b.test_field(n, F::Condition, TestPlace::Condition, expr),
        "expression_switch_statement" => b.test_field(n, F::Value, TestPlace::Switch, expr),
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
    let Some(path) = b.field(n, F::Path) else {
        return;
    };
    let module = string_value(b, path);
    b.import(&module, n);
    let local = match b.field(n, F::Name) {
        Some(name) if b.kind(name) == "package_identifier" => b.text(name).to_string(),
        Some(_) => return,
        None => module.rsplit('/').next().unwrap_or("").to_string(),
    };
    b.alias(&local, &module);
}

fn string_value(b: &Builder<'_>, n: Node<'_>) -> String {
    let mut c = n.walk();
    n.children(&mut c)
        .filter(|c| {
            matches!(
                b.kind(*c),
                "interpreted_string_literal_content" | "raw_string_literal_content" | "escape_sequence"
            )
        })
        .map(|c| b.text(c))
        .collect()
}

fn list<'t>(b: &Builder<'_>, n: Option<Node<'t>>) -> Vec<Node<'t>> {
    match n {
        Some(l) if b.kind(l) == "expression_list" => b.named_kids(l),
        Some(single) => vec![single],
        None => Vec::new(),
    }
}

fn assignment(b: &mut Builder<'_>, n: Node<'_>) {
    let left = list(b, b.field(n, F::Left));
    let right = list(b, b.field(n, F::Right));
    let augmented = b.field(n, F::Operator).is_some_and(|o| b.text(o) == "+=");
    for (l, r) in left.iter().zip(right.iter()) {
        let mut value = expr(b, *r);
        if augmented {
            let prev = expr(b, *l);
            value = b.push(Expr::Concat(vec![prev, value]), n);
        }
        let target = b.target_path(*l, &TARGET);
        b.assign(target, value, n);
    }
    // `rows, err := db.Query(q)`: the calls are still indexed by the walk.
}

fn var_spec(b: &mut Builder<'_>, n: Node<'_>) {
    let names = b.fields(n, F::Name);
    let values = list(b, b.field(n, F::Value));
    for (name, v) in names.iter().zip(values.iter()) {
        let value = expr(b, *v);
        b.assign(vec![b.text(*name).to_string()], value, n);
    }
}

/// How this grammar writes assignment targets (see [`PathShape`]).
const TARGET: PathShape = PathShape {
    names: &["identifier"],
    member: ("selector_expression", F::Operand, F::Field),
    subscript: Some((
        "index_expression",
        F::Operand,
        F::Index,
        "interpreted_string_literal",
    )),
    string: string_value,
    unwrap: |_, n| n,
};

fn call(b: &mut Builder<'_>, n: Node<'_>) -> usize {
    if let Some(id) = b.known_call(n) {
        return id;
    }
    let composite = b.kind(n) == "composite_literal";
    let func = b.field(n, if composite { F::Type } else { F::Function });
    let (path, receiver) = match func {
        Some(f) => {
            let e = expr(b, f);
            let receiver = match b.ix.expr(e) {
                Expr::Attr(base, _) if !composite => Some(*base),
                _ => None,
            };
            (b.ix.path_of(e), receiver)
        }
        None => (Vec::new(), None),
    };
    let mut args = Vec::new();
    let mut named = Vec::new();
    let body = b.field(n, if composite { F::Body } else { F::Arguments });
    if let Some(list) = body {
        let kids = b.named_kids(list);
        for a in kids {
            if b.kind(a) == "keyed_element" {
                let key = b
                    .field(a, F::Key)
                    .map(|k| b.text(k).to_string())
                    .unwrap_or_default();
                if let Some(v) = b.field(a, F::Value) {
                    let v = expr(b, v);
                    b.push(Expr::Pair(key.clone(), v), a);
                    named.push((key, v));
                }
            } else {
                args.push(expr(b, a));
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
        "identifier" | "field_identifier" | "package_identifier" | "type_identifier" => {
            Expr::Name(b.text(n).to_string())
        }
        "true" | "false" | "nil" | "int_literal" | "float_literal" => {
            Expr::Lit(b.text(n).to_ascii_lowercase())
        }
        "interpreted_string_literal" | "raw_string_literal" => Expr::Str(string_value(b, n)),
        "selector_expression" => {
            let base = b.field(n, F::Operand).map(|o| expr(b, o));
            let name = b
                .field(n, F::Field)
                .map(|a| b.text(a).to_string())
                .unwrap_or_default();
            match base {
                Some(base) => Expr::Attr(base, name),
                None => Expr::Name(name),
            }
        }
        "qualified_type" => {
            let pkg = b.field(n, F::Package).map(|p| expr(b, p));
            let name = b
                .field(n, F::Name)
                .map(|a| b.text(a).to_string())
                .unwrap_or_default();
            match pkg {
                Some(p) => Expr::Attr(p, name),
                None => Expr::Name(name),
            }
        }
        "index_expression" => {
            let base = b.field(n, F::Operand).map(|o| expr(b, o));
            let key_node = b.field(n, F::Index);
            let key = key_node
                .filter(|k| b.kind(*k) == "interpreted_string_literal")
                .map(|k| string_value(b, k));
            // A computed key is converted for what it decides (`df[df["age"] < 30]`).
            if let Some(k) = key_node.filter(|k| b.kind(*k) != "interpreted_string_literal") {
                expr(b, k);
            }
            match base {
                Some(base) => Expr::Index(base, key),
                None => Expr::Other(Vec::new()),
            }
        }
        "call_expression" | "composite_literal" => {
            let id = call(b, n);
            sprintf(b, id).unwrap_or(Expr::Call(id))
        }
        "binary_expression" => b.binary(n, expr),
        "parenthesized_expression" => match n.named_child(0) {
            Some(inner) => return expr(b, inner),
            None => Expr::Other(Vec::new()),
        },
        "literal_element" => match n.named_child(0) {
            Some(inner) => return expr(b, inner),
            None => Expr::Other(Vec::new()),
        },
        _ => {
            let kids = b.named_kids(n);
            Expr::Other(kids.into_iter().map(|k| expr(b, k)).collect())
        }
    };
    b.push(e, n)
}

/// `fmt.Sprintf(template, args...)` reads as formatting.
fn sprintf(b: &Builder<'_>, id: usize) -> Option<Expr> {
    let c = &b.ix.calls[id];
    let is_fmt = c.path.len() >= 2
        && c.path[c.path.len() - 2] == "fmt"
        && matches!(
            c.path.last().map(String::as_str),
            Some("Sprintf" | "Sprint" | "Sprintln")
        );
    if !is_fmt {
        return None;
    }
    let (&template, rest) = c.args.split_first()?;
    Some(Expr::Format(template, rest.to_vec()))
}
