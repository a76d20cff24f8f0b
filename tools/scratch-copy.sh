# Sourced by tools/bench.sh and tools/repeat.sh: sets $scratch to a copy of this checkout's tracked files, removed
# when the script exits, so that solving exercises there leaves the learner's checkout as it was. The copy shares
# this checkout's JBang (.jbang-cli/), fetched here first and untimed: a fresh clone has none yet.
# Needs $root (the checkout) and $tool (the name in error messages).
(cd "$root" && ./jbang workbook --help >/dev/null) || { echo "$tool: ./jbang workbook does not start here" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$root" && git ls-files -z | xargs -0 -I{} cp --parents {} "$scratch")
ln -s "$root/.jbang-cli" "$scratch/.jbang-cli"
