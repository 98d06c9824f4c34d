//! No secret leaks: every built-in rule with a secret group gets its own `fail` examples planted
//! in a repository; the scan must find each one, and no secret value may appear in any output
//! format, in the baseline file, or on stderr.

use std::path::Path;

use guardrail::policy::{self, MatcherTable, PolicySet};
use regex::bytes::RegexBuilder;

/// One planted example: its root directory name, rule id, and the secret values it contains.
struct Planted {
    root: String,
    rule: String,
    secrets: Vec<String>,
}

fn plant(dir: &Path) -> Vec<Planted> {
    let mut set = PolicySet::default();
    policy::load_builtin(&mut set).expect("built-in packs");
    let mut planted = Vec::new();
    for rule in set.rules.iter().filter(|r| r.enabled) {
        let MatcherTable::Regex(table) = &rule.matcher else {
            continue;
        };
        let Some(group) = table.secret.as_ref().map(|g| *g.get_ref()) else {
            continue;
        };
        let regex = RegexBuilder::new(table.pattern.get_ref())
            .unicode(table.unicode)
            .build()
            .expect("built-in pattern compiles");
        for (n, example) in rule.examples.iter().enumerate() {
            if example.expect != policy::Expect::Fail {
                continue;
            }
            let secrets: Vec<String> = regex
                .captures_iter(example.text.as_bytes())
                .filter_map(|c| c.get(group))
                .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
                .filter(|s| s.len() >= 8)
                .collect();
            if secrets.is_empty() {
                continue;
            }
            let root = format!("r{}-{n}", planted.len());
            crate::common::write_tree(
                &dir.join(&root),
                &[(example.path.as_str(), example.text.as_str())],
            );
            planted.push(Planted {
                root,
                rule: rule.id.clone(),
                secrets,
            });
        }
    }
    planted
}

fn run(dir: &Path, roots: &[String], args: &[&str]) -> (String, String) {
    let out = crate::common::guardrail()
        .current_dir(dir)
        .args(["check", "--no-config", "--fail-on", "never"])
        .args(args)
        .args(roots)
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Formats this build knows, read from `check --help` so new formats are covered automatically.
fn formats() -> Vec<String> {
    let out = crate::common::guardrail()
        .args(["check", "--help"])
        .output()
        .expect("ran");
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = help
        .lines()
        .find(|l| l.contains("[possible values:") && l.contains("json"))
        .unwrap_or("[possible values: human, json]");
    let inner = line
        .split("[possible values:")
        .nth(1)
        .unwrap_or("")
        .trim_end_matches(']');
    inner
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn every_secret_rule_fires_and_no_secret_appears_in_any_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let planted = plant(dir.path());
    assert!(
        planted.len() >= 40,
        "only {} secret examples planted",
        planted.len()
    );
    let roots: Vec<String> = planted.iter().map(|p| p.root.clone()).collect();
    let (json, _) = run(dir.path(), &roots, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let found = crate::common::findings(&report);
    for p in &planted {
        assert!(
            found
                .iter()
                .any(|f| f.0 == p.rule && f.1.starts_with(&format!("{}/", p.root))),
            "{} did not fire on its own fail example",
            p.rule
        );
    }
    let mut outputs = vec![("json".to_string(), json)];
    for format in formats().into_iter().filter(|f| f != "json") {
        let (stdout, stderr) = run(dir.path(), &roots, &["--format", &format]);
        outputs.push((format.clone(), stdout));
        outputs.push((format!("{format} stderr"), stderr));
    }
    let baseline = dir.path().join("baseline.file");
    let help = crate::common::guardrail()
        .args(["check", "--help"])
        .output()
        .expect("ran");
    if String::from_utf8_lossy(&help.stdout).contains("--write-baseline") {
        let arg = baseline.display().to_string();
        run(dir.path(), &roots, &["--write-baseline", &arg]);
        outputs.push((
            "baseline".into(),
            std::fs::read_to_string(&baseline).expect("baseline written"),
        ));
    }
    for (name, text) in &outputs {
        for p in &planted {
            for secret in &p.secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{name} output leaks the secret of {}",
                    p.rule
                );
            }
        }
    }
}
