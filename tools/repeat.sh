#!/usr/bin/env bash
# Determinism: checks each solved exercise RUNS times in a row and counts the runs that did not pass. A test that
# passes 19 times in 20 is broken, so the target is 0 failures. Each exercise's wrong/ answers are checked
# WRONG_RUNS times (default 3) too: a wrong answer that some runs let through is a test that waits on luck.
# Usage: [WRONG_RUNS=N] tools/repeat.sh [RUNS] [ID ...]   (default: 20 runs, every exercise that has a solution)
# As in bench.sh, the exercises are solved in a scratch copy of the repository; your checkout does not change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-20}; shift || true
wrong_runs=${WRONG_RUNS:-3}

ids=("$@")
if [ ${#ids[@]} -eq 0 ]; then
  for d in "$root"/solutions/[0-9][0-9]-*/; do ids+=("$(basename "$d")"); done
fi

tool=repeat
# shellcheck source=tools/scratch-copy.sh
. "$root/tools/scratch-copy.sh"
# shellcheck source=tools/lay-over.sh
. "$root/tools/lay-over.sh"

total_failures=0
printf '%-24s %16s %22s\n' "exercise" "solution passes" "wrong answers caught"
for id in "${ids[@]}"; do
  [ -d "$scratch/solutions/$id" ] || { echo "repeat: no solution for $id" >&2; exit 1; }
  exercise="$scratch/exercises/$id"
  original=$(mktemp -d) && cp -r "$exercise/." "$original/"
  lay_over "$scratch/solutions/$id" "$exercise"
  passed=0
  for _ in $(seq "$runs"); do
    if (cd "$scratch" && ./jbang workbook check "$id" >/dev/null 2>&1); then passed=$((passed + 1)); fi
  done
  # A wrong answer is the solution with a few lines changed: its X.java.diff files (diff -u) applied to it.
  caught=0; tried=0
  for variant in "$scratch/solutions/$id/wrong"/*/; do
    [ -d "$variant" ] || continue
    lay_over "$scratch/solutions/$id" "$exercise"
    patch_over "$variant" "$exercise"
    for _ in $(seq "$wrong_runs"); do
      tried=$((tried + 1))
      if ! (cd "$scratch" && ./jbang workbook check "$id" >/dev/null 2>&1); then caught=$((caught + 1)); fi
    done
  done
  rm -rf "$exercise" && mv "$original" "$exercise"
  total_failures=$((total_failures + runs - passed + tried - caught))
  printf '%-24s %16s %22s\n' "$id" "$passed/$runs" "$caught/$tried"
done
echo "$total_failures failures over ${#ids[@]} exercises, $runs runs each, on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
[ "$total_failures" -eq 0 ]
