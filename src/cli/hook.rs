//! `guardrail hook install|uninstall`: a plain git pre-commit hook that runs
//! `guardrail check --staged`, for repositories that do not use the pre-commit framework.
//!
//! The hook goes where git looks for hooks (`git rev-parse --git-path hooks`), which honours
//! `core.hooksPath` and linked worktrees. A hook guardrail did not write is never replaced
//! without `--force`, and then it is kept beside the new one as a backup.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{write_stdout, EXIT_CLEAN};
use crate::error::{Error, Result};
use crate::source::git::Repo;

/// The line that marks a hook as guardrail's own.
const MARKER: &str = "# Installed by `guardrail hook install`";

/// Where a replaced foreign hook is kept.
const BACKUP: &str = "pre-commit.guardrail-backup";

/// `guardrail hook ...`
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write a git pre-commit hook that runs `guardrail check --staged`.
    Install(InstallArgs),
    /// Remove the pre-commit hook if guardrail wrote it.
    Uninstall,
}

/// Arguments of `guardrail hook install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Replace a pre-commit hook guardrail did not write (it is kept as pre-commit.guardrail-backup).
    #[arg(long)]
    pub force: bool,
}

/// Runs a hook subcommand.
pub fn run(cmd: &HookCommand) -> Result<u8> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let hook = hook_path(&cwd)?;
    let message = match cmd {
        HookCommand::Install(args) => install(&hook, args.force)?,
        HookCommand::Uninstall => uninstall(&hook)?,
    };
    write_stdout(format!("{message}\n").as_bytes())?;
    Ok(EXIT_CLEAN)
}

/// The pre-commit hook file git will run for the repository around `cwd`, relative to `cwd`.
pub fn hook_path(cwd: &Path) -> Result<PathBuf> {
    let repo = Repo::discover(cwd)?;
    // Relative to the working directory (or absolute, as git says), so messages read naturally.
    Ok(repo.hooks_dir()?.join("pre-commit"))
}

/// The hook script. It prefers the binary that installed it and falls back to `PATH`, and it
/// fails the commit (loudly) when neither exists: a gate that silently stops gating is worse.
pub fn script(binary: &Path) -> String {
    let quoted = binary.to_string_lossy().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n\
         {MARKER}; `guardrail hook uninstall` removes it.\n\
         # Scans what is staged for commit. Skip once with `git commit --no-verify`.\n\
         guardrail='{quoted}'\n\
         if [ ! -x \"$guardrail\" ]; then\n\
         \x20 guardrail=$(command -v guardrail) || {{\n\
         \x20   echo 'guardrail pre-commit hook: guardrail is not installed (or run: guardrail hook uninstall)' >&2\n\
         \x20   exit 1\n\
         \x20 }}\n\
         fi\n\
         exec \"$guardrail\" check --staged\n"
    )
}

fn install(hook: &Path, force: bool) -> Result<String> {
    let binary = std::env::current_exe().map_err(|e| Error::io("current executable", e))?;
    let wanted = script(&binary);
    let shown = hook.display().to_string();
    let existing = std::fs::read_to_string(hook).ok();
    let verb = match &existing {
        Some(text) if *text == wanted => {
            return Ok(format!("guardrail pre-commit hook already installed at {shown}"))
        }
        Some(text) if text.contains(MARKER) => "updated",
        Some(_) if !force => {
            return Err(Error::Usage(format!(
                "{shown} exists and was not written by guardrail; \
                 re-run with --force to replace it (it is kept as {BACKUP}), \
                 or call `guardrail check --staged` from it"
            )))
        }
        Some(_) => {
            let backup = hook.with_file_name(BACKUP);
            std::fs::copy(hook, &backup).map_err(|e| Error::io(backup.display(), e))?;
            "replaced (the old hook is kept as pre-commit.guardrail-backup)"
        }
        None => "installed",
    };
    if let Some(dir) = hook.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), e))?;
    }
    super::atomic::write(hook, wanted.as_bytes())?;
    make_executable(hook)?;
    Ok(format!("guardrail pre-commit hook {verb} at {shown}"))
}

fn uninstall(hook: &Path) -> Result<String> {
    let shown = hook.display().to_string();
    match std::fs::read_to_string(hook) {
        Err(_) => Ok(format!("no pre-commit hook at {shown}")),
        Ok(text) if !text.contains(MARKER) => Err(Error::Usage(format!(
            "{shown} was not written by guardrail; leaving it alone"
        ))),
        Ok(_) => {
            std::fs::remove_file(hook).map_err(|e| Error::io(&shown, e))?;
            Ok(format!("removed the guardrail pre-commit hook at {shown}"))
        }
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io(path.display(), e))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    // Git for Windows runs hooks through its own sh; no mode bit is needed.
    Ok(())
}
