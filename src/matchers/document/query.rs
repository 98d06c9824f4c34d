//! Path queries over the positioned tree: `jobs.*.steps.*.uses`.
//!
//! Segments are separated by `.`: a key (`jobs`), `*` (every key or item), `**` (this node and
//! every node below it, at any depth), an index (`0`, `-1` = last item), a key glob (`*_features`,
//! `{features,feature_columns}`), or a quoted key (`"telemetry.enabled"`) for keys with dots.

use std::collections::HashSet;

use regex::Regex;

use super::tree::{Key, Node, NodeKind};

/// One step of a query.
#[derive(Debug, Clone)]
enum Segment {
    Key(String),
    Index(i64),
    Any,
    Descend,
    Glob(Regex),
}

/// A compiled query.
#[derive(Debug, Clone)]
pub struct Query {
    segments: Vec<Segment>,
}

/// A node a query selected, with the key it sits under (none for items and roots).
#[derive(Debug, Clone, Copy)]
pub struct Selected<'a> {
    /// The node.
    pub node: &'a Node,
    /// Its key in the parent mapping.
    pub key: Option<&'a Key>,
}

impl Query {
    /// Parses a query; the error is a byte offset into it and a message.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut segments = Vec::new();
        for (at, raw) in split(text)? {
            segments.push(segment(at, raw)?);
        }
        if segments.is_empty() {
            return Err((0, "empty query".into()));
        }
        Ok(Query { segments })
    }

    /// Every node the query selects under `root`.
    pub fn select<'a>(&self, root: &'a Node) -> Vec<Selected<'a>> {
        walk(&self.segments, root)
    }

    /// For each node the query without its last step selects, whether the last step selects
    /// anything under it: `(parent, found)`. Used by `exists = false`.
    pub fn parents<'a>(&self, root: &'a Node) -> Vec<(Selected<'a>, bool)> {
        let Some((last, prefix)) = self.segments.split_last() else {
            return Vec::new();
        };
        walk(prefix, root)
            .into_iter()
            .map(|p| {
                let found = !step(last, &[p]).is_empty();
                (p, found)
            })
            .collect()
    }

    /// The last step's literal key, for messages (`permissions`).
    pub fn last_key(&self) -> Option<&str> {
        match self.segments.last() {
            Some(Segment::Key(k)) => Some(k),
            _ => None,
        }
    }
}

fn walk<'a>(segments: &[Segment], root: &'a Node) -> Vec<Selected<'a>> {
    let mut current = vec![Selected {
        node: root,
        key: None,
    }];
    for seg in segments {
        current = step(seg, &current);
        if current.is_empty() {
            break;
        }
    }
    current
}

fn step<'a>(seg: &Segment, from: &[Selected<'a>]) -> Vec<Selected<'a>> {
    let mut out = Vec::new();
    if let Segment::Descend = seg {
        let mut seen = HashSet::new();
        for s in from {
            descend(*s, &mut out, &mut seen);
        }
        return out;
    }
    for s in from {
        match &s.node.kind {
            NodeKind::Map(pairs) => out.extend(pairs.iter().filter(|p| key_matches(seg, &p.key.text)).map(
                |p| Selected {
                    node: &p.value,
                    key: Some(&p.key),
                },
            )),
            NodeKind::Seq(items) => {
                out.extend(index_matches(seg, items).map(|node| Selected { node, key: None }))
            }
            NodeKind::Scalar(_) => {}
        }
    }
    out
}

/// `s` and everything below it, each node once (the walk is iterative: depth is bounded by the
/// parsers, but there is no reason to recurse).
fn descend<'a>(s: Selected<'a>, out: &mut Vec<Selected<'a>>, seen: &mut HashSet<*const Node>) {
    let mut stack = vec![s];
    while let Some(s) = stack.pop() {
        if !seen.insert(s.node as *const Node) {
            continue;
        }
        out.push(s);
        match &s.node.kind {
            NodeKind::Map(pairs) => stack.extend(pairs.iter().rev().map(|p| Selected {
                node: &p.value,
                key: Some(&p.key),
            })),
            NodeKind::Seq(items) => stack.extend(items.iter().rev().map(|node| Selected { node, key: None })),
            NodeKind::Scalar(_) => {}
        }
    }
}

fn key_matches(seg: &Segment, key: &str) -> bool {
    match seg {
        Segment::Key(k) => k == key,
        Segment::Index(i) => i.to_string() == key,
        Segment::Any | Segment::Descend => true,
        Segment::Glob(re) => re.is_match(key),
    }
}

fn index_matches<'a>(seg: &Segment, items: &'a [Node]) -> Box<dyn Iterator<Item = &'a Node> + 'a> {
    let at = |i: i64| {
        let len = items.len() as i64;
        let i = if i < 0 { len + i } else { i };
        usize::try_from(i).ok().and_then(|i| items.get(i))
    };
    match seg {
        Segment::Any | Segment::Descend => Box::new(items.iter()),
        Segment::Index(i) => Box::new(at(*i).into_iter()),
        Segment::Key(k) => Box::new(k.parse::<i64>().ok().and_then(at).into_iter()),
        Segment::Glob(_) => Box::new(std::iter::empty()),
    }
}

/// Splits on unquoted dots: `(offset, segment)`, quotes kept.
fn split(text: &str) -> Result<Vec<(usize, &str)>, (usize, String)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quote: Option<(char, usize)> = None;
    for (i, c) in text.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some((c, i)),
            (c, Some((q, _))) if c == q => quote = None,
            ('.', None) => {
                out.push((start, &text[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    if let Some((_, at)) = quote {
        return Err((at, "unterminated quote".into()));
    }
    out.push((start, &text[start..]));
    Ok(out)
}

fn segment(at: usize, raw: &str) -> Result<Segment, (usize, String)> {
    if raw.is_empty() {
        return Err((
            at,
            "empty segment (two dots in a row, or a leading/trailing dot)".into(),
        ));
    }
    for q in ['"', '\''] {
        if let Some(inner) = raw.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return Ok(Segment::Key(inner.to_string()));
        }
    }
    if raw.contains(['"', '\'']) {
        return Err((at, "quote a whole segment: `\"a.b\"`".into()));
    }
    match raw {
        "*" => return Ok(Segment::Any),
        "**" => return Ok(Segment::Descend),
        _ => {}
    }
    if let Ok(i) = raw.parse::<i64>() {
        return Ok(Segment::Index(i));
    }
    if raw.contains(['*', '{', '}', ',']) {
        return glob(raw).map(Segment::Glob).map_err(|m| (at, m));
    }
    Ok(Segment::Key(raw.to_string()))
}

/// `*_features` / `{a,b}` as an anchored regex.
fn glob(raw: &str) -> Result<Regex, String> {
    let mut re = String::from("^(?:");
    let mut in_brace = false;
    for c in raw.chars() {
        match c {
            '*' => re.push_str(".*"),
            '{' if !in_brace => {
                in_brace = true;
                re.push_str("(?:");
            }
            '}' if in_brace => {
                in_brace = false;
                re.push(')');
            }
            ',' if in_brace => re.push('|'),
            '{' | '}' | ',' => return Err(format!("unbalanced `{c}` in `{raw}`")),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    if in_brace {
        return Err(format!("unclosed `{{` in `{raw}`"));
    }
    re.push_str(")$");
    Regex::new(&re).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::yaml;
    use super::*;

    fn texts(q: &str, src: &str) -> Vec<String> {
        let docs = yaml::parse(src).unwrap();
        Query::parse(q)
            .unwrap()
            .select(&docs[0])
            .iter()
            .map(|s| src[s.node.span.clone()].to_string())
            .collect()
    }

    const WF: &str = "jobs:\n  a:\n    steps:\n      - uses: x/y@v1\n      - run: make\n  b:\n    steps:\n      - uses: z/w@v2\n\"a.b\": 1\nfeatures: [age, zip]\nfeature_cols: [sex]\n";

    #[test]
    fn wildcards_indexes_globs_and_quotes() {
        assert_eq!(texts("jobs.*.steps.*.uses", WF), ["x/y@v1", "z/w@v2"]);
        assert_eq!(texts("jobs.a.steps.-1.run", WF), ["make"]);
        assert_eq!(texts("jobs.a.steps.0.uses", WF), ["x/y@v1"]);
        assert_eq!(texts("\"a.b\"", WF), ["1"]);
        assert_eq!(texts("{features,feature_cols}.*", WF), ["age", "zip", "sex"]);
        assert_eq!(texts("feature*.1", WF), ["zip"]);
        assert_eq!(texts("**.uses", WF), ["x/y@v1", "z/w@v2"]);
        assert!(texts("jobs.*.nothing", WF).is_empty());
    }

    #[test]
    fn parents_report_missing_keys() {
        let docs = yaml::parse("jobs:\n  a:\n    permissions: {}\n  b:\n    x: 1\n").unwrap();
        let q = Query::parse("jobs.*.permissions").unwrap();
        let found: Vec<_> = q
            .parents(&docs[0])
            .iter()
            .map(|(p, f)| (p.key.unwrap().text.clone(), *f))
            .collect();
        assert_eq!(found, [("a".to_string(), true), ("b".to_string(), false)]);
    }

    #[test]
    fn bad_queries_point_at_the_problem() {
        assert_eq!(Query::parse("a..b").unwrap_err().0, 2);
        assert_eq!(Query::parse("a.\"b").unwrap_err().0, 2);
        assert!(Query::parse("{a,b").is_err());
        assert!(Query::parse("").is_err());
    }
}
