#!/usr/bin/env bash
# Whole-command benchmark of the reports over a large mission (release build): median wall
# time of `metrics` and `metrics agents` over a 100,000-event log of 10,000 tasks, and the
# CPU `top` (the live view) uses while nothing changes, in a pane of a private tmux server.
# Uses hyperfine when installed (apt-get install hyperfine), else a timing loop.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN="$PWD/target/release/tmux-ide"
RUNS="${RUNS:-30}"
IDLE_SECS="${IDLE_SECS:-10}"
DIR="$(mktemp -d /tmp/tmux-ide-bench.XXXXXX)"
SOCKET="tmux-ide-bench-$$"
trap 'tmux -L "$SOCKET" kill-server 2> /dev/null || true; rm -rf "$DIR"' EXIT

python3 bench/gen_mission.py "$DIR" > /dev/null
echo "log: $(wc -l < "$DIR/.tasks/events.jsonl") events ($(du -h "$DIR/.tasks/events.jsonl" | cut -f1)), tasks.json $(du -h "$DIR/.tasks/tasks.json" | cut -f1)"

. bench/lib.sh

if command -v hyperfine > /dev/null; then
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$DIR/metrics.json" \
    "$BIN -C $DIR metrics" "$BIN -C $DIR metrics agents" > /dev/null
  METRICS=$(med "$DIR/metrics.json" 0); AGENTS=$(med "$DIR/metrics.json" 1); TOOL=hyperfine
else
  METRICS=$(median_ms "$BIN" -C "$DIR" metrics)
  AGENTS=$(median_ms "$BIN" -C "$DIR" metrics agents)
  TOOL="shell loop"
fi

# Idle CPU of the live view: utime + stime from /proc/PID/stat over IDLE_SECS seconds.
tmux -L "$SOCKET" -f /dev/null new-session -d -x 160 -y 48 -s top "$BIN" -C "$DIR" top
PID=$(tmux -L "$SOCKET" display-message -p -t top '#{pane_pid}')
for _ in $(seq 1 100); do
  tmux -L "$SOCKET" capture-pane -p -t top | grep -q "Ready (dispatch order)" && break
  sleep 0.1
done
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
HZ=$(getconf CLK_TCK)
T0=$(ticks); sleep "$IDLE_SECS"; T1=$(ticks)
IDLE=$(awk -v t="$(( T1 - T0 ))" -v hz="$HZ" -v s="$IDLE_SECS" 'BEGIN {printf "%.2f", t / hz / s * 100}')
tmux -L "$SOCKET" send-keys -t top q

echo "median wall ($TOOL, $RUNS runs, $(nproc) cores):"
echo "  metrics         ${METRICS} ms   (target <= 50 ms)"
echo "  metrics agents  ${AGENTS} ms"
echo "top, idle for ${IDLE_SECS} s: $(( T1 - T0 )) ticks of 1/${HZ} s = ${IDLE}% of a core   (target <= 1%)"
