#!/usr/bin/env python3
"""Recall and false alarms on independent labelled suites (other tools' annotated test files).

    benches/independent.py [SUITE_DIR] [--binary target/release/guardrail] [--mapping FILE] [-v]

Our own set (tests/fixtures/labelled, scored by benches/labelled.py) was written against the code,
so it says little about what guardrail misses. This script scores guardrail on test files written
by other projects for their own rules, annotated the semgrep way:

    # ruleid: <rule-id>      (or `// ruleid:`) the next code line must be reported
    # ok: <rule-id>          (or a bare `# ok` / `// ok`) the next code line must not be
    # todoruleid / todook     what upstream's rule should (not) find and does not yet: scored
                              as ruleid / ok

Fetching the suites (they are other projects' code: keep them outside this repository, never
commit or redistribute them). From semgrep/semgrep-rules (https://github.com/semgrep/semgrep-rules),
copy into SUITE_DIR/python/ and SUITE_DIR/go/ (the default SUITE_DIR is /tmp/independent/pygo):

    python/requests/security/disabled-cert-validation.py  -> python/requests-disabled-cert-validation.py
    python/lang/security/audit/network/disabled-cert-validation.py -> python/network-disabled-cert-validation.py
    python/lang/security/audit/subprocess-shell-true.py, dangerous-subprocess-use.py,
        dangerous-system-call.py, dangerous-asyncio-shell.py, formatted-sql-query.py,
        md5-used-as-password.py, logging/logger-credential-leak.py,
        sqli/{psycopg,sqlite3,asyncpg}-sqli.py                    -> python/<basename>
    python/sqlalchemy/security/sqlalchemy-execute-raw-query.py    -> python/<basename>
    python/django/security/audit/query-set-extra.py               -> python/<basename>
    python/django/security/injection/sql/sql-injection-using-db-cursor-execute.py -> python/<basename>
    go/lang/security/audit/net/tls-insecure-skip-verify.go        -> go/<basename>
    go/lang/security/audit/database/string-formatted-query.go     -> go/<basename>
    go/lang/security/audit/sqli/{gosql,pgx,pg}-sqli.go            -> go/<basename>
    go/lang/security/audit/dangerous-exec-command.go, dangerous-exec-cmd.go,
        dangerous-syscall-exec.go, md5-used-as-password.go        -> go/<basename>

The file name only has to keep its extension (it is how guardrail picks the language and rules).

Which upstream rule belongs to which of our families, and which upstream cases are outside what
the family claims (each with its reason), is our own data in benches/independent.toml. A case of
an unmapped rule is not scored. Scoring, per language and family:

  * a `ruleid` case is found when a finding of the family lies on its statement, or on another
    line of the same function between the previous case and the next one (upstream marks either
    the sink or the line that builds the value, we may report the other: both name the same
    defect);
  * every other finding of the family is a false alarm: on an `ok` case, or on a line no case
    covers (listed with -v, so each can be judged by hand). The rate is over the `ok` cases.
"""
import argparse, json, os, re, subprocess, sys, tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benches"))
from labelled import family as labelled_family  # noqa: E402  (one rule -> family table)

MARK = re.compile(r"(?:#|//)\s*(ruleid|ok|todoruleid|todook)\b\s*(?::\s*([\w.,\s-]+?))?\s*$")
LANG = {".py": "python", ".go": "go", ".js": "javascript", ".ts": "javascript", ".java": "java"}
FUNC = re.compile(r"^\s*(?:async\s+def|def|class)\s|^func\s")


def family(rule):
    """Our family of a finding's rule. The fairness rule on SQL filters names `sql` but claims
    something else (a protected attribute in a WHERE clause), not SQL injection."""
    if "protected-attribute" in rule:
        return None
    return labelled_family(rule)


def statement_end(lines, start):
    """Last line (0-based) of the statement starting at `start`: brackets balanced, no
    continuation. Strings are skipped roughly (enough for test files)."""
    depth, i = 0, start
    while i < len(lines):
        code = re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`", "\"\"", lines[i])
        code = re.sub(r"(?:#|//).*$", "", code)
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        stripped = code.rstrip()
        if depth <= 0 and not stripped.endswith(("\\", "+", ",")):
            return i
        i += 1
    return len(lines) - 1


def cases(path):
    """(kind, rule ids, first line, last line, window start), lines 1-based."""
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    ids_in_file = set()
    raw = []
    for i, line in enumerate(lines):
        m = MARK.search(line)
        if not m:
            continue
        ids = [x.strip() for x in (m.group(2) or "").split(",") if x.strip()]
        ids_in_file.update(ids)
        code_before = line[: m.start()].strip()
        if code_before:  # trailing annotation: the case is this line
            target = i
        else:
            target = i + 1
            while target < len(lines) and (not lines[target].strip() or MARK.search(lines[target])
                                           or re.match(r"\s*(?:#|//)", lines[target])):
                target += 1
        if target >= len(lines):
            continue
        # `todoruleid` marks what upstream's own rule should find and does not yet: a positive.
        raw.append(("ruleid" if m.group(1).endswith("ruleid") else "ok", ids, target))
    out, prev_end = [], -1
    raw.sort(key=lambda c: c[2])
    for n, (kind, ids, target) in enumerate(raw):
        ids = ids or sorted(ids_in_file)  # a bare `# ok` names the file's rule
        end = statement_end(lines, target)
        start = target
        while start - 1 > prev_end and not FUNC.match(lines[start - 1]):
            start -= 1
        # Forward to the next case's annotation or the next function: the sink of a value the
        # annotated line builds.
        stop = raw[n + 1][2] if n + 1 < len(raw) else len(lines)
        after = end
        while after + 1 < stop and not FUNC.match(lines[after + 1]) and not MARK.search(lines[after + 1]):
            after += 1
        out.append((kind, ids, target + 1, end + 1, start + 1, after + 1))
        prev_end = max(prev_end, end)
    return out


def run(binary, suite):
    proc = subprocess.run([binary, "check", "--no-config", "--format", "json", "--fail-on", "never", "."],
                          cwd=suite, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"guardrail failed ({proc.returncode}): {proc.stderr[:2000]}")
    return json.loads(proc.stdout)["findings"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("suite", nargs="?", default="/tmp/independent/pygo")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/guardrail"))
    ap.add_argument("--mapping", default=os.path.join(ROOT, "benches/independent.toml"))
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    mapping = tomllib.load(open(a.mapping, "rb"))
    fam_of = mapping["rules"]
    excluded = {(e["file"], e["line"]): e["reason"] for e in mapping.get("exclude", [])}
    suite = os.path.abspath(a.suite)
    findings = run(a.binary, suite)
    by_file = {}
    for f in findings:
        fam = family(f["rule"])
        if fam:
            rel = os.path.relpath(os.path.join(suite, f["path"]), suite).replace(os.sep, "/")
            by_file.setdefault(rel, set()).add((f["line"], fam))
    scores, details, excl_count, unmapped = {}, [], 0, set()
    for dirpath, _, files in sorted(os.walk(suite)):
        for name in sorted(files):
            lang = LANG.get(os.path.splitext(name)[1])
            if not lang:
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), suite).replace(os.sep, "/")
            hits = by_file.get(rel, set())
            used = set()
            for kind, ids, first, last, start, after in cases(os.path.join(dirpath, name)):
                fams = {fam_of[i] for i in ids if i in fam_of}
                unmapped.update(i for i in ids if i not in fam_of)
                if (rel, first) in excluded:
                    excl_count += 1
                    # Findings on an excluded case are neither credited nor blamed.
                    used.update((line, fam) for line, fam in hits if first <= line <= last)
                    continue
                for fam in fams:
                    s = scores.setdefault((lang, fam), [0, 0, 0, 0, 0])
                    if kind == "ruleid":
                        got = {(line, f) for line, f in hits if f == fam and start <= line <= after}
                        s[0] += 1
                        s[1] += bool(got)
                        used |= got
                        if not got:
                            details.append(f"  miss  {rel}:{first} [{fam}] {ids[0]}")
                    else:
                        s[2] += 1
                        bad = {(line, f) for line, f in hits if f == fam and first <= line <= last}
                        s[3] += bool(bad)
                        used |= bad
                        if bad:
                            details.append(f"  false {rel}:{first} [{fam}] ok: {ids[0]}")
            for line, fam in sorted(hits - used):
                s = scores.setdefault((lang, fam), [0, 0, 0, 0, 0])
                s[4] += 1
                details.append(f"  extra {rel}:{line} [{fam}] (no case covers this line)")
    print(f"independent suites in {suite}: {excl_count} cases excluded (benches/independent.toml)\n")
    print("| language | family | positives | recall | negatives (ok) | false alarms on ok | on unannotated lines | false-alarm rate |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for (lang, fam), (p, found, n, fa, extra) in sorted(scores.items()):
        rate = 100 * (fa + extra) / max(n, 1)
        print(f"| {lang} | {fam} | {p} | {found / max(p, 1):.2f} ({found}) | {n} | {fa} | {extra} | {rate:.1f} % |")
    if unmapped:
        print(f"\nunmapped upstream rules (cases not scored): {', '.join(sorted(unmapped))}")
    if a.verbose and details:
        print("\n" + "\n".join(details))


if __name__ == "__main__":
    sys.exit(main())
