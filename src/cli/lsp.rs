//! `guardrail lsp`: the language server, on stdin and stdout.

use clap::Args;

use crate::error::{Error, Result};

/// Options of `guardrail lsp`.
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Talk over stdin/stdout (the only transport, accepted because editors pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// Serves one editor until it exits: 0 after `shutdown` + `exit`, 1 when the client left
/// without `shutdown` (as the protocol asks), 2 when the connection failed.
pub fn run(_args: &LspArgs) -> Result<u8> {
    match crate::lsp::run_stdio() {
        Ok(crate::lsp::Ending::Clean) => Ok(super::EXIT_CLEAN),
        Ok(crate::lsp::Ending::Abrupt) => Ok(super::EXIT_FINDINGS),
        Err(e) => Err(Error::Usage(format!("language server: {e}"))),
    }
}
