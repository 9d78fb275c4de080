#!/usr/bin/env bash
# A longer run of the kernel fuzz test (tests/dev/npukit/backend/CorruptedCallFuzzTest.java):
# CALLS random, mostly corrupted calls of all ten kernels on the cpu backend and CALLS / 2 on
# the Ascend emulator, each compared with the reference (mvn verify makes 16,000 + 8,000).
# Maven runs the class in each surefire execution the -Dtest filter reaches: the default one
# and the baseline, AVX2 and AVX-512VL ones, so the cpu backend's every code path is fuzzed.
#
# The calls come from a fixed seed; -Dnpukit.fuzz.seed=S among the Maven arguments draws another
# series (a failure names the seed and the call's number).
#
# Usage: scripts/fuzz.sh [CALLS] [extra Maven arguments, e.g. -o or -Dnpukit.fuzz.seed=7]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
calls="${1:-100000}"
shift || true
if ! [[ "$calls" =~ ^[1-9][0-9]{0,8}$ ]]; then
  echo "fuzz.sh: CALLS must be a positive integer below 10^9, not '$calls'" >&2
  exit 2
fi
cd "$root"
exec mvn -B "$@" test -Dtest=CorruptedCallFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dnpukit.fuzz.calls="$calls"
