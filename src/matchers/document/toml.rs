//! TOML into the positioned tree, from the toml crate's spanned parse tree (which has its own
//! recursion limit). Tables come back sorted by key; entries are put back in source order.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::tree::{Key, Node, NodeKind, Pair, ParseFailure, Scalar, ScalarKind};

/// Parses one TOML document.
pub fn parse(text: &str) -> Result<Node, ParseFailure> {
    let table = DeTable::parse(text).map_err(|e| ParseFailure {
        message: e.message().trim().to_string(),
        span: e.span().unwrap_or(0..0),
        bound: None,
    })?;
    let span = table.span();
    Ok(Node {
        kind: table_kind(table.get_ref(), 0)?,
        span,
    })
}

fn table_kind(table: &DeTable<'_>, depth: usize) -> Result<NodeKind, ParseFailure> {
    let mut pairs = Vec::with_capacity(table.len());
    for (k, v) in table.iter() {
        pairs.push(Pair {
            key: Key {
                text: k.get_ref().to_string(),
                span: k.span(),
            },
            value: convert(v, depth + 1)?,
        });
    }
    pairs.sort_by_key(|p| p.key.span.start);
    Ok(NodeKind::Map(pairs))
}

fn convert(value: &Spanned<DeValue<'_>>, depth: usize) -> Result<Node, ParseFailure> {
    let span = value.span();
    let max = crate::matchers::limits::current().max_depth;
    if depth >= max {
        return Err(ParseFailure::bound(
            span.start,
            "parse_depth",
            format!("nesting deeper than {max} levels"),
        ));
    }
    let scalar = |text: String, kind| NodeKind::Scalar(Scalar::new(text, kind));
    let kind = match value.get_ref() {
        DeValue::String(s) => scalar(s.to_string(), ScalarKind::Str),
        DeValue::Integer(i) => {
            let n = i64::from_str_radix(i.as_str(), i.radix()).ok();
            scalar(i.to_string(), n.map_or(ScalarKind::Str, ScalarKind::Int))
        }
        DeValue::Float(f) => scalar(
            f.to_string(),
            f.as_str().parse().map_or(ScalarKind::Str, ScalarKind::Float),
        ),
        DeValue::Boolean(b) => scalar(b.to_string(), ScalarKind::Bool(*b)),
        DeValue::Datetime(d) => scalar(d.to_string(), ScalarKind::Str),
        DeValue::Array(items) => NodeKind::Seq(
            items
                .iter()
                .map(|v| convert(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => table_kind(t, depth)?,
    };
    Ok(Node { kind, span })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_in_source_order() {
        let t = "[project]\nname = \"x\"\ndependencies = [\"mixpanel>=4\", \"requests\"]\n[tool.poetry.dependencies]\nsegment = \"^1\"\n";
        let n = parse(t).unwrap();
        let NodeKind::Map(top) = &n.kind else { panic!() };
        assert_eq!(top[0].key.text, "project");
        let NodeKind::Map(project) = &top[0].value.kind else {
            panic!()
        };
        assert_eq!(project[0].key.text, "name");
        let NodeKind::Seq(deps) = &project[1].value.kind else {
            panic!()
        };
        assert_eq!(&t[deps[0].span.clone()], "\"mixpanel>=4\"");
        let NodeKind::Map(tool) = &top[1].value.kind else {
            panic!()
        };
        assert_eq!(&t[tool[0].key.span.clone()], "poetry");
    }

    #[test]
    fn broken_and_deep_input_fail_cleanly() {
        assert!(parse("a = [").is_err());
        assert!(parse(&format!("a = {}", "[".repeat(100_000))).is_err());
    }
}
