//! `--format sarif`: valid against the official OASIS SARIF 2.1.0 schema (vendored in
//! tests/data), with what GitHub code scanning needs: rule metadata for every rule, stable
//! fingerprints, repository-relative URIs, and suppressed findings kept as `suppressions`.

use crate::common::IG;

use std::collections::HashSet;
use std::path::Path;

use crate::common::{check_json, fake, guardrail, write_tree};
use serde_json::Value;

const SCHEMA: &str = include_str!("../data/sarif-2.1.0.json");

fn token(tail: &str) -> String {
    fake(&["ghp_", "Zq8Rw2Et4Yu6Io8Pa1Sd3Fg5Hj7Kl9Mn", tail])
}

const TEAM_POLICY: &str = r#"
[pack]
name = "team"
category = "privacy"

[[rule]]
id = "customer-export"
severity = "warning"
message = "Customer export written to a shared bucket"
help = "Write exports to the restricted bucket."
description = "Shared buckets are readable by every team."
tags = ["data-retention"]
references = ["https://example.com/policies/exports", "internal wiki: exports"]
[rule.regex]
pattern = 'EXPORT_TO_SHARED'
[[rule.example]]
fail = 'EXPORT_TO_SHARED'
[[rule.example]]
pass = 'EXPORT_TO_RESTRICTED'
"#;

/// A repository with an active secret, an inline-suppressed one, a baselined one, a stale
/// baseline entry, a whole-file finding, a custom rule and a path with a space and non-ASCII.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let suppressed = format!(
        "b = \"{}\" // {IG} github-token -- fixture, revoked\n",
        token("Xc4v")
    );
    write_tree(
        dir.path(),
        &[
            (
                "src/app.rs",
                &format!("// app\nlet a = \"{}\";\n{suppressed}", token("Aa1b")),
            ),
            ("docs/a dir/ünï.txt", &format!("x = {}\n", token("Bb2c"))),
            ("legacy.txt", &format!("old = {}\n", token("Cc3d"))),
            ("home/.ssh/id_rsa", "not really a key\n"),
            ("jobs/export.sh", "run EXPORT_TO_SHARED now\n"),
            ("policies/team.toml", TEAM_POLICY),
        ],
    );
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "legacy.txt", "--write-baseline", "baseline.toml"])
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stale = "  { rule = \"security/github-token\", path = \"src/app.rs\", fingerprint = \"00000000000000000000000000000000\" },\n]\n";
    let text = std::fs::read_to_string(dir.path().join("baseline.toml")).expect("baseline");
    std::fs::write(dir.path().join("baseline.toml"), text.replace("]\n", stale)).expect("write");
    dir
}

const ARGS: &[&str] = &["--policy", "policies/team.toml", "--baseline", "baseline.toml"];

fn sarif(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = guardrail()
        .current_dir(dir)
        .args(["check", "--format", "sarif"])
        .args(args)
        .output()
        .expect("ran");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    (out.status.code().unwrap_or(-1), stdout)
}

/// Schema violations of a SARIF document (empty when valid).
pub fn schema_errors(doc: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let dir = repo();
    let (code, out) = sarif(dir.path(), ARGS);
    assert_eq!(code, 1, "{out}");
    let doc: Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let errors = schema_errors(&doc);
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(
        doc["$schema"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    assert_eq!(doc["runs"][0]["columnKind"], "unicodeCodePoints");
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let dir = repo();
    let (_, out) = sarif(dir.path(), ARGS);
    let mut doc: Value = serde_json::from_str(&out).expect("SARIF is JSON");
    doc["runs"][0]["results"][0]["level"] = "fatal".into();
    doc["runs"][0]["results"][0]["suppressions"] = serde_json::json!([{ "kind": "waved" }]);
    assert!(schema_errors(&doc).len() >= 2, "{:?}", schema_errors(&doc));
}

#[test]
fn every_rule_is_described_for_code_scanning() {
    let dir = repo();
    let (_, out) = sarif(dir.path(), ARGS);
    let doc: Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("id")).collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "duplicate rule ids"
    );
    for meta in guardrail::meta::META_RULES.iter().map(|m| m.id) {
        assert!(ids.contains(&meta), "meta rule {meta} missing");
    }
    assert!(ids.contains(&"security/github-token") && ids.contains(&"team/customer-export"));
    for r in rules {
        for key in [
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "defaultConfiguration",
        ] {
            assert!(!r[key].is_null(), "{} lacks {key}", r["id"]);
        }
        assert!(
            r["help"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{}",
            r["id"]
        );
        assert!(
            r["help"]["markdown"].as_str().is_some_and(|t| !t.is_empty()),
            "{}",
            r["id"]
        );
        let tags: Vec<&str> = r["properties"]["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let category = r["properties"]["category"].as_str().expect("category");
        assert!(
            tags.contains(&category),
            "{}: tags {tags:?} lack {category}",
            r["id"]
        );
    }
    let find = |id: &str| rules.iter().find(|r| r["id"] == id).expect("rule present");
    let stale = find("guardrail/stale-baseline-entry");
    assert!(
        stale["properties"]["security-severity"].is_null(),
        "meta rules are not vulnerabilities"
    );
    assert_eq!(
        find("security/github-token")["properties"]["security-severity"],
        "8.0"
    );
    let team = find("team/customer-export");
    assert_eq!(team["name"], "TeamCustomerExport");
    assert_eq!(team["helpUri"], "https://example.com/policies/exports");
    assert_eq!(team["defaultConfiguration"]["level"], "warning");
    assert_eq!(
        team["fullDescription"]["text"],
        "Shared buckets are readable by every team."
    );
    let tags = &team["properties"]["tags"];
    assert_eq!(tags, &serde_json::json!(["data-retention", "privacy"]));
    let help = team["help"]["markdown"].as_str().expect("markdown");
    assert!(
        help.contains("<https://example.com/policies/exports>") && help.contains("**Why:**"),
        "{help}"
    );
}

#[test]
fn results_match_the_json_findings_with_locations_and_fingerprints() {
    let dir = repo();
    let (sarif_code, out) = sarif(dir.path(), ARGS);
    let json = check_json(dir.path(), ARGS);
    assert_eq!(sarif_code, json.code);
    let doc: Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let active: Vec<(String, String, u64, u64, String)> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["suppressions"].is_null())
        .map(|r| {
            let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], r["ruleId"], "ruleIndex points at the rule");
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            (
                r["ruleId"].as_str().expect("id").to_string(),
                loc["artifactLocation"]["uri"].as_str().expect("uri").to_string(),
                loc["region"]["startLine"].as_u64().expect("line"),
                loc["region"]["startColumn"].as_u64().unwrap_or(1),
                r["partialFingerprints"]["guardrailFingerprint/v1"]
                    .as_str()
                    .expect("fp")
                    .to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String, u64, u64, String)> = json.json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let path = f["path"]
                .as_str()
                .expect("path")
                .replace(' ', "%20")
                .replace("ünï", "%C3%BCn%C3%AF");
            let fp = f["fingerprint"].as_str().expect("fp").to_string();
            (
                f["rule"].as_str().expect("rule").to_string(),
                path,
                f["line"].as_u64().expect("l"),
                f["column"].as_u64().expect("c"),
                fp,
            )
        })
        .collect();
    assert_eq!(active, expected);
    let uris: Vec<&str> = active.iter().map(|a| a.1.as_str()).collect();
    assert!(uris.contains(&"docs/a%20dir/%C3%BCn%C3%AF.txt"), "{uris:?}");
    assert!(
        uris.contains(&"baseline.toml"),
        "the stale entry is reported: {uris:?}"
    );
}

#[test]
fn whole_file_findings_have_a_line_only_region() {
    let dir = repo();
    let (_, out) = sarif(dir.path(), ARGS);
    let doc: Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let key = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "security/private-key-file")
        .expect("private key finding");
    assert_eq!(
        key["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({ "startLine": 1 })
    );
}

#[test]
fn suppressed_findings_are_carried_with_their_suppression() {
    let dir = repo();
    let (_, out) = sarif(dir.path(), ARGS);
    let doc: Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let suppressions: Vec<(String, &Value)> = results
        .iter()
        .filter(|r| !r["suppressions"].is_null())
        .map(|r| {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri");
            (uri.to_string(), &r["suppressions"])
        })
        .collect();
    assert_eq!(
        suppressions,
        vec![
            (
                "legacy.txt".to_string(),
                &serde_json::json!([{ "kind": "external", "status": "accepted", "justification": "listed in the guardrail baseline" }])
            ),
            (
                "src/app.rs".to_string(),
                &serde_json::json!([{ "kind": "inSource", "status": "accepted", "justification": "fixture, revoked" }])
            ),
        ]
    );
    let summary = &doc["runs"][0]["properties"]["summary"];
    assert_eq!(
        (
            summary["suppressedInline"].as_u64(),
            summary["suppressedBaseline"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(summary["staleBaseline"], 1);
}

#[test]
fn sarif_never_contains_a_secret_and_is_deterministic() {
    let dir = repo();
    let (_, first) = sarif(dir.path(), ARGS);
    let (_, second) = sarif(dir.path(), ARGS);
    assert_eq!(first, second, "same input, same bytes");
    for tail in ["Aa1b", "Bb2c", "Cc3d", "Xc4v"] {
        assert!(!first.contains(&token(tail)), "secret leaked");
    }
}

#[test]
fn uris_are_relative_to_the_repository_root_from_a_subdirectory() {
    let dir = repo();
    let (_, out) = sarif(&dir.path().join("src"), &[".."]);
    let doc: Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let uris: HashSet<&str> = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect();
    assert!(
        uris.contains("src/app.rs") && uris.contains("legacy.txt"),
        "{uris:?}"
    );
}
