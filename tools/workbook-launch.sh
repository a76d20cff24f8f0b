# Sourced by ./jbang for `./jbang workbook ...`, never run on its own: the learner's check loop is where people wait.
# Needs from ./jbang: $root, $cli (the pinned JBang's folder), $JAVA_HOME, jdk_version and run_jbang.
#
# JBang itself takes about half a second to decide that nothing needs building, so the command it printed is
# remembered, and reused for as long as no file under tools/ or kit/, the catalog, the JDK or JBang changed, and the
# built jar is still there. It is remembered per checkout: bench.sh, repeat.sh and stress.sh share .jbang-cli/ with
# scratch copies of other versions.
#
# A check's JVM then starts from a cache of the classes checks load (javac, JUnit, Jetty, WireMock, H2...), recorded
# once by a training run that tests every reference solution in a temporary folder (workbook train): an AOT cache on
# JDK 25 or newer (JEP 514, 515), a CDS archive before that. Without it, a check of a lesson with WireMock takes about
# twice as long. The first check or watch of a build of the tools does not wait for it: it runs at once, and the
# cache is recorded after it, in the background; the commands after that use it.
#
# The command JBang prints is shell words, quoted where needed (a JDK in a folder with a space: '/opt/my jdk/bin/java'):
# it is read into an array, never cut at a space, and the cache's options go in after its first word, the java.

launch_cache="$cli/launch-workbook-$(printf '%s' "$root" | cksum | cut -d' ' -f1).sh"

# launch_workbook ARGS...: execs the workbook with ARGS, or exits as JBang did when it could not build it.
launch_workbook() {
  local prefix="" java_home_was="" jar="" marker="__workbook_arguments__" cmd=() startup=()
  if [ -f "$launch_cache" ] && [ -z "$(find "$root/tools" "$root/kit" "$root/jbang-catalog.json" -newer "$launch_cache" -print -quit 2>/dev/null)" ]; then
    # shellcheck source=/dev/null
    . "$launch_cache"   # sets java_home_was, jar and prefix
    [ "$java_home_was" = "$JAVA_HOME" ] && [ -f "$jar" ] || prefix=""
  fi
  if [ -z "$prefix" ]; then
    run_jbang workbook "$marker"
    if [ "$status" -ne 255 ] || [[ "$output" != *" $marker" ]]; then   # it did not build: JBang said why
      [ -z "$output" ] || printf '%s\n' "$output"
      exit "$status"
    fi
    prefix=${output% "$marker"}
    jar=$(printf '%s' "$output" | sed -n 's/.*-classpath \([^:]*\.jar\).*/\1/p')
    printf 'java_home_was=%q\njar=%q\nprefix=%q\n' "$JAVA_HOME" "$jar" "$prefix" > "$launch_cache.tmp" && mv "$launch_cache.tmp" "$launch_cache"
  fi
  eval "cmd=($prefix)"
  startup_cache_options "${1:-}" "$jar" "$prefix"
  exec "${cmd[0]}" ${startup[@]+"${startup[@]}"} "${cmd[@]:1}" "$@"
}

# startup_cache_options SUBCOMMAND JAR PREFIX: sets the array startup to the JVM options that use the start-up cache
# (none yet when it is not recorded; a check or a watch then starts the recording).
startup_cache_options() {
  local subcommand=$1 jar=$2 prefix=$3 dir="$cli/startup" key file record
  key=$(printf '%s %s' "$jar" "$JAVA_HOME" | cksum | cut -d' ' -f1)
  if [ "$(jdk_version "$JAVA_HOME")" -ge 25 ]; then
    file="$dir/workbook-$key.aot"; record="-XX:AOTCacheOutput=$file.tmp"; startup=("-XX:AOTCache=$file" "-Xlog:aot*=off")
  else
    file="$dir/workbook-$key.jsa"; record="-XX:ArchiveClassesAtExit=$file.tmp"; startup=("-XX:SharedArchiveFile=$file")
  fi
  if [ ! -f "$file" ] && [ ! -f "$file.failed" ] && { [ "$subcommand" = check ] || [ "$subcommand" = watch ]; }; then
    record_startup_cache_later "$dir" "$file" "$record" "$prefix"
  fi
  [ -f "$file" ] || startup=()
}

# Starts the training run that records the start-up cache $2 (JVM option $3) with the workbook's command $4, detached
# and at the lowest CPU and disk priority, once this command's JVM has ended, so that it takes nothing from the check
# the learner waits for. One recording at a time: a check started meanwhile runs without the cache, as the first did.
record_startup_cache_later() {
  local dir=$1 file=$2 record=$3 prefix=$4 lock="$1/recording" waits_for=$$ detach=()
  mkdir -p "$dir"
  if ! mkdir "$lock" 2>/dev/null; then
    if kill -0 "$(cat "$lock/pid" 2>/dev/null || echo 0)" 2>/dev/null; then return; fi
    rm -rf "$lock" && mkdir "$lock" 2>/dev/null || return   # the last recording died; another check took over
  fi
  echo "[workbook] this check starts without the start-up cache; it is recorded in the background afterwards, for the next one" >&2
  command -v setsid >/dev/null && detach=(setsid)
  ${detach[@]+"${detach[@]}"} bash -c '
    dir=$1 file=$2 record=$3 waits_for=$4 prefix=$5
    echo $$ > "$dir/recording/pid"
    while kill -0 "$waits_for" 2>/dev/null; do sleep 0.5; done
    find "$dir" -maxdepth 1 -name "workbook-*" ! -name "$(basename "$file")*" -delete   # the caches of older builds go
    quietly=(nice -n 19); command -v ionice >/dev/null && quietly+=(ionice -c 3)
    eval "cmd=($prefix)"
    if "${quietly[@]}" "${cmd[0]}" "$record" "${cmd[@]:1}" train && [ -s "$file.tmp" ]; then
      mv "$file.tmp" "$file"
    else
      touch "$file.failed"   # not again for this build; checks run without it (see train.log)
    fi
    rm -rf "$dir/recording"' record-startup-cache "$dir" "$file" "$record" "$waits_for" "$prefix" \
    </dev/null >"$dir/train.log" 2>&1 &
}
