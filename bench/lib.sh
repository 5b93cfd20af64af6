# Shared helpers of the bench/ scripts (sourced, not run).

# median_ms COMMAND...: the median wall time of COMMAND in ms over $RUNS runs (no hyperfine).
median_ms() {
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    local s e; s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]/1000}'
}

# med FILE N: the median in ms of the N-th command in a hyperfine --export-json FILE.
med() {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]; print('%.2f' % (r['median']*1000))" "$@"
}
