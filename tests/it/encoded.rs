//! Encoded content (issue 14 point 4): secrets hidden in base64 (standard and URL-safe), hex,
//! percent-encoding and `\u`/`\x` escapes are found at the encoded segment, with a note saying
//! how they were decoded; near misses stay quiet; the decoding bounds are counted.

use base64::Engine as _;
use serde_json::Value;

use crate::common::{check_json, findings, write_tree};
use crate::gitrepo::token;

const GITHUB_TOKEN: &str = "security/github-token";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn b64url(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE.encode(s)
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// 1-based line and column of the first `needle` in `text`.
fn at(text: &str, needle: &str) -> (u64, u64) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {text}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u64, column as u64)
}

fn run(files: &[(&str, &str)], args: &[&str]) -> (tempfile::TempDir, Value, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_tree(tmp.path(), files);
    let mut all = vec!["--no-config"];
    all.extend_from_slice(args);
    let run = check_json(tmp.path(), &all);
    (tmp, run.json, run.stdout)
}

fn details(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["detail"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn each_encoding_is_reported_at_the_encoded_segment_with_its_note() {
    let t = token();
    let (head, tail) = t.split_at(4);
    let std = b64(&format!("{{\"token\": \"{t}\"}}"));
    let url = b64url(&format!("token={t}??>>"));
    let hexed = hex(&format!("gh={t}"));
    let percent = format!("t={}%5F{}", &head[..3], tail);
    let xs: String = head.bytes().map(|b| format!("\\x{b:02x}")).collect();
    let us: String = head.bytes().map(|b| format!("\\u{:04x}", b)).collect();
    let json = format!("{{\n  \"name\": \"demo\",\n  \"blob\": \"{std}\"\n}}\n");
    let env = format!("A=1\nSECRET_B64={url}\n");
    let yaml = format!("service:\n  key: {hexed}\n");
    let url_yaml = format!("hook: https://hooks.example.invalid/?{percent}\n");
    let js = format!("// config\nconst t = \"{xs}{tail}\";\n");
    let data = format!("{{\"k\": \"{us}{tail}\"}}\n");
    let files = [
        ("config.json", json.as_str()),
        (".env", env.as_str()),
        ("deploy/app.yaml", yaml.as_str()),
        ("deploy/hook.yaml", url_yaml.as_str()),
        ("web/app.js", js.as_str()),
        ("web/data.json", data.as_str()),
    ];
    let (_tmp, json_out, stdout) = run(&files, &[]);
    let expect = |path: &str, text: &str, segment: &str| {
        let (line, column) = at(text, segment);
        (GITHUB_TOKEN.to_string(), path.to_string(), line, column)
    };
    assert_eq!(
        findings(&json_out),
        vec![
            expect(".env", &env, &url),
            expect("config.json", &json, &std),
            expect("deploy/app.yaml", &yaml, &hexed),
            expect("deploy/hook.yaml", &url_yaml, &percent),
            expect("web/app.js", &js, &xs),
            expect("web/data.json", &data, &us),
        ]
    );
    // Spot-check the arithmetic of `at` on two of them.
    assert_eq!(findings(&json_out)[0].2..=findings(&json_out)[0].3, 2..=12);
    assert_eq!(findings(&json_out)[1].2..=findings(&json_out)[1].3, 3..=12);
    assert_eq!(
        details(&json_out),
        [
            "decoded from URL-safe base64",
            "decoded from base64",
            "decoded from hex",
            "decoded from percent-encoding",
            "decoded from JSON/JavaScript escapes",
            "decoded from JSON/JavaScript escapes",
        ]
    );
    for secret in [&t, &std, &url, &hexed, &percent] {
        assert!(
            !stdout.contains(secret.as_str()),
            "secret or its encoding in the output"
        );
    }
}

#[test]
fn decoded_findings_show_in_human_and_sarif_output_without_the_secret() {
    let t = token();
    let encoded = b64(&format!("token: {t}"));
    let tmp = tempfile::tempdir().expect("tempdir");
    write_tree(tmp.path(), &[("settings.yaml", &format!("blob: {encoded}\n"))]);
    for format in ["human", "sarif"] {
        let out = crate::common::guardrail()
            .current_dir(tmp.path())
            .args(["check", "--no-config", "--format", format])
            .output()
            .expect("ran");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("decoded from base64"), "{format}: {stdout}");
        assert!(
            !stdout.contains(&t) && !stdout.contains(&encoded),
            "{format} leaks"
        );
    }
}

#[test]
fn near_misses_stay_quiet() {
    // Deterministic pseudo-random bytes: a key, not text.
    let mut x: u32 = 0x2545_f491;
    let random: Vec<u8> = (0..48)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    let random = base64::engine::general_purpose::STANDARD.encode(random);
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let png =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let prose = b64("Just an ordinary README paragraph about the project.");
    let json = format!(
        "{{\n  \"nonce\": \"{random}\",\n  \"sha256\": \"{sha}\",\n  \"icon\": \"data:image/png;base64,{png}\",\n  \"note\": \"{prose}\"\n}}\n"
    );
    let html = format!(
        "<img src=\"data:image/png;base64,{png}\">\n<a href=\"/search?q=caf%C3%A9%20au%20lait\">x</a>\n"
    );
    let (_tmp, out, _) = run(&[("fixtures.json", &json), ("index.html", &html)], &[]);
    assert_eq!(findings(&out), vec![]);
    assert_eq!(out["summary"]["bounds"], serde_json::json!({}));
}

#[test]
fn a_secret_in_plain_and_encoded_form_is_reported_once() {
    let t = token();
    let text = format!("token = \"{t}\"\ncopy = \"{}\"\n", b64(&t));
    let (_tmp, out, _) = run(&[("app.py", &text)], &[]);
    assert_eq!(
        findings(&out),
        vec![(GITHUB_TOKEN.into(), "app.py".into(), 1, 10)]
    );
    assert_eq!(details(&out), [""]);
}

#[test]
fn nested_encodings_are_followed_to_the_depth_bound_and_named() {
    let t = token();
    let (head, tail) = t.split_at(3);
    let percent = format!("t={head}%5F{}", &tail[1..]);
    let twice = b64(&percent);
    let text = format!("value: {twice}\n");
    let (_tmp, out, _) = run(&[("ci.yaml", &text)], &[]);
    assert_eq!(
        findings(&out),
        vec![(GITHUB_TOKEN.into(), "ci.yaml".into(), 1, 8)]
    );
    assert_eq!(details(&out), ["decoded from base64, then percent-encoding"]);
    // Three levels: the third is past the default depth of 2, and counted.
    let thrice = b64(&b64(&format!("token: {t}")));
    let text = format!("value: {}\n", b64(&thrice));
    let (_tmp, out, _) = run(&[("ci.yaml", &text)], &[]);
    assert_eq!(findings(&out), vec![]);
    assert_eq!(out["summary"]["bounds"]["decode_depth"], 1);
    let (_tmp, out, _) = run(&[("ci.yaml", &text)], &["--max-decode-depth", "3"]);
    assert_eq!(findings(&out).len(), 1);
    assert_eq!(details(&out), ["decoded from base64, then base64, then base64"]);
}

#[test]
fn segment_and_byte_bounds_stop_decoding_and_are_counted() {
    let t = token();
    let line = |i: usize| format!("k{i}: {}\n", b64(&format!("n{i} token: {t}")));
    let text: String = (0..3).map(line).collect();
    let (_tmp, out, _) = run(&[("a.yaml", &text)], &[]);
    assert_eq!(findings(&out).len(), 3);
    let (_tmp, out, _) = run(&[("a.yaml", &text)], &["--max-decode-segments", "1"]);
    assert_eq!(findings(&out), vec![(GITHUB_TOKEN.into(), "a.yaml".into(), 1, 5)]);
    assert_eq!(out["summary"]["bounds"]["decode_segments"], 1);
    let (_tmp, out, _) = run(&[("a.yaml", &text)], &["--max-decoded-bytes", "60"]);
    assert_eq!(findings(&out).len(), 1);
    assert_eq!(out["summary"]["bounds"]["decode_bytes"], 1);
    let (_tmp, out, _) = run(&[("a.yaml", &text)], &["--max-decode-depth", "0"]);
    assert_eq!(findings(&out), vec![]);
    // The config sets them too.
    let config = "[decode]\nmax-segments = 2\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    write_tree(tmp.path(), &[("a.yaml", &text), ("guardrail.toml", config)]);
    let run = check_json(tmp.path(), &[]);
    assert_eq!(findings(&run.json).len(), 2);
    assert_eq!(run.json["summary"]["bounds"]["decode_segments"], 1);
}

#[test]
fn fingerprints_of_decoded_findings_are_stable_and_hold_no_secret() {
    let t = token();
    let encoded = b64(&format!("token: {t}"));
    let (_tmp, first, _) = run(&[("a.yaml", &format!("k: {encoded}\n"))], &[]);
    let (_tmp, moved, _) = run(&[("a.yaml", &format!("# moved\n\nk: {encoded}\n"))], &[]);
    let fp = |j: &Value| {
        j["findings"][0]["fingerprint"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(fp(&first).len(), 32);
    assert_eq!(fp(&first), fp(&moved));
    assert!(!fp(&first).contains(&t[4..12]));
    // Another secret in the same place is a new finding.
    let other = t.replace('a', "b");
    let (_tmp, changed, _) = run(
        &[("a.yaml", &format!("k: {}\n", b64(&format!("token: {other}"))))],
        &[],
    );
    assert_ne!(fp(&first), fp(&changed));
}
