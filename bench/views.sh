#!/usr/bin/env bash
# The views and the store at scale (release build), the figures quoted in the README:
#   - `orch --json` over 100,000 tasks (each depending on the one before it), median wall
#   - `top` over the same store: from its start to its first frame in a tmux pane
#   - `mission status` peak RSS over 1,000 tasks and a 100,000-event log
#   - `task create` and `task done` medians on a 10,000-task store
# Usage: bench/views.sh   (RUNS=N for the medians; BIN=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z ${BIN:-} ]]; then cargo build --release --quiet; fi
bin=${BIN:-$PWD/target/release/tmux-ide}
runs=${RUNS:-15}
dir=$(mktemp -d /tmp/tmux-ide-views.XXXXXX)
sock="tmux-ide-views-$$"
trap 'for i in 1 2 3 4 5; do tmux -L "$sock-$i" kill-server 2>/dev/null || true; done; rm -rf "$dir"' EXIT
. bench/lib.sh
RUNS=$runs

python3 bench/gen_store.py "$dir/big" 100000 > /dev/null
python3 bench/gen_mission.py "$dir/status" 1000 100000 > /dev/null
python3 bench/gen_store.py "$dir/store" 10000 > /dev/null

echo "orch --json, 100,000 tasks: median $(median_ms "$bin" -C "$dir/big" --json orch) ms"

# `top` until its first frame shows the ready queue, polled every 10 ms. A server of its
# own each run: a new session on the socket of one just killed can meet it exiting.
first_frame() {
  local s e k="$sock-$1" deadline=$((SECONDS + 30))
  s=$(date +%s%N)
  tmux -L "$k" -f /dev/null new-session -d -x 160 -y 48 -s top "$bin" -C "$dir/big" top
  # Not `capture-pane | grep -q`: under pipefail, grep leaving early can fail the pipe.
  until [[ $(tmux -L "$k" capture-pane -p -t top 2>/dev/null) == *Ready* ]]; do
    if ((SECONDS > deadline)); then echo "top showed no ready queue within 30 s" >&2; exit 1; fi
    sleep 0.01
  done
  e=$(date +%s%N)
  tmux -L "$k" kill-server 2>/dev/null || true
  echo $(( (e - s) / 1000 ))
}
frames=$(for i in $(seq 1 5); do first_frame "$i"; done | sort -n)
echo "top, 100,000 tasks: first frame after median $(echo "$frames" | awk '{a[NR]=$1} END {printf "%.1f", a[3]/1000}') ms (5 runs)"

rss=$(/usr/bin/time -f %M "$bin" -C "$dir/status" mission status 2>&1 > /dev/null | tail -1)
echo "mission status, 1,000 tasks + 100,000 events: peak RSS $rss KiB ($((rss / 1024)) MiB)"

times() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }
create=$(for i in $(seq 1 "$runs"); do
  s=$(date +%s%N); "$bin" -C "$dir/store" task create "bench $i" --milestone M1 > /dev/null
  e=$(date +%s%N); echo $(( (e - s) / 1000 )); done | times)
done_=$(for i in $(seq 2 $((runs + 1))); do
  s=$(date +%s%N); "$bin" -C "$dir/store" task done "$(printf %03d "$i")" --proof bench > /dev/null
  e=$(date +%s%N); echo $(( (e - s) / 1000 )); done | times)
echo "10,000 tasks: task create median $create ms, task done median $done_ ms ($runs runs)"
echo "($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
