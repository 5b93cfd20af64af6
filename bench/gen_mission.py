#!/usr/bin/env python3
"""Writes a large mission into DIR/.tasks: 10 milestones, 10,000 tasks and a
100,000-event log (the shape of benches/reports.rs). Usage: gen_mission.py DIR [TASKS [EVENTS]]
(TASKS defaults to 10,000; the log has about ten events per task, padded with pane_state
events up to EVENTS when that is given)."""
import json, os, sys
from datetime import datetime, timedelta, timezone

TASKS = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
EVENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 0
PANES = ["Frontend", "Backend", "Researcher", "Helper"]
t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)

def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)

root = os.path.join(sys.argv[1], ".tasks")
os.makedirs(root, exist_ok=True)
plan = {"version": 1,
        "mission": {"title": "Big", "description": "", "status": "active", "created": ts(t0),
                    "activated": ts(t0), "completed": None},
        "milestones": [{"id": "M%d" % m, "title": "Milestone %d" % m, "sequence": m,
                        "description": "", "status": "done" if m < 10 else "active",
                        "created": ts(t0), "validation": None} for m in range(1, 11)],
        "goals": [], "tasks": [], "assertions": {}}
lines = []
def ev(t, kind, **kw):
    d = {"ts": ts(t), "type": kind}
    for k in ("task", "milestone", "assertion", "pane"):
        if k in kw:
            d[k] = kw.pop(k)
    d.update(kw)
    lines.append(json.dumps(d, separators=(",", ":")))

for n in range(1, TASKS + 1):
    tid, pane = "%03d" % n, PANES[n % len(PANES)]
    start = t0 + timedelta(seconds=n * 60)
    end = start + timedelta(seconds=45 + (n % 7) * 30)
    done = n <= TASKS - 100
    ms = "M%d" % ((n - 1) * 10 // TASKS + 1)
    plan["tasks"].append({"id": tid, "title": "Task %d" % n, "description": "", "milestone": ms,
        "specialty": "backend", "priority": n % 9 + 1, "goal": None, "depends": [],
        "fulfills": [], "assignee": pane if done else None, "status": "done" if done else "todo",
        "proof": None, "summary": None, "remediation_for": None, "created": ts(t0),
        "started": ts(start) if done else None, "finished": ts(end) if done else None})
    ev(t0, "task_created", task=tid, milestone=ms, title="Task %d" % n)
    ev(start, "task_dispatched", task=tid, pane=pane, pane_id="%1")
    ev(start, "prompt_delivered", task=tid, pane=pane, pane_id="%1")
    ev(start, "agent_state", pane=pane, state="busy", pane_id="%1")
    ev(start, "task_claimed", task=tid, pane=pane)
    ev(start, "task_updated", task=tid)
    if done:
        ev(end, "task_done", task=tid, milestone=ms, pane=pane)
        ev(end, "agent_state", pane=pane, state="idle", pane_id="%1")
    else:
        ev(end, "task_cancelled", task=tid)
        ev(end, "task_created", task=tid, milestone=ms, title="again")
    ev(end, "lead_notified", pane="Lead", text="progress %d" % n)
    ev(end, "orchestrator_tick")
t = t0 + timedelta(seconds=(TASKS + 1) * 60)
for n in range(len(lines), EVENTS):
    ev(t + timedelta(milliseconds=n), "pane_state", pane=PANES[n % len(PANES)], pane_id="%1",
       state="busy" if n % 2 else "idle", signal="screen shows busy pattern")
plan["tasks"].sort(key=lambda t: t["id"])
with open(os.path.join(root, "tasks.json"), "w") as f:
    json.dump(plan, f, indent=2)
    f.write("\n")
with open(os.path.join(root, "events.jsonl"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("generated %d tasks, %d events" % (TASKS, len(lines)))
