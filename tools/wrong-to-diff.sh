#!/usr/bin/env bash
# Turns wrong answers written as whole files into diffs against the solution, which verify applies the same way.
# Write a wrong answer by copying a solution file into solutions/ID/wrong/VARIANT/ and editing it; then run
#   tools/wrong-to-diff.sh [ID ...]        (default: every lesson)
# Each solutions/ID/wrong/VARIANT/X.java whose solutions/ID/X.java exists becomes X.java.diff: a learner (and a
# reviewer) then reads exactly the lines the mistake changes. Files with no counterpart in the solution stay.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ids=("$@")
[ ${#ids[@]} -gt 0 ] || for d in "$root"/solutions/[0-9][0-9]-*/; do ids+=("$(basename "$d")"); done
for id in "${ids[@]}"; do
  solution="$root/solutions/$id"
  [ -d "$solution/wrong" ] || continue
  for file in "$solution"/wrong/*/*.java; do
    [ -f "$file" ] || continue
    name=$(basename "$file")
    [ -f "$solution/$name" ] || continue
    if diff -u --label "a/$name" --label "b/$name" "$solution/$name" "$file" > "$file.diff"; then
      echo "skipped ${file#$root/}: identical to the solution (a wrong answer must differ)" >&2
      rm "$file.diff"
      continue
    fi
    rm "$file"
    echo "${file#$root/} -> $name.diff"
  done
done
