//! Issue 12 point 4, the measured noise patterns of real code: each fixed at its cause, each
//! with the true case (exact rule, path, line, column) and the near miss that must stay quiet.

use crate::common::check_text;

/// (rule, line, column) of every finding of `rule` for `text` scanned as `path` under `pack`.
fn found(pack: &str, rule: &str, path: &str, text: &str) -> Vec<(String, usize, usize)> {
    check_text(pack, path, text)
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| (f.rule, f.location.line, f.location.column))
        .collect()
}

fn at(rule: &str, line: usize, column: usize) -> (String, usize, usize) {
    (rule.to_string(), line, column)
}

const PRIVACY: &str = include_str!("../../policies/privacy.toml");

#[test]
fn email_rule_skips_protocol_and_scm_identifiers() {
    let rule = "privacy/email-address-in-test-data";
    let text = "\
key: sk-ssh-ed25519@openssh.com AAAAGnNr
kex: curve25519-sha256@libssh.org
remote: git@github.com:org/repo.git
url: ssh://deploy@build.acme-corp.io/srv/repo
bot: noreply@github.com
dep: \"@types/node@18.0.0\"
owner: ada.lovelace@gmail.com
";
    assert_eq!(
        found(PRIVACY, rule, "tests/fixtures/remotes.yml", text),
        vec![at(rule, 7, 8)]
    );
}

const SECURITY_RUST: &str = include_str!("../../policies/security-rust.toml");

#[test]
fn unsafe_fn_of_a_trait_impl_is_the_traits_contract() {
    let rule = "security/unsafe-without-safety-comment";
    let text = "\
/// # Safety
/// `p` must be valid.
pub unsafe trait Raw { unsafe fn raw(&self, p: *const u8) -> u8; }
// SAFETY: Handle owns its pointer.
unsafe impl Raw for Handle {
    unsafe fn raw(&self, p: *const u8) -> u8 { /* SAFETY: the trait's contract */ unsafe { *p } }
}
impl<T> Iterator for Wrap<T> where T: for<'a> Fn(&'a u8) {
    unsafe fn step(&mut self) {}
}
impl Handle {
    pub unsafe fn inherent(&self) {}
}
";
    assert_eq!(
        found(SECURITY_RUST, rule, "src/lib.rs", text),
        vec![at(rule, 12, 9)]
    );
}

#[test]
fn safety_comment_above_the_enclosing_statement_counts() {
    let rule = "security/unsafe-without-safety-comment";
    let text = "\
fn f(p: *const u8) -> u8 {
    // SAFETY: p is valid for reads.
    let x = foo(
        1,
        unsafe { *p },
    );
    // Safety: the slice is non-empty.
    let y =
        unsafe { *p };
    let z = bar(
        unsafe { *p },
    );
    match x {
        // SAFETY: checked above.
        0 => 1,
        _ => unsafe { *p },
    }
}
";
    assert_eq!(
        found(SECURITY_RUST, rule, "src/lib.rs", text),
        vec![at(rule, 11, 9), at(rule, 16, 14)]
    );
}

#[test]
fn yaml_tab_after_a_key_colon_parses() {
    // `key:<TAB>value` is valid YAML 1.2 (tabs separate within a line); it was `unparsed`.
    let policy = r#"
[pack]
name = "t"
category = "security"
description = "t"
[[rule]]
id = "latest-image"
severity = "warning"
message = "m"
help = "h"
paths = ["**/*.yml"]
[rule.document]
query = "jobs.*.docker.*.image"
pattern = ':latest$'
[[rule.example]]
path = "a.yml"
fail = "jobs:\n  b:\n    docker:\n      - image: x:latest\n"
[[rule.example]]
path = "a.yml"
pass = "jobs: {}\n"
"#;
    let text = "version:\t2.1\njobs:\n  build:\n    docker:\n      - image:\tcimg/base:latest\n";
    let got: Vec<_> = check_text(policy, ".circleci/config.yml", text)
        .into_iter()
        .map(|f| (f.rule, f.location.line, f.location.column))
        .collect();
    assert_eq!(got, vec![at("t/latest-image", 5, 25)]);
    // A real syntax error is still one.
    let bad = check_text(policy, ".circleci/config.yml", "jobs:\n\t- a\n");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].rule, "guardrail/unparsed-file");
}

#[test]
fn weak_hash_skips_protocols_that_fix_the_digest() {
    let rule = "security/weak-hash";
    let ws = "\
use sha1::{Digest, Sha1};
fn accept(key: &str) -> Vec<u8> {
    const GUID: &str = \"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\";
    Sha1::new().chain_update(key).chain_update(GUID).finalize().to_vec()
}
";
    assert_eq!(found(SECURITY_RUST, rule, "src/ws.rs", ws), vec![]);
    let etag = "fn etag(body: &[u8]) -> String { format!(\"{:x}\", md5::compute(body)) }\n";
    assert_eq!(found(SECURITY_RUST, rule, "src/http.rs", etag), vec![]);
    // The same file, with a second function that hashes a password: that one is still found.
    let mixed = "\
fn etag(body: &[u8]) -> String { format!(\"{:x}\", md5::compute(body)) }
fn store(password: &str) -> String { format!(\"{:x}\", md5::compute(password)) }
";
    assert_eq!(
        found(SECURITY_RUST, rule, "src/http.rs", mixed),
        vec![at(rule, 2, 54)]
    );
}

#[test]
fn cargo_requirement_that_allows_a_vulnerable_version_defers_to_the_lockfile() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::common::write_tree(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"d\"\nrepository = \"https://example.com/r\"\n\n[dependencies]\nopenssl = \"0.10\"\ntime = \"0.1\"\n",
            ),
            (
                "Cargo.lock",
                "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"openssl\",\n \"time\",\n]\n\n[[package]]\nname = \"openssl\"\nversion = \"0.10.72\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"time\"\nversion = \"0.1.45\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
            ),
        ],
    );
    let run = crate::common::check_json(dir.path(), &[]);
    let got = crate::common::findings_of(&run.json, "security/vulnerable-crate-version");
    // openssl 0.10 admits vulnerable versions but 0.10.72 is locked: nothing. time 0.1.45 is
    // locked: one finding, at the lockfile's entry, none at the requirement.
    assert_eq!(
        got,
        vec![(
            "security/vulnerable-crate-version".to_string(),
            "Cargo.lock".to_string(),
            17,
            1
        )]
    );
}

const FAIRNESS: &str = include_str!("../../policies/fairness.toml");

#[test]
fn sql_and_protected_attribute_rules_skip_prose() {
    let rule = "fairness/protected-attribute-in-sql-filter";
    let py = "\
def adults(db):
    \"\"\"Return users where age >= 18, oldest first.\"\"\"
    # keeps rows where gender = the requested one
    return db.execute(\"SELECT id FROM users WHERE age >= 18\")
";
    assert_eq!(found(FAIRNESS, rule, "src/users.py", py), vec![at(rule, 4, 45)]);
    let js = "/**\n * Finds users where age > 18.\n */\nconst q = 'SELECT * FROM u WHERE age > 18';\n";
    assert_eq!(found(FAIRNESS, rule, "src/users.js", js), vec![at(rule, 4, 28)]);
    let cond = "fairness/protected-attribute-in-condition";
    let py = "# if user.gender == 'f': was removed\nif user.gender == \"f\":\n    pass\n";
    assert_eq!(found(FAIRNESS, cond, "src/a.py", py), vec![at(cond, 2, 4)]);
}
