//! guardrail's own diagnostic rules: notes about suppressions and files that could not be
//! parsed. They are not policy rules, but every output format describes them like one.

use crate::policy::Severity;

/// Rule id of the note for a suppression comment that silenced nothing.
pub const UNUSED_SUPPRESSION: &str = "guardrail/unused-suppression";
/// Rule id of the finding for a suppression without a reason when reasons are required.
pub const MISSING_REASON: &str = "guardrail/suppression-without-reason";
/// Rule id of the finding for an attempt to silence an unsuppressible rule.
pub const UNSUPPRESSIBLE: &str = "guardrail/unsuppressible-rule";
/// Rule id of the note for a structured file (Rust, TOML, JSON, YAML) that did not parse.
pub const UNPARSED: &str = "guardrail/unparsed-file";

/// Rule id of the note for a baseline entry that matches no finding any more (stale).
pub const STALE_BASELINE: &str = "guardrail/stale-baseline-entry";
/// Rule id of the note for a workspace whose dependency licenses could not be read offline.
pub const DEPENDENCY_LICENSES_UNCHECKED: &str = "guardrail/dependency-licenses-unchecked";
/// Rule id of the warning for a `--staged` / `--diff` change that edits a file configuring the
/// gate itself (guardrail.toml, .guardrailignore, a policy pack, the baseline).
pub const GATE_CONFIG_CHANGED: &str = "guardrail/gate-config-changed";

/// `(id, severity, description)` of every meta rule.
pub const META_RULES: &[(&str, Severity, &str)] = &[
    (
        UNUSED_SUPPRESSION,
        Severity::Note,
        "A guardrail:ignore comment that silences no finding (stale)",
    ),
    (
        MISSING_REASON,
        Severity::Warning,
        "A guardrail:ignore comment without `-- reason` where reasons are required",
    ),
    (
        UNSUPPRESSIBLE,
        Severity::Warning,
        "A guardrail:ignore comment aimed at a rule that cannot be suppressed inline",
    ),
    (
        UNPARSED,
        Severity::Note,
        "A structured file that could not be parsed; structural rules did not run on it, text rules did",
    ),
    (
        STALE_BASELINE,
        Severity::Note,
        "A baseline entry that matches no finding any more: the finding was fixed or its file removed",
    ),
    (
        DEPENDENCY_LICENSES_UNCHECKED,
        Severity::Note,
        "A Cargo workspace whose dependency licenses could not be read offline (`cargo fetch` fixes it); the other cargo rules still ran",
    ),
    (
        GATE_CONFIG_CHANGED,
        Severity::Warning,
        "A change that edits a file configuring the gate itself (guardrail.toml, .guardrailignore, a policy pack or the baseline)",
    ),
];

/// How to resolve a finding of meta rule `id` (every output format that describes rules needs
/// help text; SARIF consumers such as GitHub code scanning require it).
pub fn help(id: &str) -> &'static str {
    match id {
        UNUSED_SUPPRESSION => {
            "Remove the comment, or fix its rule id; `guardrail rules list` shows every id."
        }
        MISSING_REASON => {
            "Add a reason after `--`: `guardrail:ignore <rule-id> -- <why this is acceptable>`."
        }
        UNSUPPRESSIBLE => "Fix the finding; this rule cannot be silenced with a comment.",
        UNPARSED => "Fix the syntax error, or exclude the file if it is not meant to parse.",
        STALE_BASELINE => {
            "Regenerate the baseline with `guardrail check --write-baseline FILE`, or delete the entry."
        }
        GATE_CONFIG_CHANGED => {
            "Review the change to the gate's configuration as carefully as code: it can turn rules off, exclude paths or accept findings. A CI gate can pin its own config with `--config` (see docs/ci-and-hooks.md)."
        }
        _ => "See `guardrail rules explain` and docs/outputs.md.",
    }
}
