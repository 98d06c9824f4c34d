//! The forms of `[rule.rust]`, compiled: their trigger words (whether a file can match at all,
//! checked before any parse) and their test against a file's [`Index`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::index::{self, Arg, Call, Index};
use super::mentions::Mention;
use super::names::{has_word, literal_present, word_around, word_positions, PathPattern};
use super::tokens::UnsafeSite;
use crate::error::LocatedError;
use crate::finding::Hit;
use crate::matchers::pattern::{Flavor, Pattern as Regex};
use crate::plan::keywords::KeywordDfa;
use crate::policy::raw::{
    RustCallForm, RustConditionContext, RustFieldForm, RustFormatArg, RustMacroForm, RustReportAt, RustTable,
    RustUnsafeForm, RustUnsafeKind, RustUseForm,
};
use crate::policy::Rule;

/// What a form may look at before a parse: the text and the rule's own keyword automaton.
pub struct Gate<'a> {
    /// The file.
    pub text: &'a str,
    /// The rule's explicit keywords, to test the identifiers around them.
    pub trigger: Option<&'a KeywordDfa>,
    /// Identifies the keyword set, so rules with the same keywords and regex share a result.
    pub trigger_key: &'a str,
    /// Results of [`Gate::names`] for this file, by keyword set and regex.
    pub memo: &'a RefCell<HashMap<String, Vec<usize>>>,
}

impl Gate<'_> {
    /// Positions of identifiers around a keyword hit that `re` matches; `None` without
    /// keywords (nothing to locate the names by).
    fn names(&self, re: &Regex) -> Option<Vec<usize>> {
        let ac = self.trigger?;
        let key = format!("{}\u{1e}{}", self.trigger_key, re.as_str());
        if let Some(found) = self.memo.borrow().get(&key) {
            return Some(found.clone());
        }
        let mut rejected: Vec<&str> = Vec::new();
        let found: Vec<usize> = ac
            .match_ends(self.text.as_bytes())
            .into_iter()
            .filter(|&at| {
                let word = word_around(self.text, at);
                // The same non-matching word recurs (`message` for `age`): test it once.
                if rejected.contains(&word) {
                    return false;
                }
                let hit = re.is_match(word);
                if !hit && rejected.len() < 64 {
                    rejected.push(word);
                }
                hit
            })
            .collect();
        self.memo.borrow_mut().insert(key, found.clone());
        Some(found)
    }

    /// The patterns whose segments all occur in the file.
    fn present<'p>(&self, patterns: &'p [PathPattern]) -> Vec<&'p PathPattern> {
        patterns.iter().filter(|p| p.present(self.text)).collect()
    }

    /// Where the anchor words of `patterns` occur.
    fn anchors(&self, patterns: &[&PathPattern]) -> Vec<usize> {
        patterns
            .iter()
            .flat_map(|p| word_positions(self.text, p.anchor()))
            .collect()
    }
}

/// One compiled form.
#[derive(Debug)]
pub struct Form {
    kind: Kind,
    span: Range<usize>,
    message: Option<String>,
    label: Option<String>,
}

#[derive(Debug)]
enum Kind {
    Call(CallForm),
    Macro(MacroForm),
    Unsafe(UnsafeForm),
    Field(FieldForm),
    Condition(ConditionForm),
    Use(Vec<PathPattern>, Option<Regex>),
}

#[derive(Debug)]
struct CallForm {
    names: Vec<PathPattern>,
    arg: Option<usize>,
    literal: Vec<String>,
    format: Option<Option<Regex>>,
    mentions: Option<Regex>,
    unless_call: Option<Regex>,
    receiver: Vec<PathPattern>,
    receiver_literal: Vec<String>,
    whole_body: bool,
    report: RustReportAt,
}

#[derive(Debug)]
struct MacroForm {
    names: Vec<PathPattern>,
    mentions: Regex,
    unless_call: Option<Regex>,
}

#[derive(Debug)]
struct UnsafeForm {
    kinds: Vec<RustUnsafeKind>,
    comment: String,
}

#[derive(Debug)]
struct FieldForm {
    name: Regex,
    derives: Vec<String>,
    unless_attribute: Vec<(String, Option<String>)>,
    unless_type: Vec<String>,
}

#[derive(Debug)]
struct ConditionForm {
    name: Regex,
    contexts: u8,
}

/// Compiles every form of the table.
pub fn compile(rule: &Rule, table: &RustTable) -> Result<Vec<Form>, LocatedError> {
    let mut forms = Vec::new();
    let mut add = |s: Range<usize>, kind, message: &Option<String>, label: &Option<String>| {
        forms.push(Form {
            kind,
            span: s,
            message: message.clone(),
            label: label.clone(),
        });
    };
    for f in &table.call {
        let v = f.get_ref();
        add(f.span(), Kind::Call(call_form(rule, v)?), &v.message, &v.label);
    }
    for f in &table.macros {
        let v = f.get_ref();
        add(f.span(), Kind::Macro(macro_form(rule, v)?), &v.message, &v.label);
    }
    for f in &table.unsafes {
        let v = f.get_ref();
        add(f.span(), Kind::Unsafe(unsafe_form(v)), &v.message, &v.label);
    }
    for f in &table.field {
        let v = f.get_ref();
        add(f.span(), Kind::Field(field_form(rule, v)?), &v.message, &v.label);
    }
    for f in &table.condition {
        let v = f.get_ref();
        let form = ConditionForm {
            name: regex(rule, &v.name)?,
            contexts: contexts(&v.contexts),
        };
        add(f.span(), Kind::Condition(form), &v.message, &v.label);
    }
    for f in &table.uses {
        let v: &RustUseForm = f.get_ref();
        add(
            f.span(),
            Kind::Use(paths(rule, &v.path, false)?, opt_regex(rule, &v.unless_context)?),
            &v.message,
            &v.label,
        );
    }
    Ok(forms)
}

/// Name patterns are built on first use for built-in rules (a run whose files never reach a
/// rust rule does not pay for them) and at load for user policies.
fn regex(rule: &Rule, pattern: &Spanned<String>) -> Result<Regex, LocatedError> {
    Regex::compile(rule, pattern, Flavor::Text, !rule.builtin)
}

fn opt_regex(rule: &Rule, pattern: &Option<Spanned<String>>) -> Result<Option<Regex>, LocatedError> {
    pattern.as_ref().map(|p| regex(rule, p)).transpose()
}

fn paths(rule: &Rule, names: &[Spanned<String>], wildcard: bool) -> Result<Vec<PathPattern>, LocatedError> {
    if names.is_empty() {
        return Err(rule
            .error(rule.span.clone(), "a rust form has an empty name list")
            .with_help("give at least one name or path"));
    }
    names
        .iter()
        .map(|n| {
            PathPattern::parse(n.get_ref())
                .filter(|p| wildcard || !p.wildcard)
                .ok_or_else(|| {
                    rule.error(n.span(), "invalid Rust path")
                        .with_label("expected identifiers separated by `::`")
                        .with_help(if wildcard {
                            "e.g. `println`, `log::info` or `tracing::*`"
                        } else {
                            "e.g. `danger_accept_invalid_certs` or `Command::new`; `*` is for macro names only"
                        })
                })
        })
        .collect()
}

fn strings(values: &[Spanned<String>]) -> Vec<String> {
    values.iter().map(|v| v.get_ref().clone()).collect()
}

fn call_form(rule: &Rule, v: &RustCallForm) -> Result<CallForm, LocatedError> {
    let format = match v.format.as_ref().map(|f| (f.get_ref(), f.span())) {
        None | Some((RustFormatArg::Any(false), _)) => None,
        Some((RustFormatArg::Any(true), _)) => Some(None),
        Some((RustFormatArg::Pattern(p), span)) => Some(Some(regex(rule, &Spanned::new(span, p.clone()))?)),
    };
    Ok(CallForm {
        names: paths(rule, &v.name, false)?,
        arg: v.arg.as_ref().map(|a| *a.get_ref()),
        literal: strings(&v.literal),
        format,
        mentions: opt_regex(rule, &v.mentions)?,
        unless_call: opt_regex(rule, &v.unless_call)?,
        receiver: if v.receiver.is_empty() {
            Vec::new()
        } else {
            paths(rule, &v.receiver, false)?
        },
        receiver_literal: strings(&v.receiver_literal),
        whole_body: v.whole_body,
        report: v
            .report
            .as_ref()
            .map_or_else(RustReportAt::default, |r| *r.get_ref()),
    })
}

fn macro_form(rule: &Rule, v: &RustMacroForm) -> Result<MacroForm, LocatedError> {
    Ok(MacroForm {
        names: paths(rule, &v.name, true)?,
        mentions: regex(rule, &v.mentions)?,
        unless_call: opt_regex(rule, &v.unless_call)?,
    })
}

fn unsafe_form(v: &RustUnsafeForm) -> UnsafeForm {
    let kinds: Vec<RustUnsafeKind> = v.kinds.iter().map(|k| *k.get_ref()).collect();
    UnsafeForm {
        kinds: if kinds.is_empty() {
            vec![RustUnsafeKind::Block, RustUnsafeKind::Fn, RustUnsafeKind::Impl]
        } else {
            kinds
        },
        comment: v
            .comment
            .as_ref()
            .map_or("SAFETY:".to_string(), |c| c.get_ref().clone())
            .to_lowercase(),
    }
}

fn field_form(rule: &Rule, v: &RustFieldForm) -> Result<FieldForm, LocatedError> {
    let mut unless_attribute = Vec::new();
    for a in &v.unless_attribute {
        let text = a.get_ref().replace(' ', "");
        let parsed = match text.split_once('(') {
            Some((path, rest)) => rest
                .strip_suffix(')')
                .map(|w| (path.to_string(), Some(w.to_string()))),
            None => Some((text.clone(), None)),
        };
        match parsed {
            Some((path, word)) if !path.is_empty() && word.as_deref().is_none_or(super::names::is_ident) => {
                unless_attribute.push((path, word));
            }
            _ => {
                return Err(rule
                    .error(a.span(), "invalid attribute pattern")
                    .with_help("write `path` or `path(word)`, e.g. `serde(skip)`"))
            }
        }
    }
    Ok(FieldForm {
        name: regex(rule, &v.name)?,
        derives: strings(&v.derives),
        unless_attribute,
        unless_type: strings(&v.unless_type),
    })
}

fn contexts(list: &[Spanned<RustConditionContext>]) -> u8 {
    if list.is_empty() {
        return index::IF | index::MATCH | index::COMPARISON | index::ARITHMETIC;
    }
    list.iter().fold(0, |acc, c| {
        acc | match c.get_ref() {
            RustConditionContext::If => index::IF,
            RustConditionContext::Match => index::MATCH,
            RustConditionContext::Comparison => index::COMPARISON,
            RustConditionContext::Arithmetic => index::ARITHMETIC,
        }
    })
}

fn context_name(contexts: u8) -> &'static str {
    if contexts & index::IF != 0 {
        "an `if` condition"
    } else if contexts & index::MATCH != 0 {
        "a `match`"
    } else if contexts & index::COMPARISON != 0 {
        "a comparison"
    } else {
        "arithmetic"
    }
}

/// Whether a mention counts: its name matches and no wrapper sanitises it.
fn counts(m: &Mention, name: &Regex, unless: Option<&Regex>) -> bool {
    name.is_match(&m.name) && !unless.is_some_and(|u| m.wrappers.iter().any(|w| u.is_match(w)))
}

impl Form {
    /// Where the form is written in the policy.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// Words whose presence (as identifiers) the form needs, for derived keywords.
    pub fn trigger_words(&self) -> Vec<String> {
        let of = |ps: &[PathPattern]| ps.iter().map(|p| p.anchor().to_string()).collect();
        match &self.kind {
            Kind::Call(c) => of(&c.names),
            Kind::Macro(m) => of(&m.names),
            Kind::Use(u, _) => of(u),
            Kind::Unsafe(_) => vec!["unsafe".to_string()],
            Kind::Field(_) | Kind::Condition(_) => Vec::new(),
        }
    }

    /// Where in the file a match could be (the items to parse), or `None` when the words a
    /// match needs do not all occur. Only for syntax forms.
    pub fn anchors(&self, gate: &Gate<'_>) -> Option<Vec<usize>> {
        let found = match &self.kind {
            Kind::Call(c) => call_anchors(c, gate)?,
            Kind::Macro(m) => {
                let names = gate.present(&m.names);
                if names.is_empty() {
                    return None;
                }
                gate.names(&m.mentions).unwrap_or_else(|| gate.anchors(&names))
            }
            Kind::Field(f) => {
                let derives = f.derives.iter().any(|d| has_word(gate.text, d));
                if !derives || !gate.text.contains("derive") {
                    return None;
                }
                gate.names(&f.name)?
            }
            Kind::Condition(c) => gate.names(&c.name)?,
            Kind::Use(u, _) => gate.anchors(&gate.present(u)),
            Kind::Unsafe(_) => return None,
        };
        (!found.is_empty()).then_some(found)
    }

    /// Whether a token-level form can match: the file has the word `unsafe`.
    pub fn token_level_may_match(&self, text: &str) -> bool {
        matches!(self.kind, Kind::Unsafe(_)) && has_word(text, "unsafe")
    }

    fn hit(&self, span: Range<usize>, label: String) -> Hit {
        Hit {
            span,
            message: self.message.clone(),
            label: Some(self.label.clone().unwrap_or(label)),
            ..Hit::default()
        }
    }

    /// Findings of a syntax form in a parsed file.
    pub fn check(&self, index: &Index, out: &mut Vec<Hit>) {
        match &self.kind {
            Kind::Call(c) => self.check_calls(c, index, out),
            Kind::Macro(m) => self.check_macros(m, index, out),
            Kind::Field(f) => self.check_fields(f, index, out),
            Kind::Condition(c) => {
                for cm in index.conditions.iter().filter(|cm| cm.contexts & c.contexts != 0) {
                    if c.name.is_match(&cm.mention.name) {
                        let label = format!(
                            "`{}` used in {}",
                            cm.mention.name,
                            context_name(cm.contexts & c.contexts)
                        );
                        out.push(self.hit(cm.mention.span.clone(), label));
                    }
                }
            }
            Kind::Use(patterns, _) => self.check_paths(patterns, index, out),
            Kind::Unsafe(_) => {}
        }
    }

    fn check_calls(&self, c: &CallForm, index: &Index, out: &mut Vec<Hit>) {
        for call in &index.calls {
            let named = c.names.iter().any(|p| {
                if call.method {
                    p.segments.len() == 1 && p.segments[0] == call.path[0]
                } else {
                    p.matches_call(&call.path)
                }
            });
            if !named || (c.whole_body && !call.whole_body) || !receiver_ok(c, call) {
                continue;
            }
            let Some(matched) = matching_arg(c, call) else {
                continue;
            };
            let name = call.path.join("::");
            let (span, label) = match (matched, c.report) {
                (Some((_, Some(m))), RustReportAt::Argument) => {
                    (m.span.clone(), format!("`{}` passed to `{name}`", m.name))
                }
                (Some((arg, _)), RustReportAt::Argument) => {
                    let span = if c.format.is_some() {
                        &arg.format_span
                    } else {
                        &arg.span
                    };
                    (span.clone(), arg_label(c, arg, &name))
                }
                (Some((arg, _)), RustReportAt::Call) => (call.span.clone(), arg_label(c, arg, &name)),
                (None, _) => (call.span.clone(), format!("call to `{name}`")),
            };
            out.push(self.hit(span, label));
        }
    }

    fn check_macros(&self, m: &MacroForm, index: &Index, out: &mut Vec<Hit>) {
        for mac in &index.macros {
            let resolved = index.imports.resolve(&mac.path);
            if !m.names.iter().any(|p| resolved.iter().any(|r| p.matches_call(r))) {
                continue;
            }
            if let Some(hit) = mac
                .mentions
                .iter()
                .find(|x| counts(x, &m.mentions, m.unless_call.as_ref()))
            {
                let name = mac.path.last().map_or("", String::as_str);
                out.push(self.hit(hit.span.clone(), format!("`{}` passed to `{name}!`", hit.name)));
            }
        }
    }

    fn check_fields(&self, f: &FieldForm, index: &Index, out: &mut Vec<Hit>) {
        for field in &index.fields {
            let Some(derive) = field.derives.iter().find(|d| f.derives.contains(d)) else {
                continue;
            };
            let exempt_attr = field.attrs.iter().any(|a| {
                f.unless_attribute
                    .iter()
                    .any(|(path, word)| a.path == *path && word.as_ref().is_none_or(|w| a.words.contains(w)))
            });
            let exempt_type = field.type_names.iter().any(|t| f.unless_type.contains(t));
            if f.name.is_match(&field.name) && !exempt_attr && !exempt_type {
                let label = format!("`{}` in a type deriving `{derive}`", field.name);
                out.push(self.hit(field.span.clone(), label));
            }
        }
    }

    /// `use` trees are recorded outermost first: a matched node hides its subtree.
    fn check_paths(&self, patterns: &[PathPattern], index: &Index, out: &mut Vec<Hit>) {
        let mut covered: Vec<Range<usize>> = Vec::new();
        for path in &index.paths {
            if covered
                .iter()
                .any(|c| c.start <= path.span.start && path.span.end <= c.end)
            {
                continue;
            }
            if let Some(p) = patterns.iter().find(|p| p.within(&path.segments)) {
                covered.push(path.span.clone());
                out.push(self.hit(path.span.clone(), format!("uses `{}`", p.segments.join("::"))));
            }
        }
    }

    /// Drops the hits from `from` on whose enclosing item matches the form's `unless-context`
    /// (the innermost item of the file around the hit). A `use` import serves the whole file:
    /// it is dropped when the file matches and every other hit of the form was dropped.
    pub fn drop_exempt(&self, text: &str, from: usize, out: &mut Vec<Hit>) {
        let Kind::Use(_, Some(unless)) = &self.kind else {
            return;
        };
        if out.len() <= from {
            return;
        }
        let items = super::chunks::chunks(text, 0);
        let item = |at: usize| {
            items
                .iter()
                .filter(|c| c.range.start <= at && at < c.range.end)
                .min_by_key(|c| c.range.len())
        };
        let hits: Vec<Hit> = out.drain(from..).collect();
        let import = |h: &Hit| item(h.span.start).is_some_and(|c| c.import);
        let exempt = |h: &Hit| {
            let context = item(h.span.start).and_then(|c| text.get(c.range.clone()));
            unless.is_match(context.unwrap_or(text))
        };
        let others_exempt = hits.iter().filter(|h| !import(h)).all(exempt);
        let file_exempt = others_exempt && unless.is_match(text);
        out.extend(
            hits.into_iter()
                .filter(|h| if import(h) { !file_exempt } else { !exempt(h) }),
        );
    }

    /// Findings of an `unsafe` form among the file's sites.
    pub fn check_unsafe(&self, sites: &[UnsafeSite], out: &mut Vec<Hit>) {
        let Kind::Unsafe(u) = &self.kind else { return };
        // An `unsafe fn` of a trait impl implements a contract the trait documents.
        let sites = sites.iter().filter(|s| !s.trait_impl);
        for site in sites.filter(|s| u.kinds.contains(&s.kind)) {
            let comments = site.comments.to_lowercase();
            let documented = comments.contains(&u.comment)
                || (site.kind == RustUnsafeKind::Fn && comments.contains("# safety"));
            if !documented {
                let what = match site.kind {
                    RustUnsafeKind::Block => "block",
                    RustUnsafeKind::Fn => "fn",
                    RustUnsafeKind::Impl => "impl",
                };
                out.push(self.hit(
                    site.span.clone(),
                    format!("unsafe {what} without a `// SAFETY:` comment above"),
                ));
            }
        }
    }
}

/// A call form can match only where its names (and receiver, literals, `format`) occur;
/// anchored on the receiver when there is one (`Command` is rarer than `arg`).
fn call_anchors(c: &CallForm, gate: &Gate<'_>) -> Option<Vec<usize>> {
    let names = gate.present(&c.names);
    let literal_ok = c.literal.is_empty() || c.literal.iter().any(|l| literal_present(gate.text, l));
    let format_ok = c.format.is_none() || has_word(gate.text, "format") || has_word(gate.text, "format_args");
    if names.is_empty() || !literal_ok || !format_ok {
        return None;
    }
    if let Some(re) = &c.mentions {
        if gate.names(re).is_some_and(|found| found.is_empty()) {
            return None;
        }
    }
    if c.receiver.is_empty() {
        return Some(gate.anchors(&names));
    }
    let receivers = gate.present(&c.receiver);
    let literal_ok =
        c.receiver_literal.is_empty() || c.receiver_literal.iter().any(|l| literal_present(gate.text, l));
    (!receivers.is_empty() && literal_ok).then(|| gate.anchors(&receivers))
}

fn receiver_ok(c: &CallForm, call: &Call) -> bool {
    if c.receiver.is_empty() {
        return true;
    }
    let Some(root) = &call.receiver else { return false };
    c.receiver.iter().any(|p| p.matches_call(&root.path))
        && (c.receiver_literal.is_empty() || root.literals.iter().any(|l| c.receiver_literal.contains(l)))
}

type Matched<'a> = Option<(&'a Arg, Option<&'a Mention>)>;

/// `Some(None)`: the form has no argument constraint; `Some(Some(..))`: the argument (and the
/// mention) that satisfies them; `None`: no argument does.
fn matching_arg<'a>(c: &CallForm, call: &'a Call) -> Option<Matched<'a>> {
    if c.literal.is_empty() && c.format.is_none() && c.mentions.is_none() {
        return Some(None);
    }
    let args: Vec<&Arg> = match c.arg {
        Some(i) => call.args.get(i).into_iter().collect(),
        None => call.args.iter().collect(),
    };
    args.into_iter().find_map(|arg| {
        let literal_ok = c.literal.is_empty() || arg.literals.iter().any(|l| c.literal.contains(l));
        let format_ok = match (&c.format, &arg.format) {
            (None, _) => true,
            (Some(None), Some(_)) => true,
            (Some(Some(re)), Some(f)) => re.is_match(f),
            (Some(_), None) => false,
        };
        let mention = match &c.mentions {
            None => None,
            Some(re) => Some(
                arg.mentions
                    .iter()
                    .find(|m| counts(m, re, c.unless_call.as_ref()))?,
            ),
        };
        (literal_ok && format_ok).then_some(Some((arg, mention)))
    })
}

fn arg_label(c: &CallForm, arg: &Arg, name: &str) -> String {
    if c.format.is_some() {
        format!("built with `format!` and passed to `{name}`")
    } else if let Some(l) = arg.literals.iter().find(|l| c.literal.contains(l)) {
        format!("`{name}` called with `{l}`")
    } else {
        format!("call to `{name}`")
    }
}
