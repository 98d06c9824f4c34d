//! docs/rules.md is generated from the built-in packs and must not drift from them.

#[test]
fn rules_doc_matches_the_built_in_packs() {
    let out = crate::common::guardrail()
        .args(["rules", "list", "--format", "markdown", "--no-config"])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8_lossy(&out.stdout);
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md"))
        .expect("docs/rules.md");
    assert!(
        doc.ends_with(table.as_ref()),
        "docs/rules.md is stale: regenerate it with `guardrail rules list --format markdown --no-config`"
    );
}
