//! `guardrail validate POLICY...`: load and compile policy files, report problems with spans.

use std::path::PathBuf;

use clap::Args;

use super::{write_stdout, EXIT_CLEAN};
use crate::error::Result;
use crate::plan::Plan;
use crate::policy::{self, PolicySet};

/// Arguments of `guardrail validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Policy files or directories.
    #[arg(required = true, value_name = "POLICY")]
    pub policies: Vec<PathBuf>,
}

/// Loads, validates and compiles every regex and glob of the given packs.
pub fn run(args: &ValidateArgs) -> Result<u8> {
    let mut set = PolicySet::default();
    // Built-ins are loaded first so a user rule id that collides with one is caught.
    policy::load_builtin(&mut set)?;
    let builtin_rules = set.rules.len();
    policy::load_paths(&mut set, &args.policies)?;
    let packs = set.packs.iter().filter(|p| !p.builtin).count();
    let mut rules: Vec<_> = set.rules.split_off(builtin_rules);
    for rule in &mut rules {
        // Validate off-by-default rules too, and build every regex now.
        rule.enabled = true;
        rule.builtin = false;
    }
    let count = rules.len();
    Plan::compile(rules)?;
    write_stdout(format!("ok: {count} rules in {packs} packs\n").as_bytes())?;
    Ok(EXIT_CLEAN)
}
