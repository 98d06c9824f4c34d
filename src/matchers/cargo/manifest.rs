//! Cargo.toml reduced to what the checks read: dependency declarations and `[package]` keys,
//! each with the byte span of its key or value, so findings underline the offending text.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A string value with the spans of its `key = value` pair and of the value alone.
#[derive(Debug, Clone)]
pub struct Val {
    /// The string.
    pub text: String,
    /// `key = "value"`, or the value alone when it has no key of its own.
    pub pair: Range<usize>,
    /// The quoted value.
    pub value: Range<usize>,
}

/// One dependency declaration (`[dependencies]`, `[target.*.dev-dependencies]`,
/// `[workspace.dependencies]`, `[patch.*]` ...).
#[derive(Debug, Clone)]
pub struct Dep {
    /// Span of the dependency's key.
    pub key: Range<usize>,
    /// The crate's name: `package = "..."` when renamed, else the key.
    pub name: String,
    /// Which table declares it, e.g. `dev-dependencies`, for labels.
    pub table: String,
    /// True in `[patch.*]` and `[replace]`: an override, not a dependency edge.
    pub patch: bool,
    /// The version requirement.
    pub version: Option<Val>,
    /// `git = "..."`.
    pub git: Option<Val>,
    /// `path = "..."`.
    pub path: Option<Val>,
    /// `registry = "..."` or `registry-index = "..."`.
    pub registry: Option<Val>,
    /// `workspace = true`: the declaration lives in `[workspace.dependencies]`.
    pub inherited: bool,
}

/// `publish = ...` in `[package]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publish {
    /// `publish = false` or `publish = []`.
    Never,
    /// `publish = true`.
    Anywhere,
    /// `publish = ["registry", ...]`.
    Registries(Vec<String>),
    /// `publish.workspace = true`.
    Inherited,
}

/// The `[package]` table.
#[derive(Debug, Clone, Default)]
pub struct Package {
    /// Span of the `package` key (in the `[package]` header).
    pub key: Range<usize>,
    /// `name = "..."`.
    pub name: Option<String>,
    /// Keys present in the table.
    pub fields: Vec<String>,
    /// `publish`, with the span of its pair.
    pub publish: Option<(Publish, Range<usize>)>,
    /// `license = "..."` when written literally.
    pub license: Option<Val>,
}

/// What the checks need from one Cargo.toml.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// `[package]`, absent in a virtual manifest.
    pub package: Option<Package>,
    /// True when the file has a `[workspace]` table.
    pub workspace: bool,
    /// `[workspace.package] license = "..."`.
    pub workspace_license: Option<Val>,
    /// Every dependency declaration, in no particular order.
    pub deps: Vec<Dep>,
}

const DEP_TABLES: &[&str] = &[
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
];

/// Parses a Cargo.toml; the error is the parser's message and span.
pub fn parse(text: &str) -> Result<Manifest, (String, Range<usize>)> {
    let doc = DeTable::parse(text).map_err(|e| (e.message().to_string(), e.span().unwrap_or(0..0)))?;
    let root = doc.get_ref();
    let mut m = Manifest::default();
    for table in DEP_TABLES {
        if let Some((_, deps)) = entry(root, table) {
            collect_deps(deps, table, false, &mut m.deps);
        }
    }
    for (cfg, target) in tables(entry(root, "target").map(|e| e.1)) {
        for table in DEP_TABLES {
            if let Some((_, deps)) = entry_of(target, table) {
                collect_deps(
                    deps,
                    &format!("target.{}.{table}", cfg.get_ref()),
                    false,
                    &mut m.deps,
                );
            }
        }
    }
    for (registry, deps) in tables(entry(root, "patch").map(|e| e.1)) {
        collect_deps(deps, &format!("patch.{}", registry.get_ref()), true, &mut m.deps);
    }
    if let Some((_, replace)) = entry(root, "replace") {
        collect_deps(replace, "replace", true, &mut m.deps);
    }
    if let Some((_, ws)) = entry(root, "workspace") {
        m.workspace = true;
        if let Some((_, deps)) = entry_of(ws, "dependencies") {
            collect_deps(deps, "workspace.dependencies", false, &mut m.deps);
        }
        if let Some((_, pkg)) = entry_of(ws, "package") {
            m.workspace_license = entry_of(pkg, "license").and_then(|(k, v)| string_val(k, v));
        }
    }
    m.package = entry(root, "package").map(|(k, v)| package(k, v));
    Ok(m)
}

fn package(key: &Spanned<std::borrow::Cow<'_, str>>, value: &Spanned<DeValue<'_>>) -> Package {
    let mut pkg = Package {
        key: key.span(),
        ..Package::default()
    };
    let DeValue::Table(t) = value.get_ref() else {
        return pkg;
    };
    pkg.fields = t.iter().map(|(k, _)| k.get_ref().to_string()).collect();
    pkg.name = entry(t, "name").and_then(|(_, v)| v.get_ref().as_str().map(str::to_string));
    pkg.license = entry(t, "license").and_then(|(k, v)| string_val(k, v));
    pkg.publish = entry(t, "publish").map(|(k, v)| {
        let publish = match v.get_ref() {
            DeValue::Boolean(false) => Publish::Never,
            DeValue::Array(a) if a.is_empty() => Publish::Never,
            DeValue::Array(a) => Publish::Registries(
                a.iter()
                    .filter_map(|r| r.get_ref().as_str().map(str::to_string))
                    .collect(),
            ),
            DeValue::Table(_) => Publish::Inherited,
            _ => Publish::Anywhere,
        };
        (publish, k.span().start..v.span().end.max(k.span().end))
    });
    pkg
}

/// Adds the dependencies of one table (`name = "1"` / `name = { ... }` / `[table.name]`).
fn collect_deps(table: &Spanned<DeValue<'_>>, name: &str, patch: bool, out: &mut Vec<Dep>) {
    let DeValue::Table(deps) = table.get_ref() else {
        return;
    };
    for (key, value) in deps.iter() {
        let mut dep = Dep {
            key: key.span(),
            name: key.get_ref().to_string(),
            table: name.to_string(),
            patch,
            version: None,
            git: None,
            path: None,
            registry: None,
            inherited: false,
        };
        match value.get_ref() {
            DeValue::String(s) => {
                dep.version = Some(Val {
                    text: s.to_string(),
                    pair: value.span(),
                    value: value.span(),
                });
            }
            DeValue::Table(t) => detailed(t, &mut dep),
            _ => continue,
        }
        out.push(dep);
    }
}

fn detailed(t: &DeTable<'_>, dep: &mut Dep) {
    let field = |name: &str| entry(t, name).and_then(|(k, v)| string_val(k, v));
    if let Some(package) = field("package") {
        dep.name = package.text;
    }
    dep.version = field("version");
    dep.git = field("git");
    dep.path = field("path");
    dep.registry = field("registry").or_else(|| field("registry-index"));
    dep.inherited = entry(t, "workspace").is_some_and(|(_, v)| v.get_ref().as_bool() == Some(true));
}

fn string_val(key: &Spanned<std::borrow::Cow<'_, str>>, value: &Spanned<DeValue<'_>>) -> Option<Val> {
    let text = value.get_ref().as_str()?;
    Some(Val {
        text: text.to_string(),
        pair: key.span().start..value.span().end,
        value: value.span(),
    })
}

type Entry<'a, 'i> = (&'a Spanned<std::borrow::Cow<'i, str>>, &'a Spanned<DeValue<'i>>);

/// The entry `name` of a table.
pub fn entry<'a, 'i>(table: &'a DeTable<'i>, name: &str) -> Option<Entry<'a, 'i>> {
    table.iter().find(|(k, _)| k.get_ref() == name)
}

/// The entry `name` of a value that should be a table.
pub fn entry_of<'a, 'i>(value: &'a Spanned<DeValue<'i>>, name: &str) -> Option<Entry<'a, 'i>> {
    match value.get_ref() {
        DeValue::Table(t) => entry(t, name),
        _ => None,
    }
}

/// The sub-tables of an optional table value (`[target.X]`, `[patch.X]`).
fn tables<'a, 'i>(value: Option<&'a Spanned<DeValue<'i>>>) -> Vec<Entry<'a, 'i>> {
    match value.map(Spanned::get_ref) {
        Some(DeValue::Table(t)) => t.iter().filter(|(_, v)| v.get_ref().is_table()).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"[package]
name = "app"
publish = false

[dependencies]
serde = "1"
ssl = { package = "openssl", version = "0.10" }
local = { path = "../x" }

[dependencies.gitdep]
git = "https://example.com/g.git"

[target.'cfg(unix)'.dev-dependencies]
nix.version = ">=0.20"

[workspace.dependencies]
rand = { version = "0.8", registry = "corp" }

[patch.crates-io]
foo = { git = "https://example.com/foo" }
"#;

    fn dep<'a>(m: &'a Manifest, name: &str) -> &'a Dep {
        m.deps.iter().find(|d| d.name == name).unwrap()
    }

    #[test]
    fn dependencies_keep_key_and_value_spans() {
        let m = parse(TEXT).unwrap();
        assert_eq!(m.deps.len(), 7);
        let ssl = dep(&m, "openssl");
        assert_eq!(&TEXT[ssl.key.clone()], "ssl");
        assert_eq!(ssl.version.as_ref().unwrap().text, "0.10");
        let git = dep(&m, "gitdep");
        assert_eq!(&TEXT[git.key.clone()], "gitdep");
        assert_eq!(
            &TEXT[git.git.as_ref().unwrap().pair.clone()],
            "git = \"https://example.com/g.git\""
        );
        let nix = dep(&m, "nix");
        assert_eq!(nix.table, "target.cfg(unix).dev-dependencies");
        assert_eq!(&TEXT[nix.version.as_ref().unwrap().value.clone()], "\">=0.20\"");
        assert_eq!(dep(&m, "rand").registry.as_ref().unwrap().text, "corp");
        assert!(dep(&m, "foo").patch);
        assert_eq!(dep(&m, "local").path.as_ref().unwrap().text, "../x");
    }

    #[test]
    fn package_fields_and_publish() {
        let m = parse(TEXT).unwrap();
        let pkg = m.package.unwrap();
        assert_eq!(&TEXT[pkg.key.clone()], "package");
        assert_eq!(pkg.publish.as_ref().unwrap().0, Publish::Never);
        assert!(pkg.fields.contains(&"name".to_string()));
        assert!(m.workspace);
    }

    #[test]
    fn syntax_errors_have_a_span() {
        let (msg, span) = parse("[package\nname = 1").unwrap_err();
        assert!(!msg.is_empty());
        assert!(span.start <= 9);
    }
}
