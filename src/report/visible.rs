//! Makes untrusted text safe to show to a person: file names, matched lines and config errors
//! come from the scanned repository, and a bare carriage return, an escape sequence or a C1
//! control would otherwise reach the terminal or the CI log (a GitHub runner splits workflow
//! commands on `\r`; OSC 52 writes the clipboard). Like rustc, control characters are shown as
//! their Unicode control pictures; long snippet lines are cut around the match.

use std::borrow::Cow;
use std::ops::Range;

/// Longest snippet line shown, in characters; longer ones are cut around the underlined span.
pub const MAX_SNIPPET_LINE_CHARS: usize = 240;

/// What stands in for one character that must not reach a terminal, or `None` to keep it.
/// `keep_newlines` keeps `\n` (multi-line text such as snippets and rendered diagnostics).
fn placeholder(c: char, keep_newlines: bool) -> Option<char> {
    match c {
        '\t' => None,
        '\n' if keep_newlines => None,
        // One stand-in table for every output, shared with the excerpts of config errors.
        _ => Some(crate::error::visible(c)).filter(|&v| v != c),
    }
}

fn needs_change(s: &str, keep_newlines: bool) -> bool {
    s.chars().any(|c| placeholder(c, keep_newlines).is_some())
}

fn replace(s: &str, keep_newlines: bool) -> String {
    s.chars()
        .map(|c| placeholder(c, keep_newlines).unwrap_or(c))
        .collect()
}

/// A one-line field (path, message, rule id, summary): every control character but tab becomes
/// visible, newlines included, so the field cannot start a new line of output.
pub fn line(s: &str) -> Cow<'_, str> {
    if needs_change(s, false) {
        Cow::Owned(replace(s, false))
    } else {
        Cow::Borrowed(s)
    }
}

/// Multi-line text (a rendered diagnostic): newlines and tabs stay, a `\r` of a CRLF pair is
/// dropped, every other control character becomes visible.
pub fn lines(s: &str) -> Cow<'_, str> {
    if !needs_change(s, true) {
        return Cow::Borrowed(s);
    }
    let joined: Vec<String> = s
        .split('\n')
        .map(|l| replace(l.strip_suffix('\r').unwrap_or(l), true))
        .collect();
    Cow::Owned(joined.join("\n"))
}

/// A snippet's lines made visible and cut to [`MAX_SNIPPET_LINE_CHARS`], with `span` (a byte
/// range of `text`) moved onto the result.
pub fn snippet(text: &str, span: Range<usize>) -> (String, Range<usize>) {
    snippet_within(text, span, MAX_SNIPPET_LINE_CHARS)
}

/// As [`snippet`], with lines cut to `max_chars` characters (at least 16), so a snippet fits a
/// terminal of a given width.
pub fn snippet_within(text: &str, span: Range<usize>, max_chars: usize) -> (String, Range<usize>) {
    let max_chars = max_chars.max(16);
    let mut out = String::with_capacity(text.len());
    let mapped = span.start.min(text.len())..span.end.min(text.len());
    let (mut new_start, mut new_end) = (None, None);
    let mut line_start = 0;
    for (i, raw) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line_end = line_start + raw.len();
        let body = raw.strip_suffix('\r').unwrap_or(raw);
        let local = |p: usize| p.clamp(line_start, line_start + body.len()) - line_start;
        let (from, to) = window(body, local(mapped.start), max_chars);
        let shown = body.get(from..to).unwrap_or("");
        if from > 0 {
            out.push('…');
        }
        let shift = |p: usize, out_len: usize| -> usize {
            // Byte offset in `out` of byte `p` of `body` (within the shown window).
            let p = p.clamp(from, to);
            out_len + replace(&body[from..p], true).len()
        };
        let prefix_len = out.len();
        if new_start.is_none() && mapped.start <= line_end {
            new_start = Some(shift(local(mapped.start), prefix_len));
        }
        if new_end.is_none() && mapped.end <= line_end {
            new_end = Some(shift(local(mapped.end), prefix_len));
        }
        out.push_str(&replace(shown, true));
        if to < body.len() {
            out.push('…');
        }
        line_start = line_end + 1;
    }
    let start = new_start.unwrap_or(out.len());
    let end = new_end.unwrap_or(out.len()).max(start);
    (out, start..end)
}

/// The byte window of `body` to show: all of it when short, else up to `max` characters (two
/// fewer, for the `…` marks) starting a little before the span.
fn window(body: &str, span_start: usize, max: usize) -> (usize, usize) {
    if body.chars().count() <= max {
        return (0, body.len());
    }
    let max = max - 2;
    let lead = max / 4;
    let before: Vec<usize> = body[..span_start].char_indices().map(|(i, _)| i).collect();
    let from = before.len().checked_sub(lead).map_or(0, |k| before[k]);
    let to = body[from..]
        .char_indices()
        .nth(max)
        .map_or(body.len(), |(i, _)| from + i);
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_pictures() {
        assert_eq!(line("a\rb"), "a\u{240d}b");
        assert_eq!(line("x\ny"), "x\u{240a}y");
        assert_eq!(line("\u{1b}]52;c;aGk=\u{7}"), "\u{241b}]52;c;aGk=\u{2407}");
        assert_eq!(line("del\u{7f} c1\u{9b}"), "del\u{2421} c1\u{fffd}");
        assert_eq!(line("tab\tok"), "tab\tok");
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn multi_line_text_keeps_newlines_and_drops_crlf_returns() {
        assert_eq!(lines("a\r\nb\rc\n"), "a\nb\u{240d}c\n");
    }

    #[test]
    fn snippet_span_follows_replacements() {
        let text = "x\u{1b}[2J = \"secret\"";
        let span = text.find('"').unwrap_or(0)..text.len();
        let (out, s) = snippet(text, span);
        assert_eq!(out, "x\u{241b}[2J = \"secret\"");
        assert_eq!(&out[s], "\"secret\"");
    }

    #[test]
    fn snippet_span_on_a_later_line() {
        let text = "a\r\nb = 1\r";
        let (out, s) = snippet(text, 3..8);
        assert_eq!(out, "a\nb = 1");
        assert_eq!(&out[s], "b = 1");
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let text = format!("{}KEY{}", "a".repeat(1000), "b".repeat(1000));
        let (out, s) = snippet(&text, 1000..1003);
        assert_eq!(&out[s], "KEY");
        assert!(out.starts_with('…') && out.ends_with('…'));
        assert!(out.chars().count() <= MAX_SNIPPET_LINE_CHARS);
    }

    #[test]
    fn lines_fit_a_narrow_width() {
        let text = format!("{}KEY{}", "a".repeat(100), "b".repeat(100));
        let (out, s) = snippet_within(&text, 100..103, 40);
        assert_eq!(&out[s], "KEY");
        assert_eq!(out.chars().count(), 40);
        let (short, _) = snippet_within("short line", 0..5, 40);
        assert_eq!(short, "short line");
    }
}
