#!/usr/bin/env bash
# `guardrail report` over a large saved report (issue 15): a generated JSON v1 report with
# FINDINGS findings (default 40,000: a third baselined, a tenth suppressed with a reason) over
# 4,000 files in 200 directories, 60 rules, all contexts, rendered in each format. Prints the
# median wall time of RUNS runs per format and the size of each output. The target: under 2 s
# per format, and a page that stays small (aggregates and top lists, not every finding).
#
#   bash benches/report.sh                      # release build, 40,000 findings, RUNS=5
#   FINDINGS=100000 RUNS=3 bash benches/report.sh
#   GUARDRAIL=target/debug/guardrail bash benches/report.sh   # no build
#
# Needs: python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FINDINGS=${FINDINGS:-40000}
RUNS=${RUNS:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ -z "${GUARDRAIL:-}" ]; then
  cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
  GUARDRAIL=$ROOT/target/release/guardrail
fi

python3 - "$FINDINGS" "$WORK/big.json" <<'PY'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
cats = ["security", "privacy", "fairness"]
sevs = ["error", "warning", "note"]
ctxs = ["source", "test", "docs", "generated", "vendored", "build"]
def finding(i):
    d = i % 200
    return {
        "rule": f"{cats[i % 3]}/rule-{i % 60}", "category": cats[i % 3], "severity": sevs[i % 3 if i % 7 else 0],
        "message": f"message of rule {i % 60}", "path": f"dir{d // 20}/sub{d}/file{i % 4000}.py",
        "line": 1 + i % 500, "column": 1, "end_line": 1 + i % 500, "end_column": 10,
        "fingerprint": f"{i:032x}", "help": None, "detail": None,
        "snippet": {"line": 1 + i % 500, "text": "token = \"ghp_****\""}, "context": ctxs[i % 6],
    }
findings, suppressed = [], []
for i in range(n):
    f = finding(i)
    if i % 3 == 0:
        suppressed.append({**f, "suppression": {"kind": "baseline", "reason": None}})
    elif i % 10 == 1:
        suppressed.append({**f, "suppression": {"kind": "inline", "reason": f"reviewed {i % 13}", "line": f["line"]}})
    else:
        findings.append(f)
doc = {
    "version": 1, "tool": {"name": "guardrail", "version": "bench"}, "findings": findings,
    "summary": {"files_scanned": 4000, "findings": len(findings)},
    "config": {"file": None, "origin": "none", "ignore_files": [], "changes": []},
    "repository": {"name": "bench", "commit": "0" * 40, "commit_date": "2026-01-01T00:00:00Z"},
    "suppressed_findings": suppressed,
}
json.dump(doc, open(out, "w"))
PY
echo "input: $FINDINGS findings, $(du -h "$WORK/big.json" | cut -f1) of JSON"

for format in html markdown json; do
  times=()
  for _ in $(seq "$RUNS"); do
    start=$(date +%s.%N)
    "$GUARDRAIL" report --from "$WORK/big.json" --format "$format" --output "$WORK/out.$format"
    end=$(date +%s.%N)
    times+=("$(python3 -c "print(f'{$end - $start:.3f}')")")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  printf '%-9s median %ss over %s runs; output %s bytes\n' "$format" "$median" "$RUNS" "$(wc -c < "$WORK/out.$format")"
done
