//! Splits a file into its items with the token scan, so only the items that contain a rule's
//! anchor words are parsed: syn parses at ~10 MB/s, and the words rust forms look for are rare
//! inside a file. Large `impl`, `trait` and `mod` bodies are split into their own items.
//!
//! The split is a heuristic over tokens; when a chunk does not parse, the caller falls back to
//! parsing the whole file, so a wrong split costs time, never a finding.

use std::ops::Range;

use super::tokens::{lex, Tok};

/// What a chunk is parsed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkKind {
    /// A top-level or module item (`syn::Item`).
    Item,
    /// An item of an `impl` block (`syn::ImplItem`).
    ImplItem,
    /// An item of a `trait` (`syn::TraitItem`).
    TraitItem,
}

/// One item of the file.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// Its bytes in the file.
    pub range: Range<usize>,
    /// How to parse it.
    pub kind: ChunkKind,
    /// A `use` or `extern crate` item: always parsed, imports resolve macro names.
    pub import: bool,
}

/// Bodies larger than this are split into their items.
const SPLIT_BODY: usize = 2048;

type Toks = [(Tok, Range<usize>)];

/// The items of `text` from byte `base` on (after a BOM or shebang).
pub fn chunks(text: &str, base: usize) -> Vec<Chunk> {
    let lexed = lex(text);
    let first = lexed.tokens.partition_point(|t| t.1.start < base);
    let mut out = Vec::new();
    split(text, &lexed.tokens[first..], ChunkKind::Item, &mut out);
    out
}

fn is(toks: &Toks, i: usize, c: u8) -> bool {
    toks.get(i).is_some_and(|t| t.0 == Tok::Punct(c))
}

/// Index of the token closing the group opened at `open`.
fn close_of(toks: &Toks, open: usize) -> usize {
    let mut depth = 0i32;
    for (j, (tok, _)) in toks.iter().enumerate().skip(open) {
        match tok {
            Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
            Tok::Punct(b')' | b']' | b'}') => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    toks.len().saturating_sub(1)
}

fn split(text: &str, toks: &Toks, kind: ChunkKind, out: &mut Vec<Chunk>) {
    let mut i = 0;
    while i < toks.len() {
        if is(toks, i, b'#') && is(toks, i + 1, b'!') && is(toks, i + 2, b'[') {
            i = close_of(toks, i + 2) + 1;
            continue;
        }
        let lead = leading_words(text, toks, i);
        let end = item_end(toks, i, matches!(lead.first(), Some(&"=" | &"use")));
        let item = &toks[i..=end];
        let range = item[0].1.start..item[item.len() - 1].1.end;
        let sub = match lead.first().copied() {
            Some("impl") => Some(ChunkKind::ImplItem),
            Some("trait") => Some(ChunkKind::TraitItem),
            Some("mod") => Some(ChunkKind::Item),
            _ => None,
        };
        match sub {
            Some(sub) if range.len() > SPLIT_BODY && is(item, item.len() - 1, b'}') => {
                let open = body_open(item);
                split(text, &item[open + 1..item.len() - 1], sub, out);
            }
            _ => out.push(Chunk {
                range,
                kind,
                import: matches!(lead.as_slice(), ["use", ..] | ["extern", "crate", ..]),
            }),
        }
        i = end + 1;
    }
}

/// The first words of the item at `i`, after attributes, visibility and qualifiers; `["="]`
/// for items that end only at `;` (`const`/`static`/`type`, whose values may hold braces).
fn leading_words<'t>(text: &'t str, toks: &Toks, mut i: usize) -> Vec<&'t str> {
    loop {
        if is(toks, i, b'#') && is(toks, i + 1, b'[') {
            i = close_of(toks, i + 1) + 1;
            continue;
        }
        let Some((Tok::Ident, r)) = toks.get(i) else {
            return Vec::new();
        };
        match &text[r.clone()] {
            "pub" if is(toks, i + 1, b'(') => i = close_of(toks, i + 1) + 1,
            "pub" | "unsafe" | "default" | "auto" | "async" => i += 1,
            "const" | "static" | "type" => {
                let next = toks.get(i + 1).map(|t| &text[t.1.clone()]);
                if matches!(next, Some("fn" | "unsafe" | "async" | "extern")) {
                    i += 1;
                } else {
                    return vec!["="];
                }
            }
            word => {
                let next = toks
                    .get(i + 1)
                    .filter(|t| t.0 == Tok::Ident)
                    .map(|t| &text[t.1.clone()]);
                return [Some(word), next].into_iter().flatten().collect();
            }
        }
    }
}

/// The last token of the item starting at `i`: a `;` at depth 0, or the `}` that closes a
/// depth-0 brace group (unless `semicolon_only`).
fn item_end(toks: &Toks, i: usize, semicolon_only: bool) -> usize {
    let mut depth = 0i32;
    for (j, (tok, _)) in toks.iter().enumerate().skip(i) {
        match tok {
            Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
            Tok::Punct(b')' | b']') => depth -= 1,
            Tok::Punct(b'}') => {
                depth -= 1;
                if depth <= 0 && !semicolon_only {
                    return j;
                }
            }
            Tok::Punct(b';') if depth <= 0 => return j,
            _ => {}
        }
    }
    toks.len() - 1
}

/// The `{` that opens the body ending at the item's last token.
fn body_open(item: &Toks) -> usize {
    let mut depth = 0i32;
    for j in (0..item.len()).rev() {
        match item[j].0 {
            Tok::Punct(b')' | b']' | b'}') => depth += 1,
            Tok::Punct(b'(' | b'[' | b'{') => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(&str, ChunkKind, bool)> {
        chunks(text, 0)
            .into_iter()
            .map(|c| (&text[c.range], c.kind, c.import))
            .collect()
    }

    #[test]
    fn items_end_at_semicolons_and_closing_braces() {
        let text = "#![allow(x)]\nuse a::{b, c};\n#[derive(Debug)]\npub struct S { x: u8 }\nconst C: T = T { a: 1 };\nfn f() -> impl Iterator<Item = u8> { g() }\nm! { x }\n";
        let got = texts(text);
        let names: Vec<&str> = got.iter().map(|c| c.0).collect();
        assert_eq!(
            names,
            vec![
                "use a::{b, c};",
                "#[derive(Debug)]\npub struct S { x: u8 }",
                "const C: T = T { a: 1 };",
                "fn f() -> impl Iterator<Item = u8> { g() }",
                "m! { x }"
            ]
        );
        assert!(got[0].2 && !got[1].2);
    }

    #[test]
    fn large_impl_bodies_are_split() {
        let body = "    fn f(&self) { let _ = \"}\"; }\n".repeat(100);
        let text = format!("impl S {{\n{body}}}\nfn g() {{}}\n");
        let got = texts(&text);
        assert_eq!(got.len(), 101);
        assert_eq!(got[0].0, "fn f(&self) { let _ = \"}\"; }");
        assert_eq!(got[0].1, ChunkKind::ImplItem);
        assert_eq!(got[100].1, ChunkKind::Item);
    }
}
