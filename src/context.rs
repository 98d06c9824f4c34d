//! File context: where a file sits and what a finding there means. Every scanned file gets one
//! context, computed once from its repository-relative path and the start of its content:
//! `vendored` (someone else's code), `build` (build outputs), `generated` (written by a tool),
//! `test` (tests and fixtures), `docs` (documentation and examples), or `source`.
//!
//! A rule says what it does in each context (`[rule.contexts]`, defaults per policy file in
//! `[pack.contexts]`): off, or a severity. Users add globs per context in guardrail.toml
//! (`[contexts]`); their globs win over the built-in conventions.

use std::collections::BTreeMap;
use std::fmt;

use globset::GlobSet;
use serde::Serialize;

use crate::policy::Severity;

/// Where a file sits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Context {
    /// First-party code and configuration: the default.
    #[default]
    Source,
    /// Tests, test data and fixtures.
    Test,
    /// Documentation and examples.
    Docs,
    /// Written by a tool (`@generated`, `DO NOT EDIT`, bindgen, protobuf, minified bundles).
    Generated,
    /// Someone else's code copied in (vendor/, third_party/, node_modules/).
    Vendored,
    /// Build outputs (dist/, build/, target/).
    Build,
}

impl Context {
    /// Every context, in the order user globs are tried.
    pub const ALL: [Context; 6] = [
        Context::Vendored,
        Context::Build,
        Context::Generated,
        Context::Test,
        Context::Docs,
        Context::Source,
    ];

    /// The name used in policies, config and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Source => "source",
            Context::Test => "test",
            Context::Docs => "docs",
            Context::Generated => "generated",
            Context::Vendored => "vendored",
            Context::Build => "build",
        }
    }

    /// The context named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// Every context name, for error messages.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|c| c.as_str()).collect()
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule does in a context: `None` is off, else the severity it reports at.
pub type ContextSettings = BTreeMap<Context, Option<Severity>>;

/// Parses a context setting value: `off`, `note`, `warning` or `error`.
pub fn parse_setting(value: &str) -> Option<Option<Severity>> {
    match value {
        "off" => Some(None),
        "note" => Some(Some(Severity::Note)),
        "warning" => Some(Some(Severity::Warning)),
        "error" => Some(Some(Severity::Error)),
        _ => None,
    }
}

/// Globs users add per context (guardrail.toml `[contexts]`), matched against
/// repository-relative paths.
#[derive(Debug, Clone, Default)]
pub struct ContextGlobs {
    sets: Vec<(Context, GlobSet, Vec<String>)>,
}

impl ContextGlobs {
    /// From compiled glob sets and the globs as written, tried in [`Context::ALL`] order.
    pub fn new(mut sets: Vec<(Context, GlobSet, Vec<String>)>) -> Self {
        sets.sort_by_key(|(c, _, _)| Context::ALL.iter().position(|x| x == c));
        Self { sets }
    }

    /// Each context the user extended, with its globs as written.
    pub fn written(&self) -> impl Iterator<Item = (Context, &[String])> {
        self.sets.iter().map(|(c, _, g)| (*c, g.as_slice()))
    }

    fn lookup(&self, rel: &str) -> Option<Context> {
        self.sets
            .iter()
            .find(|(_, set, _)| set.is_match(rel))
            .map(|(c, _, _)| *c)
    }
}

/// How much of a file's start is read for generated-file markers.
const MARKER_WINDOW: usize = 2048;

/// The context of the file at repository-relative path `rel` whose text (if read) is `text`.
pub fn classify(rel: &str, text: Option<&str>, globs: &ContextGlobs) -> Context {
    let rel = &*crate::paths::scope_path(rel);
    if let Some(c) = globs.lookup(rel) {
        return c;
    }
    let lower = rel.to_ascii_lowercase();
    let (dirs, name) = match lower.rsplit_once('/') {
        Some((dirs, name)) => (dirs.split('/').collect::<Vec<_>>(), name),
        None => (Vec::new(), lower.as_str()),
    };
    let in_dir = |names: &[&str]| dirs.iter().any(|d| names.contains(d));
    if in_dir(VENDORED_DIRS) || dirs.iter().any(|d| d.ends_with(".dist-info")) {
        return Context::Vendored;
    }
    let doc_file = DOCS_EXTENSIONS.iter().any(|e| name.ends_with(e));
    // Build output is HTML and bundles; prose sources in a build directory (SQLAlchemy keeps
    // its Sphinx sources in doc/build/) are documentation.
    if in_dir(BUILD_DIRS) && !doc_file {
        return Context::Build;
    }
    if LOCKFILES.contains(&name) {
        // Written by a tool, but they are the project's dependency decisions.
        return Context::Source;
    }
    if generated_name(name)
        || windows_bindgen_tree(rel, name)
        || text.is_some_and(|t| generated_content(name, t))
    {
        return Context::Generated;
    }
    if in_dir(TEST_DIRS) || test_name(name) || test_package(&dirs, name) {
        return Context::Test;
    }
    if in_dir(DOCS_DIRS) || doc_file {
        return Context::Docs;
    }
    Context::Source
}

const LOCKFILES: &[&str] = &[
    "cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "pipfile.lock",
    "uv.lock",
    "go.sum",
    "composer.lock",
    "gemfile.lock",
];

const VENDORED_DIRS: &[&str] = &[
    "vendor",
    "vendored",
    "third_party",
    "third-party",
    "thirdparty",
    "node_modules",
    "bower_components",
    "site-packages",
];

const BUILD_DIRS: &[&str] = &["dist", "build", "target", "_build", ".next"];

const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "spec",
    "specs",
    "testdata",
    "test_data",
    "test-data",
    "testing",
    "fixtures",
    "__fixtures__",
    "e2e",
];

const DOCS_DIRS: &[&str] = &[
    "docs",
    "doc",
    "docs_src",
    "docs-src",
    "documentation",
    "examples",
    "example",
    "samples",
    "sample",
];

const DOCS_EXTENSIONS: &[&str] = &[".md", ".markdown", ".rst", ".adoc", ".asciidoc"];

/// Test directories by convention rather than name: a top-level `t/` (Perl, Celery, git) and
/// Go's test-helper packages (`httptest`, `fstest`, `acmetest`: a directory named `<x>test`).
fn test_package(dirs: &[&str], name: &str) -> bool {
    dirs.first() == Some(&"t")
        || name.ends_with(".go")
            && dirs
                .last()
                .is_some_and(|d| d.len() > 4 && d.ends_with("test") && *d != "latest" && *d != "contest")
}

/// Test files by each language's naming convention.
fn test_name(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    name.starts_with("test_") && name.ends_with(".py")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with(".test")
        || stem.ends_with(".spec")
        || stem.ends_with("test") && name.ends_with(".java")
        || stem.ends_with("tests") && name.ends_with(".java")
        || name == "conftest.py"
        // Rust's `#[cfg(test)] mod test;` / `mod tests;` files.
        || name == "test.rs"
        || name == "tests.rs"
}

/// windows-bindgen writes one `mod.rs` per Windows API namespace under `Windows/Win32/` or
/// `Windows/Wdk/` (windows-sys, windows): many of them hold only constants and structs, with no
/// import macro in their head to recognise them by.
fn windows_bindgen_tree(rel: &str, name: &str) -> bool {
    name == "mod.rs" && (rel.contains("Windows/Win32/") || rel.contains("Windows/Wdk/"))
}

/// Generated files by name: protobuf, gRPC and other generator outputs, minified bundles.
fn generated_name(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        ".pb.go",
        "_pb2.py",
        "_pb2_grpc.py",
        "_pb2.pyi",
        ".pb.cc",
        ".pb.h",
        ".pb.rs",
        "_grpc.pb.go",
        ".min.js",
        ".min.css",
        ".min.mjs",
        ".bundle.js",
        "_generated.go",
        "_generated.rs",
        ".generated.ts",
        ".generated.js",
        ".g.dart",
    ];
    SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// What generators write at the top of a file.
const MARKERS: &[&str] = &[
    "@generated",
    "DO NOT EDIT",
    "automatically generated by rust-bindgen",
    "Generated by the protocol buffer compiler",
    "This file is automatically generated",
    "This file was automatically generated",
    "This file is auto-generated",
    "This file was auto-generated",
    "Autogenerated by",
    "<auto-generated",
    // windows-bindgen output (windows-sys, windows-targets): no header, but only generated
    // bindings declare imports with these macros.
    "windows_link::link!(",
    "windows_targets::link!(",
];

/// [`MARKERS`] in one automaton: one pass over a file's head instead of one per marker (every
/// file of a history scan is classified).
static GENERATED_MARKERS: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(MARKERS)
        .unwrap_or_else(|e| panic!("static generated-file markers: {e}"))
});

/// A part of every one of [`MARKERS`], each found with a vectorised substring search: most
/// heads hold none, and these searches pass over them several times faster than the
/// automaton, which then runs only on the heads that hold one.
const MARKER_PARTS: [&str; 3] = ["enerated", "DO NOT EDIT", "::link!("];

/// [`MARKER_PARTS`]' searchers.
static MARKER_PART_FINDERS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
    std::sync::LazyLock::new(|| MARKER_PARTS.map(memchr::memmem::Finder::new));

/// Generated files by the markers generators write at the top, or minified scripts and styles
/// (a very long first line).
fn generated_content(name: &str, text: &str) -> bool {
    let mut end = text.len().min(MARKER_WINDOW);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let holds_a_part = MARKER_PART_FINDERS
        .iter()
        .any(|part| part.find(head.as_bytes()).is_some());
    if holds_a_part && GENERATED_MARKERS.is_match(head) {
        return true;
    }
    let minifiable = [".js", ".mjs", ".cjs", ".css"].iter().any(|e| name.ends_with(e));
    minifiable && text.split('\n').next().unwrap_or("").len() > 5_000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(rel: &str, text: &str) -> Context {
        classify(rel, Some(text), &ContextGlobs::default())
    }

    #[test]
    fn paths_and_names_give_the_context() {
        assert_eq!(of("src/app.py", ""), Context::Source);
        assert_eq!(of("tests/test_app.py", ""), Context::Test);
        assert_eq!(of("app/test_views.py", ""), Context::Test);
        assert_eq!(of("pkg/server_test.go", ""), Context::Test);
        assert_eq!(of("web/button.test.tsx", ""), Context::Test);
        assert_eq!(of("web/button.spec.ts", ""), Context::Test);
        assert_eq!(of("src/main/java/FooTest.java", ""), Context::Test);
        assert_eq!(of("pkg/testdata/key.pem", ""), Context::Test);
        assert_eq!(of("docs/setup.md", ""), Context::Docs);
        assert_eq!(of("README.md", ""), Context::Docs);
        assert_eq!(of("examples/client.rs", ""), Context::Docs);
        assert_eq!(of("vendor/lib/a.go", ""), Context::Vendored);
        assert_eq!(of("web/node_modules/x/index.js", ""), Context::Vendored);
        assert_eq!(of("vendor/crate/tests/t.rs", ""), Context::Vendored);
        assert_eq!(of("dist/app.js", ""), Context::Build);
        assert_eq!(of("api/user.pb.go", ""), Context::Generated);
        assert_eq!(of("static/app.min.js", ""), Context::Generated);
        assert_eq!(of("t/unit/security/__init__.py", ""), Context::Test);
        assert_eq!(of("src/client/test.rs", ""), Context::Test);
        assert_eq!(of("src/tests.rs", ""), Context::Test);
        assert_eq!(of("acme/autocert/internal/acmetest/ca.go", ""), Context::Test);
        assert_eq!(of("net/http/httptest/server.go", ""), Context::Test);
        assert_eq!(of("docs_src/security/tutorial004.py", ""), Context::Docs);
        assert_eq!(of("doc/build/core/pooling.rst", ""), Context::Docs);
        assert_eq!(of("docs/_build/html/index.html", ""), Context::Build);
    }

    #[test]
    fn every_marker_holds_a_part_searched_for_first() {
        for marker in MARKERS {
            assert!(MARKER_PARTS.iter().any(|p| marker.contains(p)), "{marker}");
        }
    }

    #[test]
    fn near_misses_stay_source() {
        assert_eq!(of("src/testing_utils_impl.rs", ""), Context::Source);
        assert_eq!(of("src/contest.py", ""), Context::Source);
        assert_eq!(of("src/latest.go", ""), Context::Source);
        assert_eq!(of("src/builder.rs", ""), Context::Source);
        assert_eq!(of("src/docs_link.rs", ""), Context::Source);
        assert_eq!(of("src/vendor_api.py", ""), Context::Source);
        assert_eq!(of("src/t/app.py", ""), Context::Source, "only a top-level t/");
        assert_eq!(of("pkg/latest/v.go", ""), Context::Source);
        assert_eq!(
            of("pkg/acmetest/ca.py", ""),
            Context::Source,
            "Go's convention, for Go"
        );
        assert_eq!(of("build/notes.txt", ""), Context::Build);
        assert_eq!(of("src/testing.rs", ""), Context::Source);
    }

    #[test]
    fn generator_markers_in_the_head_mark_a_file_generated() {
        assert_eq!(
            of(
                "src/bindings.rs",
                "/* automatically generated by rust-bindgen 0.69 */\n"
            ),
            Context::Generated
        );
        assert_eq!(
            of("api/x.go", "// Code generated by protoc-gen-go. DO NOT EDIT.\n"),
            Context::Generated
        );
        assert_eq!(
            of("src/lib.rs", "// @generated by build.rs\n"),
            Context::Generated
        );
        let late = format!("{}\n// DO NOT EDIT\n", "x\n".repeat(2000));
        assert_eq!(
            of("src/lib.rs", &late),
            Context::Source,
            "a marker far down is not a header"
        );
        assert_eq!(of("app.js", &"a;".repeat(3000)), Context::Generated);
        assert_eq!(
            of("deep.json", &"[".repeat(6000)),
            Context::Source,
            "only scripts minify"
        );
        let windows = "#[cfg(feature = \"Win32_Foundation\")]\nwindows_link::link!(\"kernel32.dll\" \"system\" fn CloseHandle(h : HANDLE) -> BOOL);\n";
        assert_eq!(of("src/Windows/Win32/System/mod.rs", windows), Context::Generated);
        let constants = "#[repr(C)]\npub struct ACTIVE_LATENCY_CONFIGURATION { pub x: u32 }\n";
        assert_eq!(
            of("src/Windows/Win32/Storage/Nvme/mod.rs", constants),
            Context::Generated,
            "windows-bindgen's namespace tree"
        );
        assert_eq!(
            of("src/windows/win32/mod.rs", constants),
            Context::Source,
            "a project's own lower-case windows module"
        );
        assert_eq!(
            of(
                "src/lib.rs",
                "// we call windows_link::link directly\nfn f() {}\n"
            ),
            Context::Source,
            "the macro invocation, not its name"
        );
        let lock = "# This file is automatically @generated by Cargo.\nversion = 3\n";
        assert_eq!(of("Cargo.lock", lock), Context::Source, "lockfiles are decisions");
    }

    #[test]
    fn user_globs_win() {
        let mut b = globset::GlobSetBuilder::new();
        b.add(globset::Glob::new("qa/**").expect("glob"));
        b.add(globset::Glob::new("tests/integration/**").expect("glob"));
        let globs = ContextGlobs::new(vec![(Context::Test, b.build().expect("set"), vec![])]);
        assert_eq!(classify("qa/run.py", None, &globs), Context::Test);
        let mut s = globset::GlobSetBuilder::new();
        s.add(globset::Glob::new("docs/api/**").expect("glob"));
        let globs = ContextGlobs::new(vec![(Context::Source, s.build().expect("set"), vec![])]);
        assert_eq!(classify("docs/api/handler.py", None, &globs), Context::Source);
    }
}
