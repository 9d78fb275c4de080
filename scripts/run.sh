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

if needs_build; then
  mkdir -p "$root/target"
  echo "npukit: building (mvn -B package -DskipTests); log: target/build.log" >&2
  if ! (cd "$root" && mvn -B package -DskipTests) >"$root/target/build.log" 2>&1; then
    echo "npukit: build failed; the end of target/build.log:" >&2
    tail -n 40 "$root/target/build.log" >&2
    exit 1
  fi
  echo "npukit: build done" >&2
fi

# Path defaults of the CLI (the NL2SQL data) resolve against the checkout, wherever it runs from.
export NPUKIT_HOME="${NPUKIT_HOME:-$root}"
exec java ${NPUKIT_JAVA_OPTS:-} -jar "$jar" "$@"
