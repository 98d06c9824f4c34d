//! Machine formats carry the whole finding (issue 13.3): JSON adds `help`, `detail` (the
//! matcher's specifics) and the redacted `snippet`; SARIF and GitHub annotations put the detail
//! in the message; SARIF stays schema-valid.

use serde_json::Value;

use crate::common::{guardrail, write_tree};
use crate::gitrepo::{token, token_line};

const DETAIL: &str = "openssl 0.10.32 is banned (`openssl >= 0.10.0, < 0.10.70`): RUSTSEC-2023-0044 (< 0.10.55), RUSTSEC-2025-0004 (< 0.10.70): memory exposure";
const MESSAGE: &str = "Crate version with a known memory-safety advisory in the dependency graph";
const HELP: &str = "Run `cargo update -p <crate>` (or raise the requirement in Cargo.toml) to a patched version; `cargo tree -i <crate>` shows who pulls it in.";

/// A crate depending on an openssl version with advisories, and a committed token.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nopenssl = \"0.10.32\"\n",
            ),
            (
                "Cargo.lock",
                "version = 3\n\n[[package]]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\"openssl\"]\n\n[[package]]\nname = \"openssl\"\nversion = \"0.10.32\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
            ),
            ("src/settings.py", &format!("# settings\n{}", token_line())),
        ],
    );
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    dir
}

const SELECT: &[&str] = &[
    "--select",
    "security/vulnerable-crate-version,security/github-token",
];

fn run(dir: &std::path::Path, format: &str) -> (i32, String) {
    let out = guardrail()
        .current_dir(dir)
        .args(["check", "--format", format])
        .args(SELECT)
        .output()
        .expect("ran");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn json_findings_carry_help_detail_and_a_redacted_snippet() {
    let dir = repo();
    let (code, stdout) = run(dir.path(), "json");
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&stdout).expect("json");
    let rows: Vec<(&str, &str, u64, u64, Value, Value)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default(),
                f["path"].as_str().unwrap_or_default(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["detail"].clone(),
                f["snippet"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                "security/vulnerable-crate-version",
                "Cargo.lock",
                9,
                1,
                Value::from(DETAIL),
                serde_json::json!({"line": 9, "text": "name = \"openssl\""})
            ),
            (
                "security/github-token",
                "src/settings.py",
                2,
                10,
                Value::Null,
                serde_json::json!({"line": 2, "text": "token = \"ghp_****\""})
            ),
        ]
    );
    assert_eq!(json["findings"][0]["help"], HELP);
    assert_eq!(json["findings"][0]["message"], MESSAGE);
    assert!(!stdout.contains(&token()), "secret value in the output");
}

#[test]
fn sarif_messages_carry_the_detail_and_stay_schema_valid() {
    let dir = repo();
    let (code, stdout) = run(dir.path(), "sarif");
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&stdout).expect("json");
    let errors = crate::sarif::schema_errors(&doc);
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let messages: Vec<&str> = results
        .iter()
        .map(|r| r["message"]["text"].as_str().unwrap_or_default())
        .collect();
    let with_detail = format!("{MESSAGE}: {DETAIL}");
    assert_eq!(
        messages,
        vec![
            with_detail.as_str(),
            "GitHub personal access or OAuth token committed to the repository"
        ]
    );
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let rule = rules
        .iter()
        .find(|r| r["id"] == "security/vulnerable-crate-version")
        .expect("rule described");
    let markdown = rule["help"]["markdown"].as_str().unwrap_or_default();
    assert!(
        markdown.starts_with(&format!("**How to fix:** {HELP}")),
        "{markdown}"
    );
    assert!(!stdout.contains(&token()), "secret value in the output");
}

#[test]
fn github_annotations_carry_the_detail() {
    let dir = repo();
    let (code, stdout) = run(dir.path(), "github");
    assert_eq!(code, 1);
    let first = stdout.lines().next().unwrap_or_default();
    let expected = format!(
        "::error file=Cargo.lock,line=9,col=1,endLine=9,endColumn=17,title=security/vulnerable-crate-version::{MESSAGE}: {}%0Ahelp: {HELP}",
        DETAIL
    );
    assert_eq!(first, expected);
}
