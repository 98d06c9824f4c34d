#!/usr/bin/env bash
# Speed and memory of a full `guardrail check` (all built-in packs) against ripgrep running the
# shared secret patterns (`rg -f`) on the same corpus of real vendored crates.
#
#   bash benches/bench.sh [CORPUS_DIR]     # default: builds ../shared/bench/corpus.sh's corpus
#   RUNS=10 bash benches/bench.sh
#
# Prints hyperfine's table, the wall-time ratios against ripgrep, and guardrail's peak RSS.
# Needs: hyperfine, ripgrep, GNU time (/usr/bin/time), python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
RUNS=${RUNS:-5}
CORPUS=${1:-$(bash "$SHARED/bench/corpus.sh" | tail -1)}
PATTERNS=$SHARED/bench/rg-secrets.txt
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/guardrail

# The text-only packs (regex, path and require rules) versus every pack: the difference is the
# cost of the structural matchers (syn for Rust, document and Cargo parsers).
TEXT_ONLY=(--no-builtin)
for p in security privacy fairness; do TEXT_ONLY+=(--policy "$ROOT/policies/$p.toml"); done

echo "corpus: $CORPUS ($(find "$CORPUS" -type f | wc -l) files)"
echo "cores: $(nproc)"
hyperfine --style basic --warmup 1 --runs "$RUNS" --ignore-failure --export-json "$OUT/times.json" \
  -n ripgrep "rg -c -f $PATTERNS $CORPUS" \
  -n guardrail-text-packs "$BIN check --no-config --format json ${TEXT_ONLY[*]} $CORPUS" \
  -n guardrail-all-packs "$BIN check --no-config --format json $CORPUS"

peak_kb() { /usr/bin/time -f %M "$@" >/dev/null 2>"$OUT/time.txt" || true; tail -1 "$OUT/time.txt"; }
RG_KB=$(peak_kb rg -c -f "$PATTERNS" "$CORPUS")
GR_KB=$(peak_kb "$BIN" check --no-config --format json "$CORPUS")

python3 - "$OUT/times.json" "$RG_KB" "$GR_KB" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rg = results["ripgrep"]["median"]
print()
print(f"{'command':24} {'median s':>9} {'x ripgrep':>10}")
for name, r in results.items():
    print(f"{name:24} {r['median']:9.3f} {r['median'] / rg:10.2f}")
print(f"peak RSS: ripgrep {int(sys.argv[2]) / 1024:.0f} MB, guardrail {int(sys.argv[3]) / 1024:.0f} MB")
PY
