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
    /// `dependencies = [...]` entries as written: `name`, `name version` or
    /// `name version (source)` (the longer forms only where the name alone is ambiguous).
    pub dependencies: Vec<String>,
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

    /// Index of the package a `dependencies` entry names (`name`, `name version` or
    /// `name version (source)`).
    pub fn dependency(&self, entry: &str) -> Option<usize> {
        let mut parts = entry.splitn(3, ' ');
        let name = parts.next()?;
        let version = parts.next();
        let source = parts.next().and_then(|s| s.strip_prefix('(')?.strip_suffix(')'));
        self.packages.iter().position(|p| {
            p.name == name
                && version.is_none_or(|v| p.version == v)
                && source.is_none_or(|s| p.source.as_ref().is_some_and(|ps| ps.text == s))
        })
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
    match scan(text) {
        Some(lock) => Ok(lock),
        None => parse_toml(text),
    }
}

/// Reads the one shape cargo writes, line by line: an order of magnitude faster than a TOML
/// parse, which matters for trees of vendored crates with their own lockfiles. Anything else
/// (hand edits, `[metadata]` of old formats, escapes) returns `None` for the TOML parser.
fn scan(text: &str) -> Option<Lockfile> {
    let mut scanner = Scanner::default();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        scanner.line(raw.trim_end_matches(['\n', '\r']), offset)?;
        offset += raw.len();
    }
    scanner.finish()
}

/// State of [`scan`]: the packages so far, the one being read, and whether a
/// `dependencies = [` array is open.
#[derive(Default)]
struct Scanner {
    lock: Lockfile,
    current: Option<Partial>,
    in_array: bool,
}

impl Scanner {
    /// Takes one line starting at byte `start`; `None` when it is not cargo's shape.
    fn line(&mut self, line: &str, start: usize) -> Option<()> {
        if self.in_array {
            self.in_array = line != "]";
            if !self.in_array {
                return Some(());
            }
            let item = line.strip_prefix(" \"")?.strip_suffix("\",")?;
            if item.contains(['"', '\\']) {
                return None;
            }
            self.current.as_mut()?.dependencies.push(item.to_string());
            return Some(());
        }
        if line.is_empty() || line.starts_with('#') {
            return Some(());
        }
        if line == "[[package]]" {
            self.flush()?;
            self.current = Some(Partial::default());
            return Some(());
        }
        let (key, value) = line.split_once(" = ")?;
        let Some(pkg) = self.current.as_mut() else {
            // The format version before the first package: `version = 4`.
            return value.bytes().all(|b| b.is_ascii_digit()).then_some(());
        };
        if value == "[" {
            self.in_array = key == "dependencies";
            return self.in_array.then_some(());
        }
        pkg.field(key, value, start..start + line.len())
    }

    fn flush(&mut self) -> Option<()> {
        if let Some(done) = self.current.take() {
            self.lock.packages.push(done.finish()?);
        }
        Some(())
    }

    fn finish(mut self) -> Option<Lockfile> {
        self.flush()?;
        (!self.in_array).then_some(self.lock)
    }
}

/// A `[[package]]` being read by [`scan`].
#[derive(Default)]
struct Partial {
    name: Option<(String, Range<usize>)>,
    version: Option<String>,
    source: Option<Val>,
    dependencies: Vec<String>,
}

impl Partial {
    /// `key = "value"` on the line at `span`; `None` for escapes or unknown keys.
    fn field(&mut self, key: &str, value: &str, span: Range<usize>) -> Option<()> {
        let inner = value.strip_prefix('"')?.strip_suffix('"')?;
        if inner.contains(['"', '\\']) {
            return None;
        }
        match key {
            "name" => self.name = Some((inner.to_string(), span)),
            "version" => self.version = Some(inner.to_string()),
            "source" => {
                self.source = Some(Val {
                    text: inner.to_string(),
                    value: span.end - value.len()..span.end,
                    pair: span,
                })
            }
            "checksum" => {}
            _ => return None,
        }
        Some(())
    }

    fn finish(self) -> Option<LockPackage> {
        let (name, span) = self.name?;
        Some(LockPackage {
            name,
            version: self.version?,
            source: self.source,
            span,
            dependencies: self.dependencies,
        })
    }
}

/// The general path: a full TOML parse.
fn parse_toml(text: &str) -> Result<Lockfile, (String, Range<usize>)> {
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
    let dependencies = match entry(t, "dependencies").map(|(_, v)| v.get_ref()) {
        Some(DeValue::Array(items)) => items
            .iter()
            .filter_map(|d| d.get_ref().as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    Some(LockPackage {
        name: name.get_ref().as_str()?.to_string(),
        version: version.to_string(),
        source,
        span: name_key.span().start..name.span().end,
        dependencies,
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

    fn summary(lock: &Lockfile) -> Vec<String> {
        lock.packages
            .iter()
            .map(|p| {
                let source = p.source.as_ref().map(|s| (&s.text, &s.pair, &s.value));
                format!(
                    "{} {} {:?} {:?} {:?}",
                    p.name, p.version, p.span, source, p.dependencies
                )
            })
            .collect()
    }

    #[test]
    fn the_fast_scan_agrees_with_the_toml_parser_on_a_real_lockfile() {
        let text = include_str!("../../../Cargo.lock");
        let fast = scan(text).expect("cargo's own format is scanned");
        let slow = parse_toml(text).unwrap();
        assert!(fast.packages.len() > 50);
        assert_eq!(summary(&fast), summary(&slow));
    }

    #[test]
    fn unusual_lockfiles_fall_back_to_toml() {
        assert!(scan("[[package]]\nname = 'x'\nversion = '1.0.0'\n").is_none());
        assert!(scan("[metadata]\n\"checksum x\" = \"abc\"\n").is_none());
        assert!(scan("[[package]]\nname = \"x\"\n").is_none());
        let lock = parse("[[package]]\nname = 'x'\nversion = '1.0.0'\n").unwrap();
        assert_eq!(lock.packages[0].name, "x");
    }

    #[test]
    fn dash_and_underscore_are_the_same_crate() {
        assert!(same_crate("proc-macro-error", "proc_macro_error"));
        assert!(!same_crate("serde", "serde_json"));
    }
}
