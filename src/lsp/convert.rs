//! Conversions between guardrail's positions and paths and the protocol's: 1-based character
//! columns and byte spans to 0-based UTF-16 positions, `file://` URIs to paths and back.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use crate::finding::Location;

/// The path of a `file://` URI; `None` for any other scheme or a URI that is not a path.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///path` (empty authority) or `file://localhost/path`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let decoded = percent_decode_str(rest).decode_utf8().ok()?;
    if decoded.contains('\0') {
        return None;
    }
    let path = PathBuf::from(decoded.as_ref());
    #[cfg(windows)]
    let path = PathBuf::from(decoded.trim_start_matches('/'));
    path.is_absolute().then_some(path)
}

/// Characters escaped in a path segment of a `file://` URI.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The `file://` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = crate::paths::slashed(path);
    let text = if text.starts_with('/') {
        text
    } else {
        format!("/{text}")
    };
    let encoded = utf8_percent_encode(&text, PATH).to_string();
    Uri::from_str(&format!("file://{encoded}")).ok()
}

/// A document's lines, for turning character columns and byte offsets into UTF-16 positions.
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self { text, starts }
    }

    /// Number of lines (a final newline starts an empty last line).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// Line `line` (0-based) without its line break; empty past the end.
    pub fn line(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line) else {
            return "";
        };
        let end = self.starts.get(line + 1).map_or(self.text.len(), |e| e - 1);
        let l = &self.text[start..end.max(start)];
        l.strip_suffix('\r').unwrap_or(l)
    }

    /// The position of 1-based `line` and 1-based character `column`, clamped to the text.
    pub fn char_position(&self, line: usize, column: usize) -> Position {
        let line0 = line.saturating_sub(1).min(self.lines().saturating_sub(1));
        let chars = column.saturating_sub(1);
        let units: usize = self.line(line0).chars().take(chars).map(char::len_utf16).sum();
        position(line0, units)
    }

    /// The position of byte `offset` (clamped to the text and to a character boundary).
    pub fn byte_position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line0 = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line0).copied().unwrap_or(0);
        let units: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        position(line0, units)
    }

    /// The byte offset of an LSP position (UTF-16 units), clamped to its line.
    pub fn offset(&self, at: Position) -> usize {
        let Some(&start) = self.starts.get(at.line as usize) else {
            return self.text.len();
        };
        let line = self.line(at.line as usize);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units >= at.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }

    /// The range of a finding's location.
    pub fn range(&self, loc: &Location) -> Range {
        let start = self.char_position(loc.line, loc.column);
        let end = self.char_position(loc.end_line, loc.end_column);
        Range {
            start,
            end: if end < start { start } else { end },
        }
    }
}

fn position(line: usize, character: usize) -> Position {
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        character: u32::try_from(character).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        // "é" is one UTF-16 unit, "😀" two.
        let idx = LineIndex::new("a\r\né😀x = 1\n");
        assert_eq!(idx.char_position(2, 3), Position::new(1, 3));
        assert_eq!(idx.char_position(2, 4), Position::new(1, 4));
        assert_eq!(idx.byte_position("a\r\né😀".len()), Position::new(1, 3));
        assert_eq!(idx.line(0), "a");
        assert_eq!(idx.offset(Position::new(1, 3)), "a\r\né😀".len());
        assert_eq!(idx.offset(Position::new(1, 1)), "a\r\né".len());
        assert_eq!(idx.offset(Position::new(0, 9)), 1);
        assert_eq!(idx.offset(Position::new(7, 0)), "a\r\né😀x = 1\n".len());
        // Past the end: clamped.
        assert_eq!(idx.char_position(9, 1), Position::new(2, 0));
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/a b/ü#.py");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%BC%23.py");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        let other = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&other), None);
    }
}
