#!/usr/bin/env python3
"""Fills in findings for peer outputs that only give the redacted text (redact-pii): the changed spans of the
original, found by diffing it with the redacted text. usage: peers_diff.py IN.jsonl OUT.jsonl (OUT rewritten)"""
import difflib, json, sys

inp, out = sys.argv[1:3]
texts = {}
for l in open(inp, encoding="utf-8"):
    r = json.loads(l); texts[r["id"]] = r["text"]
rows = [json.loads(l) for l in open(out, encoding="utf-8")]
with open(out, "w", encoding="utf-8") as f:
    for r in rows:
        if r.get("findings") is None:
            t, red = texts[r["id"]], r.get("redacted") or ""
            fs = []
            if red != t:
                sm = difflib.SequenceMatcher(None, t, red, autojunk=False)
                for op, i1, i2, j1, j2 in sm.get_opcodes():
                    if op in ("replace", "delete") and i2 > i1:
                        fs.append({"start": i1, "end": i2, "kind": red[j1:j2].strip() or "removed"})
            r["findings"] = fs
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
