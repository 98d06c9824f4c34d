//! Pruning before a parse: the functions and classes of a file in which no code rule finds
//! what one of its forms needs are blanked (every byte but line breaks becomes a space, so
//! offsets, lines and columns stay exact) and tree-sitter parses what is left. Parsing is most of
//! a code rule's cost, and most functions of a large file hold nothing a rule asks for.
//!
//! A finding of a code form lies in a function that meets every one of the form's needs (its
//! call's name, the named argument it reads, the text its query must read as, ...; each met by
//! any of its words), or at module level, which is never blanked. Values cross functions only by
//! name: a name bound on a statement holding a need's word (an import alias, a module constant)
//! meets that need wherever it is read, so `from os import system as sh` keeps every function
//! that calls `sh`. A file in which nothing meets every need of some form is not parsed at all.
//!
//! The outline comes from a small lexer per language family (strings, comments, brackets,
//! Python's indentation); when it cannot make sense of a file, nothing is pruned.

use std::ops::Range;
use std::sync::Arc;

use super::words::WordHits;
use aho_corasick::AhoCorasick;
use regex::Regex;

/// How a front-end's language is outlined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Indentation blocks; `#` comments; prefixed and triple-quoted strings.
    Python,
    /// Braces; template literals and regex literals; `=>` bodies.
    JavaScript,
    /// Braces; `func` bodies; raw strings in backquotes.
    Go,
    /// Braces; text blocks; `->` bodies.
    Java,
}

/// Deepest bracket nesting the outline follows; deeper files are not pruned.
const MAX_DEPTH: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    Str,
    Punct(u8),
    /// Python: the end of a logical line.
    Newline,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    start: usize,
    end: usize,
}

/// A blankable definition: what to blank, where Python needs a `pass` to keep the block, and
/// the definitions inside it.
#[derive(Debug)]
struct Def {
    blank: Range<usize>,
    pass_at: Option<usize>,
    /// A class body: its own statements bind names other definitions read.
    is_class: bool,
    inner: Vec<Def>,
}

/// Where one code rule that will read the file found what its forms need, one clause per
/// form: a function is kept for the rule when it satisfies one of them.
#[derive(Debug, Default)]
pub struct Interest {
    /// One clause per form.
    pub forms: Vec<Clause>,
}

/// What a function must hold for one form to match in it.
#[derive(Debug)]
pub enum Clause {
    /// The form names nothing narrow: any function may hold a match.
    Anywhere,
    /// Every need met: the form's call name, and (say) its named argument and the text its
    /// query must read as.
    All(Vec<Need>),
}

impl Clause {
    fn holds(&self, r: &Range<usize>, outline: &Outline<'_>) -> bool {
        match self {
            Clause::Anywhere => true,
            Clause::All(needs) => needs.iter().all(|n| n.holds(r, outline)),
        }
    }

    /// Whether every need has a word, or a read of a name it binds, where `place` says (a
    /// text that must read as the form's is not asked: this only errs towards parsing).
    fn holds_where(&self, place: &dyn Fn(usize) -> bool) -> bool {
        match self {
            Clause::Anywhere => true,
            Clause::All(needs) => needs
                .iter()
                .all(|n| n.offsets().chain(n.bound.iter().copied()).any(place)),
        }
    }
}

/// One thing a form needs in a function: any of some words, found at these offsets. A
/// function also meets a binding need by reading a name that a statement outside functions
/// holding one of the words binds (an import alias, a module constant).
#[derive(Debug, Default)]
pub struct Need {
    at: Vec<usize>,
    /// Offsets that count only inside a string literal that is a value (not a docstring).
    in_strings: Vec<usize>,
    /// A form's text: a function meets the need by a word in a string only when its value
    /// strings, joined, read as it.
    matching: Option<Arc<Regex>>,
    binds: bool,
    /// Where the names bound outside functions by a statement holding a word are read.
    bound: Vec<usize>,
}

impl Need {
    /// A need met at these offsets (a decision's attributes, a rule's trigger words).
    pub fn at(at: Vec<usize>, binds: bool) -> Self {
        Self {
            at,
            binds,
            ..Self::default()
        }
    }

    /// A need to be filled by [`NeedWords::find_into`].
    pub fn new(matching: Option<Arc<Regex>>, binds: bool) -> Self {
        Self {
            matching,
            binds,
            ..Self::default()
        }
    }

    /// Keeps the string-only offsets that are in value strings, and sorts.
    fn settle(&mut self, outline: &Outline<'_>) {
        self.in_strings.retain(|&p| outline.in_value_string(p));
        self.in_strings.sort_unstable();
        self.at.sort_unstable();
        self.at.dedup();
    }

    /// Every offset where a word counts, to find what statements outside functions bind.
    fn offsets(&self) -> impl Iterator<Item = usize> + '_ {
        self.at.iter().chain(&self.in_strings).copied()
    }

    fn holds(&self, r: &Range<usize>, outline: &Outline<'_>) -> bool {
        has(&self.bound, r)
            || has(&self.at, r)
            || has(&self.in_strings, r) && self.matching.as_ref().is_none_or(|re| outline.reads_as(re, r))
    }
}

/// How one word fills one need (see [`NeedWords`]).
#[derive(Debug, Clone, Copy)]
pub struct WordTarget {
    /// Index of the need in the rule's list.
    pub need: usize,
    /// Must be a whole identifier.
    pub whole: bool,
    /// Counts only inside value strings, found in any case; other words are spelled as
    /// written (identifiers are case-sensitive in every front-end's language).
    pub in_strings: bool,
    /// Names a call: a whole one counts only where it is called (or imported).
    pub called: bool,
}

/// The words of every need of one rule, found by the plan's one search per file (see
/// [`super::words`]).
#[derive(Debug)]
pub struct NeedWords {
    words: Vec<String>,
    /// Per word, the needs it fills.
    targets: Vec<Vec<WordTarget>>,
    /// Per word, its id in the word set searched.
    ids: Vec<usize>,
}

impl NeedWords {
    /// The words of `list`, each once, with what each fills.
    pub fn new(list: Vec<(String, WordTarget)>) -> Self {
        let mut words: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<WordTarget>> = Vec::new();
        for (word, target) in list {
            match words.iter().position(|w| *w == word) {
                Some(i) => targets[i].push(target),
                None => {
                    words.push(word);
                    targets.push(vec![target]);
                }
            }
        }
        let ids = (0..words.len()).collect();
        Self { words, targets, ids }
    }

    /// The words, in the order [`NeedWords::bind`] takes their ids.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Where the words are in the word set searched.
    pub fn bind(&mut self, ids: Vec<usize>) {
        self.ids = ids;
    }

    /// Adds to `needs` where their words occur in `text`, as `hits` found them (whole
    /// identifiers where they must be).
    pub fn find_into(&self, hits: &WordHits, text: &str, needs: &mut [Need]) {
        let bytes = text.as_bytes();
        for ((word, targets), &id) in self.words.iter().zip(&self.targets).zip(&self.ids) {
            for &start in hits.starts(id) {
                let end = start + word.len();
                let exact = bytes[start..end] == *word.as_bytes();
                for t in targets {
                    let Some(need) = needs.get_mut(t.need) else {
                        continue;
                    };
                    let whole = || whole_at(bytes, start, end);
                    if t.in_strings {
                        if !t.whole || whole() {
                            need.in_strings.push(start);
                        }
                    } else if exact
                        && (!t.whole || whole() && (!t.called || called_or_imported(bytes, start, end)))
                    {
                        need.at.push(start);
                    }
                }
            }
        }
    }
}

/// Whether the name at `start..end` is called (`(`, a generic's `<`, a Go composite literal's
/// `{`, a tagged template, `?.(`), aliased (`as`), or on an import or `require` line: a call
/// a form matches is written one of these ways, or through a name an import binds.
fn called_or_imported(bytes: &[u8], start: usize, end: usize) -> bool {
    let rest = &bytes[end..];
    let after = rest
        .iter()
        .position(|b| *b != b' ' && *b != b'\t')
        .map_or(&[][..], |p| &rest[p..]);
    if matches!(after.first(), Some(b'(' | b'<' | b'{' | b'`' | b'?')) || after.starts_with(b"as ") {
        return true;
    }
    let line_start = bytes[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line_end = memchr(bytes, end, b'\n').unwrap_or(bytes.len());
    let line = &bytes[line_start..line_end];
    let first = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&[][..], |p| &line[p..]);
    first.starts_with(b"import ") || first.starts_with(b"from ") || find(line, 0, b"require(").is_some()
}

fn whole_at(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|p| bytes[p]);
    !before.is_some_and(is_ident) && !bytes.get(end).copied().is_some_and(is_ident)
}

/// Whether a sorted list holds an offset in `range`.
fn has(sorted: &[usize], range: &Range<usize>) -> bool {
    let i = sorted.partition_point(|&h| h < range.start);
    sorted.get(i).is_some_and(|&h| h < range.end)
}

/// A pruned file: the text with unneeded definitions blanked, and the byte ranges still to
/// parse (the blanked stretches left out, so the parser does not even read them).
#[derive(Debug)]
pub struct Pruned {
    /// Same length and line breaks as the file.
    pub text: String,
    /// Sorted, disjoint, covering everything not blanked.
    pub kept: Vec<Range<usize>>,
}

/// What is left to parse of a file.
#[derive(Debug)]
pub enum Pruning {
    /// No definition and nothing outside them holds what any interest needs: no form can
    /// match in the file, so it need not be parsed at all.
    Nothing,
    /// The text with unneeded definitions blanked.
    Parts(Pruned),
}

/// `text` with every definition blanked that no interest needs, or `None` when nothing would
/// be blanked or the file cannot be outlined.
pub fn prune(syntax: Syntax, text: &str, interests: &mut [Interest]) -> Option<Pruning> {
    let bytes = text.as_bytes();
    let toks = lex(syntax, bytes)?;
    let defs = match syntax {
        Syntax::Python => python_defs(bytes, &toks),
        _ => brace_defs(syntax, bytes, &toks)?,
    };
    let mut outline = Outline {
        syntax,
        text,
        toks: &toks,
        shared: None,
    };
    outline.shared = outline.strings_outside(&defs);
    for need in interests
        .iter_mut()
        .flat_map(|i| i.forms.iter_mut())
        .filter_map(|c| match c {
            Clause::All(needs) => Some(needs),
            Clause::Anywhere => None,
        })
        .flatten()
    {
        need.settle(&outline);
        // Names bound outside functions by a statement holding a word keep every function
        // that reads them.
        if need.binds {
            let mut outside: Vec<usize> = need.offsets().filter(|&h| !in_function(&defs, h)).collect();
            outside.sort_unstable();
            need.bound = whole_identifiers(text, &bound_names(bytes, &toks, &outside));
            need.bound.sort_unstable();
        }
    }
    let needed = |r: &Range<usize>| {
        interests
            .iter()
            .any(|i| i.forms.is_empty() || i.forms.iter().any(|c| c.holds(r, &outline)))
    };
    let outside_definitions = |p: usize| {
        let i = defs.partition_point(|d| d.blank.end <= p);
        defs.get(i).is_none_or(|d| d.blank.start > p)
    };
    let needed_outside = interests
        .iter()
        .any(|i| i.forms.is_empty() || i.forms.iter().any(|c| c.holds_where(&outside_definitions)));
    if !needed_outside && !defs.iter().any(|d| needed(&d.blank)) {
        return Some(Pruning::Nothing);
    }
    if defs.is_empty() {
        return None;
    }
    let mut out = bytes.to_vec();
    let mut gaps = Vec::new();
    blank_unused(&defs, &needed, &mut out, &mut gaps);
    if gaps.is_empty() {
        return None;
    }
    let mut kept = Vec::with_capacity(gaps.len() + 1);
    let mut from = 0;
    for gap in gaps {
        if gap.start > from {
            kept.push(from..gap.start);
        }
        from = from.max(gap.end);
    }
    if from < out.len() {
        kept.push(from..out.len());
    }
    Some(Pruning::Parts(Pruned {
        text: String::from_utf8(out).ok()?,
        kept,
    }))
}

/// A lexed file, for the questions needs ask of it.
struct Outline<'a> {
    syntax: Syntax,
    text: &'a str,
    toks: &'a [Tok],
    /// The value strings outside functions (module level, class bodies), joined: a function
    /// may read them in through a constant. `None` when there are too many to join.
    shared: Option<String>,
}

/// Past this many bytes of strings outside functions, a function's strings are not asked to
/// read as a form's text (any function with a word is kept).
const MAX_SHARED_STRINGS: usize = 64 * 1024;

impl Outline<'_> {
    /// Whether `at` is inside a string literal that is a value: a Python string that is a
    /// whole statement (a docstring) is prose, whatever words it holds.
    fn in_value_string(&self, at: usize) -> bool {
        let toks = self.toks;
        let i = toks.partition_point(|t| t.end <= at);
        if !toks.get(i).is_some_and(|t| t.kind == Kind::Str && t.start <= at) {
            return false;
        }
        if self.syntax != Syntax::Python {
            return true;
        }
        let line_start = toks[..i]
            .iter()
            .rposition(|t| t.kind == Kind::Newline)
            .map_or(0, |p| p + 1);
        let line_end = toks[i..]
            .iter()
            .position(|t| t.kind == Kind::Newline)
            .map_or(toks.len(), |p| i + p);
        !toks[line_start..line_end].iter().all(|t| t.kind == Kind::Str)
    }

    /// Whether what a function in `r` builds from its strings, and from the constants outside
    /// functions it may read (before or after its own), can read as `re`.
    fn reads_as(&self, re: &Regex, r: &Range<usize>) -> bool {
        let Some(shared) = &self.shared else { return true };
        let own = self.value_strings(r);
        re.is_match(&own) || !shared.is_empty() && re.is_match(&format!("{shared} {own} {shared}"))
    }

    /// The value strings outside functions, joined as [`Outline::value_strings`] does; `None`
    /// past [`MAX_SHARED_STRINGS`].
    fn strings_outside(&self, defs: &[Def]) -> Option<String> {
        let mut out = String::new();
        for t in self.toks {
            if t.kind == Kind::Str && !in_function(defs, t.start) && self.in_value_string(t.start) {
                out.push_str(string_content(&self.text[t.start..t.end]));
                out.push(' ');
                if out.len() > MAX_SHARED_STRINGS {
                    return None;
                }
            }
        }
        Some(out)
    }

    /// The value strings in `r` as written, in order, one space apart: what a query built in
    /// the function from its literals can read as (`"SELECT a " "FROM t"`, `sb.append(...)`).
    fn value_strings(&self, r: &Range<usize>) -> String {
        let first = self.toks.partition_point(|t| t.start < r.start);
        let mut out = String::new();
        for t in self.toks[first..].iter().take_while(|t| t.start < r.end) {
            if t.kind == Kind::Str && self.in_value_string(t.start) {
                out.push_str(string_content(&self.text[t.start..t.end.min(r.end)]));
                out.push(' ');
            }
        }
        out
    }
}

/// A string token without its prefix (`rb`), quotes and a template piece's `}` and `${`.
fn string_content(token: &str) -> &str {
    let quotes: &[char] = &['\'', '"', '`'];
    let body = token
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .trim_start_matches(quotes)
        .trim_start_matches('}');
    let body = body.strip_suffix("${").unwrap_or(body);
    body.trim_end_matches(quotes)
}

/// Whether `at` lies in a function (not merely a class): names bound there are local.
fn in_function(defs: &[Def], at: usize) -> bool {
    let i = defs.partition_point(|d| d.blank.end <= at);
    defs.get(i)
        .is_some_and(|d| d.blank.start <= at && (!d.is_class || in_function(&d.inner, at)))
}

/// Blanks the definitions no one needs; `gaps` gets the blanked stretches, in order (a
/// Python `pass` written in place of a definition is not part of one).
fn blank_unused(
    defs: &[Def],
    needed: &dyn Fn(&Range<usize>) -> bool,
    out: &mut [u8],
    gaps: &mut Vec<Range<usize>>,
) {
    for d in defs {
        if needed(&d.blank) {
            blank_unused(&d.inner, needed, out, gaps);
            continue;
        }
        for b in &mut out[d.blank.clone()] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
        match d
            .pass_at
            .and_then(|at| out.get_mut(at..at + 4).map(|pass| (at, pass)))
        {
            Some((at, pass)) => {
                pass.copy_from_slice(b"pass");
                gaps.push(d.blank.start..at);
                gaps.push(at + 4..d.blank.end);
            }
            None => gaps.push(d.blank.clone()),
        }
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_ident(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit()
}

/// Tokens of `bytes`, comments dropped; `None` on what the lexer does not understand (an
/// unterminated string, unbalanced brackets, too deep a nesting).
fn lex(syntax: Syntax, bytes: &[u8]) -> Option<Vec<Tok>> {
    let mut lx = Lexer {
        syntax,
        bytes,
        at: 0,
        toks: Vec::with_capacity(bytes.len() / 4),
        brackets: Vec::new(),
    };
    lx.run()?;
    lx.brackets.is_empty().then_some(lx.toks)
}

struct Lexer<'b> {
    syntax: Syntax,
    bytes: &'b [u8],
    at: usize,
    toks: Vec<Tok>,
    /// Open brackets; `b'`'` marks a template literal's `${`.
    brackets: Vec<u8>,
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> u8 {
        self.bytes.get(self.at + k).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: Kind, start: usize) {
        self.toks.push(Tok {
            kind,
            start,
            end: self.at,
        });
    }

    fn run(&mut self) -> Option<()> {
        while self.at < self.bytes.len() {
            let c = self.bytes[self.at];
            let start = self.at;
            match c {
                b'\n' => {
                    self.at += 1;
                    if self.syntax == Syntax::Python && self.brackets.is_empty() {
                        self.push(Kind::Newline, start);
                    }
                }
                b'\\' if self.syntax == Syntax::Python => self.at += 2,
                b'#' if self.syntax == Syntax::Python => self.line_comment(),
                b'/' if self.syntax != Syntax::Python && self.peek(1) == b'/' => self.line_comment(),
                b'/' if self.syntax != Syntax::Python && self.peek(1) == b'*' => {
                    let end = find(self.bytes, self.at + 2, b"*/")?;
                    self.at = end + 2;
                }
                b'/' if self.syntax == Syntax::JavaScript && self.regex_may_start() => {
                    self.regex()?;
                    self.push(Kind::Str, start);
                }
                b'"' | b'\'' | b'`' => {
                    self.string(c)?;
                    self.push(Kind::Str, start);
                }
                _ if is_ident_start(c) => {
                    while self.at < self.bytes.len() && is_ident(self.bytes[self.at]) {
                        self.at += 1;
                    }
                    if self.syntax == Syntax::Python
                        && matches!(self.peek(0), b'"' | b'\'')
                        && is_string_prefix(&self.bytes[start..self.at])
                    {
                        let q = self.peek(0);
                        self.string(q)?;
                        self.push(Kind::Str, start);
                    } else {
                        self.push(Kind::Ident, start);
                    }
                }
                _ if c.is_ascii_digit() => {
                    while self.at < self.bytes.len()
                        && (is_ident(self.bytes[self.at]) || self.bytes[self.at] == b'.')
                    {
                        self.at += 1;
                    }
                    self.push(Kind::Ident, start);
                }
                b'(' | b'[' | b'{' => {
                    if self.brackets.len() >= MAX_DEPTH {
                        return None;
                    }
                    self.brackets.push(c);
                    self.at += 1;
                    self.push(Kind::Punct(c), start);
                }
                b')' | b']' | b'}' => {
                    let open = self.brackets.pop()?;
                    if open == b'`' && c == b'}' {
                        // The end of a template literal's `${...}`: the literal goes on.
                        self.at += 1;
                        self.template_rest()?;
                        self.push(Kind::Str, start);
                        continue;
                    }
                    if closer(open) != c {
                        return None;
                    }
                    self.at += 1;
                    self.push(Kind::Punct(c), start);
                }
                _ if c.is_ascii_whitespace() => self.at += 1,
                _ => {
                    self.at += 1;
                    self.push(Kind::Punct(c), start);
                }
            }
        }
        Some(())
    }

    fn line_comment(&mut self) {
        while self.at < self.bytes.len() && self.bytes[self.at] != b'\n' {
            self.at += 1;
        }
    }

    /// A string from its opening quote; Python's triple quotes, Java's text blocks, Go's raw
    /// strings and JavaScript's template literals included.
    fn string(&mut self, q: u8) -> Option<()> {
        let triple = self.peek(1) == q && self.peek(2) == q;
        if q == b'`' {
            self.at += 1;
            return match self.syntax {
                Syntax::JavaScript => self.template_rest(),
                _ => {
                    // Go's raw string: no escapes.
                    let end = memchr(self.bytes, self.at, b'`')?;
                    self.at = end + 1;
                    Some(())
                }
            };
        }
        let long = match self.syntax {
            Syntax::Python => true,
            Syntax::Java => q == b'"',
            _ => false,
        };
        if triple && long {
            self.at += 3;
            loop {
                match self.peek(0) {
                    0 if self.at >= self.bytes.len() => return None,
                    b'\\' => self.at += 2,
                    c if c == q && self.peek(1) == q && self.peek(2) == q => {
                        self.at += 3;
                        return Some(());
                    }
                    _ => self.at += 1,
                }
            }
        }
        self.at += 1;
        loop {
            match self.peek(0) {
                0 if self.at >= self.bytes.len() => return None,
                b'\\' => self.at += 2,
                // A line break ends no string here: the lexer has lost its way (JSX text).
                b'\n' => return None,
                c if c == q => {
                    self.at += 1;
                    return Some(());
                }
                _ => self.at += 1,
            }
        }
    }

    /// A template literal after its opening backquote or a `${...}`'s closing brace: up to
    /// the closing backquote, or into the next `${`.
    fn template_rest(&mut self) -> Option<()> {
        loop {
            match self.peek(0) {
                0 if self.at >= self.bytes.len() => return None,
                b'\\' => self.at += 2,
                b'`' => {
                    self.at += 1;
                    return Some(());
                }
                b'$' if self.peek(1) == b'{' => {
                    if self.brackets.len() >= MAX_DEPTH {
                        return None;
                    }
                    self.at += 2;
                    self.brackets.push(b'`');
                    return Some(());
                }
                _ => self.at += 1,
            }
        }
    }

    /// Whether a `/` here starts a regex literal rather than a division: what came before
    /// cannot end an operand.
    fn regex_may_start(&self) -> bool {
        let Some(prev) = self.toks.last() else { return true };
        match prev.kind {
            Kind::Ident => {
                let word = &self.bytes[prev.start..prev.end];
                matches!(
                    word,
                    b"return"
                        | b"typeof"
                        | b"case"
                        | b"in"
                        | b"of"
                        | b"new"
                        | b"delete"
                        | b"void"
                        | b"throw"
                        | b"else"
                        | b"do"
                        | b"yield"
                        | b"await"
                        | b"instanceof"
                )
            }
            Kind::Str => false,
            Kind::Punct(p) => !matches!(p, b')' | b']' | b'}'),
            Kind::Newline => true,
        }
    }

    fn regex(&mut self) -> Option<()> {
        self.at += 1;
        let mut class = false;
        loop {
            match self.peek(0) {
                0 | b'\n' => return None,
                b'\\' => self.at += 2,
                b'[' => {
                    class = true;
                    self.at += 1;
                }
                b']' => {
                    class = false;
                    self.at += 1;
                }
                b'/' if !class => {
                    self.at += 1;
                    while is_ident(self.peek(0)) && self.at < self.bytes.len() {
                        self.at += 1;
                    }
                    return Some(());
                }
                _ => self.at += 1,
            }
        }
    }
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2
        && word
            .iter()
            .all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
}

fn memchr(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&b| b == needle)
        .map(|p| from + p)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn word<'b>(bytes: &'b [u8], t: &Tok) -> &'b [u8] {
    &bytes[t.start..t.end]
}

fn column(bytes: &[u8], at: usize) -> usize {
    at - bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1)
}

/// Python's definitions: a logical line starting with `def`, `async def` or `class` (after
/// its decorators) and the more indented logical lines after it.
fn python_defs(bytes: &[u8], toks: &[Tok]) -> Vec<Def> {
    // Logical lines as token ranges, with the column of their first token.
    let mut lines: Vec<(Range<usize>, usize)> = Vec::new();
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.kind == Kind::Newline {
            if i > start {
                lines.push((start..i, column(bytes, toks[start].start)));
            }
            start = i + 1;
        }
    }
    if toks.len() > start {
        lines.push((start..toks.len(), column(bytes, toks[start].start)));
    }
    python_block(bytes, toks, &lines, 0)
}

fn python_block(bytes: &[u8], toks: &[Tok], lines: &[(Range<usize>, usize)], depth: usize) -> Vec<Def> {
    let mut defs = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let indent = lines[i].1;
        // Decorators belong to the definition after them.
        let mut head = i;
        while head < lines.len() && lines[head].1 == indent && word(bytes, &toks[lines[head].0.start]) == b"@"
        {
            head += 1;
        }
        let keyword = lines
            .get(head)
            .filter(|(_, col)| *col == indent)
            .and_then(|(r, _)| python_keyword(bytes, toks, r.clone()));
        let Some((at, is_class)) = keyword else {
            i = head.max(i + 1);
            continue;
        };
        let mut end = head + 1;
        while end < lines.len() && lines[end].1 > indent {
            end += 1;
        }
        let inner = if depth < MAX_DEPTH / 8 {
            python_block(bytes, toks, &lines[head + 1..end], depth + 1)
        } else {
            Vec::new()
        };
        defs.push(Def {
            blank: toks[lines[i].0.start].start..toks[lines[end - 1].0.end - 1].end,
            pass_at: Some(at),
            is_class,
            inner,
        });
        i = end;
    }
    defs
}

/// Where `def`, `async def` or `class` starts the line, and whether it is a class.
fn python_keyword(bytes: &[u8], toks: &[Tok], line: Range<usize>) -> Option<(usize, bool)> {
    let t = toks[line.start];
    match word(bytes, &t) {
        b"def" => Some((t.start, false)),
        b"class" => Some((t.start, true)),
        b"async" if toks.get(line.start + 1).is_some_and(|n| word(bytes, n) == b"def") => {
            Some((t.start, false))
        }
        _ => None,
    }
}

/// Keywords after which a parenthesised head opens a control block, not a function body.
const CONTROL: &[&[u8]] = &[
    b"if",
    b"for",
    b"while",
    b"switch",
    b"catch",
    b"with",
    b"synchronized",
    b"try",
    b"foreach",
];

/// Function and class bodies of the brace languages: the inside of their braces.
fn brace_defs(syntax: Syntax, bytes: &[u8], toks: &[Tok]) -> Option<Vec<Def>> {
    // Matching brackets, both ways.
    let mut open_of = vec![usize::MAX; toks.len()];
    let mut stack = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::Punct(b'(' | b'[' | b'{') => stack.push(i),
            Kind::Punct(b')' | b']' | b'}') => open_of[i] = stack.pop()?,
            _ => {}
        }
    }
    let mut close_of = vec![usize::MAX; toks.len()];
    for (i, &o) in open_of.iter().enumerate() {
        if o != usize::MAX {
            close_of[o] = i;
        }
    }
    let mut bodies: Vec<(Range<usize>, bool)> = Vec::new();
    let mut pending_func: Vec<usize> = Vec::new();
    let mut pending_class: Option<usize> = None;
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate() {
        let w = word(bytes, t);
        match t.kind {
            Kind::Ident if syntax == Syntax::Go && w == b"func" => pending_func.push(depth),
            Kind::Ident if syntax != Syntax::Go && matches!(w, b"class" | b"interface" | b"enum") => {
                pending_class = Some(depth);
            }
            Kind::Punct(b'(' | b'[') => depth += 1,
            Kind::Punct(b')' | b']') => {
                depth = depth.saturating_sub(1);
                pending_func.retain(|&d| d <= depth);
            }
            Kind::Punct(b'{') => {
                let class = pending_class.take_if(|d| *d == depth).is_some();
                let body = class
                    || match syntax {
                        Syntax::Go => go_body(bytes, toks, i, depth, &mut pending_func),
                        _ => c_like_body(syntax, bytes, toks, i, &open_of),
                    };
                if body && close_of[i] != usize::MAX {
                    bodies.push((t.end..toks[close_of[i]].start, class));
                }
            }
            _ => {}
        }
        // A Go signature never spans lines outside brackets: a `func` type (a field's, a
        // variable's) that met no body by the line's end has none.
        if syntax == Syntax::Go
            && toks
                .get(i + 1)
                .is_some_and(|n| bytes[t.end..n.start].contains(&b'\n'))
        {
            pending_func.retain(|&d| d < depth);
        }
    }
    Some(nest(bodies))
}

/// Go: the first `{` after `func` at the `func`'s own depth that does not open a `struct` or
/// `interface` type.
fn go_body(bytes: &[u8], toks: &[Tok], i: usize, depth: usize, pending: &mut Vec<usize>) -> bool {
    if pending.last() != Some(&depth) {
        return false;
    }
    let prev = i.checked_sub(1).map(|p| word(bytes, &toks[p]));
    if matches!(prev, Some(b"struct" | b"interface")) {
        return false;
    }
    pending.pop();
    true
}

/// JavaScript, TypeScript and Java: a `{` after `=>` or `->`, or after a parameter list
/// (maybe followed by a return type or `throws` clause) that does not belong to a control
/// keyword.
fn c_like_body(syntax: Syntax, bytes: &[u8], toks: &[Tok], i: usize, open_of: &[usize]) -> bool {
    let Some(p) = i.checked_sub(1) else { return false };
    let prev = toks[p];
    let arrow = |a: u8| {
        prev.kind == Kind::Punct(b'>')
            && p > 0
            && toks[p - 1].kind == Kind::Punct(a)
            && toks[p - 1].end == prev.start
    };
    if arrow(b'=') || (syntax == Syntax::Java && arrow(b'-')) {
        return true;
    }
    // Back to the parameter list's `)`: directly, or before `: Type` / `throws A, B`.
    let mut j = p;
    for _ in 0..32 {
        let t = toks[j];
        if t.kind == Kind::Punct(b')') {
            let open = open_of[j];
            let keyword = open.checked_sub(1).map(|k| word(bytes, &toks[k]));
            return open != usize::MAX && !keyword.is_some_and(|k| CONTROL.contains(&k));
        }
        if matches!(t.kind, Kind::Punct(b';' | b'{' | b'}' | b'=' | b'(')) || j == 0 {
            return false;
        }
        j -= 1;
    }
    false
}

/// Body ranges (in source order of their opening brace) as a tree.
fn nest(bodies: Vec<(Range<usize>, bool)>) -> Vec<Def> {
    let mut sorted = bodies;
    sorted.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut roots: Vec<Def> = Vec::new();
    let mut iter = sorted.into_iter().peekable();
    while let Some(r) = iter.next() {
        roots.push(subtree(r, &mut iter, 0));
    }
    roots
}

fn subtree(
    (r, is_class): (Range<usize>, bool),
    rest: &mut std::iter::Peekable<impl Iterator<Item = (Range<usize>, bool)>>,
    depth: usize,
) -> Def {
    let mut inner = Vec::new();
    while let Some((next, _)) = rest.peek() {
        if next.start >= r.end {
            break;
        }
        let Some(next) = rest.next() else { break };
        if depth < MAX_DEPTH {
            inner.push(subtree(next, rest, depth + 1));
        }
    }
    Def {
        blank: r,
        pass_at: None,
        is_class,
        inner,
    }
}

/// Words that bind nothing of interest: the four languages' keywords and the receivers.
const NOT_BOUND: &[&[u8]] = &[
    b"and",
    b"as",
    b"assert",
    b"async",
    b"await",
    b"break",
    b"case",
    b"catch",
    b"chan",
    b"class",
    b"cls",
    b"const",
    b"continue",
    b"def",
    b"default",
    b"defer",
    b"del",
    b"delete",
    b"do",
    b"elif",
    b"else",
    b"enum",
    b"except",
    b"export",
    b"extends",
    b"false",
    b"final",
    b"finally",
    b"for",
    b"from",
    b"func",
    b"function",
    b"global",
    b"go",
    b"if",
    b"implements",
    b"import",
    b"in",
    b"instanceof",
    b"interface",
    b"is",
    b"lambda",
    b"let",
    b"map",
    b"new",
    b"nil",
    b"nonlocal",
    b"not",
    b"null",
    b"of",
    b"or",
    b"package",
    b"pass",
    b"private",
    b"protected",
    b"public",
    b"raise",
    b"range",
    b"require",
    b"return",
    b"self",
    b"static",
    b"struct",
    b"super",
    b"switch",
    b"this",
    b"throw",
    b"true",
    b"try",
    b"type",
    b"typeof",
    b"undefined",
    b"var",
    b"void",
    b"while",
    b"with",
    b"yield",
    b"False",
    b"None",
    b"True",
];

/// A statement longer than this (a minified file's one line) binds nothing: it is no import
/// or constant a reader would follow.
const MAX_BINDING_STATEMENT: usize = 1024;

/// Names bound on the statements that hold a hit and that a rule wants: everything an import line names, and the
/// targets of an assignment (the last name of a dotted target).
fn bound_names(bytes: &[u8], toks: &[Tok], hits: &[usize]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut last_line = usize::MAX;
    for &h in hits {
        let line = statement(bytes, toks, h);
        if line.start == last_line || line.len() > MAX_BINDING_STATEMENT {
            continue;
        }
        last_line = line.start;
        let first = toks.partition_point(|t| t.start < line.start);
        let last = toks.partition_point(|t| t.start < line.end);
        let stmt = &toks[first..last];
        let import = stmt
            .first()
            .is_some_and(|t| matches!(word(bytes, t), b"import" | b"from"));
        let end = if import { stmt.len() } else { assignment_end(stmt) };
        for (k, t) in stmt[..end].iter().enumerate() {
            let followed_by_dot = stmt.get(k + 1).is_some_and(|n| n.kind == Kind::Punct(b'.'));
            let w = word(bytes, t);
            if t.kind == Kind::Ident
                && w.len() > 1
                && !followed_by_dot
                && !NOT_BOUND.contains(&w)
                && !w[0].is_ascii_digit()
            {
                if let Ok(s) = std::str::from_utf8(w) {
                    names.push(s.to_string());
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Tokens before an assignment's `=` (not `==`, `<=`, `=>`, ...); 0 when there is none.
fn assignment_end(stmt: &[Tok]) -> usize {
    for (k, t) in stmt.iter().enumerate() {
        if t.kind != Kind::Punct(b'=') {
            continue;
        }
        let glued = |o: Option<&Tok>, before: bool| {
            o.is_some_and(|o| {
                let adjacent = if before {
                    o.end == t.start
                } else {
                    o.start == t.end
                };
                adjacent && matches!(o.kind, Kind::Punct(b'=' | b'!' | b'<' | b'>'))
            })
        };
        if !glued(k.checked_sub(1).and_then(|p| stmt.get(p)), true) && !glued(stmt.get(k + 1), false) {
            return k;
        }
    }
    0
}

/// The statement around byte `at`: its physical line, widened to the lines of brackets that
/// open or close on it (a multi-line import list), or Python's logical line.
fn statement(bytes: &[u8], toks: &[Tok], at: usize) -> Range<usize> {
    let line_start = |p: usize| bytes[..p].iter().rposition(|&b| b == b'\n').map_or(0, |q| q + 1);
    let line_end = |p: usize| memchr(bytes, p, b'\n').unwrap_or(bytes.len());
    let at = at.min(bytes.len());
    let (mut start, mut end) = (line_start(at), line_end(at));
    // Forward: while a bracket opened on the statement is open, the next line belongs to it.
    let first = toks.partition_point(|t| t.end <= start);
    let (mut depth, mut min_depth) = (0isize, 0isize);
    for t in &toks[first..] {
        if t.start >= end {
            if depth <= 0 || t.kind == Kind::Newline {
                break;
            }
            end = line_end(t.start);
        }
        match t.kind {
            Kind::Punct(b'(' | b'[' | b'{') => depth += 1,
            Kind::Punct(b')' | b']' | b'}') => {
                depth -= 1;
                min_depth = min_depth.min(depth);
            }
            _ => {}
        }
    }
    // Backward: to the line where brackets closed on the statement were opened.
    let mut need = -min_depth;
    let mut k = first;
    while k > 0 && need > 0 {
        k -= 1;
        match toks[k].kind {
            Kind::Punct(b'(' | b'[' | b'{') => need -= 1,
            Kind::Punct(b')' | b']' | b'}') => need += 1,
            _ => {}
        }
        if need == 0 {
            start = line_start(toks[k].start);
        }
    }
    start..end
}

/// Offsets where one of `names` occurs as a whole identifier.
fn whole_identifiers(text: &str, names: &[String]) -> Vec<usize> {
    if names.is_empty() {
        return Vec::new();
    }
    let Ok(ac) = AhoCorasick::new(names) else {
        return Vec::new();
    };
    let bytes = text.as_bytes();
    ac.find_overlapping_iter(text)
        .filter(|m| whole_at(bytes, m.start(), m.end()))
        .map(|m| m.start())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::words::WordSet;
    use super::*;

    fn pruned(syntax: Syntax, text: &str, words: &[&str]) -> String {
        let at: Vec<usize> = words
            .iter()
            .flat_map(|w| text.match_indices(w).map(|(i, _)| i).collect::<Vec<_>>())
            .collect();
        let mut interests = [Interest {
            forms: vec![Clause::All(vec![Need::at(at, true)])],
        }];
        match prune(syntax, text, &mut interests) {
            Some(Pruning::Nothing) => String::new(),
            Some(Pruning::Parts(p)) => {
                // What is left out of the parse is exactly what was blanked.
                let mut from = 0;
                for r in &p.kept {
                    assert!(
                        p.text[from..r.start].trim().is_empty(),
                        "{:?}",
                        &p.text[from..r.start]
                    );
                    from = r.end;
                }
                p.text
            }
            None => text.to_string(),
        }
    }

    /// Lines of `pruned` that still hold code.
    fn kept(text: &str) -> Vec<&str> {
        text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    }

    #[test]
    fn python_blanks_definitions_without_a_trigger_word_and_keeps_offsets() {
        let src = "import os\n\n@decorated\ndef quiet(a):\n    return a + 1\n\nclass K:\n    X = 1\n    def loud(self, q):\n        cur.execute(q)\n    def other(self):\n        \"\"\"execute in a docstring of another method\n        \"\"\"\n\nasync def more():\n    pass\n";
        let out = pruned(Syntax::Python, src, &["execute(q)"]);
        assert_eq!(out.len(), src.len());
        assert_eq!(
            kept(&out),
            [
                "import os",
                "pass",
                "class K:",
                "X = 1",
                "def loud(self, q):",
                "cur.execute(q)",
                "pass",
                "pass"
            ]
        );
        // The offsets of what is kept are the file's.
        assert_eq!(out.find("cur.execute"), src.find("cur.execute"));
    }

    #[test]
    fn python_names_bound_beside_a_trigger_word_keep_their_users() {
        let src = "from os import system as sh\nQUERY = \"SELECT 1\"\ndef f(x):\n    sh(x)\ndef g():\n    run(QUERY)\ndef h():\n    return 2\n";
        let out = pruned(Syntax::Python, src, &["system", "SELECT"]);
        assert_eq!(
            kept(&out),
            [
                "from os import system as sh",
                "QUERY = \"SELECT 1\"",
                "def f(x):",
                "sh(x)",
                "def g():",
                "run(QUERY)",
                "pass"
            ]
        );
    }

    #[test]
    fn javascript_blanks_function_bodies_not_control_blocks_or_strings() {
        let src = "const { exec } = require('child_process');\nfunction a(x) {\n  if (x) { return `}${x}` + /}/.source; }\n}\nconst b = (y) => {\n  exec(y);\n};\nclass C {\n  m() { return 1; }\n  n(): string { if (z) { exec(z); } return ''; }\n}\n";
        let out = pruned(Syntax::JavaScript, src, &["child_process"]);
        assert_eq!(out.len(), src.len());
        assert_eq!(
            kept(&out),
            [
                "const { exec } = require('child_process');",
                "function a(x) {",
                "}",
                "const b = (y) => {",
                "exec(y);",
                "};",
                "class C {",
                "m() {           }",
                "n(): string { if (z) { exec(z); } return ''; }",
                "}"
            ]
        );
    }

    #[test]
    fn go_blanks_func_bodies_but_not_struct_types_or_if_blocks() {
        let src = "package p\n\nfunc a(x int) (err error) {\n\tif f(x) {\n\t\treturn nil\n\t}\n\treturn nil\n}\n\nfunc (s *S) b() struct{ n int } {\n\tdb.Query(q)\n\treturn struct{ n int }{}\n}\n";
        let out = pruned(Syntax::Go, src, &["Query"]);
        assert_eq!(
            kept(&out),
            [
                "package p",
                "func a(x int) (err error) {",
                "}",
                "func (s *S) b() struct{ n int } {",
                "db.Query(q)",
                "return struct{ n int }{}",
                "}"
            ]
        );
    }

    #[test]
    fn java_blanks_methods_and_keeps_the_ones_with_a_hit() {
        let src = "class A {\n  void f() throws IOException {\n    x();\n  }\n  void g(String c) {\n    Runtime.getRuntime().exec(c);\n  }\n}\n";
        let out = pruned(Syntax::Java, src, &["exec"]);
        assert_eq!(
            kept(&out),
            [
                "class A {",
                "void f() throws IOException {",
                "}",
                "void g(String c) {",
                "Runtime.getRuntime().exec(c);",
                "}",
                "}"
            ]
        );
    }

    #[test]
    fn what_the_lexer_cannot_follow_is_not_pruned() {
        for (syntax, src) in [
            (Syntax::Python, "def f():\n    x = 'unterminated\n"),
            (Syntax::JavaScript, "function f() {\n  return <p>Don't</p>;\n}\n"),
            (Syntax::Go, "func f() {\n"),
            (Syntax::Java, "class A { void f() { } } }"),
        ] {
            let mut interests = [Interest::default()];
            assert!(prune(syntax, src, &mut interests).is_none(), "{src}");
        }
    }

    #[test]
    fn any_text_prunes_to_the_same_length_without_panicking() {
        // A small deterministic generator over the bytes the outline cares about.
        let pieces = [
            "def ", "class ", "async ", "@d\n", "(", ")", "[", "]", "{", "}", "\"", "'", "`", "${", "/",
            "//", "/*", "*/", "#", "\\", "\n", "    ", "\t", "=", "=>", "->", ":", ";", "func ", "import ",
            "from ", " as ", "x", "é", "if ", "return ", "\"\"\"", "r'", "struct", "\r\n",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let len = (next() % 60) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            for syntax in [Syntax::Python, Syntax::JavaScript, Syntax::Go, Syntax::Java] {
                let at: Vec<usize> = (0..3).map(|_| (next() as usize) % (text.len() + 1)).collect();
                let mut interests = [Interest {
                    forms: vec![
                        Clause::All(vec![Need::at(at.clone(), true)]),
                        Clause::All(vec![Need {
                            in_strings: at,
                            binds: true,
                            ..Need::default()
                        }]),
                    ],
                }];
                if let Some(Pruning::Parts(p)) = prune(syntax, &text, &mut interests) {
                    assert_eq!(p.text.len(), text.len(), "{text:?}");
                    assert_eq!(p.text.matches('\n').count(), text.matches('\n').count());
                }
            }
        }
    }

    #[test]
    fn call_names_count_where_called_aliased_or_imported() {
        let target = WordTarget {
            need: 0,
            whole: true,
            in_strings: false,
            called: true,
        };
        let mut finder = NeedWords::new(vec![("text".to_string(), target)]);
        let (set, ids) = WordSet::of(finder.words());
        finder.bind(ids);
        let src = "from sqlalchemy import text as t\ntext = 1\nq = text (s)\nr = text<Row>(s)\nprint(text)\n";
        let mut needs = [Need::new(None, true)];
        finder.find_into(&set.find(src), src, &mut needs);
        let at = std::mem::take(&mut needs[0].at);
        let lines: Vec<usize> = at.iter().map(|&p| src[..p].matches('\n').count() + 1).collect();
        assert_eq!(lines, [1, 3, 4]);
    }

    #[test]
    fn a_functions_value_strings_are_joined_without_quotes_or_prose() {
        let strings = |syntax: Syntax, src: &str| {
            let toks = lex(syntax, src.as_bytes()).expect("lexes");
            let outline = Outline {
                syntax,
                text: src,
                toks: &toks,
                shared: None,
            };
            outline.value_strings(&(0..src.len()))
        };
        let py = "def f(x):\n    \"\"\"Select rows FROM prose.\"\"\"\n    q = rb'DELETE ' \"FROM t\"\n    q += f\"WHERE {x}\"\n";
        assert_eq!(strings(Syntax::Python, py), "DELETE  FROM t WHERE {x} ");
        let js = "function f(a) { return db.query(`SELECT ${a} FROM t`, 'x'); }";
        assert_eq!(strings(Syntax::JavaScript, js), "SELECT   FROM t x ");
    }

    #[test]
    fn a_file_where_nothing_holds_a_word_is_not_parsed_at_all() {
        let src = "import os\n\n\ndef a():\n    return 1\n\n\nclass B:\n    def c(self):\n        pass\n";
        assert_eq!(pruned(Syntax::Python, src, &["execute"]), "");
        // A word outside definitions (module level) or in one keeps the file.
        let top = format!("{src}execute(q)\n");
        assert_eq!(
            kept(&pruned(Syntax::Python, &top, &["execute"])),
            ["import os", "pass", "pass", "execute(q)"]
        );
        let script = "x = 1\nexecute(q)\n";
        assert_eq!(pruned(Syntax::Python, script, &["execute"]), script);
        assert_eq!(pruned(Syntax::Python, "x = 1\n", &["execute"]), "");
    }
}
