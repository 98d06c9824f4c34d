//! `[[rule.code.decision]]`: a named attribute (a protected attribute, a proxy) deciding what
//! the code does — compared, tested, switched on, weighed, sorted or filtered by.
//!
//! Only the value being decided on counts: the operands of a comparison and what they are built
//! from by arithmetic, getters and conversions, not arguments of other calls (`is_eligible(age)`
//! decides inside `is_eligible`), string literals, comments or docstrings.

use std::ops::Range;

use toml::Spanned;

use super::index::{snake, Call, Expr, ExprId, Index, TestPlace};
use super::words::WordHits;
use crate::error::LocatedError;
use crate::finding::Hit;
use crate::matchers::pattern::{Flavor, Pattern as Lazy};
use crate::policy::raw::{CodeDecisionForm, CodeDecisionPlace as Place};
use crate::policy::Rule;

/// Deepest operand nesting followed (`(a.age * 2) + 1 > x` is a few levels).
const DEPTH: usize = 24;

/// Calls whose result is their input, reshaped: an operand read through them is still read.
const CONVERSIONS: &[&str] = &[
    "int",
    "float",
    "str",
    "bool",
    "Number",
    "String",
    "Boolean",
    "parseInt",
    "parseFloat",
    "lower",
    "upper",
    "strip",
    "casefold",
    "title",
    "toLowerCase",
    "toUpperCase",
    "trim",
    "ToLower",
    "ToUpper",
    "TrimSpace",
    "toString",
    "valueOf",
    "intValue",
    "name",
    "value",
    "getValue",
    "ordinal",
    "Atoi",
    "ParseInt",
    "ParseFloat",
];

/// Methods that compare their receiver with their arguments.
const COMPARING_CALLS: &[&str] = &[
    "equals",
    "equalsIgnoreCase",
    "compareTo",
    "compareToIgnoreCase",
    "isin",
    "between",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "EqualFold",
    "Compare",
];

/// Calls whose arguments are sort keys.
const SORTING_CALLS: &[&str] = &[
    "sorted",
    "sort",
    "sort_values",
    "sort_by",
    "sortBy",
    "orderBy",
    "order_by",
    "sortOn",
    "nlargest",
    "nsmallest",
    "comparing",
    "comparingInt",
    "comparingLong",
    "comparingDouble",
    "thenComparing",
    "thenComparingInt",
    "thenComparingLong",
    "thenComparingDouble",
    "Slice",
    "SliceStable",
    "rank",
];

/// Calls whose named arguments (or a leading column name) select records.
const FILTERING_CALLS: &[&str] = &[
    "filter",
    "filter_by",
    "exclude",
    "where",
    "andWhere",
    "orWhere",
    "whereIn",
    "whereNot",
    "whereNotIn",
    "findBy",
    "findAll",
    "find",
    "findOne",
    "query",
];

/// A compiled decision form.
#[derive(Debug)]
pub struct DecisionForm {
    attributes: Vec<String>,
    owned: Vec<String>,
    owners: Option<Lazy>,
    places: Vec<Place>,
    unless_compared_with: Option<Lazy>,
    feature_lists: Option<Lazy>,
    unless_feature_lists: Option<Lazy>,
    trigger: AttributeFinder,
    words: Vec<String>,
    message: Option<String>,
    label: Option<String>,
}

/// A name in a decided value, with its owner (the object it is read from) and where it is.
struct Operand {
    name: String,
    owners: Vec<String>,
    span: Range<usize>,
}

fn attribute_names(rule: &Rule, list: &[Spanned<String>]) -> Result<Vec<String>, LocatedError> {
    list.iter()
        .map(|a| {
            let name = a.get_ref();
            let valid = !name.is_empty()
                && name.split('_').all(|w| !w.is_empty())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if valid {
                Ok(name.clone())
            } else {
                Err(rule
                    .error(a.span(), "invalid attribute name")
                    .with_label("not a snake-case name")
                    .with_help("write names in lower snake case: `marital_status`, `zip_code`"))
            }
        })
        .collect()
}

/// Compiles a `[[rule.code.decision]]` table.
pub fn compile(
    rule: &Rule,
    f: &Spanned<CodeDecisionForm>,
    eager: bool,
) -> Result<DecisionForm, LocatedError> {
    let v = f.get_ref();
    let attributes = attribute_names(rule, &v.attributes)?;
    let owned = attribute_names(rule, &v.owned_attributes)?;
    if attributes.is_empty() && owned.is_empty() {
        return Err(rule
            .error(
                f.span(),
                "a decision form needs `attributes` or `owned-attributes`",
            )
            .with_help("e.g. attributes = [\"gender\", \"marital_status\"]"));
    }
    if !owned.is_empty() && v.owners.is_none() {
        return Err(rule
            .error(f.span(), "`owned-attributes` needs `owners`")
            .with_label("whose attributes?")
            .with_help("e.g. owners = '^(?:applicants?|users?|row|df)$'"));
    }
    let lazy = |s: &Option<Spanned<String>>| {
        s.as_ref()
            .map(|s| Lazy::compile(rule, s, Flavor::Text, eager))
            .transpose()
    };
    let wants_lists = v.places.iter().any(|p| *p.get_ref() == Place::FeatureList);
    if wants_lists && v.feature_lists.is_none() {
        return Err(rule
            .error(f.span(), "the `feature-list` place needs `feature-lists`")
            .with_label("which names hold feature lists?")
            .with_help("e.g. feature-lists = '(^|_)(features|feature_cols|x_train)$'"));
    }
    let mut words: Vec<String> = attributes.iter().chain(&owned).cloned().collect();
    words.sort();
    words.dedup();
    Ok(DecisionForm {
        trigger: AttributeFinder::new(&words),
        words,
        attributes,
        owned,
        owners: lazy(&v.owners)?,
        places: if v.places.is_empty() {
            vec![
                Place::Comparison,
                Place::Condition,
                Place::Switch,
                Place::Arithmetic,
                Place::SortKey,
                Place::Filter,
                Place::FeatureList,
            ]
        } else {
            v.places.iter().map(|p| *p.get_ref()).collect()
        },
        unless_compared_with: lazy(&v.unless_compared_with)?,
        feature_lists: lazy(&v.feature_lists)?,
        unless_feature_lists: lazy(&v.unless_feature_lists)?,
        message: v.message.clone(),
        label: v.label.clone(),
    })
}

/// Finds every spelling of the attributes as (part of) an identifier or a string key:
/// `gender`, `user_gender`, `userGender`, `GENDER`, `"gender"`, `gender__in`, but not `page`
/// or `usage` for `age`. Files without one are not parsed for this form.
#[derive(Debug)]
struct AttributeFinder {
    /// Every spelling with and without each `_`, found in any case.
    spellings: Vec<String>,
    /// Per spelling, its id in the word set searched (see [`super::words`]).
    ids: Vec<usize>,
}

/// Attributes with more underscores than this are searched as written (each `_` doubles the
/// spellings).
const MAX_OPTIONAL_UNDERSCORES: usize = 4;

impl AttributeFinder {
    fn new(words: &[String]) -> Self {
        let mut spellings: Vec<String> = Vec::new();
        for w in words {
            let parts: Vec<&str> = w.split('_').collect();
            let gaps = parts.len() - 1;
            if gaps > MAX_OPTIONAL_UNDERSCORES {
                spellings.push(w.clone());
                continue;
            }
            for mask in 0..1usize << gaps {
                let mut s = parts[0].to_string();
                for (k, part) in parts[1..].iter().enumerate() {
                    if mask & (1 << k) != 0 {
                        s.push('_');
                    }
                    s.push_str(part);
                }
                spellings.push(s);
            }
        }
        spellings.retain(|s| !s.is_empty());
        spellings.sort();
        spellings.dedup();
        let ids = (0..spellings.len()).collect();
        Self { spellings, ids }
    }

    /// Where a spelling starts that is a word of its own: after a non-alphanumeric (or at the
    /// start) and before anything but a lower-case letter or digit, or a capitalised part of a
    /// camel-case name (`applicantAge`).
    fn find(&self, hits: &WordHits, text: &str) -> Vec<usize> {
        let bytes = text.as_bytes();
        let lower_or_digit = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let mut at: Vec<usize> = Vec::new();
        for (spelling, &id) in self.spellings.iter().zip(&self.ids) {
            at.extend(hits.starts(id).iter().copied().filter(|&start| {
                let before = start.checked_sub(1).map(|p| bytes[p]);
                let after_ok = !bytes
                    .get(start + spelling.len())
                    .copied()
                    .is_some_and(lower_or_digit);
                let own_word = !before.is_some_and(|b| b.is_ascii_alphanumeric());
                let camel_part = before.is_some_and(lower_or_digit) && bytes[start].is_ascii_uppercase();
                after_ok && (own_word || camel_part)
            }));
        }
        at.sort_unstable();
        at.dedup();
        at
    }
}

impl DecisionForm {
    /// Prefilter words: the attribute names.
    pub fn words(&self) -> Vec<String> {
        self.words.clone()
    }

    /// Where the attributes occur, for pruning, as `hits` found their spellings.
    pub fn hits(&self, hits: &WordHits, text: &str) -> Vec<usize> {
        self.trigger.find(hits, text)
    }

    /// The attribute spellings searched for, in the order [`DecisionForm::bind`] takes ids.
    pub fn spellings(&self) -> &[String] {
        &self.trigger.spellings
    }

    /// Where the spellings are in the word set searched.
    pub fn bind(&mut self, ids: Vec<usize>) {
        self.trigger.ids = ids;
    }

    fn hit(&self, span: Range<usize>, place: &str) -> Hit {
        Hit {
            span,
            message: self.message.clone(),
            label: Some(self.label.clone().unwrap_or_else(|| place.to_string())),
            ..Hit::default()
        }
    }

    fn owner_ok(&self, owner: &str) -> bool {
        self.owners.as_ref().is_some_and(|re| re.is_match(owner))
    }

    /// Whether `name` (snake case, getter prefix removed) is a decided attribute, given the
    /// owner it is read from.
    fn is_attribute(&self, name: &str, owners: &[String]) -> bool {
        let name = name.strip_prefix("get_").unwrap_or(name);
        let prefixed = |attr: &str| {
            name.strip_suffix(attr)
                .and_then(|p| p.strip_suffix('_'))
                .filter(|p| !p.is_empty())
        };
        let boolean = |attr: &str| matches!(prefixed(attr), Some("is" | "has"));
        for attr in &self.attributes {
            if name == attr || boolean(attr) || prefixed(attr).is_some_and(|p| self.owner_ok(p)) {
                return true;
            }
        }
        for attr in &self.owned {
            if name == attr && owners.iter().any(|o| self.owner_ok(o))
                || prefixed(attr).is_some_and(|p| self.owner_ok(p))
            {
                return true;
            }
        }
        false
    }

    /// Reports every decided attribute in `index`.
    pub fn check(&self, index: &Index, out: &mut Vec<Hit>) {
        let on = |p: Place| self.places.contains(&p);
        for (e, _) in &index.exprs {
            match e {
                Expr::Compare(ops) if on(Place::Comparison) => self.compared(index, ops, out),
                Expr::Arith(ops) if on(Place::Arithmetic) => {
                    self.decided(index, ops, "used in arithmetic", out)
                }
                Expr::Concat(ops) if on(Place::Arithmetic) && is_sum(index, ops) => {
                    self.decided(index, ops, "used in arithmetic", out);
                }
                _ => {}
            }
        }
        for &(place, value) in &index.tests {
            match place {
                TestPlace::Condition if on(Place::Condition) => {
                    let mut found = Vec::new();
                    operands(index, value, true, &mut found, 0);
                    for o in found.into_iter().filter(|o| is_boolean_name(&o.name)) {
                        if self.is_attribute(&o.name, &o.owners) {
                            out.push(self.hit(o.span, "tested in a condition"));
                        }
                    }
                }
                TestPlace::Switch if on(Place::Switch) => {
                    self.decided(index, &[value], "switched on", out);
                }
                _ => {}
            }
        }
        if on(Place::FeatureList) {
            self.feature_lists(index, out);
        }
        for call in &index.calls {
            let last = call.path.last().map(String::as_str).unwrap_or("");
            if on(Place::Comparison) && COMPARING_CALLS.contains(&last) {
                let mut ops: Vec<ExprId> = call.receiver.into_iter().collect();
                ops.extend(&call.args);
                self.compared(index, &ops, out);
            }
            if on(Place::SortKey) && SORTING_CALLS.contains(&last) {
                self.sort_keys(index, call, out);
            }
            if on(Place::Filter) && FILTERING_CALLS.contains(&last) {
                self.filter_keys(index, call, out);
            }
        }
    }

    /// Names read by these values, reported with `place`.
    fn decided(&self, index: &Index, values: &[ExprId], place: &str, out: &mut Vec<Hit>) {
        for &v in values {
            let mut found = Vec::new();
            operands(index, v, false, &mut found, 0);
            for o in found {
                if self.is_attribute(&o.name, &o.owners) {
                    out.push(self.hit(o.span, place));
                }
            }
        }
    }

    /// A comparison: each operand that reads an attribute, unless another operand is null, the
    /// empty string, or names something the form excludes (a TTL, a timeout).
    fn compared(&self, index: &Index, ops: &[ExprId], out: &mut Vec<Hit>) {
        for (i, &op) in ops.iter().enumerate() {
            let mut found = Vec::new();
            operands(index, op, false, &mut found, 0);
            let hits: Vec<Operand> = found
                .into_iter()
                .filter(|o| self.is_attribute(&o.name, &o.owners))
                .collect();
            if hits.is_empty() {
                continue;
            }
            let excluded = ops
                .iter()
                .enumerate()
                .any(|(j, &other)| j != i && self.excluded_comparand(index, other));
            if excluded {
                continue;
            }
            for o in hits {
                out.push(self.hit(o.span, "compared"));
            }
        }
    }

    fn excluded_comparand(&self, index: &Index, other: ExprId) -> bool {
        // Null and the empty string: a presence check, not a decision on the value.
        match index.expr(other) {
            Expr::Lit(l) => return matches!(l.as_str(), "none" | "null" | "nil" | "undefined"),
            Expr::Str(s) if s.is_empty() => return true,
            _ => {}
        }
        let Some(re) = &self.unless_compared_with else {
            return false;
        };
        let mut found = Vec::new();
        operands(index, other, false, &mut found, 0);
        found.iter().any(|o| re.is_match(&o.name))
    }

    /// `sorted(applicants, key=lambda a: a.age)`, `df.sort_values("age")`,
    /// `Comparator.comparing(Person::getAge)`: keys inside the arguments, string column names
    /// included; an owned attribute counts when what is sorted is an owner.
    fn sort_keys(&self, index: &Index, call: &Call, out: &mut Vec<Hit>) {
        let collection = self.collection_owner(index, call);
        let mut found = Vec::new();
        for &a in call.args.iter().chain(call.named.iter().map(|(_, v)| v)) {
            keys(index, a, &mut found, 0);
        }
        for mut o in found {
            o.owners.extend(collection.iter().cloned());
            if self.is_attribute(&o.name, &o.owners) {
                out.push(self.hit(o.span, "used as a sort key"));
            }
        }
    }

    /// `Applicant.objects.filter(gender="F")`, `.filter_by(age=30)`, `.where("race", ...)`,
    /// `.where({ gender: "F" })`: lookups (`age__lt`) by their field.
    fn filter_keys(&self, index: &Index, call: &Call, out: &mut Vec<Hit>) {
        let owners: Vec<String> = self.collection_owner(index, call).into_iter().collect();
        for (k, v) in &call.named {
            let field = snake(k.split("__").next().unwrap_or(k));
            if self.is_attribute(&field, &owners) {
                out.push(self.hit(super::forms::pair_span(index, call, *v), "used to filter records"));
            }
        }
        if let Some(&first) = call.args.first() {
            if let Expr::Str(col) = index.expr(first) {
                let field = snake(col.rsplit('.').next().unwrap_or(col));
                if self.is_attribute(&field, &owners) {
                    out.push(self.hit(index.span(first), "used to filter records"));
                }
            }
        }
    }

    /// Whether a target or argument name holds a feature list.
    fn is_feature_list(&self, name: &str) -> bool {
        let name = snake(name);
        self.feature_lists.as_ref().is_some_and(|re| re.is_match(&name))
            && !self
                .unless_feature_lists
                .as_ref()
                .is_some_and(|re| re.is_match(&name))
    }

    /// `FEATURES = ["income", "gender"]`, `X_train = df[["income", "age"]]`,
    /// `fit(features=[...])`: each column name that is an attribute. A column named in a
    /// feature list is one a model is trained on, whoever owns it, so `age` needs no owner.
    fn feature_lists(&self, index: &Index, out: &mut Vec<Hit>) {
        let mut lists: Vec<ExprId> = index
            .assigns
            .iter()
            .filter(|a| a.target.last().is_some_and(|t| self.is_feature_list(t)))
            .map(|a| a.value)
            .collect();
        for call in &index.calls {
            lists.extend(
                call.named
                    .iter()
                    .filter(|(k, _)| self.is_feature_list(k))
                    .map(|(_, v)| *v),
            );
        }
        for list in lists {
            for (name, span) in column_names(index, list, 0) {
                if self.owned.contains(&name) || self.is_attribute(&name, &[]) {
                    out.push(self.hit(span, "in a feature list"));
                }
            }
        }
    }

    /// What a sort or filter call works on, when it is an owner: a segment of its path
    /// (`Applicant.objects.filter`), its receiver chain's arguments (`session.query(User)`), or
    /// its first argument (`sorted(applicants, ...)`).
    fn collection_owner(&self, index: &Index, call: &Call) -> Option<String> {
        let mut candidates: Vec<String> = call.path.iter().map(|s| snake(s)).collect();
        if let Some(r) = call.receiver {
            collection_names(index, r, &mut candidates, 0);
        }
        if let Some(&first) = call.args.first() {
            collection_names(index, first, &mut candidates, 0);
        }
        candidates.into_iter().find(|c| self.owner_ok(c))
    }
}

/// Column names of a list literal, a column selection (`df[[...]]`) or a sum of lists
/// (`BASE + ["age"]`): string items only, so a comprehension filtering names out
/// (`[c for c in cols if c not in ["age"]]`) names none.
fn column_names(ix: &Index, id: ExprId, depth: usize) -> Vec<(String, Range<usize>)> {
    if depth > 4 {
        return Vec::new();
    }
    match ix.expr(id) {
        Expr::Other(items) => items
            .iter()
            .filter_map(|&i| match ix.expr(i) {
                Expr::Str(s) => Some((snake(s), ix.span(i))),
                _ => None,
            })
            .collect(),
        Expr::Index(..) => ix
            .computed_keys
            .get(&id)
            .map(|&k| column_names(ix, k, depth + 1))
            .unwrap_or_default(),
        Expr::Concat(parts) => parts
            .iter()
            .flat_map(|&p| column_names(ix, p, depth + 1))
            .collect(),
        _ => Vec::new(),
    }
}

/// `a + b` without any string part: a sum, not a concatenation.
fn is_sum(index: &Index, ops: &[ExprId]) -> bool {
    ops.len() >= 2
        && ops
            .iter()
            .all(|&p| !matches!(index.expr(p), Expr::Str(_) | Expr::Format(..) | Expr::Concat(_)))
}

fn is_boolean_name(name: &str) -> bool {
    let name = name.strip_prefix("get_").unwrap_or(name);
    name.starts_with("is_") || name.starts_with("has_")
}

/// The names the value is read from: the attribute itself, through arithmetic, parentheses,
/// boolean operators, getters and conversions; not through other calls' arguments. With
/// `stop_at_compare`, comparisons inside are left to the comparison check.
fn operands(ix: &Index, id: ExprId, stop_at_compare: bool, out: &mut Vec<Operand>, depth: usize) {
    if depth > DEPTH {
        return;
    }
    let span = ix.span(id);
    match ix.expr(id) {
        Expr::Name(n) => out.push(Operand {
            name: snake(n),
            owners: Vec::new(),
            span,
        }),
        Expr::Attr(base, n) => out.push(Operand {
            name: snake(n),
            owners: owner_names(ix, *base),
            span,
        }),
        Expr::Index(base, Some(key)) => out.push(Operand {
            name: snake(key),
            owners: owner_names(ix, *base),
            span,
        }),
        Expr::Call(c) => {
            let call = &ix.calls[*c];
            let last = call.path.last().map(String::as_str).unwrap_or("");
            let owners = call.receiver.map(|r| owner_names(ix, r)).unwrap_or_default();
            let getter = snake(last);
            if ["get_", "is_", "has_"].iter().any(|p| getter.starts_with(p)) && call.args.is_empty() {
                out.push(Operand {
                    name: snake(last),
                    owners,
                    span,
                });
            } else if matches!(last, "get" | "Get" | "getString" | "getattr") {
                let key = call.args.iter().rev().find_map(|&a| match ix.expr(a) {
                    Expr::Str(k) => Some(k.clone()),
                    _ => None,
                });
                if let Some(k) = key {
                    let mut owners = owners;
                    if let Some(&first) = call.args.first() {
                        owners.extend(owner_names(ix, first));
                    }
                    out.push(Operand {
                        name: snake(&k),
                        owners,
                        span,
                    });
                }
            } else if CONVERSIONS.contains(&last) {
                for &a in call.receiver.iter().chain(call.args.first()) {
                    operands(ix, a, stop_at_compare, out, depth + 1);
                }
            }
        }
        Expr::Compare(_) if stop_at_compare => {}
        Expr::Other(parts) | Expr::Arith(parts) | Expr::Compare(parts) => {
            for &p in parts {
                operands(ix, p, stop_at_compare, out, depth + 1);
            }
        }
        Expr::Concat(parts) if is_sum(ix, parts) => {
            for &p in parts {
                operands(ix, p, stop_at_compare, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Sort keys: like [`operands`], and also through lambdas and method references (any
/// sub-expression) and string column names (`"age"`, `"-age"`).
fn keys(ix: &Index, id: ExprId, out: &mut Vec<Operand>, depth: usize) {
    if depth > DEPTH {
        return;
    }
    match ix.expr(id) {
        Expr::Str(s) => {
            let col = s
                .trim_start_matches(['-', '+'])
                .split_whitespace()
                .next()
                .unwrap_or("");
            if !col.is_empty() && col.len() <= 64 {
                out.push(Operand {
                    name: snake(col.rsplit('.').next().unwrap_or(col)),
                    owners: Vec::new(),
                    span: ix.span(id),
                });
            }
        }
        Expr::Other(parts) | Expr::Arith(parts) | Expr::Compare(parts) => {
            for &p in parts {
                keys(ix, p, out, depth + 1);
            }
        }
        Expr::Pair(_, v) => keys(ix, *v, out, depth + 1),
        // Inside a comparator every read is a key: `a.DateOfBirth.Before(b.DateOfBirth)`.
        Expr::Call(c) => {
            operands(ix, id, false, out, depth + 1);
            let call = &ix.calls[*c];
            for &a in call.receiver.iter().chain(&call.args) {
                keys(ix, a, out, depth + 1);
            }
        }
        _ => operands(ix, id, false, out, depth + 1),
    }
}

/// What an attribute is read from, in snake case: `applicant` in `applicant.age`,
/// `applicants` in `applicants[i].age`, `user` in `get_user().age`, and for a local the
/// value it was assigned (a loop variable's collection: `for a in applicants`).
fn owner_names(ix: &Index, id: ExprId) -> Vec<String> {
    let mut out = Vec::new();
    owners_at(ix, id, &mut out, 0);
    out
}

fn owners_at(ix: &Index, id: ExprId, out: &mut Vec<String>, depth: usize) {
    if depth > 4 {
        return;
    }
    match ix.expr(id) {
        Expr::Name(n) => {
            out.push(snake(n));
            let func = ix.func_of(id);
            if let Some(ty) = ix.type_of(n, func).or_else(|| ix.type_of(n, None)) {
                out.push(snake(ty));
            }
            if let Some(&v) = ix.values_of(n, func, ix.span(id).start).last() {
                owners_at(ix, v, out, depth + 1);
            }
        }
        Expr::Attr(_, n) => out.push(snake(n)),
        Expr::Index(_, Some(k)) => out.push(snake(k)),
        Expr::Index(base, None) => owners_at(ix, *base, out, depth + 1),
        Expr::Call(c) => {
            if let Some(last) = ix.calls[*c].path.last() {
                let s = snake(last);
                out.push(s.strip_prefix("get_").map(str::to_string).unwrap_or(s));
            }
        }
        _ => {}
    }
}

/// Names a sorted or filtered collection goes by: its path, and the arguments of the calls
/// that produced it (`session.query(User)`).
fn collection_names(ix: &Index, id: ExprId, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    match ix.expr(id) {
        Expr::Name(n) => {
            out.push(snake(n));
            for v in ix.values_of(n, ix.func_of(id), ix.span(id).start) {
                collection_names(ix, v, out, depth + 1);
            }
        }
        Expr::Attr(base, n) => {
            out.push(snake(n));
            collection_names(ix, *base, out, depth + 1);
        }
        Expr::Index(base, _) => collection_names(ix, *base, out, depth + 1),
        Expr::Call(c) => {
            let call = &ix.calls[*c];
            out.extend(call.path.iter().map(|s| snake(s)));
            if let Some(r) = call.receiver {
                collection_names(ix, r, out, depth + 1);
            }
            for &a in call.args.iter().take(2) {
                collection_names(ix, a, out, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::words::WordSet;
    use super::AttributeFinder;

    #[test]
    fn trigger_finds_identifier_spellings_only() {
        let mut finder = AttributeFinder::new(&["age".to_string(), "marital_status".to_string()]);
        let (set, ids) = WordSet::of(&finder.spellings);
        finder.ids = ids;
        let finder = |text: &str| finder.find(&set.find(text), text);
        for yes in [
            "user.age",
            "applicant_age",
            "applicantAge",
            "getAge()",
            "row[\"age\"]",
            "AGE_LIMIT",
            "age__lt=3",
            "getMaritalStatus()",
            "MARITAL_STATUS",
            "marital_status",
        ] {
            assert_eq!(finder(yes).len(), 1, "{yes}");
        }
        for no in ["page", "usage", "message", "agency", "maritalstatuses"] {
            assert!(finder(no).is_empty(), "{no}");
        }
        // Offsets are where the spelling starts, not the character before it.
        assert_eq!(finder("x = applicantAge + {age: 1}"), [13, 20]);
    }
}
