//! Java front-end (tree-sitter-java): method invocations and `new`, `+` concatenation,
//! `String.format` / `"...".formatted(...)` as formatting, local declarations and assignments
//! (stores into an array element by index too: `cmd[2] = command`),
//! single-type imports (`import org.apache.commons.codec.digest.DigestUtils;`).

use tree_sitter::Node;

use super::index::{Call, Expr, ExprId, Index, TestPlace};
use super::parse::{Builder, PathShape, F};

/// Indexes a parsed Java file.
pub fn index(root: Node<'_>, src: &str) -> Index {
    let mut b = Builder::new(src, root);
    let complete = b.walk(root, visit);
    let mut index = b.finish();
    index.truncated = !complete;
    index
}

fn visit(b: &mut Builder<'_>, n: Node<'_>) {
    match b.kind(n) {
        "method_declaration" | "constructor_declaration" | "lambda_expression" => b.function(n),
        "method_invocation" | "object_creation_expression" => {
            call(b, n);
        }
        "variable_declarator" => {
            if let (Some(name), Some(value)) = (b.field(n, F::Name), b.field(n, F::Value)) {
                let v = expr(b, value);
                b.assign(vec![b.text(name).to_string()], v, n);
            }
        }
        "assignment_expression" => assignment(b, n),
        "formal_parameter" | "enhanced_for_statement" => {
            if let (Some(name), Some(ty)) = (b.field(n, F::Name), b.field(n, F::Type)) {
                b.typed(name, ty);
            }
        }
        "local_variable_declaration" => {
            if let Some(ty) = b.field(n, F::Type) {
                let names: Vec<Node<'_>> = b
                    .fields(n, F::Declarator)
                    .into_iter()
                    .filter_map(|d| b.field(d, F::Name))
                    .collect();
                for name in names {
                    b.typed(name, ty);
                }
            }
        }
        "if_statement" | "while_statement" | "do_statement" => {
            b.test_field(n, F::Condition, TestPlace::Condition, expr);
        }
        "switch_expression" | "switch_statement" => {
            b.test_field(n, F::Condition, TestPlace::Switch, expr);
        }
        "import_declaration" => {
            let mut c = n.walk();
            let wildcard = n.named_children(&mut c).any(|k| b.kind(k) == "asterisk");
            let mut c = n.walk();
            let path = n
                .named_children(&mut c)
                .find(|k| b.kind(*k) == "scoped_identifier")
                .map(|p| b.text(p).to_string());
            if let Some(path) = &path {
                b.import(path, n);
            }
            if let (Some(path), false) = (path, wildcard) {
                let local = path.rsplit('.').next().unwrap_or("").to_string();
                b.alias(&local, &path);
            }
        }
        "return_statement" => {
            if let Some(k) = n.named_child(0) {
                expr(b, k);
            }
        }
        _ => {}
    }
}

fn assignment(b: &mut Builder<'_>, n: Node<'_>) {
    let (Some(left), Some(right)) = (b.field(n, F::Left), b.field(n, F::Right)) else {
        return;
    };
    let mut value = expr(b, right);
    if b.field(n, F::Operator).is_some_and(|o| b.text(o) == "+=") {
        let prev = expr(b, left);
        value = b.push(Expr::Concat(vec![prev, value]), n);
    }
    // `cmd[2] = command`: a store into an element of a local array, by its index.
    if b.kind(left) == "array_access" {
        let (Some(array), Some(key)) = (b.field(left, F::Array), b.field(left, F::Index)) else {
            return;
        };
        if b.kind(array) == "identifier" {
            let key = expr(b, key);
            let name = b.text(array).to_string();
            b.assign_element(&name, key, value, n);
        }
        return;
    }
    let target = b.target_path(left, &TARGET);
    b.assign(target, value, n);
}

/// How this grammar writes assignment targets (see [`PathShape`]).
const TARGET: PathShape = PathShape {
    names: &["identifier", "this"],
    member: ("field_access", F::Object, F::Field),
    subscript: None,
    string: string_value,
    unwrap: |_, n| n,
};

fn string_value(b: &Builder<'_>, n: Node<'_>) -> String {
    let mut c = n.walk();
    n.children(&mut c)
        .filter(|c| {
            matches!(
                b.kind(*c),
                "string_fragment" | "multiline_string_fragment" | "escape_sequence"
            )
        })
        .map(|c| b.text(c))
        .collect()
}

fn call(b: &mut Builder<'_>, n: Node<'_>) -> usize {
    if let Some(id) = b.known_call(n) {
        return id;
    }
    let (path, receiver) = if b.kind(n) == "object_creation_expression" {
        let path = b
            .field(n, F::Type)
            .map(|t| {
                let e = expr(b, t);
                b.ix.path_of(e)
            })
            .unwrap_or_default();
        (path, None)
    } else {
        let receiver = b.field(n, F::Object).map(|o| expr(b, o));
        let name = b
            .field(n, F::Name)
            .map(|x| b.text(x).to_string())
            .unwrap_or_default();
        let mut path = match receiver {
            Some(r) => b.ix.path_of(r),
            None => Vec::new(),
        };
        path.push(name);
        (path, receiver)
    };
    let mut args = Vec::new();
    if let Some(list) = b.field(n, F::Arguments) {
        let mut c = list.walk();
        let kids: Vec<Node<'_>> = list
            .named_children(&mut c)
            .filter(|k| !matches!(b.kind(*k), "line_comment" | "block_comment"))
            .collect();
        for a in kids {
            args.push(expr(b, a));
        }
    }
    b.add_call(
        n,
        Call {
            path,
            written: None,
            receiver,
            args,
            named: Vec::new(),
            chained_by: None,
            span: n.byte_range(),
            func: None,
        },
    )
}

/// Converts an expression node.
pub fn expr(b: &mut Builder<'_>, n: Node<'_>) -> ExprId {
    b.guarded_expr(n, expr_inner)
}

fn expr_inner(b: &mut Builder<'_>, n: Node<'_>) -> ExprId {
    let e = match b.kind(n) {
        "identifier" | "type_identifier" | "this" => Expr::Name(b.text(n).to_string()),
        "true"
        | "false"
        | "null_literal"
        | "decimal_integer_literal"
        | "hex_integer_literal"
        | "decimal_floating_point_literal" => Expr::Lit(b.text(n).to_ascii_lowercase()),
        "string_literal" => Expr::Str(string_value(b, n)),
        "character_literal" => Expr::Str(b.text(n).trim_matches('\'').to_string()),
        "field_access" | "scoped_type_identifier" | "scoped_identifier" => {
            let base = b
                .field(n, F::Object)
                .or_else(|| b.field(n, F::Scope))
                .or_else(|| n.named_child(0));
            let name = b
                .field(n, F::Field)
                .or_else(|| b.field(n, F::Name))
                .or_else(|| n.named_child(n.named_child_count().saturating_sub(1) as u32))
                .map(|a| b.text(a).to_string())
                .unwrap_or_default();
            match base {
                Some(base) if base.id() != n.id() && base.end_byte() < n.end_byte() => {
                    Expr::Attr(expr(b, base), name)
                }
                _ => Expr::Name(name),
            }
        }
        "array_access" => {
            let base = b.field(n, F::Array).map(|o| expr(b, o));
            match base {
                Some(base) => Expr::Index(base, None),
                None => Expr::Other(Vec::new()),
            }
        }
        "method_invocation" | "object_creation_expression" => {
            let id = call(b, n);
            format_call(b, id).unwrap_or(Expr::Call(id))
        }
        "binary_expression" => b.binary(n, expr),
        "ternary_expression" => b.ternary(n, expr),
        "parenthesized_expression" | "cast_expression" => {
            let inner = b
                .field(n, F::Value)
                .or_else(|| n.named_child(n.named_child_count().saturating_sub(1) as u32));
            match inner {
                Some(i) if i.id() != n.id() => return expr(b, i),
                _ => Expr::Other(Vec::new()),
            }
        }
        _ => {
            let mut c = n.walk();
            let kids: Vec<Node<'_>> = n
                .named_children(&mut c)
                .filter(|k| !matches!(b.kind(*k), "line_comment" | "block_comment"))
                .collect();
            Expr::Other(kids.into_iter().map(|k| expr(b, k)).collect())
        }
    };
    b.push(e, n)
}

/// `String.format(template, args)` and `"...".formatted(args)` read as formatting.
fn format_call(b: &Builder<'_>, id: usize) -> Option<Expr> {
    let c = &b.ix.calls[id];
    let last = c.path.last().map(String::as_str)?;
    let n = c.path.len();
    if last == "format" && n >= 2 && (c.path[n - 2] == "String" || c.path[n - 2] == "MessageFormat") {
        let (&template, rest) = c.args.split_first()?;
        return Some(Expr::Format(template, rest.to_vec()));
    }
    if last == "formatted" {
        let template = c.receiver?;
        if matches!(b.ix.expr(template), Expr::Str(_) | Expr::Concat(_)) {
            return Some(Expr::Format(template, c.args.clone()));
        }
    }
    None
}
