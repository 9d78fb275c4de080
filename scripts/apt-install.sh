#!/usr/bin/env bash
# Installs Debian packages with apt-get when any of the programs they provide is missing from the
# PATH; used by the install-*.sh scripts Maven runs before the tests. Needs root (or password-less
# sudo: it never waits for a password) and apt-get; does nothing when every program is present.
#
#   scripts/apt-install.sh WHO "PROGRAM..." PACKAGE...
#
# WHO names the caller in messages; PROGRAM... are the programs that must be on the PATH after.
set -euo pipefail

if (( $# < 3 )); then
  echo "usage: apt-install.sh WHO \"PROGRAM...\" PACKAGE..." >&2
  exit 2
fi
who="$1"
programs="$2"
shift 2

have_all() {
  local p
  for p in $programs; do
    command -v "$p" >/dev/null 2>&1 || return 1
  done
}

if have_all; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$who: $programs missing and apt-get is not available; install $* with this system's package manager" >&2
  exit 1
fi
sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
  sudo="sudo -n"
fi
echo "$who: installing $* with apt-get" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
have_all || { echo "$who: $* installed, but $programs still not all on the PATH" >&2; exit 1; }
