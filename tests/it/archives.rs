//! Archives (issue 14 point 5): members of zip, jar, tar, tar.gz and gz files are scanned like
//! files and reported as `outer!inner`; bombs, deep nesting and corrupt archives are bounded or
//! reported, never a panic or a silent pass. Archives are built here with the same crates.

use std::io::Write;

use serde_json::Value;

use crate::common::{check_json, findings, guardrail};
use crate::gitrepo::{token, token_line, Repo};

const GITHUB_TOKEN: &str = "security/github-token";

/// A zip archive (deflated) of `files`.
pub fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(*name, opts).expect("zip entry");
        w.write_all(data).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// A tar archive of `files`.
pub fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        b.append_data(&mut header, name, *data).expect("tar entry");
    }
    b.into_inner().expect("tar finish")
}

/// `data` gzipped.
pub fn gz_of(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("gz write");
    e.finish().expect("gz finish")
}

fn write(dir: &std::path::Path, files: &[(&str, Vec<u8>)]) {
    for (rel, data) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, data).expect("write");
    }
}

fn scan(files: &[(&str, Vec<u8>)], args: &[&str]) -> (tempfile::TempDir, Value, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), files);
    let mut all = vec!["--no-config"];
    all.extend_from_slice(args);
    let run = check_json(tmp.path(), &all);
    (tmp, run.json, run.stdout)
}

fn env_with_token() -> Vec<u8> {
    format!("# settings\n{}", token_line()).into_bytes()
}

#[test]
fn members_of_every_format_are_scanned_under_outer_inner_paths() {
    let env = env_with_token();
    let files = [
        (
            "bundle.zip",
            zip_of(&[("README.md", b"hello\n"), ("conf/app.env", &env)]),
        ),
        ("lib/app.jar", zip_of(&[("META-INF/app.properties", &env)])),
        ("dist/site.whl", zip_of(&[("site/settings.py", &env)])),
        ("dist/pkg.tar.gz", gz_of(&tar_of(&[("pkg/.env", &env)]))),
        ("dist/pkg.tar", tar_of(&[("pkg/deploy.sh", &env)])),
        ("logs/settings.env.gz", gz_of(&env)),
    ];
    let (_tmp, json, stdout) = scan(&files, &[]);
    let at = |path: &str| (GITHUB_TOKEN.to_string(), path.to_string(), 2, 10);
    assert_eq!(
        findings(&json),
        vec![
            at("bundle.zip!conf/app.env"),
            at("dist/pkg.tar!pkg/deploy.sh"),
            at("dist/pkg.tar.gz!pkg/.env"),
            at("dist/site.whl!site/settings.py"),
            at("lib/app.jar!META-INF/app.properties"),
            at("logs/settings.env.gz!settings.env"),
        ]
    );
    // Six archives and seven members.
    assert_eq!(json["summary"]["files_scanned"], 13);
    assert!(!stdout.contains(&token()));
}

#[test]
fn a_zip_inside_a_tar_gz_is_opened_and_named_with_both() {
    let env = env_with_token();
    let inner = zip_of(&[("config/app.yml", &env)]);
    let outer = gz_of(&tar_of(&[
        ("bundle/inner.zip", &inner),
        ("bundle/notes.txt", b"x\n"),
    ]));
    let (_tmp, json, _) = scan(&[("release.tar.gz", outer)], &[]);
    assert_eq!(
        findings(&json),
        vec![(
            GITHUB_TOKEN.into(),
            "release.tar.gz!bundle/inner.zip!config/app.yml".into(),
            2,
            10
        )]
    );
}

#[test]
fn human_and_sarif_output_show_the_member_path() {
    let files = [("bundle.zip", zip_of(&[("conf/app.env", &env_with_token())]))];
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), &files);
    let out = |format: &str| {
        let o = guardrail()
            .current_dir(tmp.path())
            .args(["check", "--no-config", "--format", format])
            .output()
            .expect("ran");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert!(
        out("human").contains("bundle.zip!conf/app.env:2:10"),
        "{}",
        out("human")
    );
    let sarif: Value = serde_json::from_str(&out("sarif")).expect("sarif");
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "bundle.zip!conf/app.env");
}

#[test]
fn a_zip_bomb_is_stopped_by_the_ratio_bound_and_named() {
    let zeros = vec![b'0'; 24 * 1024 * 1024];
    let bomb = zip_of(&[("a.env", &env_with_token()), ("zeros.txt", &zeros)]);
    assert!(
        bomb.len() < 200 * 1024,
        "the bomb compresses well: {}",
        bomb.len()
    );
    let (_tmp, json, _) = scan(&[("bomb.zip", bomb)], &[]);
    assert_eq!(json["summary"]["bounds"]["archive_ratio"], 1);
    assert_eq!(
        findings(&json),
        vec![(GITHUB_TOKEN.into(), "bomb.zip!a.env".into(), 2, 10)]
    );
    assert_eq!(json["summary"]["internal_errors"], serde_json::json!([]));
    // A gzip bomb too.
    let (_tmp, json, _) = scan(&[("zeros.txt.gz", gz_of(&zeros))], &[]);
    assert_eq!(json["summary"]["bounds"]["archive_ratio"], 1);
}

#[test]
fn nesting_past_the_depth_bound_is_not_opened_and_is_counted() {
    let c = zip_of(&[("secret.env", &env_with_token())]);
    let b = zip_of(&[("c.zip", &c)]);
    let a = zip_of(&[("b.zip", &b)]);
    let (_tmp, json, _) = scan(&[("a.zip", a.clone())], &[]);
    assert_eq!(findings(&json), vec![]);
    assert_eq!(json["summary"]["bounds"]["archive_depth"], 1);
    let (_tmp, json, _) = scan(&[("a.zip", a.clone())], &["--max-archive-depth", "3"]);
    assert_eq!(
        findings(&json),
        vec![(GITHUB_TOKEN.into(), "a.zip!b.zip!c.zip!secret.env".into(), 2, 10)]
    );
    let (_tmp, json, _) = scan(&[("a.zip", a)], &["--max-archive-depth", "0", "--allow-empty"]);
    assert_eq!(findings(&json), vec![]);
    assert_eq!(json["summary"]["skipped"]["binary"], 1);
}

#[test]
fn member_count_and_byte_bounds_are_counted() {
    let env = env_with_token();
    let many: Vec<(String, Vec<u8>)> = (0..5).map(|i| (format!("m{i}.env"), env.clone())).collect();
    let refs: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let (_tmp, json, _) = scan(&[("many.zip", zip_of(&refs))], &["--max-archive-members", "2"]);
    assert_eq!(findings(&json).len(), 2);
    assert_eq!(json["summary"]["bounds"]["archive_members"], 1);
    let (_tmp, json, _) = scan(&[("many.zip", zip_of(&refs))], &["--max-archive-bytes", "100"]);
    assert_eq!(findings(&json).len(), 1);
    assert_eq!(json["summary"]["bounds"]["archive_bytes"], 1);
}

#[test]
fn a_corrupt_archive_is_reported_not_passed() {
    let good = zip_of(&[("a.env", &env_with_token())]);
    let truncated = good[..good.len() / 2].to_vec();
    let bad_gz = gz_of(&tar_of(&[("x.env", &env_with_token())]))[..30].to_vec();
    let files = [
        ("broken.zip", truncated),
        ("broken.tar.gz", bad_gz),
        ("garbage.tgz", b"not gzip at all\n".to_vec()),
    ];
    let (_tmp, json, _) = scan(&files, &[]);
    let unreadable: Vec<String> = findings(&json)
        .into_iter()
        .filter(|f| f.0 == "guardrail/unreadable-archive")
        .map(|f| f.1)
        .collect();
    assert_eq!(unreadable, ["broken.tar.gz", "broken.zip", "garbage.tgz"]);
    assert_eq!(json["summary"]["warnings"], 3);
    assert_eq!(json["summary"]["internal_errors"], serde_json::json!([]));
}

#[test]
fn a_baseline_silences_an_archive_member_by_fingerprint() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[("bundle.zip", zip_of(&[("conf/app.env", &env_with_token())]))],
    );
    let written = check_json(tmp.path(), &["--no-config", "--write-baseline=base.toml"]);
    assert_eq!(
        written.json["summary"]["suppressed"]["baseline"], 1,
        "{}",
        written.stdout
    );
    let run = check_json(tmp.path(), &["--no-config", "--baseline", "base.toml"]);
    assert_eq!(findings(&run.json), vec![]);
    assert_eq!(run.json["summary"]["suppressed"]["baseline"], 1);
    let baseline = std::fs::read_to_string(tmp.path().join("base.toml")).expect("baseline");
    assert!(baseline.contains("bundle.zip!conf/app.env"), "{baseline}");
    assert!(!baseline.contains(&token()));
}

#[test]
fn staged_archives_and_archives_in_history_are_scanned() {
    let repo = Repo::new();
    std::fs::write(
        repo.join("bundle.zip"),
        zip_of(&[("conf/app.env", &env_with_token())]),
    )
    .expect("write");
    repo.git(&["add", "bundle.zip"]);
    let staged = check_json(repo.path(), &["--no-config", "--staged"]);
    assert_eq!(
        findings(&staged.json),
        vec![(GITHUB_TOKEN.into(), "bundle.zip!conf/app.env".into(), 2, 10)]
    );
    repo.commit("add the bundle");
    let added = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.git(&["rm", "-q", "bundle.zip"]);
    repo.commit("remove the bundle");
    let out = guardrail()
        .current_dir(repo.path())
        .args(["history", "--no-config", "--format", "json"])
        .output()
        .expect("ran");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        findings(&json),
        vec![(GITHUB_TOKEN.into(), "bundle.zip!conf/app.env".into(), 2, 10)]
    );
    assert_eq!(json["findings"][0]["commit"]["id"], added.as_str());
    assert_eq!(
        json["findings"][0]["occurrences"][0]["path"],
        "bundle.zip!conf/app.env"
    );
}

#[test]
fn path_rules_and_contexts_see_member_paths() {
    let key = zip_of(&[
        ("id_rsa", b"not really a key\n"),
        ("tests/fixtures/app.env", &env_with_token()),
    ]);
    let (_tmp, json, _) = scan(&[("backup.zip", key)], &[]);
    let got: Vec<(String, String, &str)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["context"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "security/private-key-file".into(),
                "backup.zip!id_rsa".into(),
                "source"
            ),
            (
                GITHUB_TOKEN.into(),
                "backup.zip!tests/fixtures/app.env".into(),
                "test"
            ),
        ]
    );
}

#[test]
fn diff_mode_reports_members_of_a_changed_archive_and_of_one_added_and_removed() {
    let repo = Repo::new();
    repo.stage(&[("README.md", "hello\n")]);
    repo.commit("init");
    repo.git(&["checkout", "-q", "-b", "pr"]);
    std::fs::write(repo.join("gone.zip"), zip_of(&[("a.env", &env_with_token())])).expect("write");
    repo.git(&["add", "gone.zip"]);
    repo.commit("add an archive");
    let added = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.git(&["rm", "-q", "gone.zip"]);
    repo.commit("remove it again");
    let other = ["ghp_", "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"].concat();
    let kept = format!("token = \"{other}\"\n");
    std::fs::write(repo.join("kept.tar"), tar_of(&[("conf/k.env", kept.as_bytes())])).expect("write");
    repo.git(&["add", "kept.tar"]);
    repo.commit("an archive that stays");
    let out = guardrail()
        .current_dir(repo.path())
        .args(["check", "--no-config", "--format", "json", "--diff", "main"])
        .output()
        .expect("ran");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        findings(&json),
        vec![
            (GITHUB_TOKEN.into(), "gone.zip!a.env".into(), 2, 10),
            (GITHUB_TOKEN.into(), "kept.tar!conf/k.env".into(), 1, 10),
        ]
    );
    assert_eq!(json["findings"][0]["commit"]["id"], added.as_str());
}

#[test]
fn a_corrupt_archive_among_test_fixtures_is_a_note() {
    let files = [
        (
            "tests/data/truncated.gz",
            b"\x1f\x8b\x08\x00 not a deflate stream".to_vec(),
        ),
        ("docs/sample.zip", b"PK\x03\x04 truncated".to_vec()),
        ("assets/broken.tgz", b"not gzip at all\n".to_vec()),
    ];
    let (_tmp, json, _) = scan(&files, &[]);
    let mut unreadable: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "guardrail/unreadable-archive")
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("path"), s("severity"), s("context"))
        })
        .collect();
    unreadable.sort();
    let row = |p: &str, s: &str, c: &str| (p.to_string(), s.to_string(), c.to_string());
    assert_eq!(
        unreadable,
        [
            row("assets/broken.tgz", "warning", "source"),
            row("docs/sample.zip", "note", "docs"),
            row("tests/data/truncated.gz", "note", "test"),
        ]
    );
    assert_eq!(json["summary"]["warnings"], 1);
}
