//! guardrail's own diagnostic rules (`guardrail/...`): notes about suppressions, baselines and
//! files that could not be read structurally. They are not policy rules, but every output
//! format, `rules list` and `rules explain` describe them like one, from the one table here.

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
/// Rule id of the warning for an archive (or a member of one) that could not be read.
pub const UNREADABLE_ARCHIVE: &str = "guardrail/unreadable-archive";
/// Rule id of the note that `--cargo-metadata` ran cargo for a workspace.
pub const CARGO_METADATA_RAN: &str = "guardrail/cargo-metadata-ran";

/// One meta rule, documented in the shape policy rules are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetaRule {
    /// Full id, `guardrail/...`.
    pub id: &'static str,
    /// Default severity (the stale-baseline note becomes an error with
    /// `--fail-on-stale-baseline`).
    pub severity: Severity,
    /// One line: what was found.
    pub message: &'static str,
    /// Why it is reported.
    pub description: &'static str,
    /// How to resolve it.
    pub help: &'static str,
}

/// Every meta rule.
pub const META_RULES: &[MetaRule] = &[
    MetaRule {
        id: UNUSED_SUPPRESSION,
        severity: Severity::Note,
        message: "Suppression comment that silences no finding",
        description: "A guardrail:ignore comment that silences no finding (stale): the finding was fixed, moved, or the comment names the wrong rule.",
        help: "Remove the comment, or fix its rule id; `guardrail rules list` shows every id.",
    },
    MetaRule {
        id: MISSING_REASON,
        severity: Severity::Warning,
        message: "Suppression comment without a reason",
        description: "A guardrail:ignore comment without `-- reason` where reasons are required (`require-reason = true`): it is not honoured, so the finding it aims at is reported too.",
        help: "Add a reason after `--`: `guardrail:ignore <rule-id> -- <why this is acceptable>`.",
    },
    MetaRule {
        id: UNSUPPRESSIBLE,
        severity: Severity::Warning,
        message: "Suppression comment aimed at a rule that cannot be suppressed",
        description: "A guardrail:ignore comment aimed at a rule that cannot be suppressed inline (`suppressible = false`): the finding is reported anyway.",
        help: "Fix the finding; this rule cannot be silenced with a comment.",
    },
    MetaRule {
        id: UNPARSED,
        severity: Severity::Note,
        message: "Structured file that could not be parsed",
        description: "A structured file (Rust, TOML, JSON, YAML, Dockerfile) that could not be parsed, or hit a parse bound: structural rules did not run on it, text rules did.",
        help: "Fix the syntax error, or exclude the file if it is not meant to parse.",
    },
    MetaRule {
        id: UNREADABLE_ARCHIVE,
        severity: Severity::Warning,
        message: "Archive that could not be read",
        description: "An archive (.zip, .jar, .whl, .nupkg, .tar, .tar.gz, .tgz, .gz), or a member of one, that could not be read: it is corrupt, encrypted or uses an unsupported compression method, so what it holds was not scanned. A note where the archive is in a test, docs, generated, vendored or build context (a corrupt fixture is usually corrupt on purpose).",
        help: "Repair or remove the archive, or exclude it with a reason if it is corrupt on purpose (a test fixture).",
    },
    MetaRule {
        id: STALE_BASELINE,
        severity: Severity::Note,
        message: "Baseline entry that matches no finding",
        description: "A baseline entry that matches no finding any more: the finding was fixed or its file removed.",
        help: "Regenerate the baseline with `guardrail check --write-baseline FILE`, or delete the entry.",
    },
    MetaRule {
        id: DEPENDENCY_LICENSES_UNCHECKED,
        severity: Severity::Note,
        message: "Dependency licenses could not be checked",
        description: "A Cargo workspace whose dependency licenses could not be read offline; the other cargo rules still ran.",
        help: "Run `cargo fetch` (or `cargo generate-lockfile`) so the dependency sources are on disk, then check again.",
    },
    MetaRule {
        id: GATE_CONFIG_CHANGED,
        severity: Severity::Warning,
        message: "Change that edits the gate's own configuration",
        description: "A change that edits a file configuring the gate itself (guardrail.toml, .guardrailignore, a policy pack or the baseline).",
        help: "Review the change to the gate's configuration as carefully as code: it can turn rules off, exclude paths or accept findings. A CI gate can pin its own config with `--config` (see docs/ci-and-hooks.md).",
    },
    MetaRule {
        id: CARGO_METADATA_RAN,
        severity: Severity::Note,
        message: "cargo metadata ran for a workspace",
        description: "`--cargo-metadata` ran `cargo metadata --offline` for a workspace, with every repository-controlled program setting neutralised.",
        help: "Nothing to fix: this records that cargo ran. Drop `--cargo-metadata` to read the license graph from Cargo.lock and local sources only.",
    },
];

/// The meta rule `id`, if it is one.
pub fn find(id: &str) -> Option<&'static MetaRule> {
    META_RULES.iter().find(|m| m.id == id)
}

/// Whether `id` names a meta rule.
pub fn is_meta(id: &str) -> bool {
    find(id).is_some()
}

/// How to resolve a finding of meta rule `id` (every output format that describes rules needs
/// help text; SARIF consumers such as GitHub code scanning require it).
pub fn help(id: &str) -> &'static str {
    find(id).map_or("See `guardrail rules explain` and docs/outputs.md.", |m| m.help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_namespaced() {
        let mut ids: Vec<&str> = META_RULES.iter().map(|m| m.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), META_RULES.len());
        assert!(ids.iter().all(|id| id.starts_with("guardrail/")));
    }

    #[test]
    fn every_meta_rule_has_its_own_help() {
        for m in META_RULES {
            assert_eq!(help(m.id), m.help);
            assert!(!m.message.is_empty() && !m.description.is_empty());
        }
    }
}
