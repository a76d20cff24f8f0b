#!/usr/bin/env bash
# What the live view costs a lesson's run: ./jbang lessons/ID/Lesson.java --no-pause with and without --view, RUNS runs
# each, taken in turns (plain, view, plain, view, ...) so that a machine that gets busier meanwhile weighs on both alike;
# one run of each first, not counted, so that neither pays for compiling. Prints the medians and the difference, of the
# wall-clock time and of the CPU time (user + system, the lesson's JVM and JBang's), which a busy machine disturbs less.
# Target: the view adds at most 5 %. Usage: tools/bench-view.sh [RUNS] [ID ...]   (default: 5 runs, lessons 01 08 12)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}; shift || true
ids=("$@")
[ ${#ids[@]} -eq 0 ] && ids=(01-service-boundaries 08-circuit-breaker 12-saga)

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) {print a[(NR+1)/2]} else {print int((a[NR/2]+a[NR/2+1])/2)}}'; }
run() {   # run LESSON [FLAGS...]: prints "WALL_MS CPU_MS"; fails when the lesson did
  local lesson=$1; shift
  local start; start=$(ms)
  /usr/bin/time -o "$times" -f '%U %S' env NO_COLOR=1 "$root/jbang" "lessons/$lesson/Lesson.java" --no-pause "$@" \
    </dev/null >/dev/null 2>&1 || { echo "bench-view: $lesson $* failed" >&2; exit 1; }
  echo "$(( $(ms) - start )) $(awk '{printf "%d", ($1 + $2) * 1000}' "$times")"
}
times=$(mktemp); trap 'rm -f "$times"' EXIT
pct() { echo "($2 - $1) * 100 / $1" | bc -l; }

cd "$root"
echo "lesson                wall: plain  --view   diff    cpu: plain  --view   diff   (medians of $runs runs each, ms; load $(cut -d' ' -f1 /proc/loadavg))"
for id in "${ids[@]}"; do
  lesson=$(basename "$root"/lessons/"$id"*)
  run "$lesson" >/dev/null; run "$lesson" --view >/dev/null
  pw=(); pc=(); vw=(); vc=()
  for _ in $(seq "$runs"); do
    read -r w c < <(run "$lesson"); pw+=("$w"); pc+=("$c")
    read -r w c < <(run "$lesson" --view); vw+=("$w"); vc+=("$c")
  done
  a=$(printf '%s\n' "${pw[@]}" | median); b=$(printf '%s\n' "${vw[@]}" | median)
  c=$(printf '%s\n' "${pc[@]}" | median); d=$(printf '%s\n' "${vc[@]}" | median)
  printf '%-22s %11s %8s %+6.1f %%  %10s %8s %+6.1f %%\n' "$lesson" "$a" "$b" "$(pct "$a" "$b")" "$c" "$d" "$(pct "$c" "$d")"
  echo "    wall plain: ${pw[*]}; --view: ${vw[*]}; cpu plain: ${pc[*]}; --view: ${vc[*]}"
done
