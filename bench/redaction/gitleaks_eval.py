#!/usr/bin/env python3
"""Scores a redactor on the gitleaks rule cases (shared/corpora/gitleaks-cases/rule_cases.jsonl).

usage: gitleaks_eval.py prepare CASES.jsonl IN.jsonl            # writes {"id","text"} lines for any redactor
       gitleaks_eval.py score CASES.jsonl OUT.jsonl [--secret-kinds-only] [--show-misses]

OUT.jsonl holds the redactor's lines {"id","redacted","findings":[{"start","end","kind"}]} (the `whetstone redact`
contract; the peer runners in this folder write the same). A tp row counts as found when a finding overlaps its
`secret` (rows with a `secret`) or when any finding is made (rows without); masked whole = one finding covers the
whole secret. An fp row is flagged when any finding is made. With --secret-kinds-only, findings of personal-data
kinds (email, phone, ipv4, person, ...) are ignored: the corpus is about credentials.
"""
import json, sys

PII = {"email", "phone", "credit_card", "iban", "us_ssn", "ipv4", "ipv6", "mac_address", "crypto_wallet",
       "date_of_birth", "street_address", "person", "username", "identifier"}


def prepare(cases, out):
    with open(out, "w", encoding="utf-8") as f:
        for line in open(cases, encoding="utf-8"):
            r = json.loads(line)
            f.write(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n")


def score(cases, out, secret_only=False, show=False):
    rows = {}
    for line in open(cases, encoding="utf-8"):
        r = json.loads(line)
        rows[r["id"]] = r
    found = {}
    for line in open(out, encoding="utf-8"):
        o = json.loads(line)
        fs = o.get("findings") or []
        if secret_only:
            fs = [f for f in fs if f.get("kind") not in PII]
        found[o["id"]] = fs
    tp = [r for r in rows.values() if r["kind"] == "tp"]
    fp = [r for r in rows.values() if r["kind"] == "fp"]
    hit = whole = with_secret = 0
    misses, fragments, flagged = [], [], []
    for r in tp:
        fs = found.get(r["id"], [])
        if "secret" in r and r["secret"]:
            with_secret += 1
            text, sec = r["text"], r["secret"]
            s = text.find(sec)
            if s < 0:
                ok = bool(fs); w = False
            else:
                e = s + len(sec)
                ok = any(f["start"] < e and f["end"] > s for f in fs)
                w = any(f["start"] <= s and f["end"] >= e for f in fs)
            hit += ok; whole += w
            if not ok: misses.append(r)
            elif not w: fragments.append(r)
        else:
            ok = bool(fs)
            hit += ok
            if not ok: misses.append(r)
    for r in fp:
        if found.get(r["id"]):
            flagged.append(r)
    hard = [r for r in fp if r.get("toml_regex_matches_py_re") is True]
    easy = [r for r in fp if r.get("toml_regex_matches_py_re") is not True]
    res = {
        "tp_rows": len(tp), "recall": round(hit / len(tp), 4),
        "rows_with_secret": with_secret, "masked_whole": round(whole / with_secret, 4),
        "fp_rows": len(fp), "fp_flagged": len(flagged), "fp_rate": round(len(flagged) / len(fp), 4),
        "fp_regex_match_rows": len(hard), "fp_regex_match_flagged": sum(1 for r in flagged if r in hard),
        "fp_regex_match_rate": round(sum(1 for r in flagged if r in hard) / len(hard), 4),
        "fp_other_rows": len(easy), "fp_other_flagged": sum(1 for r in flagged if r in easy),
        "fp_other_rate": round(sum(1 for r in flagged if r in easy) / len(easy), 4),
    }
    print(json.dumps(res))
    if show:
        for r in misses:
            print("MISS", r["rule_id"], r["context"], repr(r["text"][:160]), file=sys.stderr)
        for r in fragments:
            fs = found.get(r["id"], [])
            print("FRAG", r["rule_id"], r["context"], repr(r["text"][:160]), [(r["text"][f["start"]:f["end"]][:40], f["kind"]) for f in fs], file=sys.stderr)
        for r in flagged:
            fs = found.get(r["id"], [])
            print("FP  ", r["rule_id"], r.get("toml_regex_matches_py_re"), [(r["text"][f["start"]:f["end"]][:50], f["kind"]) for f in fs], file=sys.stderr)
    return res


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "prepare":
        prepare(a[1], a[2])
    else:
        score(a[1], a[2], "--secret-kinds-only" in a, "--show-misses" in a)
