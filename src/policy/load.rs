//! Reads policy files (built-in and user), validates them, and reports every problem with a span.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use toml::Spanned;

use crate::context::{parse_setting, Context, ContextSettings};

use super::raw::{RawExample, RawPolicyFile, RawRule};
use super::{Category, Example, Expect, MatcherTable, PackInfo, PolicySet, Rule, Severity};
use crate::error::{Error, LocatedError, LocatedKind, Result, SourceText};
use crate::gate::files::{self, GateFile};

/// Loads the packs embedded in the binary.
pub fn load_builtin(set: &mut PolicySet) -> Result<()> {
    for (name, text) in super::builtin::PACKS {
        load_str(set, &format!("<built-in>/{name}"), text, true)?;
    }
    Ok(())
}

/// Loads every `.toml` file under each path (a file or a directory), in sorted order.
pub fn load_paths(set: &mut PolicySet, paths: &[impl AsRef<Path>]) -> Result<()> {
    for path in paths {
        let path = path.as_ref();
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| Error::io(path.display(), e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            for file in files {
                load_file(set, &file)?;
            }
        } else {
            load_file(set, path)?;
        }
    }
    Ok(())
}

/// Loads one policy file from disk; a symlink is refused (see [`crate::gate::files::read`]).
pub fn load_file(set: &mut PolicySet, path: &Path) -> Result<()> {
    let text = files::read(path, GateFile::Policy)?;
    load_str(set, &path.display().to_string(), &text, false)
}

/// Parses and validates one pack and appends its rules to `set`.
pub fn load_str(set: &mut PolicySet, name: &str, text: &str, builtin: bool) -> Result<()> {
    let raw: RawPolicyFile = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        LocatedError::parse_failure(LocatedKind::Policy, name, text, span, e.message().trim())
            .with_label("invalid policy")
            .with_help("see the policy language in README.md")
    })?;
    let source = SourceText::new(name, text);
    let mut errors = Vec::new();
    let pack = validate_pack(&raw, &source, builtin, &mut errors);
    let mut seen: HashMap<String, ()> = set.rules.iter().map(|r| (r.id.clone(), ())).collect();
    let mut rules = Vec::new();
    for raw_rule in &raw.rules {
        let Some(rule) = validate_rule(&pack, raw_rule, &raw, &source, builtin, &mut errors) else {
            continue;
        };
        if seen.insert(rule.id.clone(), ()).is_some() {
            errors.push(
                LocatedError::new(
                    LocatedKind::Policy,
                    &source,
                    rule.span.clone(),
                    format!("duplicate rule id `{}`", rule.id),
                )
                .with_label("already defined")
                .with_help("rule ids must be unique across all loaded packs"),
            );
            continue;
        }
        rules.push(rule);
    }
    if !errors.is_empty() {
        return Err(Error::from_many(errors));
    }
    set.packs.push(PackInfo {
        name: pack.name,
        description: raw.pack.get_ref().description.clone(),
        builtin,
    });
    set.rules.extend(rules);
    Ok(())
}

struct PackDefaults {
    name: String,
    category: Category,
}

fn validate_pack(
    raw: &RawPolicyFile,
    source: &Arc<SourceText>,
    _builtin: bool,
    errors: &mut Vec<LocatedError>,
) -> PackDefaults {
    let pack = raw.pack.get_ref();
    let name = pack.name.get_ref().clone();
    if !is_kebab(&name) {
        errors.push(
            LocatedError::new(LocatedKind::Policy, source, pack.name.span(), "invalid pack name")
                .with_label("not kebab-case")
                .with_help("use lowercase letters, digits and single dashes, e.g. `acme-security`"),
        );
    }
    PackDefaults {
        name,
        category: pack
            .category
            .as_ref()
            .map_or(Category::Security, |c| *c.get_ref()),
    }
}

fn validate_rule(
    pack: &PackDefaults,
    spanned: &Spanned<RawRule>,
    file: &RawPolicyFile,
    source: &Arc<SourceText>,
    builtin: bool,
    errors: &mut Vec<LocatedError>,
) -> Option<Rule> {
    let raw = spanned.get_ref();
    let err = |span, msg: &str| LocatedError::new(LocatedKind::Policy, source, span, msg);
    let short = raw.id.get_ref();
    if !is_kebab(short) {
        errors.push(
            err(raw.id.span(), "invalid rule id")
                .with_label("not kebab-case")
                .with_help("use lowercase letters, digits and single dashes, e.g. `github-token`"),
        );
        return None;
    }
    if raw.message.get_ref().trim().is_empty() {
        errors.push(err(raw.message.span(), "empty rule message").with_label("say what was found"));
    }
    let matcher = match matcher_table(raw) {
        Ok(m) => m,
        Err(count) => {
            let msg = if count == 0 {
                "rule has no matcher table"
            } else {
                "rule has more than one matcher table"
            };
            errors.push(
                err(raw.id.span(), msg)
                    .with_label("in this rule")
                    .with_help("give the rule exactly one of [rule.regex], [rule.path], [rule.require], [rule.document], [rule.cargo], [rule.rust], [rule.code]"),
            );
            return None;
        }
    };
    let examples = validate_examples(raw, &matcher, source, spanned.span(), errors);
    let fix = raw.fix.as_ref().and_then(|f| {
        crate::fix::Fix::compile(source, f)
            .map_err(|e| errors.push(e))
            .ok()
    });
    let severity = raw.severity.as_ref().map_or(Severity::Error, |s| *s.get_ref());
    Some(Rule {
        id: format!("{}/{}", pack.name, short),
        pack: pack.name.clone(),
        category: raw.category.as_ref().map_or(pack.category, |c| *c.get_ref()),
        severity,
        default_severity: severity,
        message: raw.message.get_ref().clone(),
        help: raw.help.clone(),
        description: raw.description.clone(),
        tags: raw.tags.clone(),
        references: raw.references.clone(),
        paths: raw.paths.iter().map(|p| p.get_ref().clone()).collect(),
        exclude_paths: raw.exclude_paths.iter().map(|p| p.get_ref().clone()).collect(),
        suppressible: raw.suppressible.unwrap_or(true),
        enabled: raw.enabled.unwrap_or(true),
        history: raw.history,
        contexts: contexts(&file.pack.get_ref().contexts, &raw.contexts, source, errors),
        matcher,
        pack_allow: file.pack.get_ref().allow.clone(),
        examples,
        fix,
        source: Arc::clone(source),
        span: raw.id.span(),
        builtin,
    })
}

/// The pack's context defaults with the rule's own settings over them; unknown contexts and
/// values are located errors.
fn contexts(
    pack: &BTreeMap<Spanned<String>, Spanned<String>>,
    rule: &BTreeMap<Spanned<String>, Spanned<String>>,
    source: &Arc<SourceText>,
    errors: &mut Vec<LocatedError>,
) -> ContextSettings {
    let mut out = ContextSettings::new();
    for (key, value) in pack.iter().chain(rule) {
        let Some(context) = Context::parse(key.get_ref()) else {
            let mut e = LocatedError::new(LocatedKind::Policy, source, key.span(), "unknown file context")
                .with_help(format!("contexts are: {}", Context::names().join(", ")));
            if let Some(near) = crate::config::did_you_mean(key.get_ref(), Context::names().into_iter()) {
                e = e.with_label(format!("did you mean `{near}`?"));
            }
            errors.push(e);
            continue;
        };
        if value.get_ref() == "on" {
            out.remove(&context); // the rule's own severity, whatever the pack's default
            continue;
        }
        match parse_setting(value.get_ref()) {
            Some(setting) => {
                out.insert(context, setting);
            }
            None => errors.push(
                LocatedError::new(
                    LocatedKind::Policy,
                    source,
                    value.span(),
                    "invalid context setting",
                )
                .with_help("use \"off\", \"on\" (the rule's severity), \"note\", \"warning\" or \"error\""),
            ),
        }
    }
    out
}

/// The single matcher table, or the number of tables found when it is not exactly one.
fn matcher_table(raw: &RawRule) -> std::result::Result<MatcherTable, usize> {
    let mut found = Vec::new();
    if let Some(t) = &raw.regex {
        found.push(MatcherTable::Regex(t.get_ref().clone()));
    }
    if let Some(t) = &raw.path {
        found.push(MatcherTable::Path(t.get_ref().clone()));
    }
    if let Some(t) = &raw.require {
        found.push(MatcherTable::Require(t.get_ref().clone()));
    }
    if let Some(t) = &raw.document {
        found.push(MatcherTable::Document(t.get_ref().clone()));
    }
    if let Some(t) = &raw.cargo {
        found.push(MatcherTable::Cargo(t.get_ref().clone()));
    }
    if let Some(t) = &raw.rust {
        found.push(MatcherTable::Rust(t.get_ref().clone()));
    }
    if let Some(t) = &raw.code {
        found.push(MatcherTable::Code(t.get_ref().clone()));
    }
    if found.len() == 1 {
        Ok(found.remove(0))
    } else {
        Err(found.len())
    }
}

fn validate_examples(
    raw: &RawRule,
    matcher: &MatcherTable,
    source: &Arc<SourceText>,
    rule_span: std::ops::Range<usize>,
    errors: &mut Vec<LocatedError>,
) -> Vec<Example> {
    let default_path = default_example_path(raw, matcher);
    let mut examples = Vec::new();
    for spanned in &raw.examples {
        let ex: &RawExample = spanned.get_ref();
        let (expect, text) = match (&ex.fail, &ex.pass) {
            (Some(t), None) => (Expect::Fail, t.clone()),
            (None, Some(t)) => (Expect::Pass, t.clone()),
            _ => {
                errors.push(
                    LocatedError::new(
                        LocatedKind::Policy,
                        source,
                        spanned.span(),
                        "an example needs exactly one of `fail` or `pass`",
                    )
                    .with_label("this example"),
                );
                continue;
            }
        };
        if ex.fixed.is_some() && (expect != Expect::Fail || raw.fix.is_none()) {
            errors.push(
                LocatedError::new(
                    LocatedKind::Policy,
                    source,
                    spanned.span(),
                    "`fixed` needs a `fail` example of a rule with `[rule.fix]`",
                )
                .with_label("this example"),
            );
        }
        examples.push(Example {
            expect,
            text,
            path: ex.path.clone().unwrap_or_else(|| default_path.clone()),
            files: ex.files.clone(),
            fixed: ex.fixed.clone(),
            span: spanned.span(),
        });
    }
    for (expect, word) in [(Expect::Fail, "fail"), (Expect::Pass, "pass")] {
        if !examples.iter().any(|e| e.expect == expect) {
            let end = (rule_span.start + 7).min(rule_span.end);
            errors.push(
                LocatedError::new(
                    LocatedKind::Policy,
                    source,
                    rule_span.start..end,
                    format!("rule `{}` has no `{word}` example", raw.id.get_ref()),
                )
                .with_label("in this rule")
                .with_help(format!(
                    "add [[rule.example]] with {word} = '...': every rule needs a failing and a passing example"
                )),
            );
        }
    }
    examples
}

/// A file name that the rule's globs select, so examples need no `path` in the common case.
fn default_example_path(raw: &RawRule, matcher: &MatcherTable) -> String {
    let glob = match matcher {
        MatcherTable::Path(t) => t.files.first().map(|g| g.get_ref().as_str()),
        MatcherTable::Require(t) => t.when.first().map(|g| g.get_ref().as_str()),
        MatcherTable::Cargo(_) => raw.paths.is_empty().then_some("Cargo.toml"),
        MatcherTable::Regex(_)
        | MatcherTable::Document(_)
        | MatcherTable::Rust(_)
        | MatcherTable::Code(_) => None,
    }
    .or_else(|| raw.paths.first().map(|g| g.get_ref().as_str()));
    glob.map_or_else(|| "example.txt".to_string(), path_from_glob)
}

/// Turns a glob into one concrete path it matches: `**/*.py` -> `example.py`.
pub fn path_from_glob(glob: &str) -> String {
    let mut glob = glob.trim_start_matches("**/").to_string();
    if let (Some(open), Some(close)) = (glob.find('{'), glob.find('}')) {
        if open < close {
            let first = glob[open + 1..close].split(',').next().unwrap_or("").to_string();
            glob.replace_range(open..=close, &first);
        }
    }
    if let (Some(open), Some(close)) = (glob.find('['), glob.find(']')) {
        if open + 1 < close {
            let first = glob[open + 1..open + 2].to_string();
            glob.replace_range(open..=close, &first);
        }
    }
    glob.replace("**", "dir")
        .replace('*', "example")
        .replace('?', "x")
}

/// Lowercase letters, digits and single inner dashes.
pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_to_example_path() {
        assert_eq!(path_from_glob("**/*.py"), "example.py");
        assert_eq!(
            path_from_glob(".github/workflows/*.{yml,yaml}"),
            ".github/workflows/example.yml"
        );
        assert_eq!(path_from_glob("**/Dockerfile*"), "Dockerfileexample");
        assert_eq!(path_from_glob("**/id_[rd]sa"), "id_rsa");
    }

    #[test]
    fn kebab_ids() {
        assert!(is_kebab("github-token"));
        assert!(is_kebab("md5-password"));
        assert!(!is_kebab("GitHub"));
        assert!(!is_kebab("a--b"));
        assert!(!is_kebab("-a"));
    }
}
