//! Issue 9, point 1: nothing the scanned repository configures runs during a scan. Hostile
//! repositories turn the license rules on through their own guardrail.toml and point cargo's
//! rustc, rustc wrappers or the rustup toolchain at scripts that leave a marker file; neither
//! the default mode (Cargo.lock plus sources on the machine) nor `--cargo-metadata` may run them.
//! License findings come from a fake `vendor/` directory and a fake CARGO_HOME registry cache
//! set in the test, so they do not depend on this machine's cache.

use std::path::Path;

use crate::common::{self, guardrail, write_tree};
use serde_json::Value;

const COPYLEFT: &str = "security/copyleft-license";
const UNCHECKED: &str = "guardrail/dependency-licenses-unchecked";
const RAN: &str = "guardrail/cargo-metadata-ran";

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// A scripted program that leaves `marker` behind (and fails, like a broken tool would).
#[cfg(unix)]
fn script(path: &Path, marker: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let text = format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display());
    std::fs::write(path, text).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// How the hostile repository tries to run its code.
#[derive(Clone, Copy, Debug)]
enum Attack {
    /// `.cargo/config.toml`: `[build] rustc = "tools/x.sh"`.
    BuildRustc,
    /// `.cargo/config.toml`: `rustc-wrapper` and `rustc-workspace-wrapper`, an `[env]`, an alias.
    RustcWrapper,
    /// `rust-toolchain.toml` with `path = "/abs/toolchain"` holding a fake `bin/cargo` and `bin/rustc`.
    ToolchainPath,
}

/// A hostile repository in `repo`; its scripts touch files in `markers`.
#[cfg(unix)]
fn hostile(repo: &Path, markers: &Path, attack: Attack, manifest: &str, lock: &str) {
    write_tree(
        repo,
        &[
            ("Cargo.toml", manifest),
            ("Cargo.lock", lock),
            ("src/lib.rs", "//! Victim.\n"),
            (
                "guardrail.toml",
                "[rules]\n\"security/copyleft-license\" = \"on\"\n",
            ),
        ],
    );
    script(&repo.join("tools/x.sh"), &markers.join("x.sh-ran"));
    match attack {
        Attack::BuildRustc => write_tree(repo, &[(".cargo/config.toml", "[build]\nrustc = \"tools/x.sh\"\n")]),
        Attack::RustcWrapper => write_tree(
            repo,
            &[(
                ".cargo/config.toml",
                "[build]\nrustc-wrapper = \"tools/x.sh\"\nrustc-workspace-wrapper = \"tools/x.sh\"\n\n[env]\nRUSTC_WRAPPER = \"tools/x.sh\"\n\n[alias]\nmetadata = \"run --bin evil\"\n",
            )],
        ),
        Attack::ToolchainPath => {
            let toolchain = markers.join("toolchain");
            script(&toolchain.join("bin/cargo"), &markers.join("toolchain-cargo-ran"));
            script(&toolchain.join("bin/rustc"), &markers.join("toolchain-rustc-ran"));
            let text = format!("[toolchain]\npath = \"{}\"\n", toolchain.display());
            write_tree(repo, &[("rust-toolchain.toml", &text)]);
        }
    }
}

/// Every `*-ran` file the repository's scripts left behind.
fn markers_left(markers: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(markers)
        .expect("markers dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("-ran"))
        .collect();
    found.sort();
    found
}

/// A fake cargo home whose registry cache holds `gplcrate` and `mitcrate`.
fn fake_cargo_home(home: &Path) {
    let src = "registry/src/index.crates.io-0123456789abcdef";
    write_tree(
        home,
        &[
            (
                &format!("{src}/gplcrate-1.0.0/Cargo.toml"),
                "[package]\nname = \"gplcrate\"\nversion = \"1.0.0\"\nlicense = \"GPL-2.0-or-later\"\n",
            ),
            (
                &format!("{src}/mitcrate-1.2.3/Cargo.toml"),
                "[package]\nname = \"mitcrate\"\nversion = \"1.2.3\"\nlicense = \"MIT OR Apache-2.0\"\n",
            ),
            // Same name, older version: not the locked package.
            (
                &format!("{src}/ghost-1.0.0/Cargo.toml"),
                "[package]\nname = \"ghost\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\n",
            ),
        ],
    );
}

const REGISTRY_MANIFEST: &str = "[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n[dependencies]\ngplcrate = \"1\"\nmitcrate = \"1\"\nvendcrate = \"0.3\"\n\n[dev-dependencies]\nghost = \"2\"\n";

fn registry_lock() -> String {
    let pkg = |name: &str, version: &str| {
        format!("[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"{CRATES_IO}\"\n\n")
    };
    format!(
        "version = 4\n\n{}{}{}[[package]]\nname = \"victim\"\nversion = \"0.1.0\"\ndependencies = [\n \"ghost\",\n \"gplcrate\",\n \"mitcrate\",\n \"vendcrate\",\n]\n\n{}",
        pkg("ghost", "2.0.0"),
        pkg("gplcrate", "1.0.0"),
        pkg("mitcrate", "1.2.3"),
        pkg("vendcrate", "0.3.1"),
    )
}

/// `guardrail check --format json` in `repo` with CARGO_HOME set to `home`.
fn check(repo: &Path, home: &Path, args: &[&str]) -> (i32, Value) {
    let out = guardrail()
        .current_dir(repo)
        .env("CARGO_HOME", home)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .expect("ran");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

/// `(rule, path, line, column)` of the license rule and the cargo notes.
fn license_findings(json: &Value) -> Vec<(String, String, u64, u64)> {
    common::findings(json)
        .into_iter()
        .filter(|f| [COPYLEFT, UNCHECKED, RAN].contains(&f.0.as_str()))
        .collect()
}

fn message_of(json: &Value, rule: &str) -> String {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == rule)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no {rule} finding: {json}"))
        .to_string()
}

fn at(rule: &str, path: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), path.to_string(), line, column)
}

fn line_of(text: &str, prefix: &str) -> u64 {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?}")) as u64
        + 1
}

/// Default mode: nothing runs, licenses come from the fake cache and vendor/, the package
/// whose source is nowhere on the machine is counted in a note.
#[cfg(unix)]
fn default_mode_reads_sources_and_runs_nothing(attack: Attack) {
    let repo = tempfile::tempdir().expect("tempdir");
    let markers = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("tempdir");
    let lock = registry_lock();
    hostile(repo.path(), markers.path(), attack, REGISTRY_MANIFEST, &lock);
    write_tree(
        repo.path(),
        &[(
            "vendor/vendcrate/Cargo.toml",
            "[package]\nname = \"vendcrate\"\nversion = \"0.3.1\"\nlicense = \"AGPL-3.0-only\"\n",
        )],
    );
    fake_cargo_home(home.path());
    let (code, json) = check(repo.path(), home.path(), &[]);
    assert_eq!(markers_left(markers.path()), Vec::<String>::new(), "{attack:?}");
    assert_eq!(
        license_findings(&json),
        vec![
            at(UNCHECKED, "Cargo.lock", 1, 1),
            at(COPYLEFT, "Cargo.lock", line_of(&lock, "name = \"gplcrate\""), 1),
            at(COPYLEFT, "Cargo.lock", line_of(&lock, "name = \"vendcrate\""), 1),
            at(
                COPYLEFT,
                "Cargo.toml",
                line_of(REGISTRY_MANIFEST, "gplcrate ="),
                1
            ),
            at(
                COPYLEFT,
                "Cargo.toml",
                line_of(REGISTRY_MANIFEST, "vendcrate ="),
                1
            ),
            // The vendored copy is also a scanned file: its own license, from its text.
            at(COPYLEFT, "vendor/vendcrate/Cargo.toml", 4, 11),
        ],
        "{attack:?}: {json}"
    );
    let note = message_of(&json, UNCHECKED);
    assert!(
        note.starts_with(
            "licenses of 1 package(s) could not be determined (source not on this machine): ghost 2.0.0;"
        ),
        "{note}"
    );
    assert_eq!(code, 1, "the copyleft findings are errors");
}

#[cfg(unix)]
#[test]
fn default_mode_ignores_a_build_rustc_script() {
    default_mode_reads_sources_and_runs_nothing(Attack::BuildRustc);
}

#[cfg(unix)]
#[test]
fn default_mode_ignores_rustc_wrappers() {
    default_mode_reads_sources_and_runs_nothing(Attack::RustcWrapper);
}

#[cfg(unix)]
#[test]
fn default_mode_ignores_a_toolchain_path() {
    default_mode_reads_sources_and_runs_nothing(Attack::ToolchainPath);
}

const PATH_MANIFEST: &str = "[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n[dependencies]\nvendcrate = { path = \"vendor/vendcrate\" }\n";
const PATH_LOCK: &str = "version = 4\n\n[[package]]\nname = \"vendcrate\"\nversion = \"0.3.1\"\n\n[[package]]\nname = \"victim\"\nversion = \"0.1.0\"\ndependencies = [\n \"vendcrate\",\n]\n";
const VENDCRATE: &str =
    "[package]\nname = \"vendcrate\"\nversion = \"0.3.1\"\nedition = \"2021\"\nlicense = \"AGPL-3.0-only\"\n";

/// `--cargo-metadata`: real cargo resolves a graph of path dependencies offline (it asks rustc
/// for target information, which is where the repository's settings would run its script),
/// the run is announced in a note, and no marker appears.
#[cfg(unix)]
fn cargo_metadata_mode_neutralises(attack: Attack) {
    let repo = tempfile::tempdir().expect("tempdir");
    let markers = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("tempdir");
    hostile(repo.path(), markers.path(), attack, PATH_MANIFEST, PATH_LOCK);
    write_tree(
        repo.path(),
        &[
            ("vendor/vendcrate/Cargo.toml", VENDCRATE),
            ("vendor/vendcrate/src/lib.rs", "//! Vendored.\n"),
        ],
    );
    let (code, json) = check(repo.path(), home.path(), &["--cargo-metadata"]);
    assert_eq!(markers_left(markers.path()), Vec::<String>::new(), "{attack:?}");
    assert_eq!(
        license_findings(&json),
        vec![
            at(RAN, "Cargo.lock", 1, 1),
            // The path crate's own license, judged from its Cargo.toml text.
            at(COPYLEFT, "vendor/vendcrate/Cargo.toml", 5, 11),
        ],
        "{attack:?}: {json}"
    );
    let note = message_of(&json, RAN);
    assert!(note.contains("`cargo metadata --offline` ran"), "{note}");
    assert_eq!(code, 1);
}

#[cfg(unix)]
#[test]
fn cargo_metadata_flag_ignores_a_build_rustc_script() {
    cargo_metadata_mode_neutralises(Attack::BuildRustc);
}

#[cfg(unix)]
#[test]
fn cargo_metadata_flag_ignores_rustc_wrappers() {
    cargo_metadata_mode_neutralises(Attack::RustcWrapper);
}

#[cfg(unix)]
#[test]
fn cargo_metadata_flag_ignores_a_toolchain_path() {
    cargo_metadata_mode_neutralises(Attack::ToolchainPath);
}

/// A cargo home inside the scanned tree would let the repository's files configure cargo:
/// `--cargo-metadata` refuses to run and says so.
#[cfg(unix)]
#[test]
fn cargo_metadata_refuses_a_cargo_home_inside_the_repository() {
    let repo = tempfile::tempdir().expect("tempdir");
    let markers = tempfile::tempdir().expect("tempdir");
    hostile(
        repo.path(),
        markers.path(),
        Attack::BuildRustc,
        PATH_MANIFEST,
        PATH_LOCK,
    );
    write_tree(
        repo.path(),
        &[
            ("vendor/vendcrate/Cargo.toml", VENDCRATE),
            ("cargo-home/config.toml", "[build]\nrustc = \"tools/x.sh\"\n"),
        ],
    );
    let (_, json) = check(
        repo.path(),
        &repo.path().join("cargo-home"),
        &["--cargo-metadata"],
    );
    assert_eq!(markers_left(markers.path()), Vec::<String>::new());
    assert_eq!(
        license_findings(&json),
        vec![
            at(UNCHECKED, "Cargo.lock", 1, 1),
            at(COPYLEFT, "vendor/vendcrate/Cargo.toml", 5, 11),
        ]
    );
    let note = message_of(&json, UNCHECKED);
    assert!(
        note.starts_with("dependency licenses were not checked: refused to run cargo: CARGO_HOME lies inside the scanned tree"),
        "{note}"
    );
}

/// A repository's `vendor/` entry that is a symlink out of the tree is not a license source.
#[cfg(unix)]
#[test]
fn a_vendor_symlink_out_of_the_repository_is_not_followed() {
    let repo = tempfile::tempdir().expect("tempdir");
    let markers = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    let lock = registry_lock();
    hostile(
        repo.path(),
        markers.path(),
        Attack::BuildRustc,
        REGISTRY_MANIFEST,
        &lock,
    );
    write_tree(
        outside.path(),
        &[(
            "vendcrate/Cargo.toml",
            "[package]\nname = \"vendcrate\"\nversion = \"0.3.1\"\nlicense = \"AGPL-3.0-only\"\n",
        )],
    );
    std::fs::create_dir_all(repo.path().join("vendor")).expect("mkdir");
    std::os::unix::fs::symlink(
        outside.path().join("vendcrate"),
        repo.path().join("vendor/vendcrate"),
    )
    .expect("symlink");
    fake_cargo_home(home.path());
    let (_, json) = check(repo.path(), home.path(), &[]);
    let note = message_of(&json, UNCHECKED);
    assert!(
        note.starts_with("licenses of 2 package(s) could not be determined (source not on this machine): ghost 2.0.0, vendcrate 0.3.1;"),
        "{note}"
    );
    assert!(!license_findings(&json)
        .iter()
        .any(|f| f.0 == COPYLEFT && f.2 == line_of(&lock, "name = \"vendcrate\"")));
}
