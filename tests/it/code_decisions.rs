//! `[[rule.code.decision]]` (issue 11): protected attributes deciding what the code does, read
//! from the syntax tree in Python, TypeScript, Go and Java. Exact spans for each place; near
//! misses stay quiet; tests are off by default; a file that does not parse falls back to the
//! lexical rule, never reporting twice; a user's own decision form is limited to its `places`.

use std::path::Path;

use crate::common::{check_json, findings_with_end, write_tree};

type Row = (String, String, u64, u64, u64, u64);

const RULE: &str = "fairness/protected-attribute-in-condition";

fn rows(dir: &Path, args: &[&str]) -> (Vec<Row>, serde_json::Value) {
    let mut all = vec!["--no-config"];
    all.extend_from_slice(args);
    all.push(".");
    let r = check_json(dir, &all);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let rows = findings_with_end(&r.json)
        .into_iter()
        .filter(|f| f.0 == RULE || f.0 == "guardrail/unparsed-file" || f.0.starts_with("acme/"))
        .collect();
    (rows, r.json)
}

fn at(path: &str, l: u64, c: u64, ec: u64) -> Row {
    (RULE.to_string(), path.to_string(), l, c, l, ec)
}

const PRICING: &str = r#"from .models import Applicant


def premium(applicant, applicants, df, entry, ttl):
    """Rejects when applicant.gender == "F" (prose, not a decision)."""
    if applicant.age < 25:
        pass
    if applicant.is_pregnant:
        pass
    score = 600 + applicant.age * 3
    ranked = sorted(applicants, key=lambda a: a.date_of_birth)
    young = df[df["age"] < 30]
    redlined = Applicant.objects.filter(zip_code__in=REDLINED)
    match applicant.religion:
        case "none":
            pass
    for a in applicants:
        if a.age > 60:
            pass
    if entry.age > ttl:
        pass
    if applicant.gender is None:
        pass
    if resp.headers["AGE"] == "12":
        pass
    if is_eligible(applicant.age):
        pass
    if applicant.gender:
        pass
    # if applicant.age < 18: reject
"#;

#[test]
fn python_places_with_exact_spans() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("pricing/rules.py", PRICING)]);
    let p = "pricing/rules.py";
    assert_eq!(
        rows(dir.path(), &[]).0,
        vec![
            at(p, 6, 8, 21),   // compared
            at(p, 8, 8, 29),   // a boolean attribute tested
            at(p, 10, 19, 32), // arithmetic
            at(p, 11, 47, 62), // sort key, owner from the sorted collection
            at(p, 12, 16, 25), // a data frame column compared
            at(p, 13, 41, 62), // a record filter on the model
            at(p, 14, 11, 29), // switched on
            at(p, 18, 12, 17), // owner through the loop variable
        ]
    );
}

#[test]
fn typescript_go_and_java_places() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            (
                "web/decide.ts",
                "export function decide(user: User, applicants: Applicant[]) {\n  \
                 if (user.gender === 'female') {}\n  \
                 applicants.sort((a, b) => a.age - b.age);\n  \
                 if (cache.age > maxAge) {}\n  \
                 if (user.gender == null) {}\n}\n",
            ),
            (
                "svc/score.go",
                "package svc\n\nfunc Score(u User) int {\n\tif u.Age < 25 {\n\t\treturn 1\n\t}\n\t\
                 if resp.Header.Get(\"Age\") == \"3\" {\n\t\treturn 0\n\t}\n\treturn 0\n}\n",
            ),
            (
                "src/Limits.java",
                "class Limits {\n  int f(Customer c) {\n    \
                 if (\"married\".equals(c.getMaritalStatus())) { return 2; }\n    \
                 log.info(\"age {}\", c.getAge());\n    return 1;\n  }\n}\n",
            ),
        ],
    );
    assert_eq!(
        rows(dir.path(), &[]).0,
        vec![
            at("src/Limits.java", 3, 26, 46),
            at("svc/score.go", 4, 5, 10),
            at("web/decide.ts", 2, 7, 18),
            at("web/decide.ts", 3, 29, 34),
            at("web/decide.ts", 3, 37, 42),
        ]
    );
}

#[test]
fn tests_are_off_and_source_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let code = "def f(user):\n    if user.gender == 'f':\n        pass\n";
    write_tree(dir.path(), &[("tests/test_orm.py", code), ("app/rules.py", code)]);
    assert_eq!(rows(dir.path(), &[]).0, vec![at("app/rules.py", 2, 8, 19)]);
}

#[test]
fn an_unparsed_file_falls_back_to_the_lexical_rule_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[(
            "app/broken.py",
            "def broken(:\n    if user.gender == 'f': pass\n  )))) ((( [[[ \n x = = = \n",
        )],
    );
    let (found, json) = rows(dir.path(), &[]);
    assert_eq!(
        found,
        vec![
            (
                "guardrail/unparsed-file".to_string(),
                "app/broken.py".to_string(),
                1,
                1,
                1,
                1
            ),
            at("app/broken.py", 2, 13, 26),
        ]
    );
    assert_eq!(json["summary"]["unparsed"], 1);
}

const POLICY: &str = r#"[pack]
name = "acme"

[[rule]]
id = "gender-compared"
message = "Gender compared"
help = "Review the decision."
paths = ["*.py"]
[rule.code]
languages = ["python"]
keywords = ["gender"]
[[rule.code.decision]]
attributes = ["gender"]
places = ["comparison"]
label = "gender compared here"
[[rule.example]]
fail = "if user.gender == 'f':\n    pass\n"
[[rule.example]]
pass = "people = sorted(people, key=lambda p: p.gender)\n"
"#;

#[test]
fn a_user_form_reports_only_its_places() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("acme.toml", POLICY),
            (
                "app/a.py",
                "def f(user, people):\n    people = sorted(people, key=lambda p: p.gender)\n    \
                 return user.gender != 'f'\n",
            ),
        ],
    );
    let (found, json) = rows(
        dir.path(),
        &["--policy", "acme.toml", "--select", "acme/gender-compared"],
    );
    assert_eq!(
        found,
        vec![(
            "acme/gender-compared".to_string(),
            "app/a.py".to_string(),
            3,
            12,
            3,
            23
        )]
    );
    let label = json["findings"][0]["detail"].to_string() + &json["findings"][0]["snippet"].to_string();
    assert!(label.contains("gender compared here"), "{label}");
}
