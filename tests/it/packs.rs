//! The built-in security, privacy and fairness packs on fixture repositories: exact findings,
//! near misses that stay quiet, redaction of every planted secret, and the packs' own hygiene.
//!
//! Secret-bearing files are generated in a tempdir from fragments (see `fake`), so this
//! repository never holds a token in its live format. Other helpers' built-in rules may also fire
//! on these trees; assertions look only at the rules of policies/{security,privacy,fairness}.toml.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{check_json, fake, findings, findings_with_end, fixture_copy, guardrail, write_tree};
use guardrail::policy::{self, MatcherTable, PolicySet};
use serde_json::Value;

type Row = (String, String, u64, u64);

/// Full ids of the rules defined in this helper's three policy files.
fn pack_rule_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for name in ["security", "privacy", "fairness"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("policies/{name}.toml"));
        let text = std::fs::read_to_string(&path).expect("policy file");
        let value: toml::Value = toml::from_str(&text).expect("policy TOML");
        for rule in value["rule"].as_array().expect("rules") {
            ids.insert(format!("{name}/{}", rule["id"].as_str().expect("id")));
        }
    }
    ids
}

/// Findings of this pack's rules only, in report order.
fn ours(json: &Value) -> Vec<Row> {
    let ids = pack_rule_ids();
    findings(json)
        .into_iter()
        .filter(|f| ids.contains(&f.0))
        .collect()
}

fn row(rule: &str, path: &str, line: u64, column: u64) -> Row {
    (rule.to_string(), path.to_string(), line, column)
}

/// One token per provider format, each alone in a notes file as `value: <token>`.
fn provider_tokens() -> Vec<(&'static str, String)> {
    vec![
        ("github-token", fake(&["ghp_", "oHBvRPOIvGrv5iFlbCBFNOgmBjMtpsiaOclR"])),
        (
            "github-fine-grained-token",
            fake(&["github_pat_", "11ABCXYZ0Q8LmVvRt2Wp9K", "_", "Hs6Nb1Jc5Fg0Ty3Ue8Rs7rpEmoKiuPKdYR7osjOrU1xDO0CzUqWv3nT5kLz"]),
        ),
        ("gitlab-personal-access-token", fake(&["glpat-", "NTikarah_gGL2jFAqQhU"])),
        ("aws-access-key-id", fake(&["AKIA", "AK3VRJNVGFYGWWQC"])),
        ("gcp-api-key", fake(&["AIza", "3_L8s0qpNUq0-kzE6LogpOzA70GYu-4GaiQ"])),
        ("slack-bot-token", fake(&["xoxb-", "284917461253-", "4182740581937-", "7Sc4sfHBomzPtKTjAjaFO16H"])),
        ("stripe-secret-key", fake(&["sk_live_", "Rs7rpEmoKiuPKdYR7osjOrU1xxDO0CzU"])),
        ("sendgrid-api-key", fake(&["SG.", "Nt0TeUW0DWq0fiUNwE8cZ6", ".", "sndcDYzqjIjszqDOhWhEN3so3OxYgF3AZu3IqoPmn0p"])),
        (
            "openai-api-key",
            fake(&["sk-proj-", "BOirOl3U6AhWNmZTvUAp_COuneHeKK_IQQ8Vh2bZ", "T3BlbkFJ", "nzv45PfcIrCdcAJHdIEqJej_bQ8f80YMM3t207GM"]),
        ),
        (
            "anthropic-api-key",
            fake(&[
                "sk-ant-api03-",
                "HzrNfYY5R2Xj7fJ4MGBLeV0_9bzHVwAxh6k2_TYlbHHoHG9UHKXIIezPfFK1ohaoehyQm6oJB6MJbhQsIfvkU4mBmNRhO",
                "AA",
            ]),
        ),
        ("huggingface-token", fake(&["hf_", "ZsSjIMaqYrvLnkTZjATSNbylmpUdccrNge"])),
        ("npm-access-token", fake(&["npm_", "vcjtbjAHE84s5JiC1XljJbICTX57y3C5WNrP"])),
        (
            "pypi-token",
            fake(&["pypi-", "AgEIcHlwaS5vcmc", "lrO7JScyuLyBhP6vhwvNd8DpcI7m0ORFEm-OMeRx6v1T1M_0jEvb44euMvtHyjYP6LbCGqfQaIabdqSAjSQgWODQBtepCWhGQ1OI"]),
        ),
        (
            "digitalocean-token",
            fake(&["dop_v1_", "e9d9136682575250def91799e2786d3748421599e3e9c8fe21da80270815fe85"]),
        ),
        ("shopify-token", fake(&["shpat_", "e34f98dff7e4c6428da8099f4efbacea"])),
        (
            "vault-token",
            fake(&["hvs.", "CAESI", "Yexd0Fo8wxT-EQqM4M6BS0TJ8hryKqwo_EIekdL3MM4VmDFpHltv3Sf0XVWKwe-Sd7g6gB7kUJ4sm2g6mZx9Newtll"]),
        ),
        ("telegram-bot-token", fake(&["6048217395", ":AA", "jFGlQ_NBk894rXGg9OIz_JGTTmKfP1cw5"])),
    ]
}

fn jwt() -> String {
    fake(&[
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        ".eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxOTAwMDAwMDAwfQ.",
        "3ipfLj5f7wrD-pX_bthrjjBYKe0_e8_5CLlczfnv8s2",
    ])
}

const PEM_BODY: [&str; 3] = [
    "VKkqLencZSDFf8J61Yx/zfSAN2cW7GfP6R7o425U85hfj+ej4JkeiqoKRTdxTbI1",
    "0q71Ha1xCw9Atmx1c+ci3+DxrzV7QDyDK2R7XGhwpb6prwj1gK8CGscIFDfZCTeQ",
    "8Ob7gvVOUnNDnwyZJfNmPFs2vIrB1+N3u6T3Wi97",
];
const DB_PASSWORD: &str = "vjVWsdRTQOHuMUHvi8ws";
const GENERIC: &str = "LMNveRulwhmSG1MSOXLTAtiI";
const DATADOG: &str = "0c801f97b7684319e1b429ad564b858f";

/// Writes the secret-bearing tree; returns every planted secret value.
fn write_secrets(dir: &Path) -> Vec<String> {
    let mut planted = Vec::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for (i, (rule, token)) in provider_tokens().into_iter().enumerate() {
        files.push((
            format!("notes/{i:02}-{rule}.txt"),
            format!("# credentials\nvalue: {token}\n"),
        ));
        planted.push(token);
    }
    let settings = format!(
        "import os\n\nDATABASE_URL = \"{}{DB_PASSWORD}@db.prod.internal:5432/app\"\nAPI_TOKEN = \"{GENERIC}\"\nDEBUG_TOKEN = os.environ[\"DEBUG_TOKEN\"]\nDD_API_KEY = \"{DATADOG}\"\n",
        fake(&["postgres", "://app:"])
    );
    files.push(("app/settings.py".into(), settings));
    let pem = fake(&["-----BEGIN OPENSSH ", "PRIVATE KEY-----\n"])
        + &PEM_BODY.join("\n")
        + &fake(&["\n-----END OPENSSH ", "PRIVATE KEY-----\n"]);
    files.push(("keys/deploy.pem".into(), pem));
    files.push((
        "web/auth.test.js".into(),
        format!("const token = \"{}\";\n", jwt()),
    ));
    planted.extend([
        DB_PASSWORD.to_string(),
        GENERIC.to_string(),
        DATADOG.to_string(),
        jwt(),
    ]);
    planted.extend(PEM_BODY.iter().map(|s| s.to_string()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    write_tree(dir, &refs);
    planted
}

#[test]
fn provider_secrets_are_found_at_exact_positions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_secrets(tmp.path());
    let run = check_json(tmp.path(), &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut expected: Vec<Row> = provider_tokens()
        .iter()
        .enumerate()
        .map(|(i, (rule, _))| {
            row(
                &format!("security/{rule}"),
                &format!("notes/{i:02}-{rule}.txt"),
                2,
                8,
            )
        })
        .collect();
    expected.extend([
        row("security/database-url-password", "app/settings.py", 3, 17),
        row("security/generic-secret-assignment", "app/settings.py", 4, 5),
        // The provider's own rule, not also the generic one (one finding per problem).
        row("security/datadog-api-key", "app/settings.py", 6, 1),
        row("security/private-key", "keys/deploy.pem", 1, 1),
        row("security/jwt", "web/auth.test.js", 1, 16),
    ]);
    expected.sort();
    let mut got = ours(&run.json);
    got.sort();
    assert_eq!(got, expected);
}

#[test]
fn secret_spans_cover_exactly_the_token() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_secrets(tmp.path());
    let run = check_json(tmp.path(), &["notes"]);
    for (i, (rule, token)) in provider_tokens().iter().enumerate() {
        let path = format!("notes/{i:02}-{rule}.txt");
        let end = 8 + token.chars().count() as u64;
        let hit = findings_with_end(&run.json)
            .into_iter()
            .find(|f| f.1 == path)
            .unwrap_or_else(|| panic!("no finding in {path}"));
        assert_eq!((hit.2, hit.3, hit.4, hit.5), (2, 8, 2, end), "{rule}");
    }
}

#[test]
fn no_planted_secret_appears_in_any_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let planted = write_secrets(tmp.path());
    let json = check_json(tmp.path(), &["."]);
    let human = guardrail()
        .current_dir(tmp.path())
        .args(["check", "--color", "never", "."])
        .output()
        .expect("ran");
    let outputs = [
        json.stdout,
        json.stderr,
        String::from_utf8_lossy(&human.stdout).into_owned(),
        String::from_utf8_lossy(&human.stderr).into_owned(),
    ];
    assert!(
        outputs[2].contains("security/github-token"),
        "human output lists findings"
    );
    for secret in &planted {
        // The whole value, and its tail beyond any prefix a mask may keep.
        let tail: String = secret.chars().skip(8).collect();
        for out in &outputs {
            assert!(!out.contains(secret.as_str()), "secret leaked: {secret}");
            assert!(!out.contains(&tail), "secret tail leaked: {tail}");
        }
    }
}

#[test]
fn placeholders_and_documentation_values_do_not_fire() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let docs = [
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        &fake(&["GITHUB_TOKEN=ghp_", &"x".repeat(36)]),
        &fake(&["STRIPE_SECRET_KEY=sk_live_", "<your-key>"]),
        "SLACK_BOT_TOKEN=${SLACK_BOT_TOKEN}",
        "token = os.environ[\"GITHUB_TOKEN\"]",
        "password = \"changeme\"",
        "api_key = \"YOUR_API_KEY\"",
        "client_secret = \"<client-secret>\"",
        &fake(&[
            "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.",
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        ]),
        &fake(&["DATABASE_URL=postgres", "://postgres:postgres@localhost:5432/dev"]),
        &fake(&["REDIS_URL=redis", "://:${REDIS_PASSWORD}@cache.internal:6379"]),
        "card_number: 4242 4242 4242 4242",
        "ssn: 078-05-1120",
        "iban: GB82 WEST 1234 5698 7654 32",
        &fake(&[
            "-----BEGIN RSA ",
            "PRIVATE KEY-----\n...\n-----END RSA ",
            "PRIVATE KEY-----",
        ]),
    ]
    .join("\n");
    write_tree(
        tmp.path(),
        &[
            ("docs/setup.md", &docs),
            (
                ".env.example",
                "API_KEY=your-api-key-here\nDB_PASSWORD=changeme\n",
            ),
            (".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
            (
                "home/.ssh/id_rsa.pub",
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 dev@laptop\n",
            ),
        ],
    );
    let run = check_json(tmp.path(), &["."]);
    assert_eq!(ours(&run.json), Vec::<Row>::new());
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn committed_key_and_credential_files_are_found_by_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_tree(
        tmp.path(),
        &[
            (".env", "PORT=8080\n"),
            (".env.example", "PORT=8080\n"),
            ("deploy/id_ed25519", ""),
            ("deploy/id_ed25519.pub", ""),
            ("infra/terraform.tfstate", "{}\n"),
            ("certs/server.p12", ""),
            ("certs/ca.pem", "-----BEGIN CERTIFICATE-----\n"),
            ("ci/llvm-snapshot.gpg.key", ""),
            ("ops/.git-credentials", ""),
        ],
    );
    let run = check_json(tmp.path(), &["."]);
    assert_eq!(
        ours(&run.json),
        vec![
            row("security/env-file", ".env", 1, 1),
            row("security/keystore-file", "certs/server.p12", 1, 1),
            row("security/private-key-file", "deploy/id_ed25519", 1, 1),
            row("security/terraform-state-file", "infra/terraform.tfstate", 1, 1),
            row("security/credential-file", "ops/.git-credentials", 1, 1),
        ]
    );
}

#[test]
fn private_keys_cannot_be_suppressed_inline() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let pem = fake(&[
        "# ",
        crate::common::IG,
        " security/private-key -- test key\n-----BEGIN ",
        "PRIVATE KEY-----\n",
    ]) + &PEM_BODY.join("\n")
        + &fake(&["\n-----END ", "PRIVATE KEY-----\n"]);
    write_tree(tmp.path(), &[("tests/key.txt", &pem)]);
    let run = check_json(tmp.path(), &["."]);
    assert_eq!(
        ours(&run.json),
        vec![row("security/private-key", "tests/key.txt", 2, 1)]
    );
}

#[test]
fn real_format_personal_data_is_found_and_documented_values_are_not() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let csv = format!(
        "name,card_number,ssn,iban\nAda,{},{},{}\nBob,4242 4242 4242 4242,078-05-1120,GB82WEST12345698765432\nEve,{},{},{}\n",
        fake(&["4539 1488 ", "0343 6467"]),
        fake(&["536-22", "-1234"]),
        fake(&["NL25RABO", "0318462730"]),
        fake(&["4539 1488 ", "0343 6468"]),
        fake(&["000-22", "-1234"]),
        fake(&["NL26RABO", "0318462730"]),
    );
    write_tree(tmp.path(), &[("data/customers.csv", &csv)]);
    let run = check_json(tmp.path(), &["."]);
    assert_eq!(
        ours(&run.json),
        vec![
            row("privacy/card-number-in-source", "data/customers.csv", 2, 5),
            row("privacy/ssn-in-source", "data/customers.csv", 2, 25),
            row("privacy/iban-in-source", "data/customers.csv", 2, 37),
        ]
    );
}

#[test]
fn insecure_code_in_python_js_go_java() {
    // Python, JS/TS, Go and Java are read structurally (issue 11): findings underline the offending
    // argument (`verify=False`, the f-string, the shell script) rather than the call's start.
    let copy = fixture_copy("packs/code");
    let run = check_json(copy.path(), &["."]);
    assert_eq!(
        ours(&run.json),
        vec![
            row(
                "security/python-tls-verification-disabled",
                "app/client.py",
                11,
                29
            ),
            row(
                "security/python-tls-verification-disabled",
                "app/client.py",
                17,
                5
            ),
            row("security/python-sql-string-formatting", "app/client.py", 23, 17),
            row("security/python-shell-command-built", "app/client.py", 29, 20),
            row(
                "security/java-sql-string-concatenation",
                "src/main/java/com/acme/Repo.java",
                10,
                32
            ),
            row(
                "security/java-trust-all-certificates",
                "src/main/java/com/acme/Repo.java",
                14,
                14
            ),
            row(
                "security/java-shell-command-built",
                "src/main/java/com/acme/Repo.java",
                18,
                42
            ),
            row("security/go-tls-verification-disabled", "svc/main.go", 11, 21),
            row("security/go-sql-string-formatting", "svc/main.go", 15, 9),
            row("security/weak-password-hash", "svc/main.go", 19, 9),
            row("security/go-shell-command-built", "svc/main.go", 23, 34),
            row("security/js-tls-verification-disabled", "web/src/db.ts", 4, 40),
            row("security/js-sql-string-formatting", "web/src/db.ts", 9, 19),
            row("security/js-shell-command-built", "web/src/db.ts", 14, 8),
        ]
    );
}

#[test]
fn personal_data_in_logs_and_test_data() {
    let copy = fixture_copy("packs/privacy");
    let run = check_json(copy.path(), &["."]);
    assert_eq!(
        ours(&run.json),
        vec![
            row("privacy/python-personal-data-in-log", "app/signup.py", 9, 5),
            row("privacy/python-personal-data-in-log", "app/signup.py", 10, 5),
            row(
                "privacy/java-personal-data-in-log",
                "src/main/java/com/acme/Audit.java",
                6,
                9
            ),
            row("privacy/go-personal-data-in-log", "svc/audit.go", 7, 2),
            row(
                "privacy/email-address-in-test-data",
                "tests/fixtures/customers.json",
                3,
                31
            ),
            row(
                "privacy/phone-number-in-test-data",
                "tests/fixtures/customers.json",
                3,
                70
            ),
            row("privacy/js-personal-data-in-log", "web/checkout.js", 4, 3),
            row("privacy/js-personal-data-in-log", "web/checkout.js", 5, 3),
        ]
    );
}

#[test]
fn protected_attributes_model_cards_and_inclusive_language() {
    let copy = fixture_copy("packs/fairness");
    let run = check_json(copy.path(), &["."]);
    assert_eq!(
        ours(&run.json),
        vec![
            row("fairness/list-color-metaphor", "docs/ops.md", 3, 24),
            row("fairness/slavery-metaphor", "docs/ops.md", 5, 19),
            row("fairness/sanity-metaphor", "docs/ops.md", 6, 13),
            row("fairness/grandfather-metaphor", "docs/ops.md", 8, 18),
            row(
                "fairness/protected-attribute-in-feature-list",
                "model/train.py",
                1,
                37
            ),
            row("fairness/model-without-card", "models/credit/risk.onnx", 1, 1),
            row(
                "fairness/protected-attribute-in-condition",
                "scoring/rules.py",
                3,
                8
            ),
            row(
                "fairness/protected-attribute-in-sql-filter",
                "sql/shortlist.sql",
                2,
                27
            ),
            row(
                "fairness/protected-attribute-in-sql-filter",
                "sql/shortlist.sql",
                3,
                26
            ),
            row(
                "fairness/protected-attribute-in-condition",
                "src/Limits.java",
                3,
                30
            ),
            row("fairness/protected-attribute-in-condition", "svc/score.go", 4, 9),
            row(
                "fairness/protected-attribute-in-condition",
                "web/eligibility.ts",
                3,
                10
            ),
        ]
    );
    // Notes and warnings only: the default gate (error) passes.
    assert_eq!(run.code, 0);
}

#[test]
fn inclusive_terms_span_only_the_word() {
    let copy = fixture_copy("packs/fairness");
    let run = check_json(copy.path(), &["docs"]);
    let spans: Vec<(u64, u64, u64)> = findings_with_end(&run.json)
        .into_iter()
        .filter(|f| f.0.starts_with("fairness/"))
        .map(|f| (f.2, f.3, f.5))
        .collect();
    assert_eq!(spans, vec![(3, 24, 33), (5, 19, 24), (6, 13, 25), (8, 18, 31)]);
}

#[test]
fn pack_sources_and_docs_do_not_flag_themselves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = check_json(
        root,
        &[
            "policies/security.toml",
            "policies/privacy.toml",
            "policies/fairness.toml",
            "docs/builtin-packs.md",
            "tests/it/packs.rs",
        ],
    );
    assert_eq!(ours(&run.json), Vec::<Row>::new());
}

#[test]
fn every_secret_rule_is_keyed_redacted_and_providers_number_at_least_forty() {
    let mut set = PolicySet::default();
    policy::load_builtin(&mut set).expect("built-in packs load");
    let ids = pack_rule_ids();
    let generic = ["secret", "private-key", "jwt", "database"];
    let mut providers = BTreeSet::new();
    for rule in set.rules.iter().filter(|r| ids.contains(&r.id)) {
        if !rule.tags.iter().any(|t| t == "secret") {
            continue;
        }
        if let MatcherTable::Regex(t) = &rule.matcher {
            assert!(!t.keywords.is_empty(), "{} has no keywords", rule.id);
            assert!(t.secret.is_some(), "{} has no secret group", rule.id);
        }
        providers.extend(
            rule.tags
                .iter()
                .filter(|t| !t.starts_with("CWE-") && !generic.contains(&t.as_str()))
                .cloned(),
        );
    }
    assert!(
        providers.len() >= 40,
        "{} providers: {providers:?}",
        providers.len()
    );
}

/// Built-in regexes spell "any character" as `(?s:.)`, never as a class of a set and its
/// complement: inside a case-insensitive group, regex-syntax case-folds such a class over the
/// whole of Unicode, which took ~20 ms per pattern (the SQL patterns cost a one-file
/// pre-commit run 60 ms instead of 40).
#[test]
fn builtin_regexes_spell_any_character_without_a_folded_class() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("policies dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("policy file");
        for (n, line) in text.lines().enumerate() {
            for class in [r"[\s\S]", r"[\S\s]", r"[\w\W]", r"[\W\w]", r"[\d\D]", r"[\D\d]"] {
                if line.contains(class) {
                    offenders.push(format!("{}:{}: {class}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn go_queries_joined_from_quoted_identifiers_are_not_built_from_data() {
    // A slice filled in a loop with `append` holds what was appended; `make` starts it empty;
    // `strings.Join` is as dynamic as its parts (the package is no input).
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = "package store\n\nimport (\n\t\"database/sql\"\n\t\"strings\"\n\n\t\"github.com/lib/pq\"\n)\n\n\
               func Copy(db *sql.DB, table string, cols []string) {\n\
               \tquoted := make([]string, 0, len(cols))\n\
               \tfor _, c := range cols {\n\
               \t\tquoted = append(quoted, pq.QuoteIdentifier(c))\n\
               \t}\n\
               \tdb.Exec(\"SELECT \" + strings.Join(quoted, \", \") + \" FROM \" + pq.QuoteIdentifier(table))\n\
               \traw := make([]string, 0)\n\
               \tfor _, c := range cols {\n\
               \t\traw = append(raw, c)\n\
               \t}\n\
               \tdb.Exec(\"SELECT \" + strings.Join(raw, \", \") + \" FROM t\")\n\
               }\n";
    write_tree(tmp.path(), &[("store/copy.go", src)]);
    let run = check_json(tmp.path(), &["."]);
    assert_eq!(
        ours(&run.json),
        vec![row("security/go-sql-string-formatting", "store/copy.go", 20, 10)]
    );
}
