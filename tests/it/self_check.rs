//! guardrail checks itself: the repository is clean under its own guardrail.toml.

#[test]
fn this_repository_is_clean() {
    let out = crate::common::guardrail()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--color", "never", "."])
        .output()
        .expect("ran");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 errors, 0 warnings, 0 notes"), "{stdout}");
}
