//! `guardrail init`: writes a commented `guardrail.toml`, and on request a pre-commit framework
//! config and a GitHub Actions workflow. Existing files are never replaced without `--force`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{write_stdout, EXIT_CLEAN};
use crate::error::{Error, Result};
use crate::source::git::Repo;

/// Arguments of `guardrail init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Also write a .pre-commit-config.yaml that runs guardrail on every commit.
    #[arg(long)]
    pub pre_commit: bool,
    /// Also write .github/workflows/guardrail.yml (scan on push and pull request, SARIF upload).
    #[arg(long)]
    pub github: bool,
    /// Replace files that already exist.
    #[arg(long)]
    pub force: bool,
    /// Where to write (default: the repository root, or the working directory outside git).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The commented starting config. It must load as it is (a test does that).
pub const CONFIG: &str = r#"# guardrail configuration. guardrail finds this file by walking up from the working
# directory; paths in it are relative to this file. Every key is optional.

# Lowest severity that fails `guardrail check`: "error" (default), "warning", "note", "never".
fail-on = "error"

# Demand a reason on every suppression comment: `# guardrail:ignore <rule-id> -- <why>`.
require-reason = false

# Never scan these (gitignore-style globs; .gitignore and .guardrailignore apply already).
exclude = [
  # "vendor/**",
  # "**/testdata/**",
]

# Extra policy packs: files or directories of *.toml written in the built-ins' language.
policies = [
  # "policies/",
]

# Built-in packs, on or off.
[packs]
security = true
privacy = true
fairness = true

# Per-rule settings: "off", "on", "note", "warning" or "error".
# `guardrail rules list` shows every id; `guardrail rules explain <id>` says why it exists.
[rules]
# "privacy/*" = "warning"

# Different settings for some paths (the last matching block wins).
# [[overrides]]
# paths = ["tests/**", "**/fixtures/**"]
# rules = { "privacy/*" = "off" }
"#;

/// Runs `guardrail init`.
pub fn run(args: &InitArgs) -> Result<u8> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let dir = match &args.dir {
        Some(d) => cwd.join(d),
        None => Repo::discover(&cwd).map_or(cwd.clone(), |r| r.toplevel_from_cwd()),
    };
    let mut files: Vec<(&str, String)> = vec![(crate::config::FILE_NAME, CONFIG.to_string())];
    if args.pre_commit {
        files.push((".pre-commit-config.yaml", pre_commit_config()));
    }
    if args.github {
        files.push((".github/workflows/guardrail.yml", workflow()));
    }
    let mut report = String::new();
    let mut refused = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        if path.exists() && !args.force {
            refused.push(name);
            continue;
        }
        write(&path, &text)?;
        report.push_str(&format!("wrote {}\n", crate::paths::relative_to(&path, &cwd)));
    }
    if args.github && !refused.contains(&".github/workflows/guardrail.yml") {
        report.push_str(&format!(
            "fill in the placeholders in .github/workflows/guardrail.yml: the guardrail repository ({}) and the commit to run ({PLACEHOLDER_SHA})\n",
            action_repo()
        ));
    }
    write_stdout(report.as_bytes())?;
    if refused.is_empty() {
        return Ok(EXIT_CLEAN);
    }
    Err(Error::Usage(format!(
        "kept existing {} (--force replaces {}){}",
        refused.join(", "),
        if refused.len() == 1 { "it" } else { "them" },
        if refused.contains(&".pre-commit-config.yaml") {
            format!(
                "; to add guardrail to your pre-commit config, append to `repos:`\n{}",
                pre_commit_entry()
            )
        } else {
            String::new()
        }
    )))
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent.display(), e))?;
    }
    super::atomic::write(path, text.as_bytes())
}

/// The `repos:` entry: a local hook running the installed `guardrail` binary, so it works as
/// written, offline, without a release tag to pin (install guardrail with
/// `cargo install --locked`, as README says). The hook settings are those of guardrail's own
/// `.pre-commit-hooks.yaml`.
pub fn pre_commit_entry() -> String {
    "  - repo: local\n\
     \x20   hooks:\n\
     \x20     - id: guardrail\n\
     \x20       name: guardrail\n\
     \x20       entry: guardrail check --staged\n\
     \x20       language: system\n\
     \x20       pass_filenames: true\n\
     \x20       require_serial: true\n\
     \x20       stages: [pre-commit, pre-push, manual]\n"
        .to_string()
}

/// A `.pre-commit-config.yaml` with the guardrail hook.
pub fn pre_commit_config() -> String {
    format!(
        "# pre-commit framework config: run `pre-commit install` once; every commit is then checked.\n\
         # guardrail scans what is staged; `pre-commit run --all-files` scans every tracked file.\n\
         # The hook runs the guardrail on PATH: install it with `cargo install --locked` (README).\n\
         repos:\n{}",
        pre_commit_entry()
    )
}

/// Stands in for the commit of the guardrail release to run, which `init` cannot know: the
/// workflow says to replace it (and fails on GitHub until it is replaced).
pub const PLACEHOLDER_SHA: &str = "0000000000000000000000000000000000000000";

/// The `owner/repo` of guardrail's GitHub Action, from the package's repository URL.
pub fn action_repo() -> String {
    env!("CARGO_PKG_REPOSITORY")
        .strip_prefix("https://github.com/")
        .map(|r| r.trim_end_matches(".git").trim_end_matches('/').to_string())
        .unwrap_or_else(|| "OWNER/guardrail".to_string())
}

/// A workflow that scans every push and pull request and uploads SARIF to code scanning.
pub fn workflow() -> String {
    format!(
        r#"# guardrail: policy-as-code checks on every push and pull request; findings appear in
# the Security tab (code scanning) and as pull-request annotations.
name: guardrail

on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read

jobs:
  guardrail:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write # upload SARIF to code scanning
    steps:
      - uses: actions/checkout@{checkout} # v4.2.2
        with:
          persist-credentials: false
      # PLACEHOLDERS to fill in: the guardrail repository, and the full commit SHA of the
      # release you reviewed (`git ls-remote https://github.com/{action} refs/tags/v{version}`),
      # with the tag as a comment. The step fails until both are filled in.
      - uses: {action}@{placeholder} # v{version}
        with:
          upload-sarif: true
          # A `baseline` key in guardrail.toml applies here too (docs/outputs.md#baselines).
"#,
        checkout = CHECKOUT_SHA,
        action = action_repo(),
        version = env!("CARGO_PKG_VERSION"),
        placeholder = PLACEHOLDER_SHA,
    )
}

/// actions/checkout v4.2.2, pinned to its commit.
pub const CHECKOUT_SHA: &str = "11bd71901bbe5b1630ceea73d27597364c9af683";
