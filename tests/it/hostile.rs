//! Hostile input: an adversarial repository generated at test time, resource bounds, policy
//! safety, and contained panics. guardrail must finish, in bounded time and memory, exit 0 or 1,
//! and say what it skipped.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{check_json, fake, guardrail, write_tree};

/// Builds the adversarial tree; returns a directory outside it that a symlink points to.
fn adversarial_repo(root: &Path, outside: &Path) {
    let token = fake(&["acme_", "Q8r2Lm5Xv9", "Tz1Kp4Wn7Hc3Jd"]);
    write_tree(outside, &[("stolen.py", &format!("K = \"{token}\"\n"))]);
    write_tree(
        root,
        &[
            ("real.py", &format!("K = \"{token}\"\n")),
            (".gitignore", "**/**/**/**/**/**/zz*[!a-z]q*[!a-z]q*[!a-z]q\n!**/*.py\n[\n**/{a,b,c,d,e,f,g,h}{a,b,c,d,e,f,g,h}{a,b,c,d}zz\n"),
            (".github/workflows/bomb.yml", &yaml_bomb()),
            ("package.json", &format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))),
            ("deep.rs", &format!("fn f() {{ {}1{} }}\n", "(".repeat(10_000), ")".repeat(10_000))),
        ],
    );
    let f = |name: &str, bytes: &[u8]| std::fs::write(root.join(name), bytes).expect("write");
    f("nul.bin", &[0u8; 4096]);
    f("invalid-utf8.txt", b"\xff\xfe\xfd not utf-8 \xc3\x28\n");
    let utf16: Vec<u8> = "\u{feff}password = hunter22\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    f("utf16.txt", &utf16);
    let mut line = vec![b'a'; 10 * 1024 * 1024];
    line.extend_from_slice(b"\n");
    f("one-line.min.js", &line);
    // A 200 MB file as a sparse file: instant to create, over the default size limit.
    let big = std::fs::File::create(root.join("huge.log")).expect("create");
    big.set_len(200 * 1024 * 1024).expect("set_len");
    let mut deep = root.to_path_buf();
    for _ in 0..500 {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).expect("deep tree");
    std::fs::write(deep.join("leaf.txt"), "leaf\n").expect("leaf");
    let many = root.join("many");
    std::fs::create_dir(&many).expect("mkdir");
    for i in 0..50_000 {
        std::fs::write(many.join(format!("{i}.txt")), "x\n").expect("tiny file");
    }
    unix_specials(root, outside);
}

#[cfg(unix)]
fn unix_specials(root: &Path, outside: &Path) {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;
    symlink(root.join("loop-b"), root.join("loop-a")).expect("symlink");
    symlink(root.join("loop-a"), root.join("loop-b")).expect("symlink");
    symlink(outside, root.join("escape")).expect("symlink");
    symlink(root, root.join("self")).expect("symlink");
    let name = std::ffi::OsStr::from_bytes(b"bad-\xff-name.txt");
    std::fs::write(root.join(name), "fine\n").expect("non-UTF-8 name");
    let fifo = root.join("pipe");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(status.is_ok_and(|s| s.success()), "mkfifo");
    let locked = root.join("locked.txt");
    std::fs::write(&locked, "x\n").expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
}

#[cfg(not(unix))]
fn unix_specials(_: &Path, _: &Path) {}

fn yaml_bomb() -> String {
    let mut s =
        String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(",");
        s.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    s
}

fn pack() -> String {
    crate::common::fixture("core/pack.toml").display().to_string()
}

#[test]
fn adversarial_repository_finishes_bounded_and_reports_what_it_skipped() {
    let root = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    adversarial_repo(root.path(), outside.path());
    let started = Instant::now();
    let r = check_json(root.path(), &["--fail-on", "error"]);
    let took = started.elapsed();
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    assert!(took < Duration::from_secs(60), "took {took:?}");
    let s = &r.json["summary"];
    assert_eq!(s["skipped"]["too_large"], 2, "huge.log and the 10 MB line: {s}");
    // utf16.txt has a byte-order mark: it is decoded and scanned, not skipped as binary.
    assert!(s["skipped"]["binary"].as_u64() >= Some(1), "nul.bin: {s}");
    assert!(s["skipped"]["symlink"].as_u64() >= Some(4), "{s}");
    assert_eq!(s["skipped"]["special"], 1, "the FIFO is never opened: {s}");
    assert!(s["files_scanned"].as_u64() > Some(50_000), "{s}");
    assert!(s["internal_errors"].as_array().is_some_and(Vec::is_empty), "{s}");
    let paths: Vec<String> = crate::common::findings(&r.json)
        .into_iter()
        .map(|f| f.1)
        .collect();
    assert!(
        !paths.iter().any(|p| p.contains("escape") || p.contains("stolen")),
        "{paths:?}"
    );
    assert_eq!(s["bounds"]["alias_expansion"], 1, "bomb.yaml: {s}");
    assert!(s["unparsed"].as_u64() >= Some(2), "bomb.yaml, deep.json: {s}");
    // The same tree with the real token rule: the secret inside the root is found, the one
    // behind the escaping symlink is not.
    let acme = check_json(
        root.path(),
        &["--no-builtin", "--policy", &pack(), "--max-file-size", "67108864"],
    );
    assert_eq!(
        crate::common::findings(&acme.json),
        vec![("acme/acme-token".into(), "real.py".into(), 1, 6)]
    );
    assert_eq!(
        acme.json["summary"]["bounds"]["long_line"], 1,
        "{}",
        acme.json["summary"]
    );
}

#[cfg(target_os = "linux")]
#[test]
fn peak_memory_stays_bounded_on_a_200_mb_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = "let value = compute(alpha, beta); // an ordinary line of code\n";
    let mut text = String::with_capacity(200 * 1024 * 1024 + line.len());
    while text.len() < 200 * 1024 * 1024 {
        text.push_str(line);
    }
    std::fs::write(dir.path().join("big.rs"), &text).expect("write");
    drop(text);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .current_dir(dir.path())
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "--max-file-size",
            "314572800",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    while child.try_wait().expect("wait").is_none() {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            let hwm = status.lines().find(|l| l.starts_with("VmHWM:"));
            let kb = hwm
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok());
            peak_kb = peak_kb.max(kb.unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(peak_kb > 0, "could not read the child's peak RSS");
    assert!(peak_kb < 300 * 1024, "peak RSS {} MB", peak_kb / 1024);
}

#[test]
fn a_panic_in_one_rule_is_contained_named_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[("boom.cfg", "debug = true\n"), ("fine.cfg", "debug = true\n")],
    );
    let out = guardrail()
        .current_dir(dir.path())
        .env("GUARDRAIL_TEST_PANIC", "boom")
        .args(["check", "--format", "json", "--no-builtin", "--policy", &pack()])
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        json["summary"]["internal_errors"][0],
        "boom.cfg: acme/debug-flag: test hook"
    );
    assert_eq!(
        crate::common::findings(&json),
        vec![("acme/debug-flag".into(), "fine.cfg".into(), 1, 1)]
    );
}

#[test]
fn pathological_regexes_are_rejected_at_load_not_hung_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let alternation: Vec<String> = (0..12_000).map(|i| format!("w{i:05}x")).collect();
    let policy = |pattern: &str| {
        format!(
            "[pack]\nname = \"evil\"\n[[rule]]\nid = \"r\"\nmessage = \"m\"\nhelp = \"h\"\n[rule.regex]\npattern = '{pattern}'\n\
             [[rule.example]]\nfail = \"w00001x\"\n[[rule.example]]\npass = \"b\"\n"
        )
    };
    write_tree(
        dir.path(),
        &[
            ("nested.toml", &policy("((a{1,100}){1,100}){1,100}")),
            ("wide.toml", &policy(&alternation.join("|"))),
            ("x.txt", "w00001x\n"),
        ],
    );
    let started = Instant::now();
    let nested = guardrail()
        .current_dir(dir.path())
        .args(["validate", "nested.toml"])
        .output()
        .expect("ran");
    assert_eq!(nested.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&nested.stderr);
    assert!(
        stderr.contains("nested.toml:8:") && stderr.contains("size limit"),
        "{stderr}"
    );
    let wide = check_json(
        dir.path(),
        &["--no-config", "--no-builtin", "--policy", "wide.toml", "x.txt"],
    );
    assert_eq!(
        wide.code, 1,
        "a 100 KB alternation compiles within limits: {}",
        wide.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn parse_depth_and_time_budget_are_configurable_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut steps = String::from("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n");
    for i in 0..100_000 {
        steps.push_str(&format!("      - run: echo {i}\n"));
    }
    write_tree(
        dir.path(),
        &[
            (".github/workflows/big.yml", &steps),
            ("package.json", "{\"a\": {\"b\": {\"c\": {\"d\": [1]}}}}\n"),
        ],
    );
    let slow = check_json(dir.path(), &["--no-config", "--parse-time-budget-ms", "1"]);
    let s = &slow.json["summary"];
    // The 100,000-step workflow always runs out of time; on a loaded machine the tiny
    // package.json may too, and then it is counted the same way.
    let timed_out = s["bounds"]["parse_time"].as_u64().unwrap_or(0);
    assert!((1..=2).contains(&timed_out), "the 100,000-step workflow: {s}");
    assert_eq!(s["unparsed"].as_u64(), Some(timed_out), "{s}");
    let shallow = check_json(
        dir.path(),
        &[
            "--no-config",
            "--parse-time-budget-ms",
            "0",
            "--max-parse-depth",
            "3",
        ],
    );
    let s = &shallow.json["summary"];
    assert_eq!(s["bounds"]["parse_depth"], 2, "{s}");
    assert_eq!(s["unparsed"], 2, "{s}");
    let roomy = check_json(dir.path(), &["--no-config", "--parse-time-budget-ms", "0"]);
    let s = &roomy.json["summary"];
    assert!(s["bounds"].as_object().is_some_and(|b| b.is_empty()), "{s}");
    assert_eq!(s["unparsed"], 0, "{s}");
}

#[test]
fn a_value_rebuilt_from_itself_on_every_line_is_followed_in_bounded_time() {
    // Each read of `q` sees every earlier value, so following them all fans out beyond any
    // depth bound: each data-flow query stops at its step budget instead (issue found with the
    // Java string-builder work, where it hung for minutes).
    let dir = tempfile::tempdir().expect("tempdir");
    let py = format!(
        "def f(cur):\n    q = \"SELECT * FROM t WHERE a = \"\n{}    cur.execute(q)\n",
        "    q = q + q\n".repeat(80)
    );
    let java = format!(
        "class F {{ void f(java.sql.Statement s) throws Exception {{\n String q = \"SELECT * FROM t WHERE a = \";\n{} s.executeQuery(q);\n}} }}\n",
        " q = q + q;\n".repeat(80)
    );
    // A string builder appended to itself fans out the same way.
    let builder = format!(
        "class B {{ void f(java.sql.Statement s) throws Exception {{\n StringBuilder sb = new StringBuilder(\"SELECT * FROM t WHERE a = \");\n{} s.executeQuery(sb.toString());\n}} }}\n",
        " sb.append(sb).append(sb.toString());\n".repeat(80)
    );
    write_tree(
        dir.path(),
        &[("app/f.py", &py), ("src/F.java", &java), ("src/B.java", &builder)],
    );
    let started = Instant::now();
    let run = check_json(dir.path(), &["--no-config", "."]);
    let took = started.elapsed();
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(took < Duration::from_secs(30), "took {took:?}");
}
