//! `[rule.code]` on Python (issue 11): exact spans for the true cases; near misses (comments,
//! strings, constants, parameterised queries, sanitisers, aliases) stay quiet; a file that does
//! not parse is counted and falls back to the lexical rule, never reported twice.

use std::path::Path;

use crate::common::{rows_of_rules, span_row as row, write_tree, SpanRow};

type Row = SpanRow;

const OURS: &[&str] = &[
    "security/python-tls-verification-disabled",
    "security/python-sql-string-formatting",
    "security/python-shell-command-built",
    "security/weak-password-hash",
    "privacy/python-personal-data-in-log",
    "guardrail/unparsed-file",
];

fn run(dir: &Path) -> (Vec<Row>, serde_json::Value) {
    rows_of_rules(dir, OURS)
}

const VIEWS: &str = r#"import requests as req
import subprocess
import shlex
from hashlib import md5

TABLE = "users"


def fetch(url):
    # req.get(url, verify=False) in a comment is not a call
    doc = "req.get(url, verify=False)"
    return req.get(url, verify=False)


def find(cur, name):
    q = "SELECT * FROM users WHERE name = '" + name + "'"
    cur.execute(q)
    ok = "SELECT 1"
    cur.execute(ok)
    cur.execute("SELECT * FROM " + TABLE + " WHERE name = %s", (name,))


def run(path):
    subprocess.run("ls " + shlex.quote(path), shell=True)
    subprocess.run("ls " + path, shell=True)


def store(user, password):
    user.password_hash = md5(password.encode()).hexdigest()
    logger.info("stored for %s", user.email)
"#;

#[test]
fn true_cases_at_exact_spans_and_near_misses_quiet() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("app/views.py", VIEWS)]);
    let p = "app/views.py";
    assert_eq!(
        run(dir.path()).0,
        vec![
            // `verify=False` through the alias `req`; the comment and the string are not calls.
            row("security/python-tls-verification-disabled", p, 12, 25, 12, 37),
            // `q` was built two lines earlier; `ok` and the constant-only query are clean.
            row("security/python-sql-string-formatting", p, 17, 17, 17, 18),
            // shlex.quote sanitises the first command; the second is built from `path`.
            row("security/python-shell-command-built", p, 25, 20, 25, 32),
            // MD5 whose result is stored as a password hash (imported as `md5`).
            row("security/weak-password-hash", p, 29, 26, 29, 48),
            row("privacy/python-personal-data-in-log", p, 30, 5, 30, 45),
        ]
    );
}

#[test]
fn an_unparsable_file_is_counted_and_read_lexically_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[(
            "app/broken.py",
            "def broken(:\n    requests.get(url, verify=False)\n  )))) ((( [[[ \n x = = = \n",
        )],
    );
    let (rows, json) = run(dir.path());
    assert_eq!(
        rows,
        vec![
            row("guardrail/unparsed-file", "app/broken.py", 1, 1, 1, 1),
            row(
                "security/python-tls-verification-disabled",
                "app/broken.py",
                2,
                5,
                2,
                35
            ),
        ]
    );
    assert_eq!(json["summary"]["unparsed"], 1);
}

#[test]
fn aliases_and_from_imports_resolve() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[(
            "svc/client.py",
            "from requests import get as fetch\nimport subprocess as sp\n\
             import os as operating_system\n\n\
             def go(url, cmd):\n    fetch(url, verify=False)\n    sp.check_output(cmd, shell=True)\n    \
             operating_system.system(cmd)\n    findroot(url, verify=False)\n",
        )],
    );
    let p = "svc/client.py";
    assert_eq!(
        run(dir.path()).0,
        vec![
            row("security/python-tls-verification-disabled", p, 6, 16, 6, 28),
            row("security/python-shell-command-built", p, 7, 21, 7, 24),
            row("security/python-shell-command-built", p, 8, 29, 8, 32),
        ]
    );
}

#[test]
fn files_without_trigger_words_are_not_parsed() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Not Python at all, but none of the rules' words occur: never parsed, never unparsed.
    write_tree(
        dir.path(),
        &[("app/notes.py", "{{{{ ]]]] this is : not python (((\n")],
    );
    let (rows, json) = run(dir.path());
    assert!(rows.is_empty(), "{rows:?}");
    assert_eq!(json["summary"]["unparsed"], 0);
}

const ELEMENTS: &str = r#"import subprocess
from flask import request


def listing():
    cmd = ["ls", "-l"]
    cmd[1] = request.args["p"]
    subprocess.call(cmd)


def shelled():
    cmd = ["sh", "-c", "ls"]
    cmd[2] = request.args["p"]
    subprocess.call(cmd)


def anywhere(i):
    cmd = ["sh", "-c", "ls"]
    cmd[i] = request.args["p"]
    subprocess.call(cmd)


def in_a_shell():
    cmd = ["ls", "-l"]
    cmd[1] = request.args["p"]
    subprocess.call(" ".join(cmd), shell=True)


def quiet(i):
    cmd = ["ls", "-l"]
    cmd[1] = "-a"
    subprocess.call(" ".join(cmd), shell=True)
    fixed = ["sh", "-c", request.args["p"]]
    fixed[2] = "uptime"
    subprocess.call(fixed)
    other = ["sh", "-c", "ls"]
    other[i] = "uptime"
    subprocess.call(other)
"#;

#[test]
fn list_elements_stored_by_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = "app/run.py";
    write_tree(dir.path(), &[(p, ELEMENTS)]);
    let shell = "security/python-shell-command-built";
    assert_eq!(
        run(dir.path()).0,
        vec![
            // The list keeps its other items: the item after `sh -c` is the one stored.
            row(shell, p, 13, 14, 13, 31),
            // At an unknown index the list may hold it anywhere.
            row(shell, p, 19, 14, 19, 31),
            // Joined into a shell command line, a stored item is data in the command.
            row(shell, p, 26, 21, 26, 34),
            // A program that is not a shell, a constant store (the list stays constant), and
            // a data item replaced by a literal before the run stay quiet.
        ]
    );
}

/// Functions that mention nothing a rule needs are blanked before the parse; what crosses
/// functions by name (an import alias, a module constant) keeps its readers.
const PRUNED: &str = r#"from os import system as sh
import subprocess as sp

LISTING = "SELECT name FROM users WHERE team = "


def unrelated(a, b):
    """Select the larger of two."""
    return max(a, b)


def by_alias(path):
    sh("ls " + path)


def by_module_alias(path):
    sp.call("ls " + path, shell=True)


def by_constant(cur, team):
    query = LISTING + team
    cur.execute(query)


class Report:
    title = "weekly"

    def render(self):
        return self.title.upper()

    def rows(self, cur, team):
        cur.execute(LISTING + team)
"#;

#[test]
fn pruned_functions_keep_what_aliases_and_constants_carry_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("app/report.py", PRUNED)]);
    let p = "app/report.py";
    let (rows, json) = run(dir.path());
    assert_eq!(
        rows,
        vec![
            row("security/python-shell-command-built", p, 13, 8, 13, 20),
            row("security/python-shell-command-built", p, 17, 13, 17, 25),
            row("security/python-sql-string-formatting", p, 22, 17, 22, 22),
            row("security/python-sql-string-formatting", p, 32, 21, 32, 35),
        ]
    );
    assert_eq!(json["summary"]["unparsed"], 0);
}

#[test]
fn a_broken_function_no_rule_needs_is_not_parsed() {
    // Most of the file is a function that is not Python, but no rule needs it: it is left
    // out of the parse, so the rest is read structurally and the file is not `unparsed`.
    let junk = "    = = = : : : ! ! !\n".repeat(40);
    let text = format!("import requests\n\n\ndef junk():\n{junk}\n\ndef fetch(url):\n    return requests.get(url, verify=False)\n");
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("app/mixed.py", text.as_str())]);
    let (rows, json) = run(dir.path());
    assert_eq!(
        rows,
        vec![row(
            "security/python-tls-verification-disabled",
            "app/mixed.py",
            48,
            30,
            48,
            42
        )]
    );
    assert_eq!(json["summary"]["unparsed"], 0);
}

#[test]
fn functions_that_call_a_sink_in_no_way_a_form_reports_are_not_parsed() {
    // Each `junk` function calls a sink word but misses what its form also needs (SQL text —
    // whole words: `created` is not `create` — or a request source for `execute`; the
    // `verify`/`ssl` argument for `get`; strings that read as a whole statement): it is left
    // out of the parse, so its lines that are not Python do not make the file `unparsed`. A
    // statement built across two statements is still found.
    let junk = "    = = = : : : ! ! !\n".repeat(5);
    let text = format!(
        "import requests\n\n\n\
         def vacuum(cur, table):\n    cur.execute(\"VACUUM \" + table)\n{junk}\n\n\
         def fetch(url):\n    requests.get(url, timeout=3)\n{junk}\n\n\
         def replay(cur, stmt):\n    cur.execute(stmt, note=\"created without calling\")\n{junk}\n\n\
         def label(kind):\n    title = \"select one of \" + kind\n{junk}\n\n\
         def split(ids):\n    text = \"DELETE \"\n    text += \"FROM logs WHERE id IN \" + ids\n    return text\n"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("app/needs.py", text.as_str())]);
    let (rows, json) = run(dir.path());
    assert_eq!(json["summary"]["unparsed"], 0);
    assert_eq!(
        rows,
        vec![row(
            "security/python-sql-string-formatting",
            "app/needs.py",
            42,
            5,
            42,
            43
        )]
    );
}

#[test]
fn a_statement_finished_by_a_module_constant_keeps_its_function() {
    // The function's own strings do not read as a statement (`SELECT id` alone), and the
    // constant holds none of the statement's first words, so nothing binds it: the strings
    // outside functions are read in with the function's before it is left out.
    let text = "FROM_LOGS = \" FROM logs WHERE day = \"\n\n\ndef recent(day):\n    q = \"SELECT id\" + FROM_LOGS + day\n    return q\n\n\ndef other():\n    return 1\n";
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("app/q.py", text)]);
    let (rows, _) = run(dir.path());
    assert_eq!(
        rows,
        vec![row(
            "security/python-sql-string-formatting",
            "app/q.py",
            5,
            9,
            5,
            38
        )]
    );
}

#[test]
fn sanitised_items_stay_clean_through_comprehensions_map_and_lambdas() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = "def copy(self, cur, table, fields):\n\
                  \x20   cols = \", \".join(self.quote_name(f) for f in fields)\n\
                  \x20   cur.execute(\"SELECT %s FROM %s\" % (cols, self.quote_name(table)))\n\
                  \x20   named = \", \".join(map(self.quote_name, fields))\n\
                  \x20   cur.execute(f\"SELECT {named} FROM t\")\n\
                  \x20   cur.execute(\"UPDATE %(t)s SET a = 1\" % {\"t\": self.quote_name(table)})\n\
                  \x20   raw = \", \".join([f for f in fields])\n\
                  \x20   cur.execute(\"SELECT \" + raw + \" FROM t\")\n\
                  \x20   trimmed = \", \".join(map(lambda f: f.strip(), fields))\n\
                  \x20   cur.execute(\"SELECT %s FROM t\" % trimmed)\n\
                  \x20   cur.execute(\"UPDATE %(t)s SET a = 1\" % {\"t\": table})\n";
    write_tree(dir.path(), &[("app/schema.py", schema)]);
    let p = "app/schema.py";
    assert_eq!(
        run(dir.path()).0,
        vec![
            // The items are the fields themselves, not what a sanitiser made of them.
            row("security/python-sql-string-formatting", p, 8, 17, 8, 44),
            row("security/python-sql-string-formatting", p, 10, 17, 10, 45),
            // A dict formatted into the statement is as clean as its values.
            row("security/python-sql-string-formatting", p, 11, 17, 11, 56),
        ]
    );
}

#[test]
fn a_comprehension_variable_named_like_its_iterable_reads_the_outer_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = "def f(cur, cols):\n\
               \x20   c = \"a, b\"\n\
               \x20   ok = \", \".join(c for c in c.split(\",\"))\n\
               \x20   cur.execute(\"SELECT \" + ok + \" FROM t\")\n\
               \x20   bad = \", \".join(cols for cols in cols)\n\
               \x20   cur.execute(\"SELECT \" + bad + \" FROM t\")\n";
    write_tree(dir.path(), &[("app/q.py", src)]);
    assert_eq!(
        run(dir.path()).0,
        vec![row(
            "security/python-sql-string-formatting",
            "app/q.py",
            6,
            17,
            6,
            44
        )]
    );
}
