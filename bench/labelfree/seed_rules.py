#!/usr/bin/env python3
"""The seed system's acceptance rules (OrcBot SelfTrainingManager.evaluateAcceptance + computeQualityScore +
CompletionAudit.auditDelivery, default selfTrainingMinQualityScore 0.72) applied to the same label-free runs, for
comparison with Whetstone's quality gate.

The seed reads flags its own agent loop sets; for an imported run they are mapped as follows (documented here
because the seed itself never saw such runs):
  actionStatus 'completed' and goalsMet  <- the run ended with a final answer (the agent finished its loop)
  steps (ledger, all treated as deep work) <- tool calls; success <- the result does not read as an error
  sent messages                           <- the final answer (the run is user-facing: a channel task)
  acknowledgement                         <- final answer starts like "on it / working on it / let me / I'll / checking"
Then, as in the seed: no tools at all -> not delivered; unresolved failures = a failed step with no successful step
after it; acceptance = completed and goals met, no unresolved failures, not status-only, delivered with a final
delivery, quality score >= 0.72.

usage: seed_rules.py RUNS.jsonl LABELS.jsonl [--name NAME]   (RUNS in Whetstone's react or openai input format)
"""
import argparse
import json
import re

ERROR = re.compile(r"^\W{0,3}(error|exception|traceback|failed|failure|invalid)\b|\b[45]\d\d (client|server) error\b", re.I)
ACK = re.compile(r"^\W*(on it|working on it|let me|i'll|i will|checking|one moment)\b", re.I)
REACT_ACTION = re.compile(r"^\s*Action(?:\s*\d+)?\s*:\s*(\w+)\[(.*)\]\s*$", re.M)
REACT_OBS = re.compile(r"^\s*Observation(?:\s*\d+)?\s*:\s*(.*)$", re.M)


def steps_and_answer(rec):
    """[(tool, success)], final answer or None."""
    msgs = rec.get("messages")
    if msgs and any(m.get("tool_calls") for m in msgs if m["role"] == "assistant") or (msgs and msgs[-1]["role"] == "tool"):
        steps, results = [], {}
        for m in msgs:
            if m["role"] == "tool":
                results[m.get("tool_call_id")] = m.get("content") or ""
        for m in msgs:
            for c in m.get("tool_calls") or []:
                res = results.get(c["id"], "")
                steps.append((c["function"]["name"], not ERROR.search(res[:400])))
        last = [m for m in msgs if m["role"] == "assistant"][-1]
        answer = None if last.get("tool_calls") else (last.get("content") or "")
        return steps, answer
    # ReAct text (chat messages or one transcript)
    text = "\n".join(m["content"] for m in msgs[1:]) if msgs else rec["text"].split("### Response:", 1)[-1]
    actions = REACT_ACTION.findall(text)
    observations = REACT_OBS.findall(text)
    steps, answer = [], None
    k = 0
    for name, arg in actions:
        if name.lower() in ("finish", "final_answer", "answer"):
            answer = arg
            continue
        obs = observations[k] if k < len(observations) else ""
        k += 1
        steps.append((name, not ERROR.search(obs[:400])))
    return steps, answer


def seed_verdict(rec, min_quality=0.72):
    steps, answer = steps_and_answer(rec)
    completed = answer is not None and answer.strip() != ""
    goals_met = completed
    final_delivery = answer if completed else None
    is_ack = bool(final_delivery) and bool(ACK.search(final_delivery))
    substantive = 1 if final_delivery and not is_ack else 0
    sends = 1 if final_delivery else 0
    failures = [i for i, (_, ok) in enumerate(steps) if not ok]
    successes = [i for i, (_, ok) in enumerate(steps) if ok]
    unresolved = bool(failures) and not any(s > max(failures) for s in successes)
    only_status = sends > 0 and substantive == 0 and is_ack
    if not steps:
        delivered = False
    elif unresolved and (sends == 0 or only_status):
        delivered = False
    elif unresolved and substantive > 0:
        delivered = True
    elif successes and substantive > 0:
        delivered = True
    elif successes and sends == 0:
        delivered = False
    else:
        delivered = substantive > 0
    score = 0.0
    score += 0.35 if goals_met else 0
    score += 0.2 if delivered else 0
    score += 0.15 if successes else 0
    score += 0.15 if substantive > 0 else 0
    score += 0.1 if final_delivery else 0
    score -= 0.25 if unresolved else 0
    score -= 0.2 if only_status else 0
    score -= 0.15 if not completed else 0
    n = len(steps) + 1
    score -= min(0.1, (n - 20) * 0.01) if n > 20 else 0
    score = max(0.0, min(1.0, round(score, 3)))
    if not completed or not goals_met:
        return False, "action_not_completed"
    if unresolved:
        return False, "unresolved_failures"
    if only_status:
        return False, "status_only_delivery"
    if not delivered or not final_delivery:
        return False, "no_substantive_delivery"
    if score < min_quality:
        return False, "quality_below_threshold"
    return True, "accepted_for_training"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("labels")
    ap.add_argument("--name", default="corpus")
    a = ap.parse_args()
    labels = {x["id"]: x["success"] for x in map(json.loads, open(a.labels, encoding="utf-8"))}
    rows, reasons = [], {}
    for line in open(a.runs, encoding="utf-8"):
        if not line.strip():
            continue
        rec = json.loads(line)
        ok, why = seed_verdict(rec)
        rows.append((ok, labels[rec["id"]]))
        reasons[why] = reasons.get(why, 0) + 1
    accepted = [s for ok, s in rows if ok]
    pos = sum(s for _, s in rows)
    p = sum(accepted) / len(accepted) if accepted else 0.0
    r = sum(accepted) / pos if pos else 0.0
    base = pos / len(rows)
    print(f"{a.name} (seed rules): runs {len(rows)}, base rate {base:.3f}; accepted {len(accepted)}: precision {p:.3f}, "
          f"recall {r:.3f}, precision - base {p - base:+.3f}; reasons {dict(sorted(reasons.items()))}")


if __name__ == "__main__":
    main()
