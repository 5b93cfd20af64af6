#!/usr/bin/env bash
# A simulated mission at scale on a private tmux server (release build): PANES simulated
# agents (plus a lead and a validator), TASKS tasks of WORK_MS each in one milestone, then a
# validation round. Prints: completion, dispatch latency median / p95 (from the event log:
# from the event that made the task ready or its pane idle, whichever came last, to
# `task_dispatched`), wall time against the ideal (TASKS x WORK_MS / PANES), and the
# orchestrator's CPU (% of one core over the mission) and peak RSS.
# Above 32 agents the session is laid out over several windows (ide.yml's `windows:`).
# Usage: bench/scale.sh [PANES [TASKS [WORK_MS]]]   (default 32 1000 200; BIN=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
panes=${1:-32}
tasks=${2:-1000}
work_ms=${3:-200}
per_window=${PER_WINDOW:-25}
timeout_s=${TIMEOUT_S:-600}
if [[ -z ${BIN:-} ]]; then cargo build --release --quiet; fi
bin=${BIN:-$PWD/target/release/tmux-ide}
sock="tmux-ide-scale-$$"
dir=$(mktemp -d /tmp/tmux-ide-scale.XXXXXX)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; [[ -n ${KEEP:-} ]] && echo "kept $dir" || rm -rf "$dir"' EXIT
tx() { "$bin" -C "$dir" --tmux-socket "$sock" "$@"; }

# ide.yml: the lead and the validator, then the agents, 8 to a row.
sim="'$bin' agent sim --work-ms $work_ms"
pane() { # title role
  printf '          - title: %s\n            role: %s\n            agent: sim\n            command: "%s"\n' "$1" "$2" "$sim"
}
rows() { # first last (agent numbers), with the lead and validator row first when first == 1
  local from=$1 to=$2 n
  if (( from == 1 )); then
    printf '      - panes:\n'; pane Lead lead; pane Validator validator
  fi
  for (( n = from; n <= to; n++ )); do
    if (( (n - from) % 8 == 0 )); then printf '      - panes:\n'; fi
    pane "Agent$n" teammate
  done
}
{
  echo "name: scale"
  if (( panes <= 32 )); then
    echo "rows:"
    rows 1 "$panes" | sed 's/^    //'
  else
    echo "windows:"
    for (( w = 0; w * per_window < panes; w++ )); do
      from=$(( w * per_window + 1 )); to=$(( (w + 1) * per_window )); (( to > panes )) && to=$panes
      printf '  - name: agents-%d\n    rows:\n' $(( w + 1 ))
      rows "$from" "$to"
    done
  fi
  printf 'orchestrator:\n  enabled: true\n  poll_interval: 1000\n  stall_timeout: 300000\n'
} > "$dir/ide.yml"

# The plan: one milestone, one assertion its tasks fulfil, TASKS tasks. One task through
# the CLI, the rest copied from it into tasks.json (TASKS process runs would dominate).
mkdir -p "$dir/.tasks"
printf '## Scale\n- **VAL-SCALE-001**: every task is done\n' > "$dir/.tasks/validation-contract.md"
tx mission set "Scale" --description "$tasks tasks on $panes agents" > /dev/null
tx milestone create "Everything" --sequence 1 > /dev/null
tx task create "Task 1" --milestone M1 --fulfills VAL-SCALE-001 > /dev/null
python3 - "$dir/.tasks/tasks.json" "$tasks" <<'PY'
import copy, json, sys
path, n = sys.argv[1], int(sys.argv[2])
plan = json.load(open(path))
first = plan["tasks"][0]
width = len(first["id"])
for i in range(2, n + 1):
    t = copy.deepcopy(first)
    t["id"] = str(i).zfill(width)
    t["title"] = "Task %d" % i
    plan["tasks"].append(t)
json.dump(plan, open(path, "w"), indent=2)
PY
tx mission plan-complete > /dev/null

start=$(date +%s.%N)
tx up --detach > /dev/null
pidfile="$dir/.tmux-ide/run/orchestrator.pid"
for _ in $(seq 1 200); do [[ -s $pidfile ]] && break; sleep 0.05; done
pid=$(cut -d' ' -f1 "$pidfile")
deadline=$(( $(date +%s) + timeout_s ))
until grep -q '"type":"mission_complete"' "$dir/.tasks/events.jsonl"; do
  if (( $(date +%s) > deadline )); then echo "mission did not complete within ${timeout_s}s"; break; fi
  sleep 0.2
done
hz=$(getconf CLK_TCK)
ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
life=$(awk -v hz="$hz" '{print $22 / hz}' "/proc/$pid/stat")
uptime=$(cut -d' ' -f1 /proc/uptime)

python3 - "$dir/.tasks/events.jsonl" "$panes" "$tasks" "$work_ms" "$ticks" "$hz" "$rss" \
  "$(echo "$uptime - $life" | bc)" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys, statistics
from datetime import datetime
path, panes, tasks, work_ms, ticks, hz, rss, alive, cores, load = sys.argv[1:]
panes, tasks, work_ms = int(panes), int(tasks), int(work_ms)
events = [json.loads(l) for l in open(path) if l.strip()]
ts = lambda e: datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).timestamp()
ready_at = {}        # task -> when it became ready
idle_at = {}         # pane -> when it last became free
activated = None
lat = []
for e in events:
    t, kind = ts(e), e["type"]
    if kind in ("plan_completed", "milestone_activated"):
        activated = t
    elif kind == "task_created" and activated is not None:
        ready_at[e.get("task")] = t
    elif kind in ("task_done", "task_returned") and e.get("pane"):
        idle_at[e["pane"]] = t
    elif kind == "agent_state" and e.get("state") == "idle" and e.get("pane"):
        idle_at[e["pane"]] = max(idle_at.get(e["pane"], 0), t)
    elif kind == "orchestrator_started":
        started = t
        idle_at = {p: max(v, t) for p, v in idle_at.items()}
    elif kind == "task_dispatched":
        pane = e.get("pane")
        since = max(ready_at.get(e.get("task"), activated or t), idle_at.get(pane, started))
        lat.append((t - since) * 1000)
        idle_at[pane] = float("inf")
done = sum(1 for e in events if e["type"] == "task_done")
first = next(ts(e) for e in events if e["type"] == "orchestrator_started")
end = [ts(e) for e in events if e["type"] == "mission_complete"]
complete = bool(end)
wall = (end[0] if end else ts(events[-1])) - first
ideal = tasks * work_ms / 1000 / panes
lat = sorted(x for x in lat if x != float("inf"))
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
cpu = int(ticks) / int(hz)
print(f"scale: {panes} agents, {tasks} tasks of {work_ms} ms, one milestone + validation "
      f"({cores} cores, load {load})")
print(f"  completion     {'complete' if complete else 'NOT complete'}: {done} task_done events")
print(f"  dispatch       median {statistics.median(lat):.0f} ms, p95 {q(0.95):.0f} ms, "
      f"max {lat[-1]:.0f} ms over {len(lat)} dispatches")
print(f"  wall           {wall:.1f} s, ideal {ideal:.1f} s: {wall / ideal:.2f} x ideal")
print(f"  orchestrator   CPU {cpu:.1f} s over its {float(alive):.1f} s: "
      f"{100 * cpu / float(alive):.1f}% of one core; peak RSS {int(rss) / 1024:.1f} MiB")
PY
