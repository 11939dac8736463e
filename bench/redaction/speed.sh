#!/usr/bin/env bash
# Speed of `whetstone redact` (process start included) on >= 20 MiB of mixed agent text, pinned to one core, and of
# secretlint's Node API on the same file in the same run. Prints MB/s and peak RSS.
# usage: bench/redaction/speed.sh [SIZE_MB=24] [WORKDIR=/tmp/whetstone-redact-bench]   (env SHARED=/work/shared,
#        PEERS=/tmp/peers with node_modules holding secretlint + @secretlint/secretlint-rule-preset-recommend)
set -euo pipefail
cd "$(dirname "$0")/../.."
size=${1:-24}
work=${2:-/tmp/whetstone-redact-bench}
shared=${SHARED:-/work/shared}
peers=${PEERS:-/tmp/peers}
mkdir -p "$work"
data="$work/mixed-$size.jsonl"
[ -f "$data" ] || python3 bench/redaction/make_mixed.py "$shared" "$data" "$size"
dotnet build -c Release -v quiet -nologo src/Whetstone.Cli >/dev/null
bytes=$(stat -c %s "$data")
/usr/bin/time -v taskset -c 0 dotnet src/Whetstone.Cli/bin/Release/net10.0/whetstone.dll redact --input "$data" --output "$work/out.jsonl" --home "$work/nohome" 2> "$work/time.txt"
secs=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
findings=$(python3 -c "import json,sys; print(sum(len(json.loads(l)['findings']) for l in open(sys.argv[1])))" "$work/out.jsonl")
echo "whetstone redact: $((bytes / 1048576)) MiB in ${secs}s = $(awk -v b="$bytes" -v s="$secs" 'BEGIN{printf "%.1f", b/1048576/s}') MB/s (one core, process start included), peak RSS $((rss / 1024)) MiB, $findings findings"
if [ -d "$peers/node_modules/@secretlint/core" ]; then
  /usr/bin/time -v taskset -c 0 env NODE_PATH="$peers/node_modules" node bench/redaction/peers.cjs secretlint "$data" "$work/secretlint.jsonl" 2> "$work/time-sl.txt" || true
  s2=$(grep 'Elapsed (wall clock)' "$work/time-sl.txt" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  r2=$(grep 'Maximum resident set size' "$work/time-sl.txt" | awk '{print $NF}')
  grep 'MB/s' "$work/time-sl.txt" || true
  echo "secretlint (node API, same file): ${s2}s = $(awk -v b="$bytes" -v s="$s2" 'BEGIN{printf "%.1f", b/1048576/s}') MB/s (process start included), peak RSS $((r2 / 1024)) MiB"
fi
