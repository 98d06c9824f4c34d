//! Issue 9, points 2, 5 and 9: a hostile repository's own configuration cannot make guardrail
//! print files from outside it, switch the gate off without a trace, or hide a secret in the
//! baseline file. Each test builds the hostile repository in a temporary directory and runs the
//! real binary.

use std::path::Path;

use crate::common::{self, check_json, fake, findings_of, guardrail, write_tree, JsonRun};
use crate::gitrepo;
use serde_json::{json, Value};

const TOKEN: &str = "security/github-token";
const GATE: &str = "guardrail/gate-config-changed";
const CANARY: &str = "canary-7f3a9c1e-do-not-print";

fn token() -> String {
    fake(&["ghp_", "Qm4Rt8Yu2Io6Pa1Sd5Fg9Hj3Kl7Zx0Cv", "Bn2W"])
}

/// A directory that looks like a repository root (`.git`), with one committed-looking secret.
fn repo_with_secret(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    write_tree(
        dir.path(),
        &[
            ("guardrail.toml", config),
            ("app/settings.py", &format!("token = \"{}\"\n", token())),
        ],
    );
    dir
}

/// Runs `guardrail check <args>` in `dir` with the canary in its environment; returns the exit
/// code and stdout + stderr.
fn run_with_canary(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = guardrail()
        .current_dir(dir)
        .env("GUARDRAIL_TEST_CANARY", CANARY)
        .arg("check")
        .args(args)
        .output()
        .expect("ran");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

/// The `config.changes` entry with `key`, as `(value, relaxes)`.
fn change(run: &JsonRun, key: &str) -> Option<(String, bool)> {
    run.json["config"]["changes"]
        .as_array()
        .expect("config.changes")
        .iter()
        .find(|c| c["key"] == key)
        .map(|c| {
            (
                c["value"].as_str().unwrap_or_default().to_string(),
                c["relaxes"].as_bool().unwrap_or_default(),
            )
        })
}

fn effect(run: &JsonRun, key: &str) -> String {
    run.json["config"]["changes"]
        .as_array()
        .expect("config.changes")
        .iter()
        .find(|c| c["key"] == key)
        .and_then(|c| c["effect"].as_str())
        .unwrap_or_default()
        .to_string()
}

// ---- point 2: no file from outside the repository reaches the log ----

#[test]
fn a_config_policy_path_outside_the_repository_is_refused_without_reading_it() {
    let dir = repo_with_secret("policies = [\"/proc/self/environ\"]\n");
    let (code, out) = run_with_canary(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains(CANARY), "environment leaked:\n{out}");
    assert!(
        out.contains("a `policies` entry points outside the repository"),
        "{out}"
    );
    assert!(out.contains("guardrail.toml:1:"), "{out}");
}

#[test]
fn a_parent_directory_escape_in_policies_is_refused() {
    let outer = tempfile::tempdir().expect("tempdir");
    write_tree(
        outer.path(),
        &[(
            "outside.toml",
            &format!("# {CANARY}\n[pack]\nname = \"outside\"\n"),
        )],
    );
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    write_tree(&repo, &[("guardrail.toml", "policies = [\"../outside.toml\"]\n")]);
    let (code, out) = run_with_canary(&repo, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("a `policies` entry points outside the repository"),
        "{out}"
    );
    assert!(!out.contains(CANARY), "{out}");
}

#[test]
fn a_symlinked_directory_cannot_lead_a_policy_path_out() {
    let dir = repo_with_secret("policies = [\"proc/environ\"]\n");
    symlink("/proc/self", &dir.path().join("proc"));
    let (code, out) = run_with_canary(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains(CANARY), "{out}");
    assert!(out.contains("points outside the repository"), "{out}");
}

#[test]
fn a_symlinked_config_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    symlink("/proc/self/environ", &dir.path().join("guardrail.toml"));
    let (code, out) = run_with_canary(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains(CANARY), "{out}");
    assert!(out.contains("the config file is a symlink"), "{out}");
}

#[test]
fn a_symlinked_policy_in_a_policy_directory_is_refused() {
    let dir = repo_with_secret("policies = [\"policies\"]\n");
    std::fs::create_dir(dir.path().join("policies")).expect("mkdir");
    symlink("/proc/self/environ", &dir.path().join("policies/evil.toml"));
    let (code, out) = run_with_canary(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains(CANARY), "{out}");
    assert!(
        out.contains("policies/evil.toml: the policy file is a symlink"),
        "{out}"
    );
}

#[test]
fn a_symlinked_baseline_is_refused_even_from_the_command_line() {
    let dir = repo_with_secret("");
    symlink("/proc/self/environ", &dir.path().join("baseline.toml"));
    let (code, out) = run_with_canary(dir.path(), &["--baseline", "baseline.toml"]);
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains(CANARY), "{out}");
    assert!(
        out.contains("baseline.toml: the baseline file is a symlink"),
        "{out}"
    );
}

#[test]
fn a_nul_separated_file_given_on_the_command_line_is_not_quoted() {
    let dir = repo_with_secret("");
    for flag in ["--config", "--policy", "--baseline"] {
        let (code, out) = run_with_canary(dir.path(), &[flag, "/proc/self/environ"]);
        assert_eq!(code, 2, "{flag}: {out}");
        assert!(!out.contains(CANARY), "{flag}: environment leaked:\n{out}");
        assert!(
            out.contains("is not a text file (it contains NUL bytes)"),
            "{flag}: {out}"
        );
    }
}

#[test]
fn a_parse_error_quotes_one_short_sanitised_line() {
    let dir = repo_with_secret("");
    let long_tail = "B".repeat(300);
    let bad = format!(
        "# first line, not quoted: FIRST-MARKER\nkey = \"\u{1b}]52;c;aGk=\u{7}{long_tail}TAIL-MARKER\"\nnext = \"NEXT-MARKER\"\n"
    );
    for (flag, file) in [
        ("--policy", "bad-policy.toml"),
        ("--config", "bad-config.toml"),
        ("--baseline", "bad-baseline.toml"),
    ] {
        write_tree(dir.path(), &[(file, &bad)]);
        let (code, out) = run_with_canary(dir.path(), &[flag, file]);
        assert_eq!(code, 2, "{flag}: {out}");
        for marker in ["FIRST-MARKER", "TAIL-MARKER", "NEXT-MARKER"] {
            assert!(!out.contains(marker), "{flag}: quoted {marker}:\n{out}");
        }
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{flag}: control character:\n{out}"
        );
        assert!(
            out.contains("\u{241b}]52;c;aGk="),
            "{flag}: placeholder missing:\n{out}"
        );
        assert!(
            out.contains(&format!("{file}:2:")),
            "{flag}: location missing:\n{out}"
        );
    }
}

// ---- point 5: what the config changed is in every report; empty runs fail ----

#[test]
fn builtin_false_loads_no_rule_and_exits_2() {
    let dir = repo_with_secret("builtin = false\n");
    let run = guardrail()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .expect("ran");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no rule was loaded, so nothing was checked"),
        "{stderr}"
    );
    assert!(stderr.contains("guardrail.toml sets builtin"), "{stderr}");
    let allowed = check_json(dir.path(), &["--allow-empty"]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert_eq!(change(&allowed, "builtin"), Some(("false".into(), true)));
    assert_eq!(allowed.json["config"]["file"], "guardrail.toml");
    assert_eq!(allowed.json["config"]["origin"], "discovered");
}

#[test]
fn every_rule_off_exits_2_and_is_named() {
    let dir = repo_with_secret("[rules]\n\"*\" = \"off\"\n");
    let run = guardrail()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .expect("ran");
    assert_eq!(run.status.code(), Some(2));
    let allowed = check_json(dir.path(), &["--allow-empty"]);
    assert_eq!(allowed.code, 0);
    assert_eq!(change(&allowed, "rules.*"), Some(("\"off\"".into(), true)));
    assert!(
        effect(&allowed, "rules.*").ends_with("rules turned off"),
        "{}",
        allowed.stdout
    );
}

#[test]
fn a_pack_turned_off_is_named_in_the_human_summary() {
    let dir = repo_with_secret("[packs]\nsecurity = false\n");
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .expect("ran");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("guardrail: config: guardrail.toml; ignore files: none; 1 change from the defaults\n  ! packs.security = false: pack turned off\n"),
        "{stdout}"
    );
    let run = check_json(dir.path(), &[]);
    assert_eq!(change(&run, "packs.security"), Some(("false".into(), true)));
}

#[test]
fn exclude_everything_scans_nothing_and_exits_2() {
    let dir = repo_with_secret("exclude = [\"**\"]\n");
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .expect("ran");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no file was scanned, so nothing was checked"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-empty"), "{stderr}");
    let allowed = check_json(dir.path(), &["--allow-empty"]);
    assert_eq!(allowed.code, 0);
    assert_eq!(change(&allowed, "exclude"), Some(("\"**\"".into(), true)));
}

#[test]
fn a_one_byte_file_size_limit_scans_nothing_and_exits_2() {
    let dir = repo_with_secret("max-file-size = 1\n");
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .expect("ran");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no file was scanned (2 skipped)"), "{stderr}");
    let allowed = check_json(dir.path(), &["--allow-empty"]);
    assert_eq!(change(&allowed, "max-file-size"), Some(("1".into(), true)));
}

#[test]
fn fail_on_never_is_named_in_json_and_sarif() {
    let dir = repo_with_secret("fail-on = \"never\"\n");
    let run = check_json(dir.path(), &[]);
    assert_eq!(run.code, 0);
    assert_eq!(findings_of(&run.json, TOKEN).len(), 1);
    assert_eq!(change(&run, "fail-on"), Some(("\"never\"".into(), true)));
    assert_eq!(effect(&run, "fail-on"), "no finding fails the run");
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "--format", "sarif"])
        .output()
        .expect("ran");
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let notes = &sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"];
    assert_eq!(
        notes,
        &json!([
            {"level": "note", "message": {"text": "config: guardrail.toml; ignore files: none; 1 change from the defaults"}},
            {"level": "warning", "message": {"text": "fail-on = \"never\": no finding fails the run"}},
        ])
    );
    // The command line wins, and the summary says the config value did not apply.
    let strict = check_json(dir.path(), &["--fail-on", "error"]);
    assert_eq!(strict.code, 1);
    assert_eq!(effect(&strict, "fail-on"), "overridden on the command line");
}

#[test]
fn an_override_of_everything_is_named() {
    let dir = repo_with_secret("[[overrides]]\npaths = [\"**\"]\nrules = { \"*\" = \"off\" }\n");
    let run = check_json(dir.path(), &[]);
    assert_eq!(run.code, 0);
    assert_eq!(
        change(&run, "overrides[0]"),
        Some(("paths = [\"**\"], rules = { \"*\" = \"off\" }".into(), true))
    );
}

#[test]
fn config_and_no_config_bypass_the_repository_config() {
    let dir = repo_with_secret("fail-on = \"never\"\n[packs]\nsecurity = false\n");
    let trusted = tempfile::tempdir().expect("tempdir");
    let gate = trusted.path().join("gate.toml");
    std::fs::write(&gate, "require-reason = true\n").expect("write");
    let gate = gate.display().to_string();
    let pinned = check_json(dir.path(), &["--config", &gate]);
    assert_eq!(pinned.code, 1, "{}", pinned.stderr);
    assert_eq!(findings_of(&pinned.json, TOKEN).len(), 1);
    assert_eq!(pinned.json["config"]["file"], gate.as_str());
    assert_eq!(pinned.json["config"]["origin"], "command-line");
    assert_eq!(change(&pinned, "require-reason"), Some(("true".into(), false)));
    let none = check_json(dir.path(), &["--no-config"]);
    assert_eq!(none.code, 1);
    assert_eq!(
        none.json["config"],
        json!({"file": null, "origin": "disabled", "ignore_files": [], "changes": []})
    );
}

#[test]
fn a_pinned_config_from_outside_matches_globs_from_the_repository_root() {
    let dir = repo_with_secret("fail-on = \"never\"\n");
    let trusted = tempfile::tempdir().expect("tempdir");
    let gate = trusted.path().join("gate.toml");
    std::fs::write(&gate, "exclude = [\"app/**\"]\n").expect("write");
    let run = check_json(dir.path(), &["--config", &gate.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(findings_of(&run.json, TOKEN), vec![]);
    assert_eq!(run.json["summary"]["files_scanned"], 1, "only guardrail.toml");
}

#[test]
fn an_empty_directory_needs_allow_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    guardrail()
        .current_dir(dir.path())
        .args(["check", "--no-config"])
        .assert()
        .code(2);
    guardrail()
        .current_dir(dir.path())
        .args(["check", "--no-config", "--allow-empty"])
        .assert()
        .code(0);
}

// ---- point 5: a change that edits its own gate is reported ----

/// A committed repository whose change (staged, then committed on a branch) edits every kind
/// of gate file, including a config that excludes everything.
fn repo_editing_its_gate() -> gitrepo::Repo {
    let repo = gitrepo::Repo::new();
    repo.stage(&[
        ("guardrail.toml", "policies = [\"policies\"]\n"),
        ("policies/acme.toml", &acme_pack("error")),
        ("baseline.toml", "version = 1\nfindings = []\n"),
        ("src/app.py", "x = 1\n"),
    ]);
    repo.commit("initial");
    repo.stage(&[
        (
            "guardrail.toml",
            "policies = [\"policies\"]\nexclude = [\"**\"]\n",
        ),
        (".guardrailignore", "*\n"),
        ("policies/acme.toml", &acme_pack("note")),
        ("baseline.toml", "# accepted\nversion = 1\nfindings = []\n"),
        ("src/app.py", "x = 2\n"),
    ]);
    repo
}

fn acme_pack(severity: &str) -> String {
    format!(
        "[pack]\nname = \"acme\"\n\n[[rule]]\nid = \"no-todo\"\nseverity = \"{severity}\"\nmessage = \"TODO left\"\n\
         [rule.regex]\npattern = 'TODO'\n[[rule.example]]\nfail = 'TODO'\n[[rule.example]]\npass = 'done'\n"
    )
}

fn gate_findings(run: &JsonRun) -> Vec<(String, String, u64, u64)> {
    findings_of(&run.json, GATE)
}

fn expected_gate_findings() -> Vec<(String, String, u64, u64)> {
    [
        ".guardrailignore",
        "baseline.toml",
        "guardrail.toml",
        "policies/acme.toml",
    ]
    .iter()
    .map(|p| (GATE.to_string(), p.to_string(), 1, 1))
    .collect()
}

#[test]
fn a_staged_change_to_gate_files_is_a_warning() {
    let repo = repo_editing_its_gate();
    let run = check_json(repo.path(), &["--staged", "--baseline", "baseline.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(gate_findings(&run), expected_gate_findings());
    let severities: Vec<&str> = run.json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["severity"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(severities, vec!["warning"; 4]);
    assert_eq!(run.json["summary"]["warnings"], 4);
}

#[test]
fn a_diff_that_edits_gate_files_is_a_warning() {
    let repo = repo_editing_its_gate();
    repo.git(&["checkout", "-q", "-b", "change"]);
    repo.commit("weaken the gate");
    let run = check_json(repo.path(), &["--diff", "main", "--baseline", "baseline.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(gate_findings(&run), expected_gate_findings());
    // fail-on warning makes the edit block the gate.
    let strict = check_json(
        repo.path(),
        &[
            "--diff",
            "main",
            "--baseline",
            "baseline.toml",
            "--fail-on",
            "warning",
        ],
    );
    assert_eq!(strict.code, 1);
}

#[test]
fn staged_paths_named_and_all_excluded_exit_2() {
    let repo = repo_editing_its_gate();
    let out = guardrail()
        .current_dir(repo.path())
        .args(["check", "--staged", "src/app.py"])
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---- point 9: the baseline file is scanned like every other file ----

#[test]
fn a_secret_in_the_baseline_file_is_reported_and_cannot_baseline_itself() {
    let dir = repo_with_secret("");
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "--write-baseline", "baseline.toml"])
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The baseline as written produces no finding of its own.
    let clean = check_json(dir.path(), &["--baseline", "baseline.toml"]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    assert_eq!(common::findings(&clean.json), vec![]);
    // A secret pasted into it is found, and an entry for it in the same file does not count.
    let mut text = std::fs::read_to_string(dir.path().join("baseline.toml")).expect("read");
    let other = fake(&["ghp_", "Zx9Cv8Bn7Mq6Wr5Et4Yu3Io2Pa1Sd0Fg", "Hj4K"]);
    text.push_str(&format!("# token = \"{other}\"\n"));
    std::fs::write(dir.path().join("baseline.toml"), &text).expect("write");
    let run = check_json(dir.path(), &["--baseline", "baseline.toml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let line = text.lines().count() as u64;
    assert_eq!(
        findings_of(&run.json, TOKEN),
        vec![(TOKEN.to_string(), "baseline.toml".to_string(), line, 12)]
    );
    assert!(!run.stdout.contains(&other), "secret leaked");
    // An entry for that finding, written into the same file, does not silence it.
    let fingerprint = run.json["findings"][0]["fingerprint"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let entry =
        format!("  {{ rule = \"{TOKEN}\", path = \"baseline.toml\", fingerprint = \"{fingerprint}\" }},\n]");
    let forged = text.replacen("\n]", &format!("\n{entry}"), 1);
    assert_ne!(forged, text);
    std::fs::write(dir.path().join("baseline.toml"), &forged).expect("write");
    let run = check_json(dir.path(), &["--baseline", "baseline.toml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(findings_of(&run.json, TOKEN).len(), 1, "{}", run.stdout);
}
