//! Issue 9, the output side of a hostile checkout: reports written through a committed symlink,
//! control characters that would inject CI workflow commands or terminal escapes, a reader that
//! closes the pipe early, suppression comments hidden in strings, anonymous skips, and lines
//! ended by a bare carriage return.

use std::io::Read;
use std::process::Stdio;

use crate::common::{check_json, fake, findings_of, guardrail, write_tree, IG};

fn token() -> String {
    fake(&["ghp_", "Ty6Ui8Op0As2Df4Gh6Jk8Lz1Xc3Vb5Nm7Qw9"])
}

const GITHUB_TOKEN: &str = "security/github-token";

#[cfg(unix)]
#[test]
fn output_through_a_committed_symlink_leaves_the_target_untouched() {
    let repo = tempfile::tempdir().expect("tmp");
    let outside = tempfile::tempdir().expect("tmp");
    let victim = outside.path().join("authorized_keys");
    std::fs::write(&victim, "ssh-ed25519 AAAAkeep me\n").expect("write");
    write_tree(repo.path(), &[("app.py", &format!("T = \"{}\"\n", token()))]);
    for name in ["report.txt", "baseline.json"] {
        std::os::unix::fs::symlink(&victim, repo.path().join(name)).expect("symlink");
    }
    let out = guardrail()
        .current_dir(repo.path())
        .args(["check", "--format", "json", "--output", "report.txt", "app.py"])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(1));
    let out = guardrail()
        .current_dir(repo.path())
        .args(["check", "--write-baseline", "baseline.json", "app.py"])
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "ssh-ed25519 AAAAkeep me\n"
    );
    let report = std::fs::read_to_string(repo.path().join("report.txt")).expect("report");
    assert!(report.contains(GITHUB_TOKEN));
    for name in ["report.txt", "baseline.json"] {
        let meta = std::fs::symlink_metadata(repo.path().join(name)).expect("meta");
        assert!(meta.file_type().is_file(), "{name} is now a regular file");
    }
    let leftovers: Vec<String> = std::fs::read_dir(repo.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Bytes that must never reach a terminal or a CI log from repository content.
fn assert_no_controls(what: &str, bytes: &[u8]) {
    for (i, &b) in bytes.iter().enumerate() {
        let bad = (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f;
        assert!(
            !bad,
            "{what}: control byte {b:#04x} at {i}: {}",
            String::from_utf8_lossy(bytes)
        );
    }
    let text = String::from_utf8_lossy(bytes);
    assert!(
        !text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)),
        "{what}: C1 control"
    );
}

#[test]
fn control_characters_in_lines_and_names_are_made_visible() {
    let repo = tempfile::tempdir().expect("tmp");
    let line = format!(
        "x = 1\r::warning file=a::injected\r\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{9b}31m T = \"{}\"\n",
        token()
    );
    write_tree(repo.path(), &[("app.py", &line)]);
    #[cfg(unix)]
    write_tree(
        repo.path(),
        &[(
            "evil\r::error::x\u{1b}[31m\n.py",
            &format!("T = \"{}\"\n", token()),
        )],
    );
    for format in ["human", "github"] {
        let out = guardrail()
            .current_dir(repo.path())
            .args(["check", "--format", format, "."])
            .output()
            .expect("ran");
        assert_eq!(out.status.code(), Some(1));
        assert_no_controls(&format!("{format} stdout"), &out.stdout);
        assert_no_controls(&format!("{format} stderr"), &out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        if format == "human" {
            assert!(
                stdout.contains('\u{240d}'),
                "the carriage return is shown as ␍: {stdout}"
            );
        } else {
            assert!(stdout.contains("evil%0D%3A%3Aerror"), "{stdout}");
            let commands = stdout.lines().filter(|l| l.starts_with("::")).count();
            assert_eq!(commands, if cfg!(unix) { 2 } else { 1 }, "{stdout}");
        }
    }
}

#[test]
fn config_errors_on_stderr_carry_no_control_characters() {
    let repo = tempfile::tempdir().expect("tmp");
    write_tree(
        repo.path(),
        &[(
            "guardrail.toml",
            "fail-on = \"\u{1b}]52;c;aGk=\u{7}\r::error::owned\"\n",
        )],
    );
    let out = guardrail()
        .current_dir(repo.path())
        .args(["check", "."])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(2));
    assert_no_controls("stderr", &out.stderr);
    assert!(String::from_utf8_lossy(&out.stderr).contains("guardrail.toml"));
}

#[test]
fn a_reader_that_closes_the_pipe_does_not_turn_a_failing_gate_green() {
    let repo = tempfile::tempdir().expect("tmp");
    // Enough findings that the report outgrows the pipe buffer, so the write really fails.
    let body: String = (0..3000).map(|i| format!("MARKER {i}\n")).collect();
    write_tree(
        repo.path(),
        &[
            ("notes.txt", &body),
            (
                "p.toml",
                "[pack]\nname = \"t\"\ncategory = \"security\"\n\n[[rule]]\nid = \"marker\"\nseverity = \"error\"\nmessage = \"marker\"\n[rule.regex]\npattern = 'MARKER'\n[[rule.example]]\nfail = \"MARKER\"\n[[rule.example]]\npass = \"x\"\n",
            ),
        ],
    );
    for format in ["human", "json"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("guardrail"))
            .current_dir(repo.path())
            .env("NO_COLOR", "1")
            .args([
                "check",
                "--no-builtin",
                "--no-config",
                "--policy",
                "p.toml",
                "--format",
                format,
                "notes.txt",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let mut first = [0u8; 1];
        child
            .stdout
            .take()
            .expect("stdout")
            .read_exact(&mut first)
            .expect("one byte");
        // Dropping the read end closes the pipe, as `| head -c 1` does.
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(1), "{format}");
    }
}

#[test]
fn a_suppression_inside_a_string_literal_suppresses_nothing() {
    let repo = tempfile::tempdir().expect("tmp");
    let t = token();
    write_tree(
        repo.path(),
        &[
            ("a.py", &format!("T = \"{t}  # {IG}\"\n")),
            ("b.js", &format!("const t = `{t} // {IG}`;\n")),
            ("c.py", &format!("T = \"{t}\"  # {IG} -- test fixture\n")),
        ],
    );
    let run = check_json(repo.path(), &["."]);
    assert_eq!(
        findings_of(&run.json, GITHUB_TOKEN),
        vec![
            (GITHUB_TOKEN.to_string(), "a.py".to_string(), 1, 6),
            (GITHUB_TOKEN.to_string(), "b.js".to_string(), 1, 12),
        ]
    );
    assert_eq!(run.json["summary"]["suppressed"]["inline"], 1);
    assert_eq!(run.code, 1);
}

#[test]
fn skipped_files_are_named_with_their_reason() {
    let repo = tempfile::tempdir().expect("tmp");
    write_tree(repo.path(), &[("ok.py", "x = 1\n")]);
    std::fs::write(repo.path().join("blob.bin"), [0u8, 1, 2, 3, 0, 0]).expect("write");
    std::fs::write(repo.path().join("big.txt"), "y".repeat(2000)).expect("write");
    let run = check_json(repo.path(), &["--max-file-size", "1000", "."]);
    assert_eq!(
        run.json["summary"]["skipped_files"],
        serde_json::json!([
            {"path": "big.txt", "reason": "too_large"},
            {"path": "blob.bin", "reason": "binary"},
        ])
    );
    let sarif = guardrail()
        .current_dir(repo.path())
        .args(["check", "--format", "sarif", "--max-file-size", "1000", "."])
        .output()
        .expect("ran");
    let doc: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("sarif json");
    let notes = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    let named: Vec<(String, String)> = notes
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| {
            (
                n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                n["message"]["text"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        named,
        vec![
            ("big.txt".to_string(), "not scanned: too_large".to_string()),
            ("blob.bin".to_string(), "not scanned: binary".to_string()),
        ]
    );
    let human = guardrail()
        .current_dir(repo.path())
        .args(["check", "--max-file-size", "1000", "."])
        .output()
        .expect("ran");
    let stdout = String::from_utf8_lossy(&human.stdout);
    assert!(
        stdout.contains("not scanned: big.txt (too_large), blob.bin (binary)"),
        "{stdout}"
    );
}

#[test]
fn a_bare_carriage_return_never_yields_line_zero() {
    let repo = tempfile::tempdir().expect("tmp");
    let t = token();
    let files = [
        ("a.py", format!("é = 1\rT = \"{t}\"\n")),
        ("b.yml", format!("a: 1\rb: \"{t}\"\n")),
        ("c.json", format!("{{\"a\": 1,\r\"b\": \"{t}\"}}\n")),
        ("d.rs", format!("// x\rconst T: &str = \"{t}\";\n")),
        ("e.toml", format!("a = 1\rb = \"{t}\"\n")),
    ];
    for (name, body) in &files {
        std::fs::write(repo.path().join(name), body).expect("write");
    }
    let run = check_json(repo.path(), &["."]);
    let found = findings_of(&run.json, GITHUB_TOKEN);
    assert_eq!(found.len(), files.len(), "{found:?}");
    for (_, path, line, column) in &found {
        assert_eq!(*line, 1, "{path}");
        assert!(*column > 1, "{path}");
    }
    let all = run.json["findings"].as_array().expect("findings");
    assert!(all.iter().all(|f| f["line"].as_u64() >= Some(1)), "{all:?}");
    // The human header names the same line and (character) column as JSON.
    let human = guardrail()
        .current_dir(repo.path())
        .args(["check", "."])
        .output()
        .expect("ran");
    let stdout = String::from_utf8_lossy(&human.stdout);
    for (_, path, line, column) in &found {
        let header = format!("[{path}:{line}:{column}]");
        assert!(stdout.contains(&header), "{header} in {stdout}");
    }
}

#[test]
fn a_report_written_to_a_file_leaves_its_summary_on_stderr_in_every_format() {
    let repo = tempfile::tempdir().expect("tmp");
    write_tree(repo.path(), &[("app.py", &format!("T = \"{}\"\n", token()))]);
    for format in ["human", "json", "sarif", "github"] {
        let out = guardrail()
            .current_dir(repo.path())
            .args(["check", "--format", format, "--output", "report.out", "app.py"])
            .output()
            .expect("ran");
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(out.stdout.is_empty(), "{format}: nothing on stdout");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("guardrail: 1 error, 0 warnings, 0 notes in 1 file"),
            "{format}: {stderr}"
        );
    }
}
