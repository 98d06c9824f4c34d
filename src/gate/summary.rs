//! What configuration a run used and what it changed, for every output format: the config
//! file and ignore files loaded, and each setting that turned rules off, lowered severities,
//! excluded paths, changed `fail-on` or the scan bounds. A repository's config can weaken its
//! own gate; this makes that visible in the report instead of silent.

use std::path::Path;

use crate::config::{Config, ConfigOrigin, RuleSetting};
use crate::matchers::limits;
use crate::policy::{PolicySet, Severity};
use crate::Settings;

/// The configuration of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigSummary {
    /// The config file, as a display path; `None` when no config was used.
    pub file: Option<String>,
    /// How the config was chosen.
    pub origin: ConfigOrigin,
    /// Repository ignore files (`.guardrailignore`, `.ignore`) the walk read, relative to the
    /// repository root.
    pub ignore_files: Vec<String>,
    /// What the config changed, in file order by setting.
    pub changes: Vec<ConfigChange>,
}

/// One setting that differs from the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigChange {
    /// The key as written (`fail-on`, `rules.*`, `packs.security`, `overrides[0]`, ...).
    pub key: String,
    /// Its value, as TOML-ish text.
    pub value: String,
    /// What it did to this run.
    pub effect: String,
    /// Whether it makes the gate check less or fail less than the defaults would.
    pub relaxes: bool,
}

impl ConfigSummary {
    /// One line naming the config and ignore files, for the human summary and SARIF.
    pub fn headline(&self) -> String {
        let config = match (&self.file, self.origin) {
            (Some(file), ConfigOrigin::CommandLine) => format!("{file} (--config)"),
            (Some(file), _) => file.clone(),
            (None, ConfigOrigin::Disabled) => "none (--no-config)".to_string(),
            (None, _) => "none (no guardrail.toml found)".to_string(),
        };
        let ignores = if self.ignore_files.is_empty() {
            "none".to_string()
        } else {
            self.ignore_files.join(", ")
        };
        let changes = match self.changes.len() {
            0 => "no changes from the defaults".to_string(),
            1 => "1 change from the defaults".to_string(),
            n => format!("{n} changes from the defaults"),
        };
        format!("config: {config}; ignore files: {ignores}; {changes}")
    }
}

impl ConfigChange {
    /// `key = value: effect`.
    pub fn describe(&self) -> String {
        format!("{} = {}: {}", self.key, self.value, self.effect)
    }
}

/// Describes the configuration of a run: `set` is the policy set after the config applied.
pub fn describe(settings: &Settings, set: &PolicySet) -> ConfigSummary {
    let config = &settings.config;
    let mut changes = Vec::new();
    builtin_and_packs(config, &mut changes);
    rules(config, set, &mut changes);
    paths(config, &settings.cwd, &mut changes);
    gate_settings(config, settings, &mut changes);
    overrides(config, &mut changes);
    ConfigSummary {
        file: config.path.as_deref().map(|p| {
            crate::source::display_path(&crate::source::walk::absolute(p, &settings.cwd), &settings.cwd)
        }),
        origin: config.origin,
        ignore_files: Vec::new(),
        changes,
    }
}

fn change(
    key: impl Into<String>,
    value: impl Into<String>,
    effect: impl Into<String>,
    relaxes: bool,
) -> ConfigChange {
    ConfigChange {
        key: key.into(),
        value: value.into(),
        effect: effect.into(),
        relaxes,
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// At most `max` items joined with commas, then `and N more`.
pub fn truncate_list(items: &[String], max: usize) -> String {
    let mut out = items.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > max {
        out.push_str(&format!(" and {} more", items.len() - max));
    }
    out
}

fn builtin_and_packs(config: &Config, out: &mut Vec<ConfigChange>) {
    if config.builtin == Some(false) {
        out.push(change(
            "builtin",
            "false",
            "the built-in packs were not loaded",
            true,
        ));
    }
    for (pack, on) in config.packs().filter(|(_, on)| !on) {
        out.push(change(
            format!("packs.{pack}"),
            on.to_string(),
            "pack turned off",
            true,
        ));
    }
}

fn rules(config: &Config, set: &PolicySet, out: &mut Vec<ConfigChange>) {
    for entry in &config.rules {
        let selected: Vec<_> = set.rules.iter().filter(|r| entry.selects(&r.id)).collect();
        let (effect, relaxes) = match entry.setting {
            RuleSetting::Off => (
                format!("{} turned off", plural(selected.len(), "rule")),
                !selected.is_empty(),
            ),
            RuleSetting::On => (format!("{} turned on", plural(selected.len(), "rule")), false),
            setting => {
                let severity = setting_severity(setting);
                let lowered = selected.iter().filter(|r| r.default_severity > severity).count();
                let effect = format!(
                    "{} set to {severity} ({lowered} lowered)",
                    plural(selected.len(), "rule")
                );
                (effect, lowered > 0)
            }
        };
        let value = format!("{:?}", setting_name(entry.setting));
        out.push(change(format!("rules.{}", entry.pattern), value, effect, relaxes));
    }
}

fn paths(config: &Config, cwd: &Path, out: &mut Vec<ConfigChange>) {
    for policy in &config.policies {
        let shown = crate::source::display_path(policy, cwd);
        out.push(change(
            "policies",
            format!("{shown:?}"),
            "policy packs loaded",
            false,
        ));
    }
    for glob in &config.exclude {
        out.push(change(
            "exclude",
            format!("{glob:?}"),
            "matching paths were not scanned",
            true,
        ));
    }
}

/// How [`gate_settings`] lists one bound: key, configured value, default, value in use,
/// what the bound does.
type Bound<'a> = dyn Fn(&str, Option<u64>, u64, u64, &str, &mut Vec<ConfigChange>) + 'a;

/// The `[decode]` and `[archives]` keys the config sets, as [`gate_settings`] lists bounds.
fn decode_and_archive_bounds(
    config: &Config,
    settings: &Settings,
    bound: &Bound<'_>,
    out: &mut Vec<ConfigChange>,
) {
    use crate::decode as d;
    use crate::source::archive as a;
    let (dc, ds) = (&config.decode, &settings.decode);
    let u = |v: Option<usize>| v.map(|v| v as u64);
    bound(
        "decode.max-depth",
        u(dc.max_depth),
        d::DEFAULT_MAX_DEPTH as u64,
        ds.max_depth as u64,
        "deeper encodings are not decoded",
        out,
    );
    bound(
        "decode.max-segments",
        u(dc.max_segments),
        d::DEFAULT_MAX_SEGMENTS as u64,
        ds.max_segments as u64,
        "further segments of a file are not decoded",
        out,
    );
    bound(
        "decode.max-bytes",
        u(dc.max_bytes),
        d::DEFAULT_MAX_BYTES as u64,
        ds.max_bytes as u64,
        "decoding stops after this many bytes per file",
        out,
    );
    let (ac, as_) = (&config.archives, &settings.archives);
    bound(
        "archives.max-depth",
        u(ac.max_depth),
        a::DEFAULT_MAX_DEPTH as u64,
        as_.max_depth as u64,
        "deeper archives are not opened",
        out,
    );
    bound(
        "archives.max-members",
        u(ac.max_members),
        a::DEFAULT_MAX_MEMBERS as u64,
        as_.max_members as u64,
        "further members are not read",
        out,
    );
    bound(
        "archives.max-bytes",
        ac.max_bytes,
        a::DEFAULT_MAX_BYTES,
        as_.max_bytes,
        "reading an archive stops after this many bytes",
        out,
    );
    bound(
        "archives.max-ratio",
        ac.max_ratio,
        a::DEFAULT_MAX_RATIO,
        as_.max_ratio,
        "members that expand more stop the archive",
        out,
    );
}

/// `fail-on`, the scan bounds and the suppression switches. A value the command line
/// overrode is listed with that effect.
fn gate_settings(config: &Config, settings: &Settings, out: &mut Vec<ConfigChange>) {
    if let Some(fail_on) = config.fail_on.filter(|f| *f != crate::config::FailOn::Error) {
        let name = fail_on_name(fail_on);
        let (effect, relaxes) = if settings.fail_on != fail_on {
            ("overridden on the command line".to_string(), false)
        } else if fail_on == crate::config::FailOn::Never {
            ("no finding fails the run".to_string(), true)
        } else {
            (format!("{name}s and above fail the run"), false)
        };
        out.push(change("fail-on", format!("{name:?}"), effect, relaxes));
    }
    let bound =
        |key: &str, set: Option<u64>, default: u64, used: u64, what: &str, out: &mut Vec<ConfigChange>| {
            let Some(value) = set.filter(|v| *v != default) else {
                return;
            };
            let (effect, relaxes) = if used != value {
                ("overridden on the command line".to_string(), false)
            } else {
                (format!("{what} (default {default})"), value < default)
            };
            out.push(change(key, value.to_string(), effect, relaxes));
        };
    bound(
        "max-file-size",
        config.max_file_size,
        crate::source::DEFAULT_MAX_FILE_SIZE,
        settings.max_file_size,
        "larger files are not read",
        out,
    );
    bound(
        "max-line-length",
        config.max_line_length.map(|v| v as u64),
        crate::scan::DEFAULT_MAX_LINE_LENGTH as u64,
        settings.max_line_length as u64,
        "longer lines are not matched by text rules",
        out,
    );
    bound(
        "max-parse-depth",
        config.max_parse_depth.map(|v| v as u64),
        limits::DEFAULT_MAX_DEPTH as u64,
        settings.max_parse_depth as u64,
        "deeper documents are not parsed",
        out,
    );
    decode_and_archive_bounds(config, settings, &bound, out);
    let default_budget = limits::DEFAULT_PARSE_BUDGET.as_millis() as u64;
    if let Some(ms) = config.parse_time_budget_ms.filter(|ms| *ms != default_budget) {
        let used = settings.parse_time_budget.map_or(0, |d| d.as_millis() as u64);
        let (effect, relaxes) = if used != ms {
            ("overridden on the command line".to_string(), false)
        } else if ms == 0 {
            ("structured parsing is unbounded".to_string(), false)
        } else {
            (
                format!("structured parsing stops after {ms} ms per file (default {default_budget})"),
                ms < default_budget,
            )
        };
        out.push(change("parse-time-budget-ms", ms.to_string(), effect, relaxes));
    }
    if config.inline_suppressions == Some(false) {
        out.push(change(
            "inline-suppressions",
            "false",
            "guardrail:ignore comments are not honoured",
            false,
        ));
    }
    if config.require_reason {
        out.push(change(
            "require-reason",
            "true",
            "suppressions must give a reason",
            false,
        ));
    }
}

fn overrides(config: &Config, out: &mut Vec<ConfigChange>) {
    for (i, o) in config.overrides.iter().enumerate() {
        let rules: Vec<String> = o
            .rules
            .iter()
            .map(|e| format!("{:?} = {:?}", e.pattern, setting_name(e.setting)))
            .collect();
        let relaxes = o
            .rules
            .iter()
            .any(|e| e.setting != RuleSetting::On && e.setting != RuleSetting::Error);
        let value = format!("paths = {:?}, rules = {{ {} }}", o.globs, rules.join(", "));
        let effect = if relaxes {
            "rules turned off or lowered under these paths"
        } else {
            "rules changed under these paths"
        };
        out.push(change(format!("overrides[{i}]"), value, effect, relaxes));
    }
}

fn setting_severity(setting: RuleSetting) -> Severity {
    match setting {
        RuleSetting::Note => Severity::Note,
        RuleSetting::Warning => Severity::Warning,
        _ => Severity::Error,
    }
}

fn setting_name(setting: RuleSetting) -> &'static str {
    match setting {
        RuleSetting::Off => "off",
        RuleSetting::On => "on",
        RuleSetting::Note => "note",
        RuleSetting::Warning => "warning",
        RuleSetting::Error => "error",
    }
}

fn fail_on_name(fail_on: crate::config::FailOn) -> &'static str {
    match fail_on {
        crate::config::FailOn::Error => "error",
        crate::config::FailOn::Warning => "warning",
        crate::config::FailOn::Note => "note",
        crate::config::FailOn::Never => "never",
    }
}
