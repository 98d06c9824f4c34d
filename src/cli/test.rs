//! `guardrail test [POLICY...]`: runs every rule's examples. A `fail` example must yield at
//! least one finding of its rule, a `pass` example none; each miss is a diagnostic pointing at
//! the example in the policy file.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::{render_diagnostic, write_stdout, EXIT_CLEAN, EXIT_FINDINGS};
use crate::engine::Engine;
use crate::error::{LocatedError, Result};
use crate::plan::Plan;
use crate::policy::{self, Example, Expect, PolicySet};
use crate::source::{Entry, FileSet};

/// Arguments of `guardrail test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Policy files or directories (default: the built-in packs).
    #[arg(value_name = "POLICY")]
    pub policies: Vec<PathBuf>,
}

/// One example that did not behave.
#[derive(Debug)]
pub struct ExampleFailure {
    /// Diagnostic pointing at the example.
    pub error: LocatedError,
}

/// Runs the examples of every rule in `set`; returns (examples run, failures).
pub fn run_examples(set: PolicySet) -> Result<(usize, Vec<ExampleFailure>)> {
    let mut rules = set.rules;
    for r in &mut rules {
        r.enabled = true;
        r.builtin = false;
    }
    let plan = Plan::compile(rules)?;
    let engine = Engine::bare(&plan);
    let mut failures = Vec::new();
    let mut count = 0;
    for (i, rule) in plan.rules.iter().enumerate() {
        for example in &rule.examples {
            count += 1;
            let (entry, files) = example_input(example);
            let found = engine.check_rule(i, &entry, &files);
            let message = match (example.expect, found.len()) {
                (Expect::Fail, 0) => format!("`{}`: fail example produced no finding", rule.id),
                (Expect::Pass, n) if n > 0 => format!("`{}`: pass example produced {n} finding(s)", rule.id),
                _ => match fix_failure(&engine, i, rule, example, &found) {
                    Some(message) => message,
                    None => continue,
                },
            };
            failures.push(ExampleFailure {
                error: rule
                    .error(example.span.clone(), message)
                    .with_label(format!("scanned as {}", example.path))
                    .with_help("fix the rule or the example; `guardrail rules explain` shows the rule"),
            });
        }
    }
    Ok((count, failures))
}

/// Why a `fixed` example does not hold: the rule's fix, applied to every finding of the
/// example, must give exactly the `fixed` text, and that text must pass the rule.
fn fix_failure(
    engine: &Engine,
    index: usize,
    rule: &policy::Rule,
    example: &Example,
    found: &[crate::finding::Finding],
) -> Option<String> {
    let (fixed, fix) = (example.fixed.as_ref()?, rule.fix.as_ref()?);
    let text = &example.text;
    let edits: Vec<crate::fix::Edit> = found
        .iter()
        .filter_map(|f| fix.edit(text, crate::fix::byte_range(text, &f.location)?))
        .collect();
    let result = crate::fix::apply(text, &edits);
    if result != *fixed {
        return Some(format!(
            "`{}`: the fix gives {result:?}, the example expects {fixed:?}",
            rule.id
        ));
    }
    let after = Example {
        text: result,
        ..example.clone()
    };
    let (entry, files) = example_input(&after);
    let left = engine.check_rule(index, &entry, &files).len();
    (left > 0).then(|| format!("`{}`: the fixed text still produces {left} finding(s)", rule.id))
}

/// The in-memory file an example is scanned as, with the companion files it names.
pub fn example_input(example: &Example) -> (Entry, FileSet) {
    let mk = |path: &str, bytes: &[u8]| Entry::in_memory(path, Arc::from(bytes));
    let entry = mk(&example.path, example.text.as_bytes());
    let mut all = vec![entry.clone()];
    all.extend(example.files.iter().map(|f| mk(f, b"")));
    (entry, FileSet::from_entries(&all))
}

/// Runs `guardrail test`.
pub fn run(args: &TestArgs) -> Result<u8> {
    let mut set = PolicySet::default();
    if args.policies.is_empty() {
        policy::load_builtin(&mut set)?;
    } else {
        policy::load_paths(&mut set, &args.policies)?;
    }
    let rule_count = set.rules.len();
    let (count, failures) = run_examples(set)?;
    let mut out = String::new();
    for f in &failures {
        out.push_str(&render_diagnostic(&f.error, false));
        out.push('\n');
    }
    out.push_str(&format!(
        "{rule_count} rules, {count} examples: {} passed, {} failed\n",
        count - failures.len(),
        failures.len()
    ));
    write_stdout(out.as_bytes())?;
    Ok(if failures.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
