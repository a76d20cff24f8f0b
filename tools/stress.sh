#!/usr/bin/env bash
# Lessons and checks on a busy machine: runs every lesson --no-pause LESSON_RUNS times and every exercise's check on
# its reference solution CHECK_RUNS times, with HOGS CPU hogs (stress-ng) running beside them all along, as a laptop
# with an IDE, a browser and a build would be. The target is 0 failures. The output of each failed run is kept, so
# that a claim that depends on luck can be read, not guessed at.
# Usage: [LESSON_RUNS=10] [CHECK_RUNS=5] [HOGS=2] tools/stress.sh [ID ...]   (default: every lesson and exercise)
# stress-ng is installed with apt-get when it is missing (Debian's package). As in bench.sh, everything runs in a
# scratch copy of the repository: your checkout does not change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lesson_runs=${LESSON_RUNS:-10}
check_runs=${CHECK_RUNS:-5}
hogs=${HOGS:-2}

if ! command -v stress-ng >/dev/null; then
  echo "stress: installing stress-ng (Debian's package) for the CPU hogs..." >&2
  { [ "$(id -u)" -eq 0 ] && apt-get install -y -q stress-ng >/dev/null 2>&1; } \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q stress-ng >/dev/null 2>&1; } \
    || { echo "stress: could not install stress-ng; install it (sudo apt-get install stress-ng) and run again" >&2; exit 1; }
fi

ids=("$@")
if [ ${#ids[@]} -eq 0 ]; then
  for d in "$root"/lessons/[0-9][0-9]-*/; do ids+=("$(basename "$d")"); done
fi

tool=stress
# shellcheck source=tools/scratch-copy.sh
. "$root/tools/scratch-copy.sh"
# shellcheck source=tools/lay-over.sh
. "$root/tools/lay-over.sh"
failures_dir="$root/.workbook-cache/stress"
rm -rf "$failures_dir" && mkdir -p "$failures_dir"

# Builds and warms every lesson and check before the hogs start: a first build is not what this measures.
for id in "${ids[@]}"; do
  [ ! -d "$scratch/solutions/$id" ] || lay_over "$scratch/solutions/$id" "$scratch/exercises/$id"
  (cd "$scratch" && ./jbang "${id#??-}" --no-pause </dev/null >/dev/null 2>&1) || true
done
[ ! -d "$scratch/exercises/${ids[0]}" ] || (cd "$scratch" && ./jbang workbook check "${ids[0]}" >/dev/null 2>&1) || true

stress-ng --cpu "$hogs" --timeout 0 --quiet &
hog=$!
trap 'kill "$hog" 2>/dev/null; rm -rf "$scratch"' EXIT
echo "stress: $hogs CPU hogs running (stress-ng, pid $hog); load at start $(cut -d' ' -f1-3 /proc/loadavg)"

# Runs a command RUNS times; prints passes/runs and keeps the output of each failed run in $failures_dir.
attempt() {
  local name=$1 runs=$2 passed=0 i; shift 2
  for i in $(seq "$runs"); do
    if (cd "$scratch" && "$@" </dev/null >"$failures_dir/$name-$i.log" 2>&1); then
      passed=$((passed + 1)); rm -f "$failures_dir/$name-$i.log"
    fi
  done
  echo "$passed/$runs"
}

total_failures=0
printf '%-24s %14s %14s\n' "id" "lesson holds" "check passes"
for id in "${ids[@]}"; do
  lesson=$(attempt "lesson-$id" "$lesson_runs" ./jbang "${id#??-}" --no-pause)
  check="n/a"
  [ ! -d "$scratch/solutions/$id" ] || check=$(attempt "check-$id" "$check_runs" ./jbang workbook check "$id")
  for result in "$lesson" "$check"; do
    [ "$result" = n/a ] || total_failures=$((total_failures + ${result#*/} - ${result%/*}))
  done
  printf '%-24s %14s %14s\n' "$id" "$lesson" "$check"
done
echo "$total_failures failures; ${#ids[@]} lessons, $lesson_runs runs each, checks $check_runs runs each, beside $hogs CPU hogs on $(nproc) cores, load at end $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
[ "$total_failures" -eq 0 ] || { echo "the failed runs' output: $failures_dir/" >&2; exit 1; }
