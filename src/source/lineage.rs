//! The lines a blob version added over the version before it at the same path, so history
//! scans what each commit added instead of every version of a file in full (a file edited
//! 200 times was read 200 times whole; the lines it added are a tenth of that in real
//! repositories).
//!
//! A version is compared with the one before it as a diff would: the common head and tail
//! (compared as bytes, cut to whole lines) are unchanged, and the lines between are added
//! unless the predecessor's middle holds the same line. The predecessors' bytes (and the
//! keywords they may hold, for the plan's keyword prefilter) are remembered for a bounded
//! number of bytes, oldest forgotten first. A version whose predecessor is not remembered
//! (outside the range walked, too large, forgotten, binary) is scanned whole.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::sync::Arc;

use crate::finding::Location;

/// Lines kept around each added line: a match spanning a few lines (a private key's header,
/// a value on the line after its key) is still whole in the text scanned first.
pub const CONTEXT_LINES: usize = 2;

/// Bytes of predecessors remembered at most.
pub const REMEMBERED_BYTES: usize = 64 * 1024 * 1024;

/// How much of a blob is looked at for NUL bytes, as git decides a file is binary.
const BINARY_SNIFF: usize = 8000;

/// One remembered version: its bytes and the keyword ids that may occur in it (a superset:
/// see [`Lineage::added`]).
#[derive(Debug)]
struct Version {
    bytes: Arc<[u8]>,
    keywords: Arc<[bool]>,
}

/// The versions remembered so far, in the order they were read.
#[derive(Debug, Default)]
pub struct Lineage {
    versions: HashMap<String, Version>,
    order: VecDeque<String>,
    held: usize,
}

/// What a version added over its predecessor.
#[derive(Debug, Clone)]
pub struct AddedLines {
    /// The added lines (0-based), ascending.
    added: Vec<usize>,
    /// The text with every line far from an added one emptied: same line numbers and columns.
    pub text: Arc<[u8]>,
    /// Keyword ids that may occur in the whole version: those of its predecessor and those of
    /// [`AddedLines::text`].
    pub keywords: Arc<[bool]>,
}

impl AddedLines {
    /// Whether any line of `location` is an added line.
    pub fn holds(&self, location: &Location) -> bool {
        let first = location.line.saturating_sub(1);
        let last = location.end_line.max(location.line).saturating_sub(1);
        let from = self.added.partition_point(|&l| l < first);
        self.added.get(from).is_some_and(|&l| l <= last)
    }
}

/// Whether `bytes` looks like text as git decides it: no NUL where git looks.
fn text_like(bytes: &[u8]) -> bool {
    !bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0)
}

/// Whether the lines of `bytes` can be compared with `before` (a remembered version, valid
/// UTF-8): only the changed middle is validated, since the common head and tail are the
/// predecessor's own bytes, cut at line starts (character boundaries).
fn comparable_with(before: &[u8], bytes: &[u8]) -> Option<(Range<usize>, Range<usize>)> {
    let (new_middle, old_middle) = changed_middle(before, bytes);
    std::str::from_utf8(&bytes[new_middle.clone()]).ok()?;
    Some((new_middle, old_middle))
}

/// The lines of `bytes[range]` as byte ranges of `bytes`, each without its `\n`.
fn lines(bytes: &[u8], range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let region = &bytes[range.clone()];
    let offset = range.start;
    let ends = memchr::memchr_iter(b'\n', region).map(move |i| offset + i).chain(
        // A last line without a newline.
        (!region.is_empty() && !region.ends_with(b"\n")).then_some(range.end),
    );
    let mut start = offset;
    ends.map(move |end| {
        let line = start..end;
        start = end + 1;
        line
    })
}

/// A 64-bit hash of one line, eight bytes at a time (multiply-rotate, then a final mix). Not
/// a keyed hash: a repository's own history is not an adversary.
fn hash_line(line: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = line.len() as u64;
    let mut words = line.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h.rotate_left(23) ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    // Every input bit reaches every output bit.
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 32)
}

/// Where `new` differs from `old`, in whole lines: the byte range of `new` after the common
/// head's last whole line and before the common tail's first, and the same range of `old`.
fn changed_middle(old: &[u8], new: &[u8]) -> (Range<usize>, Range<usize>) {
    let head = common_prefix(old, new);
    // Back to the start of the line the first difference is on.
    let start = new[..head].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let room = old.len().min(new.len()) - start;
    let tail = common_suffix(&old[old.len() - room..], &new[new.len() - room..]);
    // On to the first line that starts inside the common tail.
    let skip = |len: usize| {
        let from = len - tail;
        match tail {
            0 => len,
            _ => new[new.len() - tail..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(len, |i| from + i + 1),
        }
    };
    (start..skip(new.len()), start..skip(old.len()))
}

/// Bytes compared at once (one `memcmp`) before the first difference is looked for byte by byte.
const CHUNK: usize = 64;

/// The length of the longest common prefix of `a` and `b`.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + CHUNK <= len && a[at..at + CHUNK] == b[at..at + CHUNK] {
        at += CHUNK;
    }
    at + a[at..len]
        .iter()
        .zip(&b[at..len])
        .take_while(|(x, y)| x == y)
        .count()
}

/// The length of the longest common suffix of `a` and `b`.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut end = len;
    while end >= CHUNK && a[end - CHUNK..end] == b[end - CHUNK..end] {
        end -= CHUNK;
    }
    len - end
        + a[..end]
            .iter()
            .rev()
            .zip(b[..end].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

/// A hasher for values that are hashes already ([`hash_line`]'s): passes them through.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Lineage {
    /// Remembers version `oid` (its text `bytes`, the keyword ids that may occur in it) and,
    /// when its predecessor `parent` is remembered, returns what it added. `keywords_of` finds
    /// the keyword ids of a text: called on the added lines' text only, when there is a
    /// predecessor, else on the whole text. Without a predecessor: `None`, and the keywords
    /// found in the whole version (also `None` for binary or non-UTF-8 bytes).
    pub fn added(
        &mut self,
        oid: &str,
        parent: Option<&str>,
        bytes: &Arc<[u8]>,
        keywords_of: impl Fn(&[u8]) -> Arc<[bool]>,
    ) -> (Option<AddedLines>, Option<Arc<[bool]>>) {
        if !text_like(bytes) {
            return (None, None);
        }
        let before = parent.and_then(|p| self.versions.get(p));
        let middles = before.map(|b| comparable_with(&b.bytes, bytes));
        let valid = match &middles {
            Some(middles) => middles.is_some(),
            None => std::str::from_utf8(bytes).is_ok(),
        };
        if !valid {
            return (None, None);
        }
        let (added, keywords, whole) = match before.zip(middles.flatten()) {
            Some((before, (new_middle, old_middle))) => {
                let (added, first) = added_lines(&before.bytes, bytes, new_middle.clone(), old_middle);
                let from = line_start_back(bytes, (first, new_middle.start), CONTEXT_LINES);
                let (text, kept) = kept_text(bytes, &added, from);
                // The rest is line breaks, where no keyword is.
                let found = keywords_of(&text[kept]);
                let text: Arc<[u8]> = text.into();
                let keywords: Arc<[bool]> = found
                    .iter()
                    .zip(before.keywords.iter())
                    .map(|(a, b)| *a || *b)
                    .collect();
                let lines = AddedLines {
                    added,
                    text,
                    keywords: Arc::clone(&keywords),
                };
                (Some(lines), keywords, None)
            }
            None => {
                let keywords = keywords_of(bytes);
                (None, Arc::clone(&keywords), Some(keywords))
            }
        };
        self.remember(oid, Arc::clone(bytes), keywords);
        (added, whole)
    }

    fn remember(&mut self, oid: &str, bytes: Arc<[u8]>, keywords: Arc<[bool]>) {
        self.held += bytes.len();
        self.order.push_back(oid.to_string());
        self.versions.insert(oid.to_string(), Version { bytes, keywords });
        while self.held > REMEMBERED_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(v) = self.versions.remove(&oldest) {
                self.held -= v.bytes.len();
            }
        }
    }
}

/// The lines (0-based, ascending) of `new` that are not lines of `old`, and the line the
/// changed middle ([`changed_middle`]'s) starts on: only the middle is looked at line by line.
fn added_lines(
    old: &[u8],
    new: &[u8],
    new_middle: Range<usize>,
    old_middle: Range<usize>,
) -> (Vec<usize>, usize) {
    let first = count_newlines(&new[..new_middle.start]);
    if new_middle.is_empty() {
        return (Vec::new(), first);
    }
    // Sized up front from a guess of the lines (source lines average over 30 bytes): growing
    // the set rehashes every line hash again.
    let mut known: HashSet<u64, std::hash::BuildHasherDefault<Prehashed>> =
        HashSet::with_capacity_and_hasher(old_middle.len() / 32 + 1, Default::default());
    known.extend(lines(old, old_middle).map(|r| hash_line(&old[r])));
    let added = lines(new, new_middle)
        .enumerate()
        .filter(|(_, r)| !known.contains(&hash_line(&new[r.clone()])))
        .map(|(i, _)| first + i)
        .collect();
    (added, first)
}

/// The line `n` lines before `(line, at)` (a line number and the byte offset it starts at) and
/// where it starts, or the first line: found backwards, without counting the lines before it.
fn line_start_back(bytes: &[u8], (mut line, mut at): (usize, usize), n: usize) -> (usize, usize) {
    for _ in 0..n {
        if line == 0 || at == 0 {
            return (0, 0);
        }
        at = memchr::memrchr(b'\n', &bytes[..at - 1]).map_or(0, |i| i + 1);
        line -= 1;
    }
    (line, at)
}

/// `bytes` with every line emptied (its `\n` kept) unless it is within [`CONTEXT_LINES`] of an
/// added line, and the part of it that is not only line breaks. `from` is a line known to start
/// at a byte offset (`(0, 0)`, or one at or before the first window): the lines before it are
/// not looked at again. A generated file's head may be emptied: its findings are then those of
/// a source file, more than its own, and [`crate::history`] scans it whole for them.
fn kept_text(bytes: &[u8], added: &[usize], from: (usize, usize)) -> (Vec<u8>, Range<usize>) {
    let mut windows: Vec<Range<usize>> = Vec::new();
    for &line in added {
        let window = line.saturating_sub(CONTEXT_LINES)..line + CONTEXT_LINES + 1;
        match windows.last_mut() {
            Some(last) if window.start <= last.end => last.end = window.end,
            _ => windows.push(window),
        }
    }
    let Some(first) = windows.first().map(|w| w.start) else {
        return (vec![b'\n'; count_newlines(bytes)], 0..0);
    };
    // Lines outside the windows are only counted, in bulk; each window is copied whole.
    let mut out = Vec::with_capacity(bytes.len());
    let (mut line, mut at) = if from.0 <= first { from } else { (0, 0) };
    out.resize(line, b'\n');
    for window in windows {
        let start = at + nth_line_start(&bytes[at..], window.start - line);
        out.resize(out.len() + window.start - line, b'\n');
        let end = start + nth_line_start(&bytes[start..], window.len());
        out.extend_from_slice(&bytes[start..end]);
        (line, at) = (window.end, end);
        if at == bytes.len() {
            break;
        }
    }
    let kept = first..out.len();
    out.resize(out.len() + count_newlines(&bytes[at..]), b'\n');
    (out, kept)
}

/// Bytes [`count_newlines`] counts in one block: 255 words of 8, so no byte-wide counter
/// overflows before the block is added up.
const NEWLINE_BLOCK: usize = 8 * 255;

/// Line breaks in `bytes`, counted eight bytes at a time without visiting them one by one:
/// each word's bytes equal to `\n` set the high bit of their byte (the exact zero-byte test
/// on the word xor `\n`s), summed in byte-wide counters and added up once per block. Measured
/// 2-3 times faster than a per-byte count, which the compiler does not vectorise well for
/// the baseline x86-64 target.
fn count_newlines(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const PAIRS: u64 = 0x00ff_00ff_00ff_00ff;
    let mut total = 0;
    let mut blocks = bytes.chunks_exact(NEWLINE_BLOCK);
    for block in &mut blocks {
        let mut counts = 0u64;
        for word in block.chunks_exact(8) {
            let mut le = [0u8; 8];
            le.copy_from_slice(word);
            let x = u64::from_le_bytes(le) ^ (ONES * u64::from(b'\n'));
            counts += !(((x & LOW7) + LOW7) | x | LOW7) >> 7;
        }
        let pairs = (counts & PAIRS) + ((counts >> 8) & PAIRS);
        total += (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize;
    }
    total + blocks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// The byte offset where line `n` (0-based) starts: after the `n`th line break, or the end.
fn nth_line_start(bytes: &[u8], n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    // A few lines on (a window's end): each break found is cheaper than counting blocks.
    if n <= 64 {
        return memchr::memchr_iter(b'\n', bytes)
            .nth(n - 1)
            .map_or(bytes.len(), |i| i + 1);
    }
    let mut seen = 0;
    let mut at = 0;
    for chunk in bytes.chunks(NEWLINE_BLOCK) {
        let here = count_newlines(chunk);
        if seen + here >= n {
            return memchr::memchr_iter(b'\n', chunk)
                .nth(n - seen - 1)
                .map_or(bytes.len(), |i| at + i + 1)
                .min(bytes.len());
        }
        seen += here;
        at += chunk.len();
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Xorshift, SEED};

    fn keywords_of(text: &[u8]) -> Arc<[bool]> {
        let text = String::from_utf8_lossy(text);
        [text.contains("twilio"), text.contains("secret")].into()
    }

    fn lines_added(old: &[u8], new: &[u8]) -> Vec<usize> {
        let (new_middle, old_middle) = changed_middle(old, new);
        added_lines(old, new, new_middle, old_middle).0
    }

    fn location(line: usize, end_line: usize) -> Location {
        Location {
            line,
            column: 1,
            end_line,
            end_column: 1,
        }
    }

    #[test]
    fn a_version_adds_the_lines_its_predecessor_did_not_have() {
        let first = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let second = "a\nb\nc\nd\nNEW\ne\nf\ng\nh\n";
        let mut lineage = Lineage::default();
        let (none, whole) = lineage.added("1", None, &Arc::from(first.as_bytes()), keywords_of);
        assert!(none.is_none());
        assert_eq!(whole.as_deref(), Some(&[false, false][..]));
        let (added, whole) = lineage.added("2", Some("1"), &Arc::from(second.as_bytes()), keywords_of);
        assert!(whole.is_none());
        let added = added.expect("predecessor remembered");
        // Line 5 is new; lines 3-4 and 6-7 are its context; the rest emptied, lines kept.
        assert_eq!(
            std::str::from_utf8(&added.text).ok(),
            Some("\n\nc\nd\nNEW\ne\nf\n\n\n")
        );
        assert!(added.holds(&location(5, 5)));
        assert!(added.holds(&location(4, 6)));
        assert!(!added.holds(&location(4, 4)));
        assert!(!added.holds(&location(1, 1)));
    }

    #[test]
    fn keywords_of_the_predecessor_carry_over() {
        let mut lineage = Lineage::default();
        let first = "// twilio client\na\nb\nc\nd\n";
        let _ = lineage.added("1", None, &Arc::from(first.as_bytes()), keywords_of);
        let second = "// twilio client\na\nb\nc\nd\nsecret = SK0\n";
        let (added, _) = lineage.added("2", Some("1"), &Arc::from(second.as_bytes()), keywords_of);
        let added = added.expect("predecessor remembered");
        // "twilio" is on a line emptied from the text, but may still gate a rule.
        assert!(!String::from_utf8_lossy(&added.text).contains("twilio"));
        assert_eq!(&*added.keywords, &[true, true]);
    }

    #[test]
    fn unknown_predecessors_binary_and_invalid_text_are_scanned_whole() {
        let mut lineage = Lineage::default();
        let (added, whole) = lineage.added("2", Some("gone"), &Arc::from(&b"x\n"[..]), keywords_of);
        assert!(added.is_none() && whole.is_some());
        let (added, whole) = lineage.added("3", Some("2"), &Arc::from(&b"x\0y\n"[..]), keywords_of);
        assert!(added.is_none() && whole.is_none());
        let (added, _) = lineage.added("4", Some("2"), &Arc::from(&b"\xff\n"[..]), keywords_of);
        assert!(added.is_none());
        // Only the changed middle is validated: invalid bytes there still make it whole...
        let _ = lineage.added("5", None, &Arc::from("\u{e9}\nb\n".as_bytes()), keywords_of);
        let (added, whole) = lineage.added("6", Some("5"), &Arc::from(&b"\xc3\xa9\n\xff\n"[..]), keywords_of);
        assert!(added.is_none() && whole.is_none());
        // ...and a valid change beside multibyte lines is compared.
        let (added, _) = lineage.added("7", Some("5"), &Arc::from("\u{e9}\nc\n".as_bytes()), keywords_of);
        assert_eq!(added.map(|a| a.added), Some(vec![1]));
    }

    #[test]
    fn every_line_the_predecessor_lacks_is_added_and_only_changed_lines_are() {
        let words = ["a", "b", "key = 1", "", "secret", "a b"];
        let mut rng = Xorshift::new(0x2545_f491_4f6c_dd1d);
        for _ in 0..2000 {
            let old: Vec<&str> = (0..rng.next() % 12)
                .map(|_| words[(rng.next() % 6) as usize])
                .collect();
            let mut new = old.clone();
            for _ in 0..rng.next() % 3 {
                let at = (rng.next() as usize) % (new.len() + 1);
                match rng.next() % 3 {
                    0 if at < new.len() => {
                        new.remove(at);
                    }
                    1 if at < new.len() => new[at] = words[(rng.next() % 6) as usize],
                    _ => new.insert(at, words[(rng.next() % 6) as usize]),
                }
            }
            let end = if rng.next().is_multiple_of(2) { "\n" } else { "" };
            let (old_text, new_text) = (old.join("\n") + end, new.join("\n") + end);
            let added = lines_added(old_text.as_bytes(), new_text.as_bytes());
            for (i, line) in new_text.split_inclusive('\n').enumerate() {
                let line = line.strip_suffix('\n').unwrap_or(line);
                let known =
                    old_text.split('\n').any(|l| l == line) && !(old_text.is_empty() && line.is_empty());
                if !known {
                    assert!(
                        added.contains(&i),
                        "{old_text:?} -> {new_text:?}: line {i} {added:?}"
                    );
                }
            }
            if old_text == new_text {
                assert_eq!(added, Vec::<usize>::new());
            }
        }
        // Appending one line adds that line only.
        assert_eq!(lines_added(b"a\nb\n", b"a\nb\nc\n"), vec![2]);
        assert_eq!(lines_added(b"a\nb\nc\n", b"a\nx\nc\n"), vec![1]);
        assert_eq!(lines_added(b"a\nb", b"a\nbc"), vec![1]);
    }

    #[test]
    fn kept_text_keeps_line_numbers_around_far_apart_windows() {
        let text: String = (0..700).map(|i| format!("line {i}\n")).collect();
        let (kept, range) = kept_text(text.as_bytes(), &[0, 300, 698], (0, 0));
        let lines: Vec<&str> = std::str::from_utf8(&kept)
            .unwrap_or_default()
            .split('\n')
            .collect();
        assert_eq!(lines.len(), 701);
        for (i, line) in lines.iter().enumerate().take(700) {
            let near = [0, 300, 698]
                .iter()
                .any(|&a: &usize| a.abs_diff(i) <= CONTEXT_LINES);
            assert_eq!(line.is_empty(), !near, "line {i}: {line:?}");
        }
        assert!(kept[..range.start].iter().all(|&b| b == b'\n'));
        assert!(kept[range.end..].iter().all(|&b| b == b'\n'));
        assert_eq!(nth_line_start(text.as_bytes(), 0), 0);
        assert_eq!(nth_line_start(text.as_bytes(), 1), 7);
        assert_eq!(nth_line_start(text.as_bytes(), 700), text.len());
        assert_eq!(nth_line_start(text.as_bytes(), 900), text.len());
        for n in [1, 63, 64, 65, 200, 699] {
            assert_eq!(
                nth_line_start(text.as_bytes(), n),
                text.find(&format!("line {n}\n")).unwrap_or(0)
            );
        }
        let (kept, _) = kept_text(b"a\nb\nc", &[], (0, 0));
        assert_eq!(kept, b"\n\n");
    }

    /// [`kept_text`] as its contract reads, line by line.
    fn kept_text_line_by_line(bytes: &[u8], added: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
            if added.iter().any(|&a| a.abs_diff(i) <= CONTEXT_LINES) {
                out.extend_from_slice(line);
            } else if line.ends_with(b"\n") {
                out.push(b'\n');
            }
        }
        out
    }

    #[test]
    fn kept_text_equals_emptying_line_by_line() {
        let mut rng = Xorshift::new(SEED);
        for _ in 0..3000 {
            let lines = (rng.next() % 40) as usize;
            let mut text: String = (0..lines).map(|i| format!("{}\n", "x".repeat(i % 5))).collect();
            if rng.next().is_multiple_of(2) {
                text.push_str("last");
            }
            let count = text.split_inclusive('\n').count();
            let mut added: Vec<usize> = (0..rng.next() % 6)
                .filter(|_| count > 0)
                .map(|_| (rng.next() as usize) % count)
                .collect();
            added.sort_unstable();
            added.dedup();
            let (kept, range) = kept_text(text.as_bytes(), &added, (0, 0));
            assert_eq!(
                kept,
                kept_text_line_by_line(text.as_bytes(), &added),
                "{text:?} {added:?}"
            );
            // The same from a line found backwards from an added one, as `added` starts.
            if let Some(&line) = added.first() {
                let at = nth_line_start(text.as_bytes(), line);
                let back = (rng.next() % 4) as usize;
                let from = line_start_back(text.as_bytes(), (line, at), back);
                assert_eq!(from, {
                    let l = line.saturating_sub(back);
                    (l, nth_line_start(text.as_bytes(), l))
                });
                assert_eq!(
                    kept_text(text.as_bytes(), &added, from),
                    (kept.clone(), range.clone())
                );
            }
            assert!(kept[..range.start]
                .iter()
                .chain(&kept[range.end..])
                .all(|&b| b == b'\n'));
        }
    }

    #[test]
    fn newlines_are_counted_across_blocks() {
        for len in [0, 1, 7, 8, 9, 2039, 2040, 2041, 9000] {
            // Dense breaks near the end: every counter of a block full.
            let text: Vec<u8> = (0..len)
                .map(|i| {
                    if i % 3 == 0 || i > 2000 {
                        b'\n'
                    } else {
                        [b'\x8a', b'\x0b'][i % 2]
                    }
                })
                .collect();
            let naive = text.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_newlines(&text), naive, "length {len}");
        }
    }

    #[test]
    fn common_prefixes_and_suffixes_across_chunks() {
        let a: Vec<u8> = (0..300u32).map(|i| (i % 251) as u8).collect();
        for cut in [0, 1, 63, 64, 65, 130, 299] {
            let mut b = a.clone();
            b[cut] ^= 1;
            assert_eq!(common_prefix(&a, &b), cut);
            assert_eq!(common_suffix(&a, &b), a.len() - cut - 1);
        }
        assert_eq!(common_prefix(&a, &a[..100]), 100);
        assert_eq!(common_suffix(&a, &a[200..]), 100);
    }
}
