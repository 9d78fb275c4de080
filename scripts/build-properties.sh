#!/usr/bin/env bash
# Writes the build's identity for `npukit -V` and the demo report into FILE (a properties file):
#   version=VERSION
#   commit=the abbreviated id of the checkout's HEAD, or "unknown"
# The commit is "unknown" when the sources are not the top of a git checkout (a source archive, or
# a folder inside some other repository) or git is missing or refuses the folder; this script
# never fails the build for it. A linked worktree reports its own HEAD.
# Usage: build-properties.sh VERSION FILE. Maven runs it (pom.xml, execution build-properties).
set -euo pipefail

version="$1"
out="$2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
commit=""
if top="$(git -C "$root" rev-parse --show-toplevel 2>/dev/null)" && [[ "$(cd "$top" && pwd -P)" == "$root" ]]; then
  commit="$(git -C "$root" rev-parse --short=7 HEAD 2>/dev/null || true)"
fi
mkdir -p "$(dirname "$out")"
printf 'version=%s\ncommit=%s\n' "$version" "${commit:-unknown}" >"$out.tmp"
mv "$out.tmp" "$out"
