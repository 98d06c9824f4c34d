//! A Dockerfile (or Containerfile) as a tree, so document queries reach its structure:
//!
//! ```text
//! ARG: [..]                          instructions before the first FROM
//! stages:                            one item per FROM; its span is the FROM line
//!   - FROM: {image, name, platform}  `name` lowercased, as Docker compares stage names
//!     RUN: [..]                      every instruction, keyed by its upper-cased keyword,
//!     USER: [..]                     values in order: `stages.-1.USER.-1` is the last USER
//! ```
//!
//! An instruction's value is its arguments with `\` line continuations joined (comment lines
//! inside them dropped) and heredoc bodies appended, so `curl … \⏎ | sh` is one string; its
//! pieces map every match back to the exact source bytes. This never fails: unknown lines are
//! kept as instructions.

use std::ops::Range;

use super::tree::{Key, Node, NodeKind, Pair, Scalar, ScalarKind};

/// One logical instruction.
struct Instruction {
    keyword: String,
    keyword_span: Range<usize>,
    args: Scalar,
    args_span: Range<usize>,
}

/// Parses a Dockerfile; never fails.
pub fn parse(text: &str) -> Node {
    let instructions = instructions(text);
    let mut root: Vec<Pair> = Vec::new();
    let mut stages: Vec<Node> = Vec::new();
    for ins in instructions {
        if ins.keyword == "FROM" {
            stages.push(stage(&ins));
        } else if let Some(NodeKind::Map(pairs)) = stages.last_mut().map(|s| &mut s.kind) {
            push_instruction(pairs, ins);
        } else {
            push_instruction(&mut root, ins);
        }
    }
    let span = 0..text.trim_end().len();
    root.push(Pair {
        key: Key {
            text: "stages".into(),
            span: 0..0,
        },
        value: Node {
            kind: NodeKind::Seq(stages),
            span: span.clone(),
        },
    });
    Node {
        kind: NodeKind::Map(root),
        span,
    }
}

fn push_instruction(pairs: &mut Vec<Pair>, ins: Instruction) {
    let value = Node {
        kind: NodeKind::Scalar(ins.args),
        span: ins.args_span,
    };
    if let Some(pair) = pairs.iter_mut().find(|p| p.key.text == ins.keyword) {
        pair.value.span.end = value.span.end;
        if let NodeKind::Seq(items) = &mut pair.value.kind {
            items.push(value);
        }
        return;
    }
    pairs.push(Pair {
        key: Key {
            text: ins.keyword,
            span: ins.keyword_span,
        },
        value: Node {
            span: value.span.clone(),
            kind: NodeKind::Seq(vec![value]),
        },
    });
}

/// A stage from its FROM instruction: `[--platform=P] IMAGE [AS NAME]`.
fn stage(ins: &Instruction) -> Node {
    let from = Pair {
        key: Key {
            text: "FROM".into(),
            span: ins.keyword_span.clone(),
        },
        value: Node {
            kind: NodeKind::Map(from_fields(ins)),
            span: ins.args_span.clone(),
        },
    };
    Node {
        kind: NodeKind::Map(vec![from]),
        span: ins.keyword_span.start..ins.args_span.end,
    }
}

/// `platform`, `image` and `name` (lowercased, as Docker compares stage names) of a FROM.
fn from_fields(ins: &Instruction) -> Vec<Pair> {
    let mut fields = Vec::new();
    let mut field = |name: &str, (at, word): (usize, &str), lower: bool| {
        let start = map_offset(&ins.args.pieces, ins.args_span.start, at);
        let text = if lower {
            word.to_ascii_lowercase()
        } else {
            word.to_string()
        };
        fields.push(Pair {
            key: Key {
                text: name.into(),
                span: start..start + word.len(),
            },
            value: Node::scalar(text, ScalarKind::Str, start..start + word.len()),
        });
    };
    let mut words = words(&ins.args.text).into_iter().peekable();
    while let Some(&(at, w)) = words.peek() {
        match w.strip_prefix("--platform=") {
            Some(p) => field("platform", (at + "--platform=".len(), p), false),
            None if w.starts_with("--") => {}
            None => break,
        }
        words.next();
    }
    if let Some(image) = words.next() {
        field("image", image, false);
    }
    if words.next().is_some_and(|(_, w)| w.eq_ignore_ascii_case("as")) {
        if let Some(name) = words.next() {
            field("name", name, true);
        }
    }
    fields
}

/// Whitespace-separated words with their offsets.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

/// Source offset of `at` (an offset in the joined text).
fn map_offset(pieces: &[(usize, usize)], base: usize, at: usize) -> usize {
    match pieces.iter().rev().find(|(t, _)| *t <= at) {
        Some((t, s)) => s + (at - t),
        None => base + at,
    }
}

/// Splits the file into logical instructions.
fn instructions(text: &str) -> Vec<Instruction> {
    let escape = escape_char(text);
    let mut lines = line_spans(text).into_iter().peekable();
    let mut out = Vec::new();
    while let Some(line) = lines.next() {
        let body = text[line.clone()].trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let start = line.end - body.len();
        let kw_len = body.find(char::is_whitespace).unwrap_or(body.len());
        let keyword_span = start..start + kw_len;
        let mut args = Scalar::new(String::new(), ScalarKind::Str);
        let mut args_span = keyword_span.end..keyword_span.end;
        let mut piece = keyword_span.end..line.end;
        loop {
            let continued = append(text, &mut args, &mut args_span, piece, escape);
            if !continued {
                break;
            }
            // Comment and blank lines inside a continuation are dropped, as Docker does.
            let Some(next) = next_content_line(text, &mut lines) else {
                break;
            };
            piece = next;
        }
        heredocs(text, &mut args, &mut args_span, &mut lines);
        out.push(Instruction {
            keyword: text[keyword_span.clone()].to_ascii_uppercase(),
            keyword_span,
            args,
            args_span,
        });
    }
    out
}

fn next_content_line(text: &str, lines: &mut impl Iterator<Item = Range<usize>>) -> Option<Range<usize>> {
    lines.find(|l| {
        let t = text[l.clone()].trim();
        !t.is_empty() && !t.starts_with('#')
    })
}

/// Appends one source line's part of an instruction; true when it ends in a continuation.
fn append(text: &str, args: &mut Scalar, span: &mut Range<usize>, piece: Range<usize>, escape: char) -> bool {
    let raw = text[piece.clone()].trim_end();
    let (raw, continued) = match raw.strip_suffix(escape) {
        Some(r) => (r, true),
        None => (raw, false),
    };
    let content = if args.text.is_empty() {
        raw.trim_start()
    } else {
        raw
    };
    let src = piece.start + (raw.len() - content.len());
    if !content.trim().is_empty() {
        if args.text.is_empty() {
            span.start = src;
        }
        args.pieces.push((args.text.len(), src));
        args.text.push_str(content);
        span.end = src + content.trim_end().len();
    }
    continued
}

/// Appends the bodies of `<<EOF` heredocs that follow the instruction line.
fn heredocs(
    text: &str,
    args: &mut Scalar,
    span: &mut Range<usize>,
    lines: &mut std::iter::Peekable<impl Iterator<Item = Range<usize>>>,
) {
    for terminator in heredoc_terminators(&args.text.clone()) {
        for line in lines.by_ref() {
            let body = &text[line.clone()];
            if body.trim() == terminator {
                break;
            }
            args.text.push('\n');
            args.pieces.push((args.text.len(), line.start));
            args.text.push_str(body);
            span.end = line.end;
        }
    }
}

fn heredoc_terminators(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = args;
    while let Some(i) = rest.find("<<") {
        let after = rest[i + 2..].trim_start_matches('-');
        let word: String = after
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !word.is_empty()
            && word
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        {
            out.push(word);
        }
        rest = &rest[i + 2..];
    }
    out
}

/// The `# escape=` parser directive, if the file starts with one.
fn escape_char(text: &str) -> char {
    for line in text.lines() {
        let Some(directive) = line.trim().strip_prefix('#') else {
            break;
        };
        if let Some((k, v)) = directive.split_once('=') {
            if k.trim().eq_ignore_ascii_case("escape") {
                return v.trim().chars().next().unwrap_or('\\');
            }
        }
    }
    '\\'
}

/// Byte ranges of lines, without their line break.
fn line_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        out.push(
            start
                ..i.saturating_sub(usize::from(text[..i].ends_with('\r')))
                    .max(start),
        );
        start = i + 1;
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage_map(n: &Node, i: usize) -> &Vec<Pair> {
        let NodeKind::Map(root) = &n.kind else { panic!() };
        let NodeKind::Seq(stages) = &root.last().unwrap().value.kind else {
            panic!()
        };
        let NodeKind::Map(m) = &stages[i].kind else {
            panic!()
        };
        m
    }

    #[test]
    fn stages_instructions_and_continuations() {
        let t = "ARG V=1\nFROM --platform=linux/amd64 golang:1.22 AS Build\nRUN curl -sSL https://x.sh \\\n  # fetch\n    | sh\nFROM scratch\nUSER app\n";
        let n = parse(t);
        let build = stage_map(&n, 0);
        let NodeKind::Map(from) = &build[0].value.kind else {
            panic!()
        };
        let get = |k: &str| from.iter().find(|p| p.key.text == k).unwrap();
        assert_eq!(&t[get("image").value.span.clone()], "golang:1.22");
        assert_eq!(get("name").value.as_scalar().unwrap().text, "build");
        assert_eq!(&t[get("platform").value.span.clone()], "linux/amd64");
        let NodeKind::Seq(runs) = &build[1].value.kind else {
            panic!()
        };
        let run = runs[0].as_scalar().unwrap();
        assert_eq!(run.text, "curl -sSL https://x.sh     | sh");
        let at = run.text.find("| sh").unwrap();
        let src = map_offset(&run.pieces, runs[0].span.start, at);
        assert_eq!(&t[src..src + 4], "| sh");
        let last = stage_map(&n, 1);
        assert_eq!(last[1].key.text, "USER");
    }

    #[test]
    fn heredoc_bodies_are_part_of_the_instruction() {
        let t = "FROM alpine:3\nRUN <<EOF\nwget -qO- https://x | bash\nEOF\nUSER 1000\n";
        let n = parse(t);
        let m = stage_map(&n, 0);
        let NodeKind::Seq(runs) = &m[1].value.kind else {
            panic!()
        };
        assert!(runs[0].as_scalar().unwrap().text.contains("| bash"));
        assert_eq!(m[2].key.text, "USER");
    }
}
