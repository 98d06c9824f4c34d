//! `[rule.code]`: structural rules for Python, JavaScript/TypeScript, Go and Java over one
//! language-neutral [`index::Index`], filled by a tree-sitter front-end per language.
//!
//! Cost model: the plan's keyword prefilter decides whether a code rule sees a file at all. A
//! rule parses only when its trigger words (the table's `keywords`, else the forms' names) are
//! in the file, not merely its fallback's: the first code rule that does parses it (once,
//! within the file's time budget; a file larger than the budget can parse is not started) and
//! every other code rule reads the same index from the per-file [`CodeCache`]. A file its
//! front-end cannot parse is counted `unparsed`, and the rule's `fallback` regex (the old
//! lexical rule) runs on it instead, so nothing is reported twice.

mod decision;
mod flow;
mod forms;
mod go;
pub mod index;
mod java;
mod javascript;
mod parse;
mod python;
mod regions;
pub mod trees;
mod words;

use std::cell::{OnceCell, RefCell};
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use tree_sitter::Language;

use super::regex::RegexMatcher;
use super::FileContext;
use crate::error::LocatedError;
use crate::finding::Hit;
use crate::policy::raw::CodeTable;
use crate::policy::Rule;

pub use index::Index;
use words::{WordHits, WordPool, WordSet};

/// One registered front-end: a language name, its file extensions and its indexer.
struct FrontEnd {
    name: &'static str,
    display: &'static str,
    extensions: &'static [&'static str],
    grammar: fn() -> Language,
    index: fn(tree_sitter::Node<'_>, &str) -> Index,
    /// How [`regions`] outlines the language's functions for pruning.
    syntax: regions::Syntax,
}

/// The front-ends, one line each: a new language is a file plus a line here.
const FRONT_ENDS: &[FrontEnd] = &[
    FrontEnd {
        name: "python",
        display: "Python",
        extensions: &["py", "pyi"],
        grammar: || tree_sitter_python::LANGUAGE.into(),
        index: python::index,
        syntax: regions::Syntax::Python,
    },
    FrontEnd {
        name: "javascript",
        display: "JavaScript",
        extensions: &["js", "jsx", "mjs", "cjs"],
        grammar: || tree_sitter_javascript::LANGUAGE.into(),
        index: javascript::index,
        syntax: regions::Syntax::JavaScript,
    },
    FrontEnd {
        name: "typescript",
        display: "TypeScript",
        extensions: &["ts", "mts", "cts"],
        grammar: || tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        index: javascript::index,
        syntax: regions::Syntax::JavaScript,
    },
    FrontEnd {
        name: "typescript",
        display: "TSX",
        extensions: &["tsx"],
        grammar: || tree_sitter_typescript::LANGUAGE_TSX.into(),
        index: javascript::index,
        syntax: regions::Syntax::JavaScript,
    },
    FrontEnd {
        name: "go",
        display: "Go",
        extensions: &["go"],
        grammar: || tree_sitter_go::LANGUAGE.into(),
        index: go::index,
        syntax: regions::Syntax::Go,
    },
    FrontEnd {
        name: "java",
        display: "Java",
        extensions: &["java"],
        grammar: || tree_sitter_java::LANGUAGE.into(),
        index: java::index,
        syntax: regions::Syntax::Java,
    },
];

/// Language names a policy may list.
pub const LANGUAGES: &[&str] = &["python", "javascript", "typescript", "go", "java", "any"];

fn front_end(rel: &str) -> Option<&'static FrontEnd> {
    let ext = rel.rsplit_once('.')?.1;
    FRONT_ENDS
        .iter()
        .find(|f| f.extensions.iter().any(|e| e.eq_ignore_ascii_case(ext)))
}

/// Per-file state shared by every code rule: the index, built at most once.
#[derive(Default)]
pub struct CodeCache {
    index: OnceCell<Option<Index>>,
    /// Where the rules that will read the index found their trigger words, when every such
    /// rule said so before the parse (see [`CodeMatcher::prepare`]): the parse skips the
    /// functions that hold none.
    interests: RefCell<Option<Vec<regions::Interest>>>,
    /// Each prepared rule's gate (see [`CodeMatcher::gate`]), by matcher, so its check does not
    /// search the file again.
    gates: RefCell<Vec<(*const CodeMatcher, bool)>>,
    /// The plan's words (see [`share_words`]) found in the file, by the set searched.
    words: OnceCell<(*const WordSet, WordHits)>,
}

impl CodeCache {
    /// Whether the file is (or will be) parsed for some rule whatever this one needs.
    fn parses_anyway(&self) -> bool {
        self.index.get().is_some() || self.interests.borrow().is_some()
    }

    fn gated(&self, matcher: &CodeMatcher, open: bool) {
        self.gates.borrow_mut().push((matcher, open));
    }

    fn gate_of(&self, matcher: &CodeMatcher) -> Option<bool> {
        let gates = self.gates.borrow();
        gates
            .iter()
            .find(|(m, _)| std::ptr::eq(*m, matcher))
            .map(|(_, open)| *open)
    }

    /// Where the words of `set` are in `text`: searched once per file for every rule that
    /// shares the set (a rule with a set of its own searches for itself).
    fn word_hits(&self, set: &Arc<WordSet>, text: &str) -> std::borrow::Cow<'_, WordHits> {
        let (searched, hits) = self.words.get_or_init(|| (Arc::as_ptr(set), set.find(text)));
        if std::ptr::eq(*searched, Arc::as_ptr(set)) {
            std::borrow::Cow::Borrowed(hits)
        } else {
            std::borrow::Cow::Owned(set.find(text))
        }
    }

    /// Adds where a rule that will read this file's index found what it needs.
    fn expect(&self, interest: regions::Interest) {
        self.interests
            .borrow_mut()
            .get_or_insert_with(Vec::new)
            .push(interest);
    }

    fn index(&self, cx: &FileContext<'_>, fe: &FrontEnd, text: &str) -> Option<&Index> {
        self.index
            .get_or_init(|| match self.parse(cx, fe, text) {
                // Nothing in the file holds what a rule needs: no form can match.
                Ok(None) => Some(Index::default()),
                Ok(Some((tree, source))) => {
                    let index = (fe.index)(tree.root_node(), source.as_deref().unwrap_or(text));
                    if index.truncated {
                        // A partial index would miss assignments: read the file lexically.
                        cx.cache.bound_hit("parse_time");
                        cx.cache
                            .unparsed(fe.display, &crate::matchers::limits::expired_message(), 0..0);
                        return None;
                    }
                    Some(index)
                }
                Err(failure) => {
                    if let Some(bound) = failure.bound {
                        cx.cache.bound_hit(bound);
                    }
                    cx.cache.unparsed(fe.display, &failure.message, 0..0);
                    None
                }
            })
            .as_ref()
    }

    /// The tree, of the pruned text (returned with it) when pruning applies and its parse is
    /// clean; else of the whole file; `None` when pruning finds nothing any rule needs. A
    /// pruned text with a syntax error is parsed again whole: the outline may have misjudged
    /// the file, and an error is judged on the real text.
    fn parse(
        &self,
        cx: &FileContext<'_>,
        fe: &FrontEnd,
        text: &str,
    ) -> Result<Option<(tree_sitter::Tree, Option<String>)>, parse::ParseFailure> {
        let interests = self.interests.borrow_mut().take();
        let pruned = match interests {
            // An editor session reuses trees across edits: those must be of the whole text.
            Some(mut interests) if cx.run.trees.is_none() => regions::prune(fe.syntax, text, &mut interests),
            _ => None,
        };
        match pruned {
            Some(regions::Pruning::Nothing) => return Ok(None),
            Some(regions::Pruning::Parts(p)) => {
                if let Ok(tree) = parse::parse_within(fe.display, &(fe.grammar)(), &p.text, None, &p.kept) {
                    if !tree.root_node().has_error() {
                        return Ok(Some((tree, Some(p.text))));
                    }
                }
            }
            None => {}
        }
        parse_kept(cx, fe, text).map(|t| Some((t, None)))
    }
}

/// Parses the file, reusing and then keeping its previous tree when the run keeps trees (an
/// editor session).
fn parse_kept(
    cx: &FileContext<'_>,
    fe: &FrontEnd,
    text: &str,
) -> Result<tree_sitter::Tree, parse::ParseFailure> {
    let Some(trees) = &cx.run.trees else {
        return parse::parse(fe.display, &(fe.grammar)(), text, None);
    };
    let path = &cx.entry.rel;
    let previous = trees.previous(path, fe.display, text);
    let tree = parse::parse(fe.display, &(fe.grammar)(), text, previous.as_ref())?;
    trees.store(path, fe.display, text, tree.clone());
    Ok(tree)
}

/// Compiled `[rule.code]`.
#[derive(Debug)]
pub struct CodeMatcher {
    languages: Vec<String>,
    /// The plan's prefilter words: the trigger words and the fallback's.
    keywords: Vec<String>,
    /// Finds the words the forms need (the table's `keywords`, else the forms' names): a file
    /// without one is not parsed, whatever the fallback's words say.
    trigger: AhoCorasick,
    forms: Vec<forms::Form>,
    /// What a function must hold for each form (pruning); `None`: anything, for every form.
    needs: Option<RegionNeeds>,
    fallback: Option<RegexMatcher>,
    /// The words searched for before a parse (its own, until the plan shares one set among
    /// every code rule: [`share_words`]), and where the trigger words are in it.
    words: Arc<WordSet>,
    trigger_ids: Vec<usize>,
    /// The trigger words, as searched.
    trigger_words: Vec<String>,
}

impl CodeMatcher {
    /// Validates the table; errors point into the policy.
    pub fn compile(rule: &Rule, table: &CodeTable, eager: bool) -> Result<Self, LocatedError> {
        let err = |span, msg: &str| rule.error(span, msg);
        if table.languages.is_empty() {
            return Err(err(rule.span.clone(), "`[rule.code]` needs `languages`")
                .with_help(format!("list some of: {}", LANGUAGES.join(", "))));
        }
        for l in &table.languages {
            if !LANGUAGES.contains(&l.get_ref().as_str()) {
                return Err(err(l.span(), "unknown language")
                    .with_label("no front-end for this")
                    .with_help(format!("use one of: {}", LANGUAGES.join(", "))));
            }
        }
        let forms = forms::compile(rule, table, eager)?;
        if forms.is_empty() {
            return Err(err(rule.span.clone(), "`[rule.code]` has no form")
                .with_help(
                    "add [[rule.code.call]], [[rule.code.property]], [[rule.code.string]], [[rule.code.import]] or [[rule.code.decision]]",
                ));
        }
        let fallback = match &table.fallback {
            Some(t) => Some(RegexMatcher::compile(rule, t.get_ref(), eager)?),
            None => None,
        };
        let mut keywords: Vec<String> = table.keywords.iter().map(|k| k.get_ref().clone()).collect();
        if keywords.is_empty() {
            for f in &forms {
                let words = f.words();
                if words.is_empty() {
                    return Err(
                        err(rule.span.clone(), "a form has no name to prefilter on").with_help(
                            "add `keywords` to [rule.code]: without them every file would be parsed",
                        ),
                    );
                }
                keywords.extend(words);
            }
        }
        let trigger = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&keywords)
            .map_err(|e| err(rule.span.clone(), "invalid keywords").with_label(e.to_string()))?;
        let trigger_words = keywords.clone();
        if let Some(fb) = &fallback {
            keywords.extend(fb.keywords().iter().cloned());
        }
        keywords.sort();
        keywords.dedup();
        let mut matcher = Self {
            languages: table.languages.iter().map(|l| l.get_ref().clone()).collect(),
            keywords,
            trigger,
            needs: RegionNeeds::compile(&forms),
            forms,
            fallback,
            words: WordPool::default().finish(false),
            trigger_ids: Vec::new(),
            trigger_words,
        };
        let mut own = WordPool::default();
        matcher.bind_words(&mut own);
        matcher.words = own.finish(false);
        Ok(matcher)
    }

    /// Numbers the words this rule searches for in `pool` (its needs', its decisions'
    /// spellings, its trigger words); the set made of the pool must then be given to
    /// [`CodeMatcher::search_in`].
    fn bind_words(&mut self, pool: &mut WordPool) {
        if let Some(needs) = &mut self.needs {
            let ids = pool.ids(needs.words.words());
            needs.words.bind(ids);
        }
        for form in &mut self.forms {
            let ids = pool.ids(form.spellings());
            form.bind(ids);
        }
        self.trigger_ids = pool.ids(&self.trigger_words);
    }

    fn search_in(&mut self, set: Arc<WordSet>) {
        self.words = set;
    }

    /// Prefilter words: the table's `keywords` (else the forms' names) and the fallback's.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// Before any rule checks the file: says where this rule's trigger words are, so the one
    /// parse every code rule shares can skip the functions no rule needs.
    pub fn prepare(&self, cx: &FileContext<'_>) {
        let Some(text) = cx.text else { return };
        let Some(fe) = front_end(&cx.entry.rel) else {
            return;
        };
        if !self.languages.iter().any(|l| l == "any" || l == fe.name) {
            return;
        }
        let gate = self.gate(&cx.cache.code, text);
        cx.cache.code.gated(self, gate.is_some());
        let Some((hits, decisions)) = gate else { return };
        let mut decisions = decisions.into_iter();
        let mut found = self.needs.as_ref().map(|n| n.find(&self.forms, &hits, text));
        let mut keywords: Option<Vec<usize>> = None;
        let forms = self
            .forms
            .iter()
            .enumerate()
            .map(|(k, form)| {
                // A decision needs its attributes, which the trigger words merely
                // approximate (`age` in `message`).
                if form.is_decision() {
                    let hits = decisions.next().unwrap_or_default();
                    return regions::Clause::All(vec![regions::Need::at(hits, true)]);
                }
                let Some(mut all) = found.as_mut().and_then(|f| f[k].take()) else {
                    return regions::Clause::Anywhere;
                };
                if form.mentions() {
                    let at = keywords.get_or_insert_with(|| {
                        self.trigger_ids
                            .iter()
                            .flat_map(|&id| hits.starts(id).iter().copied())
                            .collect()
                    });
                    all.push(regions::Need::at(at.clone(), false));
                }
                regions::Clause::All(all)
            })
            .collect();
        cx.cache.code.expect(regions::Interest { forms });
    }

    /// Checks one file.
    pub fn check(&self, cx: &FileContext<'_>, out: &mut Vec<Hit>) {
        let Some(text) = cx.text else { return };
        let Some(fe) = front_end(&cx.entry.rel) else {
            // No front-end reads this file (a shell script in a JS rule's paths): lexical only.
            if let Some(fb) = &self.fallback {
                fb.check(cx, out);
            }
            return;
        };
        if !self.languages.iter().any(|l| l == "any" || l == fe.name) {
            return;
        }
        let open = match cx.cache.code.gate_of(self) {
            Some(open) => open,
            None => self.gate(&cx.cache.code, text).is_some(),
        };
        if !open {
            self.fallback_unless_parsed(cx, fe, text, out);
            return;
        }
        match cx.cache.code.index(cx, fe, text) {
            Some(index) => {
                let start = out.len();
                for form in &self.forms {
                    form.check(index, out);
                }
                dedupe(out, start);
            }
            None => {
                if let Some(fb) = &self.fallback {
                    fb.check(cx, out);
                }
            }
        }
    }
}

impl CodeMatcher {
    /// Whether a form may match in `text` (see [`CodeMatcher::decisions`]): `Some` with where
    /// the plan's words are in it and each decision form's attribute offsets.
    fn gate<'c>(
        &self,
        cache: &'c CodeCache,
        text: &str,
    ) -> Option<(std::borrow::Cow<'c, WordHits>, Vec<Vec<usize>>)> {
        if !self.trigger.is_match(text) {
            return None;
        }
        let hits = cache.word_hits(&self.words, text);
        let decisions = self.decisions(&hits, text)?;
        Some((hits, decisions))
    }

    /// For a file with the trigger words: whether a form may match in `text`, which for a
    /// rule of decisions only means that one of their attributes is found (else the file is
    /// not parsed for this rule). `Some`: each decision form's attribute offsets, in order,
    /// for pruning.
    fn decisions(&self, hits: &WordHits, text: &str) -> Option<Vec<Vec<usize>>> {
        let decisions: Vec<Vec<usize>> = self
            .forms
            .iter()
            .filter(|f| f.is_decision())
            .map(|f| f.hits(hits, text))
            .collect();
        let any_other = decisions.len() < self.forms.len();
        (any_other || decisions.iter().any(|h| !h.is_empty())).then_some(decisions)
    }

    /// A file the plan chose for the fallback's words only: the forms cannot match, so the
    /// fallback's hits are the rule's findings exactly when the file does not parse. The file
    /// is parsed (once, shared with every other code rule) only to settle hits the fallback
    /// found; most such files have none and are never parsed. When another rule parses the
    /// file anyway, the parse is asked first, and a file that parses needs no fallback run.
    fn fallback_unless_parsed(&self, cx: &FileContext<'_>, fe: &FrontEnd, text: &str, out: &mut Vec<Hit>) {
        let Some(fb) = &self.fallback else { return };
        if cx.cache.code.parses_anyway() && cx.cache.code.index(cx, fe, text).is_some() {
            return;
        }
        let mut hits = Vec::new();
        fb.check(cx, &mut hits);
        if !hits.is_empty() && cx.cache.code.index(cx, fe, text).is_none() {
            out.append(&mut hits);
        }
    }
}

/// What the forms of one rule need in a function, compiled for pruning.
#[derive(Debug)]
struct RegionNeeds {
    /// Per form, each need's `(matching, binds)` (see [`forms::NeedSpec`]); `None`: the form
    /// keeps every function.
    shapes: Vec<Option<Vec<(bool, bool)>>>,
    /// Every need's words, numbered in the order of `shapes`.
    words: regions::NeedWords,
}

impl RegionNeeds {
    /// `None` when no form narrows anything or the words cannot be searched for.
    fn compile(forms: &[forms::Form]) -> Option<Self> {
        let mut shapes = Vec::new();
        let mut words = Vec::new();
        let mut need = 0;
        for form in forms {
            let Some(specs) = form.region_needs() else {
                shapes.push(None);
                continue;
            };
            let mut shape = Vec::new();
            for spec in specs {
                for w in &spec.any_of {
                    for (word, whole) in &w.words {
                        let target = regions::WordTarget {
                            need,
                            whole: *whole,
                            in_strings: w.in_strings,
                            called: w.called,
                        };
                        words.push((word.clone(), target));
                    }
                }
                shape.push((spec.matching, spec.binds));
                need += 1;
            }
            shapes.push(Some(shape));
        }
        if need == 0 {
            return None;
        }
        Some(Self {
            shapes,
            words: regions::NeedWords::new(words),
        })
    }

    /// Per form, its needs found in `text` (as `hits` found their words).
    fn find(&self, forms: &[forms::Form], hits: &WordHits, text: &str) -> Vec<Option<Vec<regions::Need>>> {
        let mut flat: Vec<regions::Need> = self
            .shapes
            .iter()
            .zip(forms)
            .flat_map(|(shape, form)| {
                shape.iter().flatten().map(move |&(matching, binds)| {
                    regions::Need::new(if matching { form.matching() } else { None }, binds)
                })
            })
            .collect();
        self.words.find_into(hits, text, &mut flat);
        let mut flat = flat.into_iter();
        self.shapes
            .iter()
            .map(|shape| shape.as_ref().map(|s| flat.by_ref().take(s.len()).collect()))
            .collect()
    }
}

/// Makes every code rule of a plan search for its words in one set, so a file is searched
/// once for all of them (`words.rs`) instead of once per rule; `many`: in many files.
pub fn share_words<'m>(matchers: impl Iterator<Item = &'m mut CodeMatcher>, many: bool) {
    let mut pool = WordPool::default();
    let mut shared: Vec<&mut CodeMatcher> = matchers.collect();
    for m in &mut shared {
        m.bind_words(&mut pool);
    }
    let set = pool.finish(many);
    for m in shared {
        m.search_in(Arc::clone(&set));
    }
}

/// One finding per span: two forms of a rule matching one node report it once.
fn dedupe(out: &mut Vec<Hit>, start: usize) {
    let tail: Vec<Hit> = out.drain(start..).collect();
    let mut seen = std::collections::HashSet::new();
    for hit in tail {
        if seen.insert((hit.span.start, hit.span.end)) {
            out.push(hit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::index::Expr;
    use super::*;
    use crate::policy::{MatcherTable, PolicySet};

    fn indexed(rel: &str, text: &str) -> Index {
        let fe = front_end(rel).expect("registered");
        let tree =
            parse::parse(fe.display, &(fe.grammar)(), text, None).unwrap_or_else(|f| panic!("{}", f.message));
        (fe.index)(tree.root_node(), text)
    }

    #[test]
    fn built_in_code_rules_compile_eagerly() {
        let mut set = PolicySet::default();
        crate::policy::load_builtin(&mut set).expect("built-ins load");
        let mut n = 0;
        for rule in &set.rules {
            if let MatcherTable::Code(t) = &rule.matcher {
                CodeMatcher::compile(rule, t, true).unwrap_or_else(|e| panic!("{}: {e:?}", rule.id));
                n += 1;
            }
        }
        assert!(n >= 10, "{n}");
    }

    #[test]
    fn python_aliases_kwargs_and_fstrings() {
        let ix = indexed(
            "a.py",
            "import requests as req\nfrom os import system as sh\ndef f(x):\n    req.get(u, verify=False)\n    sh(f\"ls {x}\")\n",
        );
        let paths: Vec<String> = ix.calls.iter().map(|c| c.path.join(".")).collect();
        assert_eq!(paths, ["requests.get", "os.system"]);
        assert_eq!(ix.calls[0].named[0].0, "verify");
        assert!(matches!(ix.expr(ix.calls[0].named[0].1), Expr::Lit(l) if l == "false"));
        assert!(matches!(ix.expr(ix.calls[1].args[0]), Expr::Concat(_)));
        assert_eq!(ix.calls[0].func, Some(0));
    }

    #[test]
    fn javascript_require_destructuring_and_options_objects() {
        let ix = indexed(
            "a.ts",
            "const { exec } = require('node:child_process');\nexec(`ls ${d}`);\nnew https.Agent({ rejectUnauthorized: false });\n",
        );
        let paths: Vec<String> = ix.calls.iter().map(|c| c.path.join(".")).collect();
        assert!(paths.contains(&"child_process.exec".to_string()), "{paths:?}");
        let agent = ix
            .calls
            .iter()
            .find(|c| c.path.join(".") == "https.Agent")
            .expect("agent");
        assert_eq!(agent.named[0].0, "rejectUnauthorized");
    }

    #[test]
    fn go_composite_literals_and_sprintf() {
        let ix = indexed(
            "a.go",
            "package p\nimport \"crypto/tls\"\nfunc f(n string) {\n\t_ = &tls.Config{InsecureSkipVerify: true}\n\tq := fmt.Sprintf(\"SELECT %s\", n)\n}\n",
        );
        let cfg = ix
            .calls
            .iter()
            .find(|c| c.path.join(".") == "crypto.tls.Config")
            .expect("config");
        assert_eq!(cfg.named[0].0, "InsecureSkipVerify");
        let q = ix.assigns.iter().find(|a| a.target == ["q"]).expect("q");
        assert!(matches!(ix.expr(q.value), Expr::Format(..)));
    }

    #[test]
    fn java_method_chains_and_string_format() {
        let ix = indexed(
            "A.java",
            "class A { void f(String n) throws Exception { String q = String.format(\"SELECT %s\", n); Runtime.getRuntime().exec(q); } }",
        );
        let paths: Vec<String> = ix.calls.iter().map(|c| c.path.join(".")).collect();
        assert!(
            paths.contains(&"Runtime.getRuntime.exec".to_string()),
            "{paths:?}"
        );
        assert!(matches!(ix.expr(ix.assigns[0].value), Expr::Format(..)));
    }

    /// Expressions as a test reads them: strings as they are, names as `<name>`.
    fn shown(ix: &Index, ids: &[usize]) -> Vec<String> {
        ids.iter()
            .map(|&e| match ix.expr(e) {
                Expr::Str(s) => s.clone(),
                Expr::Name(n) => format!("<{n}>"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn java_array_elements_by_index_and_string_builder_pieces() {
        let ix = indexed(
            "A.java",
            "class A { void f(String c, int i, boolean w) { String[] cmd = new String[3]; \
             if (w) { cmd[0] = \"cmd.exe\"; } else { cmd[0] = \"sh\"; } cmd[1] = \"-c\"; cmd[1] = \"/c\"; \
             cmd[i] = c; StringBuilder sb = new StringBuilder(\"a\"); sb.append(c).append(\"b\"); \
             g(sb.toString()); } }",
        );
        let strings = |ids: &[usize]| shown(&ix, ids);
        let g = ix.calls.iter().find(|c| c.path == ["g"]).expect("g");
        let elements: Vec<(usize, Vec<String>, bool)> = ix
            .element_values("cmd", g.func, 0, g.span.start)
            .into_iter()
            .map(|(k, v, replaces)| (k, strings(&v), replaces))
            .collect();
        // Two branches keep both values; a store in the read's block replaces the earlier one;
        // a computed index is left out, and kept apart.
        assert_eq!(
            elements,
            vec![
                (0, vec!["cmd.exe".to_string(), "sh".to_string()], false),
                (1, vec!["/c".to_string()], true),
            ]
        );
        let computed = ix.computed_element_values("cmd", g.func, 0, g.span.start);
        assert_eq!(strings(&computed), ["<c>"]);
        let parts = flow::builder_parts(&ix, g.args[0]).expect("a builder");
        assert_eq!(strings(&parts), ["a", "<c>", "b"]);
        let h = ix
            .calls
            .iter()
            .find(|c| c.path.last().is_some_and(|m| m == "append"))
            .expect("append");
        assert!(flow::builder_parts(&ix, h.args[0]).is_none());
    }

    #[test]
    fn python_element_stores_keep_the_list_and_string_keys_stay_targets() {
        let ix = indexed(
            "a.py",
            "def f(p, i):\n    cmd = [\"ls\", \"-l\"]\n    cmd[1] = p\n    cmd[i] = \"-a\"\n    \
             config[\"debug\"] = True\n",
        );
        let targets: Vec<&[String]> = ix.assigns.iter().map(|a| a.target.as_slice()).collect();
        assert_eq!(
            targets,
            [
                vec!["cmd".to_string()],
                vec!["config".to_string(), "debug".to_string()]
            ]
        );
        let keys: Vec<&Expr> = ix.elements.iter().map(|(_, k)| ix.expr(*k)).collect();
        assert!(matches!(keys.as_slice(), [Expr::Lit(one), Expr::Name(i)] if one == "1" && i == "i"));
    }

    #[test]
    fn java_builder_inserts_and_joiner_adds_are_pieces() {
        let ix = indexed(
            "A.java",
            "class A { void f(String c) { StringBuilder sb = new StringBuilder(\"b\"); \
             sb.insert(0, \"a\").append(c).insert(2, \"z\"); g(sb.toString()); \
             java.util.StringJoiner j = new java.util.StringJoiner(\",\"); j.add(c).add(\"d\"); \
             g(j.toString()); } }",
        );
        let strings = |ids: &[usize]| shown(&ix, ids);
        let reads: Vec<usize> = ix
            .calls
            .iter()
            .filter(|c| c.path == ["g"])
            .map(|c| c.args[0])
            .collect();
        let [sb, j] = reads.as_slice() else {
            panic!("two reads: {reads:?}")
        };
        // An insert at 0 goes in front; one at another offset is only known to be there.
        let parts = flow::builder_parts(&ix, *sb).expect("a builder");
        assert_eq!(strings(&parts), ["a", "b", "<c>", "z"]);
        let parts = flow::builder_parts(&ix, *j).expect("a joiner");
        assert_eq!(strings(&parts), [",", "<c>", "d"]);
    }

    /// Rule ids of everything a one-rule policy (a `frobnicate` call form whose fallback
    /// looks for `zork(`) reports on `text` as `a.py`, notes included.
    fn fallback_rule_ids(text: &str) -> Vec<String> {
        let policy = "[pack]\nname = \"t\"\n[[rule]]\nid = \"r\"\nmessage = \"m\"\nhelp = \"h\"\n\
            [rule.code]\nlanguages = [\"python\"]\nkeywords = [\"frobnicate\"]\n\
            [[rule.code.call]]\nname = [\"*.frobnicate\"]\n\
            [rule.code.fallback]\nkeywords = [\"zork\"]\npattern = 'zork\\('\n\
            [[rule.example]]\nfail = ''\n[[rule.example]]\npass = ''\n";
        let mut set = PolicySet::default();
        crate::policy::load_str(&mut set, "t.toml", policy, false).expect("policy loads");
        let plan = crate::plan::Plan::compile(set.rules).expect("compiles");
        crate::engine::check_bytes(&plan, "a.py", text.as_bytes())
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn only_trigger_words_parse_and_the_fallback_counts_only_on_unparsed_files() {
        let broken = "))))((((\n]]]] :::: ====\n";
        // The fallback's word alone, and no fallback hit: not parsed, so no unparsed note.
        assert!(fallback_rule_ids(&format!("zork = 1\n{broken}")).is_empty());
        // A fallback hit in a file that does not parse is the rule's finding.
        let ids = fallback_rule_ids(&format!("zork(1)\n{broken}"));
        assert!(ids.contains(&"t/r".to_string()), "{ids:?}");
        assert!(ids.contains(&crate::meta::UNPARSED.to_string()), "{ids:?}");
        // ... but not in a file that parses (the forms speak for it).
        assert!(fallback_rule_ids("zork(1)\n").is_empty());
        assert_eq!(fallback_rule_ids("x.frobnicate(1)\n"), ["t/r"]);
    }

    #[test]
    fn a_file_the_budget_cannot_parse_is_not_started() {
        let fe = front_end("a.py").expect("python");
        let big = "x = 1\n".repeat(1000);
        crate::matchers::limits::start_file(8, Some(std::time::Duration::from_micros(100)));
        let failure = parse::parse(fe.display, &(fe.grammar)(), &big, None).err();
        assert_eq!(failure.and_then(|f| f.bound), Some("parse_size"));
        crate::matchers::limits::start_file(8, Some(std::time::Duration::from_secs(2)));
        assert!(parse::parse(fe.display, &(fe.grammar)(), &big, None).is_ok());
    }

    #[test]
    fn mostly_broken_text_is_unparsed_and_hostile_nesting_is_bounded() {
        let fe = front_end("a.py").expect("python");
        assert!(parse::parse(fe.display, &(fe.grammar)(), "))))((((\n]]]] :::: ====\n", None).is_err());
        let deep = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
        let ix = indexed("a.py", &deep);
        assert_eq!(ix.assigns.len(), 1);
    }
}
