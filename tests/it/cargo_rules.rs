//! The `cargo` matcher and its built-in rules on real files: a fixture workspace with a
//! lockfile (exact positions and near misses), this repository's own dependency graph for
//! licenses, the offline fallback, and the rendered span of a Cargo.toml finding.

use std::path::Path;

use crate::common::{fixture_copy, guardrail, normalize, write_tree};
use serde_json::Value;

/// Rule ids this file is about; other packs' rules on the same fixtures are not asserted here.
const CARGO_RULES: &[&str] = &[
    "security/vulnerable-crate-version",
    "security/unmaintained-crate",
    "security/git-dependency",
    "security/alternative-registry-dependency",
    "security/path-dependency-outside-workspace",
    "security/unbounded-dependency-version",
    "security/copyleft-license",
    "privacy/analytics-sdk-dependency",
    "guardrail/dependency-licenses-unchecked",
];

const NOTE: &str = "guardrail/dependency-licenses-unchecked";

type Row = (String, String, u64, u64, u64, u64);

/// `guardrail check --format json` in `dir` with extra environment variables.
fn check(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Value {
    let mut cmd = guardrail();
    cmd.current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("ran");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Findings of the cargo rules (and `team/` test rules) with their full span.
fn cargo_findings(json: &Value) -> Vec<Row> {
    crate::common::findings_with_end(json)
        .into_iter()
        .filter(|f| CARGO_RULES.contains(&f.0.as_str()) || f.0.starts_with("team/"))
        .collect()
}

fn row(rule: &str, path: &str, line: u64, col: u64, end_line: u64, end_col: u64) -> Row {
    (rule.to_string(), path.to_string(), line, col, end_line, end_col)
}

fn messages_of<'a>(json: &'a Value, rule: &str) -> Vec<&'a str> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .filter_map(|f| f["message"].as_str())
        .collect()
}

/// 1-based line of the first line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> u64 {
    let i = text
        .lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?}"));
    i as u64 + 1
}

#[test]
fn workspace_findings_are_exact() {
    let empty_home = tempfile::tempdir().expect("tempdir");
    let fixtures = fixture_copy("cargo");
    let dir = fixtures.path().join("workspace");
    let json = check(
        &dir,
        &["--policy", "../policy.toml"],
        &[("CARGO_HOME", empty_home.path())],
    );
    let lock = "Cargo.lock";
    let app = "crates/app/Cargo.toml";
    let expected = vec![
        // Offline and the graph cannot be resolved: one note for both license rules.
        row(NOTE, lock, 1, 1, 1, 1),
        // atty 0.2.14, corp-auth's private sparse index, fancy from git, openssl 0.10.50 and the
        // transitive time 0.1.45; openssl-sys, time 0.3.36, crates.io's sparse index and sentry
        // (the privacy rule reads manifests only) are near misses.
        row("security/unmaintained-crate", lock, 22, 1, 22, 14),
        row("security/alternative-registry-dependency", lock, 29, 1, 29, 53),
        row("security/git-dependency", lock, 34, 1, 34, 101),
        row("security/vulnerable-crate-version", lock, 41, 1, 41, 17),
        row("security/vulnerable-crate-version", lock, 78, 1, 78, 14),
        // `rand = "*"` in [workspace.dependencies]: the requirement is underlined.
        row(
            "security/unbounded-dependency-version",
            "Cargo.toml",
            11,
            8,
            11,
            11,
        ),
        // `[package]` of a crate that can be published: the `package` key in the header.
        row("team/package-metadata-missing", app, 1, 2, 1, 9),
        row("team/publishable-crate", app, 1, 2, 1, 9),
        // `openssl = "0.10.38"` resolves to the banned 0.10.50 in the lockfile, which reports it
        // (issue 12: not a second finding at the requirement); `time = "0.3"` does not match
        // the ban; `util = { path = "../util" }` stays in the workspace.
        row("security/path-dependency-outside-workspace", app, 13, 12, 13, 52),
        row("security/git-dependency", app, 14, 11, 14, 51),
        row("security/alternative-registry-dependency", app, 15, 30, 15, 47),
        row("security/unbounded-dependency-version", app, 16, 11, 16, 18),
        row("privacy/analytics-sdk-dependency", app, 17, 1, 17, 7),
        row("security/unmaintained-crate", app, 18, 1, 18, 5),
        // util's `time = "0.1"` resolves to 0.1.45: reported at the lockfile's entry only.
        // The vendored path crate's own license, from its text (the team rule exempts it).
        row(
            "security/copyleft-license",
            "vendor/gpl-parser/Cargo.toml",
            5,
            11,
            5,
            25,
        ),
    ];
    assert_eq!(cargo_findings(&json), expected);
    let notes = messages_of(&json, NOTE);
    // Nothing on the machine (empty CARGO_HOME), and `shared` lies outside the scan root.
    assert!(
        notes[0]
            .starts_with("licenses of 13 package(s) could not be determined (source not on this machine)")
            && notes[0].contains("cargo fetch"),
        "{notes:?}"
    );
}

/// A valid crate whose registry dependencies are not in the (empty) cargo cache.
fn unfetched_crate(dir: &Path) {
    write_tree(
        dir,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n[dependencies]\natty = \"0.2\"\nitoa = \"1\"\n",
            ),
            ("src/lib.rs", "//! Demo.\n"),
            (
                "Cargo.lock",
                "version = 4\n\n[[package]]\nname = \"atty\"\nversion = \"0.2.14\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\n \"atty\",\n \"itoa\",\n]\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.15\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
            ),
            ("guardrail.toml", "[rules]\n\"security/copyleft-license\" = \"on\"\n"),
            // A vendored crate's own lockfile: covered by the outer graph, never resolved alone.
            ("vendor/dep/Cargo.toml", "[package]\nname = \"dep\"\nversion = \"0.1.0\"\nlicense = \"MIT\"\n\n[dependencies]\nitoa = \"1\"\n"),
            ("vendor/dep/src/lib.rs", "//! Dep.\n"),
            ("vendor/dep/Cargo.lock", "version = 4\n\n[[package]]\nname = \"dep\"\nversion = \"0.1.0\"\n"),
            (
                "allow.toml",
                "[pack]\nname = \"team\"\n[[rule]]\nid = \"license-allow-list\"\nmessage = \"m\"\nhelp = \"h\"\npaths = [\"Cargo.toml\", \"Cargo.lock\"]\n[rule.cargo.licenses]\nallow = [\"MIT\"]\n[[rule.example]]\nfail = \"[package]\\nlicense = 'ISC'\"\n[[rule.example]]\npass = \"[package]\\nlicense = 'MIT'\"\n",
            ),
        ],
    );
}

#[test]
fn offline_fallback_notes_once_and_the_other_rules_still_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let empty_home = tempfile::tempdir().expect("tempdir");
    unfetched_crate(tmp.path());
    let json = check(
        tmp.path(),
        &["--policy", "allow.toml"],
        &[("CARGO_HOME", empty_home.path())],
    );
    assert_eq!(
        cargo_findings(&json),
        vec![
            row(NOTE, "Cargo.lock", 1, 1, 1, 1),
            row("security/unmaintained-crate", "Cargo.lock", 4, 1, 4, 14),
            row("security/unmaintained-crate", "Cargo.toml", 8, 1, 8, 5),
        ]
    );
    let notes = messages_of(&json, NOTE);
    assert_eq!(
        notes.len(),
        1,
        "two license rules and a nested lockfile, one note"
    );
    assert!(notes[0].contains("run `cargo fetch` in ."), "{}", notes[0]);
    assert_eq!(json["summary"]["errors"], 0);
}

/// With `--cargo-metadata`, cargo runs once per workspace per scan: not per rule, file or
/// nested lockfile.
#[cfg(unix)]
#[test]
fn cargo_metadata_runs_once_per_workspace() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    unfetched_crate(tmp.path());
    let bin = tempfile::tempdir().expect("tempdir");
    let log = bin.path().join("calls.log");
    let cargo = bin.path().join("cargo");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\necho 'error: no matching package named `itoa` found' >&2\nexit 101\n",
        log.display()
    );
    std::fs::write(&cargo, script).expect("write fake cargo");
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let json = check(
        tmp.path(),
        &["--cargo-metadata", "--policy", "allow.toml"],
        &[("CARGO", &cargo)],
    );
    assert_eq!(messages_of(&json, NOTE).len(), 1);
    let calls = std::fs::read_to_string(&log).expect("fake cargo ran");
    let calls: Vec<&str> = calls.lines().collect();
    // The whole graph, then the host platform's, for the one top-level workspace.
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls
            .iter()
            .all(|c| c.contains("--offline") && c.contains("--locked")),
        "{calls:?}"
    );
    assert!(calls[1].contains("--filter-platform host-tuple"), "{calls:?}");
}

/// The repository's own manifest and lockfile, scanned in place with only `policy`.
fn scan_this_repository(policy: &str) -> (Vec<(String, String, u64, u64)>, Value) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("licenses.toml");
    std::fs::write(&file, policy).expect("write policy");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = file.to_string_lossy().into_owned();
    let json = check(
        root,
        &["--no-config", "--no-builtin", "--policy", &file, "."],
        &[],
    );
    let own = crate::common::findings(&json)
        .into_iter()
        .filter(|f| f.1 == "Cargo.toml" || f.1 == "Cargo.lock")
        .collect();
    (own, json)
}

fn license_policy(list: &str) -> String {
    format!(
        "[pack]\nname = \"lic\"\n[[rule]]\nid = \"licenses\"\nmessage = \"m\"\nhelp = \"h\"\npaths = [\"Cargo.toml\", \"Cargo.lock\"]\n[rule.cargo.licenses]\n{list}\n[[rule.example]]\nfail = \"[package]\\nlicense = 'GPL-3.0-only'\"\n[[rule.example]]\npass = \"[package]\\nlicense = 'MIT'\"\n"
    )
}

#[test]
fn every_license_of_this_repository_resolves_against_an_allow_list() {
    let (own, json) = scan_this_repository(&license_policy(
        "allow = [\"MIT\", \"Apache-2.0\", \"Unicode-3.0\", \"ISC\", \"BSD-2-Clause\", \"BSD-3-Clause\", \"Zlib\", \"Unlicense\", \"BSL-1.0\", \"CC0-1.0\", \"MPL-2.0\", \"0BSD\", \"MIT-0\"]",
    ));
    // A package without an SPDX expression, or with one that does not parse, would be flagged.
    let flagged: Vec<_> = own.iter().filter(|f| f.0 == "lic/licenses").collect();
    assert!(flagged.is_empty(), "{flagged:?}");
    // Crates for other platforms may not have been downloaded by a build (a note says so),
    // but the graph itself was resolved offline.
    let notes: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == NOTE && f["path"] == "Cargo.lock")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(notes.iter().all(|n| !n.contains("failed")), "{notes:?}");
}

#[test]
fn a_deny_list_with_mit_flags_a_known_dependency_of_this_repository() {
    let (own, _) = scan_this_repository(&license_policy("deny = [\"MIT\"]"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).expect("Cargo.lock");
    let at = |path: &str, line: u64| ("lic/licenses".to_string(), path.to_string(), line, 1);
    // cargo_metadata is MIT only: at its key in Cargo.toml and its line in Cargo.lock.
    assert!(
        own.contains(&at("Cargo.toml", line_of(&manifest, "cargo_metadata ="))),
        "{own:?}"
    );
    assert!(
        own.contains(&at("Cargo.lock", line_of(&lock, "name = \"cargo_metadata\""))),
        "{own:?}"
    );
    // sha2 is `MIT OR Apache-2.0`: Apache-2.0 is not denied, so it passes.
    assert!(
        !own.contains(&at("Cargo.lock", line_of(&lock, "name = \"sha2\""))),
        "{own:?}"
    );
    assert!(
        !own.contains(&at("Cargo.toml", line_of(&manifest, "sha2 ="))),
        "{own:?}"
    );
}

#[test]
fn human_output_underlines_the_dependency_key() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_tree(
        tmp.path(),
        &[(
            "Cargo.toml",
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = \"1\"\natty = { version = \"0.2\", optional = true }\n\n[dependencies.fancy]\ngit = \"https://github.com/example/fancy\"\nbranch = \"main\"\n",
        )],
    );
    let out = guardrail()
        .current_dir(tmp.path())
        .args(["check", "--no-config", "--color", "never"])
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings do not fail the default gate"
    );
    let text = normalize(&String::from_utf8_lossy(&out.stdout), Some(tmp.path()));
    insta::assert_snapshot!("security__unmaintained-crate__cargo-toml", text);
}

#[test]
fn a_malformed_banned_entry_points_at_the_policy_value() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_tree(
        tmp.path(),
        &[(
            "bad.toml",
            "[pack]\nname = \"bad\"\n[[rule]]\nid = \"ban\"\nmessage = \"m\"\n[rule.cargo]\nbanned = [\"serde\", \"openssl <<0.10\"]\n[[rule.example]]\nfail = \"a\"\n[[rule.example]]\npass = \"b\"\n",
        )],
    );
    let out = guardrail()
        .current_dir(tmp.path())
        .args(["validate", "bad.toml"])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("invalid banned crate"), "{text}");
    assert!(text.contains("bad.toml:7:20"), "{text}");
}
