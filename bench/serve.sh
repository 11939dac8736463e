#!/usr/bin/env bash
# Benchmark: sustained ingest through `whetstone serve` on loopback, driven by a separate load process
# (../shared/tools/load_client.py: batches of 100, 4 workers) with runs from ../shared/tools/gen_trajectories.py
# (OpenAI format, ~5.5 KB each). Each run is read, normalised, redacted, scored and committed to SQLite (WAL) before
# its batch is answered 202. A warm-up pass (other ids) runs first so the JIT has settled; then the measured pass.
# Prints the load client's rate, the server's CPU time per run, and checks every acknowledged id is stored once.
# usage: bench/serve.sh [N=60000] [WARMUP=20000] [WORKDIR=/tmp/whetstone-serve-bench]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-60000}
warm=${2:-20000}
work=${3:-/tmp/whetstone-serve-bench}
tools=${TOOLS:-../shared/tools}   # the shared tools folder (env TOOLS overrides)
token=bench-capture-token-0123456789
mkdir -p "$work"
data="$work/gen-$n.jsonl"
[ -s "$data" ] || python3 "$tools/gen_trajectories.py" "$n" --seed 11 > "$data"
warmdata="$work/warm-$warm.jsonl"
[ -s "$warmdata" ] || python3 "$tools/gen_trajectories.py" "$warm" --seed 12 | sed 's/"id": "gen-/"id": "warm-/' > "$warmdata"
dotnet build -c Release -v quiet -nologo src/Whetstone.Cli >/dev/null
rm -rf "$work/home" "$work/acked.txt"
WHETSTONE_CAPTURE_TOKEN=$token Whetstone__Preparation__Enabled=false \
  dotnet src/Whetstone.Cli/bin/Release/net10.0/whetstone.dll serve --home "$work/home" --urls http://127.0.0.1:0 \
  > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do grep -q "serving" "$work/serve.out" 2>/dev/null && break; sleep 0.2; done
url=$(sed -n 's/.* on \(http[^ ]*\).*/\1/p' "$work/serve.out" | head -n 1)
[ -n "$url" ] || { echo "whetstone serve did not start; see $work/serve.err"; exit 1; }
echo "server pid $pid at $url"
python3 "$tools/load_client.py" "$url" "$token" "$warmdata" /dev/null --batch 100 --workers 4 | sed 's/^/warm-up: /'
cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat)
python3 "$tools/load_client.py" "$url" "$token" "$data" "$work/acked.txt" --batch 100 --workers 4 | tee "$work/load.txt"
cpu1=$(awk '{print $14 + $15}' /proc/$pid/stat)
hz=$(getconf CLK_TCK)
echo "server CPU: $(awk -v a="$cpu0" -v b="$cpu1" -v hz="$hz" -v n="$n" 'BEGIN{printf "%.1f s, %.0f us per run", (b-a)/hz, (b-a)/hz*1e6/n}')"
kill -TERM $pid
wait $pid || true
trap - EXIT
python3 - "$work/home/whetstone.db" "$work/acked.txt" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
stored = {r[0] for r in db.execute("select id from trajectories")}
acked = [l.strip() for l in open(sys.argv[2]) if l.strip()]
missing = [a for a in acked if a not in stored]
print(f"acked {len(acked)}, stored {len(stored)} (incl. warm-up), acked but missing {len(missing)}")
sys.exit(1 if missing else 0)
PY
