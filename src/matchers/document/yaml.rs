//! YAML (every document of a stream) into the positioned tree, from saphyr-parser's events.
//!
//! The tree is built with an explicit stack, so nesting costs no recursion; nesting deeper than
//! the configured depth (`limits`) and aliases that would copy more than [`MAX_ALIAS_NODES`] nodes (a billion-laughs
//! file) fail the parse instead of exhausting memory. Keys keep their text as written, so
//! GitHub's `on:` is the key `on` (YAML 1.1 parsers read it as `true`).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::tree::{
    trim_span, Key, LineStarts, Node, NodeKind, Pair, ParseFailure, ScalarKind, MAX_ALIAS_NODES,
};

/// Parses every document of `text`.
///
/// YAML 1.2 separates a key from its value with spaces or tabs (`key:<TAB>value`), which
/// saphyr-parser rejects; each such tab is read as a space (same length, so every span holds)
/// and the parse retried, for as many tabs as the file has.
pub fn parse(text: &str) -> Result<Vec<Node>, ParseFailure> {
    let mut retyped: Option<String> = None;
    loop {
        let current = retyped.as_deref().unwrap_or(text);
        match parse_once(current) {
            Err(e) if e.message.contains("must be followed by a valid YAML whitespace") => {
                let Some(at) = separator_tab(current, e.span.start) else {
                    return Err(e);
                };
                let mut bytes = current.as_bytes().to_vec();
                bytes[at] = b' ';
                // Only an ASCII tab was replaced by an ASCII space.
                retyped = Some(String::from_utf8(bytes).map_err(|_| ParseFailure::at(at, "not UTF-8"))?);
            }
            result => return result,
        }
    }
}

/// The tab just after the `:` the parser stopped at (at most a few bytes from `at`).
fn separator_tab(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    let from = at.saturating_sub(2);
    (from..(at + 2).min(b.len().saturating_sub(1)))
        .find(|&i| b[i] == b':' && b.get(i + 1) == Some(&b'\t'))
        .map(|i| i + 1)
}

fn parse_once(text: &str) -> Result<Vec<Node>, ParseFailure> {
    let mut b = Builder {
        text,
        lines: LineStarts::new(text),
        stack: Vec::new(),
        docs: Vec::new(),
        anchors: HashMap::new(),
        copied: 0,
    };
    let mut parser = Parser::new_from_str(text);
    let mut events = 0u32;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            let at = b.lines.offset(e.marker().line(), e.marker().col());
            ParseFailure::at(at, e.info().to_string())
        })?;
        events = events.wrapping_add(1);
        if events.is_multiple_of(1024) && crate::matchers::limits::expired() {
            let at = b.offset(&span.start);
            return Err(ParseFailure::bound(
                at,
                "parse_time",
                crate::matchers::limits::expired_message(),
            ));
        }
        b.event(event, span)?;
    }
    Ok(b.docs)
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        pairs: Vec<Pair>,
        key: Option<Key>,
        start: usize,
        anchor: usize,
    },
}

struct Builder<'t> {
    text: &'t str,
    lines: LineStarts<'t>,
    stack: Vec<Frame>,
    docs: Vec<Node>,
    anchors: HashMap<usize, Node>,
    copied: usize,
}

impl Builder<'_> {
    fn offset(&self, m: &saphyr_parser::Marker) -> usize {
        self.lines.offset(m.line(), m.col())
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), ParseFailure> {
        let start = self.offset(&span.start);
        let end = self.offset(&span.end);
        match event {
            Event::Scalar(value, style, anchor, _) => {
                let kind = match style {
                    ScalarStyle::Plain => resolve(&value),
                    _ => ScalarKind::Str,
                };
                let node = Node::scalar(value, kind, trim_span(self.text, start..end));
                self.finish(node, anchor)
            }
            Event::SequenceStart(anchor, _) => self.open(Frame::Seq {
                items: Vec::new(),
                start,
                anchor,
            }),
            Event::MappingStart(anchor, _) => self.open(Frame::Map {
                pairs: Vec::new(),
                key: None,
                start,
                anchor,
            }),
            Event::SequenceEnd | Event::MappingEnd => self.close(end),
            Event::Alias(id) => self.alias(id, start),
            _ => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), ParseFailure> {
        let max = crate::matchers::limits::current().max_depth;
        if self.stack.len() >= max {
            let at = match &frame {
                Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
            };
            return Err(ParseFailure::bound(
                at,
                "parse_depth",
                format!("nesting deeper than {max} levels"),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self, end: usize) -> Result<(), ParseFailure> {
        let (kind, start, anchor) = match self.stack.pop() {
            Some(Frame::Seq { items, start, anchor }) => (NodeKind::Seq(items), start, anchor),
            Some(Frame::Map {
                pairs, start, anchor, ..
            }) => (NodeKind::Map(merge_keys(pairs)), start, anchor),
            None => return Err(ParseFailure::at(end, "unbalanced collection end")),
        };
        let node = Node {
            kind,
            span: trim_span(self.text, start..end),
        };
        self.finish(node, anchor)
    }

    fn alias(&mut self, id: usize, at: usize) -> Result<(), ParseFailure> {
        let node = self
            .anchors
            .get(&id)
            .cloned()
            .ok_or_else(|| ParseFailure::at(at, "alias to an unknown anchor"))?;
        self.copied += node.size();
        if self.copied > MAX_ALIAS_NODES {
            return Err(ParseFailure::bound(
                at,
                "alias_expansion",
                format!("aliases expand to more than {MAX_ALIAS_NODES} nodes"),
            ));
        }
        self.finish(node, 0)
    }

    /// Records an anchor and attaches a finished node to its parent (or as a document root).
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), ParseFailure> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { pairs, key, .. }) => match key.take() {
                None => *key = Some(key_of(self.text, &node)),
                Some(k) => pairs.push(Pair { key: k, value: node }),
            },
        }
        Ok(())
    }
}

/// A key's text: the scalar's, or the source text of a complex key.
fn key_of(text: &str, node: &Node) -> Key {
    let text = match node.as_scalar() {
        Some(s) => s.text.clone(),
        None => text.get(node.span.clone()).unwrap_or("").to_string(),
    };
    Key {
        text,
        span: node.span.clone(),
    }
}

/// Applies YAML merge keys (`<<: *defaults`): merged entries never override explicit ones.
fn merge_keys(pairs: Vec<Pair>) -> Vec<Pair> {
    if !pairs.iter().any(|p| p.key.text == "<<") {
        return pairs;
    }
    let (merges, mut own): (Vec<Pair>, Vec<Pair>) = pairs.into_iter().partition(|p| p.key.text == "<<");
    for merge in merges {
        let sources = match merge.value.kind {
            NodeKind::Map(m) => vec![m],
            NodeKind::Seq(items) => items
                .into_iter()
                .filter_map(|n| match n.kind {
                    NodeKind::Map(m) => Some(m),
                    _ => None,
                })
                .collect(),
            NodeKind::Scalar(_) => Vec::new(),
        };
        for pair in sources.into_iter().flatten() {
            if !own.iter().any(|p| p.key.text == pair.key.text) {
                own.push(pair);
            }
        }
    }
    own
}

/// YAML 1.2 core-schema resolution of a plain scalar, plus the YAML 1.1 booleans
/// (`yes`/`no`/`on`/`off`) that Kubernetes' and many other YAML 1.1 loaders still honour.
fn resolve(v: &str) -> ScalarKind {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarKind::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return ScalarKind::Bool(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return ScalarKind::Bool(false)
        }
        _ => {}
    }
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    let negative = v.starts_with('-');
    let int = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(i) = int {
        return ScalarKind::Int(if negative { -i } else { i });
    }
    let looks_numeric = v.bytes().any(|b| b.is_ascii_digit())
        && v.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    match v.parse::<f64>() {
        Ok(f) if looks_numeric => ScalarKind::Float(f),
        _ => ScalarKind::Str,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_span<'a>(text: &'a str, node: &Node, key: &str) -> &'a str {
        let NodeKind::Map(pairs) = &node.kind else {
            panic!("map")
        };
        let p = pairs.iter().find(|p| p.key.text == key).expect("key");
        &text[p.value.span.clone()]
    }

    #[test]
    fn spans_and_types() {
        let t = "on:\n  push:\nname: \"ci\"\nn: 0\nb: yes\nlist: [a, 'b']\nrun: |\n  echo hi\n\n";
        let docs = parse(t).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(key_span(t, &docs[0], "name"), "\"ci\"");
        assert_eq!(key_span(t, &docs[0], "list"), "[a, 'b']");
        assert_eq!(key_span(t, &docs[0], "run"), "echo hi");
        assert_eq!(key_span(t, &docs[0], "on"), "push:");
        let NodeKind::Map(pairs) = &docs[0].kind else {
            panic!()
        };
        assert_eq!(pairs[2].value.as_scalar().unwrap().kind, ScalarKind::Int(0));
        assert_eq!(pairs[3].value.as_scalar().unwrap().kind, ScalarKind::Bool(true));
    }

    #[test]
    fn multi_document_and_merge_keys() {
        let t = "a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n---\nkind: Pod\n";
        let docs = parse(t).unwrap();
        assert_eq!(docs.len(), 2);
        let NodeKind::Map(pairs) = &docs[0].kind else {
            panic!()
        };
        let NodeKind::Map(b) = &pairs[1].value.kind else {
            panic!()
        };
        let keys: Vec<&str> = b.iter().map(|p| p.key.text.as_str()).collect();
        assert_eq!(keys, ["j", "k"]);
    }

    #[test]
    fn alias_bomb_and_depth_fail_cleanly() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = (b'a' + i) as char;
            let name = (b'b' + i) as char;
            bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let err = parse(&bomb).unwrap_err();
        assert!(err.message.contains("aliases expand"), "{}", err.message);
        // saphyr-parser has its own recursion limit; ours catches what it allows.
        let err = parse(&"[".repeat(100_000)).unwrap_err();
        assert!(err.message.contains("recursion limit"), "{}", err.message);
        let err = parse(&"- ".repeat(crate::matchers::limits::DEFAULT_MAX_DEPTH + 1)).unwrap_err();
        assert!(err.message.contains("nesting deeper"), "{}", err.message);
    }

    #[test]
    fn syntax_error_has_position() {
        let t = "a: b\n  c: d: e\n";
        let err = parse(t).unwrap_err();
        assert!(err.span.start > 0);
    }
}
