#!/usr/bin/env python3
"""Recall and false alarms on tests/fixtures/labelled, per language and rule family.

    benches/labelled.py [--binary target/debug/guardrail]

Prints two tables: the built-in (structural) rules, and their lexical fallbacks run as plain
regex rules on the same files (what guardrail reported before issue 11). A line ending in
`# expect: <family>` / `// expect: <family>` must be reported, one ending in `ok: <family>` must
not; any finding of a family on another line counts as a false alarm. The same scoring is
asserted by tests/it/labelled.rs.
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = re.compile(r"(?:#|//) (expect|ok): ([a-z-]+)\s*$")


# The family of each rule the labelled set measures, by exact id (without its pack, and without
# the `lex-` of its fallback run as a regex rule). An id that merely contains a family's word is
# not in it: fairness/protected-attribute-in-sql-filter, a protected attribute in a SQL WHERE or
# ORDER BY, is the decision family's (records filtered or ranked by the attribute), not SQL
# injection. tests/it/labelled.rs has the same table.
FAMILY = {
    # TLS verification off (the last one is the Rust rule)
    "python-tls-verification-disabled": "tls",
    "js-tls-verification-disabled": "tls",
    "go-tls-verification-disabled": "tls",
    "java-trust-all-certificates": "tls",
    "tls-verification-disabled": "tls",
    # SQL injection: SQL built from strings or read from a request
    "python-sql-string-formatting": "sql",
    "js-sql-string-formatting": "sql",
    "go-sql-string-formatting": "sql",
    "java-sql-string-concatenation": "sql",
    "sql-built-with-format": "sql",
    # shell commands that are not constant
    "python-shell-command-built": "shell",
    "js-shell-command-built": "shell",
    "go-shell-command-built": "shell",
    "java-shell-command-built": "shell",
    "shell-command": "shell",
    # weak hashes of passwords
    "weak-password-hash": "hash",
    # personal data in logs
    "python-personal-data-in-log": "log",
    "js-personal-data-in-log": "log",
    "go-personal-data-in-log": "log",
    "java-personal-data-in-log": "log",
    "personal-data-in-log": "log",
    # personal data sent to analytics
    "personal-data-sent-to-analytics": "analytics",
    # protected attributes deciding, filtering or ranking; in model feature lists
    "protected-attribute-in-condition": "decision",
    "protected-attribute-in-sql-filter": "decision",
    "protected-attribute-in-feature-list": "features",
}


def family(rule):
    return FAMILY.get(rule.split("/", 1)[-1].removeprefix("lex-"))


def lexical_policy():
    """The fallback regex of every [rule.code] rule, as a regex rule `lex/lex-<id>`."""
    out = ['[pack]\nname = "lex"\ncategory = "security"\n']
    for name in ("security.toml", "privacy.toml", "fairness.toml"):
        data = tomllib.load(open(os.path.join(ROOT, "policies", name), "rb"))
        for rule in data.get("rule", []):
            # Rules still lexical (Java certificate checks) count as they are.
            fb = rule.get("code", {}).get("fallback") or (rule.get("regex") if family(rule["id"]) else None)
            if not fb:
                continue
            out.append(f'[[rule]]\nid = "lex-{rule["id"]}"\nmessage = "m"\nhelp = "h"\n')
            out.append(f"paths = {json.dumps(rule.get('paths', []))}\n[rule.regex]\n")
            for key, value in fb.items():
                out.append(f"{key} = {json.dumps(value)}\n")
            out.append("[[rule.example]]\nfail = 'x'\n[[rule.example]]\npass = 'y'\n")
    return "".join(out)


def score(binary, args, prefix):
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(os.path.join(ROOT, "tests/fixtures/labelled"), os.path.join(tmp, "l"))
        run = subprocess.run([binary, "check", "--no-config", "--format", "json", *args, "."],
                             cwd=os.path.join(tmp, "l"), capture_output=True, text=True)
        findings = json.loads(run.stdout)["findings"]
        scores = {}
        for dirpath, _, files in os.walk(os.path.join(tmp, "l")):
            for f in sorted(files):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, os.path.join(tmp, "l")).replace(os.sep, "/")
                lang = rel.split("/")[0]
                marks = {}
                for i, line in enumerate(open(path, encoding="utf-8"), 1):
                    m = MARK.search(line.rstrip())
                    if m:
                        marks[i] = (m.group(1) == "expect", m.group(2))
                hits = {(x["line"], family(x["rule"])) for x in findings
                        if x["path"].endswith(rel) and x["rule"].startswith(prefix) and family(x["rule"])}
                for line, (expect, fam) in marks.items():
                    s = scores.setdefault((lang, fam), [0, 0, 0, 0])
                    if expect:
                        s[0] += 1
                        s[1] += (line, fam) in hits
                    else:
                        s[2] += 1
                for line, fam in hits:
                    if marks.get(line) != (True, fam):
                        scores.setdefault((lang, fam), [0, 0, 0, 0])[3] += 1
        return scores


def table(title, scores):
    print(f"\n{title}\n")
    print("| language | family | positives | recall | negatives | false alarms |")
    print("|---|---|---:|---:|---:|---:|")
    for (lang, fam), (p, found, n, fa) in sorted(scores.items()):
        print(f"| {lang} | {fam} | {p} | {found / max(p, 1):.2f} | {n} | {fa} ({100 * fa / max(n, 1):.0f} %) |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/debug/guardrail"))
    a = ap.parse_args()
    table("structural (built-in rules)", score(a.binary, [], ("security/", "privacy/", "fairness/")))
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as pol:
        pol.write(lexical_policy())
    try:
        table("lexical (the fallback regexes alone)", score(a.binary, ["--policy", pol.name], "lex/"))
    finally:
        os.unlink(pol.name)


if __name__ == "__main__":
    sys.exit(main())
