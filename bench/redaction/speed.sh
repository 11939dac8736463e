#!/usr/bin/env bash
# Speed of `whetstone redact` (process start included) on >= 20 MiB of mixed agent text, pinned to one core, and of
# secretlint's Node API in the same run. Prints MB/s (MiB per second) and peak RSS.
# usage: bench/redaction/speed.sh [SIZE_MB=24] [WORKDIR=/tmp/whetstone-redact-bench]
#   env SHARED=/work/shared; PEERS=/tmp/peers (node_modules with secretlint + @secretlint/secretlint-rule-preset-recommend);
#   RUNS=3 runs of each build: the native build (src/Whetstone.Cli.Native, Native AOT) and the full build (the Release
#   `dotnet build` output, ReadyToRun); SAMPLE_LINES=3000 is how much of the file secretlint gets (see below).
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
dotnet build -c Release -v quiet -nologo src/Whetstone.Cli >/dev/null
full=(dotnet src/Whetstone.Cli/bin/Release/net10.0/whetstone.dll)
# The native build (Native AOT, x86-64-v3) of the same command; needs clang and zlib1g-dev.
dotnet publish src/Whetstone.Cli.Native -c Release -v quiet -nologo -o "$work/native" >/dev/null
native=("$work/native/whetstone")

seconds() { grep 'Elapsed (wall clock)' "$1" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }'; }
cpu() { awk '/User time|System time/ {s += $NF} END {print s}' "$1"; }
rss() { grep 'Maximum resident set size' "$1" | awk '{print int($NF / 1024)}'; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN{printf (b/1048576/s < 1 ? "%.2f" : "%.1f"), b/1048576/s}'; }

bytes=$(stat -c %s "$data")
runs=${RUNS:-3}
for build in native full; do
  if [ "$build" = native ]; then cmd=("${native[@]}"); label="native build (Native AOT)"; else cmd=("${full[@]}"); label="full build (dotnet whetstone.dll, ReadyToRun)"; fi
  for i in $(seq 1 "$runs"); do
    t0=$EPOCHREALTIME
    /usr/bin/time -v taskset -c 0 "${cmd[@]}" redact --input "$data" --output "$work/out-$build.jsonl" --home "$work/nohome" 2> "$work/time.txt"
    t1=$EPOCHREALTIME
    # wall time to the millisecond (GNU time prints hundredths); CPU time from GNU time
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}'); cpus=$(cpu "$work/time.txt")
    echo "whetstone redact, $label: $((bytes / 1048576)) MiB in ${secs}s = $(rate "$bytes" "$secs") MB/s (one core, process start included; CPU ${cpus}s = $(rate "$bytes" "$cpus") MB/s), peak RSS $(rss "$work/time.txt") MiB, load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
cmp -s "$work/out-native.jsonl" "$work/out-full.jsonl" && echo "outputs of the two builds: byte-identical" || echo "outputs of the two builds DIFFER"
findings=$(python3 -c "import json,sys; print(sum(len(json.loads(l)['findings']) for l in open(sys.argv[1])))" "$work/out-native.jsonl")
echo "$findings findings"
dll=("${native[@]}")

# secretlint needs minutes per MiB on parts of this file (>10 min for the whole file was seen), so it gets the first
# SAMPLE_LINES lines, and whetstone is timed on the same sample too.
if [ -d "$peers/node_modules/@secretlint/core" ]; then
  sample="$work/sample-$sample_lines.jsonl"
  head -n "$sample_lines" "$data" > "$sample"
  sbytes=$(stat -c %s "$sample")
  /usr/bin/time -v taskset -c 0 "${dll[@]}" redact --input "$sample" --output "$work/out-sample.jsonl" --home "$work/nohome" 2> "$work/time-ws.txt"
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

# Pathological inputs: one line of about 1 MiB each, of the shapes that make backtracking regexes blow up (the same
# shapes as DetectorTests.Find_PathologicalInput_FinishesQuickly). Each must finish in well under a second.
python3 - "$work/patho" <<'PY'
import json, os, sys
d = sys.argv[1]; os.makedirs(d, exist_ok=True)
shapes = {"a": "a" * (1 << 20), "password": "password=" * (1 << 17), "pem": "-----BEGIN PRIVATE KEY-----" * (1 << 15),
          "digits": "1-" * (1 << 19), "at": "a@" * (1 << 19), "jwt": "eyJ." * (1 << 18), "slack": "xoxb-1" * (1 << 17),
          "greeting": "Hi John " * (1 << 17), "curl": "curl -u " * (1 << 17), "colons": "::" * (1 << 19)}
for name, text in shapes.items():
    with open(os.path.join(d, name + ".jsonl"), "w") as f:
        f.write(json.dumps({"id": name, "text": text}) + "\n")
PY
for build in native full; do
  if [ "$build" = native ]; then cmd=("${native[@]}"); else cmd=("${full[@]}"); fi
  line="pathological 1 MiB lines, $build build (process start included):"
  for f in "$work"/patho/*.jsonl; do
    t0=$EPOCHREALTIME
    taskset -c 0 "${cmd[@]}" redact --input "$f" --output "$work/patho-out.jsonl" --home "$work/nohome"
    t1=$EPOCHREALTIME
    line="$line $(basename "$f" .jsonl) $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}')s"
  done
  echo "$line"
done
