//! Compiles every enabled rule once per run into a plan: matchers, path scopes, and one
//! Aho-Corasick automaton over all rules' keywords, so a file is read once and only the rules
//! whose words occur in it run.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind};
use globset::{Candidate, GlobSet};

use crate::error::{Error, LocatedError, LocatedKind, Result};
use crate::matchers::{glob_set_of, Matcher};
use crate::policy::Rule;

/// Include and exclude globs of one rule.
#[derive(Debug, Default)]
struct Scope {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl Scope {
    /// Whether the scope holds `path`, a [`crate::paths::scope_path`] prepared once per file
    /// for every rule's globs.
    fn contains(&self, path: &Candidate<'_>) -> bool {
        self.include.as_ref().is_none_or(|g| g.is_match_candidate(path))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match_candidate(path))
    }
}

/// How the plan finds which keywords a text holds.
#[derive(Debug)]
enum KeywordSearch {
    /// A run over few files (pre-commit): an NFA reporting every overlapping match, quick to
    /// build, with nothing else to prepare.
    Overlapping(AhoCorasick),
    /// A run over many files: a DFA restarted after each leftmost-longest match (see
    /// [`keywords_in`]), with each keyword's contained keywords (a few ms to work out).
    Restarted {
        ac: AhoCorasick,
        contained: Vec<Vec<usize>>,
    },
}

impl KeywordSearch {
    /// Which keywords occur in `bytes`, by keyword id (`words` of them in all).
    fn found(&self, words: usize, bytes: &[u8]) -> Vec<bool> {
        match self {
            KeywordSearch::Overlapping(ac) => {
                let mut seen = vec![false; words];
                for m in ac.find_overlapping_iter(bytes) {
                    seen[m.pattern().as_usize()] = true;
                }
                seen
            }
            KeywordSearch::Restarted { ac, contained } => keywords_in(ac, contained, bytes),
        }
    }
}

/// Everything compiled for one run.
#[derive(Debug)]
pub struct Plan {
    /// Enabled rules; indices below refer to this list.
    pub rules: Vec<Rule>,
    matchers: Vec<Matcher>,
    scopes: Vec<Scope>,
    keywords: Option<KeywordSearch>,
    keyword_rules: Vec<Vec<usize>>,
    unkeyed: Vec<usize>,
}

impl Plan {
    /// Compiles the enabled rules. User policies are compiled eagerly so a pattern over the
    /// size limit is a load error; built-in patterns are compiled on first use.
    pub fn compile(rules: Vec<Rule>) -> Result<Self> {
        Self::compile_for(rules, usize::MAX)
    }

    /// Like [`Plan::compile`], sized for a run over `files` files: a keyword DFA pays for its
    /// build time (~6 ms) only over many files; a pre-commit run over a few uses the NFA.
    pub fn compile_for(rules: Vec<Rule>, files: usize) -> Result<Self> {
        let rules: Vec<Rule> = rules.into_iter().filter(|r| r.enabled).collect();
        let mut errors = Vec::new();
        let mut globs = GlobCache::new();
        let mut matchers = Vec::with_capacity(rules.len());
        let mut scopes = Vec::with_capacity(rules.len());
        for rule in &rules {
            match (Matcher::compile(rule, !rule.builtin), scope(rule, &mut globs)) {
                (Ok(m), Ok(s)) => {
                    matchers.push(m);
                    scopes.push(s);
                }
                (Err(e), _) | (_, Err(e)) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(Error::from_many(errors));
        }
        let mut words: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut unkeyed = Vec::new();
        for (i, m) in matchers.iter().enumerate() {
            if m.keywords().is_empty() {
                unkeyed.push(i);
            }
            for k in m.keywords() {
                let k = k.to_ascii_lowercase();
                let id = words.iter().position(|w| *w == k).unwrap_or_else(|| {
                    words.push(k);
                    keyword_rules.push(Vec::new());
                    words.len() - 1
                });
                keyword_rules[id].push(i);
            }
        }
        let keywords = if words.is_empty() {
            None
        } else {
            Some(keyword_search(&words, files > 64)?)
        };
        Ok(Self {
            rules,
            matchers,
            scopes,
            keywords,
            keyword_rules,
            unkeyed,
        })
    }

    /// The compiled matcher of rule `i`.
    pub fn matcher(&self, i: usize) -> &Matcher {
        &self.matchers[i]
    }

    /// Whether rule `i` applies to a file at `rel` (relative to its scan root).
    pub fn in_scope(&self, i: usize, rel: &str) -> bool {
        let scoped = crate::paths::scope_path(rel);
        self.scopes[i].contains(&Candidate::new(&*scoped))
    }

    /// Rules to run on a file at `rel`: every rule without keywords, and keyed rules whose
    /// words occur in `text`. Sorted, without duplicates.
    pub fn candidates(&self, rel: &str, text: Option<&str>) -> Vec<usize> {
        self.candidates_given(rel, text, None)
    }

    /// Which keyword ids occur in `text` (see [`Plan::candidates_given`]).
    pub fn keyword_ids(&self, text: &[u8]) -> std::sync::Arc<[bool]> {
        match &self.keywords {
            Some(search) => search.found(self.keyword_rules.len(), text).into(),
            None => std::sync::Arc::from(&[][..]),
        }
    }

    /// As [`Plan::candidates`], with the keyword ids that occur already known (`known`, from
    /// [`Plan::keyword_ids`] or a superset of them) instead of searched for in `text`.
    pub fn candidates_given(&self, rel: &str, text: Option<&str>, known: Option<&[bool]>) -> Vec<usize> {
        let mut chosen = vec![false; self.rules.len()];
        for &i in &self.unkeyed {
            chosen[i] = true;
        }
        if let (Some(search), Some(text)) = (&self.keywords, text) {
            let searched;
            let seen = match known {
                Some(known) => known,
                None => {
                    searched = search.found(self.keyword_rules.len(), text.as_bytes());
                    &searched[..]
                }
            };
            for (id, _) in seen.iter().enumerate().filter(|(_, &s)| s) {
                for &r in &self.keyword_rules[id] {
                    chosen[r] = true;
                }
            }
        }
        let scoped = crate::paths::scope_path(rel);
        let path = Candidate::new(&*scoped);
        chosen
            .iter()
            .enumerate()
            .filter(|&(i, &c)| c && self.scopes[i].contains(&path))
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether any rule in scope of `rel` reads content (if none, the file is not read).
    pub fn any_content_rule(&self, rel: &str) -> bool {
        let scoped = crate::paths::scope_path(rel);
        let path = Candidate::new(&*scoped);
        (0..self.rules.len()).any(|i| self.matchers[i].needs_content() && self.scopes[i].contains(&path))
    }
}

/// The keyword search for a run over many files (`many`) or few.
fn keyword_search(words: &[String], many: bool) -> Result<KeywordSearch> {
    let build = |kind, match_kind| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(match_kind)
            .kind(Some(kind))
            .build(words)
            .map_err(|e| Error::Usage(format!("keyword automaton: {e}")))
    };
    if !many {
        return Ok(KeywordSearch::Overlapping(build(
            AhoCorasickKind::ContiguousNFA,
            MatchKind::Standard,
        )?));
    }
    // A DFA: with hundreds of case-insensitive keywords no prefilter applies, and the default
    // NFA scanned the corpus about 3x slower than the DFA (< 1 MB).
    Ok(KeywordSearch::Restarted {
        ac: build(AhoCorasickKind::DFA, MatchKind::LeftmostLongest)?,
        contained: containment(words),
    })
}

/// Which keywords occur in `bytes`, by keyword id. One leftmost-longest pass, restarted one
/// byte after each match's start, finds the longest keyword at every position where one
/// starts; the shorter keywords starting there are its prefixes, so its `contained` list
/// names them (and every other keyword inside it). Faster than reporting every overlapping
/// match, and exactly the same set.
fn keywords_in(ac: &AhoCorasick, contained: &[Vec<usize>], bytes: &[u8]) -> Vec<bool> {
    let mut seen = vec![false; contained.len()];
    let mut at = 0;
    while at < bytes.len() {
        let Some(m) = ac.find(Input::new(bytes).range(at..)) else {
            break;
        };
        let id = m.pattern().as_usize();
        // Marked already: so were the words inside it (they are inside whatever marked it).
        if !seen[id] {
            for &w in &contained[id] {
                seen[w] = true;
            }
        }
        at = m.start() + 1;
    }
    seen
}

/// Per (lowercase) keyword, the ids of the keywords that are substrings of it, itself included.
fn containment(words: &[String]) -> Vec<Vec<usize>> {
    words
        .iter()
        .map(|w| {
            words
                .iter()
                .enumerate()
                .filter(|(_, inner)| w.contains(inner.as_str()))
                .map(|(id, _)| id)
                .collect()
        })
        .collect()
}

/// Glob sets already built in this compile, by glob list: many rules share `paths` (every
/// Python rule, every Dockerfile rule), and `GlobSet` clones share their automata.
type GlobCache = std::collections::HashMap<Vec<String>, GlobSet>;

fn scope(rule: &Rule, cache: &mut GlobCache) -> std::result::Result<Scope, LocatedError> {
    let mut set = |globs: &[String]| -> std::result::Result<Option<GlobSet>, LocatedError> {
        if globs.is_empty() {
            return Ok(None);
        }
        if let Some(hit) = cache.get(globs) {
            return Ok(Some(hit.clone()));
        }
        let built = glob_set_of(globs).map_err(|e| {
            LocatedError::new(
                LocatedKind::Policy,
                &rule.source,
                rule.span.clone(),
                "invalid glob in paths",
            )
            .with_label(e.to_string())
        })?;
        cache.insert(globs.to_vec(), built.clone());
        Ok(Some(built))
    };
    Ok(Scope {
        include: set(&rule.paths)?,
        exclude: set(&rule.exclude_paths)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_keyword_searches_find_every_overlapping_keyword() {
        let words: Vec<String> = ["pass", "password", "word", "sword", "ab", "bcd", "cd", "zz"]
            .map(String::from)
            .to_vec();
        let reference = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&words)
            .expect("builds");
        let searches = [
            keyword_search(&words, false).expect("builds"),
            keyword_search(&words, true).expect("builds"),
        ];
        for text in ["xPASSWORDabcd", "pass word", "abc", "bcd ab", "", "swordpass"] {
            let mut every = vec![false; words.len()];
            for m in reference.find_overlapping_iter(text) {
                every[m.pattern().as_usize()] = true;
            }
            for search in &searches {
                assert_eq!(search.found(words.len(), text.as_bytes()), every, "{text}");
            }
        }
    }
}
