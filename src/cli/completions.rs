//! `guardrail completions <shell>` and `guardrail man`: shell completion scripts and roff man
//! pages, generated from the same clap definitions as the parser, so they cannot drift.

use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{write_stdout, Cli, EXIT_CLEAN};
use crate::error::{Error, Result};

/// Arguments of `guardrail completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate a completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Arguments of `guardrail man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (guardrail.1, guardrail-check.1, ...) into this directory
    /// instead of printing guardrail.1 to stdout.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Prints the completion script for `args.shell`.
pub fn completions(args: &CompletionsArgs) -> Result<u8> {
    write_stdout(&completion_script(args.shell))?;
    Ok(EXIT_CLEAN)
}

/// The completion script for `shell`.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "guardrail", &mut out);
    out
}

/// Prints the top-level man page, or writes every page into `--out-dir`.
pub fn man(args: &ManArgs) -> Result<u8> {
    match &args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), e))?;
            clap_mangen::generate_to(Cli::command(), dir).map_err(|e| Error::io(dir.display(), e))?;
        }
        None => write_stdout(&man_page()?)?,
    }
    Ok(EXIT_CLEAN)
}

/// The roff source of guardrail(1).
pub fn man_page() -> Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Error::io("<man page>", e))?;
    Ok(out)
}
