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

/// Rule id of the note for a workspace whose dependency licenses could not be read offline.
pub const DEPENDENCY_LICENSES_UNCHECKED: &str = "guardrail/dependency-licenses-unchecked";

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
        DEPENDENCY_LICENSES_UNCHECKED,
        Severity::Note,
        "A Cargo workspace whose dependency licenses could not be read offline (`cargo fetch` fixes it); the other cargo rules still ran",
    ),
];
