#!/usr/bin/env bash
# Benchmarks the instructor's grader on a generated class, and beside it, in the same run, the naive way: a fresh
# build per submission per exercise (one ./jbang workbook check, compile and tests from scratch, for each).
#   - the class: ./jbang grade sample-class (solutions, stubs, wrong answers, a few compile errors, System.exit,
#     endless loops, output floods and memory hogs, zips), over every exercise that exists
#   - the grader: ./jbang grade CLASS --out OUT --jobs 2, timed whole; its per-student times (2 at a time)
#   - the naive way: on a sample of (student, exercise) pairs, each timed alone; extrapolated to the class as if
#     2 ran at a time with no loss (generous to the naive way)
# Usage: tools/bench-grade.sh [STUDENTS] [SAMPLE]      (defaults: 100 students, 16 naive pairs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
students=${1:-100}
sample=${2:-16}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# shellcheck source=tools/lay-over.sh
. "$root/tools/lay-over.sh"
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }

./jbang grade --version >/dev/null                     # builds the grader once (not timed)
./jbang grade sample-class "$work/class" --students "$students" | tee "$work/class.txt"
ids=$(ls -d exercises/[0-9][0-9]-*/ | xargs -n1 basename | while read -r id; do
  find "exercises/$id" -name '*Test.java' | grep -q . && [ -d "solutions/$id" ] && echo "$id"; done)
exercises=$(echo "$ids" | wc -l)

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# ---- the grader ----
s=$(ms)
./jbang grade "$work/class" --out "$work/out" --jobs 2 > "$work/grade.log" 2>&1 || { tail -20 "$work/grade.log"; exit 1; }
grader_ms=$(( $(ms) - s ))
grep -E '^\[[0-9]+/[0-9]+\]' "$work/grade.log" | sed -n 's/.* · \([0-9.]*\) s$/\1/p' > "$work/per-student.txt"
per_student=$(median < "$work/per-student.txt")
echo "load after the grader: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the naive way: a scratch copy of the course, one fresh ./jbang workbook check per (student, exercise) ----
scratch="$work/naive"
mkdir -p "$scratch"
cp -r jbang jbang-catalog.json kit tools exercises "$scratch/"
ln -s "$root/.jbang-cli" "$scratch/.jbang-cli"
pairs=()
for dir in "$work/class"/student-*/; do
  name=$(basename "$dir")
  grep '^hostile students:' "$work/class.txt" | grep -q "$name " && continue
  for id in $ids; do
    for d in "$dir/exercises/$id" "$dir/$id"; do [ -d "$d" ] && pairs+=("$d|$id"); done
  done
done
step=$(( ${#pairs[@]} / sample )); [ "$step" -ge 1 ] || step=1
(cd "$scratch" && ./jbang workbook check "${ids%%$'\n'*}" >/dev/null 2>&1) || true   # builds the workbook once (not timed)
: > "$work/naive.txt"
for (( i = 0; i < ${#pairs[@]} && i / step < sample; i += step )); do
  src=${pairs[$i]%%|*}; id=${pairs[$i]##*|}
  rm -rf "$scratch/exercises/$id" "$scratch/.workbook-cache" && cp -r "exercises/$id" "$scratch/exercises/$id"
  lay_over "$src" "$scratch/exercises/$id" 8   # the student's files, flat or in package folders
  s=$(ms); (cd "$scratch" && timeout 120 ./jbang workbook check "$id" >/dev/null 2>&1) || true
  echo $(( $(ms) - s )) >> "$work/naive.txt"
done
naive_pair=$(median < "$work/naive.txt")
graded_pairs=$(( students * exercises ))
naive_total_ms=$(awk -v m="$naive_pair" -v n="$graded_pairs" 'BEGIN {printf "%d", m * n / 2}')

echo
echo "class: $students students x $exercises exercises ($graded_pairs submissions of an exercise)"
printf 'grader (--jobs 2): %.1f s in all; median per student %s s (2 at a time); %.0f ms per submission of an exercise\n' \
  "$(echo "$grader_ms / 1000" | bc -l)" "$per_student" "$(echo "$grader_ms / $graded_pairs" | bc -l)"
printf 'naive (fresh ./jbang workbook check per submission per exercise): median %s ms each over %s samples; extrapolated %.1f s for the class at 2 at a time\n' \
  "$naive_pair" "$(wc -l < "$work/naive.txt")" "$(echo "$naive_total_ms / 1000" | bc -l)"
printf 'speed-up: %.1fx\n' "$(echo "$naive_total_ms / $grader_ms" | bc -l)"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
grep -E '^warning' "$work/grade.log" || true
