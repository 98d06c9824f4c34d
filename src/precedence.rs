//! One finding per problem. Secret rules overlap by design (a provider's token is also "a
//! secret assigned to a variable"; a key file is both a `*.key` path and a PEM block), and a
//! reader should see one finding, under the most specific rule, that baselines and suppression
//! comments then refer to. The precedence, applied to one file's raw findings:
//!
//! 1. Only rules tagged `secret` compete; other rules describe different problems.
//! 2. A finding about the whole file (a path rule) gives way to a content finding of a secret
//!    rule in the same file: the content finding points at the key itself.
//! 3. Of two content findings whose spans overlap, a provider's own rule wins over a rule
//!    tagged `generic`; then the narrower span; then the rule loaded first.

use std::collections::HashMap;

use crate::finding::{Finding, Location};
use crate::policy::Rule;

/// What the precedence needs to know about each rule.
#[derive(Debug, Clone, Copy, Default)]
struct Standing {
    secret: bool,
    generic: bool,
    order: usize,
}

/// The standing of every rule of a plan.
#[derive(Debug, Default)]
pub struct Precedence {
    rules: HashMap<String, Standing>,
}

impl Precedence {
    /// From the plan's rules, in load order.
    pub fn new(rules: &[Rule]) -> Self {
        let tagged = |r: &Rule, t: &str| r.tags.iter().any(|x| x == t);
        Self {
            rules: rules
                .iter()
                .enumerate()
                .map(|(order, r)| {
                    let standing = Standing {
                        secret: tagged(r, "secret"),
                        generic: tagged(r, "generic"),
                        order,
                    };
                    (r.id.clone(), standing)
                })
                .collect(),
        }
    }

    /// Drops the findings of one file that another finding already reports (see the module
    /// docs); the rest keep their order.
    pub fn one_per_problem(&self, findings: &mut Vec<Finding>) {
        let standing = |f: &Finding| self.rules.get(&f.rule).copied().unwrap_or_default();
        let secret: Vec<usize> = (0..findings.len())
            .filter(|&i| standing(&findings[i]).secret)
            .collect();
        if secret.len() < 2 {
            return;
        }
        let whole = |f: &Finding| f.snippet.is_none() && f.location == Location::FILE;
        let any_content = secret.iter().any(|&i| !whole(&findings[i]));
        let mut drop = vec![false; findings.len()];
        for (n, &i) in secret.iter().enumerate() {
            if whole(&findings[i]) {
                drop[i] = any_content;
                continue;
            }
            for &j in &secret[n + 1..] {
                if whole(&findings[j]) || !overlap(&findings[i], &findings[j]) {
                    continue;
                }
                let (a, b) = (&findings[i], &findings[j]);
                if outranks(b, standing(b), a, standing(a)) {
                    drop[i] = true;
                } else {
                    drop[j] = true;
                }
            }
        }
        let mut keep = drop.iter().map(|d| !d);
        findings.retain(|_| keep.next().unwrap_or(true));
    }
}

/// Whether two findings' spans share a character.
fn overlap(a: &Finding, b: &Finding) -> bool {
    let (a, b) = (a.location, b.location);
    let start = |l: Location| (l.line, l.column);
    let end = |l: Location| (l.end_line, l.end_column);
    start(a) < end(b) && start(b) < end(a)
}

/// Whether `a` is the more specific report of the same problem than `b`.
fn outranks(a: &Finding, sa: Standing, b: &Finding, sb: Standing) -> bool {
    if sa.generic != sb.generic {
        return !sa.generic;
    }
    let width = |f: &Finding| {
        let l = f.location;
        (l.end_line - l.line, l.end_column.saturating_sub(l.column))
    };
    if width(a) != width(b) {
        return width(a) < width(b);
    }
    sa.order < sb.order
}
