//! The forms of `[rule.code]`, compiled and evaluated over an [`Index`].

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use toml::Spanned;

use super::flow::{builder_parts, constant_or_masked, mentions, Flow, Mention};
use super::index::{snake, Call, Expr, ExprId, Index};
use super::words::WordHits;
use crate::error::LocatedError;
use crate::finding::Hit;
use crate::matchers::pattern::{Flavor, Pattern as Lazy};
use crate::policy::raw::{
    CodeArg, CodeCallForm, CodeImportForm, CodePlace, CodePropertyForm, CodeStringForm, CodeTable,
    RustReportAt,
};
use crate::policy::Rule;

/// A dotted name pattern matched against the last segments of a path.
#[derive(Debug, Clone)]
pub struct PathPattern(Vec<Segment>);

/// One dotted segment: alternatives (`a|b`), each the literal pieces around its `*`s.
#[derive(Debug, Clone)]
struct Segment(Vec<Vec<String>>);

impl Segment {
    fn parse(s: &str) -> Self {
        Self(
            s.split('|')
                .map(|alt| alt.split('*').map(str::to_string).collect())
                .collect(),
        )
    }

    /// `*` matches any run of characters within the segment; `a|b` is either.
    fn matches(&self, s: &str) -> bool {
        self.0.iter().any(|pieces| glob(pieces, s))
    }
}

/// Whether `s` is the pieces joined by runs of any characters.
fn glob(pieces: &[String], s: &str) -> bool {
    let [first, middle @ .., last] = pieces else {
        return pieces.first().is_some_and(|p| p == s);
    };
    let Some(mut rest) = s.strip_prefix(first.as_str()) else {
        return false;
    };
    if rest.len() < last.len() {
        return false;
    }
    let tail = rest.len() - last.len();
    if !rest.is_char_boundary(tail) || &rest[tail..] != last {
        return false;
    }
    rest = &rest[..tail];
    for piece in middle {
        let Some(at) = rest.find(piece.as_str()) else {
            return false;
        };
        rest = &rest[at + piece.len()..];
    }
    true
}

impl PathPattern {
    /// The longest literal piece of any segment, when one has three bytes or more.
    fn longest_piece(&self) -> Option<String> {
        self.0
            .iter()
            .flat_map(|seg| seg.0.iter().flatten())
            .max_by_key(|p| p.len())
            .filter(|p| p.len() >= 3)
            .cloned()
    }

    fn parse(s: &str) -> Option<Self> {
        let segs: Vec<&str> = s.split('.').collect();
        (!s.is_empty() && segs.iter().all(|g| !g.is_empty()))
            .then(|| Self(segs.into_iter().map(Segment::parse).collect()))
    }

    /// Whether the pattern matches the end of `path`; the last segment, the most telling,
    /// is compared first.
    pub fn matches(&self, path: &[String]) -> bool {
        self.0.len() <= path.len()
            && self
                .0
                .iter()
                .rev()
                .zip(path.iter().rev())
                .all(|(p, s)| p.matches(s))
    }

    /// Words the prefilter can look for: the literal pieces of the last segment.
    pub fn words(&self) -> Vec<String> {
        let Some(last) = self.0.last() else {
            return Vec::new();
        };
        last.0
            .iter()
            .flatten()
            .filter(|w| w.len() >= 3)
            .cloned()
            .collect()
    }
}

/// Literals every match of `pattern` starts with (lowercased; at least three bytes each), when
/// there are finitely many: a string the pattern matches holds one of them.
fn required_prefixes(pattern: &str) -> Option<Vec<(String, bool)>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix).limit_total(4096);
    let seq = extractor.extract(&hir);
    let literals = seq.literals()?;
    let mut words: Vec<String> = Vec::new();
    for lit in literals {
        let word = String::from_utf8_lossy(lit.as_bytes()).to_ascii_lowercase();
        if word.trim().len() < 3 {
            return None;
        }
        words.push(word);
    }
    words.sort();
    words.dedup();
    (!words.is_empty()).then(|| words.into_iter().map(|w| (w, false)).collect())
}

/// Words that meet one of a form's needs (see [`super::regions::Need`]).
#[derive(Debug, Clone)]
pub struct WordSpec {
    /// Each word, and whether it must be a whole identifier.
    pub words: Vec<(String, bool)>,
    /// They count only inside value strings (found in any case).
    pub in_strings: bool,
    /// They name calls: a whole one counts where it is called or imported.
    pub called: bool,
}

impl WordSpec {
    fn names(words: Vec<(String, bool)>, called: bool) -> Self {
        Self {
            words,
            in_strings: false,
            called,
        }
    }

    fn in_strings(words: Vec<(String, bool)>) -> Self {
        Self {
            words,
            in_strings: true,
            called: false,
        }
    }
}

/// One need of a form: met by any of its words.
#[derive(Debug, Clone)]
pub struct NeedSpec {
    pub any_of: Vec<WordSpec>,
    /// A word found in a string counts only when the function's value strings, joined, match
    /// the form's text as well.
    pub matching: bool,
    /// Names bound outside functions beside a word meet it too.
    pub binds: bool,
}

impl NeedSpec {
    fn words(words: WordSpec, binds: bool) -> Self {
        Self {
            any_of: vec![words],
            matching: false,
            binds,
        }
    }
}

/// A form's list of name patterns. Most calls in a file match none of them, so the exact last
/// segments the patterns accept are kept sorted: a call whose last segment is not one of them is
/// turned away by a binary search instead of a comparison with every pattern (which, over the
/// real packages' calls, was 3.5% of a scan).
#[derive(Debug, Clone, Default)]
pub struct PathPatterns {
    list: Vec<PathPattern>,
    /// Every last segment the patterns accept, sorted; `None` when one has a `*` there.
    last_segments: Option<Vec<String>>,
}

impl PathPatterns {
    /// The words a call or import these patterns match must spell (where it is written, or
    /// where an import binds its alias): each alternative's last segment, whole when it has no
    /// `*`; else the longest piece of three bytes or more in any segment (`subprocess` of
    /// `subprocess.*`).
    fn region_words(&self) -> Option<Vec<(String, bool)>> {
        let mut words = Vec::new();
        for pattern in &self.list {
            for pieces in &pattern.0.last()?.0 {
                match pieces.as_slice() {
                    [whole] if !whole.is_empty() => words.push((whole.clone(), true)),
                    _ => words.push((pattern.longest_piece()?, false)),
                }
            }
        }
        (!words.is_empty()).then_some(words)
    }

    fn new(list: Vec<PathPattern>) -> Self {
        let last_segments = list
            .iter()
            .map(|p| {
                let alternatives = &p.0.last()?.0;
                let literal = alternatives.iter().all(|pieces| pieces.len() == 1);
                literal.then(|| alternatives.iter().flatten().cloned().collect::<Vec<_>>())
            })
            .collect::<Option<Vec<_>>>()
            .map(|words| {
                let mut words: Vec<String> = words.into_iter().flatten().collect();
                words.sort_unstable();
                words.dedup();
                words
            });
        Self { list, last_segments }
    }

    /// Whether one of the patterns matches the end of `path`.
    pub fn matches(&self, path: &[String]) -> bool {
        if let (Some(segments), Some(last)) = (&self.last_segments, path.last()) {
            if segments.binary_search(last).is_err() {
                return false;
            }
        }
        self.list.iter().any(|p| p.matches(path))
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn iter(&self) -> std::slice::Iter<'_, PathPattern> {
        self.list.iter()
    }
}

/// One compiled form.
#[derive(Debug)]
pub enum Form {
    /// `[[rule.code.call]]`
    Call(Box<CallForm>),
    /// `[[rule.code.property]]`
    Property(PropertyForm),
    /// `[[rule.code.string]]`
    String(StringForm),
    /// `[[rule.code.decision]]`
    Decision(Box<super::decision::DecisionForm>),
    /// `[[rule.code.import]]`
    Import(ImportForm),
}

/// A compiled import form.
#[derive(Debug)]
pub struct ImportForm {
    modules: PathPatterns,
    message: Option<String>,
    label: Option<String>,
}

impl ImportForm {
    fn compile(rule: &Rule, f: &Spanned<CodeImportForm>) -> Result<Self, LocatedError> {
        let v = f.get_ref();
        if v.module.is_empty() {
            return Err(error(rule, f.span(), "`module` is empty")
                .with_help("list the modules, e.g. module = [\"pickle\", \"telnetlib\"]"));
        }
        Ok(Self {
            modules: patterns(rule, &v.module)?,
            message: v.message.clone(),
            label: v.label.clone(),
        })
    }

    /// Each import of a listed module or of a module under one.
    fn check(&self, index: &Index, out: &mut Vec<Hit>) {
        for (path, span) in &index.imports {
            let listed = (1..=path.len()).any(|n| self.modules.matches(&path[..n]));
            if listed {
                out.push(Hit {
                    span: span.clone(),
                    message: self.message.clone(),
                    label: self.label.clone(),
                    ..Hit::default()
                });
            }
        }
    }
}

/// A compiled string form.
#[derive(Debug)]
pub struct StringForm {
    text: Lazy,
    /// `text`, shared with pruning once built.
    matching: OnceLock<Option<Arc<regex::Regex>>>,
    words: Vec<String>,
    sanitizers: PathPatterns,
    unless_argument_of: PathPatterns,
    message: Option<String>,
    label: Option<String>,
}

/// A compiled call form.
#[derive(Debug)]
pub struct CallForm {
    names: PathPatterns,
    arg: Option<CodeArg>,
    literal: Vec<String>,
    built: bool,
    dynamic: bool,
    shell_argv: bool,
    after_context: bool,
    sources: PathPatterns,
    text: Option<Lazy>,
    /// `text`, shared with pruning once built.
    matching: OnceLock<Option<Arc<regex::Regex>>>,
    sanitizers: PathPatterns,
    with: Vec<(CodeArg, Vec<String>)>,
    mentions: Option<Lazy>,
    unless_call: Option<Lazy>,
    flows_to: Option<Lazy>,
    report: RustReportAt,
    message: Option<String>,
    label: Option<String>,
}

/// A compiled property form.
#[derive(Debug)]
pub struct PropertyForm {
    keys: Vec<String>,
    literal: Vec<String>,
    within: PathPatterns,
    places: Vec<CodePlace>,
    unless_key: Vec<String>,
    message: Option<String>,
    label: Option<String>,
}

fn error(rule: &Rule, span: Range<usize>, msg: &str) -> LocatedError {
    rule.error(span, msg)
}

/// Name and text patterns: checked at load (errors at the offending character), built on
/// first use, so a run whose files never reach a code rule does not pay for them.
fn regex(rule: &Rule, s: &Option<Spanned<String>>, eager: bool) -> Result<Option<Lazy>, LocatedError> {
    s.as_ref()
        .map(|s| Lazy::compile(rule, s, Flavor::Text, eager))
        .transpose()
}

fn patterns(rule: &Rule, names: &[Spanned<String>]) -> Result<PathPatterns, LocatedError> {
    names
        .iter()
        .map(|n| {
            PathPattern::parse(n.get_ref()).ok_or_else(|| {
                error(rule, n.span(), "invalid name")
                    .with_label("a dotted path with no empty segment")
                    .with_help("write `requests.get`, `*.execute` or `logging.*`")
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(PathPatterns::new)
}

fn literals(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|l| l.get_ref().clone()).collect()
}

/// Compiles every form of the table.
pub fn compile(rule: &Rule, table: &CodeTable, eager: bool) -> Result<Vec<Form>, LocatedError> {
    let mut forms = Vec::new();
    for f in &table.call {
        forms.push(Form::Call(Box::new(call_form(rule, f, eager)?)));
    }
    for f in &table.property {
        forms.push(Form::Property(property_form(rule, f)?));
    }
    for f in &table.string {
        forms.push(Form::String(string_form(rule, f, eager)?));
    }
    for f in &table.import {
        forms.push(Form::Import(ImportForm::compile(rule, f)?));
    }
    for f in &table.decision {
        forms.push(Form::Decision(Box::new(super::decision::compile(
            rule, f, eager,
        )?)));
    }
    Ok(forms)
}

fn call_form(rule: &Rule, f: &Spanned<CodeCallForm>, eager: bool) -> Result<CallForm, LocatedError> {
    let v = f.get_ref();
    if v.name.is_empty() {
        return Err(
            error(rule, f.span(), "`name` is empty").with_help("list the calls, e.g. name = [\"os.system\"]")
        );
    }
    let arg = v.arg.as_ref().map(|a| a.get_ref().clone());
    let needs_arg = v.built || v.dynamic || v.shell_argv || !v.literal.is_empty();
    if needs_arg && arg.is_none() {
        return Err(
            error(rule, f.span(), "`built`, `dynamic` and `literal` need `arg`")
                .with_label("in this form")
                .with_help("say which argument: arg = 0 (position) or arg = \"verify\" (name)"),
        );
    }
    if v.text.is_some() && !v.built {
        let span = v.text.as_ref().map_or(f.span(), Spanned::span);
        return Err(error(rule, span, "`text` needs `built = true`").with_label("the text of which string?"));
    }
    let mut with = Vec::new();
    for (k, val) in &v.with {
        let key = match k.parse::<usize>() {
            Ok(i) => CodeArg::Position(i),
            Err(_) => CodeArg::Name(k.clone()),
        };
        // `{ "0" = "sh|bash" }`: any of the alternatives.
        with.push((key, val.get_ref().split('|').map(str::to_string).collect()));
    }
    Ok(CallForm {
        names: patterns(rule, &v.name)?,
        arg,
        literal: literals(&v.literal),
        built: v.built,
        dynamic: v.dynamic,
        shell_argv: v.shell_argv,
        after_context: v.after_context,
        sources: patterns(rule, &v.sources)?,
        text: regex(rule, &v.text, eager)?,
        matching: OnceLock::new(),
        sanitizers: patterns(rule, &v.sanitizers)?,
        with,
        mentions: regex(rule, &v.mentions, eager)?,
        unless_call: regex(rule, &v.unless_call, eager)?,
        flows_to: regex(rule, &v.flows_to, eager)?,
        report: v.report.as_ref().map_or(RustReportAt::Call, |r| *r.get_ref()),
        message: v.message.clone(),
        label: v.label.clone(),
    })
}

fn property_form(rule: &Rule, f: &Spanned<CodePropertyForm>) -> Result<PropertyForm, LocatedError> {
    let v = f.get_ref();
    if v.key.is_empty() || v.literal.is_empty() {
        return Err(error(rule, f.span(), "a property form needs `key` and `literal`")
            .with_help("e.g. key = [\"rejectUnauthorized\"], literal = [\"false\"]"));
    }
    Ok(PropertyForm {
        keys: literals(&v.key),
        literal: literals(&v.literal),
        within: patterns(rule, &v.within)?,
        places: if v.places.is_empty() {
            vec![CodePlace::Argument, CodePlace::Object, CodePlace::Assignment]
        } else {
            v.places.iter().map(|p| *p.get_ref()).collect()
        },
        unless_key: literals(&v.unless_key),
        message: v.message.clone(),
        label: v.label.clone(),
    })
}

fn string_form(rule: &Rule, f: &Spanned<CodeStringForm>, eager: bool) -> Result<StringForm, LocatedError> {
    let v = f.get_ref();
    let text = regex(rule, &Some(v.text.clone()), eager)?.ok_or_else(|| error(rule, f.span(), "no text"))?;
    Ok(StringForm {
        text,
        matching: OnceLock::new(),
        words: Vec::new(),
        sanitizers: patterns(rule, &v.sanitizers)?,
        unless_argument_of: patterns(rule, &v.unless_argument_of)?,
        message: v.message.clone(),
        label: v.label.clone(),
    })
}

impl Form {
    /// Prefilter words of the form.
    pub fn words(&self) -> Vec<String> {
        match self {
            Form::Call(f) => f.names.iter().flat_map(PathPattern::words).collect(),
            Form::Property(f) => f.keys.clone(),
            Form::String(f) => f.words.clone(),
            Form::Decision(f) => f.words(),
            Form::Import(f) => f.modules.iter().flat_map(PathPattern::words).collect(),
        }
    }

    /// What a function must hold for the form to match in it, for pruning (see
    /// [`super::regions`]): needs that must all be met, each by any of its words. `None` when
    /// the form names nothing that narrow: every function is kept for it.
    pub fn region_needs(&self) -> Option<Vec<NeedSpec>> {
        let needs = match self {
            Form::Call(f) => f.region_needs(),
            Form::Import(f) => f
                .modules
                .region_words()
                .map(|w| NeedSpec::words(WordSpec::names(w, false), true))
                .into_iter()
                .collect(),
            Form::Property(f) if !f.keys.is_empty() => {
                let keys = f.keys.iter().map(|k| (k.clone(), false)).collect();
                vec![NeedSpec::words(WordSpec::names(keys, false), true)]
            }
            // The literal prefixes find candidates; the function's strings, joined, must then
            // read as the whole text.
            Form::String(f) => required_prefixes(f.text.as_str())
                .map(|w| NeedSpec {
                    matching: true,
                    ..NeedSpec::words(WordSpec::in_strings(w), true)
                })
                .into_iter()
                .collect(),
            Form::Property(_) | Form::Decision(_) => Vec::new(),
        };
        (!needs.is_empty()).then_some(needs)
    }

    /// The regex the text of a string form, or of a call form's built argument, must match
    /// (for [`NeedSpec::matching`]).
    pub fn matching(&self) -> Option<Arc<regex::Regex>> {
        let (text, cell) = match self {
            Form::String(f) => (Some(&f.text), &f.matching),
            Form::Call(f) => (f.text.as_ref(), &f.matching),
            _ => return None,
        };
        cell.get_or_init(|| text.and_then(|t| t.text()).cloned().map(Arc::new))
            .clone()
    }

    /// Whether the form asks what a call's arguments mention: those names are in the call, so
    /// the function must also spell one of the rule's trigger words.
    pub fn mentions(&self) -> bool {
        matches!(self, Form::Call(f) if f.mentions.is_some())
    }

    /// Whether the form is a `decision` (found by its attributes, not by names).
    pub fn is_decision(&self) -> bool {
        matches!(self, Form::Decision(_))
    }

    /// Where a decision form's attributes occur, as `hits` found their spellings (nothing
    /// for other forms).
    pub fn hits(&self, hits: &WordHits, text: &str) -> Vec<usize> {
        match self {
            Form::Decision(f) => f.hits(hits, text),
            _ => Vec::new(),
        }
    }

    /// The words a decision form searches for before a parse (none for other forms).
    pub fn spellings(&self) -> &[String] {
        match self {
            Form::Decision(f) => f.spellings(),
            _ => &[],
        }
    }

    /// Where [`Form::spellings`] are in the word set searched.
    pub fn bind(&mut self, ids: Vec<usize>) {
        if let Form::Decision(f) = self {
            f.bind(ids);
        }
    }

    /// Reports every node of `index` the form matches.
    pub fn check(&self, index: &Index, out: &mut Vec<Hit>) {
        match self {
            Form::Call(f) => f.check(index, out),
            Form::Property(f) => f.check(index, out),
            Form::String(f) => f.check(index, out),
            Form::Decision(f) => f.check(index, out),
            Form::Import(f) => f.check(index, out),
        }
    }
}

/// Whether the expression is one of the literals: strings by value, other literals
/// case-insensitively (`False` is `false`), names and attributes by path suffix.
fn is_literal(index: &Index, id: ExprId, literals: &[String]) -> bool {
    match index.expr(id) {
        Expr::Str(s) => literals.iter().any(|l| l == s),
        // A constant-looking literal (`NONE`, urllib3's `cert_reqs="NONE"`) is not Python's
        // `None`: only lower- or mixed-case literals compare case-insensitively.
        Expr::Lit(s) => literals.iter().any(|l| {
            if super::index::is_constant_name(l) {
                l == s
            } else {
                l.eq_ignore_ascii_case(s)
            }
        }),
        // Only constant-looking literals (`CERT_NONE`, `ssl.CERT_NONE`) compare with names: a
        // variable called `cmd` is not the literal "cmd".
        Expr::Name(_) | Expr::Attr(..) => {
            let path = index.path_of(id);
            literals
                .iter()
                .filter(|l| l.contains('.') || super::index::is_constant_name(l))
                .any(|l| PathPattern::parse(l).is_some_and(|p| p.matches(&path)))
                || local_literal(index, id, literals)
        }
        _ => false,
    }
}

/// A local bound only to that literal before its use: `let shell = "bash"; spawn(shell, ...)`
/// is `spawn("bash", ...)`. Every value assigned to it before the use must match (`let v =
/// false; if (x) v = true;` is not `false`); a parameter (no value here) is not a literal.
fn local_literal(index: &Index, id: ExprId, literals: &[String]) -> bool {
    let Expr::Name(n) = index.expr(id) else {
        return false;
    };
    let values = index.values_of(n, index.func_of(id), index.span(id).start);
    !values.is_empty()
        && values
            .iter()
            .all(|&v| matches!(index.expr(v), Expr::Str(_) | Expr::Lit(_)) && is_literal(index, v, literals))
}

/// Programs that run their argument as a command line, and the flag that introduces it.
const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "ash",
    "fish",
    "cmd",
    "powershell",
    "pwsh",
];
const SHELL_FLAGS: &[&str] = &["-c", "/c", "/C", "-lc", "-ic", "-Command", "-command", "/k"];

/// In an argument vector (`["sh", "-c", cmd]`, or a local holding one, or `"sh"` given as an
/// earlier argument: `spawn("sh", ["-c", cmd])`), the item a shell runs as a command line.
fn shell_command(index: &Index, call: &Call, list: ExprId) -> Option<ExprId> {
    let mut slots: Vec<Vec<ExprId>> = call
        .args
        .iter()
        .take_while(|&&a| a != list)
        .map(|&a| vec![a])
        .collect();
    slots.extend(list_items(index, list, 0));
    let word = |id: ExprId| match index.expr(id) {
        Expr::Str(s) => Some(s.as_str()),
        _ => None,
    };
    let shell = |id: ExprId| {
        word(id)
            .and_then(|w| w.rsplit(['/', '\\']).next())
            .is_some_and(|p| SHELLS.contains(&p.trim_end_matches(".exe")))
    };
    let flag = |id: ExprId| word(id).is_some_and(|f| SHELL_FLAGS.contains(&f));
    let commands: Vec<ExprId> = slots
        .windows(3)
        .filter(|w| w[0].iter().any(|&p| shell(p)) && w[1].iter().any(|&f| flag(f)))
        .flat_map(|w| w[2].iter().copied())
        .collect();
    // A vector filled for two platforms (`cmd.exe /c` in one branch, `sh -c` in the other)
    // reads `cmd.exe /c sh`: a command that is not a plain word is the one that runs.
    commands
        .iter()
        .copied()
        .find(|&c| word(c).is_none())
        .or_else(|| commands.first().copied())
}

/// The items of a list or array literal, through a local it was assigned to and through an
/// array creation's initializer (`new String[]{...}`), each item with the values it may hold:
/// one, except for an array element stored by index in two branches (`cmd[0] = "cmd.exe"` or
/// `cmd[0] = "/bin/sh"`) or at an index not known here (`cmd[i] = x`: every element may hold x).
fn list_items(index: &Index, id: ExprId, depth: usize) -> Vec<Vec<ExprId>> {
    if depth > 3 {
        return Vec::new();
    }
    match index.expr(id) {
        Expr::Other(items) if items.iter().any(|&i| matches!(index.expr(i), Expr::Str(_))) => {
            items.iter().map(|&i| vec![i]).collect()
        }
        Expr::Other(items) => items
            .last()
            .map(|&i| list_items(index, i, depth + 1))
            .unwrap_or_default(),
        Expr::Name(n) => {
            let (func, at) = (index.func_of(id), index.span(id).start);
            let value = index.values_of(n, func, at).last().copied();
            let mut items = value.map(|v| list_items(index, v, depth + 1)).unwrap_or_default();
            // `cmd[2] = command` after the array was made (`new String[3]`, or a literal).
            let made = value.map_or(0, |v| index.span(v).start);
            for (k, values, replaces) in index.element_values(n, func, made, at) {
                if items.len() <= k {
                    items.resize(k + 1, Vec::new());
                }
                if replaces {
                    items[k] = values;
                } else {
                    items[k].extend(values);
                }
            }
            add_anywhere(&mut items, computed_stores(index, n, func, (made, at), depth));
            items.extend(
                index
                    .appended(n, func, at, super::index::APPENDS)
                    .into_iter()
                    .map(|i| vec![i]),
            );
            items
        }
        _ => Vec::new(),
    }
}

/// The values stored into the local array `name` at a computed index (`cmd[i] = x`) between
/// `made` and `at`; a list stored into a slice (`cmd[1:] = [...]`) by its items.
fn computed_stores(
    index: &Index,
    name: &str,
    func: Option<usize>,
    (made, at): (usize, usize),
    depth: usize,
) -> Vec<ExprId> {
    let mut out = Vec::new();
    for v in index.computed_element_values(name, func, made, at) {
        let items = match index.expr(v) {
            Expr::Other(_) => list_items(index, v, depth + 1),
            _ => Vec::new(),
        };
        // Anything but a list literal is one value (`x if c else y` too).
        if items.is_empty() {
            out.push(v);
        } else {
            out.extend(items.into_iter().flatten());
        }
    }
    out
}

/// Values stored at an unknown index may be in any element: each known element may hold them,
/// and so may one past the known ones (`new String[3]` with two set by literal index).
fn add_anywhere(items: &mut Vec<Vec<ExprId>>, values: Vec<ExprId>) {
    if values.is_empty() {
        return;
    }
    for item in items.iter_mut() {
        item.extend(values.iter().copied());
    }
    items.push(values);
}

fn argument(call: &Call, arg: &CodeArg) -> Option<ExprId> {
    match arg {
        CodeArg::Position(i) => call.args.get(*i).copied(),
        CodeArg::Name(n) => call.named.iter().find(|(k, _)| k == n).map(|(_, v)| *v),
    }
}

/// Whether an argument reads as a Go-style context: a name `ctx`/`context` (or ending so:
/// `reqCtx`, `parent_context`), or a call that makes or fetches one (`context.Background()`,
/// `context.WithTimeout(...)`, `r.Context()`). A query string is never named so.
fn is_context(index: &Index, id: ExprId) -> bool {
    match index.expr(id) {
        Expr::Name(n) => {
            let n = snake(n);
            n == "ctx" || n == "context" || n.ends_with("_ctx") || n.ends_with("_context")
        }
        Expr::Call(c) => {
            let path = &index.calls[*c].path;
            path.first().is_some_and(|p| p == "context") || path.last().is_some_and(|p| p == "Context")
        }
        _ => false,
    }
}

/// The call's argument `arg`, counted after a leading context argument when `after_context`.
fn argument_after(index: &Index, call: &Call, arg: &CodeArg, after_context: bool) -> Option<ExprId> {
    match arg {
        CodeArg::Position(i) if after_context && call.args.first().is_some_and(|&a| is_context(index, a)) => {
            call.args.get(i + 1).copied()
        }
        _ => argument(call, arg),
    }
}

impl CallForm {
    /// See [`Form::region_needs`]: the call's name; a named argument it reads or constrains
    /// (`verify=False`); and for a query built from text, that text's words in a string or an
    /// untrusted source's name (the value's literal pieces are in the function or in a module
    /// constant it reads, and so is the source).
    fn region_needs(&self) -> Vec<NeedSpec> {
        let mut needs = Vec::new();
        if let Some(w) = self.names.region_words() {
            needs.push(NeedSpec::words(WordSpec::names(w, true), true));
        }
        let named = self.arg.iter().chain(self.with.iter().map(|(k, _)| k));
        for arg in named {
            if let CodeArg::Name(k) = arg {
                needs.push(NeedSpec::words(
                    WordSpec::names(vec![(k.clone(), true)], false),
                    false,
                ));
            }
        }
        if let Some(text) = self.text.as_ref().filter(|_| self.built) {
            let sources = if self.sources.is_empty() {
                Some(Vec::new())
            } else {
                self.sources.region_words()
            };
            if let (Some(words), Some(sources)) = (required_prefixes(text.as_str()), sources) {
                let mut any_of = vec![WordSpec::in_strings(words)];
                if !sources.is_empty() {
                    any_of.push(WordSpec::names(sources, false));
                }
                needs.push(NeedSpec {
                    any_of,
                    matching: true,
                    binds: true,
                });
            }
        }
        needs
    }

    fn hit(&self, span: Range<usize>) -> Hit {
        Hit {
            span,
            message: self.message.clone(),
            label: self.label.clone(),
            ..Hit::default()
        }
    }

    fn check(&self, index: &Index, out: &mut Vec<Hit>) {
        let sanitizer = |path: &[String]| self.sanitizers.matches(path);
        let flow = Flow::new(index, &sanitizer);
        for (id, call) in index.calls.iter().enumerate() {
            if !index.call_matches(call, &|path| self.names.matches(path)) {
                continue;
            }
            if !self.with.iter().all(|(k, alts)| {
                argument_after(index, call, k, self.after_context).is_some_and(|a| is_literal(index, a, alts))
            }) {
                continue;
            }
            let target = match &self.arg {
                Some(a) => match argument_after(index, call, a, self.after_context) {
                    Some(t) if self.shell_argv => match shell_command(index, call, t) {
                        Some(cmd) => Some(cmd),
                        None => continue,
                    },
                    Some(t) => Some(t),
                    None => continue,
                },
                None => None,
            };
            if let Some(t) = target {
                if !self.literal.is_empty() && !is_literal(index, t, &self.literal) {
                    continue;
                }
                if self.dynamic && !flow.dynamic(t) {
                    continue;
                }
                // Built (with the text the form asks for), or read from an untrusted source.
                let built = self.built
                    && flow.built(t)
                    && self.text.as_ref().is_none_or(|re| re.is_match(&flow.text(t)));
                let source = |p: &[String]| self.sources.matches(p);
                // A tainted value with literal text must still read as the form's text: `'convert '
                // + req.query.f` is not a query.
                // An array or object (`Promise.all([...])`) is not query text.
                let tainted = !self.sources.is_empty()
                    && !matches!(index.expr(t), Expr::Other(_) | Expr::Compare(_) | Expr::Arith(_))
                    && flow.tainted(t, &source)
                    && self.text.as_ref().is_none_or(|re| {
                        let text = flow.text(t);
                        text.trim().is_empty() || re.is_match(&text)
                    });
                if self.built && !built && !tainted {
                    continue;
                }
            }
            // A named argument underlines `verify=False`, not only `False`.
            let mut at = target.map(|t| match self.arg {
                Some(CodeArg::Name(_)) => pair_span(index, call, t),
                _ => index.span(t),
            });
            if let Some(re) = &self.mentions {
                match self.mentioned(index, id, target, re) {
                    Some(span) => at = at.or(Some(span)),
                    None => continue,
                }
            }
            if let Some(re) = &self.flows_to {
                if !flows_to(index, id, re) {
                    continue;
                }
            }
            let span = match (self.report, at) {
                (RustReportAt::Argument, Some(s)) => s,
                _ => call.span.clone(),
            };
            out.push(self.hit(span));
        }
    }

    /// The span of the first argument (of the call or a method chained onto it) that mentions
    /// a matching name.
    fn mentioned(&self, index: &Index, id: usize, target: Option<ExprId>, re: &Lazy) -> Option<Range<usize>> {
        let skip = |name: &str| self.unless_call.as_ref().is_some_and(|u| u.is_match(name));
        let matches = |e: ExprId| {
            let mut found: Vec<Mention> = Vec::new();
            mentions(index, e, &skip, &mut found);
            found.iter().any(|m| re.is_match(&m.name))
        };
        if let Some(t) = target {
            return matches(t).then(|| index.span(t));
        }
        for c in followers(index, id) {
            let this = &index.calls[c];
            for &a in &this.args {
                if matches(a) {
                    return Some(index.span(a));
                }
            }
            for (k, v) in &this.named {
                let constant = constant_or_masked(index, *v, &skip);
                if (!constant && re.is_match(&snake(k))) || matches(*v) {
                    return Some(index.span(*v));
                }
            }
        }
        None
    }
}

/// The call and the calls that continue it: methods chained onto it
/// (`createHash('md5').update(pw)`) and, when its result is kept in a local, methods called on
/// that local in the same function (`h := md5.New(); h.Write(pw)`).
fn followers(index: &Index, id: usize) -> Vec<usize> {
    let mut out = vec![id];
    let mut c = id;
    while let Some(next) = index.calls[c].chained_by {
        if out.len() > 8 || out.contains(&next) {
            break;
        }
        out.push(next);
        c = next;
    }
    let span = index.calls[id].span.clone();
    let func = index.calls[id].func;
    for a in index.assigns_in(func) {
        let v = index.span(a.value);
        let [local] = a.target.as_slice() else { continue };
        if !(v.start <= span.start && span.end <= v.end) {
            continue;
        }
        for (i, other) in index.calls_in(func) {
            let on_local = other
                .receiver
                .is_some_and(|r| matches!(index.expr(r), Expr::Name(n) if n == local));
            if on_local && other.span.start > a.span.start && !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out
}

/// Whether the value of call `id` (through its method chain) is stored in, or passed as, a
/// name matching `re`, or passed to a call whose name matches (`user.set_password(digest)`,
/// `setPassword(h.Sum(nil))`): directly or through one local variable.
fn flows_to(index: &Index, id: usize, re: &Lazy) -> bool {
    let mut top = id;
    for _ in 0..8 {
        match index.calls[top].chained_by {
            Some(p) => top = p,
            None => break,
        }
    }
    let span = index.calls[top].span.clone();
    let named = |t: &[String]| t.last().is_some_and(|n| re.is_match(&snake(n)));
    // A method that stores or checks a password (`set_password`, `setPassword`,
    // `check_password`): its argument is the password value.
    let setter = |c: &Call| named(&c.path);
    let holds = |value: ExprId| -> bool {
        let v = index.span(value);
        v.start <= span.start && span.end <= v.end
    };
    for a in &index.assigns {
        if !holds(a.value) {
            continue;
        }
        if named(&a.target) {
            return true;
        }
        // One hop: `h = md5(...)` then `user.password = h`.
        if let [local] = a.target.as_slice() {
            let later = index.assigns.iter().any(|b| {
                b.func == a.func
                    && b.span.start > a.span.start
                    && named(&b.target)
                    && mentions_name(index, b.value, local)
            });
            let passed = index.calls.iter().any(|c| {
                c.func == a.func
                    && c.span.start > a.span.start
                    && (c
                        .named
                        .iter()
                        .any(|(k, v)| re.is_match(&snake(k)) && mentions_name(index, *v, local))
                        || (setter(c) && c.args.iter().any(|&v| mentions_name(index, v, local))))
            });
            if later || passed {
                return true;
            }
        }
    }
    index.calls.iter().any(|c| {
        c.named.iter().any(|(k, v)| re.is_match(&snake(k)) && holds(*v))
            || (setter(c) && c.args.iter().any(|&v| holds(v)))
    })
}

fn mentions_name(index: &Index, id: ExprId, name: &str) -> bool {
    match index.expr(id) {
        Expr::Name(n) => n == name,
        Expr::Call(c) => index.calls[*c]
            .receiver
            .is_some_and(|r| mentions_name(index, r, name)),
        Expr::Other(p) | Expr::Concat(p) | Expr::Compare(p) | Expr::Arith(p) => {
            p.iter().any(|&x| mentions_name(index, x, name))
        }
        _ => false,
    }
}

impl PropertyForm {
    fn hit(&self, span: Range<usize>) -> Hit {
        Hit {
            span,
            message: self.message.clone(),
            label: self.label.clone(),
            ..Hit::default()
        }
    }

    fn check(&self, index: &Index, out: &mut Vec<Hit>) {
        let argument = self.places.contains(&CodePlace::Argument);
        for call in index.calls.iter().filter(|_| argument) {
            if !self.within.is_empty() && !index.call_matches(call, &|path| self.within.matches(path)) {
                continue;
            }
            if call.named.iter().any(|(k, _)| self.unless_key.contains(k)) {
                continue;
            }
            for (k, v) in &call.named {
                if self.keys.contains(k) && is_literal(index, *v, &self.literal) {
                    out.push(self.hit(pair_span(index, call, *v)));
                }
            }
        }
        if !self.within.is_empty() {
            return;
        }
        // Object literals outside calls (`const opts = { rejectUnauthorized: false }`).
        let object = self.places.contains(&CodePlace::Object);
        for (e, span) in index.exprs.iter().filter(|_| object) {
            if let Expr::Pair(k, v) = e {
                if self.keys.contains(k)
                    && is_literal(index, *v, &self.literal)
                    && !index.calls.iter().any(|c| c.named.iter().any(|(_, cv)| cv == v))
                {
                    out.push(self.hit(span.clone()));
                }
            }
        }
        let assignment = self.places.contains(&CodePlace::Assignment);
        for a in index.assigns.iter().filter(|_| assignment) {
            // `session.verify = False`, not a local flag named `verify`.
            if a.target.len() >= 2
                && a.target.last().is_some_and(|t| self.keys.contains(t))
                && is_literal(index, a.value, &self.literal)
            {
                out.push(self.hit(a.span.clone()));
            }
        }
    }
}

/// From the key to the value, when the pair is an expression of its own; else the value.
pub(super) fn pair_span(index: &Index, call: &Call, value: ExprId) -> Range<usize> {
    let v = index.span(value);
    index
        .exprs
        .iter()
        .filter_map(|(e, s)| match e {
            Expr::Pair(_, pv) if *pv == value => Some(s.clone()),
            _ => None,
        })
        .next()
        .filter(|s| call.span.start <= s.start && s.end <= call.span.end)
        .unwrap_or(v)
}

impl StringForm {
    fn check(&self, index: &Index, out: &mut Vec<Hit>) {
        let sanitizer = |path: &[String]| self.sanitizers.matches(path);
        let flow = Flow::new(index, &sanitizer);
        let mut covered = vec![false; index.exprs.len()];
        for call in &index.calls {
            if index.call_matches(call, &|path| self.unless_argument_of.matches(path)) {
                for &a in call.args.iter().chain(call.named.iter().map(|(_, v)| v)) {
                    cover(index, a, &mut covered, 0);
                }
            }
        }
        // A flattened `a + b + c` leaves its inner `a + b` in the arena: inside a covered
        // string counts as covered. One sweep: a span is inside some covered span exactly when
        // the covered spans starting at or before it reach its end.
        let mut covered_spans: Vec<Range<usize>> = covered
            .iter()
            .enumerate()
            .filter(|(i, &c)| c && matches!(index.expr(*i), Expr::Concat(_) | Expr::Format(..)))
            .map(|(i, _)| index.span(i))
            .collect();
        covered_spans.sort_by_key(|s| s.start);
        let mut candidates: Vec<usize> = (0..index.exprs.len())
            .filter(|&i| matches!(index.expr(i), Expr::Concat(_) | Expr::Format(..)) && !covered[i])
            .collect();
        candidates.sort_by_key(|&i| index.span(i).start);
        let mut found: Vec<Range<usize>> = Vec::new();
        let (mut next, mut reach) = (0, 0);
        for id in candidates {
            let span = index.span(id);
            while next < covered_spans.len() && covered_spans[next].start <= span.start {
                reach = reach.max(covered_spans[next].end);
                next += 1;
            }
            if next > 0 && reach >= span.end {
                continue;
            }
            if flow.built(id) && self.text.is_match(&flow.text(id)) {
                found.push(span.clone());
            }
        }
        // The outermost construction only: `"SELECT " + f"{x}"` is one string.
        found.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        let mut last: Option<Range<usize>> = None;
        for s in found {
            if last
                .as_ref()
                .is_some_and(|l| l.start <= s.start && s.end <= l.end)
            {
                continue;
            }
            out.push(Hit {
                span: s.clone(),
                message: self.message.clone(),
                label: self.label.clone(),
                ..Hit::default()
            });
            last = Some(s);
        }
    }
}

/// Marks `id` and every expression its value came from (parts, names' assigned values).
fn cover(index: &Index, id: ExprId, covered: &mut [bool], depth: usize) {
    if depth > 12 || covered[id] {
        return;
    }
    covered[id] = true;
    // What was appended to a builder is part of the string it passes on.
    if let Some(parts) = builder_parts(index, id) {
        for p in parts {
            cover(index, p, covered, depth + 1);
        }
        return;
    }
    match index.expr(id) {
        Expr::Name(n) => {
            for v in index.values_of(n, index.func_of(id), index.span(id).start) {
                cover(index, v, covered, depth + 1);
            }
        }
        Expr::Concat(parts) | Expr::Other(parts) | Expr::Compare(parts) | Expr::Arith(parts) => {
            for &p in parts {
                cover(index, p, covered, depth + 1);
            }
        }
        Expr::Format(t, args) => {
            cover(index, *t, covered, depth + 1);
            for &a in args {
                cover(index, a, covered, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn segment_globs_and_alternatives() {
        let p = |s: &str| PathPattern::parse(s).expect("valid");
        assert!(p("analytics.identify|track").matches(&path("analytics.identify")));
        assert!(p("analytics|segment.identify").matches(&path("x.segment.identify")));
        assert!(p("*.execute").matches(&path("self.cur.execute")));
        assert!(p("logging|*_logger.info|debug").matches(&path("app_logger.debug")));
        assert!(!p("*.execute").matches(&path("execute")));
        assert!(!p("requests.get").matches(&path("session.get")));
        assert_eq!(p("analytics.identify|track").words(), ["identify", "track"]);
    }
}
