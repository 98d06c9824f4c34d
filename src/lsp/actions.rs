//! Hover text and code actions: the rule's why and help, and a suppression comment in the
//! file's comment syntax.

use std::fmt::Write as _;
use std::path::Path;

use crate::meta;
use crate::policy::Rule;

/// Markdown for a hover over a finding of `rule` (a policy rule) or a meta rule `id`.
pub fn hover_text(id: &str, rule: Option<&Rule>) -> Option<String> {
    let mut out = String::new();
    if let Some(r) = rule {
        let _ = writeln!(
            out,
            "**{}** ({}, {})\n\n{}",
            r.id, r.severity, r.category, r.message
        );
        if let Some(d) = &r.description {
            let _ = write!(out, "\n**Why:** {}\n", d.trim());
        }
        if let Some(h) = &r.help {
            let _ = write!(out, "\n**Help:** {}\n", h.trim());
        }
        for link in &r.references {
            let _ = write!(out, "\nSee: {link}\n");
        }
        if !r.suppressible {
            out.push_str("\nCannot be suppressed inline.\n");
        }
        return Some(out);
    }
    let m = meta::find(id)?;
    let _ = writeln!(
        out,
        "**{}** ({}, guardrail's own diagnostic)\n\n{}",
        m.id, m.severity, m.message
    );
    let _ = write!(out, "\n**Why:** {}\n\n**Help:** {}\n", m.description, m.help);
    Some(out)
}

/// How a line comment is written in a file: the opening and (for block-only syntaxes) the
/// closing marker. `None` when the format has no comments (JSON) or is unknown.
pub fn comment_syntax(path: &Path) -> Option<(&'static str, &'static str)> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let hash = Some(("#", ""));
    if name == "dockerfile"
        || name.starts_with("dockerfile.")
        || name == "makefile"
        || name.starts_with(".env")
    {
        return hash;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "py" | "pyi" | "yaml" | "yml" | "toml" | "sh" | "bash" | "zsh" | "fish" | "rb" | "pl" | "r"
        | "tf" | "cfg" | "conf" | "ini" | "properties" | "ps1" | "nix" | "env" | "dockerfile" | "mk"
        | "cmake" | "gitignore" => hash,
        "rs" | "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" | "go" | "java" | "c" | "h"
        | "cc" | "cpp" | "cxx" | "hpp" | "cs" | "kt" | "kts" | "swift" | "scala" | "php" | "dart"
        | "groovy" | "gradle" | "proto" | "jsonc" => Some(("//", "")),
        "md" | "markdown" | "html" | "htm" | "xml" | "vue" | "svelte" | "svg" => Some(("<!--", " -->")),
        "sql" | "lua" | "hs" => Some(("--", "")),
        "css" | "scss" | "less" => Some(("/*", " */")),
        _ => None,
    }
}

/// The placeholder reason a new suppression comment carries, for the user to replace.
pub const REASON_PLACEHOLDER: &str = "TODO: say why this is acceptable";

/// The line inserted above `line` (the finding's line, without its break) to suppress `rule`:
/// the same indentation, the file's comment marker, and a reason to fill in.
pub fn suppression_line(path: &Path, line: &str, rule: &str) -> Option<String> {
    let (open, close) = comment_syntax(path)?;
    let indent: String = line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    Some(format!(
        "{indent}{open} guardrail:ignore {rule} -- {REASON_PLACEHOLDER}{close}\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_comments_use_the_file_syntax_and_indentation() {
        let line = |p: &str, l: &str| suppression_line(Path::new(p), l, "privacy/x").unwrap();
        assert_eq!(
            line("a.py", "    log(x)"),
            format!("    # guardrail:ignore privacy/x -- {REASON_PLACEHOLDER}\n")
        );
        assert_eq!(
            line("src/a.rs", "\tx"),
            format!("\t// guardrail:ignore privacy/x -- {REASON_PLACEHOLDER}\n")
        );
        assert_eq!(
            line("README.md", "x"),
            format!("<!-- guardrail:ignore privacy/x -- {REASON_PLACEHOLDER} -->\n")
        );
        assert_eq!(
            line("Dockerfile", "FROM x"),
            format!("# guardrail:ignore privacy/x -- {REASON_PLACEHOLDER}\n")
        );
        assert_eq!(suppression_line(Path::new("package.json"), "x", "a/b"), None);
    }

    #[test]
    fn the_inserted_comment_parses_as_a_directive_covering_the_next_line() {
        for (path, code) in [("a.py", "x = 1"), ("a.ts", "x()"), ("a.md", "x"), ("a.css", "x")] {
            let text = format!(
                "{}{code}\n",
                suppression_line(Path::new(path), code, "security/k").unwrap()
            );
            let found = crate::suppress::inline::parse(&text);
            assert_eq!(found.len(), 1, "{path}");
            assert_eq!(found[0].rules, vec!["security/k".to_string()], "{path}");
            assert_eq!(found[0].reason.as_deref(), Some(REASON_PLACEHOLDER), "{path}");
            assert!(found[0].covers(2), "{path}");
        }
    }
}
