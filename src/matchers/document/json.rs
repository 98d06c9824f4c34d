//! JSON (comments and trailing commas allowed, as in `tsconfig.json`) into the positioned tree,
//! from jsonc-parser's AST, whose every node carries its byte range.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

use super::tree::{Key, Node, NodeKind, Pair, ParseFailure, Scalar, ScalarKind};

/// Parses one JSON document (jsonc-parser itself stops at 512 levels; the tree at the configured depth).
pub fn parse(text: &str) -> Result<Node, ParseFailure> {
    let ast = parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default()).map_err(|e| {
        let r = e.range();
        ParseFailure {
            message: e.kind().to_string(),
            span: r.start..r.end,
            bound: None,
        }
    })?;
    match ast.value {
        Some(v) => convert(&v, 0),
        None => Ok(Node::scalar("", ScalarKind::Null, 0..0)),
    }
}

fn convert(value: &Value<'_>, depth: usize) -> Result<Node, ParseFailure> {
    let (kind, r) = match value {
        Value::StringLit(s) => (scalar(&s.value, ScalarKind::Str), s.range),
        Value::NumberLit(n) => (scalar(n.value, number(n.value)), n.range),
        Value::BooleanLit(b) => (
            scalar(if b.value { "true" } else { "false" }, ScalarKind::Bool(b.value)),
            b.range,
        ),
        Value::NullKeyword(n) => (scalar("null", ScalarKind::Null), n.range),
        Value::Array(a) => {
            deeper(depth, a.range.start)?;
            let items = a
                .elements
                .iter()
                .map(|e| convert(e, depth + 1))
                .collect::<Result<_, _>>()?;
            (NodeKind::Seq(items), a.range)
        }
        Value::Object(o) => {
            deeper(depth, o.range.start)?;
            (NodeKind::Map(properties(o, depth)?), o.range)
        }
    };
    Ok(Node {
        kind,
        span: r.start..r.end,
    })
}

fn properties(o: &jsonc_parser::ast::Object<'_>, depth: usize) -> Result<Vec<Pair>, ParseFailure> {
    let mut pairs = Vec::with_capacity(o.properties.len());
    for p in &o.properties {
        let (text, r) = match &p.name {
            ObjectPropName::String(s) => (s.value.to_string(), s.range),
            ObjectPropName::Word(w) => (w.value.to_string(), w.range),
        };
        pairs.push(Pair {
            key: Key {
                text,
                span: r.start..r.end,
            },
            value: convert(&p.value, depth + 1)?,
        });
    }
    Ok(pairs)
}

fn deeper(depth: usize, at: usize) -> Result<(), ParseFailure> {
    let max = crate::matchers::limits::current().max_depth;
    if depth >= max {
        return Err(ParseFailure::bound(
            at,
            "parse_depth",
            format!("nesting deeper than {max} levels"),
        ));
    }
    Ok(())
}

fn scalar(text: &str, kind: ScalarKind) -> NodeKind {
    NodeKind::Scalar(Scalar::new(text, kind))
}

fn number(text: &str) -> ScalarKind {
    if let Ok(i) = text.parse::<i64>() {
        return ScalarKind::Int(i);
    }
    text.parse::<f64>().map_or(ScalarKind::Str, ScalarKind::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_byte_offsets() {
        let t = "{ // c\n  \"é\": 1, \"deps\": {\"mixpanel\": \"^2\"}, }";
        let n = parse(t).unwrap();
        let NodeKind::Map(pairs) = &n.kind else { panic!() };
        assert_eq!(&t[pairs[0].key.span.clone()], "\"é\"");
        let NodeKind::Map(deps) = &pairs[1].value.kind else {
            panic!()
        };
        assert_eq!(&t[deps[0].key.span.clone()], "\"mixpanel\"");
        assert_eq!(deps[0].key.text, "mixpanel");
    }

    #[test]
    fn deep_and_broken_input_fail_cleanly() {
        assert!(parse(&"[".repeat(100_000)).is_err());
        assert!(parse(&format!("{}{}", "[".repeat(200), "]".repeat(200))).is_err());
        assert!(parse("{\"a\": }").is_err());
    }
}
