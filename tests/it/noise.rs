//! Issue 12 point 4, the measured noise patterns of real code: each fixed at its cause, each
//! with the true case (exact rule, path, line, column) and the near miss that must stay quiet.

use crate::common::check_text;

/// (rule, line, column) of every finding of `rule` for `text` scanned as `path` under `pack`.
fn found(pack: &str, rule: &str, path: &str, text: &str) -> Vec<(String, usize, usize)> {
    check_text(pack, path, text)
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| (f.rule, f.location.line, f.location.column))
        .collect()
}

fn at(rule: &str, line: usize, column: usize) -> (String, usize, usize) {
    (rule.to_string(), line, column)
}

const PRIVACY: &str = include_str!("../../policies/privacy.toml");

#[test]
fn email_rule_skips_protocol_and_scm_identifiers() {
    let rule = "privacy/email-address-in-test-data";
    let text = "\
key: sk-ssh-ed25519@openssh.com AAAAGnNr
kex: curve25519-sha256@libssh.org
remote: git@github.com:org/repo.git
url: ssh://deploy@build.acme-corp.io/srv/repo
bot: noreply@github.com
dep: \"@types/node@18.0.0\"
owner: ada.lovelace@gmail.com
";
    assert_eq!(
        found(PRIVACY, rule, "tests/fixtures/remotes.yml", text),
        vec![at(rule, 7, 8)]
    );
}
