//! Resource bounds for structured parsing (nesting depth, YAML alias expansion, a per-file time
//! budget), set by the scan stage for the file the current thread is working on.
//!
//! A thread-local rather than a parameter: parsers deep in recursive converters read the bound
//! where they need it, and each file is matched on one thread from start to end.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Default nesting depth of YAML/JSON/TOML documents.
pub const DEFAULT_MAX_DEPTH: usize = 128;
/// Default number of nodes YAML aliases may copy into one file's tree (billion laughs).
pub const DEFAULT_MAX_ALIAS_NODES: usize = 100_000;
/// Default time one file's structured parsing may take.
pub const DEFAULT_PARSE_BUDGET: Duration = Duration::from_secs(2);

/// The bounds in force for one file.
#[derive(Debug, Clone, Copy)]
pub struct ParseLimits {
    /// Deepest nesting a document may have.
    pub max_depth: usize,
    /// Most nodes YAML aliases may copy.
    pub max_alias_nodes: usize,
    /// When structured parsing of the current file must stop (`None`: no budget).
    pub deadline: Option<Instant>,
    /// The whole per-file budget the deadline was set from (`None`: no budget).
    pub budget: Option<Duration>,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            max_alias_nodes: DEFAULT_MAX_ALIAS_NODES,
            deadline: None,
            budget: None,
        }
    }
}

thread_local! {
    static CURRENT: Cell<ParseLimits> = Cell::new(ParseLimits::default());
}

/// Sets the bounds for the file this thread is about to match; the budget starts now.
pub fn start_file(max_depth: usize, budget: Option<Duration>) {
    CURRENT.with(|c| {
        c.set(ParseLimits {
            max_depth,
            max_alias_nodes: DEFAULT_MAX_ALIAS_NODES,
            deadline: budget.map(|b| Instant::now() + b),
            budget,
        })
    });
}

/// The bounds in force on this thread.
pub fn current() -> ParseLimits {
    CURRENT.with(Cell::get)
}

/// Whether the current file's parse-time budget is spent.
pub fn expired() -> bool {
    current().deadline.is_some_and(|d| Instant::now() >= d)
}

/// The message for a spent budget.
pub fn expired_message() -> String {
    "structured parsing exceeded the per-file time budget".to_string()
}
