#!/usr/bin/env bash
# Tries what .github/workflows/grade-class.yml does, on this machine: grades a sample class once, then again as N
# shards one after another (./jbang grade --shard K/N, as the workflow's matrix jobs do), joins the shards with
# ./jbang grade merge, and checks that the merged gradebook has the same rows and scores as the single run's.
# Usage: tools/test-shards.sh [STUDENTS] [SHARDS] [IDS]        (default: 8 students, 4 shards, exercises 01,02)
# GRADE_ARGS adds options to every grading run, e.g. GRADE_ARGS="--timeout 120 --test-timeout 60" on a busy machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
students=${1:-8}
shards=${2:-4}
ids=${3:-01,02}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
read -r -a extra <<< "${GRADE_ARGS:-}"

./jbang grade sample-class "$tmp/class" --students "$students" --hostile 0 --only "$ids" > /dev/null
start=$(date +%s)
./jbang grade "$tmp/class" --out "$tmp/single" --only "$ids" --no-aot "${extra[@]}" > "$tmp/log-single.txt"
single=$(( $(date +%s) - start ))
start=$(date +%s)
for k in $(seq 1 "$shards"); do
  ./jbang grade "$tmp/class" --out "$tmp/shard-$k" --only "$ids" --no-aot --shard "$k/$shards" "${extra[@]}" > "$tmp/log-shard-$k.txt"
done
./jbang grade merge "$tmp"/shard-* --out "$tmp/merged" > /dev/null
sharded=$(( $(date +%s) - start ))

rows=$(( $(wc -l < "$tmp/single/gradebook.csv") - 1 ))
if diff <(head -1 "$tmp/single/gradebook.csv"; tail -n +2 "$tmp/single/gradebook.csv" | sort) \
        <(head -1 "$tmp/merged/gradebook.csv"; tail -n +2 "$tmp/merged/gradebook.csv" | sort); then
  echo "PASS $shards shards joined by grade merge give the single run's gradebook: $rows students, the same scores (single ${single} s, shards one after another ${sharded} s)"
else
  echo "FAIL the merged gradebook differs from the single run's (above: < single, > merged)"
  exit 1
fi
for k in $(seq 1 "$shards"); do
  [ -f "$tmp/merged/$(tail -n +2 "$tmp/shard-$k/gradebook.csv" | head -1 | cut -d, -f1 | sed "s/^'//")/feedback.html" ] \
    || { echo "FAIL shard $k's students have no feedback in the merged class"; exit 1; }
done
grep -q "For review\|Class summary" "$tmp/merged/summary.html" || { echo "FAIL the merged class has no summary.html"; exit 1; }
