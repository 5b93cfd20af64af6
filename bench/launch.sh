#!/usr/bin/env bash
# Launch benchmark: build the 6-pane missions layout (tests/fixtures/layouts/valid/missions.yml,
# orchestrator window included) detached, on a fresh private tmux server each run.
# Prints the median / min / max wall time of `tmux-ide up --detach` and the number of tmux
# processes one launch spawns (counted by a `tmux` shim put first on PATH).
#
#   bench/launch.sh                 # builds --release first
#   RUNS=51 TMUX_IDE_BIN=target/debug/tmux-ide bench/launch.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-21}
BIN=${TMUX_IDE_BIN:-}
if [ -z "$BIN" ]; then
  cargo build --release --quiet
  BIN=target/release/tmux-ide
fi
BIN=$(realpath "$BIN")
REAL_TMUX=$(command -v tmux) || { echo "tmux not found" >&2; exit 1; }

WORK=$(mktemp -d)
SOCKETS=()
cleanup() {
  for s in "${SOCKETS[@]}"; do "$REAL_TMUX" -L "$s" kill-server 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/project" "$WORK/shim"
cp tests/fixtures/layouts/valid/missions.yml "$WORK/project/ide.yml"
cat > "$WORK/shim/tmux" <<SHIM
#!/bin/sh
echo "\$*" >> "$WORK/calls"
exec "$REAL_TMUX" "\$@"
SHIM
chmod +x "$WORK/shim/tmux"

launch() { # socket, extra env...
  local socket=$1; shift
  env -u TMUX -u TMUX_PANE "$@" "$BIN" -C "$WORK/project" --tmux-socket "$socket" \
    up --detach --size 200x50 >/dev/null
}

# Timed runs: plain PATH, a fresh server each time.
times=()
for i in $(seq 1 "$RUNS"); do
  socket="tmux-ide-bench-$$-$i"
  SOCKETS+=("$socket")
  start=$(date +%s%N)
  launch "$socket"
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000 )))
  panes=$("$REAL_TMUX" -L "$socket" list-panes -t '=missions:ide' | wc -l)
  [ "$panes" -eq 6 ] || { echo "run $i: expected 6 panes, got $panes" >&2; exit 1; }
  "$REAL_TMUX" -L "$socket" kill-server 2>/dev/null || true
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
min=$(echo "$sorted" | head -1)
max=$(echo "$sorted" | tail -1)

# Counted run: the same launch with the shim first on PATH.
socket="tmux-ide-bench-$$-count"
SOCKETS+=("$socket")
: > "$WORK/calls"
launch "$socket" PATH="$WORK/shim:$PATH"
count=$(wc -l < "$WORK/calls")

ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
echo "tmux-ide up --detach, 6-pane missions layout + orchestrator window, $RUNS runs ($(tmux -V))"
echo "  wall time: median $(ms "$median") ms (min $(ms "$min"), max $(ms "$max"))"
echo "  tmux processes per launch: $count"
sed 's/^/    tmux /' "$WORK/calls" | cut -c1-110
