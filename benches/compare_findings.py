#!/usr/bin/env python3
"""Compares two `guardrail check --format json` reports of the same tree: which findings
(rule, path, line, column, end) only one of them has, per rule, and whether fingerprints of the
shared ones agree. Used to show that a restructuring changed no finding.

    python3 benches/compare_findings.py before.json after.json
"""
import collections
import json
import sys


def load(path):
    with open(path) as f:
        report = json.load(f)
    keyed = {}
    for f in report["findings"]:
        key = (f["rule"], f["path"], f["line"], f["column"], f["end_line"], f["end_column"])
        keyed[key] = f["fingerprint"]
    return report, keyed


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    (a_report, a), (b_report, b) = load(sys.argv[1]), load(sys.argv[2])
    only_a = sorted(set(a) - set(b))
    only_b = sorted(set(b) - set(a))
    same_fp = sum(1 for k in set(a) & set(b) if a[k] == b[k])
    print(f"findings: {len(a)} before, {len(b)} after; {len(set(a) & set(b))} in both "
          f"({same_fp} with the same fingerprint)")
    for name, only in (("only before", only_a), ("only after", only_b)):
        by_rule = collections.Counter(k[0] for k in only)
        print(f"{name}: {len(only)}" + "".join(f"\n  {r}: {n}" for r, n in by_rule.most_common()))
        for k in only[:5]:
            print(f"    e.g. {k[1]}:{k[2]}:{k[3]} {k[0]}")
    for field in ("files_scanned", "files_skipped"):
        print(f"summary.{field}: {a_report['summary'][field]} -> {b_report['summary'][field]}")
    sys.exit(1 if only_a or only_b else 0)


if __name__ == "__main__":
    main()
