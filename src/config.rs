//! `guardrail.toml`: found by walking up from the working directory, validated with spans, and
//! applied to the loaded rules (packs on/off, per-rule severity or `off`) and to findings
//! (`[[overrides]]` for a set of paths).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, LocatedError, LocatedKind, Result, SourceText};
use crate::gate::files::{self, GateFile};
use crate::matchers::glob_set_of;
use crate::policy::{PolicySet, Severity};

/// The config file name.
pub const FILE_NAME: &str = "guardrail.toml";

/// The lowest severity that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Errors fail the run.
    #[default]
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Note,
    /// Never fail on findings.
    Never,
}

impl FailOn {
    /// Whether a finding of `severity` fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Note => true,
            FailOn::Never => false,
        }
    }
}

/// How a run's config was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConfigOrigin {
    /// No config file: none was found.
    #[default]
    None,
    /// Found by walking up from the working directory (the repository's own).
    Discovered,
    /// Named with `--config FILE`.
    CommandLine,
    /// `--no-config`.
    Disabled,
}

impl ConfigOrigin {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigOrigin::None => "none",
            ConfigOrigin::Discovered => "discovered",
            ConfigOrigin::CommandLine => "command-line",
            ConfigOrigin::Disabled => "disabled",
        }
    }
}

/// What a config says about a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSetting {
    /// Do not run it.
    Off,
    /// Run it at its default severity (turns on off-by-default rules).
    On,
    /// Run it as a note.
    Note,
    /// Run it as a warning.
    Warning,
    /// Run it as an error.
    Error,
}

impl RuleSetting {
    fn severity(self) -> Option<Severity> {
        match self {
            RuleSetting::Note => Some(Severity::Note),
            RuleSetting::Warning => Some(Severity::Warning),
            RuleSetting::Error => Some(Severity::Error),
            RuleSetting::Off | RuleSetting::On => None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    fail_on: Option<FailOn>,
    require_reason: Option<bool>,
    inline_suppressions: Option<bool>,
    builtin: Option<bool>,
    max_file_size: Option<u64>,
    max_line_length: Option<usize>,
    max_parse_depth: Option<usize>,
    parse_time_budget_ms: Option<u64>,
    baseline: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    policies: Vec<Spanned<String>>,
    #[serde(default)]
    packs: BTreeMap<Spanned<String>, bool>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RuleSetting>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
    #[serde(default)]
    contexts: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default)]
    decode: DecodeConfig,
    #[serde(default)]
    archives: ArchiveConfig,
}

/// `[decode]`: how far encoded segments are decoded (each key unset keeps its default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DecodeConfig {
    /// `max-depth`: levels of decoding inside decoding (0 turns decoding off).
    pub max_depth: Option<usize>,
    /// `max-segments`: segments decoded per file.
    pub max_segments: Option<usize>,
    /// `max-bytes`: decoded bytes per file.
    pub max_bytes: Option<usize>,
}

impl DecodeConfig {
    /// Sets the limits this table names.
    pub fn apply(&self, limits: &mut crate::decode::DecodeLimits) {
        limits.max_depth = self.max_depth.unwrap_or(limits.max_depth);
        limits.max_segments = self.max_segments.unwrap_or(limits.max_segments);
        limits.max_bytes = self.max_bytes.unwrap_or(limits.max_bytes);
    }
}

/// `[archives]`: how far archives are opened (each key unset keeps its default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ArchiveConfig {
    /// `max-depth`: levels of archives opened (0: archives are not opened).
    pub max_depth: Option<usize>,
    /// `max-members`: members read per archive.
    pub max_members: Option<usize>,
    /// `max-bytes`: uncompressed bytes read per archive.
    pub max_bytes: Option<u64>,
    /// `max-ratio`: largest uncompressed / compressed size ratio.
    pub max_ratio: Option<u64>,
}

impl ArchiveConfig {
    /// Sets the limits this table names.
    pub fn apply(&self, limits: &mut crate::source::archive::ArchiveLimits) {
        limits.max_depth = self.max_depth.unwrap_or(limits.max_depth);
        limits.max_members = self.max_members.unwrap_or(limits.max_members);
        limits.max_bytes = self.max_bytes.unwrap_or(limits.max_bytes);
        limits.max_ratio = self.max_ratio.unwrap_or(limits.max_ratio);
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RuleSetting>,
}

/// A rule pattern (`pack/id`, `id`, `pack/*`, `*`) with its setting and where it was written.
#[derive(Debug, Clone)]
pub struct RuleEntry {
    /// The pattern as written.
    pub pattern: String,
    /// What to do with matching rules.
    pub setting: RuleSetting,
    span: std::ops::Range<usize>,
}

impl RuleEntry {
    /// Whether the pattern selects `rule` (a full id).
    pub fn selects(&self, rule: &str) -> bool {
        let (pack, short) = rule.split_once('/').unwrap_or(("", rule));
        match self.pattern.as_str() {
            "*" => true,
            p if p.ends_with("/*") => p.trim_end_matches("/*") == pack,
            p => p == rule || p == short,
        }
    }
}

/// Settings that apply to findings under some paths.
#[derive(Debug, Clone)]
pub struct Override {
    /// The globs as written, for the run's config summary.
    pub globs: Vec<String>,
    /// Paths, relative to the config's directory.
    pub paths: GlobSet,
    /// Rule settings, later entries winning.
    pub rules: Vec<RuleEntry>,
}

/// A validated `guardrail.toml`.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file, when one was found.
    pub source: Option<Arc<SourceText>>,
    /// The file's path as found or given, when one was loaded.
    pub path: Option<PathBuf>,
    /// How the file was chosen.
    pub origin: ConfigOrigin,
    /// Directory that relative paths in the config are resolved against.
    pub dir: PathBuf,
    /// `fail-on`.
    pub fail_on: Option<FailOn>,
    /// `require-reason`.
    pub require_reason: bool,
    /// `inline-suppressions` (default true).
    pub inline_suppressions: Option<bool>,
    /// `builtin` (default true).
    pub builtin: Option<bool>,
    /// `max-file-size` in bytes.
    pub max_file_size: Option<u64>,
    /// `max-line-length` in bytes.
    pub max_line_length: Option<usize>,
    /// `max-parse-depth`: nesting levels of structured documents.
    pub max_parse_depth: Option<usize>,
    /// `parse-time-budget-ms`: per-file structured-parsing budget (0: unbounded).
    pub parse_time_budget_ms: Option<u64>,
    /// `exclude` globs.
    pub exclude: Vec<String>,
    /// `policies`, resolved against `dir`.
    pub policies: Vec<PathBuf>,
    /// `baseline`: the baseline file every `check` uses (and `--write-baseline` writes),
    /// resolved against `dir`; after [`Config::load`], confined to the repository.
    pub baseline: Option<PathBuf>,
    /// The value as written, and where.
    baseline_written: Option<(String, std::ops::Range<usize>)>,
    /// Where each `policies` entry is written in the file.
    policy_spans: Vec<std::ops::Range<usize>>,
    packs: Vec<(Spanned<String>, bool)>,
    /// `[rules]`.
    pub rules: Vec<RuleEntry>,
    /// `[[overrides]]`.
    pub overrides: Vec<Override>,
    /// Rules chosen on the command line (`--select`, `--ignore`), applied after `[rules]`.
    pub selection: Selection,
    /// `[contexts]`: globs (repository-relative) that put files in a file context.
    pub contexts: crate::context::ContextGlobs,
    /// `[decode]`.
    pub decode: DecodeConfig,
    /// `[archives]`.
    pub archives: ArchiveConfig,
}

/// A rule id pattern from the command line: an id (`security/github-token`), a short id
/// (`github-token`), or a glob over ids (`security/*`, `privacy/*-in-log`, `*-token`). A pattern
/// without `/` is matched against the short id too.
#[derive(Debug, Clone)]
pub struct RulePattern {
    text: String,
    glob: Option<globset::GlobMatcher>,
}

impl RulePattern {
    /// Parses a pattern; an invalid glob is a usage error naming the flag.
    pub fn parse(text: &str, flag: &str) -> Result<Self> {
        let glob = if text.contains(['*', '?', '[', '{']) {
            let g = globset::GlobBuilder::new(text)
                .literal_separator(true)
                .build()
                .map_err(|e| Error::Usage(format!("{flag} {text}: invalid glob: {}", e.kind())))?;
            Some(g.compile_matcher())
        } else {
            None
        };
        Ok(Self {
            text: text.to_string(),
            glob,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it is a glob rather than one id.
    pub fn is_glob(&self) -> bool {
        self.glob.is_some()
    }

    /// Whether it selects `rule` (a full id).
    pub fn matches(&self, rule: &str) -> bool {
        let short = rule.split_once('/').map_or(rule, |(_, s)| s);
        let bare = !self.text.contains('/');
        match &self.glob {
            Some(g) => g.is_match(rule) || (bare && g.is_match(short)),
            None => self.text == rule || (bare && self.text == short),
        }
    }
}

/// `--select` and `--ignore`: with any `--select`, only the rules it matches run (an exact id
/// also turns on a rule that is off by default or in the config); `--ignore` then leaves out
/// what it matches. Both apply to guardrail's own `guardrail/...` notes too.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--select` patterns.
    pub select: Vec<RulePattern>,
    /// `--ignore` patterns.
    pub ignore: Vec<RulePattern>,
}

impl Selection {
    /// Whether a rule runs (reports) under this selection.
    pub fn allows(&self, rule: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|p| p.matches(rule)))
            && !self.ignore.iter().any(|p| p.matches(rule))
    }

    /// Whether the selection names `rule` by its exact id (which turns it on).
    fn names(&self, rule: &str) -> bool {
        self.select.iter().any(|p| !p.is_glob() && p.matches(rule))
    }

    /// Whether nothing was chosen.
    pub fn is_empty(&self) -> bool {
        self.select.is_empty() && self.ignore.is_empty()
    }

    /// Checks every pattern selects at least one of `ids` (policy and meta rule ids): an
    /// unknown id is an error with the nearest known id as a suggestion.
    pub fn validate<'a>(&self, ids: impl Iterator<Item = &'a str> + Clone) -> Result<()> {
        let flagged = self
            .select
            .iter()
            .map(|p| ("--select", p))
            .chain(self.ignore.iter().map(|p| ("--ignore", p)));
        let mut problems = Vec::new();
        for (flag, p) in flagged {
            if ids.clone().any(|id| p.matches(id)) {
                continue;
            }
            let mut line = format!("{flag} {}: no loaded rule matches", p.as_str());
            if let Some(near) = did_you_mean(p.as_str(), ids.clone()) {
                line.push_str(&format!("; did you mean `{near}`?"));
            }
            problems.push(line);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            problems.push("`guardrail rules list` shows every loaded rule id".to_string());
            Err(Error::Usage(problems.join("\n")))
        }
    }
}

/// The known rule id closest to `name` (compared as a full id, or with the short id when
/// `name` has no pack), if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, ids: impl Iterator<Item = &'a str>) -> Option<String> {
    let bare = !name.contains('/');
    let mut best: Option<(f64, &str)> = None;
    for id in ids {
        let short = id.split_once('/').map_or(id, |(_, s)| s);
        let target = if bare { short } else { id };
        let score = strsim::normalized_damerau_levenshtein(name, target);
        if score >= 0.7 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, id));
        }
    }
    best.map(|(_, id)| id.to_string())
}

/// Finds `guardrail.toml` in `start` or its parents, stopping after the repository root.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        // Any entry counts, a symlink or a directory too: loading refuses those with a clear
        // error rather than silently looking further up.
        if candidate.symlink_metadata().is_ok() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

impl Config {
    /// Reads and validates a config file. The file must not be a symlink, and the policy files
    /// it names must lie inside its repository (see [`Config::confine_policies`]).
    pub fn load(path: &Path) -> Result<Self> {
        let text = files::read(path, GateFile::Config)?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let mut config = Self::parse(&path.display().to_string(), &text, dir)?;
        config.path = Some(path.to_path_buf());
        let root = files::repository_root(&config.dir)?;
        config.confine_policies(&root)?;
        config.confine_baseline(&root)?;
        Ok(config)
    }

    /// The `baseline` key as written, if any.
    pub fn baseline_as_written(&self) -> Option<&str> {
        self.baseline_written.as_ref().map(|(v, _)| v.as_str())
    }

    /// Checks that `baseline` names a file inside `root` (after `..` steps and symlinked
    /// directories; the file itself may not exist yet, `--write-baseline` creates it) that is not
    /// a symlink. A repository's config must not point the gate at a file outside it.
    pub fn confine_baseline(&mut self, root: &Path) -> Result<()> {
        let (Some(path), Some((written, span))) = (&self.baseline, &self.baseline_written) else {
            return Ok(());
        };
        let error = |message: &str| self_error(&self.source, span.clone(), message.to_string());
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return Err(error("`baseline` must name a file")
                .with_label(format!("`{written}`"))
                .into());
        };
        let dir = files::confine(parent, root).map_err(|e| match e {
            files::Escape::Outside(resolved) => error("`baseline` points outside the repository")
                .with_label(format!("resolves to {}", resolved.join(name).display()))
                .with_help(format!(
                    "the baseline must stay inside {}; pass one from elsewhere with --baseline",
                    root.display()
                )),
            files::Escape::Unresolvable(why) => {
                error("the directory of `baseline` cannot be read").with_label(why)
            }
        })?;
        let resolved = dir.join(name);
        files::refuse_symlink(&resolved, GateFile::Baseline)?;
        self.baseline = Some(resolved);
        Ok(())
    }

    /// Checks that every `policies` entry resolves (after `..` and symlinks) inside `root`:
    /// the repository the config belongs to (its git work tree, else the config's directory).
    /// A repository's config must not make guardrail read `/proc/self/environ` or `~/.aws`.
    pub fn confine_policies(&mut self, root: &Path) -> Result<()> {
        let mut errors = Vec::new();
        for (path, span) in self.policies.iter_mut().zip(&self.policy_spans) {
            match files::confine(path, root) {
                Ok(resolved) => *path = resolved,
                Err(files::Escape::Outside(resolved)) => errors.push(
                    self_error(&self.source, span.clone(), "a `policies` entry points outside the repository")
                        .with_label(format!("resolves to {}", resolved.display()))
                        .with_help(format!(
                            "paths in `policies` must stay inside {}; pass a policy file from elsewhere with --policy",
                            root.display()
                        )),
                ),
                Err(files::Escape::Unresolvable(why)) => errors.push(
                    self_error(&self.source, span.clone(), "a `policies` entry cannot be read")
                        .with_label(why),
                ),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::from_many(errors))
        }
    }

    /// `[packs]` entries as written: pack name and whether it is on.
    pub fn packs(&self) -> impl Iterator<Item = (&str, bool)> {
        self.packs.iter().map(|(name, on)| (name.get_ref().as_str(), *on))
    }

    /// Validates config text; `dir` anchors its relative paths.
    pub fn parse(name: &str, text: &str, dir: PathBuf) -> Result<Self> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            LocatedError::parse_failure(
                LocatedKind::Config,
                name,
                text,
                e.span().unwrap_or(0..0),
                e.message().trim(),
            )
            .with_label("invalid configuration")
            .with_help("see the Configuration section of README.md")
        })?;
        let source = SourceText::new(name, text);
        let glob_error = |g: &Spanned<String>, e: globset::Error| {
            LocatedError::new(LocatedKind::Config, &source, g.span(), "invalid glob")
                .with_label(e.kind().to_string())
        };
        for g in &raw.exclude {
            glob_set_of(std::slice::from_ref(g.get_ref())).map_err(|e| glob_error(g, e))?;
        }
        let mut overrides = Vec::new();
        for o in &raw.overrides {
            let globs: Vec<String> = o.paths.iter().map(|p| p.get_ref().clone()).collect();
            for g in &o.paths {
                glob_set_of(std::slice::from_ref(g.get_ref())).map_err(|e| glob_error(g, e))?;
            }
            overrides.push(Override {
                globs: globs.clone(),
                paths: glob_set_of(&globs).map_err(|e| Error::Usage(e.to_string()))?,
                rules: entries(&o.rules),
            });
        }
        let contexts = contexts_of(&raw.contexts, &source)?;
        Ok(Self {
            contexts,
            fail_on: raw.fail_on,
            require_reason: raw.require_reason.unwrap_or(false),
            inline_suppressions: raw.inline_suppressions,
            builtin: raw.builtin,
            max_file_size: raw.max_file_size,
            max_line_length: raw.max_line_length,
            max_parse_depth: raw.max_parse_depth,
            parse_time_budget_ms: raw.parse_time_budget_ms,
            exclude: raw.exclude.iter().map(|g| g.get_ref().clone()).collect(),
            policies: raw.policies.iter().map(|p| dir.join(p.get_ref())).collect(),
            policy_spans: raw.policies.iter().map(Spanned::span).collect(),
            baseline: raw.baseline.as_ref().map(|b| dir.join(b.get_ref())),
            baseline_written: raw.baseline.as_ref().map(|b| (b.get_ref().clone(), b.span())),
            packs: raw.packs.into_iter().collect(),
            rules: entries(&raw.rules),
            overrides,
            selection: Selection::default(),
            decode: raw.decode,
            archives: raw.archives,
            source: Some(source),
            path: None,
            origin: ConfigOrigin::None,
            dir,
        })
    }

    /// Applies `[packs]` and `[rules]` to loaded rules. A pattern that selects no rule is an
    /// error: a typo must not silently leave a rule on.
    pub fn apply(&self, set: &mut PolicySet) -> Result<()> {
        let mut errors = Vec::new();
        for (pack, on) in &self.packs {
            if !set.packs.iter().any(|p| p.name == *pack.get_ref()) {
                errors.push(self.error(
                    pack.span(),
                    format!("no loaded pack is named `{}`", pack.get_ref()),
                ));
            } else if !on {
                set.rules.retain(|r| r.pack != *pack.get_ref());
            }
        }
        let overridden = self.overrides.iter().flat_map(|o| &o.rules);
        for entry in self.rules.iter().chain(overridden) {
            if !set.rules.iter().any(|r| entry.selects(&r.id)) {
                let mut error = self.error(
                    entry.span.clone(),
                    format!("no loaded rule matches `{}`", entry.pattern),
                );
                if let Some(near) = did_you_mean(&entry.pattern, set.rules.iter().map(|r| r.id.as_str())) {
                    error = error.with_help(format!(
                        "did you mean `{near}`? (`guardrail rules list` shows every loaded rule id)"
                    ));
                }
                errors.push(error);
            }
        }
        for rule in &mut set.rules {
            for entry in self.rules.iter().filter(|e| e.selects(&rule.id)) {
                rule.enabled = entry.setting != RuleSetting::Off;
                rule.severity = entry.setting.severity().unwrap_or(rule.default_severity);
            }
        }
        if !errors.is_empty() {
            return Err(Error::from_many(errors));
        }
        self.apply_selection(set)
    }

    /// `--select` / `--ignore`, after `[packs]` and `[rules]`.
    fn apply_selection(&self, set: &mut PolicySet) -> Result<()> {
        if self.selection.is_empty() {
            return Ok(());
        }
        let meta = crate::meta::META_RULES.iter().map(|m| m.id);
        self.selection
            .validate(set.rules.iter().map(|r| r.id.as_str()).chain(meta))?;
        for rule in &mut set.rules {
            if self.selection.names(&rule.id) {
                rule.enabled = true;
            }
            if !self.selection.allows(&rule.id) {
                rule.enabled = false;
            }
        }
        Ok(())
    }

    /// Effective severity of `rule` at `path` (relative to `dir`) after `[[overrides]]`;
    /// `None` when an override turns it off there.
    pub fn severity_at(
        &self,
        rule: &str,
        path: &Path,
        current: Severity,
        default: Severity,
    ) -> Option<Severity> {
        let mut severity = Some(current);
        for o in self.overrides.iter().filter(|o| o.paths.is_match(path)) {
            for entry in o.rules.iter().filter(|e| e.selects(rule)) {
                severity = match entry.setting {
                    RuleSetting::Off => None,
                    RuleSetting::On => Some(default),
                    s => s.severity(),
                };
            }
        }
        severity
    }

    fn error(&self, span: std::ops::Range<usize>, message: String) -> LocatedError {
        self_error(&self.source, span, message)
            .with_label("here")
            .with_help("`guardrail rules list` shows every loaded rule id")
    }
}

/// A config error at `span` of the config's text.
fn self_error(
    source: &Option<Arc<SourceText>>,
    span: std::ops::Range<usize>,
    message: impl Into<String>,
) -> LocatedError {
    let source = source.clone().unwrap_or_else(|| SourceText::new(FILE_NAME, ""));
    LocatedError::new(LocatedKind::Config, &source, span, message)
}

fn entries(map: &BTreeMap<Spanned<String>, RuleSetting>) -> Vec<RuleEntry> {
    let mut v: Vec<RuleEntry> = map
        .iter()
        .map(|(k, s)| RuleEntry {
            pattern: k.get_ref().clone(),
            setting: *s,
            span: k.span(),
        })
        .collect();
    // Broad patterns first, so `pack/*` then an exact id reads naturally: the exact id wins.
    v.sort_by_key(|e| (e.pattern != "*", !e.pattern.ends_with("/*"), e.span.start));
    v
}

/// Validates `[contexts]`: known context names, valid globs.
fn contexts_of(
    raw: &BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    source: &Arc<SourceText>,
) -> Result<crate::context::ContextGlobs> {
    use crate::context::Context;
    let mut sets = Vec::new();
    for (name, globs) in raw {
        let Some(context) = Context::parse(name.get_ref()) else {
            let mut e = LocatedError::new(LocatedKind::Config, source, name.span(), "unknown file context")
                .with_help(format!("contexts are: {}", Context::names().join(", ")));
            if let Some(near) = did_you_mean(name.get_ref(), Context::names().into_iter()) {
                e = e.with_label(format!("did you mean `{near}`?"));
            }
            return Err(e.into());
        };
        let strings: Vec<String> = globs.iter().map(|g| g.get_ref().clone()).collect();
        for g in globs {
            glob_set_of(std::slice::from_ref(g.get_ref())).map_err(|e| {
                LocatedError::new(LocatedKind::Config, source, g.span(), "invalid glob")
                    .with_label(e.kind().to_string())
            })?;
        }
        let set = glob_set_of(&strings).map_err(|e| Error::Usage(e.to_string()))?;
        sets.push((context, set, strings));
    }
    Ok(crate::context::ContextGlobs::new(sets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_select_rules() {
        let e = |p: &str| RuleEntry {
            pattern: p.into(),
            setting: RuleSetting::Off,
            span: 0..0,
        };
        assert!(e("*").selects("security/x"));
        assert!(e("security/*").selects("security/x"));
        assert!(!e("privacy/*").selects("security/x"));
        assert!(e("x").selects("security/x"));
        assert!(e("security/x").selects("security/x"));
    }

    #[test]
    fn unknown_key_points_at_line() {
        let err =
            Config::parse("guardrail.toml", "fail-on = \"error\"\nbogus = 1\n", ".".into()).unwrap_err();
        let Error::Located(e) = err else { panic!("{err:?}") };
        assert_eq!(e.line_col().0, 2);
    }
}
