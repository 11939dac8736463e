#!/usr/bin/env python3
"""Convert the FireAct HotpotQA ReAct runs into Whetstone's `react` input format.

Keeps every question that all three FireAct models ran; each run is tagged with its model and a task key shared
by the three runs of one question, and carries its success label as the outcome reward (1.0 or 0.0).

usage: convert_fireact.py SHARED_CORPORA/fireact-hotpotqa/trajectories_labelstripped.jsonl OUT.jsonl
"""
import collections
import json
import sys

PROVIDER = {"gpt-3.5-turbo-0613-ft": "openai", "llama-2-13b-lora": "meta", "llama-2-7b-lora": "meta"}


def main(src, dst):
    rows = [json.loads(line) for line in open(src, encoding="utf-8") if line.strip()]
    models_per_question = collections.defaultdict(set)
    for r in rows:
        models_per_question[r["qid"]].add(r["model"])
    all_models = {r["model"] for r in rows}
    keep = {q for q, ms in models_per_question.items() if ms == all_models}
    n = 0
    with open(dst, "w", encoding="utf-8") as out:
        for r in rows:
            if r["qid"] not in keep:
                continue
            rec = {
                "id": f"fireact-{r['model']}-{r['qid']}",
                "model": {"provider": PROVIDER.get(r["model"], "unknown"), "name": r["model"]},
                "task_key": f"hotpotqa-{r['qid']}",
                "source": "fireact-hotpotqa",
                "outcome": {"reward": 1.0 if r["success"] else 0.0},
            }
            if "messages" in r:
                rec["messages"] = r["messages"]
            else:
                rec["text"] = r["text"]
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    print(f"{n} runs of {len(keep)} questions x {len(all_models)} models -> {dst}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
