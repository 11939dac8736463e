#!/usr/bin/env python3
"""False positives on Wikipedia prose: the tool observations of the FireAct HotpotQA ReAct runs.

usage: fireact_eval.py prepare TRAJECTORIES.jsonl IN.jsonl     # one {"id","text"} line per distinct observation
       fireact_eval.py score IN.jsonl OUT.jsonl [--show]

An observation is the text after "Observation:" up to the next "Thought:"/"Action:" line. The observations hold no
secrets and (as encyclopedia text about public people and places) no private data, so any finding other than a
person or a place name counts as a false positive. Reports the share of observations with such a finding, and the
findings by kind.
"""
import collections, json, re, sys

OBS = re.compile(r"Observation(?: \d+)?:\s*(.*?)(?=\n(?:Thought|Action)(?: \d+)?:|\Z)", re.S)
NAMES = {"person", "street_address"}


def prepare(src, out):
    seen = set()
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for line in open(src, encoding="utf-8"):
            r = json.loads(line)
            parts = [m.get("content") or "" for m in r.get("messages", [])]
            if r.get("text"):
                parts.append(r["text"])
            for p in parts:
                for m in OBS.finditer(p):
                    t = m.group(1).strip()
                    if len(t) < 20 or t in seen:
                        continue
                    seen.add(t)
                    f.write(json.dumps({"id": n, "text": t}, ensure_ascii=False) + "\n")
                    n += 1
    print(f"{n} observations", file=sys.stderr)


def score(inp, out, show=False):
    texts = {json.loads(l)["id"]: json.loads(l)["text"] for l in open(inp, encoding="utf-8")}
    kinds = collections.Counter()
    with_any = with_other = 0
    total = 0
    for line in open(out, encoding="utf-8"):
        o = json.loads(line)
        total += 1
        fs = o.get("findings") or []
        if fs:
            with_any += 1
        other = [f for f in fs if f["kind"] not in NAMES]
        if other:
            with_other += 1
            if show:
                t = texts[o["id"]]
                print("FP", [(f["kind"], t[max(0, f["start"] - 25):f["end"] + 10]) for f in other], file=sys.stderr)
        for f in fs:
            kinds[f["kind"]] += 1
    print(json.dumps({"observations": total, "with_any_finding": with_any, "with_finding_other_than_person_or_place": with_other,
                      "fp_rate": round(with_other / total, 4), "findings_by_kind": dict(kinds.most_common())}))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "prepare":
        prepare(a[1], a[2])
    else:
        score(a[1], a[2], "--show" in a)
