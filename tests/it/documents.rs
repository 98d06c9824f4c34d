//! The `document` matcher and its built-in rules on fixture repositories: GitHub Actions
//! workflows, Dockerfiles, Kubernetes manifests, package manifests and ML configs. Every finding
//! is asserted exactly (rule, path, line, column), and so is every near miss, by its absence.

use crate::common::{
    check_json, fake, findings, findings_with_end, fixture_copy, guardrail, normalize, write_tree,
};

type Row = (String, String, u64, u64);

fn rows(expected: &[(&str, &str, u64, u64)]) -> Vec<Row> {
    expected
        .iter()
        .map(|(r, p, l, c)| (r.to_string(), p.to_string(), *l, *c))
        .collect()
}

fn fixture_findings(repo: &str) -> Vec<Row> {
    let copy = fixture_copy(&format!("documents/{repo}"));
    let run = check_json(copy.path(), &[]);
    assert!(run.json["summary"]["internal_errors"]
        .as_array()
        .is_some_and(|a| a.is_empty()));
    assert_eq!(run.json["summary"]["unparsed"], 0, "{}", run.stdout);
    findings(&run.json)
}

#[test]
fn github_actions_workflows() {
    // Near misses that must stay silent: actions/* and github/* by tag, SHA-pinned third-party
    // actions, a local action, `${{ github.head_ref }}` passed through `env:`, the PR number in a
    // script, a job with its own permissions, and issue_comment with top-level permissions.
    assert_eq!(
        fixture_findings("workflows"),
        rows(&[
            (
                "security/action-not-pinned-to-sha",
                ".github/actions/setup/action.yml",
                5,
                13
            ),
            (
                "security/workflow-expression-injection",
                ".github/actions/setup/action.yml",
                7,
                22
            ),
            (
                "security/workflow-permissions-write-all",
                ".github/workflows/ci.yml",
                3,
                14
            ),
            (
                "security/action-not-pinned-to-sha",
                ".github/workflows/ci.yml",
                16,
                11
            ),
            (
                "security/workflow-permissions-missing",
                ".github/workflows/pr-target.yml",
                6,
                3
            ),
            (
                "security/pull-request-target-checkout",
                ".github/workflows/pr-target.yml",
                11,
                20
            ),
            (
                "security/action-not-pinned-to-sha",
                ".github/workflows/pr-target.yml",
                12,
                15
            ),
            (
                "security/workflow-expression-injection",
                ".github/workflows/pr-target.yml",
                16,
                28
            ),
            (
                "security/workflow-expression-injection",
                ".github/workflows/triage.yml",
                14,
                27
            ),
        ])
    );
}

#[test]
fn injection_underlines_the_expression_only() {
    let copy = fixture_copy("documents/workflows");
    let run = check_json(copy.path(), &[]);
    let spans = findings_with_end(&run.json);
    let title = spans
        .iter()
        .find(|f| f.0 == "security/workflow-expression-injection" && f.1.ends_with("pr-target.yml"))
        .expect("finding");
    // `${{ github.event.pull_request.title }}` inside the block scalar, 38 characters.
    assert_eq!((title.2, title.3, title.4, title.5), (16, 28, 16, 66));
}

#[test]
fn dockerfiles() {
    // services/api.dockerfile is all near misses: tags and digests, a FROM of a build stage,
    // download-then-verify, ADD --checksum, root only before the final non-root USER.
    let copy = fixture_copy("documents/docker");
    let run = check_json(copy.path(), &[]);
    assert_eq!(
        findings(&run.json),
        rows(&[
            ("security/dockerfile-from-unpinned", "Dockerfile", 1, 6),
            ("security/dockerfile-curl-pipe-shell", "Dockerfile", 3, 5),
            ("security/dockerfile-from-unpinned", "Dockerfile", 7, 6),
            ("security/dockerfile-add-remote-url", "Dockerfile", 8, 5),
            ("security/dockerfile-user-root", "Dockerfile", 12, 6),
            ("security/dockerfile-user-missing", "services/Containerfile", 1, 1),
        ])
    );
    // The pipe is two lines below the curl: the finding spans the continuation.
    let pipe = findings_with_end(&run.json)
        .into_iter()
        .find(|f| f.0 == "security/dockerfile-curl-pipe-shell")
        .expect("finding");
    assert_eq!((pipe.4, pipe.5), (5, 13));
}

#[test]
fn kubernetes_multi_document_manifest() {
    // The ConfigMap's `privileged: "true"` string, the sidecar's false/10001 values, hostIPC:
    // false, and values.yaml (no apiVersion/kind) stay silent.
    assert_eq!(
        fixture_findings("k8s"),
        rows(&[
            ("security/k8s-privileged-container", "deploy/app.yaml", 19, 25),
            (
                "security/k8s-privilege-escalation-allowed",
                "deploy/app.yaml",
                20,
                39
            ),
            ("security/k8s-host-namespace", "deploy/app.yaml", 33, 16),
            ("security/k8s-host-namespace", "deploy/app.yaml", 34, 12),
            ("security/k8s-run-as-root", "deploy/app.yaml", 37, 16),
        ])
    );
}

#[test]
fn package_json_tracking_sdks() {
    // heap-js, segment-tree, @sentry/react and the description's words stay silent.
    assert_eq!(
        fixture_findings("node"),
        rows(&[
            ("privacy/tracking-sdk-npm-dependency", "package.json", 7, 5),
            ("privacy/tracking-sdk-npm-dependency", "package.json", 8, 5),
            ("privacy/tracking-sdk-npm-dependency", "package.json", 13, 5),
        ])
    );
}

#[test]
fn python_project_sdks_and_pii_options() {
    // requirements-dev.txt (a comment, posthog-utils), sentry-sdk, `description = "no amplitude
    // here"` and `send_anonymous_usage_stats = false` stay silent.
    assert_eq!(
        fixture_findings("python"),
        rows(&[
            ("privacy/send-default-pii-in-code", "app/monitoring.py", 3, 26),
            ("privacy/telemetry-enabled", "config/app.toml", 2, 11),
            ("privacy/send-default-pii-enabled", "config/sentry.yaml", 3, 21),
            ("privacy/tracking-sdk-python-dependency", "pyproject.toml", 7, 6),
            ("privacy/tracking-sdk-python-dependency", "pyproject.toml", 11, 13),
            ("privacy/tracking-sdk-poetry-dependency", "pyproject.toml", 15, 1),
            (
                "privacy/tracking-sdk-python-requirement",
                "requirements.txt",
                2,
                1
            ),
            (
                "privacy/tracking-sdk-python-requirement",
                "requirements.txt",
                3,
                1
            ),
        ])
    );
}

#[test]
fn ml_training_configs() {
    // dropped.yaml's gender is dropped before training; model.json's and model.toml's zip_code
    // are excluded; race under sensitive_features is for evaluation; page_views, usage_hours and
    // mileage only contain the letters of `age`.
    assert_eq!(
        fixture_findings("ml"),
        rows(&[
            (
                "fairness/protected-attribute-in-features",
                "configs/ludwig.yaml",
                4,
                11
            ),
            (
                "fairness/protected-attribute-in-features",
                "configs/model.json",
                3,
                42
            ),
            (
                "fairness/protected-attribute-in-features",
                "configs/model.toml",
                2,
                26
            ),
            (
                "fairness/protected-attribute-in-features",
                "configs/train.yaml",
                6,
                15
            ),
            (
                "fairness/protected-attribute-proxy-in-features",
                "configs/train.yaml",
                7,
                5
            ),
        ])
    );
}

#[test]
fn malformed_yaml_is_one_note_and_text_rules_still_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = fake(&["ghp_", "Zx9Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4"]);
    let broken = format!(
        "on: pull_request_target\njobs:\n  build:\n    steps:\n      - run: echo ${{{{ github.head_ref }}}}\n    token: \"{token}\"\n   bad: [unclosed\n"
    );
    write_tree(dir.path(), &[(".github/workflows/broken.yml", &broken)]);
    let run = check_json(dir.path(), &[]);
    assert_eq!(
        findings(&run.json),
        rows(&[
            ("security/github-token", ".github/workflows/broken.yml", 6, 13),
            ("guardrail/unparsed-file", ".github/workflows/broken.yml", 7, 4),
        ])
    );
    assert_eq!(run.json["summary"]["unparsed"], 1);
    assert!(!run.stdout.contains(&token), "secret leaked");
}

#[test]
fn hostile_yaml_fails_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bomb =
        String::from("apiVersion: v1\nkind: Pod\na: &a [\"privileged\", x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9u8 {
        let (prev, name) = ((b'a' + i) as char, (b'b' + i) as char);
        let refs = vec![format!("*{prev}"); 10].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let deep = format!("apiVersion: v1\nkind: Pod\nprivileged: {}\n", "[".repeat(50_000));
    write_tree(dir.path(), &[("k8s/bomb.yaml", &bomb), ("k8s/deep.yaml", &deep)]);
    let run = check_json(dir.path(), &[]);
    let rules: Vec<String> = findings(&run.json).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules,
        ["guardrail/unparsed-file", "guardrail/unparsed-file"],
        "{}",
        run.stdout
    );
    assert_eq!(run.json["summary"]["unparsed"], 2);
}

#[test]
fn yaml_finding_human_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflow = "on:\n  pull_request_target:\njobs:\n  test:\n    permissions: {}\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: \"${{ github.event.pull_request.head.sha }}\"\n";
    write_tree(dir.path(), &[(".github/workflows/pr.yml", workflow)]);
    let out = guardrail()
        .current_dir(dir.path())
        .args(["check", "--color", "never"])
        .output()
        .expect("ran");
    let text = normalize(&String::from_utf8_lossy(&out.stdout), Some(dir.path()));
    insta::assert_snapshot!(text);
}

#[test]
fn policy_errors_point_at_the_offending_value() {
    let head =
        "[pack]\nname = \"acme\"\n[[rule]]\nid = \"r\"\nmessage = \"m\"\nhelp = \"h\"\n[rule.document]\n";
    let cases = [
        (
            "query = [\"jobs.*.steps\", \"jobs..uses\"]\n",
            "policy.toml:8:32",
            "invalid query",
        ),
        (
            "query = \"a\"\npattern = 'x'\nkey-pattern = 'y'\n",
            "policy.toml:10:15",
            "more than one test",
        ),
        (
            "query = \"a\"\npattern = '(x'\n",
            "policy.toml:9:12",
            "invalid regex",
        ),
        (
            "query = \"a\"\npattern = 'x'\ngroup = 2\n",
            "policy.toml:10:9",
            "no such capture group",
        ),
        (
            "query = \"a\"\nequals = [1]\n",
            "policy.toml:9:10",
            "`equals` takes",
        ),
        (
            "query = \"a\"\nformat = \"xml\"\n",
            "policy.toml:9:10",
            "unknown variant",
        ),
        (
            "query = \"a\"\nwhen = { query = \"on\", nope = 1 }\n",
            "policy.toml:9:24",
            "unknown field",
        ),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    for (table, at, message) in cases {
        let policy =
            format!("{head}{table}[[rule.example]]\nfail = 'a: x'\n[[rule.example]]\npass = 'b: x'\n");
        write_tree(dir.path(), &[("policy.toml", &policy)]);
        let out = guardrail()
            .current_dir(dir.path())
            .args(["validate", "policy.toml"])
            .output()
            .expect("ran");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let all = format!("{stderr}{}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(out.status.code(), Some(2), "{table}: {all}");
        assert!(
            all.contains(at) && all.contains(message),
            "{table}: expected {at} {message}:\n{all}"
        );
    }
}
