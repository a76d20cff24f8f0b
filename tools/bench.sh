#!/usr/bin/env bash
# Measures the times the project promises, as medians over several runs, once dependencies are cached:
#   - ./jbang workbook check ID on the solved exercise        (target: under 2.0 s)
#   - each lesson: time to its first step, and the whole run  (targets: 1.5 s and 10 s with --no-pause)
#   - the first check of a clone, before its start-up cache exists            (target: as fast as a check without it)
# Usage: [FIRST_RUNS=3] tools/bench.sh [RUNS] [ID ...]     (default: 7 runs, every lesson that has been written)
# The exercise is solved in a scratch copy of the repository, so nothing in your checkout changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-7}; shift || true

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"} else if (NR%2) {print a[(NR+1)/2]} else {print int((a[NR/2]+a[NR/2+1])/2)}}'; }

ids=("$@")
if [ ${#ids[@]} -eq 0 ]; then
  for d in "$root"/lessons/[0-9][0-9]-*/; do ids+=("$(basename "$d")"); done
fi

tool=bench
# shellcheck source=tools/scratch-copy.sh
. "$root/tools/scratch-copy.sh"
# shellcheck source=tools/lay-over.sh
. "$root/tools/lay-over.sh"

# The first check of a clone, on the stub as a learner finds it: no start-up cache and no remembered launch command
# yet (a clone has no .jbang-cli/ of its own). That check must not wait for the cache; it starts the recording in the
# background, which is ended here after each run, so that runs do not overlap.
first_runs=${FIRST_RUNS:-3}
first=${ids[0]}
if [ "$first_runs" -gt 0 ] && [ -d "$scratch/exercises/$first" ]; then
  rm "$scratch/.jbang-cli" && cp -r "$root/.jbang-cli" "$scratch/.jbang-cli"
  firsts=()
  for _ in $(seq "$first_runs"); do
    rm -rf "$scratch"/.jbang-cli/*/startup "$scratch"/.jbang-cli/*/launch-workbook*.sh
    s=$(ms); (cd "$scratch" && ./jbang workbook check "$first" >/dev/null 2>&1) || true; firsts+=($(( $(ms) - s )))
    for pid in "$scratch"/.jbang-cli/*/startup/recording/pid; do
      sleep 1; [ -f "$pid" ] && kill -- "-$(cat "$pid")" 2>/dev/null || true
    done
  done
  rm -rf "$scratch/.jbang-cli" && ln -s "$root/.jbang-cli" "$scratch/.jbang-cli"
  echo "first check of a clone ($first, its stub, no start-up cache): median $(printf '%s\n' "${firsts[@]}" | median) ms (${firsts[*]})"
fi

printf '%-24s %14s %14s %14s\n' "lesson" "check (ms)" "first step" "lesson total"
for id in "${ids[@]}"; do
  # Solve the exercise in the scratch copy: lay the solution's files over the stub.
  if [ -d "$scratch/solutions/$id" ]; then
    lay_over "$scratch/solutions/$id" "$scratch/exercises/$id"
    (cd "$scratch" && ./jbang workbook check "$id" >/dev/null 2>&1) || true   # warm-up: build and cache
    while ls -d "$root"/.jbang-cli/*/startup/recording >/dev/null 2>&1; do sleep 1; done   # a start-up cache being recorded
    checks=()
    for _ in $(seq "$runs"); do
      s=$(ms); (cd "$scratch" && ./jbang workbook check "$id" >/dev/null 2>&1) || echo "  check $id failed" >&2; checks+=($(( $(ms) - s )))
    done
    check=$(printf '%s\n' "${checks[@]}" | median)
  else
    check="n/a"
  fi
  slug=${id#??-}
  (cd "$scratch" && ./jbang "$slug" --no-pause </dev/null >/dev/null 2>&1) || true   # warm-up
  firsts=(); totals=()
  for _ in $(seq "$runs"); do
    s=$(ms); first=""
    while IFS= read -r line; do
      if [ -z "$first" ] && [[ "$line" == *"Step 1."* ]]; then first=$(( $(ms) - s )); fi
    done < <(cd "$scratch" && ./jbang "$slug" --no-pause </dev/null 2>&1)
    totals+=($(( $(ms) - s ))); firsts+=("${first:-0}")
  done
  printf '%-24s %14s %14s %14s\n' "$id" "$check" "$(printf '%s\n' "${firsts[@]}" | median)" "$(printf '%s\n' "${totals[@]}" | median)"
done

# watch: from the save of a file to the verdict, once warm (three warm-up saves are not counted).
watched=${ids[0]}
if [ -d "$scratch/exercises/$watched" ]; then
  log="$scratch/watch.log"
  (cd "$scratch" && exec ./jbang workbook watch "$watched" >"$log" 2>&1) &
  watcher=$!
  until grep -q Watching "$log" 2>/dev/null; do sleep 0.1; done
  file=$(find "$scratch/exercises/$watched" -name '*.java' ! -name '*Test.java' -not -path '*/target/*' | sort | head -n 1)
  saves=()
  for i in $(seq $(( runs + 3 ))); do
    before=$(grep -c Watching "$log")
    s=$(ms); echo "// save $i" >> "$file"
    until [ "$(grep -c Watching "$log")" -gt "$before" ]; do sleep 0.005; done
    [ "$i" -gt 3 ] && saves+=($(( $(ms) - s )))
    sleep 0.3
  done
  kill "$watcher" 2>/dev/null; pkill -f "Workbook.*watch $watched" 2>/dev/null || true
  echo "watch $watched: save to verdict, median $(printf '%s\n' "${saves[@]}" | median) ms (${saves[*]})"
fi
echo "medians of $runs runs on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
