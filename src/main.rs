//! The `guardrail` binary: parse arguments, run, exit. Everything else is in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = guardrail::cli::Cli::parse();
    ExitCode::from(guardrail::cli::run(cli))
}
