//! `unsafe` blocks, functions and impls, and the comments directly above them, found with a
//! comment- and string-aware token scan instead of a parse: exact for this question, several
//! times faster than syn, and it works on files syn rejects and inside macro bodies.

use std::ops::Range;

use super::names::{is_ident_byte, word_positions};
use crate::finding::LineIndex;
use crate::policy::raw::RustUnsafeKind;

/// One `unsafe` block, fn or impl.
#[derive(Debug, Clone)]
pub struct UnsafeSite {
    /// Which kind.
    pub kind: RustUnsafeKind,
    /// `unsafe` through the token that says what it is (`{`, `impl`, the fn name).
    pub span: Range<usize>,
    /// The comments on its line and on the comment and attribute lines directly above, and,
    /// for a block inside a longer statement, those above the statement's first line.
    pub comments: String,
    /// An `unsafe fn` item of an `impl Trait for X` block: its contract is the trait's.
    pub trait_impl: bool,
}

/// A token of the scan: comments are not tokens, they are kept apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword.
    Ident,
    /// A string, char or number literal.
    Literal,
    /// One punctuation byte (`{`, `;`, `#`, ...).
    Punct(u8),
}

/// Tokens and comments of a file, as byte ranges.
pub struct Lexed {
    /// Tokens in order.
    pub tokens: Vec<(Tok, Range<usize>)>,
    /// Comments in order.
    pub comments: Vec<Range<usize>>,
}

/// Every `unsafe` block, fn (with a body) and impl in `text`.
///
/// Only the file's comments and strings are scanned in full (jumping between quote and slash
/// bytes); tokens are lexed just after each `unsafe` that is code.
pub fn unsafe_sites(text: &str) -> Vec<UnsafeSite> {
    let candidates: Vec<usize> = word_positions(text, "unsafe").collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let (comments, strings) = regions(text);
    let inside = |regions: &[Range<usize>], at: usize| {
        let i = regions.partition_point(|r| r.end <= at);
        regions.get(i).is_some_and(|r| r.start <= at)
    };
    let lines = LineIndex::new(text);
    let mut sites = Vec::new();
    for at in candidates {
        if inside(&comments, at) || inside(&strings, at) {
            continue;
        }
        let mut end = (at + WINDOW).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let window = &text[at..end];
        // Enough tokens to classify: up to the body's `{` or a `;`.
        let toks = lex_until(window, |t| matches!(t, Tok::Punct(b'{' | b';' | b'}'))).tokens;
        let Some((kind, stop)) = classify(window, &toks, 0) else {
            continue;
        };
        sites.push(UnsafeSite {
            kind,
            span: at..at + stop,
            comments: comments_above(text, &lines, &comments, at),
            trait_impl: false,
        });
    }
    enclosing(text, &lines, &comments, &mut sites);
    sites
}

/// What the enclosing code says about a site, from one lex of the whole file done only when a
/// site needs it: whether an `unsafe fn` is a trait-impl item, and the comments above the
/// statement (or multi-line expression) holding an undocumented `unsafe` block.
fn enclosing(text: &str, lines: &LineIndex, comments: &[Range<usize>], sites: &mut [UnsafeSite]) {
    let needs = |s: &UnsafeSite| match s.kind {
        RustUnsafeKind::Fn => true,
        RustUnsafeKind::Block => !s.comments.to_ascii_lowercase().contains("safety"),
        RustUnsafeKind::Impl => false,
    };
    if !sites.iter().any(needs) {
        return;
    }
    let toks = lex(text).tokens;
    for site in sites.iter_mut().filter(|s| needs(s)) {
        let i = toks.partition_point(|t| t.1.start < site.span.start);
        if toks.get(i).map(|t| &text[t.1.clone()]) != Some("unsafe") {
            continue;
        }
        if site.kind == RustUnsafeKind::Fn {
            site.trait_impl = in_trait_impl(text, &toks, i);
        } else if let Some(start) = statement_start(&toks, i) {
            if lines.line_of(start) != lines.line_of(site.span.start) {
                site.comments
                    .push_str(&comments_above(text, lines, comments, start));
            }
        }
    }
}

/// True when the innermost block around token `i` is the body of an `impl ... for ...`.
fn in_trait_impl(text: &str, toks: &[(Tok, Range<usize>)], i: usize) -> bool {
    let mut depth = 0usize;
    let mut open = None;
    for j in (0..i).rev() {
        match toks[j].0 {
            Tok::Punct(b'}') => depth += 1,
            Tok::Punct(b'{') if depth == 0 => {
                open = Some(j);
                break;
            }
            Tok::Punct(b'{') => depth -= 1,
            _ => {}
        }
    }
    let Some(open) = open else { return false };
    let from = toks[..open]
        .iter()
        .rposition(|t| matches!(t.0, Tok::Punct(b';' | b'{' | b'}')))
        .map_or(0, |k| k + 1);
    let header = &toks[from..open];
    let word = |k: usize, w: &str| {
        header
            .get(k)
            .is_some_and(|t| t.0 == Tok::Ident && &text[t.1.clone()] == w)
    };
    let is_impl = (0..header.len()).any(|k| word(k, "impl"));
    // `for` of the trait, not of a higher-ranked bound (`for<'a>`).
    let is_for = (0..header.len())
        .any(|k| word(k, "for") && header.get(k + 1).is_none_or(|t| t.0 != Tok::Punct(b'<')));
    is_impl && is_for
}

/// Byte offset of the first token of the statement holding token `i`: back over balanced
/// groups and out of enclosing parentheses and brackets (a call spread over lines), up to the
/// previous `;`, the end of a previous block, or the enclosing `{` (after the last comma at
/// that level: a match arm or a struct-literal field is its own statement here).
fn statement_start(toks: &[(Tok, Range<usize>)], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut comma = None;
    let after = |j: usize| toks.get(j + 1).map(|t| t.1.start);
    for j in (0..i).rev() {
        match toks[j].0 {
            Tok::Punct(b'}') if depth == 0 => return after(j),
            Tok::Punct(b')' | b']' | b'}') => depth += 1,
            Tok::Punct(b'(' | b'[') if depth == 0 => comma = None,
            Tok::Punct(b'{') if depth == 0 => return after(comma.unwrap_or(j)),
            Tok::Punct(b'(' | b'[' | b'{') => depth -= 1,
            Tok::Punct(b';') if depth == 0 => return after(j),
            Tok::Punct(b',') if depth == 0 && comma.is_none() => comma = Some(j),
            _ => {}
        }
    }
    toks.first().map(|t| t.1.start)
}

/// How far after `unsafe` tokens are lexed to classify it (an `unsafe fn` signature).
const WINDOW: usize = 4096;

/// Byte ranges of every comment and every string or char literal, in order.
fn regions(text: &str) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let b = text.as_bytes();
    let (mut comments, mut strings) = (Vec::new(), Vec::new());
    let mut i = 0;
    while let Some(n) = memchr::memchr3(b'"', b'\'', b'/', &b[i..]) {
        let at = i + n;
        i = match (b[at], b.get(at + 1)) {
            (b'/', Some(b'/')) => {
                let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |n| at + n);
                comments.push(at..end);
                end
            }
            (b'/', Some(b'*')) => {
                let end = block_comment_end(b, at);
                comments.push(at..end);
                end
            }
            (b'"', _) => {
                let hashes = b[..at].iter().rev().take_while(|&&c| c == b'#').count();
                let r = at - hashes;
                let raw = r > 0
                    && b[r - 1] == b'r'
                    && !(r > 1 && is_ident_byte(b[r - 2]) && !matches!(b[r - 2], b'b' | b'c'));
                let end = if raw {
                    raw_string_end(b, at, hashes)
                } else {
                    string_end(b, at + 1)
                };
                strings.push(at..end);
                end
            }
            (b'\'', _) => {
                let (end, tok) = quote_end(text, at);
                if tok == Tok::Literal {
                    strings.push(at..end);
                }
                end
            }
            _ => at + 1,
        };
    }
    (comments, strings)
}

/// What the `unsafe` at token `i` introduces, and where its underline ends.
fn classify(text: &str, toks: &[(Tok, Range<usize>)], i: usize) -> Option<(RustUnsafeKind, usize)> {
    let word = |j: usize| {
        toks.get(j)
            .filter(|t| t.0 == Tok::Ident)
            .map(|t| &text[t.1.clone()])
    };
    let next = toks.get(i + 1)?;
    match (next.0, word(i + 1)) {
        (Tok::Punct(b'{'), _) => Some((RustUnsafeKind::Block, next.1.end)),
        (_, Some("impl")) => Some((RustUnsafeKind::Impl, next.1.end)),
        (_, Some("fn")) => function(toks, i + 1),
        (_, Some("extern")) => {
            let mut j = i + 2;
            if toks.get(j).is_some_and(|t| t.0 == Tok::Literal) {
                j += 1;
            }
            (word(j) == Some("fn")).then(|| function(toks, j)).flatten()
        }
        _ => None,
    }
}

/// `fn name ... {` (a definition, not a declaration ending in `;` nor a fn pointer type).
fn function(toks: &[(Tok, Range<usize>)], fn_at: usize) -> Option<(RustUnsafeKind, usize)> {
    let name = toks.get(fn_at + 1).filter(|t| t.0 == Tok::Ident)?;
    let mut depth = 0i32;
    for (tok, _) in &toks[fn_at + 2..] {
        match tok {
            Tok::Punct(b'(' | b'[') => depth += 1,
            Tok::Punct(b')' | b']') => depth -= 1,
            Tok::Punct(b'{') if depth == 0 => return Some((RustUnsafeKind::Fn, name.1.end)),
            Tok::Punct(b';' | b'}') if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// The text of comments on the line of `at` and on the comment or attribute lines directly
/// above it (a blank or code line ends the search).
fn comments_above(text: &str, lines: &LineIndex, comments: &[Range<usize>], at: usize) -> String {
    let mut out = String::new();
    let line = lines.line_of(at);
    let here = lines.line_range(text, line);
    for c in comments
        .iter()
        .filter(|c| c.start < here.end && c.end > here.start)
    {
        out.push_str(&text[c.clone()]);
        out.push('\n');
    }
    for above in (0..line).rev() {
        let range = lines.line_range(text, above);
        let raw = &text[range.clone()];
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            break;
        }
        if trimmed.starts_with("#[") {
            continue;
        }
        let lead = range.start + (raw.len() - raw.trim_start().len());
        let tail = range.start + raw.trim_end().len();
        let idx = comments.partition_point(|c| c.end <= lead);
        match comments.get(idx) {
            Some(c) if c.start <= lead && c.end >= tail => {
                out.push_str(&text[lead..tail]);
                out.push('\n');
            }
            _ => break,
        }
    }
    out
}

/// Splits `text` into identifier, literal and punctuation tokens; comments are kept apart.
pub fn lex(text: &str) -> Lexed {
    lex_until(text, |_| false)
}

/// Lexes until a token for which `stop` holds (included) or the end of `text`.
fn lex_until(text: &str, stop: impl Fn(Tok) -> bool) -> Lexed {
    let b = text.as_bytes();
    let mut out = Lexed {
        tokens: Vec::new(),
        comments: Vec::new(),
    };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        i = match c {
            _ if c.is_ascii_whitespace() => i + 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                out.comments.push(start..end);
                end
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = block_comment_end(b, i);
                out.comments.push(start..end);
                end
            }
            b'"' => {
                let end = string_end(b, i + 1);
                out.tokens.push((Tok::Literal, start..end));
                end
            }
            b'\'' => {
                let (end, tok) = quote_end(text, i);
                out.tokens.push((tok, start..end));
                end
            }
            _ if is_ident_byte(c) => lex_word(text, i, &mut out.tokens),
            _ => {
                out.tokens.push((Tok::Punct(c), start..i + 1));
                i + 1
            }
        };
        if out.tokens.last().is_some_and(|t| t.1.start == start && stop(t.0)) {
            break;
        }
    }
    out
}

/// An identifier or number at `i`, or a prefixed literal (`b"..."`, `r#"..."#`, `b'x'`).
fn lex_word(text: &str, i: usize, tokens: &mut Vec<(Tok, Range<usize>)>) -> usize {
    let b = text.as_bytes();
    let mut end = i;
    while end < b.len() && is_ident_byte(b[end]) {
        end += 1;
    }
    let word = &b[i..end];
    let raw_prefix = matches!(word, b"r" | b"br" | b"cr");
    let str_prefix = matches!(word, b"b" | b"c") || raw_prefix;
    match b.get(end) {
        Some(b'"') if str_prefix => {
            let close = if raw_prefix {
                raw_string_end(b, end, 0)
            } else {
                string_end(b, end + 1)
            };
            tokens.push((Tok::Literal, i..close));
            close
        }
        Some(b'#') if raw_prefix && matches!(b.get(end + 1), Some(b'"' | b'#')) => {
            let hashes = b[end..].iter().take_while(|&&c| c == b'#').count();
            let close = raw_string_end(b, end + hashes, hashes);
            tokens.push((Tok::Literal, i..close));
            close
        }
        Some(b'\'') if word == b"b" => {
            let (close, _) = quote_end(text, end);
            tokens.push((Tok::Literal, i..close));
            close
        }
        _ => {
            let tok = if word[0].is_ascii_digit() {
                Tok::Literal
            } else {
                Tok::Ident
            };
            tokens.push((tok, i..end));
            end
        }
    }
}

/// End of a nested block comment starting at `i`.
fn block_comment_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// End (after the closing quote) of a string whose content starts at `i`.
fn string_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// End of a raw string whose opening quote is at `quote`, closed by `"` and `hashes` `#`s.
fn raw_string_end(b: &[u8], quote: usize, hashes: usize) -> usize {
    let mut i = quote + 1;
    while let Some(n) = memchr::memchr(b'"', &b[i.min(b.len())..]) {
        let close = i + n;
        if b[close + 1..].iter().take(hashes).filter(|&&c| c == b'#').count() == hashes {
            return close + 1 + hashes;
        }
        i = close + 1;
    }
    b.len()
}

/// A char literal (`'x'`, `'\n'`) or a lifetime/label (`'a`) starting at `i`.
fn quote_end(text: &str, i: usize) -> (usize, Tok) {
    let b = text.as_bytes();
    if b.get(i + 1) == Some(&b'\\') {
        let close = memchr::memchr(b'\'', &b[(i + 3).min(b.len())..]).map_or(b.len(), |n| i + 3 + n + 1);
        return (close, Tok::Literal);
    }
    let next_len = text[i + 1..].chars().next().map_or(0, char::len_utf8);
    if next_len > 0 && b.get(i + 1 + next_len) == Some(&b'\'') {
        return (i + 2 + next_len, Tok::Literal);
    }
    (i + 1, Tok::Punct(b'\''))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(RustUnsafeKind, &str, bool)> {
        unsafe_sites(text)
            .into_iter()
            .map(|s| (s.kind, &text[s.span.clone()], s.comments.contains("SAFETY:")))
            .collect()
    }

    #[test]
    fn finds_blocks_fns_and_impls() {
        let text = "unsafe impl Send for X {}\npub unsafe fn f() {}\nfn g() { let p = unsafe { *q }; }\n";
        assert_eq!(
            kinds(text),
            vec![
                (RustUnsafeKind::Impl, "unsafe impl", false),
                (RustUnsafeKind::Fn, "unsafe fn f", false),
                (RustUnsafeKind::Block, "unsafe {", false),
            ]
        );
    }

    #[test]
    fn ignores_strings_comments_types_and_declarations() {
        let text = r##"
// unsafe { }
let s = "unsafe { }"; let r = r#"unsafe {"#; let c = '"'; let l: &'a str = "";
/* unsafe { /* nested */ unsafe { } */
type F = unsafe fn(u8);
trait T { unsafe fn decl(&self); }
unsafe extern "C" { fn puts(); }
#[unsafe(no_mangle)] fn h() {}
let is_unsafe = true;
"##;
        assert!(kinds(text).is_empty(), "{:?}", kinds(text));
    }

    #[test]
    fn raw_strings_and_char_literals_hide_unsafe() {
        let text = "let a = r#\"x \" unsafe { \"#; let b = '\"'; let c = br\"unsafe {\"; unsafe { d() }";
        let got = kinds(text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "unsafe {");
    }

    #[test]
    fn safety_comment_directly_above_or_on_the_line() {
        let text = "// SAFETY: p is valid\n#[allow(x)]\nunsafe { a() }\n\n// SAFETY: far\n\nunsafe { b() }\nlet x = unsafe { c() }; // SAFETY: ok\n/// # Safety\n/// SAFETY: doc\nunsafe extern \"C\" fn f() {}\n";
        let got: Vec<bool> = kinds(text).into_iter().map(|k| k.2).collect();
        assert_eq!(got, vec![true, false, true, true]);
    }
}
