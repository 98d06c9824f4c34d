//! The command line: clap definitions, dispatch, and the one place errors become exit codes.

pub mod atomic;
pub mod bounds;
pub mod check;
pub mod completions;
pub mod display;
pub mod history;
pub mod hook;
pub mod init;
pub mod lsp;
pub mod report;
pub mod rules;
pub mod test;
pub mod validate;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::config::{self, Config, ConfigOrigin};
use crate::error::{Error, Result};
use crate::Settings;

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above `--fail-on` (or a failing `guardrail test`).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, configuration, policy or internal error.
pub const EXIT_ERROR: u8 = 2;

/// Policy-as-code checker: privacy, security and fairness guardrails as declarative TOML rules.
#[derive(Debug, Parser)]
#[command(name = "guardrail", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and report violations.
    Check(check::CheckArgs),
    /// Scan what git commits added (every branch and tag, or a range) for secrets.
    History(history::HistoryArgs),
    /// List rules or explain one.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Run every rule's pass/fail examples.
    Test(test::TestArgs),
    /// Load and compile policy files without scanning.
    Validate(validate::ValidateArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), or write one page per command with --out-dir.
    Man(completions::ManArgs),
    /// Install or remove a git pre-commit hook that runs `guardrail check --staged`.
    #[command(subcommand)]
    Hook(hook::HookCommand),
    /// Write a commented guardrail.toml (and a pre-commit config or GitHub workflow).
    Init(init::InitArgs),
    /// Run the language server (LSP over stdio) for editors.
    Lsp(lsp::LspArgs),
    /// Write the portfolio (HTML page, Markdown summary or JSON metrics) from a check or saved
    /// JSON reports: totals, owners, debt and its age, priorities, trend.
    Report(Box<report::ReportArgs>),
}

/// Where rules come from; shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// Add a policy file or a directory of them (repeatable).
    #[arg(long = "policy", value_name = "FILE|DIR")]
    pub policies: Vec<PathBuf>,
    /// Leave out the built-in packs.
    #[arg(long)]
    pub no_builtin: bool,
    /// Use this config file instead of discovering guardrail.toml (a CI gate can pin the base
    /// branch's config this way); repository ignore files such as .guardrailignore are not read
    /// either.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any guardrail.toml and the repository's .guardrailignore and .ignore files (for
    /// a CI gate that must not trust the checkout's config).
    #[arg(long)]
    pub no_config: bool,
}

/// Which rules report: `--select` and `--ignore` (for `check` and `history`).
#[derive(Debug, Clone, Args)]
pub struct SelectArgs {
    /// Run only these rules: ids, short ids or globs (`security/*`, `privacy/*-in-log`);
    /// comma-separated or repeated. An exact id also turns on a rule that is off.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Leave out these rules (ids, short ids or globs; comma-separated or repeated).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

impl SelectArgs {
    /// The parsed patterns.
    pub fn selection(&self) -> Result<config::Selection> {
        let parse = |flag: &str, list: &[String]| -> Result<Vec<config::RulePattern>> {
            list.iter()
                .map(|p| p.trim())
                .filter(|p| !p.is_empty())
                .map(|p| config::RulePattern::parse(p, flag))
                .collect()
        };
        Ok(config::Selection {
            select: parse("--select", &self.select)?,
            ignore: parse("--ignore", &self.ignore)?,
        })
    }
}

/// Drops the findings of guardrail's own rules (`guardrail/...`) that `--select` / `--ignore`
/// leave out (policy rules were never run), and recounts the severities.
pub fn apply_selection(report: &mut crate::report::Report, selection: &config::Selection) {
    if selection.is_empty() {
        return;
    }
    report
        .findings
        .retain(|f| !crate::meta::is_meta(&f.rule) || selection.allows(&f.rule));
    let s = &mut report.summary;
    (s.errors, s.warnings, s.notes) = (0, 0, 0);
    for f in &report.findings {
        s.count(f);
    }
}

impl PolicyArgs {
    /// Builds settings for scanning `roots`, reading the config unless told not to.
    pub fn settings(&self, roots: Vec<PathBuf>) -> Result<Settings> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let config = if self.no_config {
            let mut config = Config::default();
            config.origin = ConfigOrigin::Disabled;
            config
        } else if let Some(path) = &self.config {
            let mut config = Config::load(path)?;
            config.origin = ConfigOrigin::CommandLine;
            anchor_outside_config(&mut config, &cwd);
            config
        } else {
            match config::discover(&cwd) {
                Some(path) => {
                    let mut config = Config::load(&path)?;
                    config.origin = ConfigOrigin::Discovered;
                    config
                }
                None => Config::default(),
            }
        };
        let mut settings = Settings::from_config(cwd, roots, config);
        settings.builtin = !self.no_builtin && settings.builtin;
        settings.policy_paths = self.policies.clone();
        // Ignore files are repository configuration too: a pinned config pins them away.
        settings.repo_ignore_files = !self.no_config && self.config.is_none();
        Ok(settings)
    }
}

/// A `--config` file from outside the repository being scanned (a CI gate's pinned copy of the
/// base branch's config, say in `$RUNNER_TEMP`) matches its `exclude` and `[[overrides]]`
/// globs against paths relative to the repository root, as it would at the root of a checkout.
/// Its `policies` stay relative to the file (they were resolved when it was loaded).
fn anchor_outside_config(config: &mut Config, cwd: &std::path::Path) {
    let root = crate::report::RepoPaths::discover(cwd).root;
    let canonical = |p: &std::path::Path| {
        let abs = crate::source::walk::absolute(p, cwd);
        abs.canonicalize().unwrap_or(abs)
    };
    if !canonical(&config.dir).starts_with(canonical(&root)) {
        config.dir = root;
    }
}

/// A budget in milliseconds; 0 means unbounded.
pub fn budget(ms: u64) -> Option<std::time::Duration> {
    (ms > 0).then(|| std::time::Duration::from_millis(ms))
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::History(args) => history::run(&args),
        Command::Rules(cmd) => rules::run(&cmd),
        Command::Test(args) => test::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => completions::man(&args),
        Command::Hook(cmd) => hook::run(&cmd),
        Command::Init(args) => init::run(&args),
        Command::Lsp(args) => lsp::run(&args),
        Command::Report(args) => report::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(e) => {
            print_error(&e);
            EXIT_ERROR
        }
    }
}

/// Renders an error as a miette diagnostic on stderr.
pub fn print_error(e: &dyn miette::Diagnostic) {
    let mut stderr = anstream::stderr();
    let _ = write!(stderr, "{}", render_diagnostic(e, false));
}

/// Renders a diagnostic to a string (no colour unless asked), for stderr and tests.
pub fn render_diagnostic(e: &dyn miette::Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Wrapped at the terminal's width, between words only: a path or a rule id is never split.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(display::terminal_width().max(40))
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, e).is_err() {
        out = format!("error: {e}\n");
    }
    // The diagnostic quotes repository content (paths, config text): nothing in it may act on
    // the terminal or the CI log. With colour, miette's own escapes must survive.
    if color {
        out
    } else {
        crate::report::visible::lines(&out).into_owned()
    }
}

/// Writes to stdout, mapping a closed pipe to a clean exit.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}
