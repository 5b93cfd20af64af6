#!/usr/bin/env bash
# Whole-command benchmark of the store with 1,000 tasks (release build): median wall time
# of `task list` and `task create`, and peak RSS. Uses hyperfine when installed
# (apt-get install hyperfine), else a timing loop. Figures quoted in the README.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN="$PWD/target/release/tmux-ide"
RUNS="${RUNS:-50}"
DIR="$(mktemp -d /tmp/tmux-ide-bench.XXXXXX)"
trap 'rm -rf "$DIR"' EXIT

# A realistic store: 10 milestones, 1,000 tasks with goals, dependencies and assertions.
mkdir -p "$DIR/.tasks"
for n in $(seq 1 50); do printf -- '- **VAL-BENCH-%03d**: assertion %d\n' "$n" "$n"; done \
  | sed '1i ## Bench' > "$DIR/.tasks/validation-contract.md"
"$BIN" -C "$DIR" mission set "Bench" --description "1,000 tasks" > /dev/null
for m in $(seq 1 10); do "$BIN" -C "$DIR" milestone create "Milestone $m" --sequence "$m" > /dev/null; done
for i in $(seq 1 1000); do
  args=(task create "Task $i with a realistic title of some length" --milestone "M$(( (i - 1) / 100 + 1 ))"
        --priority $(( i % 9 + 1 )) --specialty backend --goal "Goal $(( i / 10 ))"
        --fulfills "$(printf 'VAL-BENCH-%03d' $(( i % 50 + 1 )))")
  if (( i % 100 != 1 )); then args+=(--depends "$(( i - 1 ))"); fi
  "$BIN" -C "$DIR" "${args[@]}" > /dev/null
done
echo "store: $(du -h "$DIR/.tasks/tasks.json" | cut -f1) tasks.json, $("$BIN" -C "$DIR" --json task list | grep -c '"id"') tasks"

. bench/lib.sh

if command -v hyperfine > /dev/null; then
  hyperfine -N --warmup 5 --runs "$RUNS" --export-json "$DIR/list.json" \
    "$BIN -C $DIR task list" "$BIN -C $DIR --json task list" > /dev/null
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$DIR/create.json" \
    "$BIN -C $DIR task create bench-task --milestone M1 --priority 3" > /dev/null
  LIST=$(med "$DIR/list.json" 0); LIST_JSON=$(med "$DIR/list.json" 1); CREATE=$(med "$DIR/create.json" 0)
  TOOL=hyperfine
else
  LIST=$(median_ms "$BIN" -C "$DIR" task list)
  LIST_JSON=$(median_ms "$BIN" -C "$DIR" --json task list)
  CREATE=$(median_ms "$BIN" -C "$DIR" task create bench-task --milestone M1 --priority 3)
  TOOL="shell loop"
fi

rss_kib() { /usr/bin/time -v "$@" 2>&1 > /dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'; }
RSS_LIST=$(rss_kib "$BIN" -C "$DIR" task list)
RSS_CREATE=$(rss_kib "$BIN" -C "$DIR" task create rss-task --milestone M1)

echo "median wall ($TOOL, $RUNS runs, $(nproc) cores):"
echo "  task list         ${LIST} ms   (target <= 5 ms)"
echo "  task list --json  ${LIST_JSON} ms"
echo "  task create       ${CREATE} ms   (target <= 10 ms)"
echo "peak RSS: task list ${RSS_LIST} KiB, task create ${RSS_CREATE} KiB (target <= 10240 KiB)"
