//! Compiles every enabled rule once per run into a plan: matchers, path scopes, and one
//! Aho-Corasick automaton over all rules' keywords, so a file is read once and only the rules
//! whose words occur in it run. A file's own scan searches only for the keywords of the rules
//! that are on in its context (built on first use per context): a vendored crate needs the
//! secret rules' words, not the hundreds of code and privacy words.

pub(crate) mod keywords;

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use globset::{Candidate, GlobSet};

use crate::context::Context;
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
    /// A run over few files (pre-commit), or keywords too many for the DFA: an NFA reporting
    /// every overlapping match, quick to build, with nothing else to prepare.
    Overlapping(AhoCorasick),
    /// A run over many files: a DFA walked in two interleaved lanes ([`keywords`]).
    Lanes(Box<keywords::KeywordDfa>),
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
            KeywordSearch::Lanes(dfa) => dfa.found(bytes),
        }
    }
}

/// The keyword prefilter over a set of rules: the search, and which rules each word selects.
#[derive(Debug)]
struct Keyed {
    search: Option<KeywordSearch>,
    /// Per keyword id, the rules that list it.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules of the set without keywords: they run on every file in scope.
    unkeyed: Vec<usize>,
}

impl Keyed {
    /// The prefilter over the rules `member` accepts, for a run over many files (`many`) or few.
    fn build(matchers: &[Matcher], member: impl Fn(usize) -> bool, many: bool) -> Result<Self> {
        let mut words: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut unkeyed = Vec::new();
        for (i, m) in matchers.iter().enumerate().filter(|(i, _)| member(*i)) {
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
        let search = if words.is_empty() {
            None
        } else {
            Some(keyword_search(&words, many)?)
        };
        Ok(Self {
            search,
            keyword_rules,
            unkeyed,
        })
    }

    /// Marks in `chosen` every rule without keywords and every rule whose words occur in `text`
    /// (or, when `known` is given, whose word ids it marks: those found already).
    fn choose(&self, text: Option<&str>, known: Option<&[bool]>, chosen: &mut [bool]) {
        for &i in &self.unkeyed {
            chosen[i] = true;
        }
        if let (Some(search), Some(text)) = (&self.search, text) {
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
    }
}

/// Everything compiled for one run.
#[derive(Debug)]
pub struct Plan {
    /// Enabled rules; indices below refer to this list.
    pub rules: Vec<Rule>,
    matchers: Vec<Matcher>,
    /// Per rule, its index in `distinct_scopes`.
    scopes: Vec<usize>,
    /// The different scopes of the rules: most rules share theirs (`**`, every Python rule),
    /// so a file's path is tested once per scope, not once per rule.
    distinct_scopes: Vec<Scope>,
    /// The prefilter over every rule (decoded segments; contexts where every rule is on).
    keyed: Keyed,
    /// Per [`Context`] (by `as usize`), the prefilter over the rules on in it, built on first
    /// use; `None` when that is `keyed` (every rule is on there).
    keyed_in: [OnceLock<Option<Keyed>>; Context::ALL.len()],
    /// The run is over many files (see [`keyword_search`]).
    many: bool,
}

impl Plan {
    /// Compiles the enabled rules. User policies are compiled eagerly so a pattern over the
    /// size limit is a load error; built-in patterns are compiled on first use.
    pub fn compile(rules: Vec<Rule>) -> Result<Self> {
        Self::compile_for(rules, usize::MAX)
    }

    /// Like [`Plan::compile`], sized for a run over `files` files: a keyword DFA pays for its
    /// build time (~1 ms per context) only over many files; a pre-commit run over a few uses the NFA.
    pub fn compile_for(rules: Vec<Rule>, files: usize) -> Result<Self> {
        let rules: Vec<Rule> = rules.into_iter().filter(|r| r.enabled).collect();
        let mut errors = Vec::new();
        let mut globs = GlobCache::new();
        let mut matchers = Vec::with_capacity(rules.len());
        let mut scopes = Vec::with_capacity(rules.len());
        let mut distinct_scopes = Vec::new();
        let mut scope_ids: std::collections::HashMap<(&[String], &[String]), usize> =
            std::collections::HashMap::new();
        for rule in &rules {
            match (Matcher::compile(rule, !rule.builtin), scope(rule, &mut globs)) {
                (Ok(m), Ok(s)) => {
                    matchers.push(m);
                    let key = (rule.paths.as_slice(), rule.exclude_paths.as_slice());
                    let id = *scope_ids.entry(key).or_insert_with(|| {
                        distinct_scopes.push(s);
                        distinct_scopes.len() - 1
                    });
                    scopes.push(id);
                }
                (Err(e), _) | (_, Err(e)) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(Error::from_many(errors));
        }
        let many = files > 64;
        Matcher::share(&mut matchers, many);
        let keyed = Keyed::build(&matchers, |_| true, many)?;
        Ok(Self {
            rules,
            matchers,
            scopes,
            distinct_scopes,
            keyed,
            keyed_in: Default::default(),
            many,
        })
    }

    /// The compiled matcher of rule `i`.
    pub fn matcher(&self, i: usize) -> &Matcher {
        &self.matchers[i]
    }

    /// Whether rule `i` applies to a file at `rel` (relative to its scan root).
    pub fn in_scope(&self, i: usize, rel: &str) -> bool {
        let scoped = crate::paths::scope_path(rel);
        self.distinct_scopes[self.scopes[i]].contains(&Candidate::new(&*scoped))
    }

    /// Rules to run on a file at `rel`: every rule without keywords, and keyed rules whose
    /// words occur in `text`. Sorted, without duplicates.
    pub fn candidates(&self, rel: &str, text: Option<&str>) -> Vec<usize> {
        self.candidates_given(rel, text, None)
    }

    /// Which keyword ids occur in `text` (see [`Plan::candidates_given`]).
    pub fn keyword_ids(&self, text: &[u8]) -> std::sync::Arc<[bool]> {
        match &self.keyed.search {
            Some(search) => search.found(self.keyed.keyword_rules.len(), text).into(),
            None => std::sync::Arc::from(&[][..]),
        }
    }

    /// As [`Plan::candidates`], with the keyword ids that occur already known (`known`, from
    /// [`Plan::keyword_ids`] or a superset of them) instead of searched for in `text`.
    pub fn candidates_given(&self, rel: &str, text: Option<&str>, known: Option<&[bool]>) -> Vec<usize> {
        let mut chosen = vec![false; self.rules.len()];
        self.keyed.choose(text, known, &mut chosen);
        self.in_scope_of(rel, chosen)
    }

    /// [`Plan::candidates`] among the rules on in `context` (the others would not run there):
    /// the same rules, found with a search for fewer words.
    pub fn candidates_in(&self, rel: &str, text: Option<&str>, context: Context) -> Vec<usize> {
        let keyed = self.keyed_in[context as usize].get_or_init(|| {
            let on = |i: usize| self.rules[i].severity_in(context).is_some();
            if (0..self.rules.len()).all(on) {
                // Every rule is on here (source files, usually): the whole set's prefilter is
                // this context's, and a pre-commit run builds one automaton, not two.
                return None;
            }
            // A subset of words the whole set built from always builds; if not, the whole set
            // below gives the same rules.
            Keyed::build(&self.matchers, on, self.many).ok()
        });
        let mut chosen = vec![false; self.rules.len()];
        match keyed {
            Some(keyed) => keyed.choose(text, None, &mut chosen),
            None => {
                self.keyed.choose(text, None, &mut chosen);
                for (i, c) in chosen.iter_mut().enumerate() {
                    *c = *c && self.rules[i].severity_in(context).is_some();
                }
            }
        }
        self.in_scope_of(rel, chosen)
    }

    /// The `chosen` rules whose scope holds `rel`, each distinct scope tested once.
    fn in_scope_of(&self, rel: &str, chosen: Vec<bool>) -> Vec<usize> {
        let scoped = crate::paths::scope_path(rel);
        let path = Candidate::new(&*scoped);
        let mut holds: Vec<Option<bool>> = vec![None; self.distinct_scopes.len()];
        chosen
            .iter()
            .enumerate()
            .filter(|&(i, &c)| {
                c && *holds[self.scopes[i]]
                    .get_or_insert_with(|| self.distinct_scopes[self.scopes[i]].contains(&path))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether any rule in scope of `rel` reads content (if none, the file is not read).
    pub fn any_content_rule(&self, rel: &str) -> bool {
        let scoped = crate::paths::scope_path(rel);
        let path = Candidate::new(&*scoped);
        (0..self.rules.len())
            .any(|i| self.matchers[i].needs_content() && self.distinct_scopes[self.scopes[i]].contains(&path))
    }
}

/// The keyword search for a run over many files (`many`) or few.
fn keyword_search(words: &[String], many: bool) -> Result<KeywordSearch> {
    if many {
        if let Some(dfa) = keywords::KeywordDfa::new(words) {
            return Ok(KeywordSearch::Lanes(Box::new(dfa)));
        }
    }
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(words)
        .map(KeywordSearch::Overlapping)
        .map_err(|e| Error::Usage(format!("keyword automaton: {e}")))
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

    /// `candidates_in` against the plain definition, over every built-in rule: a rule is a
    /// candidate when it is on in the context, its scope holds the path, and it has no keywords
    /// or one of them occurs in the text (ASCII case-insensitively).
    #[test]
    fn candidates_in_a_context_are_the_rules_on_there_whose_words_occur() {
        let mut set = crate::policy::PolicySet::default();
        crate::policy::load_builtin(&mut set).expect("built-in packs load");
        let texts = [
            None,
            Some(""),
            Some("let password = \"hunter22hunter\"; // TOKEN"),
            Some("aws = AKIAIOSFODNN7EXAMPLE\nif user.age > 18 && gender == x { log::info!(\"{email}\") }"),
            Some("import requests\nrequests.get(url, verify=False)\nhashlib.md5(password)"),
            Some("jobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"),
            Some(
                "[dependencies]\nopenssl = { git = \"https://x\" }\nghp_0123456789abcdefABCDEF0123456789abcd",
            ),
        ];
        let paths = [
            "src/main.rs",
            "vendor/crate/src/lib.rs",
            "app/views.py",
            "tests/test_app.py",
            ".github/workflows/ci.yml",
            "Cargo.toml",
            "docs/guide.md",
            "web/index.ts",
        ];
        for files in [1, usize::MAX] {
            let plan = Plan::compile_for(set.rules.clone(), files).expect("compiles");
            for context in Context::ALL {
                for rel in paths {
                    for text in texts {
                        let lower = text.map(str::to_ascii_lowercase);
                        let expected: Vec<usize> = (0..plan.rules.len())
                            .filter(|&i| {
                                let words = plan.matcher(i).keywords();
                                plan.rules[i].severity_in(context).is_some()
                                    && plan.in_scope(i, rel)
                                    && (words.is_empty()
                                        || lower.as_ref().is_some_and(|t| {
                                            words.iter().any(|w| t.contains(&w.to_ascii_lowercase()))
                                        }))
                            })
                            .collect();
                        assert_eq!(
                            plan.candidates_in(rel, text, context),
                            expected,
                            "{context} {rel} {text:?}"
                        );
                        let all: Vec<usize> = plan
                            .candidates(rel, text)
                            .into_iter()
                            .filter(|&i| plan.rules[i].severity_in(context).is_some())
                            .collect();
                        assert_eq!(all, expected, "{context} {rel} {text:?}");
                    }
                }
            }
        }
    }
}
