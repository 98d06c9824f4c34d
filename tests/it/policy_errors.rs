//! Every policy validation error exits 2 and points at the offending line of the policy file.

use crate::common::{fixture, guardrail, normalize};

#[test]
fn bad_policies_exit_2_with_a_located_diagnostic() {
    insta::glob!("../fixtures", "bad-policies/*.toml", |path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let out = guardrail()
            .current_dir(fixture("bad-policies"))
            .args(["validate", name])
            .output()
            .expect("ran");
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = normalize(&String::from_utf8_lossy(&out.stderr), None);
        assert!(
            stderr.contains(&format!("[{name}:")),
            "{name}: no location in\n{stderr}"
        );
        insta::assert_snapshot!(stderr);
    });
}

#[test]
fn a_bad_policy_given_to_check_exits_2() {
    let out = guardrail()
        .current_dir(fixture("bad-policies"))
        .args(["check", "--no-config", "--policy", "invalid-regex.toml", "."])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid-regex.toml:9:"));
}

#[test]
fn a_valid_policy_validates() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::common::write_tree(
        dir.path(),
        &[(
            "acme.toml",
            "[pack]\nname = \"acme\"\n[[rule]]\nid = \"internal-host\"\nmessage = \"m\"\nhelp = \"h\"\n\
             [rule.regex]\npattern = 'corp\\.internal'\n[[rule.example]]\nfail = \"a.corp.internal\"\n\
             [[rule.example]]\npass = \"b\"\n",
        )],
    );
    guardrail()
        .current_dir(dir.path())
        .args(["validate", "acme.toml"])
        .assert()
        .code(0)
        .stdout("ok: 1 rules in 1 packs\n");
}
