//! The composite GitHub Action (`action.yml`): its steps' shell scripts run here with bash,
//! as the runner would run them, and every action it uses is pinned to a commit.
//!
//! YAML is read with Python's PyYAML (pre-commit depends on it, and .ci/run installs
//! pre-commit); without it the tests skip with a loud message.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// `action.yml` as JSON, or `None` when Python with PyYAML is not available.
fn action() -> Option<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    let script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))";
    let out = Command::new("python3").args(["-c", script]).arg(&path).output();
    match out {
        Ok(o) if o.status.success() => Some(serde_json::from_slice(&o.stdout).expect("json")),
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: python3 with PyYAML is not installed; action.yml was not tested ***\n"
            );
            None
        }
    }
}

fn step<'a>(action: &'a Value, name: &str) -> &'a Value {
    action["runs"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step named {name}"))
}

/// Runs the "Run guardrail" step's script in `dir` with `inputs`; returns (stdout, outputs).
fn run_step(action: &Value, dir: &Path, inputs: &[(&str, &str)]) -> (String, String) {
    let script = step(action, "Run guardrail")["run"].as_str().expect("run");
    let outputs = dir.join("github-output");
    std::fs::write(&outputs, "").unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_guardrail"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new("bash");
    // guardrail:ignore shell-command -- runs the action's own `run:` script, as the runner does
    cmd.args(["-e", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &outputs)
        .env("NO_COLOR", "1");
    for key in [
        "PATHS",
        "FAIL_ON",
        "BASELINE",
        "DIFF",
        "FORMAT",
        "UPLOAD_SARIF",
        "SARIF_FILE",
        "ARGS",
    ] {
        cmd.env(format!("INPUT_{key}"), "");
    }
    for (k, v) in inputs {
        cmd.env(format!("INPUT_{k}"), v);
    }
    let out = cmd.output().expect("bash runs");
    assert!(
        out.status.success(),
        "the step itself must not fail: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        std::fs::read_to_string(outputs).unwrap(),
    )
}

#[test]
fn the_run_step_passes_inputs_as_arguments_and_records_the_exit_code() {
    let Some(action) = action() else { return };
    let dir = tempfile::tempdir().unwrap();
    crate::common::write_tree(
        dir.path(),
        &[
            ("dir one/settings.py", &crate::gitrepo::token_line()),
            ("clean/app.py", "x = 1\n"),
        ],
    );
    let (stdout, outputs) = run_step(
        &action,
        dir.path(),
        &[
            ("PATHS", "dir one\nclean\n"),
            ("FORMAT", "json"),
            ("ARGS", "--no-config"),
        ],
    );
    assert!(outputs.contains("exit-code=1"), "{outputs}");
    let json: Value = serde_json::from_str(&stdout).expect("json report");
    let found = crate::common::findings_of(&json, "security/github-token");
    assert_eq!(found.len(), 1, "{stdout}");
    assert_eq!(found[0].1, "dir one/settings.py");
    assert_eq!(json["summary"]["files_scanned"], 2);

    let (_, outputs) = run_step(
        &action,
        dir.path(),
        &[("PATHS", "clean"), ("FORMAT", "json"), ("FAIL_ON", "warning")],
    );
    assert!(outputs.contains("exit-code=0"), "{outputs}");
    let (_, outputs) = run_step(
        &action,
        dir.path(),
        &[("PATHS", "dir one"), ("FORMAT", "json"), ("FAIL_ON", "never")],
    );
    assert!(outputs.contains("exit-code=0"), "{outputs}");
}

#[test]
fn the_gate_step_fails_exactly_when_guardrail_did() {
    let Some(action) = action() else { return };
    let script = step(&action, "Fail on findings")["run"].as_str().unwrap();
    for (code, ok) in [("0", true), ("1", false), ("2", false), ("", false)] {
        let out = Command::new("bash")
            // guardrail:ignore shell-command -- runs the action's own `run:` script, as the runner does
            .args(["-e", "-c", script])
            .env("CODE", code)
            .output()
            .unwrap();
        assert_eq!(out.status.success(), ok, "exit code {code:?}");
    }
}

#[test]
fn the_action_is_composite_and_pins_every_action_it_uses() {
    let Some(action) = action() else { return };
    assert_eq!(action["runs"]["using"], "composite");
    for s in action["runs"]["steps"].as_array().unwrap() {
        if let Some(uses) = s["uses"].as_str() {
            let (_, rev) = uses.split_once('@').expect("a ref");
            assert!(
                rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
                "{uses} is not pinned to a commit"
            );
        }
        if s["run"].is_string() {
            assert_eq!(s["shell"], "bash", "composite run steps need a shell");
            let run = s["run"].as_str().unwrap();
            assert!(!run.contains("${{"), "expression spliced into a script: {run}");
        }
    }
    for input in ["paths", "fail-on", "baseline", "format", "upload-sarif"] {
        assert!(action["inputs"][input].is_object(), "input {input}");
    }
}
