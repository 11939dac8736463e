#!/usr/bin/env python3
"""Convert ToolTalk conversations into OpenAI chat-format JSONL for `whetstone ingest --format openai`.

Each assistant turn with API calls becomes an assistant message with tool_calls, one tool message per call
(the API's response as JSON, or its exception with is_error), then the assistant's text. The conversation's
metadata (location, timestamp, session token, username) is kept as run metadata: the fake credentials and PII
in it and in the messages are what the redaction measurements look for.

usage: convert_tooltalk.py SHARED_CORPORA/tooltalk/data OUT.jsonl
"""
import glob
import json
import os
import sys


def convert(conv):
    messages = []
    call_no = 0
    for turn in conv["conversation"]:
        if turn["role"] == "user":
            messages.append({"role": "user", "content": turn["text"]})
            continue
        apis = turn.get("apis") or []
        if apis:
            calls, results = [], []
            for api in apis:
                cid = f"call_{call_no}"
                call_no += 1
                req = api["request"]
                calls.append({"id": cid, "type": "function",
                              "function": {"name": req["api_name"], "arguments": json.dumps(req["parameters"])}})
                if api.get("exception"):
                    results.append({"role": "tool", "tool_call_id": cid, "name": req["api_name"],
                                    "content": str(api["exception"]), "is_error": True})
                else:
                    results.append({"role": "tool", "tool_call_id": cid, "name": req["api_name"],
                                    "content": json.dumps(api["response"])})
            messages.append({"role": "assistant", "content": None, "tool_calls": calls})
            messages.extend(results)
        messages.append({"role": "assistant", "content": turn["text"]})
    return {
        "id": f"tooltalk-{conv['name']}",
        "source": "tooltalk",
        "session_id": conv["metadata"].get("session_token"),
        "metadata": {k: conv["metadata"][k] for k in ("location", "timestamp", "session_token", "username")
                     if k in conv["metadata"]},
        "messages": messages,
    }


def main(src, dst):
    files = sorted(glob.glob(os.path.join(src, "easy", "*.json")) + glob.glob(os.path.join(src, "tooltalk", "*.json")))
    with open(dst, "w", encoding="utf-8") as out:
        for f in files:
            out.write(json.dumps(convert(json.load(open(f, encoding="utf-8"))), ensure_ascii=False) + "\n")
    print(f"{len(files)} conversations -> {dst}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
