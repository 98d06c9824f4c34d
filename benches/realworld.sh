#!/usr/bin/env bash
# Real-world benchmark (issues 11 and 12): popular packages fetched from the package registries,
# scanned with zero configuration, each package as its own checkout.
#
#   bash benches/realworld.sh fetch      # download and unpack the fixed package list
#   bash benches/realworld.sh scan       # per corpus: files, findings per rule and context,
#                                        #   projects the default gate fails (JSON under $RW_DIR/out)
#   bash benches/realworld.sh crates     # the vendored-crates corpus, each crate as its own checkout
#   bash benches/realworld.sh time       # whole default scan vs ripgrep (same secret patterns), peak RSS
#   bash benches/realworld.sh sample RULE [N]   # N findings of RULE with their line, for judging
#   bash benches/realworld.sh            # fetch, scan, crates, time
#
# Corpus: $RW_DIR (default /tmp/guardrail-realworld), outside the repository; nothing fetched is
# committed. Python: sdists from PyPI (the simple index's sdist address); npm: `npm pack`;
# Go: Debian's golang-*-dev packages (`apt-get download`, sources under /usr/share/gocode);
# crates: ../shared/bench/corpus.sh. Needs python3, npm, apt-get, ripgrep, hyperfine,
# GNU time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
RW_DIR=${RW_DIR:-/tmp/guardrail-realworld}
RUNS=${RUNS:-5}
BIN=${GUARDRAIL:-$ROOT/target/release/guardrail}
PATTERNS=$SHARED/bench/rg-secrets.txt

PYTHON=(requests==2.32.3 flask==3.1.0 django==5.1.4 fastapi==0.115.6 sqlalchemy==2.0.36
  pydantic==2.10.4 httpx==0.28.1 click==8.1.8 jinja2==3.1.5 werkzeug==3.1.3 celery==5.4.0
  scrapy==2.12.0 boto3==1.35.90 pytest==8.3.4 black==24.10.0 rich==13.9.4 aiohttp==3.11.11)
NPM=(express@4.21.2 react@19.0.0 react-dom@19.0.0 lodash@4.17.21 axios@1.7.9 vue@3.5.13
  moment@2.30.1 chalk@5.4.1 commander@13.0.0 webpack@5.97.1 jquery@3.7.1 socket.io@4.8.1
  mongoose@8.9.3 koa@2.15.3 eslint@9.17.0 typescript@5.7.2)
GO=(golang-github-gin-gonic-gin-dev golang-github-spf13-cobra-dev golang-github-sirupsen-logrus-dev
  golang-github-stretchr-testify-dev golang-github-gorilla-mux-dev
  golang-github-prometheus-client-golang-dev golang-github-go-sql-driver-mysql-dev
  golang-github-spf13-viper-dev golang-golang-x-crypto-dev)

fetch() {
  mkdir -p "$RW_DIR"/{dl,python,npm,go}
  cd "$RW_DIR/dl"
  for spec in "${PYTHON[@]}"; do
    name=${spec%%==*}
    [ -d "$RW_DIR/python/$name" ] && continue
    # The sdist's address from PyPI's simple index (pip download would build metadata first).
    archive=$(python3 - "$name" "${spec##*==}" <<'PY'
import json, sys, urllib.request
name, version = sys.argv[1], sys.argv[2]
req = urllib.request.Request(f"https://pypi.org/simple/{name}/",
                             headers={"Accept": "application/vnd.pypi.simple.v1+json"})
files = json.load(urllib.request.urlopen(req, timeout=60))["files"]
norm = lambda s: s.lower().replace("-", "_")
want = norm(f"{name}-{version}.tar.gz")
url = next(f["url"] for f in files if norm(f["filename"]) == want)
path = url.rsplit("/", 1)[1].split("#")[0]
urllib.request.urlretrieve(url, path)
print(path)
PY
)
    mkdir -p "$RW_DIR/python/$name"
    tar -xzf "$archive" -C "$RW_DIR/python/$name" --strip-components=1
  done
  for spec in "${NPM[@]}"; do
    name=${spec%@*}
    [ -d "$RW_DIR/npm/$name" ] && continue
    file=$(timeout 300 npm pack --silent "$spec" --pack-destination . | tail -1)
    mkdir -p "$RW_DIR/npm/$name"
    tar -xzf "$file" -C "$RW_DIR/npm/$name" --strip-components=1
  done
  for pkg in "${GO[@]}"; do
    [ -d "$RW_DIR/go/$pkg" ] && continue
    timeout 300 apt-get download -q "$pkg" >/dev/null 2>&1
    deb=$(ls "${pkg}"_*.deb | head -1)
    rm -rf x && mkdir x && dpkg-deb -x "$deb" x
    mkdir -p "$RW_DIR/go/$pkg"
    cp -a x/usr/share/gocode/src/. "$RW_DIR/go/$pkg/"
  done
  echo "corpus: $RW_DIR ($(find "$RW_DIR"/python "$RW_DIR"/npm "$RW_DIR"/go -type f | wc -l) files)"
}

# Runs guardrail with zero configuration in each project directory; one JSON report each.
scan_projects() { # corpus-name dir...
  local corpus=$1; shift
  mkdir -p "$RW_DIR/out/$corpus"
  for dir in "$@"; do
    name=$(basename "$dir")
    code=0
    (cd "$dir" && "$BIN" check --format json -o "$RW_DIR/out/$corpus/$name.json" . 2>/dev/null) || code=$?
    echo "$code" >"$RW_DIR/out/$corpus/$name.code"
  done
}

summarise() { # corpus-name...
  python3 - "$RW_DIR/out" "$@" <<'PY'
import collections, glob, json, os, sys
out, corpora = sys.argv[1], sys.argv[2:]
for corpus in corpora:
    reports = sorted(glob.glob(f"{out}/{corpus}/*.json"))
    files = findings = failing = 0
    rules, contexts, levels = collections.Counter(), collections.Counter(), collections.Counter()
    fails = []
    for path in reports:
        r = json.load(open(path))
        code = int(open(path[:-5] + ".code").read().strip() or 0)
        files += r["summary"].get("files_scanned", 0)
        for f in r["findings"]:
            findings += 1
            rules[(f["rule"], f["severity"])] += 1
            contexts[f.get("context", "source")] += 1
        if code == 1:
            failing += 1
            errs = collections.Counter(f["rule"] for f in r["findings"] if f["severity"] == "error")
            fails.append(f"{os.path.basename(path)[:-5]} ({', '.join(f'{k} {v}' for k, v in errs.most_common())})")
        elif code != 0:
            fails.append(f"{os.path.basename(path)[:-5]}: exit {code}")
    print(f"== {corpus}: {len(reports)} projects, {files} files, {findings} findings")
    print(f"   default gate fails {failing} of {len(reports)}" + (": " + "; ".join(fails) if fails else ""))
    print("   by context: " + ", ".join(f"{k} {v}" for k, v in contexts.most_common()))
    for (rule, sev), n in rules.most_common(40):
        print(f"   {n:7}  {sev:8} {rule}")
PY
}

scan() {
  scan_projects python "$RW_DIR"/python/*
  scan_projects npm "$RW_DIR"/npm/*
  scan_projects go "$RW_DIR"/go/*
  summarise python npm go
}

crates() {
  local corpus
  corpus=$(bash "$SHARED/bench/corpus.sh" | tail -1)
  rm -rf "$RW_DIR/out/crates"
  scan_projects crates "$corpus"/*
  summarise crates
}

timing() {
  local all=$RW_DIR/all
  # One tree with every package, as one checkout (no repository around it).
  if [ ! -d "$all" ]; then
    mkdir -p "$all" && cp -a "$RW_DIR"/python "$RW_DIR"/npm "$RW_DIR"/go "$all"/
  fi
  echo "corpus: $all ($(find "$all" -type f | wc -l) files, $(du -sh "$all" | cut -f1)); cores: $(nproc)"
  local json
  json=$(mktemp)
  hyperfine --style basic --warmup 1 --runs "$RUNS" --ignore-failure --export-json "$json" \
    -n ripgrep "rg -c -f $PATTERNS $all" \
    -n guardrail "$BIN check --format json $all"
  peak() { /usr/bin/time -f %M "$@" >/dev/null 2>"$json.t" || true; tail -1 "$json.t"; }
  python3 - "$json" "$(peak rg -c -f "$PATTERNS" "$all")" "$(peak "$BIN" check --format json "$all")" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"ripgrep {r['ripgrep']:.3f} s, guardrail {r['guardrail']:.3f} s: {r['guardrail'] / r['ripgrep']:.2f}x ripgrep")
print(f"peak RSS: ripgrep {int(sys.argv[2]) / 1024:.0f} MB, guardrail {int(sys.argv[3]) / 1024:.0f} MB")
PY
  rm -f "$json" "$json.t"
}

sample() { # rule [n]
  python3 - "$RW_DIR" "$1" "${2:-10}" <<'PY'
import glob, json, random, sys
root, rule, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
hits = []
for path in glob.glob(f"{root}/out/*/*.json"):
    corpus, project = path.split("/")[-2], path.split("/")[-1][:-5]
    for f in json.load(open(path))["findings"]:
        if f["rule"] == rule:
            hits.append((corpus, project, f))
random.seed(7)
for corpus, project, f in random.sample(hits, min(n, len(hits))):
    snippet = (f.get("snippet") or {}).get("text", "").strip()[:160]
    print(f"{corpus}/{project}/{f['path']}:{f['line']}  [{f.get('context')}] {snippet}")
print(f"({len(hits)} findings of {rule})")
PY
}

[ -x "$BIN" ] || cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
case "${1:-all}" in
  fetch) fetch ;;
  scan) scan ;;
  crates) crates ;;
  time) timing ;;
  sample) shift; sample "$@" ;;
  all) fetch; scan; crates; timing ;;
  *) echo "usage: $0 [fetch|scan|crates|time|sample RULE [N]|all]" >&2; exit 2 ;;
esac
