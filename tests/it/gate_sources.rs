//! A gate a hostile change cannot blind or exploit through git or the file listing (issue 9,
//! points 3, 4, 7, 11 and 12): each test builds the hostile repository and asserts the secret is
//! still found, exactly where it is, and that nothing the repository configures ran.

use std::path::{Path, PathBuf};

use crate::common::{check_json, findings, findings_of, write_tree};
use crate::gitrepo::{token, token_line, Repo};

const TOKEN: &str = "security/github-token";

fn hit(path: &str, line: u64) -> (String, String, u64, u64) {
    (TOKEN.to_string(), path.to_string(), line, 10)
}

/// Runs `check --format json ARGS` and returns the token findings, asserting the exit code.
fn tokens(dir: &Path, args: &[&str], code: i32) -> Vec<(String, String, u64, u64)> {
    let run = check_json(dir, args);
    assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
    assert!(!run.stdout.contains(&token()), "secret leaked");
    findings_of(&run.json, TOKEN)
}

/// `main` with `files` committed, then a `feature` branch checked out.
fn base_repo(files: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.stage(files);
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo
}

// Point 3: `--diff` blinded by git.

#[test]
fn diff_sees_changes_to_files_marked_minus_diff() {
    let repo = base_repo(&[
        (".gitattributes", "*.py -diff\n"),
        ("app.py", "import os\n\nname = \"demo\"\n"),
    ]);
    repo.stage(&[("app.py", &format!("import os\n\n{}", token_line()))]);
    repo.commit("hide a token behind -diff");
    assert_eq!(
        tokens(repo.path(), &["--diff", "main"], 1),
        vec![hit("app.py", 3)]
    );
}

#[test]
fn diff_sees_a_binary_file_overwritten_with_text() {
    let repo = Repo::new();
    std::fs::write(repo.join("data.cfg"), b"\x00\x01\x02 binary\n\x00\n").unwrap();
    repo.git(&["add", "data.cfg"]);
    repo.commit("binary");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.stage(&[("data.cfg", &format!("# now text\n{}", token_line()))]);
    repo.commit("overwrite with text");
    assert_eq!(
        tokens(repo.path(), &["--diff", "main"], 1),
        vec![hit("data.cfg", 2)]
    );
}

#[cfg(unix)]
#[test]
fn diff_and_staged_see_a_symlink_replaced_by_a_file() {
    let repo = Repo::new();
    repo.write(&[("target.txt", "plain\n")]);
    std::os::unix::fs::symlink("target.txt", repo.join("settings.py")).unwrap();
    repo.git(&["add", "target.txt", "settings.py"]);
    repo.commit("a symlink");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    std::fs::remove_file(repo.join("settings.py")).unwrap();
    repo.stage(&[("settings.py", &format!("# real file\n{}", token_line()))]);
    assert_eq!(tokens(repo.path(), &["--staged"], 1), vec![hit("settings.py", 2)]);
    repo.commit("type change");
    assert_eq!(
        tokens(repo.path(), &["--diff", "main"], 1),
        vec![hit("settings.py", 2)]
    );
}

#[cfg(unix)]
#[test]
fn a_mode_change_alone_adds_no_lines() {
    use std::os::unix::fs::PermissionsExt;
    let repo = base_repo(&[("tool.py", &format!("# legacy\n{}", token_line()))]);
    std::fs::set_permissions(repo.join("tool.py"), std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.git(&["add", "tool.py"]);
    repo.commit("executable");
    assert_eq!(tokens(repo.path(), &["--diff", "main"], 0), vec![]);
}

// Point 4: ignore files decide what the gate sees.

#[test]
fn a_tracked_file_matched_by_gitignore_is_scanned() {
    let repo = Repo::new();
    repo.stage(&[(".gitignore", "secrets/\n*.local.py\nbuild/\n")]);
    repo.write(&[
        ("secrets/keys.py", &token_line()),
        ("app.local.py", &format!("\n{}", token_line())),
        ("build/out.py", &token_line()),
    ]);
    repo.git(&["add", "-f", "secrets/keys.py", "app.local.py"]);
    repo.commit("force-added");
    // Tracked files count although .gitignore matches them; the untracked ignored build output
    // does not.
    let expected = vec![hit("app.local.py", 2), hit("secrets/keys.py", 1)];
    assert_eq!(tokens(repo.path(), &[], 1), expected);
    // The same from a subdirectory root, and through --diff.
    assert_eq!(
        tokens(repo.path(), &["secrets"], 1),
        vec![hit("secrets/keys.py", 1)]
    );
    let diffed = base_repo(&[(".gitignore", "secrets/\n"), ("readme.txt", "x\n")]);
    diffed.write(&[("secrets/keys.py", &token_line())]);
    diffed.git(&["add", "-f", "secrets/keys.py"]);
    diffed.commit("force-added");
    assert_eq!(
        tokens(diffed.path(), &["--diff", "main"], 1),
        vec![hit("secrets/keys.py", 1)]
    );
}

#[test]
fn a_pinned_config_does_not_read_repository_ignore_files() {
    let repo = Repo::new();
    repo.stage(&[
        (".guardrailignore", "*\n"),
        ("sub/.ignore", "*.py\n"),
        ("app.py", &token_line()),
        ("sub/mod.py", &format!("\n{}", token_line())),
    ]);
    let trusted = tempfile::tempdir().unwrap();
    let config = trusted.path().join("guardrail.toml");
    std::fs::write(&config, "fail-on = \"error\"\n").unwrap();
    let config = config.display().to_string();
    let both = vec![hit("app.py", 1), hit("sub/mod.py", 2)];
    for mode in [&[][..], &["--staged"][..]] {
        // Discovered, the ignore files apply (and are listed: see the next test); the run
        // scans nothing, which only --allow-empty accepts.
        let allowed: Vec<&str> = mode.iter().copied().chain(["--allow-empty"]).collect();
        assert_eq!(tokens(repo.path(), &allowed, 0), vec![]);
        for pin in [vec!["--no-config"], vec!["--config", config.as_str()]] {
            let args: Vec<&str> = mode.iter().copied().chain(pin.iter().copied()).collect();
            assert_eq!(tokens(repo.path(), &args, 1), both, "{args:?}");
        }
    }
    // Outside git too.
    let plain = tempfile::tempdir().unwrap();
    write_tree(
        plain.path(),
        &[(".guardrailignore", "*\n"), ("app.py", &token_line())],
    );
    assert_eq!(tokens(plain.path(), &["--allow-empty"], 0), vec![]);
    assert_eq!(tokens(plain.path(), &["--no-config"], 1), vec![hit("app.py", 1)]);
}

fn settings(dir: &Path, input: guardrail::Input, ignore_files: bool) -> guardrail::Settings {
    let mut s = guardrail::Settings::new(dir.to_path_buf(), vec![dir.to_path_buf()]);
    s.input = input;
    s.repo_ignore_files = ignore_files;
    s
}

#[test]
fn the_ignore_files_read_and_what_they_excluded_are_reported() {
    let repo = Repo::new();
    repo.stage(&[
        (".guardrailignore", "generated/\n"),
        ("lib/.ignore", "*.snap\n"),
        ("generated/a.py", "a = 1\n"),
        ("generated/b.py", "b = 1\n"),
        ("lib/x.snap", "x\n"),
        ("lib/y.py", "y = 1\n"),
    ]);
    let s = guardrail::sources(&settings(repo.path(), guardrail::Input::Tree, true), None).unwrap();
    assert_eq!(s.ignore_files, [".guardrailignore", "lib/.ignore"]);
    assert_eq!(s.ignored, 3);
    let names: Vec<&str> = s.entries.iter().map(|e| e.display.as_str()).collect();
    assert_eq!(names, [".guardrailignore", "lib/.ignore", "lib/y.py"]);
    let staged = guardrail::sources(&settings(repo.path(), guardrail::Input::Staged, true), None).unwrap();
    assert_eq!(staged.ignore_files, [".guardrailignore", "lib/.ignore"]);
    assert_eq!(staged.ignored, 3);
    let off = guardrail::sources(&settings(repo.path(), guardrail::Input::Tree, false), None).unwrap();
    assert!(off.ignore_files.is_empty());
    assert_eq!((off.ignored, off.entries.len()), (0, 6));
}

// Point 7: a backslash in a file name.

#[cfg(unix)]
#[test]
fn a_backslash_named_decoy_does_not_hide_the_real_file() {
    let files = [
        ("src\\config.py", "name = \"decoy\"\n"),
        ("src/config.py", &format!("\n{}", token_line())),
    ];
    let plain = tempfile::tempdir().unwrap();
    write_tree(plain.path(), &files);
    let repo = Repo::new();
    repo.write(&files);
    // `git add -A`: in a pathspec a backslash escapes the next character.
    repo.git(&["add", "-A"]);
    for dir in [plain.path(), repo.path()] {
        let run = check_json(dir, &[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(findings_of(&run.json, TOKEN), vec![hit("src/config.py", 2)]);
        assert_eq!(run.json["summary"]["files_scanned"], 2);
    }
    assert_eq!(
        tokens(repo.path(), &["--staged"], 1),
        vec![hit("src/config.py", 2)]
    );
    // The decoy holding the secret is reported under its own name.
    let swapped = tempfile::tempdir().unwrap();
    write_tree(
        swapped.path(),
        &[("src\\config.py", &token_line()), ("src/config.py", "x = 1\n")],
    );
    assert_eq!(tokens(swapped.path(), &[], 1), vec![hit("src\\config.py", 1)]);
}

// Point 11: git runs repository-configured programs.

/// Arms `.git/config` and `.gitattributes` with programs that leave `marker` when run.
#[cfg(unix)]
fn arm(repo: &Repo, outside: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let marker = outside.join("ran");
    let script = outside.join("x.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\ncat\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let s = script.display();
    let config = format!(
        "[core]\n\tfsmonitor = {s}\n\thooksPath = {hooks}\n\tpager = {s}\n\
         [filter \"x\"]\n\tclean = {s}\n\tsmudge = {s}\n\tprocess = {s}\n\trequired = true\n\
         [filter \"a=b\"]\n\tclean = {s}\n\
         [diff \"x\"]\n\ttextconv = {s}\n\tcommand = {s}\n\
         [diff]\n\texternal = {s}\n",
        hooks = outside.display()
    );
    let path = repo.join(".git/config");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&config);
    std::fs::write(&path, text).unwrap();
    for hook in ["post-index-change", "pre-commit", "post-checkout"] {
        std::fs::copy(&script, outside.join(hook)).unwrap();
    }
    std::fs::write(repo.join(".git/info/attributes"), "lib.py filter=a=b\n").unwrap();
    marker
}

#[cfg(unix)]
#[test]
fn git_runs_nothing_the_repository_configures() {
    let outside = tempfile::tempdir().unwrap();
    let repo = base_repo(&[
        (".gitattributes", "* filter=x diff=x\n"),
        ("app.py", "import os\n"),
        ("lib.py", "x = 1\n"),
    ]);
    repo.stage(&[("lib.py", &format!("x = 1\n{}", token_line()))]);
    let marker = arm(&repo, outside.path());
    // Edited after staging, so git must hash the working-tree file (through clean filters, if
    // it were allowed to).
    repo.write(&[("app.py", &format!("import os\n{}", token_line()))]);
    assert_eq!(tokens(repo.path(), &["--staged"], 1), vec![hit("lib.py", 2)]);
    let diffed = vec![hit("app.py", 2), hit("lib.py", 2)];
    assert_eq!(tokens(repo.path(), &["--diff", "main"], 1), diffed);
    assert_eq!(tokens(repo.path(), &[], 1), diffed);
    assert!(
        !marker.exists(),
        "repository program ran: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
}

/// The test above proves something only if git would run the programs when not told otherwise.
#[cfg(unix)]
#[test]
fn the_armed_repository_runs_its_programs_under_plain_git() {
    let outside = tempfile::tempdir().unwrap();
    let repo = base_repo(&[
        (".gitattributes", "* filter=x diff=x\n"),
        ("app.py", "import os\n"),
    ]);
    let marker = arm(&repo, outside.path());
    repo.write(&[("app.py", "import os\nx = 1\n")]);
    let out = std::process::Command::new("git")
        .current_dir(repo.path())
        .args(["diff", "main", "--"])
        .output()
        .unwrap();
    assert!(out.status.success() || !out.stderr.is_empty());
    assert!(marker.exists(), "the attack setup is inert");
}

// Point 12: staged blobs one at a time, UTF-16 text.

#[test]
fn utf16_text_with_a_byte_order_mark_is_scanned() {
    let repo = Repo::new();
    let text = format!("\u{feff}# settings\n{}", token_line());
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    std::fs::write(repo.join("le.py"), le).unwrap();
    std::fs::write(repo.join("be.py"), be).unwrap();
    repo.git(&["add", "le.py", "be.py"]);
    let both = vec![hit("be.py", 2), hit("le.py", 2)];
    assert_eq!(tokens(repo.path(), &[], 1), both);
    assert_eq!(tokens(repo.path(), &["--staged"], 1), both);
}

#[cfg(target_os = "linux")]
#[test]
fn an_oversize_staged_blob_is_skipped_unread() {
    let repo = Repo::new();
    let big = std::fs::File::create(repo.join("big.log")).unwrap();
    big.set_len(200 * 1024 * 1024).unwrap();
    drop(big);
    repo.stage(&[("app.py", &token_line())]);
    repo.git(&["add", "big.log"]);
    std::fs::remove_file(repo.join("big.log")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .current_dir(repo.path())
        .args(["check", "--staged", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            let hwm = status.lines().find(|l| l.starts_with("VmHWM:"));
            let kb = hwm
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok());
            peak_kb = peak_kb.max(kb.unwrap_or(0));
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings(&json), vec![hit("app.py", 1)]);
    assert_eq!(json["summary"]["skipped"]["too_large"], 1, "{}", json["summary"]);
    assert!(peak_kb > 0, "could not read the child's peak RSS");
    assert!(peak_kb < 100 * 1024, "peak RSS {} MB", peak_kb / 1024);
}
