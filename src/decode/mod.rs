//! Encoded segments of a file's text: long base64 (standard and URL-safe), hex, percent-encoded
//! runs and JSON/JavaScript `\uXXXX` / `\xXX` escapes, decoded within per-file bounds so the
//! rules can read what they hide. This module only finds and decodes; [`rescan`] runs the
//! rules over the decoded text for the scan stage.
//!
//! Cost is kept down three ways: only segments above a minimum length are considered, a short
//! prefix is decoded first and the segment dropped unless it reads as text (images, hashes and
//! random keys never reach the rules), and every file has a budget of segments and decoded
//! bytes. What a bound stopped is named, so the summary counts it.

pub mod rescan;

use std::ops::Range;
use std::sync::LazyLock;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// Default levels of decoding inside decoding (base64 of a percent-encoded string is 2).
pub const DEFAULT_MAX_DEPTH: usize = 2;
/// Default number of segments decoded per file (every level counts).
pub const DEFAULT_MAX_SEGMENTS: usize = 256;
/// Default decoded bytes per file (every level counts).
pub const DEFAULT_MAX_BYTES: usize = 1024 * 1024;

/// Shortest base64 run considered (18 decoded bytes).
pub const MIN_BASE64: usize = 24;
/// Shortest hex run considered (16 decoded bytes).
pub const MIN_HEX: usize = 32;
/// Shortest percent-encoded or escaped run considered.
pub const MIN_ESCAPED: usize = 12;

/// Characters of a segment decoded first, to decide whether the rest is worth decoding.
const PROBE: usize = 64;

/// Bound names, as the summary counts them.
pub const BOUND_DEPTH: &str = "decode_depth";
/// See [`BOUND_DEPTH`].
pub const BOUND_SEGMENTS: &str = "decode_segments";
/// See [`BOUND_DEPTH`].
pub const BOUND_BYTES: &str = "decode_bytes";

/// How far decoding goes in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Levels of decoding (0 turns decoding off).
    pub max_depth: usize,
    /// Segments decoded per file.
    pub max_segments: usize,
    /// Decoded bytes per file.
    pub max_bytes: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            max_segments: DEFAULT_MAX_SEGMENTS,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// An encoding guardrail decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// RFC 4648 base64 (`+`, `/`).
    Base64,
    /// RFC 4648 URL-safe base64 (`-`, `_`).
    Base64Url,
    /// Hexadecimal bytes.
    Hex,
    /// `%XX` escapes.
    Percent,
    /// JSON/JavaScript `\uXXXX` and `\xXX` escapes.
    Escapes,
}

impl Encoding {
    /// Name used in a finding's note.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "URL-safe base64",
            Encoding::Hex => "hex",
            Encoding::Percent => "percent-encoding",
            Encoding::Escapes => "JSON/JavaScript escapes",
        }
    }
}

/// One decoded segment: where it sits in the text it was found in, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Byte range of the encoded text.
    pub span: Range<usize>,
    /// How it was encoded.
    pub encoding: Encoding,
    /// The decoded text.
    pub text: String,
}

/// What is left of one file's decoding budget, and the bounds it hit.
#[derive(Debug)]
pub struct Budget {
    segments: usize,
    bytes: usize,
    /// Bounds hit so far ([`BOUND_SEGMENTS`], [`BOUND_BYTES`], [`BOUND_DEPTH`]).
    pub hit: Vec<&'static str>,
}

impl Budget {
    /// A fresh budget for one file.
    pub fn new(limits: &DecodeLimits) -> Self {
        Self {
            segments: limits.max_segments,
            bytes: limits.max_bytes,
            hit: Vec::new(),
        }
    }

    /// Records a bound (once).
    pub fn hit(&mut self, bound: &'static str) {
        if !self.hit.contains(&bound) {
            self.hit.push(bound);
        }
    }

    fn spent(&self) -> bool {
        self.hit.contains(&BOUND_SEGMENTS) || self.hit.contains(&BOUND_BYTES)
    }

    /// Takes one segment of `len` decoded bytes from the budget; false (and the bound
    /// recorded) when it does not fit.
    fn take(&mut self, len: usize) -> bool {
        if self.segments == 0 {
            self.hit(BOUND_SEGMENTS);
            return false;
        }
        if len > self.bytes {
            self.hit(BOUND_BYTES);
            return false;
        }
        self.segments -= 1;
        self.bytes -= len;
        true
    }
}

/// Candidate runs, leftmost first: escapes, then percent escapes, then base64/hex alphabets.
/// No capture groups, so the regex crate's fastest engine finds them; [`kind_of`]
/// tells the alternatives apart by what they must contain.
static CANDIDATES: LazyLock<regex::Regex> = LazyLock::new(|| {
    let plain = r"[A-Za-z0-9+/=_.:~-]";
    let pattern = format!(
        r"{plain}*(?:(?:\\u[0-9A-Fa-f]{{4}}|\\x[0-9A-Fa-f]{{2}}){plain}*)+|{plain}*(?:%[0-9A-Fa-f]{{2}}{plain}*)+|[A-Za-z0-9+/_-]{{{MIN_BASE64},}}={{0,2}}"
    );
    regex::Regex::new(&pattern).unwrap_or_else(|e| panic!("static decode pattern: {e}"))
});

/// The decodable segments of `text` that read as text, within the budget.
pub fn segments(text: &str, budget: &mut Budget) -> Vec<Segment> {
    let mut out = Vec::new();
    for span in candidate_runs(text) {
        if budget.spent() {
            break;
        }
        let run = &text[span.clone()];
        let Some(kind) = kind_of(run) else {
            continue;
        };
        if let Some(decoded) = decode_checked(kind, run, budget) {
            out.push(Segment {
                span,
                encoding: kind,
                text: decoded,
            });
        }
    }
    out
}

/// The [`CANDIDATES`] matches of `text`, leftmost first, exactly as `find_iter` over the whole
/// text gives them that [`kind_of`] can accept, with the regex run only inside stretches that
/// can hold such a match.
///
/// Why this is exact: every alternative of the pattern matches only bytes of
/// candidate byte (the plain alphabet of [`CANDIDATES`], `\` and `%`) and none has anchors or look-around, so no match crosses another byte and
/// the matches inside a maximal stretch of them do not depend on the text around it. A stretch
/// shorter than [`MIN_ESCAPED`], or shorter than [`MIN_BASE64`] without a `\` or `%`, holds no
/// match that [`kind_of`] accepts. Most of a source file is such stretches (words, short
/// paths), and a branch-free pass over the bytes is several times cheaper than the regex's
/// search over them.
fn candidate_runs(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    let stretches = std::iter::from_fn(move || {
        let (start, inside) = next_long_stretch(bytes, at)?;
        let end = stretch_end(bytes, inside);
        at = end;
        Some(start..end)
    });
    stretches.flat_map(move |r| {
        let stretch = &text[r.clone()];
        let found: Box<dyn Iterator<Item = Range<usize>>> =
            if memchr::memchr2(b'\\', b'%', stretch.as_bytes()).is_some() {
                Box::new(CANDIDATES.find_iter(stretch).map(|m| m.range()))
            } else {
                Box::new(base64_runs(stretch.as_bytes()))
            };
        found.map(move |m| r.start + m.start..r.start + m.end)
    })
}

/// The matches of [`CANDIDATES`] in a stretch without `\` or `%` that [`kind_of`] can accept,
/// without the regex: only its base64 alternative can match there, and leftmost-first it
/// takes each maximal run of at least [`MIN_BASE64`] alphabet characters with up to two `=`
/// after it. Long identifiers and paths make such stretches common in source code; this loop
/// is several times cheaper than the regex over them, and drops on the way the runs in one
/// letter case that are not hex (`snake_case_names`, `SCREAMING_CASE`).
fn base64_runs(bytes: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let start = at;
            let mut seen = 0;
            while let Some(&class) = bytes.get(at).map(|&b| &BASE64_CLASS[usize::from(b)]) {
                if class & ALPHABET == 0 {
                    break;
                }
                seen |= class;
                at += 1;
            }
            let both_cases = seen & (LOWER | UPPER) == LOWER | UPPER;
            if at - start >= MIN_BASE64 && (both_cases || seen & NOT_HEX == 0) {
                let padding = bytes[at..].iter().take(2).take_while(|&&b| b == b'=').count();
                at += padding;
                return Some(start..at);
            }
            // A run too short or implausible, or a byte outside the alphabet: go on after it.
            at = at.max(start + 1);
        }
        None
    })
}

/// [`BASE64_CLASS`] bits: in the base64 alphabets (either one), a lower-case letter, an
/// upper-case letter, not a hex digit.
const ALPHABET: u8 = 1;
const LOWER: u8 = 2;
const UPPER: u8 = 4;
const NOT_HEX: u8 = 8;

/// Per byte, what [`base64_runs`] needs to know of it.
static BASE64_CLASS: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut class = 0;
        if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'_' | b'-') {
            class |= ALPHABET;
            if !c.is_ascii_hexdigit() {
                class |= NOT_HEX;
            }
        }
        if c.is_ascii_lowercase() {
            class |= LOWER;
        }
        if c.is_ascii_uppercase() {
            class |= UPPER;
        }
        table[b] = class;
        b += 1;
    }
    table
};

/// The start of the first stretch at or after `from` (which starts one, or follows a byte
/// outside the candidate bytes) that is long enough for an accepted candidate, and a position
/// inside it: base64 and hex runs need [`MIN_BASE64`] characters, escaped runs
/// [`MIN_ESCAPED`] and a `\` or `%`. Read 64 bytes at a time from two bit masks.
fn next_long_stretch(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    // The masks of the block before (bit 63: the byte just before this one).
    let mut before = (0u64, 0u64);
    let mut at = from;
    while at < bytes.len() {
        let masks = masks_at(bytes, at);
        let long_at = long_enough_at(before, masks);
        if long_at != 0 {
            let t = long_at.trailing_zeros() as usize;
            let end = at + t;
            return Some((end + 1 - run_ending_at(before.0, masks.0, t), end));
        }
        before = masks;
        at += BLOCK;
    }
    None
}

/// The end of the stretch holding byte `inside`: the first byte after it outside
/// the candidate bytes, or the end of `bytes`.
fn stretch_end(bytes: &[u8], inside: usize) -> usize {
    let mut at = inside;
    while at < bytes.len() {
        let outside = !masks_at(bytes, at).0;
        if outside != 0 {
            return (at + outside.trailing_zeros() as usize).min(bytes.len());
        }
        at += BLOCK;
    }
    bytes.len()
}

/// [`block_masks`] of the 64 bytes from `at`; past the end of `bytes` as if outside bytes.
fn masks_at(bytes: &[u8], at: usize) -> (u64, u64) {
    match bytes
        .get(at..at + BLOCK)
        .and_then(|b| <&[u8; BLOCK]>::try_from(b).ok())
    {
        Some(block) => block_masks(block),
        None => {
            let rest = bytes.get(at..).unwrap_or_default();
            let mut padded = [0u8; BLOCK];
            padded[..rest.len()].copy_from_slice(rest);
            block_masks(&padded)
        }
    }
}

/// Bit t set when the stretch ending at byte t of the block with `masks` (members, escapes)
/// is long enough for an accepted candidate, the block before having `before`. Exact from
/// the two blocks alone: a stretch is reported when it first becomes long enough, at most
/// [`MIN_BASE64`] bytes in, so the whole of it lies in them.
fn long_enough_at(before: (u64, u64), masks: (u64, u64)) -> u64 {
    let members = (u128::from(masks.0) << 64) | u128::from(before.0);
    let escapes = (u128::from(masks.1) << 64) | u128::from(before.1);
    let mut long = runs_of(members, MIN_BASE64);
    if escapes != 0 {
        long |= runs_of(members, MIN_ESCAPED) & escaped_so_far(members, escapes);
    }
    (long >> 64) as u64
}

/// Bit i set when bits i-n+1..=i of `bits` are all set (n at most 64).
fn runs_of(bits: u128, n: usize) -> u128 {
    let mut runs = bits;
    let mut len = 1;
    while len * 2 <= n {
        runs &= runs << len;
        len *= 2;
    }
    if len < n {
        // Bits i-len+1..=i and, shifted, i-n+1..=i-n+len: together i-n+1..=i.
        runs &= runs << (n - len);
    }
    runs
}

/// Bit i set when an escape lies in the run of members ending at bit i, within the last
/// 32 bits (longer runs are reported by length before an escape matters).
fn escaped_so_far(members: u128, escapes: u128) -> u128 {
    let (mut seen, mut linked) = (escapes, members);
    let mut shift = 1;
    while shift < MIN_BASE64 {
        // `linked` bit i: bits i-shift+1..=i are members, so bit i-shift's run reaches i.
        seen |= (seen << shift) & linked;
        linked &= linked << shift;
        shift *= 2;
    }
    seen
}

/// Length of the run of members ending at bit `t` of the block (counting into the block
/// before), capped at 128.
fn run_ending_at(before: u64, members: u64, t: usize) -> usize {
    let all = (u128::from(members) << 64) | u128::from(before);
    let outside = !all << (63 - t);
    outside.leading_zeros() as usize
}

/// Bytes looked at together, as two bit masks.
const BLOCK: usize = 64;

/// Bit i set when byte i of the block is a candidate byte; and when it is `\` or `%`.
#[cfg(target_arch = "x86_64")]
fn block_masks(block: &[u8; BLOCK]) -> (u64, u64) {
    use std::arch::x86_64::*;
    // SSE2 is part of x86_64, so no runtime check. Sixteen bytes per comparison and one
    // movemask per sixteen bits, where the portable form packs bits with multiplies.
    let (mut members, mut escapes) = (0u64, 0u64);
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is always available on x86_64; the load is unaligned and reads exactly
        // the 16 bytes of `chunk`.
        let (m, e) = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast());
            let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
            // An unsigned range through a signed comparison: its start shifted to -128.
            let within = |x: __m128i, start: u8, len: u8| {
                let shifted = _mm_add_epi8(x, _mm_set1_epi8(0x80u8.wrapping_sub(start) as i8));
                _mm_cmplt_epi8(shifted, _mm_set1_epi8(0x80u8.wrapping_add(len) as i8))
            };
            let letter = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', 26);
            let digit = within(v, b'0', 10);
            let punct = _mm_or_si128(
                _mm_or_si128(_mm_or_si128(eq(b'+'), eq(b'/')), _mm_or_si128(eq(b'='), eq(b'_'))),
                _mm_or_si128(_mm_or_si128(eq(b'.'), eq(b':')), _mm_or_si128(eq(b'~'), eq(b'-'))),
            );
            let escape = _mm_or_si128(eq(b'\\'), eq(b'%'));
            let member = _mm_or_si128(_mm_or_si128(letter, digit), _mm_or_si128(punct, escape));
            (_mm_movemask_epi8(member) as u16, _mm_movemask_epi8(escape) as u16)
        };
        members |= u64::from(m) << (16 * i);
        escapes |= u64::from(e) << (16 * i);
    }
    (members, escapes)
}

/// Bit i set when byte i of the block is a candidate byte; and when it is `\` or `%`.
/// Computed with comparisons rather than the table, so the compiler can do 16 bytes at once.
#[cfg(not(target_arch = "x86_64"))]
fn block_masks(block: &[u8; BLOCK]) -> (u64, u64) {
    let mut members = [0u8; BLOCK];
    let mut escapes = [0u8; BLOCK];
    for ((&b, m), e) in block.iter().zip(&mut members).zip(&mut escapes) {
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        let punct = (b == b'+')
            | (b == b'/')
            | (b == b'=')
            | (b == b'_')
            | (b == b'.')
            | (b == b':')
            | (b == b'~')
            | (b == b'-');
        let escape = (b == b'\\') | (b == b'%');
        *m = u8::from(letter | digit | punct | escape);
        *e = u8::from(escape);
    }
    (bits_of(&members), bits_of(&escapes))
}

/// 64 flags of 0 or 1 as the bits of a u64 (flag i: bit i).
#[cfg(not(target_arch = "x86_64"))]
fn bits_of(flags: &[u8; BLOCK]) -> u64 {
    let mut out = 0u64;
    for (i, chunk) in flags.chunks_exact(8).enumerate() {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        // Byte j (0 or 1) of the word lands on bit 56 + j of the product.
        let packed = u64::from_le_bytes(eight).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        out |= packed << (8 * i);
    }
    out
}

/// What a candidate run is made of, from one pass over its bytes.
#[derive(Debug, Default)]
struct Shape {
    backslash: bool,
    percent: bool,
    lower: bool,
    upper: bool,
    /// `+` or `/`: only in standard base64.
    standard: bool,
    /// `-` or `_`: only in URL-safe base64.
    url_safe: bool,
    /// A character that is not a hex digit.
    non_hex: bool,
}

fn shape(run: &str) -> Shape {
    let mut s = Shape::default();
    for b in run.bytes() {
        match b {
            b'\\' => s.backslash = true,
            b'%' => s.percent = true,
            b'a'..=b'z' => s.lower = true,
            b'A'..=b'Z' => s.upper = true,
            b'+' | b'/' => s.standard = true,
            b'-' | b'_' => s.url_safe = true,
            _ => {}
        }
        s.non_hex |= !b.is_ascii_hexdigit() && b != b'=';
    }
    s
}

/// The encoding a candidate run is taken as, or `None` when it is too short or not plausible.
/// Only the escape alternative of [`CANDIDATES`] holds a `\`, only the percent one a `%`;
/// a run of hex digits in one letter case is hex; base64 needs both letter cases and one
/// alphabet.
fn kind_of(run: &str) -> Option<Encoding> {
    let s = shape(run);
    let both_cases = s.lower && s.upper;
    if s.backslash || s.percent {
        let kind = if s.backslash {
            Encoding::Escapes
        } else {
            Encoding::Percent
        };
        return (run.len() >= MIN_ESCAPED).then_some(kind);
    }
    if !s.non_hex && !both_cases {
        let even = run.len().is_multiple_of(2) && !run.ends_with('=');
        return (run.len() >= MIN_HEX && even).then_some(Encoding::Hex);
    }
    match (s.standard, s.url_safe) {
        _ if !both_cases => None,
        (true, true) => None,
        (_, true) => Some(Encoding::Base64Url),
        _ => Some(Encoding::Base64),
    }
}

/// Decodes a run when its prefix reads as text and the whole fits the budget.
fn decode_checked(kind: Encoding, run: &str, budget: &mut Budget) -> Option<String> {
    let probe_len = match kind {
        Encoding::Base64 | Encoding::Base64Url => PROBE,
        _ => PROBE.min(run.len()),
    };
    if run.len() > probe_len {
        let probe = decode(kind, prefix(run, probe_len))?;
        if !reads_as_text(&probe, true) {
            return None;
        }
    }
    let bytes = decode(kind, run)?;
    if !reads_as_text(&bytes, false) || bytes.as_slice() == run.as_bytes() {
        return None;
    }
    if !budget.take(bytes.len()) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// The first `n` bytes of `run`, cut on a character boundary (escape runs may hold non-ASCII
/// only through escapes, so this is ASCII in practice).
fn prefix(run: &str, n: usize) -> &str {
    let mut end = n.min(run.len());
    while !run.is_char_boundary(end) {
        end -= 1;
    }
    &run[..end]
}

/// Decoded bytes of `run` as `kind`, `None` when it is not valid in that encoding.
pub fn decode(kind: Encoding, run: &str) -> Option<Vec<u8>> {
    match kind {
        Encoding::Base64 => base64(&base64::alphabet::STANDARD, run),
        Encoding::Base64Url => base64(&base64::alphabet::URL_SAFE, run),
        Encoding::Hex => hex(run),
        Encoding::Percent => Some(percent_encoding::percent_decode_str(run).collect()),
        Encoding::Escapes => Some(unescape(run).into_bytes()),
    }
}

fn base64(alphabet: &base64::alphabet::Alphabet, run: &str) -> Option<Vec<u8>> {
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true);
    let mut body = run.trim_end_matches('=');
    // A prefix or a run cut by a non-alphabet character may end mid-quantum: 1 extra
    // character carries no whole byte.
    if body.len() % 4 == 1 {
        body = &body[..body.len() - 1];
    }
    GeneralPurpose::new(alphabet, config).decode(body).ok()
}

fn hex(run: &str) -> Option<Vec<u8>> {
    let digits = run.as_bytes();
    let digits = &digits[..digits.len() - digits.len() % 2];
    digits
        .chunks_exact(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// Replaces `\uXXXX` (surrogate pairs joined) and `\xXX` escapes; anything else is kept.
fn unescape(run: &str) -> String {
    let mut out = String::with_capacity(run.len());
    let mut rest = run;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (ch, used) = escape_at(rest).unwrap_or(('\\', 1));
        out.push(ch);
        rest = &rest[used..];
    }
    out.push_str(rest);
    out
}

/// The character an escape at the start of `s` stands for, and its length.
fn escape_at(s: &str) -> Option<(char, usize)> {
    let hex_at =
        |from: usize, len: usize| -> Option<u32> { u32::from_str_radix(s.get(from..from + len)?, 16).ok() };
    match s.as_bytes().get(1)? {
        b'x' => Some((char::from_u32(hex_at(2, 2)?)?, 4)),
        b'u' => {
            let unit = hex_at(2, 4)?;
            if (0xD800..0xDC00).contains(&unit) && s.get(6..8) == Some("\\u") {
                let low = hex_at(8, 4)?;
                let c = char::decode_utf16([unit as u16, low as u16]).next()?.ok()?;
                return Some((c, 12));
            }
            Some((char::from_u32(unit)?, 6))
        }
        _ => None,
    }
}

/// Whether decoded bytes read as text: UTF-8 (a prefix may end mid-character) with at most one
/// control character in twenty (tabs and line breaks do not count).
fn reads_as_text(bytes: &[u8], prefix: bool) -> bool {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) if prefix && e.error_len().is_none() => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    let total = text.chars().count();
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .count();
    total > 0 && control * 20 <= total
}

/// The note a finding in decoded text carries: `decoded from base64`, or for nested
/// encodings `decoded from percent-encoding, then base64`.
pub fn note(chain: &[Encoding]) -> String {
    let names: Vec<&str> = chain.iter().map(|e| e.name()).collect();
    format!("decoded from {}", names.join(", then "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per byte: bit 0 set when a [`CANDIDATES`] match can hold it (the plain alphabet, `\` and
    /// `%`), bit 1 also set for `\` and `%`, which only escaped runs hold.
    static CANDIDATE_BYTE: [u8; 256] = {
        let mut table = [0; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'_' | b'.' | b':' | b'~' | b'-')
            {
                table[b] = 1;
            }
            if matches!(c, b'\\' | b'%') {
                table[b] = 3;
            }
            b += 1;
        }
        table
    };
    use crate::testing::{Xorshift, SEED};

    fn found(text: &str) -> Vec<(Encoding, String)> {
        let mut budget = Budget::new(&DecodeLimits::default());
        segments(text, &mut budget)
            .into_iter()
            .map(|s| (s.encoding, s.text))
            .collect()
    }

    #[test]
    fn each_encoding_decodes_to_its_text() {
        let plain = "password=correct-horse-battery";
        let b64 = "cGFzc3dvcmQ9Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5";
        let url = "PDw_Pz8-Pj4gdG9rZW49YWJjZGVmZ2hpams_";
        let hex: String = plain.bytes().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            found(&format!("x = \"{b64}\"")),
            vec![(Encoding::Base64, plain.into())]
        );
        assert_eq!(
            found(url),
            vec![(Encoding::Base64Url, "<<???>>> token=abcdefghijk?".into())]
        );
        assert_eq!(found(&format!("h: {hex}")), vec![(Encoding::Hex, plain.into())]);
        assert_eq!(
            found("u = password%3Dcorrect%2Dhorse"),
            vec![(Encoding::Percent, "password=correct-horse".into())]
        );
        assert_eq!(
            found(r#""\x70assword\u003dcorrect\ud83d\ude00""#),
            vec![(Encoding::Escapes, "password=correct\u{1f600}".into())]
        );
    }

    #[test]
    fn random_bytes_hashes_and_identifiers_are_not_text() {
        let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let random = "q83vEjRWeJq83vEjRWeJEjRWeJq83vEjRWeJ+/A9";
        let image = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        for text in [sha, random, image, "AbstractSingletonProxyFactoryBeanImpl"] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    #[test]
    fn budgets_stop_decoding_and_name_the_bound() {
        let b64 = "cGFzc3dvcmQ9Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5";
        let text = [b64; 3].join(" ");
        let mut budget = Budget::new(&DecodeLimits {
            max_segments: 2,
            ..DecodeLimits::default()
        });
        assert_eq!(segments(&text, &mut budget).len(), 2);
        assert_eq!(budget.hit, vec![BOUND_SEGMENTS]);
        let mut budget = Budget::new(&DecodeLimits {
            max_bytes: 40,
            ..DecodeLimits::default()
        });
        assert_eq!(segments(&text, &mut budget).len(), 1);
        assert_eq!(budget.hit, vec![BOUND_BYTES]);
    }

    /// The accepted candidates of the plain regex search over the whole text.
    fn accepted_by_full_search(text: &str) -> Vec<Range<usize>> {
        CANDIDATES
            .find_iter(text)
            .filter(|m| kind_of(m.as_str()).is_some())
            .map(|m| m.range())
            .collect()
    }

    #[test]
    fn stretch_filter_keeps_every_accepted_candidate() {
        // Pseudo-random texts over the bytes that decide candidates (escapes, percent, both
        // base64 alphabets, hex, separators), plus real-looking lines.
        // The second alphabet has no `\\` or `%`, so whole texts take the path without the regex.
        let alphabets: [Vec<char>; 2] = [
            "aZ09+/=_-.:~\\%uxAF \"'\n(é".chars().collect(),
            "aZ09+/=_-.:~uxAF \"'\n(é".chars().collect(),
        ];
        let mut rng = Xorshift::new(SEED);
        let mut texts: Vec<String> = vec![
            r#"let s = "cGFzc3dvcmQ9Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5"; // base64"#.into(),
            r#"u = "\x70assword\u003dcorrect" + "%41%42%43%44%45%46" + tokio::runtime::Builder"#.into(),
            "0123456789abcdef0123456789abcdef0123 é ZZZZZZZZZZZZZZZZZZZZZZZZZZ==".into(),
        ];
        for round in 0..6000 {
            let alphabet = &alphabets[round % 2];
            let mut text = String::new();
            for _ in 0..(rng.last() % 200) {
                let r = rng.next();
                let c = alphabet[(r % alphabet.len() as u64) as usize];
                // Long runs of one class are what candidates are made of.
                for _ in 0..1 + (r >> 40) % 6 {
                    text.push(c);
                }
            }
            texts.push(text);
        }
        for text in &texts {
            let filtered: Vec<Range<usize>> = candidate_runs(text)
                .filter(|r| kind_of(&text[r.clone()]).is_some())
                .collect();
            assert_eq!(filtered, accepted_by_full_search(text), "{text:?}");
        }
    }

    #[test]
    fn block_masks_agree_with_the_byte_table() {
        let block: [u8; BLOCK] = std::array::from_fn(|i| (i * 4 + 1) as u8);
        for shift in 0..4u8 {
            let block = block.map(|b| b.wrapping_add(shift));
            let (members, escapes) = block_masks(&block);
            for (i, &b) in block.iter().enumerate() {
                let class = CANDIDATE_BYTE[b as usize];
                assert_eq!(members >> i & 1, u64::from(class & 1), "byte {b}");
                assert_eq!(escapes >> i & 1, u64::from(class >> 1), "byte {b}");
            }
        }
    }

    #[test]
    fn notes_name_the_chain() {
        assert_eq!(note(&[Encoding::Base64]), "decoded from base64");
        assert_eq!(
            note(&[Encoding::Percent, Encoding::Base64]),
            "decoded from percent-encoding, then base64"
        );
    }
}
