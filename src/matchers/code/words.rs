//! One search for the words every code rule of a plan looks for before a parse (the needs'
//! words, the decisions' attribute spellings, the trigger words of `mentions` forms): run once
//! per file for all rules, instead of once per rule. Overlapping and case-insensitive, so each
//! rule reads exactly what its own search found.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};

/// Collects words from several rules, each once, numbering them.
#[derive(Debug, Default)]
pub struct WordPool {
    words: Vec<String>,
    ids: HashMap<String, usize>,
}

impl WordPool {
    /// The id of `word` in the set being built.
    pub fn id(&mut self, word: &str) -> usize {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        self.words.push(word.to_string());
        self.ids.insert(word.to_string(), self.words.len() - 1);
        self.words.len() - 1
    }

    /// The ids of `words`, in order.
    pub fn ids(&mut self, words: &[String]) -> Vec<usize> {
        words.iter().map(|w| self.id(w)).collect()
    }

    /// The searchable set; its automaton is built on first use: a DFA for a run over many
    /// files (`many`), else whatever builds quickest for the words.
    pub fn finish(self, many: bool) -> Arc<WordSet> {
        Arc::new(WordSet {
            words: self.words,
            many,
            ac: OnceLock::new(),
        })
    }
}

/// Words searched for together (see [`WordPool`]).
#[derive(Debug)]
pub struct WordSet {
    words: Vec<String>,
    /// Searched in many files: worth a DFA's build time.
    many: bool,
    /// `None` when the words cannot be searched for (the automaton would be too large): no
    /// word is then found, and no function is kept for one.
    ac: OnceLock<Option<AhoCorasick>>,
}

impl WordSet {
    /// A set of `words` alone, and their ids in it.
    #[cfg(test)]
    pub fn of(words: &[String]) -> (Arc<Self>, Vec<usize>) {
        let mut pool = WordPool::default();
        let ids = pool.ids(words);
        (pool.finish(false), ids)
    }

    /// Every occurrence of every word in `text`, in any ASCII case, overlapping: a word inside
    /// a longer one still counts.
    pub fn find(&self, text: &str) -> WordHits {
        let mut starts = vec![Vec::new(); self.words.len()];
        let ac = self.ac.get_or_init(|| {
            // Over many files a DFA, however many words (a few hundred when every code rule
            // shares the set): an NFA searches three times slower. A pre-commit run over a file
            // or two would spend longer building the DFA (~1 MB) than searching.
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .kind(self.many.then_some(AhoCorasickKind::DFA))
                .build(&self.words)
                .ok()
        });
        if let Some(ac) = ac {
            for m in ac.find_overlapping_iter(text) {
                starts[m.pattern().as_usize()].push(m.start());
            }
        }
        WordHits { starts }
    }
}

/// Where each word of a [`WordSet`] occurs in one file.
#[derive(Debug, Clone, Default)]
pub struct WordHits {
    /// By word id, ascending.
    starts: Vec<Vec<usize>>,
}

impl WordHits {
    /// Where word `id` starts, ascending.
    pub fn starts(&self, id: usize) -> &[usize] {
        self.starts.get(id).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_is_found_once_per_place_in_any_case_and_inside_longer_ones() {
        let mut pool = WordPool::default();
        let first = pool.ids(&["exec".to_string(), "execute".to_string()]);
        let second = pool.ids(&["execute".to_string(), "sql".to_string()]);
        assert_eq!((first.clone(), second.clone()), (vec![0, 1], vec![1, 2]));
        let set = pool.finish(true);
        let hits = set.find("cur.EXECUTE(sql); exec(x)");
        assert_eq!(hits.starts(first[0]), [4, 18]);
        assert_eq!(hits.starts(first[1]), [4]);
        assert_eq!(hits.starts(second[1]), [12]);
        assert!(hits.starts(99).is_empty());
    }
}
