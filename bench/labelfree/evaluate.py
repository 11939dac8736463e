#!/usr/bin/env python3
"""Precision and recall of Whetstone's accepted set against withheld success labels.

usage: evaluate.py LABELS.jsonl LIST.json [--name NAME] [--by-model] [--sweep]
  LIST.json   output of `whetstone trajectories list --json` (id, accepted, score, reasons)
  --sweep     also print precision/recall when accepting by score >= t among runs no rule rejected outright
"""
import argparse
import collections
import json


def pr(rows):
    accepted = [r for r in rows if r["accepted"]]
    tp = sum(r["success"] for r in accepted)
    pos = sum(r["success"] for r in rows)
    p = tp / len(accepted) if accepted else 0.0
    return len(accepted), p, (tp / pos if pos else 0.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("labels")
    ap.add_argument("listing")
    ap.add_argument("--name", default="corpus")
    ap.add_argument("--by-model", action="store_true")
    ap.add_argument("--reasons", action="store_true")
    a = ap.parse_args()
    labels = {x["id"]: x for x in map(json.loads, open(a.labels, encoding="utf-8"))}
    listing = json.load(open(a.listing, encoding="utf-8"))
    rows = []
    for item in listing:
        lab = labels.get(item["id"])
        if lab is None:
            continue
        rows.append({**item, "success": lab["success"], "label_model": lab["model"]})
    missing = len(labels) - len(rows)
    base = sum(r["success"] for r in rows) / len(rows)
    n, p, rec = pr(rows)
    print(f"{a.name}: runs {len(rows)} (missing {missing}), base rate {base:.3f}; accepted {n}: precision {p:.3f}, recall {rec:.3f}, "
          f"precision - base {p - base:+.3f}")
    if a.by_model:
        by = collections.defaultdict(list)
        for r in rows:
            by[r["label_model"]].append(r)
        for m, rs in sorted(by.items()):
            n, p, rec = pr(rs)
            b = sum(r["success"] for r in rs) / len(rs)
            print(f"  {m:24s} runs {len(rs):4d} base {b:.3f} accepted {n:4d} precision {p:.3f} recall {rec:.3f}")
    if a.reasons:
        c = collections.Counter()
        s = collections.Counter()
        for r in rows:
            for reason in r["reasons"]:
                c[reason] += 1
                s[reason] += r["success"]
        for reason, k in c.most_common():
            print(f"  rejected by {reason:30s} {k:5d} runs, of which successful {s[reason]:4d} ({s[reason] / k:.2f})")


if __name__ == "__main__":
    main()
