//! Flags that shape human output, shared by `check` and `history`: grouping, how much is shown,
//! caps, and the width text is wrapped to.

use std::io::IsTerminal;

use clap::Args;

use crate::report::{Detail, GroupBy, RenderOptions, DEFAULT_MAX_PER_RULE};

/// Width used when stdout is not a terminal and `COLUMNS` is unset.
pub const FALLBACK_WIDTH: usize = 100;

/// Human-output flags.
#[derive(Debug, Clone, Args)]
pub struct DisplayArgs {
    /// Group findings by rule (its help printed once) or by file.
    #[arg(long, value_enum, default_value_t = GroupBy::Rule)]
    pub group_by: GroupBy,
    /// Print only the per-rule tally and the summary, not the findings.
    #[arg(long, conflicts_with = "quiet")]
    pub statistics: bool,
    /// Print only the summary line (and any config change that relaxes the gate).
    #[arg(long, short)]
    pub quiet: bool,
    /// Show at most N findings in full; the rest are counted in the tally (0: no limit).
    #[arg(long, value_name = "N")]
    pub max_findings: Option<usize>,
    /// Show at most N findings of each rule in full (0: no limit).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PER_RULE)]
    pub max_per_rule: usize,
}

impl DisplayArgs {
    /// Render options for human output, `color` decided by the caller.
    pub fn render_options(&self, color: bool) -> RenderOptions {
        let detail = if self.quiet {
            Detail::Quiet
        } else if self.statistics {
            Detail::Statistics
        } else {
            Detail::Full
        };
        RenderOptions {
            color,
            width: terminal_width(),
            group_by: self.group_by,
            detail,
            max_findings: self.max_findings.filter(|&n| n > 0),
            max_per_rule: Some(self.max_per_rule).filter(|&n| n > 0),
        }
    }
}

/// The width to wrap human output to: `COLUMNS` when set to a number (so a script or a test
/// can choose), else the terminal's width when stdout is one, else [`FALLBACK_WIDTH`].
pub fn terminal_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        if n > 0 {
            return n;
        }
    }
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(&stdout) {
            return usize::from(w);
        }
    }
    FALLBACK_WIDTH
}
