#!/usr/bin/env bash
# Benchmark: `whetstone dataset snapshot` then `whetstone dataset export --format openai` over N stored runs
# (~5.5 KB each, seeded straight into the store by bench/Whetstone.StoreSeeder). Prints wall time and peak RSS of
# each command (process start included). The snapshot command also rewrites the OpenAI-format artifact
# (artifacts/self-training-trajectories.jsonl) with every example of the snapshot.
# usage: bench/snapshot_export.sh [N=1000000] [WORKDIR=/tmp/whetstone-snapbench]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
work=${2:-/tmp/whetstone-snapbench}
dotnet build -c Release -v quiet -nologo src/Whetstone.Cli >/dev/null
dotnet build -c Release -v quiet -nologo bench/Whetstone.StoreSeeder >/dev/null
home="$work/home-$n"
if [ ! -f "$home/whetstone.db" ]; then
  rm -rf "$home"
  dotnet bench/Whetstone.StoreSeeder/bin/Release/net10.0/Whetstone.StoreSeeder.dll "$home" "$n"
fi
cli="dotnet src/Whetstone.Cli/bin/Release/net10.0/whetstone.dll --home $home"
measure() {
  local name=$1; shift
  /usr/bin/time -v "$@" > "$work/$name.out" 2> "$work/$name.time"
  local secs rss
  secs=$(grep 'Elapsed (wall clock)' "$work/$name.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$work/$name.time" | awk '{print $NF}')
  echo "$name: ${secs}s, peak RSS $((rss / 1024)) MiB"
}
seed=$(( $(date +%s) % 100000 ))
measure snapshot $cli dataset snapshot --min-examples 1 --seed "$seed" --json
id=$(grep -m1 '"id"' "$work/snapshot.out" | sed 's/.*"id": "\([^"]*\)".*/\1/')
measure export $cli dataset export "$id" --format openai --out "$work/export-$n"
ls -la "$work/export-$n"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
