#!/usr/bin/env python3
"""Personal data in ToolTalk (shared/corpora/tooltalk/data): entity recall and finding precision of a redactor.

usage: pii_eval.py prepare TOOLTALK_DATA_DIR IN.jsonl GOLD.jsonl   # {"id","text"} lines for any redactor + gold spans
       pii_eval.py score GOLD.jsonl OUT.jsonl [--show]              # OUT: {"id","redacted","findings":[{start,end,kind}]}

Texts: every turn of the 78 conversations, and every tool call's parameters and response as JSON, one line each.
Gold personal data (UTF-16 offsets, like the redactors' findings):
  - email: every address with a dotted domain (a plain pattern: the fake world writes them simply, alis@fmail.com);
  - phone: every NNN-NNN-NNNN or (NNN) NNN-NNNN number (the corpus's two phone formats);
  - street_address: a house number, capitalised words and a street type ("551 Washington Street", "123 Main St.");
  - person: every run of words from PEOPLE, the given names and surnames of the people the conversations talk about,
    read off the texts by hand (account holders, contacts, "call Cindy", "Mrs. Fritz", "Hi Will", ...); an initial
    between two of them ("Virginia J. Graham", "Lara C Jean") joins the run. "Mark" is left out: it is always the verb.
Don't-care spans: usernames, passwords and session tokens (the values of those keys and the user records'
values, wherever they occur). Redacting them is right, but they are credentials and handles, not the personal data
measured here, so a finding on one (a password finding may take the "?" after it) is neither a hit nor a false
positive.
Scores: recall = gold entities overlapped by any finding (by type and in all); precision = findings that overlap a
gold entity / findings that overlap a gold entity or no don't-care span. Unmatched findings are listed by kind with
--show (a place name, a date, an id, a URL, ...).
"""
import glob, json, os, re, sys

PEOPLE = """Justin Kool Kong Chiu Virginia Graham Olivie Doiron Surya Rani Kumar Alex Knight Michael Steinke Hugo Saldana
Cano Julian Hester Li Feng Lifeng Cindy Jeff Smith Barnie Emily Tao Annie Charlie Nick Brody Ana Xiu Alice Bob Tracy Lara
Jean Sally Fritz Sara Jose Garcia Lucy Matt Alicia Sarah John Amy Jessica Erica Steve Olive Mary Sam Will""".split()
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
PHONE = re.compile(r"(?<![\d-])(?:\d{3}-|\(\d{3}\) )\d{3}-\d{4}(?![\d-])")
ADDRESS = re.compile(r"\b\d{1,5} (?:[A-Z][a-z]+ )+(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr)\b\.?")
NAME_RUN = re.compile(r"\b(?:%s)(?:(?: [A-Z]\.?)? (?:%s))*\b(?!@)" % ("|".join(PEOPLE), "|".join(PEOPLE)))
DONT_CARE_KEYS = {"username", "password", "old_password", "new_password", "session_token", "sender", "receiver",
                  "receivers", "attendees"}


def utf16(text, i):
    """UTF-16 offset of code point index i (the redactors report UTF-16 offsets)."""
    return len(text[:i].encode("utf-16-le")) // 2


def parts(conv):
    for i, t in enumerate(conv["conversation"]):
        yield f"{conv['name']}:{i}:text", t["text"]
        for k, a in enumerate(t.get("apis") or []):
            yield f"{conv['name']}:{i}:req{k}", json.dumps(a["request"]["parameters"], ensure_ascii=False)
            yield f"{conv['name']}:{i}:res{k}", json.dumps(a["response"], ensure_ascii=False)


def dont_care_values(obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in DONT_CARE_KEYS:
                for s in (v if isinstance(v, list) else [v]):
                    if isinstance(s, str) and len(s) >= 3 and "@" not in s:
                        out.add(s)
            dont_care_values(v, out)
    elif isinstance(obj, list):
        for v in obj:
            dont_care_values(v, out)


def prepare(data, inp, gold):
    files = sorted(glob.glob(os.path.join(data, "easy", "*.json")) + glob.glob(os.path.join(data, "tooltalk", "*.json")))
    values = set()
    for f in glob.glob(os.path.join(data, "databases", "Account.json")):
        for acc in json.load(open(f, encoding="utf-8")).values():
            for k in ("username", "password", "session_token"):
                if acc.get(k):
                    values.add(acc[k])
    convs = [json.load(open(f, encoding="utf-8")) for f in files]
    for c in convs:
        dont_care_values(c, values)
        for k in ("username", "password", "session_token"):
            if c["user"].get(k):
                values.add(c["user"][k])
    care = sorted(values, key=len, reverse=True)
    with open(inp, "w", encoding="utf-8") as fi, open(gold, "w", encoding="utf-8") as fg:
        for c in convs:
            for pid, text in parts(c):
                fi.write(json.dumps({"id": pid, "text": text}, ensure_ascii=False) + "\n")
                ents = []
                for kind, rx in (("email", EMAIL), ("phone", PHONE), ("person", NAME_RUN), ("street_address", ADDRESS)):
                    for m in rx.finditer(text):
                        ents.append({"start": utf16(text, m.start()), "end": utf16(text, m.end()), "type": kind, "text": m.group()})
                dc = []
                for v in care:
                    for m in re.finditer(r"(?<![A-Za-z0-9])" + re.escape(v) + r"(?![A-Za-z0-9])", text):
                        dc.append([utf16(text, m.start()), utf16(text, m.end())])
                fg.write(json.dumps({"id": pid, "entities": ents, "dont_care": dc}, ensure_ascii=False) + "\n")


def score(gold, out, show=False):
    g = {}
    for line in open(gold, encoding="utf-8"):
        r = json.loads(line)
        g[r["id"]] = r
    found = {}
    for line in open(out, encoding="utf-8"):
        o = json.loads(line)
        found[o["id"]] = o.get("findings") or []
    by_type, hits = {}, {}
    tp = fp = 0
    unmatched = {}
    for pid, r in g.items():
        fs = found.get(pid, [])
        for e in r["entities"]:
            by_type[e["type"]] = by_type.get(e["type"], 0) + 1
            if any(f["start"] < e["end"] and f["end"] > e["start"] for f in fs):
                hits[e["type"]] = hits.get(e["type"], 0) + 1
        for f in fs:
            if any(f["start"] < e["end"] and f["end"] > e["start"] for e in r["entities"]):
                tp += 1
            elif any(f["start"] < b and f["end"] > a for a, b in r["dont_care"]):
                continue
            else:
                fp += 1
                unmatched.setdefault(f.get("kind", "?"), []).append((pid, f))
    total = sum(by_type.values())
    found_all = sum(hits.values())
    print(f"entities {total}: recall {found_all / total:.3f} ("
          + ", ".join(f"{t} {hits.get(t, 0)}/{n} = {hits.get(t, 0) / n:.3f}" for t, n in sorted(by_type.items())) + ")")
    print(f"findings outside don't-care spans {tp + fp}: precision {tp / max(1, tp + fp):.3f} ({tp} on personal data, {fp} not)")
    if show:
        texts = {}
        for k, v in sorted(unmatched.items(), key=lambda kv: -len(kv[1])):
            print(f"  unmatched {k}: {len(v)}")
        if os.environ.get("PII_TEXTS"):
            for line in open(os.environ["PII_TEXTS"], encoding="utf-8"):
                r = json.loads(line)
                texts[r["id"]] = r["text"].encode("utf-16-le")
            for k, v in unmatched.items():
                for pid, f in v[:8]:
                    t = texts.get(pid)
                    if t is not None:
                        print(f"    {k}: {t[2 * f['start']:2 * f['end']].decode('utf-16-le')!r}")


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) >= 4 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3], "--show" in sys.argv)
    else:
        sys.exit(__doc__)
