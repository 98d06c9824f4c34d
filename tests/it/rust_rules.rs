//! The `rust` matcher table and its built-in rules, end to end: exact spans for every form on
//! a fixture crate (near misses included), unparsable files, policy errors, and the rendered
//! underline of one finding per form.

use std::path::Path;

use crate::common::{
    check_json, fake, findings_with_end, fixture_copy, guardrail, normalize, write_tree, IG,
};

/// Ids of the rules this suite is about; other packs' findings are left out of the assertions.
const RUST_RULES: &[&str] = &[
    "security/tls-verification-disabled",
    "security/weak-hash",
    "security/password-hashed-with-weak-digest",
    "security/sql-built-with-format",
    "security/shell-command",
    "security/command-built-with-format",
    "security/unsafe-without-safety-comment",
    "privacy/personal-data-in-log",
    "privacy/unredacted-personal-data-field",
    "fairness/protected-attribute-in-decision",
    "guardrail/unparsed-file",
];

type Row = (String, String, u64, u64, u64, u64);

fn rust_findings(dir: &Path, extra: &[&str]) -> (Vec<Row>, serde_json::Value) {
    let mut args = vec!["--no-config"];
    args.extend_from_slice(extra);
    let run = check_json(dir, &args);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    let rows = findings_with_end(&run.json)
        .into_iter()
        .filter(|f| RUST_RULES.contains(&f.0.as_str()))
        .collect();
    (rows, run.json)
}

fn row(rule: &str, path: &str, l: u64, c: u64, el: u64, ec: u64) -> Row {
    (rule.to_string(), path.to_string(), l, c, el, ec)
}

fn rows_of(all: &[Row], path: &str) -> Vec<Row> {
    all.iter().filter(|r| r.1 == path).cloned().collect()
}

const TLS: &str = "security/tls-verification-disabled";
const WEAK: &str = "security/weak-hash";
const WEAK_PW: &str = "security/password-hashed-with-weak-digest";
const SQL: &str = "security/sql-built-with-format";
const SHELL: &str = "security/shell-command";
const CMD_FMT: &str = "security/command-built-with-format";
const UNSAFE: &str = "security/unsafe-without-safety-comment";
const PII_LOG: &str = "privacy/personal-data-in-log";
const PII_FIELD: &str = "privacy/unredacted-personal-data-field";
const DECISION: &str = "fairness/protected-attribute-in-decision";

fn crate_findings() -> Vec<Row> {
    let copy = fixture_copy("rust/crate");
    rust_findings(copy.path(), &[]).0
}

#[test]
fn calls_with_literal_arguments_and_accept_all_verifiers() {
    // Near misses in the same file: a comment, a string literal, `false`, a pinning verifier.
    let p = "src/tls.rs";
    assert_eq!(
        rows_of(&crate_findings(), p),
        vec![
            row(TLS, p, 4, 10, 4, 43),
            row(TLS, p, 10, 13, 10, 50),
            row(TLS, p, 15, 12, 15, 67),
            row(TLS, p, 20, 18, 20, 37),
        ]
    );
}

#[test]
fn paths_in_use_items_and_expressions_and_call_arguments_that_mention_a_name() {
    // Near misses: sha2, a variable named md5, `md5::compute(password)` in a string.
    let p = "src/hash.rs";
    assert_eq!(
        rows_of(&crate_findings(), p),
        vec![
            row(WEAK, p, 1, 5, 1, 25),
            row(WEAK, p, 4, 21, 4, 33),
            row(WEAK, p, 8, 21, 8, 33),
            row(WEAK_PW, p, 8, 34, 8, 42),
            row(WEAK, p, 12, 22, 12, 31),
            row(WEAK_PW, p, 13, 19, 13, 32),
        ]
    );
}

#[test]
fn format_built_arguments_directly_through_conversions_and_locals() {
    // Near misses: bind parameters, a non-SQL format!, a URL query string.
    let p = "src/sql.rs";
    assert_eq!(
        rows_of(&crate_findings(), p),
        vec![
            row(SQL, p, 2, 20, 2, 73),
            row(SQL, p, 8, 23, 8, 69),
            row(SQL, p, 13, 18, 13, 22),
            row(SQL, p, 17, 18, 17, 81),
        ]
    );
}

#[test]
fn receiver_chains_and_shell_commands() {
    // Near misses: `git -c`, `sh build.sh`, a formatted argument to a program that is no shell.
    let p = "src/shell.rs";
    assert_eq!(
        rows_of(&crate_findings(), p),
        vec![
            row(SHELL, p, 4, 24, 4, 33),
            row(SHELL, p, 9, 9, 9, 57),
            row(CMD_FMT, p, 9, 21, 9, 55),
            row(CMD_FMT, p, 13, 18, 13, 46),
        ]
    );
}

#[test]
fn unsafe_without_safety_comment_by_token_scan() {
    // Near misses: SAFETY comments, a `# Safety` doc section, the word in comments and strings,
    // an `unsafe extern "C" fn` type.
    let p = "src/unsafe_code.rs";
    assert_eq!(
        rows_of(&crate_findings(), p),
        vec![
            row(UNSAFE, p, 2, 5, 2, 13),
            row(UNSAFE, p, 5, 5, 5, 23),
            row(UNSAFE, p, 9, 1, 9, 12),
        ]
    );
}

#[test]
fn macros_whose_arguments_mention_personal_data() {
    // Near misses: `info!("email sent")`, `email_sent_at`, `redact(..)`, `.len()`, a comment.
    let p = "src/logging.rs";
    assert_eq!(
        rows_of(&crate_findings(), p),
        vec![
            row(PII_LOG, p, 5, 29, 5, 39),
            row(PII_LOG, p, 6, 25, 6, 30),
            row(PII_LOG, p, 7, 10, 7, 13),
            row(PII_LOG, p, 8, 24, 8, 41),
            row(PII_LOG, p, 9, 12, 9, 17),
            row(PII_LOG, p, 10, 13, 10, 31),
            row(PII_LOG, p, 11, 49, 11, 65),
        ]
    );
    assert!(
        rows_of(&crate_findings(), "src/other_logger.rs").is_empty(),
        "defmt::info is not a log macro"
    );
}

#[test]
fn fields_under_debug_or_serialize_derives() {
    // Near misses: `Secret<String>`, `Option<Redacted<..>>`, `#[serde(skip)]`, `email_sent_at`,
    // a Deserialize-only config.
    let p = "src/model.rs";
    assert_eq!(
        rows_of(&crate_findings(), p),
        vec![
            row(PII_FIELD, p, 4, 9, 4, 22),
            row(PII_FIELD, p, 12, 9, 12, 25),
            row(PII_FIELD, p, 17, 23, 17, 43),
            row(PII_FIELD, p, 22, 9, 22, 30),
        ]
    );
}

#[test]
fn names_in_conditions_comparisons_and_arithmetic() {
    // Near misses: `gender` stored in a struct and printed, `page`, `max_age`, a comment.
    let p = "src/decision.rs";
    assert_eq!(
        rows_of(&crate_findings(), p),
        vec![
            row(DECISION, p, 2, 8, 2, 16),
            row(DECISION, p, 5, 11, 5, 21),
            row(DECISION, p, 14, 10, 14, 15),
            row(DECISION, p, 20, 23, 20, 35),
            row(DECISION, p, 21, 14, 21, 30),
        ]
    );
}

#[test]
fn fixture_crate_has_no_other_rust_findings() {
    let all = crate_findings();
    let files = [
        "src/tls.rs",
        "src/hash.rs",
        "src/sql.rs",
        "src/shell.rs",
        "src/unsafe_code.rs",
        "src/logging.rs",
        "src/model.rs",
        "src/decision.rs",
    ];
    let stray: Vec<&Row> = all.iter().filter(|r| !files.contains(&r.1.as_str())).collect();
    assert!(stray.is_empty(), "{stray:?}");
    assert_eq!(all.len(), 37);
}

#[test]
fn unparsable_file_keeps_text_rules_and_is_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = fake(&["ghp_", "Zx9Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4"]);
    let broken = format!(
        "pub fn broken( {{\n    let token = \"{token}\";\n    println!(\"{{}}\", user.email);\n    unsafe {{ launch() }}\n"
    );
    write_tree(
        dir.path(),
        &[
            ("src/broken.rs", broken.as_str()),
            ("src/ok.rs", "pub fn f(email: &str) { println!(\"{email}\"); }\n"),
        ],
    );
    let run = check_json(dir.path(), &["--no-config"]);
    let got: Vec<(String, String, u64)> = findings_with_end(&run.json)
        .into_iter()
        .map(|f| (f.0, f.1, f.2))
        .collect();
    let expected = vec![
        (
            "guardrail/unparsed-file".to_string(),
            "src/broken.rs".to_string(),
            1,
        ),
        (
            "security/github-token".to_string(),
            "src/broken.rs".to_string(),
            2,
        ),
        (UNSAFE.to_string(), "src/broken.rs".to_string(), 4),
        (PII_LOG.to_string(), "src/ok.rs".to_string(), 1),
    ];
    let mut sorted = got.clone();
    sorted.sort_by(|a, b| (&a.1, a.2, &a.0).cmp(&(&b.1, b.2, &b.0)));
    let mut want = expected.clone();
    want.sort_by(|a, b| (&a.1, a.2, &a.0).cmp(&(&b.1, b.2, &b.0)));
    assert_eq!(sorted, want, "{}", run.stdout);
    assert_eq!(run.json["summary"]["unparsed"], 1);
    assert!(!run.stdout.contains(&token), "secret leaked");
}

#[test]
fn rust_policy_errors_point_at_the_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = r#"[pack]
name = "acme"

[[rule]]
id = "bad-regex"
message = "m"
[rule.rust]
keywords = ["x"]
[[rule.rust.condition]]
name = '(unclosed'
[[rule.example]]
fail = "fn f() {}"
[[rule.example]]
pass = "fn f() {}"
"#;
    write_tree(dir.path(), &[("bad.toml", policy)]);
    let out = guardrail()
        .current_dir(dir.path())
        .args(["validate", "bad.toml"])
        .output()
        .expect("ran");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("invalid regex") && stderr.contains("bad.toml:10"),
        "{stderr}"
    );
}

/// Trigger words are searched for together in one DFA; a list too large for one is an error
/// at the list, not a rule that silently runs without its trigger.
#[test]
fn too_many_trigger_words_are_an_error_at_the_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 16,000 distinct 24-letter words: ~380,000 trie states by 27 classes, past the DFA's
    // bound of 8 Mi table entries.
    let words: Vec<String> = (0..16_000u64)
        .map(|n| {
            let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            (0..24)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    char::from(b'a' + (x % 26) as u8)
                })
                .collect::<String>()
        })
        .map(|w| format!("{w:?}"))
        .collect();
    let policy = format!(
        "[pack]\nname = \"acme\"\n\n[[rule]]\nid = \"huge\"\nmessage = \"m\"\n[rule.rust]\nkeywords = [{}]\n[[rule.rust.condition]]\nname = 'age'\n[[rule.example]]\nfail = \"fn f() {{ if age > 1 {{}} }}\"\n[[rule.example]]\npass = \"fn f() {{}}\"\n",
        words.join(", ")
    );
    write_tree(dir.path(), &[("huge.toml", &policy)]);
    let out = guardrail()
        .current_dir(dir.path())
        .args(["validate", "huge.toml"])
        .output()
        .expect("ran");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("too many to search for together") && stderr.contains("huge.toml:8"),
        "{stderr}"
    );
}

#[test]
fn name_regex_forms_need_keywords() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = r#"[pack]
name = "acme"

[[rule]]
id = "no-keywords"
message = "m"
[rule.rust]
[[rule.rust.field]]
name = 'email'
derives = ["Debug"]
[[rule.example]]
fail = "fn f() {}"
[[rule.example]]
pass = "fn f() {}"
"#;
    write_tree(dir.path(), &[("bad.toml", policy)]);
    let out = guardrail()
        .current_dir(dir.path())
        .args(["validate", "bad.toml"])
        .output()
        .expect("ran");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("needs `keywords`") && stderr.contains("bad.toml:8"),
        "{stderr}"
    );
}

/// Human output for a one-file tree, normalised for a snapshot.
fn human(file: &str, text: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[(file, text)]);
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "--no-config", "--color", "never"])
        .output()
        .expect("ran");
    normalize(&String::from_utf8_lossy(&out.stdout), Some(dir.path()))
}

#[test]
fn snapshot_call_with_literal() {
    insta::assert_snapshot!("security__tls-verification-disabled__call_literal", human(
        "src/client.rs",
        "pub fn client() -> reqwest::Client {\n    reqwest::Client::builder()\n        .danger_accept_invalid_certs(true)\n        .build()\n        .unwrap()\n}\n"
    ));
}

#[test]
fn snapshot_call_with_format_argument() {
    insta::assert_snapshot!("security__sql-built-with-format__call_format_argument", human(
        "src/db.rs",
        "pub fn drop_user(conn: &Connection, id: &str) {\n    conn.execute(&format!(\"DELETE FROM users WHERE id = {id}\"), []).unwrap();\n}\n"
    ));
}

#[test]
fn snapshot_macro_mention() {
    insta::assert_snapshot!("privacy__personal-data-in-log__macro_named_field", human(
        "src/signup.rs",
        "use tracing::info;\npub fn signup(user: &User) {\n    info!(email = %user.email, \"new account\");\n}\n"
    ));
}

#[test]
fn snapshot_unsafe_block() {
    insta::assert_snapshot!(
        "security__unsafe-without-safety-comment__block",
        human(
            "src/raw.rs",
            "pub fn first(v: &[u8]) -> u8 {\n    unsafe { *v.get_unchecked(0) }\n}\n"
        )
    );
}

#[test]
fn snapshot_struct_field() {
    insta::assert_snapshot!(
        "privacy__unredacted-personal-data-field__debug_field",
        human(
            "src/user.rs",
            "#[derive(Debug)]\npub struct User {\n    pub id: u64,\n    pub email: String,\n}\n"
        )
    );
}

#[test]
fn snapshot_condition() {
    insta::assert_snapshot!(
        "fairness__protected-attribute-in-decision__comparison",
        human(
            "src/loan.rs",
            "pub fn approve(a: &Applicant) -> bool {\n    a.income > 1000 && a.age < 60\n}\n"
        )
    );
}

#[test]
fn snapshot_path_use() {
    insta::assert_snapshot!(
        "security__weak-hash__path_in_macro",
        human(
            "src/etag.rs",
            "pub fn checksum(body: &[u8]) -> String {\n    format!(\"{:x}\", md5::compute(body))\n}\n"
        )
    );
}

#[test]
fn file_that_lexes_but_does_not_parse_is_counted_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[(
            "src/lib.rs",
            "pub fn f(email: &str) {\n    let = ;\n    println!(\"{email}\");\n    unsafe { g() }\n}\n",
        )],
    );
    let (rows, json) = rust_findings(dir.path(), &[]);
    assert_eq!(
        rows,
        vec![
            row("guardrail/unparsed-file", "src/lib.rs", 2, 9, 2, 10),
            row(UNSAFE, "src/lib.rs", 4, 5, 4, 13),
        ]
    );
    assert_eq!(json["summary"]["unparsed"], 1);
}

#[test]
fn rust_findings_are_suppressed_inline_like_any_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[(
            "src/etag.rs",
            &format!("pub fn checksum(b: &[u8]) -> String {{\n    // {IG} security/weak-hash -- a cache key, not security\n    format!(\"{{:x}}\", md5::compute(b))\n}}\n"),
        )],
    );
    let (rows, json) = rust_findings(dir.path(), &[]);
    assert!(rows.is_empty(), "{rows:?}");
    assert_eq!(json["summary"]["suppressed"]["inline"], 1);
}
