//! Where a file holds prose rather than code: comments for the file's language (by extension),
//! Python docstrings, and Markdown outside fenced code blocks. Read by `[rule.regex]`
//! `code-only = true`, so a rule about code does not fire on a sentence that describes it.

use std::ops::Range;

/// Comment syntax of a language family.
struct Syntax {
    line: &'static [&'static str],
    block: Option<(&'static str, &'static str)>,
    docstrings: bool,
}

const C_LIKE: Syntax = Syntax {
    line: &["//"],
    block: Some(("/*", "*/")),
    docstrings: false,
};
const HASH: Syntax = Syntax {
    line: &["#"],
    block: None,
    docstrings: false,
};
const PYTHON: Syntax = Syntax {
    line: &["#"],
    block: None,
    docstrings: true,
};
const SQL: Syntax = Syntax {
    line: &["--"],
    block: Some(("/*", "*/")),
    docstrings: false,
};

/// Byte ranges of prose in `text`, in order; empty for a language it does not know.
pub fn ranges(rel: &str, text: &str) -> Vec<Range<usize>> {
    let ext = rel.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    let syntax = match ext.as_str() {
        "md" | "markdown" | "mdx" => return markdown(text),
        "py" | "pyi" => PYTHON,
        "rb" | "sh" | "bash" | "yml" | "yaml" | "toml" | "r" | "pl" => HASH,
        "sql" => SQL,
        "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" | "go" | "java" | "kt" | "rs" | "c"
        | "h" | "cc" | "cpp" | "hpp" | "cs" | "swift" | "scala" | "php" => C_LIKE,
        _ => return Vec::new(),
    };
    comments(text, &syntax)
}

/// True when `at` lies in one of the sorted `ranges`.
pub fn contains(ranges: &[Range<usize>], at: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= at);
    ranges.get(i).is_some_and(|r| r.start <= at)
}

/// Markdown outside fenced code blocks (``` or ~~~ fences).
fn markdown(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    let mut prose_start = Some(0);
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => {
                if let Some(s) = prose_start.take() {
                    out.push(s..at);
                }
                fence = Some(m);
            }
            (Some(f), Some(m)) if f == m && trimmed.trim_end().trim_start_matches(m).is_empty() => {
                fence = None;
                prose_start = Some(at + line.len());
            }
            _ => {}
        }
        at += line.len();
    }
    if let Some(s) = prose_start {
        out.push(s..text.len());
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Comments (and docstrings) of `text`, skipping string literals.
fn comments(text: &str, syntax: &Syntax) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if let Some(tok) = syntax.line.iter().find(|t| rest.starts_with(**t)) {
            let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            out.push(i..end);
            i = end.max(i + tok.len());
            continue;
        }
        if let Some((open, close)) = syntax.block.filter(|(o, _)| rest.starts_with(o)) {
            let end = text[i + open.len()..]
                .find(close)
                .map_or(b.len(), |n| i + open.len() + n + close.len());
            out.push(i..end);
            i = end;
            continue;
        }
        match b[i] {
            q @ (b'"' | b'\'' | b'`') => {
                let triple = syntax.docstrings && rest.len() >= 3 && b[i + 1] == q && b[i + 2] == q;
                if triple {
                    let delim = &rest[..3];
                    let end = text[i + 3..].find(delim).map_or(b.len(), |n| i + 3 + n + 3);
                    if docstring_position(text, i) {
                        out.push(i..end);
                    }
                    i = end;
                } else {
                    i = string_end(b, i + 1, q);
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// A triple-quoted string that is a statement of its own, first in a module, class or def.
fn docstring_position(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    if !text[line_start..at].trim().is_empty() {
        return false;
    }
    let before = text[..line_start].trim_end();
    before.is_empty() || before.ends_with(':')
}

/// End (after the closing quote) of a one-line string whose content starts at `i`.
fn string_end(b: &[u8], mut i: usize, q: u8) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\n' if q != b'`' => return i,
            c if c == q => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose<'a>(rel: &str, text: &'a str) -> Vec<&'a str> {
        ranges(rel, text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn comments_docstrings_and_markdown() {
        let py = "\"\"\"Filter where age > 18.\"\"\"\nq = \"# not a comment\"  # real\nsql = \"\"\"SELECT 1\"\"\"\n";
        assert_eq!(
            prose("a.py", py),
            vec!["\"\"\"Filter where age > 18.\"\"\"", "# real"]
        );
        let js = "/** where age > 18 */\nconst u = \"http://x\"; // note\n";
        assert_eq!(prose("a.js", js), vec!["/** where age > 18 */", "// note"]);
        let md = "Say where age > 18.\n```sql\nSELECT 1 WHERE age > 18\n```\nMore.\n";
        assert_eq!(prose("a.md", md), vec!["Say where age > 18.\n", "More.\n"]);
        assert!(prose("a.unknown", "# x").is_empty());
    }
}
