#!/usr/bin/env bash
# Label-free quality measurement: FireAct HotpotQA and MedAgentBench runs with their success labels withheld go
# through `whetstone ingest` (per-run rules) and `whetstone trajectories rescore` (set-level rules: clusters,
# near-duplicates, answer consensus) in fresh homes; the accepted sets are compared with the real labels, next to
# the seed system's acceptance rules applied to the same runs (seed_rules.py).
# usage: bench/labelfree/run.sh [SHARED=/work/shared] [WORKDIR=/tmp/whetstone-labelfree]
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${1:-${WHETSTONE_SHARED:-/work/shared}}
work=${2:-/tmp/whetstone-labelfree}
mkdir -p "$work"
here=bench/labelfree
python3 $here/convert_fireact.py "$shared/corpora/fireact-hotpotqa/trajectories_labelstripped.jsonl" "$work/fireact.jsonl" "$work/fireact-labels.jsonl"
python3 $here/convert_medagentbench.py "$shared/corpora/medagentbench/runs_labeled.jsonl" "$work/mab.jsonl" "$work/mab-labels.jsonl"
[ -n "${NO_BUILD:-}" ] || dotnet build -c Release -v quiet -nologo src/Whetstone.Cli >/dev/null
ws() { dotnet src/Whetstone.Cli/bin/Release/net10.0/whetstone.dll "$@"; }
for corpus in fireact:react mab:openai; do
  name=${corpus%%:*}; format=${corpus##*:}
  rm -rf "$work/home-$name"
  ws ingest "$work/$name.jsonl" --format "$format" --home "$work/home-$name" > "$work/$name-ingest.txt"
  ws trajectories list --json --home "$work/home-$name" > "$work/$name-ingest-list.json"
  ws trajectories rescore --home "$work/home-$name" > "$work/$name-rescore.txt"
  ws trajectories list --json --home "$work/home-$name" > "$work/$name-list.json"
done
echo "== per-run rules only (after ingest)"
python3 $here/evaluate.py "$work/fireact-labels.jsonl" "$work/fireact-ingest-list.json" --name FireAct
python3 $here/evaluate.py "$work/mab-labels.jsonl" "$work/mab-ingest-list.json" --name MedAgentBench
echo "== per-run + set-level rules (after rescore)"
python3 $here/evaluate.py "$work/fireact-labels.jsonl" "$work/fireact-list.json" --name FireAct --by-model --reasons
python3 $here/evaluate.py "$work/mab-labels.jsonl" "$work/mab-list.json" --name MedAgentBench --by-model --reasons
echo "== seed system's rules on the same runs"
python3 $here/seed_rules.py "$work/fireact.jsonl" "$work/fireact-labels.jsonl" --name FireAct
python3 $here/seed_rules.py "$work/mab.jsonl" "$work/mab-labels.jsonl" --name MedAgentBench
