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


def family(rule):
    short = rule.split("/", 1)[-1].removeprefix("lex-")
    if "tls-verification" in short or "trust-all" in short:
        return "tls"
    if "sql" in short:
        return "sql"
    if "shell-command" in short:
        return "shell"
    if short == "weak-password-hash":
        return "hash"
    if "personal-data-in-log" in short:
        return "log"
    if short == "personal-data-sent-to-analytics":
        return "analytics"
    if short == "protected-attribute-in-condition":
        return "decision"
    if short == "protected-attribute-in-feature-list":
        return "features"
    return None


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
