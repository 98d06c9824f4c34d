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

/// The `repos:` entry for this guardrail release.
pub fn pre_commit_entry() -> String {
    format!(
        "  - repo: {}\n    rev: v{}\n    hooks:\n      - id: guardrail\n",
        env!("CARGO_PKG_REPOSITORY"),
        env!("CARGO_PKG_VERSION")
    )
}

/// A `.pre-commit-config.yaml` with the guardrail hook.
pub fn pre_commit_config() -> String {
    format!(
        "# pre-commit framework config: run `pre-commit install` once; every commit is then checked.\n\
         # guardrail scans what is staged; `pre-commit run --all-files` scans every tracked file.\n\
         repos:\n{}",
        pre_commit_entry()
    )
}

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
      # Pin this to the commit of the release you reviewed, like the checkout above.
      - uses: {action}@v{version}
        with:
          upload-sarif: true
          # baseline: .guardrail-baseline.json
"#,
        checkout = CHECKOUT_SHA,
        action = action_repo(),
        version = env!("CARGO_PKG_VERSION"),
    )
}

/// actions/checkout v4.2.2, pinned to its commit.
pub const CHECKOUT_SHA: &str = "11bd71901bbe5b1630ceea73d27597364c9af683";
