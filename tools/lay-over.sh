# Sourced by the scripts that solve exercises in a copy of the course (bench, repeat, stress, bench-grade,
# test-gradescope). An exercise's files are flat or in package folders (exercises/11-outbox/outbox/Relay.java, as
# IDEs want them); a solution's and a wrong answer's are flat. As tools/engine/Sources.java does, a file replaces
# the exercise's file of the same name wherever that lives, and test files are never laid over.

# The exercise's file of this name, flat or in a package folder (build output left out); nothing when there is none.
file_in() {
  find "$1" -name "$2" -not -path '*/target/*' -not -path '*/.*' | head -n 1
}

# lay_over FROM EXERCISE [DEPTH]: FROM's .java files (DEPTH levels down, 1 by default) replace the exercise's files
# of the same name; a file the exercise has not got goes into its package's folder, or to the top in the flat layout.
lay_over() {
  local from=$1 exercise=$2 depth=${3:-1} f name target folder
  while IFS= read -r f; do
    name=$(basename "$f")
    target=$(file_in "$exercise" "$name")
    if [ -z "$target" ]; then
      folder="$exercise/$(sed -n 's/^[[:space:]]*package[[:space:]]*\([A-Za-z0-9_.]*\)[[:space:]]*;.*/\1/p' "$f" | head -n 1 | tr . /)"
      [ -d "$folder" ] || folder=$exercise
      target="$folder/$name"
    fi
    cp "$f" "$target"
  done < <(find "$from" -maxdepth "$depth" -name '*.java' ! -name '*Test.java' -type f | sort)
}

# patch_over VARIANT EXERCISE: a wrong answer's X.java.diff files (diff -u) change the exercise's X.java, wherever it
# lives; its whole X.java files replace the exercise's.
patch_over() {
  local variant=$1 exercise=$2 diff name
  for diff in "$variant"/*.java.diff; do
    [ -f "$diff" ] || continue
    name=$(basename "$diff" .diff)
    patch -s "$(file_in "$exercise" "$name")" < "$diff"
  done
  lay_over "$variant" "$exercise"
}
