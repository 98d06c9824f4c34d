//! Issue 13.6: the README's sample output is the real output of `guardrail check` on the
//! checkout it describes (timing aside), so it cannot drift from what users see.

use crate::common::{guardrail, normalize, write_tree};
use crate::gitrepo::{token, Repo};

/// The ```text block that follows `$ guardrail check` in README.md.
fn readme_sample() -> String {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("```text\n$ guardrail check\n")
        .expect("README has the sample");
    let body = &readme[start + "```text\n$ guardrail check\n".len()..];
    let end = body.find("```").expect("sample block ends");
    body[..end].to_string()
}

#[test]
fn the_readme_sample_is_the_real_output() {
    let repo = Repo::new();
    write_tree(
        repo.path(),
        &[
            (
                "app/settings.py",
                &format!("import os\n\nAPI = \"{}\"\n", token()),
            ),
            ("app/main.py", "def main():\n    print(\"hello\")\n"),
            ("README.md", "# demo\n"),
            ("docs/usage.md", "Usage notes.\n"),
            ("requirements.txt", "requests==2.32.3\n"),
        ],
    );
    let out = guardrail()
        .current_dir(repo.path())
        .env("COLUMNS", "100")
        .arg("check")
        .output()
        .expect("ran");
    assert_eq!(out.status.code(), Some(1));
    let real = normalize(&String::from_utf8_lossy(&out.stdout), None);
    assert_eq!(normalize(&readme_sample(), None), real);
}
