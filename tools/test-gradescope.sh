#!/usr/bin/env bash
# Tries the Gradescope bundle the way Gradescope runs it, in a temp folder laid out like its /autograder:
# builds the bundle (./jbang grade gradescope), unpacks it into autograder/source, runs setup.sh, puts a
# submission (the reference solution, as a student's folder) in autograder/submission, runs run_autograder with
# AUTOGRADER_ROOT pointing there, and checks autograder/results/results.json.
# Usage: tools/test-gradescope.sh [ID]     (default: the first exercise that has a solution)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
id=${1:-$(for d in solutions/[0-9][0-9]-*/; do basename "$d"; break; done)}
sim=$(mktemp -d)
trap 'rm -rf "$sim"' EXIT

./jbang grade gradescope --out "$sim/bundle" --only "$id"
ag="$sim/autograder"
mkdir -p "$ag/source" "$ag/submission/exercises/$id" "$ag/results"
(cd "$ag/source" && unzip -q "$sim/bundle/autograder.zip")
cp "$ag/source/run_autograder" "$ag/run_autograder"      # Gradescope copies it there too
[ ! -e "$ag/source/workbook/solutions" ] || { echo "FAIL: the bundle ships solutions"; exit 1; }
# The pinned JBang is already here; on Gradescope, setup.sh fetches it through Maven.
[ -d "$root/.jbang-cli" ] && ln -s "$root/.jbang-cli" "$ag/source/workbook/.jbang-cli"
bash "$ag/source/setup.sh" > "$sim/setup.log" 2>&1 || { cat "$sim/setup.log"; echo "FAIL: setup.sh"; exit 1; }

# shellcheck source=tools/lay-over.sh
. "$root/tools/lay-over.sh"
cp -r "$ag/source/workbook/exercises/$id/." "$ag/submission/exercises/$id/"
lay_over "solutions/$id" "$ag/submission/exercises/$id"
AUTOGRADER_ROOT="$ag" "$ag/run_autograder" > "$sim/run.log" 2>&1 || { cat "$sim/run.log"; echo "FAIL: run_autograder exited non-zero"; exit 1; }

results="$ag/results/results.json"
[ -f "$results" ] || { cat "$sim/run.log"; echo "FAIL: no $results"; exit 1; }
python3 - "$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
tests = r["tests"]
assert tests, "no tests in results.json"
for t in tests:
    for field in ("name", "score", "max_score", "status", "output"):
        assert field in t, f"a test without {field}: {t}"
top = sum(t["max_score"] for t in tests)
assert r["score"] == top, f"the solution scored {r['score']} of {top}"
print(f"PASS Gradescope bundle: results.json for the reference solution: {r['score']} of {top} points, {len(tests)} tests")
PY
