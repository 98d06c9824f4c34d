//! `[[rule.code.import]]` (issue 11): imports of listed modules in Python, JavaScript, Go and
//! Java, at the import's span; a parent module lists its children; the same words in strings,
//! comments or other modules' names do not count.

use crate::common::{check_json, findings_with_end, write_tree};

const POLICY: &str = r#"[pack]
name = "acme"

[[rule]]
id = "cleartext-protocol-module"
message = "Cleartext protocol module imported"
help = "Use the TLS variant."
paths = ["*.py", "*.js", "*.go", "*.java"]
[rule.code]
languages = ["any"]
[[rule.code.import]]
module = ["telnetlib", "ftplib", "xml.etree", "telnet-client", "crypto.md5", "org.apache.commons.net.ftp"]
label = "imported here"
[[rule.example]]
fail = "import telnetlib\n"
path = "a.py"
[[rule.example]]
pass = "import ftplibx\n# import telnetlib\nx = 'import telnetlib'\n"
path = "a.py"
"#;

#[test]
fn imports_of_listed_modules_in_four_languages() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("acme.toml", POLICY),
            (
                "app/a.py",
                "import telnetlib\nimport ftplibx\nfrom xml.etree import ElementTree as ET\n\
                 # import ftplib\ndoc = 'import ftplib'\nimport os, ftplib\n",
            ),
            (
                "web/b.js",
                "import Telnet from 'telnet-client';\nconst c = require(\"telnet-client\");\n\
                 const t = require('telnet-clientx');\n",
            ),
            (
                "svc/c.go",
                "package svc\n\nimport (\n\t\"crypto/md5\"\n\t\"crypto/sha256\"\n)\n",
            ),
            (
                "src/D.java",
                "import org.apache.commons.net.ftp.FTPClient;\nimport java.util.List;\nclass D {}\n",
            ),
        ],
    );
    let r = check_json(
        dir.path(),
        &[
            "--no-config",
            "--policy",
            "acme.toml",
            "--select",
            "acme/cleartext-protocol-module",
            ".",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rule = "acme/cleartext-protocol-module".to_string();
    let at = |p: &str, l, c, el, ec| (rule.clone(), p.to_string(), l, c, el, ec);
    assert_eq!(
        findings_with_end(&r.json),
        vec![
            at("app/a.py", 1, 8, 1, 17),
            at("app/a.py", 3, 23, 3, 40),
            at("app/a.py", 6, 12, 6, 18),
            at("src/D.java", 1, 1, 1, 45),
            at("svc/c.go", 4, 2, 4, 14),
            at("web/b.js", 1, 1, 1, 36),
            at("web/b.js", 2, 11, 2, 35),
        ]
    );
}
