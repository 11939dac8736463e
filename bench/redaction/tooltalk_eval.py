#!/usr/bin/env python3
"""ToolTalk through `whetstone ingest`: are the values of each conversation's `user` record gone from the store?

usage: tooltalk_eval.py TOOLTALK_DATA_DIR SAMPLE.jsonl HOME_DB

TOOLTALK_DATA_DIR is shared/corpora/tooltalk/data (for each conversation's `user` record: username, email, phone,
name, password, session_token); SAMPLE.jsonl the converted conversations that were ingested (ids tooltalk-<name>);
HOME_DB the SQLite store after `whetstone ingest`. For every field, counts the value's occurrences in each ingested
conversation (as sent) and in the stored conversation, anywhere (messages, tool arguments and results, metadata,
session id): share gone = 1 - remaining / original. Passwords are also split by where the user typed them: in a
message's text with no keyword next to them ("bare", e.g. "sure, it's chaew5Oeth") or elsewhere.
"""
import glob, json, os, re, sqlite3, sys

FIELDS = ["email", "phone", "session_token", "username", "name", "password"]
KEYWORD = re.compile(r"(?i)password|passwd|pwd|passcode")


def occurrences(text, value):
    return len(re.findall(r"(?<![A-Za-z0-9])" + re.escape(value) + r"(?![A-Za-z0-9])", text))


def texts(obj):
    """Every string in a JSON value, with JSON-in-strings (tool arguments/results) decoded too."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from texts(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from texts(v)
    elif isinstance(obj, str):
        yield obj


def main(data_dir, sample, db):
    users = {}
    for f in glob.glob(os.path.join(data_dir, "easy", "*.json")) + glob.glob(os.path.join(data_dir, "tooltalk", "*.json")):
        conv = json.load(open(f, encoding="utf-8"))
        users["tooltalk-" + conv["name"]] = conv["user"]
    original = {}
    for line in open(sample, encoding="utf-8"):
        r = json.loads(line)
        original[r["id"]] = r
    stored = {}
    con = sqlite3.connect(db)
    for id_, doc in con.execute("select id, doc from trajectories"):
        stored[id_] = json.loads(doc)
    totals = {f: [0, 0] for f in FIELDS}
    bare = [0, 0]
    keyed = [0, 0]
    left = []
    for cid, user in users.items():
        if cid not in original or cid not in stored:
            continue
        before = "\n".join(texts(original[cid]))
        after = "\n".join(texts(stored[cid]))
        for f in FIELDS:
            v = user.get(f)
            if not v:
                continue
            o, a = occurrences(before, v), occurrences(after, v)
            totals[f][0] += o
            totals[f][1] += min(a, o)
            if a:
                left.append((cid, f, a))
        pw = user.get("password")
        if pw:
            for m in original[cid]["messages"]:
                c = m.get("content") or ""
                if m["role"] == "user" and occurrences(c, pw):
                    is_bare = not KEYWORD.search(c)
                    bucket = bare if is_bare else keyed
                    bucket[0] += occurrences(c, pw)
            for m in stored[cid]["messages"]:
                c = m.get("content") or ""
                if m["role"] == "user" and occurrences(c, pw):
                    orig_msgs = [x.get("content") or "" for x in original[cid]["messages"] if x["role"] == "user"]
                    is_bare = not KEYWORD.search(c)
                    (bare if is_bare else keyed)[1] += occurrences(c, pw)
    res = {f: {"occurrences": o, "remaining": a, "share_gone": round(1 - a / o, 4) if o else None} for f, (o, a) in totals.items()}
    all_o = sum(o for o, _ in totals.values()); all_a = sum(a for _, a in totals.values())
    res["all_fields"] = {"occurrences": all_o, "remaining": all_a, "share_gone": round(1 - all_a / all_o, 4)}
    res["password_in_user_text_bare"] = {"occurrences": bare[0], "remaining": bare[1], "share_gone": round(1 - bare[1] / bare[0], 4) if bare[0] else None}
    res["password_in_user_text_with_keyword"] = {"occurrences": keyed[0], "remaining": keyed[1], "share_gone": round(1 - keyed[1] / keyed[0], 4) if keyed[0] else None}
    print(json.dumps(res, indent=1))
    for cid, f, a in left:
        print("LEFT", cid, f, a, file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
