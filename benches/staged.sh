#!/usr/bin/env bash
# `guardrail check --staged` as a pre-commit hook runs it: one small staged file, every built-in
# pack, release build. Reports the median of 20 runs (hyperfine). Target: under 30 ms.
#
#   benches/staged.sh            # builds target/release/guardrail first
#   GUARDRAIL=/path/to/guardrail benches/staged.sh
#
# Two repositories: a fresh one (the staged file is all there is) and one whose index already
# holds 20,000 committed files, since --staged reads the whole index for require rules.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }
if [ -z "${GUARDRAIL:-}" ]; then
  cargo build --release --quiet
  GUARDRAIL="$PWD/target/release/guardrail"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

small_file() {
  cat > "$1/app.py" <<'PY'
import logging
import os

log = logging.getLogger(__name__)


def handler(event):
    token = os.environ["API_TOKEN"]
    log.info("handling %s", event["id"])
    return {"ok": True, "auth": bool(token)}
PY
}

# 1. A new repository with one staged file.
fresh="$work/fresh"
mkdir -p "$fresh" && git -C "$fresh" init -q
small_file "$fresh" && git -C "$fresh" add app.py

# 2. 20,000 committed files (index entries sharing one blob; the hook never reads them), then
#    one staged file.
big="$work/big"
mkdir -p "$big" && git -C "$big" init -q
blob=$(echo "x = 1" | git -C "$big" hash-object -w --stdin)
for i in $(seq 1 20000); do printf '100644 %s\tpkg%d/mod%d.py\n' "$blob" $((i % 200)) "$i"; done |
  git -C "$big" update-index --index-info
git -C "$big" commit -qm corpus
small_file "$big" && git -C "$big" add app.py

for repo in "$fresh" "$big"; do
  name=$(basename "$repo")
  (cd "$repo" && "$GUARDRAIL" check --staged >/dev/null)  # must pass: the file is clean
  (cd "$repo" && hyperfine -N --warmup 3 --runs 20 --style none \
    --export-json "$work/$name.json" "$GUARDRAIL check --staged" >/dev/null)
  python3 - "$work/$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
ms = lambda s: f"{s * 1000:.1f} ms"
# CPU time (guardrail plus the git processes it starts) says what the machine's load hides.
print(f"check --staged ({sys.argv[2]} repo, 1 staged file): median {ms(r['median'])}, "
      f"min {ms(r['min'])}, max {ms(r['max'])} over {len(r['times'])} runs; "
      f"CPU {ms(r['user'] + r['system'])} (user + system, mean)")
PY
done
