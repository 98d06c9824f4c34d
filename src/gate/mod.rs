//! The scanned repository is untrusted input, and some of it configures the gate itself
//! (`guardrail.toml`, ignore files, policy packs, the baseline). This stage keeps that honest:
//! gate files are read without following symlinks or leaving the repository (`files`), every
//! run states what its configuration changed (`summary`), a change that edits a gate file is
//! reported (`changed`), and a run that checked nothing fails instead of passing (`empty`).

pub mod changed;
pub mod files;
pub mod summary;

use crate::error::{Error, Result};
use crate::report::Report;
use crate::Settings;

/// Refuses a run that checked nothing, which would otherwise pass silently: no rule loaded
/// (`builtin = false`, `"*" = "off"`, every pack off), or no file scanned (`exclude = ["**"]`,
/// `max-file-size = 1`, an ignore file of `*`). `--allow-empty` accepts it. A `--staged` or
/// `--diff` run with nothing in the change is empty by nature: it fails only when paths were
/// named on the command line.
pub fn refuse_empty(report: &Report, settings: &Settings) -> Result<()> {
    if settings.allow_empty {
        return Ok(());
    }
    let help = "if an empty run is intended, pass --allow-empty; the config summary \
                (`--format json`: the `config` object) shows what the configuration turned off";
    if report.rules.is_empty() {
        return Err(Error::Empty {
            message: "no rule was loaded, so nothing was checked".into(),
            help: format!("{help}{}", config_hint(report)),
        });
    }
    let tree = settings.input == crate::Input::Tree;
    if report.summary.files_scanned == 0 && (tree || settings.paths_given) {
        let skipped = report.summary.files_skipped;
        let message = if skipped > 0 {
            format!("no file was scanned ({skipped} skipped), so nothing was checked")
        } else {
            "no file was scanned, so nothing was checked".to_string()
        };
        return Err(Error::Empty {
            message,
            help: format!("{help}{}", config_hint(report)),
        });
    }
    Ok(())
}

/// The config changes that may explain an empty run, as a sentence tail.
fn config_hint(report: &Report) -> String {
    let relaxing: Vec<String> = report
        .config
        .changes
        .iter()
        .filter(|c| c.relaxes)
        .map(|c| format!("{} = {}", c.key, c.value))
        .collect();
    match &report.config.file {
        Some(file) if !relaxing.is_empty() => {
            format!("; {file} sets {}", summary::truncate_list(&relaxing, 5))
        }
        _ => String::new(),
    }
}
