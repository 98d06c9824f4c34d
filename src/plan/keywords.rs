//! Which of many keywords occur in a text, and where, ASCII case-insensitively: an Aho-Corasick
//! DFA of our own, scanned in four interleaved lanes.
//!
//! Why not `aho_corasick`'s DFA: with hundreds of case-insensitive keywords it has no prefilter,
//! and its search is one chain of dependent table loads, one per byte (~2.7 ns/byte on the
//! benchmark machine). Here the text is split in four parts that overlap by a keyword's length
//! less one byte, and the four walks are interleaved in one loop, so the processor overlaps
//! their loads (the built-in packs' table, 2,069 states by 50 classes, lives in L2): over the
//! vendored-crates corpus single-threaded, 280 ms in two lanes, 180 ms in four (six: 187 ms,
//! eight: 205 ms), with the same answer (every keyword with an occurrence, as an overlapping
//! search reports them).

use std::collections::VecDeque;

/// Texts shorter than twice this are walked in one lane, shorter than [`LANES`] times this in two.
const LANE: usize = 1024;

/// Lanes walked together in a long text.
const LANES: usize = 4;

/// Transition tables larger than this (entries) are not built; the caller falls back to an NFA.
const MAX_TABLE: usize = 8 << 20;

/// A keyword DFA: byte classes, a premultiplied transition table and each state's keywords.
#[derive(Debug)]
pub struct KeywordDfa {
    /// Byte to class: bytes that equal ignoring ASCII case share one; bytes in no keyword are 0.
    classes: [u8; 256],
    /// Classes per state.
    stride: u32,
    /// `transitions[state + class]` is the next state; states are premultiplied by `stride`.
    transitions: Vec<u32>,
    /// States at or above this one end at least one keyword.
    first_match: u32,
    /// Per state number (state / stride), the keywords that end there (via suffixes too).
    outputs: Vec<Vec<usize>>,
    /// The longest keyword's length in bytes.
    longest: usize,
    /// Empty keywords: they occur in every text.
    empty: Vec<usize>,
    /// Number of keywords.
    words: usize,
}

impl KeywordDfa {
    /// The DFA of `words`; `None` if its table would be larger than [`MAX_TABLE`].
    pub fn new(words: &[String]) -> Option<Self> {
        let mut classes = [0u8; 256];
        let mut next_class = 1usize;
        for &b in words.iter().flat_map(|w| w.as_bytes()) {
            let lower = usize::from(b.to_ascii_lowercase());
            if classes[lower] == 0 {
                // At most 230 distinct bytes once ASCII capitals are folded: always fits a u8.
                classes[lower] = u8::try_from(next_class).ok()?;
                next_class += 1;
            }
        }
        for b in 0..=255u8 {
            classes[usize::from(b)] = classes[usize::from(b.to_ascii_lowercase())];
        }
        let stride = next_class;

        // The trie of the keywords: `goto[state][class]`, NONE where it has no edge.
        const NONE: u32 = u32::MAX;
        let mut goto: Vec<Vec<u32>> = vec![vec![NONE; stride]];
        let mut ends: Vec<Vec<usize>> = vec![Vec::new()];
        let mut empty = Vec::new();
        for (id, word) in words.iter().enumerate() {
            if word.is_empty() {
                empty.push(id);
                continue;
            }
            let mut state = 0usize;
            for &b in word.as_bytes() {
                let class = usize::from(classes[usize::from(b)]);
                if goto[state][class] == NONE {
                    if goto.len().saturating_mul(stride) >= MAX_TABLE {
                        return None;
                    }
                    goto.push(vec![NONE; stride]);
                    ends.push(Vec::new());
                    goto[state][class] = u32::try_from(goto.len() - 1).ok()?;
                }
                state = goto[state][class] as usize;
            }
            ends[state].push(id);
        }

        // Breadth first: failure links, inherited keywords, and the missing edges filled in
        // from the failure state (whose row is complete by then).
        let states = goto.len();
        let mut fail = vec![0usize; states];
        let mut order = vec![0usize];
        let mut queue = VecDeque::new();
        for edge in goto[0].iter_mut() {
            match *edge {
                NONE => *edge = 0,
                child => queue.push_back(child as usize),
            }
        }
        while let Some(state) = queue.pop_front() {
            order.push(state);
            let failure = fail[state];
            let inherited = ends[failure].clone();
            ends[state].extend(inherited);
            let failure_row = goto[failure].clone();
            for (edge, &via_failure) in goto[state].iter_mut().zip(&failure_row) {
                match *edge {
                    NONE => *edge = via_failure,
                    child => {
                        fail[child as usize] = via_failure as usize;
                        queue.push_back(child as usize);
                    }
                }
            }
        }

        // Renumbered so that the start state stays 0 and every matching state comes last: the
        // scan tests one comparison per byte.
        let mut number = vec![0usize; states];
        let mut count = 0;
        for matching in [false, true] {
            for &state in &order {
                if ends[state].is_empty() != matching {
                    number[state] = count;
                    count += 1;
                }
            }
        }
        let first_match = order.iter().filter(|&&s| ends[s].is_empty()).count();
        let mut transitions = vec![0u32; states * stride];
        let mut outputs = vec![Vec::new(); states];
        for state in 0..states {
            let row = number[state] * stride;
            for class in 0..stride {
                let target = number[goto[state][class] as usize] * stride;
                transitions[row + class] = u32::try_from(target).ok()?;
            }
            outputs[number[state]] = std::mem::take(&mut ends[state]);
        }
        Some(Self {
            classes,
            stride: u32::try_from(stride).ok()?,
            transitions,
            first_match: u32::try_from(first_match * stride).ok()?,
            outputs,
            longest: words.iter().map(String::len).max().unwrap_or(0),
            empty,
            words: words.len(),
        })
    }

    /// Which keywords occur in `bytes`, by keyword id.
    pub fn found(&self, bytes: &[u8]) -> Vec<bool> {
        // A bit per state: history scans call this for every version of every file, and a
        // few words to clear and look through cost less than a byte per state.
        let mut reached = vec![0u64; self.outputs.len().div_ceil(64)];
        self.scan(bytes, |_, _, state| {
            let number = state / self.stride;
            reached[number as usize / 64] |= 1 << (number % 64);
        });
        let mut seen = vec![false; self.words];
        for &id in &self.empty {
            seen[id] = true;
        }
        for (word, &bits) in reached.iter().enumerate().filter(|(_, &bits)| bits != 0) {
            let mut bits = bits;
            while bits != 0 {
                let state = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                for &id in &self.outputs[state] {
                    seen[id] = true;
                }
            }
        }
        seen
    }

    /// Where keywords end in `bytes`: the offset of the last byte of every occurrence,
    /// overlapping ones included, in order (empty keywords are not looked for).
    pub fn match_ends(&self, bytes: &[u8]) -> Vec<usize> {
        let mut by_lane: [Vec<usize>; LANES] = Default::default();
        self.scan(bytes, |lane, at, _| by_lane[lane].push(at));
        by_lane.concat()
    }

    /// Walks `bytes` in [`LANES`] interleaved lanes when it is long enough (else in two, or
    /// one), calling `hit(lane, offset, state)` where a keyword ends. Lane k starts early by a
    /// keyword's length less one byte, so a keyword crossing into its part lies wholly in it;
    /// what ends in that early stretch is the lane before's, and is not reported twice.
    fn scan(&self, bytes: &[u8], mut hit: impl FnMut(usize, usize, u32)) {
        let overlap = self.longest.saturating_sub(1);
        let parts = [LANES, 2]
            .into_iter()
            .find(|&n| self.longest > 0 && bytes.len() >= n * LANE && bytes.len() / n > overlap)
            .unwrap_or(1);
        let part = bytes.len() / parts;
        let mut lanes: [&[u8]; LANES] = [&[]; LANES];
        let mut starts = [0usize; LANES];
        for (k, (lane, start)) in lanes.iter_mut().zip(&mut starts).enumerate().take(parts) {
            *start = if k == 0 { 0 } else { k * part - overlap };
            let end = if k + 1 == parts {
                bytes.len()
            } else {
                (k + 1) * part
            };
            *lane = &bytes[*start..end];
        }
        // The first lane is the shortest: all walk together that far, the rest alone.
        let together = lanes[0].len();
        let mut states = [0u32; LANES];
        for i in 0..together {
            for (k, (state, lane)) in states.iter_mut().zip(&lanes).enumerate().take(parts) {
                *state = self.step(*state, lane[i], |next| {
                    if k == 0 || i >= overlap {
                        hit(k, starts[k] + i, next);
                    }
                });
            }
        }
        for k in 1..parts {
            for (i, &b) in lanes[k].iter().enumerate().skip(together) {
                states[k] = self.step(states[k], b, |state| hit(k, starts[k] + i, state));
            }
        }
    }

    /// One step: the state after `byte`, with `hit` called when it ends a keyword.
    #[inline(always)]
    fn step(&self, state: u32, byte: u8, hit: impl FnOnce(u32)) -> u32 {
        let next = self.transitions[state as usize + usize::from(self.classes[usize::from(byte)])];
        if next >= self.first_match {
            hit(next);
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Xorshift, SEED};

    /// Every keyword that an overlapping `aho_corasick` search reports, and the distinct
    /// offsets where its matches end.
    fn reference(words: &[String], text: &[u8]) -> (Vec<bool>, Vec<usize>) {
        let ac = aho_corasick::AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(words)
            .expect("builds");
        let mut seen = vec![false; words.len()];
        let mut ends = Vec::new();
        for m in ac.find_overlapping_iter(text) {
            seen[m.pattern().as_usize()] = true;
            ends.push(m.end() - 1);
        }
        ends.dedup();
        (seen, ends)
    }

    #[test]
    fn agrees_with_an_overlapping_search() {
        // A small alphabet (with both cases and a non-ASCII byte) makes overlaps, prefixes,
        // suffixes and matches across the lanes' seams common.
        let alphabet = b"abAB_-c\xc3";
        let mut rng = Xorshift::new(SEED);
        for round in 0..300 {
            let words: Vec<String> = (0..1 + rng.below(12))
                .map(|_| {
                    let len = 1 + rng.below(if round % 10 == 0 { 40 } else { 5 });
                    (0..len)
                        .map(|_| char::from(alphabet[rng.below(alphabet.len() - 1)]))
                        .collect()
                })
                .collect();
            let dfa = KeywordDfa::new(&words).expect("small");
            let lengths = [
                0,
                1,
                7,
                2 * LANE - 1,
                2 * LANE,
                2 * LANE + 1,
                LANES * LANE + 3,
                9000,
            ];
            for len in lengths {
                let text: Vec<u8> = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
                let (found, ends) = reference(&words, &text);
                assert_eq!(dfa.found(&text), found, "{words:?} {len}");
                assert_eq!(dfa.match_ends(&text), ends, "{words:?} {len}");
            }
        }
    }

    #[test]
    fn a_keyword_across_a_seam_between_lanes_is_found_once() {
        let words = vec!["needle".to_string(), "zz".to_string()];
        let dfa = KeywordDfa::new(&words).expect("small");
        // Eight lanes' worth of text: the seams are at each quarter.
        for seam in [2 * LANE, 4 * LANE, 6 * LANE] {
            for at in seam - 8..seam + 2 {
                let mut text = vec![b'.'; 8 * LANE];
                text[at..at + 6].copy_from_slice(b"NeEdLe");
                assert_eq!(dfa.found(&text), vec![true, false], "at {at}");
                assert_eq!(dfa.match_ends(&text), vec![at + 5], "at {at}");
            }
        }
    }

    #[test]
    fn empty_and_long_keywords() {
        let long = "x".repeat(3 * LANE);
        let words = vec![String::new(), long.clone()];
        let dfa = KeywordDfa::new(&words).expect("small");
        assert_eq!(dfa.found(b""), vec![true, false]);
        assert_eq!(dfa.found(long.to_uppercase().as_bytes()), vec![true, true]);
        assert_eq!(dfa.found(&vec![b'x'; 3 * LANE - 1]), vec![true, false]);
    }
}
