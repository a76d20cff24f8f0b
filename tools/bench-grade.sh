#!/usr/bin/env bash
# Benchmarks the instructor's grader on a generated class, and beside it, in the same run, the naive way: a fresh
# build per submission per exercise (one ./jbang workbook check, compile and tests from scratch, for each).
#   - the class: ./jbang grade sample-class (solutions, stubs, wrong answers, a few compile errors, System.exit,
#     endless loops, output floods and memory hogs, zips), over every exercise that exists
#   - the grader: ./jbang grade CLASS --out OUT --jobs 2, timed whole, and its CPU (grader, compile server and every
#     student's JVM) per student; its per-student times (2 at a time)
#   - the naive way: on a sample of (student, exercise) pairs, each timed alone; extrapolated to the class as if
#     2 ran at a time with no loss (generous to the naive way)
# With --student: one student who solved every exercise (the reference solutions), graded alone RUNS times, as one
# Gradescope submission is: the grader's time for that student and the CPU of the student's JVM, each run and median.
# Usage: tools/bench-grade.sh [STUDENTS] [SAMPLE]      (defaults: 100 students, 16 naive pairs)
#        tools/bench-grade.sh --student [RUNS]         (default: 5 runs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# shellcheck source=tools/lay-over.sh
. "$root/tools/lay-over.sh"
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }

./jbang grade --version >/dev/null                     # builds the grader once (not timed)

if [ "${1:-}" = "--student" ]; then
  runs=${2:-5}
  for dir in solutions/[0-9][0-9]-*/; do
    id=$(basename "$dir")
    mkdir -p "$work/class/student/exercises/$id"
    (cd "$dir" && find . -name '*.java' -not -path './wrong/*' -exec cp --parents {} "$work/class/student/exercises/$id/" \;)
  done
  echo "one student, the reference solutions of $(ls "$work/class/student/exercises" | wc -l) exercises, graded alone $runs times"
  : > "$work/seconds.txt"; : > "$work/cpu.txt"
  for run in $(seq "$runs"); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    rm -rf "$work/out"
    GRADE_TIMING=1 ./jbang grade "$work/class" --out "$work/out" --jobs 1 > "$work/grade.log" 2>&1 || { tail -20 "$work/grade.log"; exit 1; }
    seconds=$(sed -n 's/^\[1\/1\] .* · \([0-9.]*\) s$/\1/p' "$work/grade.log")
    # The student's JVM reports its CPU after each exercise; its last report, after the line that starts the class.
    cpu=$(awk '/^Grading /{s=1} s && /^\[timing\] [0-9][0-9]-.* cpu [0-9]+ ms$/{c=$(NF-1)} END {printf "%.1f", c/1000}' "$work/grade.log")
    echo "$seconds" >> "$work/seconds.txt"; echo "$cpu" >> "$work/cpu.txt"
    echo "run $run: $seconds s for the student, $cpu s CPU in the student's JVM (load before: $load); $(grep '^\[1/1\]' "$work/grade.log" | cut -d' ' -f3)"
  done
  echo "median: $(median < "$work/seconds.txt") s for one student, $(median < "$work/cpu.txt") s CPU in the student's JVM, on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
  exit 0
fi

students=${1:-100}
sample=${2:-16}
./jbang grade sample-class "$work/class" --students "$students" | tee "$work/class.txt"
ids=$(ls -d exercises/[0-9][0-9]-*/ | xargs -n1 basename | while read -r id; do
  find "exercises/$id" -name '*Test.java' | grep -q . && [ -d "solutions/$id" ] && echo "$id"; done)
exercises=$(echo "$ids" | wc -l)

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# ---- the grader ----
s=$(ms)
TIMEFORMAT='%U %S'
{ time ./jbang grade "$work/class" --out "$work/out" --jobs 2 > "$work/grade.log" 2>&1 || { tail -20 "$work/grade.log"; exit 1; }; } 2> "$work/cpu.txt"
grader_ms=$(( $(ms) - s ))
grader_cpu=$(awk '{printf "%.1f", $1 + $2}' "$work/cpu.txt")   # the grader, its compile server and every student's JVM
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
printf 'CPU: %s s in all (grader, compile server, every student'"'"'s JVM), %.1f s per student\n' "$grader_cpu" "$(echo "$grader_cpu / $students" | bc -l)"
printf 'naive (fresh ./jbang workbook check per submission per exercise): median %s ms each over %s samples; extrapolated %.1f s for the class at 2 at a time\n' \
  "$naive_pair" "$(wc -l < "$work/naive.txt")" "$(echo "$naive_total_ms / 1000" | bc -l)"
printf 'speed-up: %.1fx\n' "$(echo "$naive_total_ms / $grader_ms" | bc -l)"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
grep -E '^warning' "$work/grade.log" || true
