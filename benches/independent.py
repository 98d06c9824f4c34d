#!/usr/bin/env python3
"""Recall and false alarms on independent labelled suites (other tools' annotated test files),
for Python, Go, JavaScript/TypeScript and Java.

    benches/independent.py [SUITE_DIR ...] [--binary target/release/guardrail]
                           [--mapping benches/independent.toml] [-v] [--cases]

Our own set (tests/fixtures/labelled, scored by benches/labelled.py) was written against the code,
so it says little about what guardrail misses. This script scores guardrail on test files written
by other projects for their own rules, annotated the semgrep way (`#` in Python, `//` elsewhere):

    # ruleid: <rule-id>      the next code line must be reported (or the line itself, when the
                             annotation trails code)
    # ok: <rule-id>          the next code line must not be (a bare `# ok` / `// ok` names the
                             file's rule; a trailing `-- <why>` is upstream's note)
    # todoruleid / todook     what upstream's rule should (not) find and does not yet: scored
                              as ruleid / ok

With no SUITE_DIR it scores the two suites below, /tmp/independent/pygo and
/tmp/independent/jsjava, in one table; name one of them (or any directory laid out the same way:
one folder per language) to score it alone. -v lists the misses, the false alarms and the
unannotated findings; --cases lists every case and its window as well (to name exclusions).

Fetching the suites (they are other projects' code: keep them outside this repository, never
commit or redistribute them). From semgrep/semgrep-rules (https://github.com/semgrep/semgrep-rules,
LGPL-2.1), copy these test files; the file name only has to keep its extension (it is how
guardrail picks the language and rules).

Python and Go, into /tmp/independent/pygo/python/ and /tmp/independent/pygo/go/:

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

JavaScript/TypeScript and Java, into /tmp/independent/jsjava/javascript/ and
/tmp/independent/jsjava/java/, keeping the base name:

    javascript/lang/security/detect-child-process.{js,ts}
    javascript/lang/security/audit/{dangerous-spawn-shell,spawn-shell-true,md5-used-as-password}.js
    javascript/lang/security/audit/sqli/node-{knex,mssql,mysql,postgres}-sqli.js
    javascript/sequelize/security/audit/{sequelize-raw-query.js,sequelize-injection-express.ts,
        sequelize-tls-disabled-cert-validation.js}
    javascript/express/security/injection/tainted-sql-string.js
    javascript/aws-lambda/security/detect-child-process.js   -> javascript/lambda-detect-child-process.js
    typescript/mcp/security/mcp-command-injection-typescript.ts
    problem-based-packs/insecure-transport/js-node/bypass-tls-verification.js
    java/lang/security/audit/{formatted-sql-string,jdbc-sql-formatted-string,
        command-injection-process-builder,command-injection-formatted-runtime-call,
        tainted-cmd-from-http-request,md5-used-as-password}.java
    java/lang/security/audit/sqli/{jdbc-sqli,tainted-sql-from-http-request}.java
    java/lang/security/audit/crypto/use-of-md5.java
    java/lang/security/audit/crypto/ssl/{insecure-trust-manager,insecure-hostname-verifier}.java
    problem-based-packs/insecure-transport/java-stdlib/bypass-tls-verification.java

Which upstream rule belongs to which of our families, and which upstream cases lie outside what
that family claims (each with its reason), is our own data in benches/independent.toml. A case of
an unmapped rule is not scored. Scoring, per language and family:

  * a `ruleid` case is found when a finding of the family lies on its statement, or on another
    line of the same function between the previous case and the next one (upstream marks either
    the sink or the line that builds the value, we may report the other: both name the same
    defect);
  * every other finding of the family is a false alarm: on an `ok` case, or on a line no case
    covers (listed with -v, so each can be judged by hand). The rate is over the `ok` cases.
    Findings of a family that no mapped rule has are not measured here.
"""
import argparse, json, os, re, subprocess, sys, tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benches"))
from labelled import family  # noqa: E402  (the rule -> family table)

SUITES = ["/tmp/independent/pygo", "/tmp/independent/jsjava"]
LANG = {".py": "python", ".go": "go", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
        ".jsx": "javascript", ".ts": "javascript", ".tsx": "javascript", ".java": "java"}
# Where a function (or a class) starts: the window of a case never reaches across it.
JS_JAVA_FUNC = (
    r"^\s*(?:export\s+)?(?:async\s+)?function\b"                   # function f(...)
    r"|=>\s*\{\s*$"                                                 # (req, res) => {
    r"|^\s*(?:(?:public|private|protected|static|final|abstract|synchronized)\s+)+[\w<>\[\],.?\s]*\("
    r"|^\s*(?:(?:public|final|abstract)\s+)*(?:class|interface)\s"  # Java members and classes
)
STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`")


class Syntax:
    """What the scoring needs to know of a language: its line comment (which carries the
    annotations), whether it has /* */ comments, and where its functions start."""

    def __init__(self, comment, block_comments, func):
        c = re.escape(comment)
        self.mark = re.compile(
            c + r"\s*(ruleid|ok|todoruleid|todook)\b\s*(?::\s*([\w.,\s-]+?))?(?:\s+--.*)?\s*$")
        self.comment_line = re.compile(r"\s*(?:" + c + (r"|/\*|\*" if block_comments else "") + ")")
        self.trailing_comment = re.compile(c + ".*$")
        self.func = re.compile(func)


SYNTAX = {
    "python": Syntax("#", False, r"^\s*(?:async\s+def|def|class)\s"),
    "go": Syntax("//", True, r"^func\s"),
    "javascript": Syntax("//", True, JS_JAVA_FUNC),
    "java": Syntax("//", True, JS_JAVA_FUNC),
}


def statement_end(lines, start, syntax):
    """Last line (0-based) of the statement starting at `start`: brackets balanced and no
    continuation (a trailing `\\ + , = .`, or a next line starting with `.` or `+`). Strings are
    skipped roughly (enough for test files); an annotation or decorator line (`@Override`)
    belongs to the declaration under it."""
    depth, i = 0, start
    while i < len(lines):
        code = syntax.trailing_comment.sub("", STRING.sub("\"\"", lines[i]))
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        stripped = code.strip()
        if (depth <= 0 and stripped and not stripped.startswith("@")
                and not stripped.endswith(("\\", "+", ",", "=", "."))
                and not (i + 1 < len(lines) and lines[i + 1].strip().startswith((".", "+")))):
            return i
        i += 1
    return len(lines) - 1


def cases(path, syntax):
    """(kind, rule ids, first line, last line, window start, window end), lines 1-based. The
    window of a `ruleid` case reaches back to the previous case or the start of the function,
    and on to the next case's annotation or the next function."""
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    ids_in_file, raw = set(), []
    for i, line in enumerate(lines):
        m = syntax.mark.search(line)
        if not m:
            continue
        ids = [x.strip() for x in (m.group(2) or "").split(",") if x.strip()]
        ids_in_file.update(ids)
        if line[: m.start()].strip():  # a trailing annotation: the case is this line
            target = i
        else:
            target = i + 1
            while target < len(lines) and (not lines[target].strip()
                                           or syntax.comment_line.match(lines[target])):
                target += 1
        if target < len(lines):
            # `todoruleid` marks what upstream's own rule should find and does not yet: a positive.
            raw.append(("ruleid" if m.group(1).endswith("ruleid") else "ok", ids, target))
    out, prev_end = [], -1
    raw.sort(key=lambda c: c[2])
    for n, (kind, ids, target) in enumerate(raw):
        ids = ids or sorted(ids_in_file)  # a bare `# ok` names the file's rule
        end = statement_end(lines, target, syntax)
        start = target
        while start - 1 > prev_end and not syntax.func.search(lines[start - 1]):
            start -= 1
        # Forward to the next case's annotation or the next function: the sink of a value the
        # annotated line builds.
        stop = raw[n + 1][2] if n + 1 < len(raw) else len(lines)
        after = end
        while (after + 1 < stop and not syntax.func.search(lines[after + 1])
               and not syntax.mark.search(lines[after + 1])):
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
    ap.add_argument("suites", nargs="*", metavar="SUITE_DIR", default=SUITES)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/guardrail"))
    ap.add_argument("--mapping", default=os.path.join(ROOT, "benches/independent.toml"))
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and false alarms")
    ap.add_argument("--cases", action="store_true", help="list every case (to name exclusions)")
    a = ap.parse_args()
    mapping = tomllib.load(open(a.mapping, "rb"))
    fam_of = mapping["rules"]
    # `through` widens an exclusion to the unannotated lines under the case it names.
    excluded = {(e["file"], e["line"]): (e["reason"], e.get("through", 0))
                for e in mapping.get("exclude", [])}
    scored = set(fam_of.values())
    suites = [os.path.abspath(s) for s in a.suites]
    binary = os.path.abspath(a.binary)
    scores, details, unmapped = {}, [], set()
    excl_count, seen_excl, langs = 0, set(), set()
    for suite in suites:
        by_file = {}
        for f in run(binary, suite):
            fam = family(f["rule"])
            if fam:
                rel = os.path.relpath(os.path.join(suite, f["path"]), suite).replace(os.sep, "/")
                by_file.setdefault(rel, set()).add((f["line"], fam))
        for dirpath, _, files in sorted(os.walk(suite)):
            for name in sorted(files):
                lang = LANG.get(os.path.splitext(name)[1])
                if not lang:
                    continue
                langs.add(lang)
                rel = os.path.relpath(os.path.join(dirpath, name), suite).replace(os.sep, "/")
                hits = by_file.get(rel, set())
                used = set()
                for kind, ids, first, last, start, after in cases(os.path.join(dirpath, name), SYNTAX[lang]):
                    fams = {fam_of[i] for i in ids if i in fam_of}
                    unmapped.update(i for i in ids if i not in fam_of)
                    if a.cases:
                        details.append(f"  case  {rel}:{first}-{last} (window {start}-{after}) {kind} {','.join(ids)}")
                    if (rel, first) in excluded:
                        excl_count += 1
                        seen_excl.add((rel, first))
                        # Findings on an excluded case (or the lines its exclusion names) are
                        # neither credited nor blamed.
                        through = max(last, excluded[(rel, first)][1])
                        used.update((line, fam) for line, fam in hits if first <= line <= through)
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
                    if fam not in scored:  # a family no suite has cases of is not measured here
                        continue
                    s = scores.setdefault((lang, fam), [0, 0, 0, 0, 0])
                    s[4] += 1
                    details.append(f"  extra {rel}:{line} [{fam}] (no case covers this line)")
    # Exclusions of the languages scored must each name a case (a suite scored alone leaves the
    # other languages' exclusions unchecked).
    stale = sorted(k for k in set(excluded) - seen_excl if LANG.get(os.path.splitext(k[0])[1]) in langs)
    print(f"independent suites in {', '.join(suites)}: {excl_count} cases excluded "
          f"({os.path.relpath(os.path.abspath(a.mapping), ROOT)})\n")
    print("| language | family | positives | recall | negatives (ok) | false alarms on ok | on unannotated lines | false-alarm rate |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for (lang, fam), (p, found, n, fa, extra) in sorted(scores.items()):
        rate = 100 * (fa + extra) / max(n, 1)
        print(f"| {lang} | {fam} | {p} | {found / max(p, 1):.2f} ({found}) | {n} | {fa} | {extra} | {rate:.1f} % |")
    if unmapped:
        print(f"\nunmapped upstream rules (cases not scored): {', '.join(sorted(unmapped))}")
    if stale:
        print("\nexclusions that name no case (check the line numbers): "
              + ", ".join(f"{f}:{line}" for f, line in stale))
    if (a.verbose or a.cases) and details:
        print("\n" + "\n".join(details))


if __name__ == "__main__":
    sys.exit(main())
