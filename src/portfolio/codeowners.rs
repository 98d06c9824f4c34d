//! CODEOWNERS: who owns a path, in GitHub's and GitLab's syntax.
//!
//! Patterns follow gitignore rules (matched with the `ignore` crate's gitignore matcher, the one
//! ripgrep uses) and the last matching line wins. GitLab's `[Section]` headers (also
//! `^[Optional]`, `[Section][2]`, with default owners after the header) split the file: each
//! section's last match applies, and a path's owners are those of every section.

use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::error::{Error, Result};

/// Where GitHub and GitLab look, in their order: the first that exists is used.
pub const LOCATIONS: &[&str] = &[
    ".github/CODEOWNERS",
    ".gitlab/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
];

/// What a path's owners are called when no line matches it.
pub const UNOWNED: &str = "(unowned)";

/// A parsed CODEOWNERS file.
pub struct Codeowners {
    /// Display name of the file.
    pub file: String,
    sections: Vec<Section>,
}

/// Lines under one GitLab section header (the whole file on GitHub).
struct Section {
    /// Owners for lines of the section that name none (GitLab).
    default_owners: Vec<String>,
    /// Owners per line, indexed by the number the matcher carries for each pattern.
    owners: Vec<Vec<String>>,
    builder: GitignoreBuilder,
    matcher: Option<Gitignore>,
}

impl Section {
    fn new(default_owners: Vec<String>) -> Self {
        Self {
            default_owners,
            owners: Vec::new(),
            builder: GitignoreBuilder::new("/"),
            matcher: None,
        }
    }
}

impl Codeowners {
    /// The first CODEOWNERS file of `root` ([`LOCATIONS`]); `None` when there is none, an error
    /// when one exists and cannot be read.
    pub fn discover(root: &Path) -> Result<Option<Self>> {
        for rel in LOCATIONS {
            let path = root.join(rel);
            if std::fs::symlink_metadata(&path).is_ok() {
                return Self::load(&path, rel).map(Some);
            }
        }
        Ok(None)
    }

    /// Reads and parses the file at `path`, shown as `name`.
    pub fn load(path: &Path, name: &str) -> Result<Self> {
        let bad = |problem: String| Error::Report {
            file: name.to_string(),
            problem,
        };
        let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read CODEOWNERS ({e})")))?;
        let text = String::from_utf8(bytes).map_err(|_| bad("CODEOWNERS is not UTF-8 text".to_string()))?;
        Self::parse(name, &text)
    }

    /// Parses CODEOWNERS text.
    pub fn parse(name: &str, text: &str) -> Result<Self> {
        let mut sections = vec![Section::new(Vec::new())];
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(default_owners) = section_header(line) {
                sections.push(Section::new(default_owners));
                continue;
            }
            if let Some(section) = sections.last_mut() {
                add_rule(section, line).map_err(|problem| Error::Report {
                    file: name.to_string(),
                    problem: format!("line {}: {problem}", i + 1),
                })?;
            }
        }
        for s in &mut sections {
            let built = s.builder.build().map_err(|e| Error::Report {
                file: name.to_string(),
                problem: format!("bad patterns ({e})"),
            })?;
            s.matcher = Some(built);
        }
        Ok(Self {
            file: name.to_string(),
            sections,
        })
    }

    /// The owners of repository path `rel` (`/`-separated), in file order without repeats;
    /// empty when unowned.
    pub fn owners_of(&self, rel: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.sections {
            let Some(index) = last_match(s, rel) else { continue };
            for owner in s.owners.get(index).into_iter().flatten() {
                if !out.contains(owner) {
                    out.push(owner.clone());
                }
            }
        }
        out
    }
}

/// Adds one `pattern owners...` line to `section` (no owners: the section's defaults).
fn add_rule(section: &mut Section, line: &str) -> std::result::Result<(), String> {
    let mut words = line.split_whitespace();
    let Some(pattern) = words.next() else {
        return Ok(());
    };
    let mut owners: Vec<String> = words
        .take_while(|w| !w.starts_with('#'))
        .map(String::from)
        .collect();
    if owners.is_empty() {
        owners = section.default_owners.clone();
    }
    // The builder keeps, per pattern, the path it was read "from": that slot carries the line's
    // index into `owners`, so a match leads back to its owners.
    let index = section.owners.len();
    section
        .builder
        .add_line(Some(PathBuf::from(index.to_string())), pattern)
        .map_err(|e| format!("bad pattern `{pattern}` ({e})"))?;
    section.owners.push(owners);
    Ok(())
}

/// The last line of `section` that matches `rel` or a directory above it. (gitignore's own
/// "path or any parent" stops at the first level that matches; CODEOWNERS wants the last line
/// at any level.)
fn last_match(section: &Section, rel: &str) -> Option<usize> {
    let matcher = section.matcher.as_ref()?;
    let mut best = None;
    let mut is_dir = false;
    let mut at = Some(Path::new(rel));
    while let Some(path) = at.filter(|p| !p.as_os_str().is_empty()) {
        let matched = matcher.matched(path, is_dir);
        // A `!pattern` line (not CODEOWNERS syntax) owns nothing.
        // guardrail:ignore list-color-metaphor -- the ignore crate's API name, not ours
        let negated = matched.is_whitelist();
        let index = matched.inner().filter(|_| !negated).and_then(|glob| {
            glob.from()
                .and_then(|p| p.to_str())
                .and_then(|n| n.parse::<usize>().ok())
        });
        best = best.max(index);
        at = path.parent();
        is_dir = true;
    }
    best
}

/// A GitLab section header (`[Name]`, `^[Name]`, `[Name][2]`, then default owners): the default
/// owners; `None` for any other line.
fn section_header(line: &str) -> Option<Vec<String>> {
    let rest = line.strip_prefix('^').unwrap_or(line);
    let rest = rest.strip_prefix('[')?;
    let close = rest.find(']')?;
    let mut after = &rest[close + 1..];
    if let Some(n) = after.strip_prefix('[') {
        after = &n[n.find(']')? + 1..];
    }
    Some(after.split_whitespace().map(String::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(text: &str, path: &str) -> Vec<String> {
        match Codeowners::parse("CODEOWNERS", text) {
            Ok(c) => c.owners_of(path),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn last_match_wins() {
        let text = "* @all\n/src/ @core\n*.js @web\n/src/legacy/ @legacy\n";
        assert_eq!(owners(text, "README.md"), ["@all"]);
        assert_eq!(owners(text, "src/main.rs"), ["@core"]);
        assert_eq!(owners(text, "src/app.js"), ["@web"]);
        assert_eq!(owners(text, "src/legacy/app.js"), ["@legacy"]);
    }

    #[test]
    fn unowned_paths_have_no_owner() {
        assert!(owners("/src/ @core\n", "docs/a.md").is_empty());
    }

    #[test]
    fn gitlab_sections_each_contribute() {
        let text = "* @all\n[Docs] @docs-team\n*.md\n^[Security][2] @sec\n/src/auth/ @sec @core\n";
        assert_eq!(owners(text, "README.md"), ["@all", "@docs-team"]);
        assert_eq!(owners(text, "src/auth/login.rs"), ["@all", "@sec", "@core"]);
    }
}
