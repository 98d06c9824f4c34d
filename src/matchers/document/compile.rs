//! Validates a `[rule.document]` table into a [`DocumentMatcher`]: every error points at the
//! offending value in the policy file.

use std::ops::Range;

use toml::Spanned;

use super::query::Query;
use super::{Condition, DocumentMatcher, Expected, Test};
use crate::error::LocatedError;
use crate::matchers::pattern::{Flavor, Pattern};
use crate::policy::raw::{DocumentCondition, DocumentTable, Strings};
use crate::policy::Rule;

/// The fields a test is made of, shared by the rule table and its `when` conditions.
struct TestFields<'a> {
    pattern: &'a Option<Spanned<String>>,
    group: Option<&'a Spanned<usize>>,
    key_pattern: &'a Option<Spanned<String>>,
    equals: &'a Option<Spanned<toml::Value>>,
    contains: &'a Option<Spanned<Strings>>,
    exists: &'a Option<Spanned<bool>>,
}

impl DocumentMatcher {
    /// Validates the table; with `eager`, builds every regex now so size-limit errors surface at
    /// load.
    pub fn compile(rule: &Rule, table: &DocumentTable, eager: bool) -> Result<Self, LocatedError> {
        let fields = TestFields {
            pattern: &table.pattern,
            group: table.group.as_ref(),
            key_pattern: &table.key_pattern,
            equals: &table.equals,
            contains: &table.contains,
            exists: &table.exists,
        };
        let when = table
            .when
            .0
            .iter()
            .map(|c| condition(rule, c, eager))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            queries: queries(rule, &table.query)?,
            test: test(rule, &fields, eager, false)?.0,
            allow: table
                .allow
                .iter()
                .map(|a| regex(rule, a, eager))
                .collect::<Result<_, _>>()?,
            unless_in: table
                .unless_in
                .as_ref()
                .map(|q| query(rule, q.get_ref(), q.span()))
                .transpose()?,
            when,
            keywords: table.keywords.iter().map(|k| k.get_ref().clone()).collect(),
            format: table.format.as_ref().map(|f| *f.get_ref()),
        })
    }
}

fn condition(rule: &Rule, c: &DocumentCondition, eager: bool) -> Result<Condition, LocatedError> {
    let fields = TestFields {
        pattern: &c.pattern,
        group: None,
        key_pattern: &c.key_pattern,
        equals: &c.equals,
        contains: &c.contains,
        exists: &c.exists,
    };
    let (test, negate) = test(rule, &fields, eager, true)?;
    Ok(Condition {
        queries: queries(rule, &c.query)?,
        test,
        negate,
    })
}

fn queries(rule: &Rule, q: &Spanned<Strings>) -> Result<Vec<Query>, LocatedError> {
    if q.get_ref().0.is_empty() {
        return Err(rule
            .error(q.span(), "no query")
            .with_help("e.g. query = \"jobs.*.steps.*.uses\""));
    }
    q.get_ref().0.iter().map(|s| query(rule, s, q.span())).collect()
}

fn query(rule: &Rule, text: &str, span: Range<usize>) -> Result<Query, LocatedError> {
    Query::parse(text).map_err(|(offset, message)| {
        rule.error(
            rule.span_within(span, text, offset),
            format!("invalid query: {message}"),
        )
        .with_label(message)
        .with_help(
            "segments are keys, `*`, `**`, indexes (`-1` = last), globs (`{a,b}`, `*_x`) or quoted keys",
        )
    })
}

/// The test, and whether a `when` condition negates it (`exists = false` beside a test).
fn test(rule: &Rule, f: &TestFields<'_>, eager: bool, in_when: bool) -> Result<(Test, bool), LocatedError> {
    let negate = in_when && f.exists.as_ref().is_some_and(|e| !*e.get_ref());
    let spans: Vec<Range<usize>> = [
        f.pattern.as_ref().map(Spanned::span),
        f.key_pattern.as_ref().map(Spanned::span),
        f.equals.as_ref().map(Spanned::span),
        f.contains.as_ref().map(Spanned::span),
        f.exists.as_ref().filter(|_| !negate).map(Spanned::span),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(second) = spans.get(1) {
        return Err(rule
            .error(second.clone(), "more than one test in one query")
            .with_label("second test")
            .with_help(
                "use one of `pattern`, `key-pattern`, `equals`, `contains`, `exists`; add a `when` for more",
            ));
    }
    let test = plain_test(rule, f, eager)?;
    let negate = negate && !matches!(test, Test::Missing);
    Ok((test, negate))
}

fn plain_test(rule: &Rule, f: &TestFields<'_>, eager: bool) -> Result<Test, LocatedError> {
    if let Some(g) = f.group.filter(|_| f.pattern.is_none()) {
        return Err(rule.error(g.span(), "`group` needs a `pattern`"));
    }
    if let Some(p) = f.pattern {
        let re = regex(rule, p, eager)?;
        // Unchecked (built-in, lazy) patterns have their groups checked by the pack tests.
        let captures = re.captures().unwrap_or(usize::MAX);
        let group = f.group.map(|g| (*g.get_ref(), g.span()));
        if let Some((g, span)) = group.clone().filter(|(g, _)| *g > captures || *g == 0) {
            return Err(rule.error(span, "no such capture group").with_help(format!(
                "the pattern has {captures} capture group(s); groups are numbered from 1, not {g}"
            )));
        }
        return Ok(Test::Pattern(re, group.map(|(g, _)| g)));
    }
    if let Some(p) = f.key_pattern {
        return Ok(Test::KeyPattern(regex(rule, p, eager)?));
    }
    if let Some(e) = f.equals {
        return expected(rule, e).map(Test::Equals);
    }
    if let Some(c) = f.contains {
        if c.get_ref().0.is_empty() {
            return Err(rule.error(c.span(), "`contains` needs at least one value"));
        }
        return Ok(Test::Contains(c.get_ref().0.clone()));
    }
    Ok(match f.exists.as_ref().map(|e| *e.get_ref()) {
        Some(false) => Test::Missing,
        _ => Test::Exists,
    })
}

fn expected(rule: &Rule, e: &Spanned<toml::Value>) -> Result<Expected, LocatedError> {
    Ok(match e.get_ref() {
        toml::Value::String(s) => Expected::Str(s.clone()),
        toml::Value::Boolean(b) => Expected::Bool(*b),
        toml::Value::Integer(i) => Expected::Int(*i),
        toml::Value::Float(f) => Expected::Float(*f),
        _ => {
            return Err(rule
                .error(e.span(), "`equals` takes a string, boolean or number")
                .with_label("not a scalar"))
        }
    })
}

fn regex(rule: &Rule, p: &Spanned<String>, eager: bool) -> Result<Pattern, LocatedError> {
    Pattern::compile(rule, p, Flavor::Text, eager)
}
