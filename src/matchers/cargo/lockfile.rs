//! Cargo.lock reduced to the resolved graph's packages: name, version and source, with the
//! span of each package's `name = "..."` line for findings.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::manifest::{entry, Val};

/// One `[[package]]` of a lockfile.
#[derive(Debug, Clone)]
pub struct LockPackage {
    /// Crate name.
    pub name: String,
    /// Resolved version, as written.
    pub version: String,
    /// `source = "..."` (absent for workspace members and path dependencies).
    pub source: Option<Val>,
    /// Span of `name = "..."`.
    pub span: Range<usize>,
}

/// Every package of a lockfile, in file order.
#[derive(Debug, Clone, Default)]
pub struct Lockfile {
    /// The packages.
    pub packages: Vec<LockPackage>,
}

impl Lockfile {
    /// Versions of `name` in the graph.
    pub fn versions<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.packages
            .iter()
            .filter(move |p| same_crate(&p.name, name))
            .map(|p| p.version.as_str())
    }

    /// The package `name` at `version`.
    pub fn find(&self, name: &str, version: &str) -> Option<&LockPackage> {
        self.packages
            .iter()
            .find(|p| p.name == name && p.version == version)
    }
}

/// Crate names compare with `-` and `_` alike, as crates.io does.
pub fn same_crate(a: &str, b: &str) -> bool {
    let dash = |c: u8| c == b'-' || c == b'_';
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x.eq_ignore_ascii_case(&y) || (dash(x) && dash(y)))
}

/// Parses a Cargo.lock; the error is the parser's message and span.
pub fn parse(text: &str) -> Result<Lockfile, (String, Range<usize>)> {
    let doc = DeTable::parse(text).map_err(|e| (e.message().to_string(), e.span().unwrap_or(0..0)))?;
    let mut lock = Lockfile::default();
    let Some((_, packages)) = entry(doc.get_ref(), "package") else {
        return Ok(lock);
    };
    let DeValue::Array(packages) = packages.get_ref() else {
        return Ok(lock);
    };
    for pkg in packages.iter() {
        if let DeValue::Table(t) = pkg.get_ref() {
            lock.packages.extend(package(t));
        }
    }
    Ok(lock)
}

fn package(t: &DeTable<'_>) -> Option<LockPackage> {
    let (name_key, name) = entry(t, "name")?;
    let version = entry(t, "version").and_then(|(_, v)| v.get_ref().as_str())?;
    let source = entry(t, "source").and_then(|(k, v)| {
        Some(Val {
            text: v.get_ref().as_str()?.to_string(),
            pair: k.span().start..v.span().end,
            value: v.span(),
        })
    });
    Some(LockPackage {
        name: name.get_ref().as_str()?.to_string(),
        version: version.to_string(),
        source,
        span: name_key.span().start..name.span().end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_with_name_line_spans() {
        let text = "version = 4\n\n[[package]]\nname = \"openssl\"\nversion = \"0.10.50\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n";
        let lock = parse(text).unwrap();
        assert_eq!(lock.packages.len(), 2);
        let ssl = &lock.packages[0];
        assert_eq!(&text[ssl.span.clone()], "name = \"openssl\"");
        assert!(ssl.source.as_ref().unwrap().text.starts_with("registry+"));
        assert!(lock.packages[1].source.is_none());
        assert_eq!(lock.versions("openssl").collect::<Vec<_>>(), ["0.10.50"]);
    }

    #[test]
    fn dash_and_underscore_are_the_same_crate() {
        assert!(same_crate("proc-macro-error", "proc_macro_error"));
        assert!(!same_crate("serde", "serde_json"));
    }
}
