//! `guardrail report` (issue 15): every metric on repositories built here with known history
//! (dates, authors, owners, suppressions with reasons, a baseline), merging reports of several
//! repositories and of shards, bad input, and the HTML page in a real browser.
//!
//! The browser test needs `chromium` (`.ci/run` installs Debian's package). Without it the test
//! skips, loudly, except under CI, where it fails.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{fake, guardrail, IG};
use crate::gitrepo::{git_command, Repo};

/// A token per place, so each finding has its own content.
fn token(tail: &str) -> String {
    fake(&["ghp_", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1x", tail])
}

/// Commits everything as `author` at `date` (author and committer date alike).
fn commit_as(repo: &Repo, author: &str, date: &str, message: &str) {
    repo.git(&["add", "-A"]);
    let out = git_command(repo.path())
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .args(["commit", "-q", "--no-verify", "-m", message])
        .output()
        .expect("git runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The planted secrets of [`history_repo`].
fn planted() -> [String; 3] {
    [token("Y3zA5"), token("Q7rT9"), token("K2mP4")]
}

/// Three commits by three people:
/// - 2024-01-01 Alice: `src/app.py` with a token (baselined in the last commit), CODEOWNERS;
/// - 2024-03-01 Bob: `tests/fixture.py`, a token under a suppression comment with a reason;
/// - 2024-06-01 Carol: `public/config.js` with a token (open, shipped to clients), the baseline.
fn history_repo() -> Repo {
    let [app, fixture, public] = planted();
    let repo = Repo::new();
    repo.write(&[
        ("src/app.py", &format!("import os\nTOKEN = \"{app}\"\n")),
        (".github/CODEOWNERS", "* @all\n/src/ @core\n/public/ @web\n"),
    ]);
    commit_as(&repo, "Alice", "2024-01-01T12:00:00Z", "app");
    repo.write(&[(
        "tests/fixture.py",
        &format!("x = 1\n# {IG} -- fixture token, revoked\nT = \"{fixture}\"\n"),
    )]);
    commit_as(&repo, "Bob", "2024-03-01T12:00:00Z", "fixture");
    let out = guardrail()
        .current_dir(repo.path())
        .args(["check", "--write-baseline", "--format", "json"])
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    repo.write(&[
        ("guardrail.toml", "baseline = \".guardrail-baseline.toml\"\n"),
        ("public/config.js", &format!("const key = \"{public}\";\n")),
    ]);
    commit_as(&repo, "Carol", "2024-06-01T12:00:00Z", "public config");
    repo
}

/// `guardrail report ARGS` in `dir`: exit code, stdout, stderr.
fn report(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = guardrail()
        .current_dir(dir)
        .arg("report")
        .args(args)
        .output()
        .expect("ran");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn report_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let (code, stdout, stderr) = report(dir, &all);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// The row of `key` in the aggregate `list`: (open, debt).
fn row(p: &Value, list: &str, key: &str) -> (u64, u64) {
    let rows = p[list].as_array().expect("rows");
    let r = rows
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {list}: {rows:?}"));
    (r["open"].as_u64().unwrap_or(0), r["debt"].as_u64().unwrap_or(0))
}

#[test]
fn totals_owners_contexts_and_categories() {
    let repo = history_repo();
    let p = report_json(repo.path(), &[]);
    assert_eq!(p["contract"], "guardrail-portfolio");
    assert_eq!(p["version"], 1);
    let t = &p["totals"];
    assert_eq!(
        (
            t["open"].as_u64(),
            t["baselined"].as_u64(),
            t["suppressed"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{t}"
    );
    assert_eq!(row(&p, "by_category", "security"), (1, 2));
    assert_eq!(row(&p, "by_owner", "@web"), (1, 0));
    assert_eq!(row(&p, "by_owner", "@core"), (0, 1));
    assert_eq!(row(&p, "by_owner", "@all"), (0, 1));
    assert_eq!(row(&p, "by_context", "test"), (0, 1));
    assert_eq!(row(&p, "by_directory", "public/"), (1, 0));
    assert_eq!(row(&p, "by_rule", "security/github-token"), (1, 2));
    assert_eq!(p["as_of"], "2024-06-01T12:00:00Z");
    assert_eq!(p["repositories"][0]["commit"].as_str().map(str::len), Some(40));
}

#[test]
fn owners_match_repository_paths_from_a_subdirectory() {
    let repo = history_repo();
    let p = report_json(&repo.join("src"), &[]);
    assert_eq!(row(&p, "by_owner", "@core"), (0, 1));
    assert_eq!(p["codeowners"], ".github/CODEOWNERS");
}

#[test]
fn priority_puts_the_exposed_open_secret_first() {
    let repo = history_repo();
    let p = report_json(repo.path(), &[]);
    let first = &p["fix_first"][0];
    assert_eq!(first["path"], "public/config.js");
    assert_eq!(first["exposed"], true);
    assert_eq!(first["status"], "open");
    // error 10 × security 3 × source 1 × exposed 2 × open 1
    assert_eq!(first["score"], 60.0);
    let scores: Vec<f64> = p["fix_first"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["score"].as_f64())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn debt_has_reasons_ages_and_who_suppressed_it() {
    let repo = history_repo();
    let p = report_json(repo.path(), &[]);
    let debt = &p["debt"];
    assert_eq!(
        (debt["baselined"].as_u64(), debt["suppressed"].as_u64()),
        (Some(1), Some(1))
    );
    let oldest = debt["oldest"].as_array().expect("list");
    // Alice's line of 2024-01-01, 152 days before HEAD (2024-06-01).
    assert_eq!(oldest[0]["path"], "src/app.py");
    assert_eq!(oldest[0]["status"], "baselined");
    assert_eq!(oldest[0]["introduced"]["author"], "Alice");
    assert_eq!(oldest[0]["introduced"]["age_days"], 152);
    // Bob's suppression of 2024-03-01: 92 days, with its reason and its author.
    assert_eq!(oldest[1]["path"], "tests/fixture.py");
    assert_eq!(oldest[1]["reason"], "fixture token, revoked");
    assert_eq!(oldest[1]["introduced"]["age_days"], 92);
    assert_eq!(oldest[1]["suppressed_by"]["author"], "Bob");
    assert_eq!(oldest[1]["suppressed_by"]["date"], "2024-03-01");
    assert_eq!(debt["median_age_days"], 152);
    assert_eq!(row(&debt.clone(), "by_age", "90-365 days"), (0, 2));
}

#[test]
fn no_secret_in_any_format() {
    let repo = history_repo();
    for format in ["html", "markdown", "json"] {
        let (code, out, err) = report(repo.path(), &["--format", format, "--trend", "2"]);
        assert_eq!(code, 0, "{err}");
        for secret in planted() {
            assert!(!out.contains(&secret), "{format} output holds a planted secret");
            assert!(
                !out.contains(&secret[4..20]),
                "{format} output holds part of a planted secret"
            );
        }
    }
}

#[test]
fn trend_from_past_commits_and_from_saved_reports() {
    let repo = history_repo();
    let p = report_json(repo.path(), &["--trend", "2"]);
    let trend = p["trend"].as_array().expect("trend");
    assert_eq!(trend.len(), 3, "two past commits and HEAD: {trend:?}");
    let open: Vec<u64> = trend.iter().filter_map(|t| t["open"].as_u64()).collect();
    let baselined: Vec<u64> = trend.iter().filter_map(|t| t["baselined"].as_u64()).collect();
    // Today's baseline over the past trees: Alice's token was there from the start.
    assert_eq!(open, [0, 0, 1]);
    assert_eq!(baselined, [1, 1, 1]);
    assert_eq!(trend[0]["date"], "2024-01-01T12:00:00Z");

    // The same from two saved reports, given newest first: ordered by commit date. Before the
    // last commit there was no baseline, so Alice's token was open then.
    let saved = tempfile::tempdir().expect("tempdir");
    let old = saved.path().join("old.json");
    let new = saved.path().join("new.json");
    let dir = repo.path();
    save_check(dir, &new, &[]);
    repo.git(&["checkout", "-q", "HEAD~1"]);
    save_check(dir, &old, &[]);
    let p = report_json(dir, &["--from", path(&new), "--from", path(&old)]);
    let points = p["trend"].as_array().expect("trend");
    let open: Vec<u64> = points.iter().filter_map(|t| t["open"].as_u64()).collect();
    let baselined: Vec<u64> = points.iter().filter_map(|t| t["baselined"].as_u64()).collect();
    assert_eq!((open, baselined), (vec![1, 1], vec![0, 1]));
    assert_eq!(p["totals"]["open"], 1, "the newest snapshot is the current one");
}

#[test]
fn saved_reports_read_in_their_checkout_get_ages_and_owners() {
    let repo = history_repo();
    let saved = tempfile::tempdir().expect("tempdir");
    let file = saved.path().join("r.json");
    save_check(repo.path(), &file, &[]);
    let here = report_json(repo.path(), &["--from", path(&file)]);
    assert_eq!(here["debt"]["oldest"][0]["introduced"]["age_days"], 152);
    assert_eq!(row(&here, "by_owner", "@web"), (1, 0));
    let elsewhere = report_json(saved.path(), &["--from", path(&file)]);
    assert_eq!(elsewhere["debt"]["oldest"][0]["introduced"], Value::Null);
    assert_eq!(row(&elsewhere, "by_owner", "(no CODEOWNERS)"), (1, 2));
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `guardrail check --format json -o FILE ARGS` in `dir`.
fn save_check(dir: &Path, file: &Path, args: &[&str]) {
    let out = guardrail()
        .current_dir(dir)
        .args(["check", "--format", "json", "--allow-empty", "-o", path(file)])
        .args(args)
        .output()
        .expect("ran");
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn reports_of_several_repositories_merge_into_one_portfolio() {
    let out = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for (name, tail) in [("org/api", "A1b2C"), ("org/web", "D3e4F")] {
        let repo = Repo::new();
        repo.write(&[("src/a.py", &format!("T = \"{}\"\n", token(tail)))]);
        commit_as(&repo, "Dee", "2024-02-02T00:00:00Z", "a");
        let file = out.path().join(format!("{}.json", name.replace('/', "-")));
        let status = guardrail()
            .current_dir(repo.path())
            .env("GUARDRAIL_REPOSITORY", name)
            .args(["check", "--format", "json", "-o", path(&file)])
            .output()
            .expect("ran");
        assert_eq!(status.status.code(), Some(1));
        files.push(file);
    }
    let p = report_json(
        out.path(),
        &["--from", path(&files[0]), "--from", path(&files[1])],
    );
    let names: Vec<&str> = p["repositories"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names, ["org/api", "org/web"]);
    assert_eq!(p["totals"]["open"], 2);
    assert_eq!(p["totals"]["repositories"], 2);
    assert_eq!(row(&p, "by_directory", "org/web: src/"), (1, 0));
    let (code, md, _) = report(
        out.path(),
        &[
            "--format",
            "markdown",
            "--from",
            path(&files[0]),
            "--from",
            path(&files[1]),
        ],
    );
    assert_eq!(code, 0);
    assert!(md.contains("### Repositories") && md.contains("org/api"), "{md}");
}

#[test]
fn merged_shards_equal_the_whole() {
    let repo = Repo::new();
    let mut files = Vec::new();
    for i in 0..24 {
        files.push((
            format!("m{i}/f{i}.py"),
            format!("T = \"{}\"\nlog.info(user.email)\n", token(&format!("Z{i:02}xY"))),
        ));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    repo.write(&refs);
    commit_as(&repo, "Eve", "2024-05-05T00:00:00Z", "many");
    let dir = repo.path();
    // A baseline of half the files, and two of its files gone: stale entries, which only the
    // shard that owns each file may report.
    let half: Vec<&str> = refs.iter().take(12).map(|(p, _)| *p).collect();
    let mut args = vec!["check", "--format", "json", "--write-baseline=base.toml"];
    args.extend(&half);
    guardrail().current_dir(dir).args(&args).output().expect("ran");
    std::fs::remove_file(dir.join(half[0])).expect("rm");
    std::fs::remove_file(dir.join(half[5])).expect("rm");
    let reports = tempfile::tempdir().expect("tempdir");
    let whole = reports.path().join("whole.json");
    save_check(dir, &whole, &["--baseline", "base.toml"]);
    let mut shard_files = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let f = reports.path().join(format!("shard{k}.json"));
        save_check(
            dir,
            &f,
            &["--baseline", "base.toml", "--shard", &format!("{k}/3")],
        );
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&f).expect("read")).expect("json");
        assert_eq!(doc["repository"]["shard"]["index"], k);
        seen.extend(fingerprints(&doc));
        shard_files.push(f);
    }
    let whole_doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&whole).expect("read")).expect("json");
    let mut all = fingerprints(&whole_doc);
    assert!(all.len() >= 24);
    let stale = all
        .iter()
        .filter(|f| f.starts_with("guardrail/stale-baseline"))
        .count();
    assert_eq!(stale, 4, "two rules in each of two deleted files: {all:?}");
    all.sort();
    seen.sort();
    assert_eq!(seen, all, "each finding in exactly one shard");
    let mut merged = report_json(
        dir,
        &[
            "--from",
            path(&shard_files[0]),
            "--from",
            path(&shard_files[1]),
            "--from",
            path(&shard_files[2]),
        ],
    );
    let mut single = report_json(dir, &["--from", path(&whole)]);
    assert_eq!(merged["repositories"][0]["reports"], 3);
    for p in [&mut merged, &mut single] {
        p["repositories"][0]["reports"] = Value::Null;
    }
    assert_eq!(merged, single);
}

/// `rule fingerprint status` of every finding and silenced finding of a check report.
fn fingerprints(doc: &Value) -> Vec<String> {
    let open = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f, "open"));
    let silenced = doc["suppressed_findings"]
        .as_array()
        .expect("suppressed")
        .iter()
        .map(|f| (f, "silenced"));
    open.chain(silenced)
        .map(|(f, status)| {
            format!(
                "{} {} {status}",
                f["rule"].as_str().unwrap_or_default(),
                f["fingerprint"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn bad_input_is_named_and_exits_2_without_a_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("broken.json", "{\"version\": 1, ", "not a JSON report"),
        (
            "sarif.json",
            "{\"version\": \"2.1.0\", \"runs\": []}",
            "not a guardrail report",
        ),
        (
            "v2.json",
            "{\"version\": 2, \"tool\": {\"name\": \"guardrail\"}, \"findings\": []}",
            "contract version 2",
        ),
        (
            "other.json",
            "{\"version\": 1, \"tool\": {\"name\": \"gitleaks\"}}",
            "gitleaks",
        ),
    ];
    for (name, text, problem) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, text).expect("write");
        let page = dir.path().join("page.html");
        let (code, _, err) = report(dir.path(), &["--from", path(&file), "-o", path(&page)]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(name) && err.contains(problem), "{name}: {err}");
        assert!(!page.exists(), "{name}: no page is written");
    }
    // An unreadable CODEOWNERS (a directory where the file should be).
    let repo = Repo::new();
    repo.write(&[("a.py", "x = 1\n")]);
    std::fs::create_dir_all(repo.join(".github/CODEOWNERS")).expect("mkdir");
    commit_as(&repo, "Eve", "2024-05-05T00:00:00Z", "a");
    let (code, out, err) = report(repo.path(), &["--format", "markdown"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(".github/CODEOWNERS") && err.contains("cannot read"),
        "{err}"
    );
    assert!(out.is_empty());
}

/// `chromium` when it runs here; `None` (with a loud message) when it is missing, except under
/// CI, where a missing browser is a failure.
fn chromium() -> Option<PathBuf> {
    let works = Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(PathBuf::from("chromium"));
    }
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but chromium is not installed: `apt-get install -y --no-install-recommends chromium` (.ci/run does)");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: chromium is not installed (`apt-get install chromium`); the HTML report was not checked in a browser ***\n"
    );
    None
}

/// Headless chromium over a `file://` page with `extra` flags: (stdout, stderr).
fn headless(browser: &Path, profile: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_page_renders_in_a_real_browser() {
    let Some(browser) = chromium() else { return };
    let repo = history_repo();
    let work = tempfile::tempdir().expect("tempdir");
    let page = work.path().join("portfolio.html");
    let (code, _, err) = report(repo.path(), &["--trend", "2", "-o", path(&page)]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&page).expect("page");
    assert!(html.len() < 200_000, "small: {} bytes", html.len());
    assert!(html.contains("default-src 'none'"), "a CSP the browser enforces");
    let resource = regex::Regex::new(r#"(?i)\b(src|href)\s*=|url\(|<script|<link"#).expect("regex");
    assert!(!resource.is_match(&html), "no external or scripted resource");

    let (dom, log) = headless(&browser, &work.path().join("profile"), &page, &["--dump-dom"]);
    for bad in ["CONSOLE", "Uncaught", "Refused to", "net::ERR"] {
        assert!(!log.contains(bad), "browser reported `{bad}`:\n{log}");
    }
    for expected in [
        "<svg class=\"chart bars\"",
        "<svg class=\"chart trend\"",
        "id=\"fix-first\"",
        "id=\"debt\"",
        "id=\"trend\"",
        "id=\"by-owner\"",
    ] {
        assert!(dom.contains(expected), "the DOM lacks {expected}");
    }
    let shot = work.path().join("portfolio.png");
    let (_, log) = headless(
        &browser,
        &work.path().join("profile2"),
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600",
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "screenshot written ({size} bytes):\n{log}");
}
