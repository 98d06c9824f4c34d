//! `guardrail history`: secrets ever committed, attributed to the commit that added them, on
//! repositories built in temporary directories.

use serde_json::Value;

use crate::common::guardrail;
use crate::gitrepo::{token, token_line, Repo};

const GITHUB_TOKEN: &str = "security/github-token";

fn history(repo: &Repo, args: &[&str]) -> (i32, Value, String) {
    let out = guardrail()
        .current_dir(repo.path())
        .args(["history", "--format", "json"])
        .args(args)
        .output()
        .expect("ran");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn head(repo: &Repo) -> String {
    repo.git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// `(rule, path, line, column, commit id, occurrences)` of every finding.
fn found(json: &Value) -> Vec<(String, String, u64, u64, String, usize)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["commit"]["id"].as_str().unwrap_or_default().to_string(),
                f["occurrences"].as_array().map_or(0, Vec::len),
            )
        })
        .collect()
}

#[test]
fn a_secret_added_then_removed_is_found_at_the_commit_that_added_it() {
    let repo = Repo::new();
    repo.stage(&[("app.py", "x = 1\n")]);
    repo.commit("init");
    repo.stage(&[("app.py", &format!("x = 1\n{}", token_line()))]);
    repo.commit("add settings\n\nlonger body");
    let added = head(&repo);
    repo.stage(&[("app.py", "x = 1\n")]);
    repo.commit("remove the token");
    let (code, json, _) = history(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&json),
        vec![(GITHUB_TOKEN.into(), "app.py".into(), 2, 10, added.clone(), 1)]
    );
    let commit = &json["findings"][0]["commit"];
    assert_eq!(commit["author"], "Test");
    assert_eq!(commit["email"], "test@example.invalid");
    assert_eq!(commit["summary"], "add settings");
    assert!(commit["date"].as_str().is_some_and(|d| d.len() >= 20), "{commit}");
    assert_eq!(json["summary"]["commits_scanned"], 3);
    assert!(!json.to_string().contains(&token()), "secret value in the output");
}

#[test]
fn one_secret_in_many_commits_and_files_is_one_finding_with_its_places() {
    let repo = Repo::new();
    repo.stage(&[("a.py", &token_line())]);
    repo.commit("first");
    let first = head(&repo);
    repo.stage(&[("a.py", &format!("# changed\n{}", token_line()))]);
    repo.commit("edit");
    repo.stage(&[("b/c.env", &token_line())]);
    repo.commit("copy");
    repo.git(&["mv", "a.py", "renamed.py"]);
    repo.commit("rename");
    let (code, json, _) = history(&repo, &[]);
    assert_eq!(code, 1);
    let f = found(&json);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].1.as_str(), f[0].2, f[0].4.as_str()),
        ("a.py", 1, first.as_str())
    );
    let places: Vec<String> = json["findings"][0]["occurrences"]
        .as_array()
        .expect("occurrences")
        .iter()
        .map(|o| o["path"].as_str().unwrap_or_default().to_string())
        .collect();
    // The edit added a comment, not the token: it is no place of it. The copy and the rename
    // (a new path) each added it.
    assert_eq!(places, vec!["a.py", "b/c.env", "renamed.py"]);
}

#[test]
fn a_secret_is_found_among_many_versions_by_the_lines_each_added() {
    let repo = Repo::new();
    let filler: String = (0..40).map(|i| format!("value_{i} = {i}\n")).collect();
    // A rule gated by a keyword far from its match: `twilio` in the first line only.
    repo.stage(&[("client.py", &format!("# twilio client\n{filler}"))]);
    repo.commit("client");
    repo.stage(&[("client.py", &format!("# twilio client\n{filler}more = 1\n"))]);
    repo.commit("more");
    // Built at run time, so this file holds no key.
    let sid = &format!("SK{}", "a7f3c91e5b2d48c6a0e9f1b37d5c2e84");
    repo.stage(&[(
        "client.py",
        &format!("# twilio client\n{filler}more = 1\nsid = \"{sid}\"\n"),
    )]);
    repo.commit("add the key");
    let added = head(&repo);
    repo.stage(&[(
        "client.py",
        &format!("# twilio client\nnew = 0\n{filler}more = 1\nsid = \"{sid}\"\n"),
    )]);
    repo.commit("edit elsewhere");
    let (code, json, _) = history(&repo, &[]);
    assert_eq!(code, 1);
    // Found on line 43 at the commit that added it; the later edit did not add it again.
    assert_eq!(
        found(&json),
        vec![(
            "security/twilio-api-key".into(),
            "client.py".into(),
            43,
            8,
            added,
            1
        )]
    );
    assert!(!json.to_string().contains(sid), "secret value in the output");
}

#[test]
fn merges_ranges_and_branches_select_what_is_walked() {
    let repo = Repo::new();
    repo.stage(&[("README.md", "hello\n")]);
    repo.commit("init");
    let base = head(&repo);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.stage(&[("feature.py", &token_line())]);
    repo.commit("feature with a token");
    let on_branch = head(&repo);
    repo.git(&["checkout", "-q", "main"]);
    repo.stage(&[("main.txt", "main\n")]);
    repo.commit("main work");
    repo.git(&["merge", "-q", "--no-edit", "--no-ff", "feature"]);
    // Every branch: the finding is the branch commit's, not the merge's.
    let (_, json, _) = history(&repo, &[]);
    assert_eq!(
        found(&json),
        vec![(
            GITHUB_TOKEN.into(),
            "feature.py".into(),
            1,
            10,
            on_branch.clone(),
            1
        )]
    );
    // A range that leaves the branch commit out finds nothing.
    let (code, json, _) = history(&repo, &[&format!("{base}..{base}")]);
    assert_eq!((code, found(&json).len()), (0, 0));
    let merge = head(&repo);
    let (_, json, _) = history(&repo, &["--since", &merge]);
    assert_eq!(found(&json).len(), 0, "{json}");
    // Since main's own previous commit: the merged branch's commits are new, and the token is
    // still the branch commit's.
    let (_, json, _) = history(&repo, &["--since", "main~1"]);
    assert_eq!(
        found(&json),
        vec![(GITHUB_TOKEN.into(), "feature.py".into(), 1, 10, on_branch, 1)]
    );
    let (_, json, _) = history(&repo, &["--branch", "feature"]);
    assert_eq!(found(&json).len(), 1);
}

#[test]
fn binary_and_oversize_blobs_are_skipped_and_named() {
    let repo = Repo::new();
    std::fs::write(repo.join("logo.png"), [0u8, 1, 2, 0, 3]).expect("write");
    repo.write(&[("big.txt", &format!("{}{}", "y".repeat(5000), token_line()))]);
    repo.git(&["add", "logo.png", "big.txt"]);
    repo.commit("assets");
    let (code, json, _) = history(&repo, &["--max-file-size", "1000"]);
    assert_eq!(code, 0);
    assert_eq!(
        json["summary"]["skipped_files"],
        serde_json::json!([
            {"path": "big.txt", "reason": "too_large"},
            {"path": "logo.png", "reason": "binary"},
        ])
    );
}

#[test]
fn a_committed_key_file_is_found_by_its_path_rule() {
    let repo = Repo::new();
    repo.stage(&[("deploy/id_rsa", "not really a key\n")]);
    repo.commit("oops");
    let added = head(&repo);
    repo.git(&["rm", "-q", "deploy/id_rsa"]);
    repo.commit("remove key");
    let (_, json, _) = history(&repo, &[]);
    let f = found(&json);
    assert!(
        f.iter()
            .any(|x| x.0 == "security/private-key-file" && x.1 == "deploy/id_rsa" && x.4 == added),
        "{f:?}"
    );
}

#[test]
fn structural_rules_stay_with_check_and_a_rule_can_opt_in() {
    let repo = Repo::new();
    repo.stage(&[("app.py", "import hashlib\nh = hashlib.md5(password)\n")]);
    repo.commit("weak hash");
    let (code, json, _) = history(&repo, &[]);
    assert_eq!((code, found(&json).len()), (0, 0), "{json}");
    repo.write(&[(
        "extra.toml",
        "[pack]\nname = \"extra\"\ncategory = \"security\"\n\n[[rule]]\nid = \"md5\"\nseverity = \"error\"\nmessage = \"md5\"\nhistory = true\n[rule.regex]\npattern = 'hashlib\\.md5'\n[[rule.example]]\nfail = \"hashlib.md5(x)\"\n[[rule.example]]\npass = \"hashlib.sha256(x)\"\n",
    )]);
    let (code, json, _) = history(&repo, &["--policy", "extra.toml"]);
    assert_eq!(code, 1);
    assert_eq!(found(&json)[0].0, "extra/md5");
}

#[test]
fn a_secret_baselined_by_check_stays_suppressed_in_history() {
    let repo = Repo::new();
    repo.stage(&[("app.py", &token_line())]);
    repo.commit("legacy token");
    let out = guardrail()
        .current_dir(repo.path())
        .args(["check", "--write-baseline", "guardrail-baseline.json", "."])
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, json, _) = history(&repo, &["--baseline", "guardrail-baseline.json"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["summary"]["suppressed"]["baseline"], 1);
}

#[test]
fn repository_configured_programs_never_run() {
    let repo = Repo::new();
    let marker = repo.join("PWNED");
    let script = repo.join("hook.sh");
    std::fs::write(&script, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    repo.stage(&[
        ("app.py", &token_line()),
        (".gitattributes", "*.py filter=evil diff=evil\n"),
    ]);
    repo.commit("token");
    let s = script.display().to_string();
    for (key, value) in [
        ("core.fsmonitor", s.as_str()),
        ("filter.evil.clean", s.as_str()),
        ("filter.evil.smudge", s.as_str()),
        ("filter.evil.process", s.as_str()),
        ("diff.evil.textconv", s.as_str()),
        ("diff.external", s.as_str()),
        ("core.pager", s.as_str()),
    ] {
        repo.git(&["config", key, value]);
    }
    let (code, json, _) = history(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(found(&json).len(), 1);
    assert!(!marker.exists(), "a repository-configured program ran");
}

#[test]
fn outside_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = guardrail()
        .current_dir(dir.path())
        .args(["history"])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_mode_reports_a_secret_added_and_removed_inside_the_branch() {
    let repo = Repo::new();
    repo.stage(&[("app.py", "x = 1\n")]);
    repo.commit("init");
    repo.git(&["checkout", "-q", "-b", "pr"]);
    repo.stage(&[("app.py", &format!("x = 1\n{}", token_line()))]);
    repo.commit("try a token");
    let added = head(&repo);
    repo.stage(&[("app.py", "x = 1\n")]);
    repo.commit("remove it again");
    let other = ["ghp_", "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"].concat();
    repo.stage(&[("kept.py", &format!("t = \"{other}\"\n"))]);
    repo.commit("a token that stays");
    let out = guardrail()
        .current_dir(repo.path())
        .args(["check", "--format", "json", "--diff", "main"])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut f = found(&json);
    f.sort();
    // The removed token comes from history with its commit; the kept one is in the final diff
    // and is reported once.
    assert_eq!(
        f,
        vec![
            (GITHUB_TOKEN.into(), "app.py".into(), 2, 10, added, 1),
            (GITHUB_TOKEN.into(), "kept.py".into(), 1, 6, String::new(), 0),
        ]
    );
    assert_eq!(json["summary"]["commits_scanned"], 3);
    let human = guardrail()
        .current_dir(repo.path())
        .args(["check", "--diff", "main"])
        .output()
        .expect("ran");
    let stdout = String::from_utf8_lossy(&human.stdout);
    assert!(stdout.contains("history of 3 commits scanned"), "{stdout}");
    assert!(stdout.contains("): try a token"), "{stdout}");
}

#[test]
fn all_occurrences_lists_each_commit_and_path_as_its_own_finding() {
    let repo = Repo::new();
    repo.stage(&[("a.py", &token_line())]);
    repo.commit("first");
    let first = head(&repo);
    repo.stage(&[("a.py", &format!("# changed\n{}", token_line()))]);
    repo.commit("edit");
    repo.git(&["rev-parse", "HEAD"]);
    repo.stage(&[("b/c.env", &token_line())]);
    repo.commit("copy");
    let copy = head(&repo);
    let (code, json, _) = history(&repo, &["--all-occurrences"]);
    assert_eq!(code, 1);
    let f: Vec<(String, u64, String, usize)> = found(&json)
        .into_iter()
        .map(|(_, path, line, _, commit, occurrences)| (path, line, commit, occurrences))
        .collect();
    // The edit moved the token to line 2 without adding it: not an occurrence.
    assert_eq!(
        f,
        vec![
            ("a.py".into(), 1, first.clone(), 1),
            ("b/c.env".into(), 1, copy, 1)
        ]
    );
    let fingerprints: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["fingerprint"].as_str())
        .collect();
    assert_eq!(fingerprints.len(), 2);
    // Without the flag: one finding, with its two places.
    let (_, json, _) = history(&repo, &[]);
    assert_eq!(found(&json).len(), 1);
    assert_eq!(found(&json)[0].5, 2);
}

#[test]
fn merging_main_into_a_branch_adds_none_of_mains_secrets() {
    let repo = Repo::new();
    repo.stage(&[("README.md", "hello\n")]);
    repo.commit("init");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.stage(&[("feature.txt", "feature work\n")]);
    repo.commit("feature work");
    repo.git(&["checkout", "-q", "main"]);
    repo.stage(&[("main.py", &token_line())]);
    repo.commit("main adds a token");
    let on_main = head(&repo);
    repo.git(&["checkout", "-q", "feature"]);
    repo.git(&["merge", "-q", "--no-edit", "main"]);
    // The merge brings main.py in unchanged from main: the token is main's commit's, and a
    // range or a pull request that leaves main's commits out adds nothing.
    let (_, json, _) = history(&repo, &[]);
    assert_eq!(
        found(&json),
        vec![(GITHUB_TOKEN.into(), "main.py".into(), 1, 10, on_main, 1)]
    );
    let (code, json, _) = history(&repo, &["main..feature"]);
    assert_eq!((code, found(&json).len()), (0, 0), "{json}");
    assert_eq!(json["summary"]["commits_scanned"], 2);
    let out = guardrail()
        .current_dir(repo.path())
        .args(["check", "--format", "json", "--diff", "main"])
        .output()
        .expect("ran");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!((out.status.code(), found(&json).len()), (Some(0), 0), "{json}");
    assert_eq!(json["summary"]["commits_scanned"], 2);
}

#[test]
fn a_merge_adds_what_differs_from_every_parent() {
    let repo = Repo::new();
    repo.stage(&[("app.py", "a = 1\n")]);
    repo.commit("init");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.stage(&[("feature.txt", "feature work\n")]);
    repo.commit("feature work");
    repo.git(&["checkout", "-q", "main"]);
    repo.stage(&[("main.txt", "main work\n")]);
    repo.commit("main work");
    // An "evil" merge: a line neither parent has, written while merging.
    repo.git(&["merge", "-q", "--no-commit", "--no-ff", "feature"]);
    repo.stage(&[("app.py", &format!("a = 1\n{}", token_line()))]);
    repo.commit("merge feature");
    let merge = head(&repo);
    let (_, json, _) = history(&repo, &[]);
    assert_eq!(
        found(&json),
        vec![(GITHUB_TOKEN.into(), "app.py".into(), 2, 10, merge.clone(), 1)]
    );
    let (_, json, _) = history(&repo, &["main~1..main"]);
    assert_eq!(
        found(&json),
        vec![(GITHUB_TOKEN.into(), "app.py".into(), 2, 10, merge, 1)]
    );
}

#[test]
fn a_range_charges_no_commit_with_a_secret_older_than_the_range() {
    let repo = Repo::new();
    repo.stage(&[("app.py", &format!("x = 1\n{}y = 2\n", token_line()))]);
    repo.commit("init with a token");
    let base = head(&repo);
    // Inside the range: another line of the file edited, then the file renamed, then a token
    // truly added.
    repo.stage(&[("app.py", &format!("x = 1\n{}y = 3\n", token_line()))]);
    repo.commit("edit y");
    repo.git(&["mv", "app.py", "main.py"]);
    repo.commit("rename");
    let other = ["ghp_", "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"].concat();
    repo.stage(&[("new.py", &format!("t = \"{other}\"\n"))]);
    repo.commit("add a token");
    let added = head(&repo);
    let (_, json, _) = history(&repo, &[&format!("{base}..HEAD")]);
    assert_eq!(
        found(&json),
        vec![(GITHUB_TOKEN.into(), "new.py".into(), 1, 6, added.clone(), 1)]
    );
    let (_, json, _) = history(&repo, &["--since", &base, "--all-occurrences"]);
    assert_eq!(
        found(&json),
        vec![(GITHUB_TOKEN.into(), "new.py".into(), 1, 6, added, 1)]
    );
    // The whole history charges the old token to the commit that added it.
    let (_, json, _) = history(&repo, &[]);
    assert_eq!(found(&json).len(), 2);
    assert_eq!(found(&json)[0].4, base);
}
