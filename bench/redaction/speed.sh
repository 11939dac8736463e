#!/usr/bin/env bash
# Speed of `whetstone redact` (process start included) on >= 20 MiB of mixed agent text, pinned to one core, and of
# secretlint's Node API in the same run. Prints MB/s (MiB per second) and peak RSS.
# usage: bench/redaction/speed.sh [SIZE_MB=24] [WORKDIR=/tmp/whetstone-redact-bench]
#   env SHARED=/work/shared; PEERS=/tmp/peers (node_modules with secretlint + @secretlint/secretlint-rule-preset-recommend);
#   R2R=1 runs a ReadyToRun publish of the CLI (precompiled: no JIT at start; needs the crossgen2 package from NuGet)
#   instead of the `dotnet build` output; SAMPLE_LINES=3000 is how much of the file secretlint gets (see below).
set -euo pipefail
cd "$(dirname "$0")/../.."
size=${1:-24}
work=${2:-/tmp/whetstone-redact-bench}
shared=${SHARED:-/work/shared}
peers=${PEERS:-/tmp/peers}
sample_lines=${SAMPLE_LINES:-3000}
mkdir -p "$work"
data="$work/mixed-$size.jsonl"
[ -f "$data" ] || python3 bench/redaction/make_mixed.py "$shared" "$data" "$size"
if [ "${R2R:-0}" = 1 ]; then
  dotnet publish src/Whetstone.Cli -c Release -v quiet -nologo -p:PublishReadyToRun=true -o "$work/publish-r2r" >/dev/null
  dll="$work/publish-r2r/whetstone.dll"
  build="ReadyToRun publish"
else
  dotnet build -c Release -v quiet -nologo src/Whetstone.Cli >/dev/null
  dll=src/Whetstone.Cli/bin/Release/net10.0/whetstone.dll
  build="dotnet build output (JIT)"
fi

seconds() { grep 'Elapsed (wall clock)' "$1" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }'; }
cpu() { awk '/User time|System time/ {s += $NF} END {print s}' "$1"; }
rss() { grep 'Maximum resident set size' "$1" | awk '{print int($NF / 1024)}'; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN{printf (b/1048576/s < 1 ? "%.2f" : "%.1f"), b/1048576/s}'; }

bytes=$(stat -c %s "$data")
/usr/bin/time -v taskset -c 0 dotnet "$dll" redact --input "$data" --output "$work/out.jsonl" --home "$work/nohome" 2> "$work/time.txt"
secs=$(seconds "$work/time.txt"); cpus=$(cpu "$work/time.txt")
findings=$(python3 -c "import json,sys; print(sum(len(json.loads(l)['findings']) for l in open(sys.argv[1])))" "$work/out.jsonl")
echo "whetstone redact ($build): $((bytes / 1048576)) MiB in ${secs}s = $(rate "$bytes" "$secs") MB/s (one core, process start included; CPU ${cpus}s = $(rate "$bytes" "$cpus") MB/s), peak RSS $(rss "$work/time.txt") MiB, $findings findings, load $(cut -d' ' -f1 /proc/loadavg)"

# secretlint needs minutes per MiB on parts of this file (>10 min for the whole file was seen), so it gets the first
# SAMPLE_LINES lines, and whetstone is timed on the same sample too.
if [ -d "$peers/node_modules/@secretlint/core" ]; then
  sample="$work/sample-$sample_lines.jsonl"
  head -n "$sample_lines" "$data" > "$sample"
  sbytes=$(stat -c %s "$sample")
  /usr/bin/time -v taskset -c 0 dotnet "$dll" redact --input "$sample" --output "$work/out-sample.jsonl" --home "$work/nohome" 2> "$work/time-ws.txt"
  s1=$(seconds "$work/time-ws.txt")
  echo "whetstone redact, first $sample_lines lines ($((sbytes / 1024)) KiB): ${s1}s = $(rate "$sbytes" "$s1") MB/s (process start included)"
  if timeout 900 /usr/bin/time -v taskset -c 0 env NODE_PATH="$peers/node_modules" node bench/redaction/peers.cjs secretlint "$sample" "$work/secretlint.jsonl" 2> "$work/time-sl.txt"; then
    s2=$(seconds "$work/time-sl.txt")
    grep 'MB/s' "$work/time-sl.txt" || true
    echo "secretlint (node API), same $sample_lines lines: ${s2}s = $(rate "$sbytes" "$s2") MB/s (process start included), peak RSS $(rss "$work/time-sl.txt") MiB"
  else
    echo "secretlint (node API): did not finish the sample in 900 s"
  fi
fi
