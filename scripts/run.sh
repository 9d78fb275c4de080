#!/usr/bin/env bash
# Runs the npukit command line (java -jar target/npukit-all.jar "$@"). Builds the project first
# when the jar is missing or older than any source, with the build log in target/build.log, so
# that stdout carries only the command's own output (tables, or JSON with --json).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/npukit-all.jar"

needs_build() {
  [[ ! -f "$jar" ]] && return 0
  [[ -n "$(find "$root/java" "$root/native" "$root/cmake" "$root/pom.xml" -type f -newer "$jar" -print -quit)" ]]
}

# The first build takes a minute or more (CMake, JNI, Java): stderr shows each Maven step as it
# starts and, every 10 s, that the build is still running; the full log is target/build.log.
build() {
  local log="$root/target/build.log"
  (cd "$root" && mvn -B package -DskipTests) >"$log" 2>&1 &
  local pid=$! start=$SECONDS last=$SECONDS shown=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    # Maven's "[INFO] --- plugin:version:goal (execution) @ npukit ---" lines, as "  goal (execution)".
    local steps
    steps="$(grep -E '^\[INFO\] --- ' "$log" 2>/dev/null | sed -E 's/^\[INFO\] --- ([^:]+):[^:]+:([^ ]+) (\([^)]*\))?.*/npukit: build step \1:\2 \3/' || true)"
    local count
    count="$(printf '%s' "$steps" | grep -c . || true)"
    if (( count > shown )); then
      printf '%s\n' "$steps" | tail -n "$(( count - shown ))" >&2
      shown=$count
      last=$SECONDS
    elif (( SECONDS - last >= 10 )); then
      echo "npukit: still building ($(( SECONDS - start )) s)..." >&2
      last=$SECONDS
    fi
  done
  wait "$pid"
}

if needs_build; then
  mkdir -p "$root/target"
  echo "npukit: building (mvn -B package -DskipTests); log: target/build.log" >&2
  if ! build; then
    echo "npukit: build failed; the end of target/build.log:" >&2
    tail -n 40 "$root/target/build.log" >&2
    exit 1
  fi
  echo "npukit: build done" >&2
fi

# Path defaults of the CLI (the NL2SQL data) resolve against the checkout, wherever it runs from.
export NPUKIT_HOME="${NPUKIT_HOME:-$root}"
exec java ${NPUKIT_JAVA_OPTS:-} -jar "$jar" "$@"
