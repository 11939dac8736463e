#!/usr/bin/env python3
"""Convert FireAct HotpotQA runs (../shared/corpora/fireact-hotpotqa/trajectories_labelstripped.jsonl, all 1,464)
into Whetstone's `react` input with the labels withheld: no outcome, no reward, no em/f1/pred/gt, and no task_key
(runs of the same question are grouped by Whetstone from the question text alone). Labels go to a separate file.

usage: convert_fireact.py TRAJECTORIES_LABELSTRIPPED.jsonl OUT.jsonl LABELS_OUT.jsonl
"""
import json
import sys


def main(src, dst, labels):
    n = 0
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out, open(labels, "w", encoding="utf-8") as lab:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            rid = f"fa-{r['model']}-{r['qid']}"
            rec = {"id": rid, "model": {"name": r["model"]}, "source": "fireact-hotpotqa"}
            if "messages" in r:
                rec["messages"] = r["messages"]
            else:
                rec["text"] = r["text"]
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            lab.write(json.dumps({"id": rid, "model": r["model"], "task": r["qid"], "success": bool(r["success"])}) + "\n")
            n += 1
    print(f"{n} FireAct runs -> {dst} (labels -> {labels})")


if __name__ == "__main__":
    main(*sys.argv[1:4])
