//! `[rule.code]` on JavaScript and TypeScript (issue 11): exact spans for the true cases; near
//! misses (comments, strings, constants, placeholders, tagged templates, argument arrays) stay
//! quiet; a file that does not parse falls back to the lexical rule once.

use std::path::Path;

use crate::common::{rows_of_rules, span_row as row, write_tree, SpanRow};

type Row = SpanRow;

const OURS: &[&str] = &[
    "security/js-tls-verification-disabled",
    "security/js-sql-string-formatting",
    "security/js-shell-command-built",
    "security/weak-password-hash",
    "privacy/js-personal-data-in-log",
    "guardrail/unparsed-file",
];

fn run(dir: &Path) -> Vec<Row> {
    rows_of_rules(dir, OURS).0
}

const API: &str = r#"import https from "node:https";
import { exec as run, execFile } from "node:child_process";
import { createHash } from "crypto";

const TABLE = "users";
// new https.Agent({ rejectUnauthorized: false }) would accept any certificate
export const agent = new https.Agent({ rejectUnauthorized: false });
export const doc = "rejectUnauthorized: false";

export async function find(db: Db, id: string) {
  await db.query("SELECT * FROM " + TABLE + " WHERE id = $1", [id]);
  const q = `SELECT * FROM users WHERE id = ${id}`;
  return db.query(q);
}

export function shell(branch: string) {
  execFile("git", ["log", branch]);
  run("git log " + branch);
}

export function store(user: User) {
  user.passwordHash = createHash("md5").update(user.password).digest("hex");
  console.log(`stored for ${user.email}`);
}
"#;

#[test]
fn true_cases_at_exact_spans_and_near_misses_quiet() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("web/src/api.ts", API)]);
    let p = "web/src/api.ts";
    assert_eq!(
        run(dir.path()),
        vec![
            row("security/js-tls-verification-disabled", p, 7, 40, 7, 65),
            // `q` holds a template literal with `${id}`; the constant-only query is clean.
            row("security/js-sql-string-formatting", p, 13, 19, 13, 20),
            // `exec` imported as `run`; execFile with an argument array is fine.
            row("security/js-shell-command-built", p, 18, 7, 18, 26),
            // createHash("md5") chained into .update(user.password), stored as a password hash.
            row("security/weak-password-hash", p, 22, 23, 22, 40),
            row("privacy/js-personal-data-in-log", p, 23, 3, 23, 42),
        ]
    );
}

#[test]
fn tsx_require_and_environment_assignments() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            (
                "web/src/Profile.tsx",
                "export function Profile({ user }: Props) {\n  console.info('render', user.phoneNumber);\n  \
                 return <div title={user.email}>{user.email}</div>;\n}\n",
            ),
            (
                "scripts/ping.js",
                "const cp = require('child_process');\nprocess.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';\n\
                 cp.execSync('ping -c 1 ' + process.argv[2]);\ncp.execSync('ping -c 1 localhost');\n",
            ),
        ],
    );
    assert_eq!(
        run(dir.path()),
        vec![
            row(
                "security/js-tls-verification-disabled",
                "scripts/ping.js",
                2,
                1,
                2,
                47
            ),
            row("security/js-shell-command-built", "scripts/ping.js", 3, 13, 3, 43),
            row(
                "privacy/js-personal-data-in-log",
                "web/src/Profile.tsx",
                2,
                3,
                2,
                43
            ),
        ]
    );
}

#[test]
fn an_unparsable_file_falls_back_to_the_lexical_rule_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[(
            "web/src/broken.js",
            "const x = {{{{ ;;; ))) \nconst agent = new https.Agent({ rejectUnauthorized: false });\n]]] (((( \n",
        )],
    );
    assert_eq!(
        run(dir.path()),
        vec![
            row("guardrail/unparsed-file", "web/src/broken.js", 1, 1, 1, 1),
            row(
                "security/js-tls-verification-disabled",
                "web/src/broken.js",
                2,
                33,
                2,
                58
            ),
        ]
    );
}

/// Functions that mention nothing a rule needs are blanked before the parse: a module-level
/// destructured import keeps the functions that call what it binds, inside a wrapper too.
const PRUNED: &str = r#"const { exec } = require("child_process");

(function (root) {
  function unrelated(a, b) {
    return `${a}}{${b}` + /[}{]/.source;
  }

  root.build = function (dir) {
    exec("make -C " + dir);
  };

  class Store {
    get size() { return 0; }
    load(db, id) {
      return db.query(`SELECT * FROM items WHERE id = ${id}`);
    }
  }
  root.Store = Store;
})(this);
"#;

#[test]
fn pruned_functions_keep_what_imports_carry_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("lib/build.js", PRUNED)]);
    let p = "lib/build.js";
    assert_eq!(
        run(dir.path()),
        vec![
            row("security/js-shell-command-built", p, 9, 10, 9, 26),
            row("security/js-sql-string-formatting", p, 15, 23, 15, 61),
        ]
    );
}

#[test]
fn escaped_items_stay_clean_through_map() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = "export async function copy(conn, fields) {\n\
               \x20 const cols = fields.map((f) => conn.escapeId(f)).join(', ');\n\
               \x20 await conn.query('SELECT ' + cols + ' FROM t');\n\
               \x20 const named = fields.map(escapeId).join(', ');\n\
               \x20 await conn.query(`SELECT ${named} FROM t`);\n\
               \x20 const raw = fields.map((f) => f.trim()).join(', ');\n\
               \x20 await conn.query(`SELECT ${raw} FROM t`);\n\
               }\n";
    write_tree(dir.path(), &[("src/copy.js", src)]);
    assert_eq!(
        run(dir.path()),
        vec![row(
            "security/js-sql-string-formatting",
            "src/copy.js",
            7,
            20,
            7,
            42
        )]
    );
}
