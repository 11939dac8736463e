#!/usr/bin/env python3
"""Convert MedAgentBench runs (../shared/corpora/medagentbench/runs_labeled.jsonl) into OpenAI chat format for
Whetstone, with the labels withheld.

The agent's text protocol becomes real tool calls, the way an integration of that agent would record them:
  - the first user turn is split into the system instructions (protocol + function list) and the user's request
    (from "Context:" on); the function list becomes `tools` (one tool per HTTP method and FHIR resource, e.g.
    `get_observation`, parameters merged when the list names a resource twice);
  - an agent turn `GET url?a=1&b=2` becomes a call of `get_<resource>` with arguments {"a": "1", "b": "2"}
    (a repeated parameter becomes a list, so the GET tools' string parameters accept a list of strings too); `POST url` + JSON body becomes `post_<resource>` with the body as
    arguments (kept as raw text when the body is not valid JSON);
  - the environment's reply (a user turn) becomes the tool result (its text as is, minus the fixed
    "Please call FINISH ..." reminder);
  - `FINISH([...])` becomes the final assistant message with the list as its text; any other agent text stays an
    assistant message as written (MedAgentBench counts it as an invalid action).
Nothing of status/success/result reaches the output; labels go to a separate file for scoring.

usage: convert_medagentbench.py RUNS_LABELED.jsonl OUT.jsonl LABELS_OUT.jsonl
"""
import json
import re
import sys
from urllib.parse import urlsplit, parse_qsl

REMINDER = re.compile(r"\.?\s*Please call FINISH if you have got answers for all the questions and finished all the requested tasks\.?\s*$")
RESPONSE_PREFIX = re.compile(r"^Here is the response from the (GET|POST) request:\s*\n?")


def tool_name(method, url):
    path = urlsplit(url.replace("{api_base}", "http://api/")).path.rstrip("/")
    resource = path.split("/")[-1] or "root"
    return f"{method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', resource).lower()}"


def tools_from_prompt(prompt):
    start = prompt.find("[", prompt.find("Here is a list of functions"))
    end = prompt.rfind("Context:")
    functions = json.loads(prompt[start:end].strip())
    tools = {}
    for f in functions:
        method, url = f["name"].split(" ", 1)
        name = tool_name(method, url)
        params = json.loads(json.dumps(f.get("parameters") or {"type": "object", "properties": {}}))
        if params.get("type") == "dict":
            params["type"] = "object"
        if method == "GET":
            # A query parameter may be repeated in HTTP (FHIR ranges: date=ge..&date=le..): string or list of strings.
            for p in params.get("properties", {}).values():
                if p.get("type") == "string":
                    p["type"] = ["string", "array"]
                    p["items"] = {"type": "string"}
        if name in tools:
            merged = tools[name]["function"]["parameters"]
            merged.setdefault("properties", {}).update(params.get("properties", {}))
            merged["required"] = sorted(set(merged.get("required", [])) & set(params.get("required", [])))
            tools[name]["function"]["description"] += "\n" + f.get("description", "")
        else:
            tools[name] = {"type": "function", "function": {"name": name, "description": f.get("description", ""),
                                                            "parameters": params}}
    return list(tools.values()), prompt[:start - 1].rstrip() if start > 0 else prompt[:end]


def parse_action(text, call_no):
    """Returns ('call', tool_call) or ('final', text) or ('text', text)."""
    t = text.strip()
    m = re.fullmatch(r"FINISH\((.*)\)", t, re.S)
    if m:
        return "final", m.group(1).strip()
    m = re.fullmatch(r"(GET)\s+(\S+)", t) or re.fullmatch(r"(POST)\s+(\S+)\s*\n(.*)", t, re.S)
    if not m:
        return "text", text
    method, url = m.group(1), m.group(2)
    name = tool_name(method, url)
    if method == "GET":
        args = {}
        for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            if k in args:
                args[k] = args[k] if isinstance(args[k], list) else [args[k]]
                args[k].append(v)
            else:
                args[k] = v
        arguments = json.dumps(args, ensure_ascii=False)
    else:
        body = m.group(3).strip()
        try:
            arguments = json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            arguments = body
    cid = f"call_{call_no}"
    return "call", {"id": cid, "type": "function", "function": {"name": name, "arguments": arguments}}


def convert(r):
    prompt = r["history"][0]["content"]
    tools, instructions = tools_from_prompt(prompt)
    request = prompt[prompt.rfind("Context:"):].strip()
    msgs = [{"role": "system", "content": instructions}, {"role": "user", "content": request}]
    pending = None
    calls = 0
    for h in r["history"][1:]:
        if h["role"] == "agent":
            kind, value = parse_action(h["content"], calls)
            if kind == "call":
                calls += 1
                msgs.append({"role": "assistant", "content": None, "tool_calls": [value]})
                pending = value
            else:
                msgs.append({"role": "assistant", "content": value})
                pending = None
        else:
            text = REMINDER.sub("", h["content"])
            if pending is not None:
                msgs.append({"role": "tool", "tool_call_id": pending["id"], "name": pending["function"]["name"],
                             "content": RESPONSE_PREFIX.sub("", text).strip()})
                pending = None
            else:
                msgs.append({"role": "user", "content": text})
    return {"id": f"mab-{r['model']}-{r['task_index']:03d}", "model": {"name": r["model"]},
            "source": "medagentbench", "messages": msgs, "tools": tools}


def main(src, dst, labels):
    n = 0
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out, open(labels, "w", encoding="utf-8") as lab:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            rec = convert(r)
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            lab.write(json.dumps({"id": rec["id"], "model": r["model"], "task": r["task_index"], "success": bool(r["success"])}) + "\n")
            n += 1
    print(f"{n} MedAgentBench runs -> {dst} (labels -> {labels})")


if __name__ == "__main__":
    main(*sys.argv[1:4])
