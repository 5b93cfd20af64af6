#!/usr/bin/env bash
# Orchestrator figures on a private tmux server:
#   - demo wall time with --work-ms 500 (target <= 60 s)
#   - dispatch latency: `task done` -> next prompt delivered to the freed pane, median over
#     the mission, from the event log (target <= 300 ms)
#   - orchestrator idle CPU over 10 s and its RSS (targets <= 1 % of a core, <= 20 MiB)
# Usage: bench/orchestrator.sh [WORK_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
work_ms=${1:-500}
cargo build --release --quiet
bin=$PWD/target/release/tmux-ide
sock="tmux-ide-bench-$$"
dir=$(mktemp -d)/demo
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT

start=$(date +%s.%N)
"$bin" --tmux-socket "$sock" demo --dir "$dir" --work-ms "$work_ms" --keep >/dev/null
end=$(date +%s.%N)
printf 'demo (--work-ms %s): %.1f s wall\n' "$work_ms" "$(echo "$end - $start" | bc)"

python3 - "$dir/.tasks/events.jsonl" <<'PY'
import json, sys, statistics
from datetime import datetime
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ts = lambda e: datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).timestamp()
lat = []
for i, e in enumerate(events):
    if e["type"] != "task_done":
        continue
    for f in events[i + 1:]:
        if f.get("pane") == e.get("pane") and f["type"] == "prompt_delivered" and f.get("task"):
            lat.append((ts(f) - ts(e)) * 1000)
            break
        if f["type"] == "task_done" and f.get("pane") == e.get("pane"):
            break
lat.sort()
print(f"dispatch latency task_done -> prompt delivered: median {statistics.median(lat):.0f} ms, "
      f"max {lat[-1]:.0f} ms over {len(lat)} hand-offs")
PY

pid=$(cut -d' ' -f1 "$dir/.tmux-ide/run/orchestrator.pid")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks); sleep 10; t1=$(ticks)
cpu=$(echo "scale=2; ($t1 - $t0) * 100 / $hz / 10" | bc)
rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo "orchestrator idle: ${cpu}% of a core over 10 s; peak RSS $((rss / 1024)) MiB (${rss} KiB)"
