//! One finding per problem: overlapping secret rules report once, under the most specific
//! rule, and baselines and suppression comments refer to that rule.

use crate::common::{check_json, fake, findings, guardrail, write_tree, IG};

fn aws_line() -> String {
    format!(
        "AWS_SECRET_ACCESS_KEY = \"{}\"\n",
        fake(&["wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYzQ8dkR3mKZ"])
    )
}

fn pem() -> String {
    [
        &fake(&["-----BEGIN RSA ", "PRIVATE KEY-----"]),
        "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw",
        "7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkP",
        &fake(&["-----END RSA ", "PRIVATE KEY-----"]),
        "",
    ]
    .join("\n")
}

fn one(rule: &str, path: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), path.to_string(), line, column)
}

#[test]
fn a_provider_rule_wins_over_the_generic_one_on_the_same_span() {
    let dir = tempfile::tempdir().expect("tmp");
    write_tree(dir.path(), &[("settings.py", &aws_line())]);
    let run = check_json(dir.path(), &["--no-config"]);
    assert_eq!(
        findings(&run.json),
        vec![one("security/aws-secret-access-key", "settings.py", 1, 1)]
    );
}

#[test]
fn a_key_file_is_reported_by_its_content_not_also_by_its_name() {
    let dir = tempfile::tempdir().expect("tmp");
    write_tree(
        dir.path(),
        &[
            ("deploy/id_rsa", &pem()),
            ("certs/server.key", &pem()),
            ("home/id_ed25519", ""),
        ],
    );
    let run = check_json(dir.path(), &["--no-config"]);
    assert_eq!(
        findings(&run.json),
        vec![
            one("security/private-key", "certs/server.key", 1, 1),
            one("security/private-key", "deploy/id_rsa", 1, 1),
            // Nothing to point at inside an empty key file: the path rule still reports it.
            one("security/private-key-file", "home/id_ed25519", 1, 1),
        ]
    );
}

#[test]
fn findings_on_different_lines_are_different_problems() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = format!(
        "DB_PASSWORD = \"{}\"\ntoken = \"{}\"\n",
        fake(&["T1WaJNZp", "4JXw4c2iqZcc"]),
        fake(&["ghp_", "Cie3tQWeytIFNP35", "cegHQvsshFGjEJO96WXQ"])
    );
    write_tree(dir.path(), &[("settings.py", &text)]);
    let run = check_json(dir.path(), &["--no-config"]);
    assert_eq!(
        findings(&run.json),
        vec![
            one("security/generic-secret-assignment", "settings.py", 1, 4),
            one("security/github-token", "settings.py", 2, 10),
        ]
    );
}

#[test]
fn suppressions_and_baselines_refer_to_the_winner() {
    let dir = tempfile::tempdir().expect("tmp");
    let suppressed = format!(
        "# {IG} security/aws-secret-access-key -- rotated, kept for the incident report\n{}",
        aws_line()
    );
    write_tree(dir.path(), &[("a.py", &suppressed), ("b.py", &aws_line())]);
    let run = check_json(dir.path(), &["--no-config"]);
    assert_eq!(
        findings(&run.json),
        vec![one("security/aws-secret-access-key", "b.py", 1, 1)],
        "the comment silences the winner and leaves no unused-suppression note"
    );
    let out = guardrail()
        .current_dir(dir.path())
        .args([
            "check",
            "--no-config",
            "--write-baseline",
            "base.toml",
            "--format",
            "json",
        ])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(0));
    let baseline = std::fs::read_to_string(dir.path().join("base.toml")).expect("baseline");
    let rules: Vec<&str> = baseline.lines().filter(|l| l.contains("rule =")).collect();
    assert_eq!(rules.len(), 1, "{baseline}");
    assert!(
        rules[0].contains("rule = \"security/aws-secret-access-key\", path = \"b.py\""),
        "{baseline}"
    );
}
