#!/usr/bin/env bash
# Benchmark: evaluation harness throughput (issue 6). Step replay of N cases, candidate and baseline both through the
# real openai: client (OpenAI SDK protocol call + Polly timeout/retry), against an instant OpenAI-compatible endpoint
# (in-process Kestrel on 127.0.0.1) at concurrency C; then a bare HttpClient loop against the same endpoint.
# usage: bench/eval-throughput.sh [CASES=20000] [CONCURRENCY=64] [extra args, e.g. --server http://127.0.0.1:8000/v1]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-20000}
concurrency=${2:-64}
shift $(( $# > 2 ? 2 : $# ))
dotnet build -c Release -v quiet -nologo bench/Whetstone.Bench >/dev/null
dotnet bench/Whetstone.Bench/bin/Release/net10.0/Whetstone.Bench.dll --cases "$cases" --concurrency "$concurrency" "$@"
