//! `[rule.code]` on Java: exact spans for the true cases, near misses quiet. A shell argument
//! array filled by index (`cmd[2] = command`) reads like one filled with `add`; SQL built in a
//! StringBuilder / StringBuffer reads like SQL built with `+`.

use std::path::Path;

use crate::common::{rows_of_rules, span_row as row, write_tree, SpanRow};

type Row = SpanRow;

const OURS: &[&str] = &[
    "security/java-shell-command-built",
    "security/java-sql-string-concatenation",
    "guardrail/unparsed-file",
];

fn run(dir: &Path) -> Vec<Row> {
    rows_of_rules(dir, OURS).0
}

const SHELL: &str = r#"package com.acme;

import java.util.ArrayList;
import java.util.List;

class Jobs {
    private static final String NIGHTLY = "make nightly";

    void ping(String userInput) throws Exception {
        String[] cmd = new String[3];
        cmd[0] = "/bin/sh"; cmd[1] = "-c"; cmd[2] = "ls " + userInput;
        Runtime.getRuntime().exec(cmd);
    }

    void run(String command, boolean windows) throws Exception {
        String[] cmd = new String[3];
        if (windows) {
            cmd[0] = "cmd.exe";
            cmd[1] = "/C";
        } else {
            cmd[0] = "/bin/bash";
            cmd[1] = "-c";
        }
        cmd[2] = command;
        new ProcessBuilder(cmd).start();
        List<String> args = new ArrayList<>();
        args.add("sh");
        args.add("-c");
        args.add(command);
        new ProcessBuilder(args).start();
    }

    void quiet(String dir) throws Exception {
        String[] fixed = new String[3];
        fixed[0] = "sh"; fixed[1] = "-c"; fixed[2] = "ls -la";
        Runtime.getRuntime().exec(fixed);
        String[] nightly = new String[3];
        nightly[0] = "sh"; nightly[1] = "-c"; nightly[2] = NIGHTLY;
        Runtime.getRuntime().exec(nightly);
        String[] ls = new String[2];
        ls[0] = "ls"; ls[1] = dir;
        new ProcessBuilder(ls).start();
        String[] other = new String[3];
        other[0] = "sh"; other[1] = "-c"; other[2] = "ls " + dir;
        Runtime.getRuntime().exec(fixed);
        String[] replaced = {"sh", "-c", "ls " + dir};
        replaced[2] = "uptime";
        Runtime.getRuntime().exec(replaced);
    }
}
"#;

#[test]
fn a_shell_argument_array_filled_by_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = "src/main/java/com/acme/Jobs.java";
    write_tree(dir.path(), &[(p, SHELL)]);
    let shell = "security/java-shell-command-built";
    assert_eq!(
        run(dir.path()),
        vec![
            // The element the shell runs is underlined where it is stored.
            row(shell, p, 11, 53, 11, 70),
            // A parameter stored by index, after `cmd.exe /C` or `/bin/bash -c` in two branches,
            // is reported as the same parameter appended to a list is.
            row(shell, p, 24, 18, 24, 25),
            row(shell, p, 29, 18, 29, 25),
            // Literals and constants, a program that is not a shell, and an array that is filled
            // but never run stay quiet; so does an element replaced by a literal before the run.
        ]
    );
}

const SQL: &str = r#"package com.acme;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

class Users {
    private static final String TABLE = "users";

    void byName(Statement stmt, String name) throws Exception {
        StringBuilder sb = new StringBuilder("SELECT * FROM users WHERE name = '");
        sb.append(name).append("'");
        stmt.executeQuery(sb.toString());
    }

    void byOwner(Statement stmt, String owner) throws Exception {
        StringBuffer sb = new StringBuffer();
        sb.append("DELETE FROM carts WHERE owner = '");
        sb.append(owner);
        sb.append("'");
        String q = sb.toString();
        stmt.execute(q);
    }

    void quiet(Connection conn, Statement stmt, Mailer mailer, String name, int size) throws Exception {
        StringBuilder fixed = new StringBuilder(size);
        fixed.append("SELECT * FROM ").append(TABLE).append(" WHERE id = 1");
        stmt.executeQuery(fixed.toString());
        StringBuilder bound = new StringBuilder("SELECT * FROM users WHERE name = ?");
        PreparedStatement ps = conn.prepareStatement(bound.toString());
        StringBuilder text = new StringBuilder("SELECT * FROM users WHERE name = '");
        text.append(name).append("'");
        mailer.send(text.toString());
    }
}
"#;

#[test]
fn sql_built_in_a_string_builder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = "src/main/java/com/acme/Users.java";
    write_tree(dir.path(), &[(p, SQL)]);
    let sql = "security/java-sql-string-concatenation";
    assert_eq!(
        run(dir.path()),
        vec![
            row(sql, p, 13, 27, 13, 40),
            // Through a local holding the builder's text.
            row(sql, p, 22, 22, 22, 23),
            // A builder of literals and constants (also a PreparedStatement's `?` text), and a
            // built query handed to a call that does not run SQL, stay quiet.
        ]
    );
}

const COMPUTED: &str = r#"package com.acme;

class Tasks {
    void last(String userInput, int n) throws Exception {
        String[] cmd = new String[3];
        cmd[0] = "/bin/sh"; cmd[1] = "-c";
        cmd[n - 1] = userInput;
        Runtime.getRuntime().exec(cmd);
    }

    void each(String[] words) throws Exception {
        String[] cmd = {"sh", "-c", "ls"};
        for (int i = 0; i < words.length; i++) {
            cmd[i] = words[i];
        }
        new ProcessBuilder(cmd).start();
    }

    void quiet(String dir, int i) throws Exception {
        String[] fixed = {"sh", "-c", "ls"};
        fixed[i] = "uptime";
        Runtime.getRuntime().exec(fixed);
        String[] ls = {"ls", "-l", "/tmp"};
        ls[i] = dir;
        new ProcessBuilder(ls).start();
        String[] before = new String[3];
        before[i] = dir;
        before = new String[] {"sh", "-c", "ls"};
        Runtime.getRuntime().exec(before);
        String[] other = {"sh", "-c", "ls"};
        String[] unused = new String[3];
        unused[i] = dir;
        Runtime.getRuntime().exec(other);
    }
}
"#;

#[test]
fn an_array_element_stored_at_a_computed_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = "src/main/java/com/acme/Tasks.java";
    write_tree(dir.path(), &[(p, COMPUTED)]);
    let shell = "security/java-shell-command-built";
    assert_eq!(
        run(dir.path()),
        vec![
            // The array may hold the value at any element, the one after `sh -c` included.
            row(shell, p, 7, 22, 7, 31),
            row(shell, p, 14, 22, 14, 30),
            // A literal stored at an unknown index, a program that is not a shell, a store
            // before the array is made again, and a store into another array stay quiet.
        ]
    );
}

const PIECES: &str = r#"package com.acme;

import java.sql.Statement;
import java.util.StringJoiner;

class Orders {
    private static final String TABLE = "orders";

    void inserted(Statement stmt, String name) throws Exception {
        StringBuilder sb = new StringBuilder(" FROM orders WHERE name = '");
        sb.insert(0, "SELECT *").append(name).append("'");
        stmt.executeQuery(sb.toString());
        StringBuilder mid = new StringBuilder("SELECT * FROM orders WHERE name = ''");
        mid.insert(34, name);
        stmt.executeQuery(mid.toString());
    }

    void joined(Statement stmt, String name) throws Exception {
        StringJoiner j = new StringJoiner(" ");
        j.add("SELECT * FROM orders WHERE name =");
        j.add(name);
        stmt.executeQuery(j.toString());
        stmt.executeQuery(String.join(" ", "DELETE FROM orders WHERE name =", name));
        Runtime.getRuntime().exec(String.join(" ", "ls", name));
    }

    void quiet(Statement stmt, String name, int size) throws Exception {
        StringBuilder fixed = new StringBuilder(" FROM orders");
        fixed.insert(0, "SELECT *").insert(0, "/* report */ ");
        stmt.executeQuery(fixed.toString());
        StringBuilder note = new StringBuilder("hello ");
        note.insert(0, name);
        stmt.executeQuery(note.toString());
        StringJoiner cols = new StringJoiner(", ", "SELECT ", " FROM " + TABLE);
        cols.add("id").add("total");
        stmt.executeQuery(cols.toString());
        stmt.executeQuery(String.join(" ", "SELECT * FROM", TABLE));
        Runtime.getRuntime().exec(String.join(" ", "ls", "-l"));
    }
}
"#;

#[test]
fn sql_built_with_insert_a_string_joiner_or_string_join() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = "src/main/java/com/acme/Orders.java";
    write_tree(dir.path(), &[(p, PIECES)]);
    let sql = "security/java-sql-string-concatenation";
    let shell = "security/java-shell-command-built";
    assert_eq!(
        run(dir.path()),
        vec![
            // `insert(0, ...)` puts the SELECT in front of what the builder held.
            row(sql, p, 12, 27, 12, 40),
            // An insert at another offset adds its value to the string too.
            row(sql, p, 15, 27, 15, 41),
            // A StringJoiner's `add`s and `String.join`'s parts are the string's pieces.
            row(sql, p, 22, 27, 22, 39),
            row(sql, p, 23, 27, 23, 84),
            row(shell, p, 24, 35, 24, 63),
            // Constants inserted or joined, and data inserted into text that is not SQL, stay
            // quiet.
        ]
    );
}
