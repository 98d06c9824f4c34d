//! The lexical personal-data-in-log and protected-attribute rules cover other languages; a Rust
//! file is reported once, by the structural rules.

use crate::common::{check_json, findings, write_tree};

#[test]
fn rust_files_are_reported_by_the_structural_rules_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[(
            "src/lib.rs",
            "pub struct User { pub email: String, pub gender: String }\n\
             pub fn f(user: &User) -> u32 {\n    log::info!(\"sending to {}\", user.email);\n    \
             if user.gender == \"f\" { 1 } else { 2 }\n}\n",
        )],
    );
    let r = check_json(dir.path(), &["--no-config"]);
    let rules: Vec<String> = findings(&r.json).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules,
        [
            "privacy/personal-data-in-log",
            "fairness/protected-attribute-in-decision"
        ],
        "{}",
        r.stdout
    );
}
