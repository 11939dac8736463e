#!/usr/bin/env bash
# Crash check: `whetstone serve` is killed with SIGKILL at a random moment while ../shared/tools/load_client.py posts
# runs; it is restarted on the same home, every acknowledged id must be stored exactly once, and re-sending the whole
# file must leave exactly one row per id. Repeats ROUNDS times.
# usage: bench/durability.sh [N=20000] [ROUNDS=5] [WORKDIR=/tmp/whetstone-durability]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
rounds=${2:-5}
work=${3:-/tmp/whetstone-durability}
tools=${TOOLS:-../shared/tools}   # the shared tools folder (env TOOLS overrides)
token=durability-token-0123456789
mkdir -p "$work"
data="$work/gen-$n.jsonl"
[ -s "$data" ] || python3 "$tools/gen_trajectories.py" "$n" --seed 21 > "$data"
dotnet build -c Release -v quiet -nologo src/Whetstone.Cli >/dev/null

pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null || true' EXIT

start() {
  WHETSTONE_CAPTURE_TOKEN=$token Whetstone__Preparation__Enabled=false \
    dotnet src/Whetstone.Cli/bin/Release/net10.0/whetstone.dll serve --home "$work/home" --urls http://127.0.0.1:0 \
    > "$work/serve.out" 2>> "$work/serve.err" &
  pid=$!
  for _ in $(seq 1 300); do grep -q "serving" "$work/serve.out" 2>/dev/null && break; sleep 0.2; done
  url=$(sed -n 's/.* on \(http[^ ]*\).*/\1/p' "$work/serve.out" | head -n 1)
  [ -n "$url" ] || { echo "whetstone serve did not start; see $work/serve.err"; exit 1; }
}

check() {
  python3 - "$work/home/whetstone.db" "$work/acked.txt" "$1" "${2:-0}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = [r[0] for r in db.execute("select id from trajectories")]
stored = set(rows)
acked = {l.strip() for l in open(sys.argv[2]) if l.strip()}
missing = acked - stored
dup = len(rows) - len(stored)
ok = db.execute("pragma integrity_check").fetchone()[0]
print(f"  {sys.argv[3]}: acked {len(acked)}, stored {len(stored)}, acked but missing {len(missing)}, duplicate rows {dup}, integrity {ok}")
expected = int(sys.argv[4])
if expected and len(stored) != expected:
    print(f"  expected {expected} stored runs")
    sys.exit(1)
sys.exit(1 if missing or dup or ok != "ok" or not acked else 0)
PY
}

for round in $(seq 1 "$rounds"); do
  rm -rf "$work/home" "$work/acked.txt"
  start
  python3 "$tools/load_client.py" "$url" "$token" "$data" "$work/acked.txt" --batch 100 --workers 4 > "$work/load.txt" 2>&1 &
  load=$!
  sleep "$(awk -v r="$RANDOM" 'BEGIN{printf "%.2f", 1.5 + (r % 300) / 100}')"
  kill -9 $pid
  wait $load || true
  wait $pid 2>/dev/null || true
  echo "round $round: killed -9 during load ($(cat "$work/load.txt"))"
  start
  check "after restart"
  python3 "$tools/load_client.py" "$url" "$token" "$data" "$work/acked.txt" --batch 100 --workers 4 > /dev/null
  kill -TERM $pid; wait $pid || true
  check "after re-sending all $n" "$n"
done
echo "durability: $rounds rounds passed"
