//! What a portfolio holds: the aggregates and top lists every output format renders. Field
//! order is the `--format json` contract (see [`super::json`]).

use serde::Serialize;

/// Whether a finding is open or accepted debt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Reported: fails or warns today.
    Open,
    /// Listed in the baseline.
    Baselined,
    /// Silenced by a `guardrail:ignore` comment.
    Suppressed {
        /// The comment's reason.
        reason: Option<String>,
        /// The comment's line.
        line: Option<usize>,
    },
}

impl Status {
    /// `open`, `baselined` or `suppressed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Baselined => "baselined",
            Status::Suppressed { .. } => "suppressed",
        }
    }
}

/// The whole portfolio.
#[derive(Debug, Clone, Serialize)]
pub struct Portfolio {
    /// Heading.
    pub title: String,
    /// The newest commit date among the repositories (ISO 8601), if any.
    pub as_of: Option<String>,
    /// The CODEOWNERS file owners come from (`None`: no owners known).
    pub codeowners: Option<String>,
    /// Counts over every repository.
    pub totals: Totals,
    /// One row per repository, by name.
    pub repositories: Vec<RepositoryRow>,
    /// Open and accepted findings per category.
    pub by_category: Vec<Row>,
    /// ... per severity.
    pub by_severity: Vec<Row>,
    /// ... per file context.
    pub by_context: Vec<Row>,
    /// ... per owner from CODEOWNERS (`(unowned)`; `(no CODEOWNERS)` when the repository has none).
    pub by_owner: Vec<Row>,
    /// ... per rule, most first ([`LIST_LIMIT`] at most).
    pub by_rule: Vec<Row>,
    /// ... per directory (two levels), most first ([`LIST_LIMIT`] at most).
    pub by_directory: Vec<Row>,
    /// The highest priority scores, open and accepted alike.
    pub fix_first: Vec<ItemView>,
    /// Accepted debt: baselined and suppressed findings.
    pub debt: Debt,
    /// Counts over time, oldest first (empty without several snapshots).
    pub trend: Vec<TrendPoint>,
}

/// Longest list of rules or directories kept: the page shows aggregates, not every finding.
pub const LIST_LIMIT: usize = 25;

/// Counts over every repository.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Repositories in the portfolio.
    pub repositories: usize,
    /// Files scanned (latest snapshot of each repository).
    pub files_scanned: usize,
    /// Open findings.
    pub open: usize,
    /// Open errors.
    pub errors: usize,
    /// Open warnings.
    pub warnings: usize,
    /// Open notes.
    pub notes: usize,
    /// Baselined findings.
    pub baselined: usize,
    /// Findings silenced by comments.
    pub suppressed: usize,
}

/// One repository's latest snapshot.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RepositoryRow {
    /// Name.
    pub name: String,
    /// Commit scanned.
    pub commit: Option<String>,
    /// Its committer date.
    pub commit_date: Option<String>,
    /// How many shard reports were merged (1 when unsharded).
    pub reports: usize,
    /// Files scanned.
    pub files_scanned: usize,
    /// Open findings.
    pub open: usize,
    /// Open errors.
    pub errors: usize,
    /// Baselined findings.
    pub baselined: usize,
    /// Silenced by comments.
    pub suppressed: usize,
    /// Highest priority score among its findings.
    pub top_score: f64,
}

/// One key of an aggregate.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Row {
    /// The category, severity, rule, directory, ...
    pub key: String,
    /// Open findings.
    pub open: usize,
    /// Baselined and suppressed findings.
    pub debt: usize,
}

/// Git facts about a line.
#[derive(Debug, Clone, Serialize)]
pub struct Dated {
    /// Commit id.
    pub commit: String,
    /// Author name.
    pub author: String,
    /// Author date, `YYYY-MM-DD`.
    pub date: String,
    /// Days from then to the portfolio's reference time (`HEAD`'s commit time).
    pub age_days: Option<i64>,
}

/// One finding, as the top lists show it (no snippet: nothing of the matched text).
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// Repository name.
    pub repository: String,
    /// Rule id.
    pub rule: String,
    /// Category.
    pub category: String,
    /// Severity.
    pub severity: String,
    /// File context.
    pub context: String,
    /// Display path.
    pub path: String,
    /// Line.
    pub line: usize,
    /// The rule's message (redacted when the report was written).
    pub message: String,
    /// CODEOWNERS owners (empty: unowned).
    pub owners: Vec<String>,
    /// `open`, `baselined`, `suppressed`.
    pub status: &'static str,
    /// The suppression comment's reason.
    pub reason: Option<String>,
    /// Whether the file ships to clients.
    pub exposed: bool,
    /// The priority score.
    pub score: f64,
    /// The commit that last wrote the matched line.
    pub introduced: Option<Dated>,
    /// The commit that last wrote the suppression comment.
    pub suppressed_by: Option<Dated>,
}

/// Accepted debt.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Debt {
    /// Baselined findings.
    pub baselined: usize,
    /// Findings silenced by comments.
    pub suppressed: usize,
    /// Of those, silenced without a reason.
    pub without_reason: usize,
    /// Debt items whose age is known (from git blame).
    pub dated: usize,
    /// Median age in days of the dated items.
    pub median_age_days: Option<i64>,
    /// Dated items by age: `< 30 days`, `30–90 days`, `90–365 days`, `> 1 year`.
    pub by_age: Vec<Row>,
    /// The oldest items (undated ones last, by score).
    pub oldest: Vec<ItemView>,
}

/// Counts at one point in time.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrendPoint {
    /// Short commit (and repository, with several).
    pub label: String,
    /// Commit date.
    pub date: Option<String>,
    /// Open findings.
    pub open: usize,
    /// Open findings per category.
    pub by_category: std::collections::BTreeMap<String, usize>,
    /// Baselined findings: the burn-down.
    pub baselined: usize,
    /// Silenced by comments.
    pub suppressed: usize,
}
