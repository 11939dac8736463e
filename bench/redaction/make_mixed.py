#!/usr/bin/env python3
"""Builds the mixed agent-text benchmark input: {"id","text"} lines of at least SIZE_MB MiB, cycling through tool
JSON and prose from generated support-agent runs (with planted secrets), Wikipedia observations (FireAct), tool
conversations (ToolTalk) and code/config snippets (gitleaks cases).

usage: make_mixed.py SHARED_DIR OUT.jsonl [SIZE_MB=24]
"""
import json, os, subprocess, sys

shared, out = sys.argv[1], sys.argv[2]
size = int(sys.argv[3]) if len(sys.argv) > 3 else 24
texts = []
gen = subprocess.run([sys.executable, os.path.join(shared, "tools", "gen_trajectories.py"), "2000", "--seed", "11", "--secrets", "/tmp/whetstone-mixed-secrets.txt"],
                     capture_output=True, text=True, check=True).stdout
for line in gen.splitlines():
    r = json.loads(line)
    for m in r["messages"]:
        if m.get("content"):
            texts.append(m["content"])
        for c in m.get("tool_calls") or []:
            texts.append(c["function"]["arguments"])
for line in open(os.path.join(shared, "corpora", "fireact-hotpotqa", "trajectories_labelstripped.jsonl"), encoding="utf-8"):
    r = json.loads(line)
    for m in r.get("messages", []):
        if m.get("content"):
            texts.append(m["content"])
for line in open(os.path.join(shared, "corpora", "gitleaks-cases", "rule_cases.jsonl"), encoding="utf-8"):
    texts.append(json.loads(line)["text"])
here = os.path.dirname(os.path.abspath(__file__))
for line in open(os.path.join(here, "..", "..", "samples", "tooltalk", "tooltalk-openai.jsonl"), encoding="utf-8"):
    r = json.loads(line)
    for m in r["messages"]:
        if m.get("content"):
            texts.append(m["content"])
written = 0
n = 0
with open(out, "w", encoding="utf-8") as f:
    while written < size * 1048576:
        for t in texts:
            line = json.dumps({"id": n, "text": t}, ensure_ascii=False) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            n += 1
            if written >= size * 1048576:
                break
print(f"{n} lines, {written / 1048576:.1f} MiB -> {out}", file=sys.stderr)
