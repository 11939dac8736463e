#!/usr/bin/env bash
# Runs every Whetstone test. Installs and starts what the tests need when it is missing and it can
# (as root on Debian: apt packages), builds once, runs all test projects, and prints one summary line
# "N passed, N failed" parsed from the TRX reports.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"

# --- services the tests need --------------------------------------------------------------------
if [ -f scripts/test-services.sh ]; then
  # shellcheck source=/dev/null
  . scripts/test-services.sh
fi

# --- build once, then test ----------------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! dotnet build Whetstone.slnx -c Release -v quiet -nologo; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test --solution Whetstone.slnx -c Release --no-build --report-trx --results-directory "$results" "$@"
status=$?

# --- summary from the TRX files -----------------------------------------------------------------
passed=0; failed=0; found=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  found=$((found + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  e=$(echo "$counters" | sed -n 's/.* error="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
done
if [ "$found" -eq 0 ] || { [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
  # The run failed without a failing test in any report (a crashed test host): count it as a failure.
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
