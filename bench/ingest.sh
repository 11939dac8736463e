#!/usr/bin/env bash
# Benchmark: `whetstone ingest` of N generated trajectories (OpenAI format, ~5.5 KB each, made by
# ../shared/tools/gen_trajectories.py) from JSON Lines into a fresh SQLite home. Measures the whole command:
# process start, parse, normalise, redact, score, durable commit. Prints trajectories/s and peak RSS.
# usage: bench/ingest.sh [N=100000] [WORKDIR=/tmp/whetstone-bench]   (env WHETSTONE_SHARED: the shared folder, default ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
work=${2:-/tmp/whetstone-bench}
shared=${WHETSTONE_SHARED:-$([ -d ../shared ] && echo ../shared || echo /work/shared)}
mkdir -p "$work"
data="$work/gen-$n.jsonl"
[ -s "$data" ] || { python3 "$shared/tools/gen_trajectories.py" "$n" --seed 7 > "$data.tmp" && mv "$data.tmp" "$data"; }
dotnet build -c Release -v quiet -nologo src/Whetstone.Cli >/dev/null
rm -rf "$work/home"
/usr/bin/time -v dotnet src/Whetstone.Cli/bin/Release/net10.0/whetstone.dll ingest "$data" --home "$work/home" \
  2> "$work/time.txt" | tee "$work/out.txt"
secs=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
bytes=$(stat -c %s "$data")
echo "trajectories: $n  input: $((bytes / 1048576)) MiB  wall: ${secs}s  rate: $(awk -v n="$n" -v s="$secs" 'BEGIN{printf "%.0f", n/s}')/s  peak RSS: $((rss / 1024)) MiB"
