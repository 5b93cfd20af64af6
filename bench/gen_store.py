#!/usr/bin/env python3
"""Writes the store `task create` builds into DIR/.tasks, fast: 10 milestones (M1 active),
TASKS todo tasks (default 10,000) each depending on the one before it within its milestone
(the shape of bench/store.sh), and the log those commands write (one event per task).
Usage: gen_store.py DIR [TASKS]."""
import json, os, sys
from datetime import datetime, timedelta, timezone

TASKS = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


root = os.path.join(sys.argv[1], ".tasks")
os.makedirs(root, exist_ok=True)
plan = {"version": 1,
        "mission": {"title": "Bench", "description": "", "status": "active", "created": ts(t0),
                    "activated": ts(t0), "completed": None},
        "milestones": [{"id": "M%d" % m, "title": "Milestone %d" % m, "sequence": m,
                        "description": "", "status": "active" if m == 1 else "locked",
                        "created": ts(t0), "validation": None} for m in range(1, 11)],
        "goals": [], "tasks": [], "assertions": {}}
lines = [json.dumps({"ts": ts(t0), "type": "mission_set", "title": "Bench"})]
per = max(TASKS // 10, 1)
for n in range(1, TASKS + 1):
    created = t0 + timedelta(milliseconds=n)
    ms = "M%d" % min((n - 1) // per + 1, 10)
    plan["tasks"].append({
        "id": "%03d" % n, "title": "Task %d with a realistic title of some length" % n,
        "description": "", "milestone": ms, "specialty": "backend", "priority": n % 9 + 1,
        "goal": None, "depends": [] if (n - 1) % per == 0 else ["%03d" % (n - 1)],
        "fulfills": ["VAL-BENCH-%03d" % (n % 50 + 1)], "assignee": None, "status": "todo",
        "proof": None, "summary": None, "remediation_for": None, "created": ts(created),
        "started": None, "finished": None})
    lines.append(json.dumps({"ts": ts(created), "type": "task_created", "task": "%03d" % n,
                             "milestone": ms, "title": "Task %d" % n}, separators=(",", ":")))
with open(os.path.join(root, "tasks.json"), "w") as f:
    json.dump(plan, f, indent=2)
    f.write("\n")
with open(os.path.join(root, "events.jsonl"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("generated %d tasks, %d events" % (TASKS, len(lines)))
