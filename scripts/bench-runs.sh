#!/usr/bin/env bash
# Runs `npukit bench attention` N times, each in its own process (where a buffer lands in memory
# differs from one process to the next on a VM), keeps every run's JSON in target/bench-runs/
# (the runs' stderr in stderr.log there), and prints the summary: per case the median of the run
# medians and the median and quartiles of the per-run ratios. Arguments after N go to
# `bench attention`, e.g.
#   scripts/bench-runs.sh 15                      # the attention table of docs/benchmarks.md
#   scripts/bench-runs.sh 5 --seqs 8 --kv-lens 4096
# NPUKIT_SUMMARY_OPTS="--markdown" (or "--json") picks the summary's format.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -lt 1 || ! "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/bench-runs.sh N [bench attention options]" >&2
  exit 2
fi
runs="$1"
shift
out="$root/target/bench-runs/attention-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
files=()
for ((i = 1; i <= runs; i++)); do
  echo "bench-runs: run $i/$runs -> $out/run-$i.json" >&2
  "$root/scripts/run.sh" bench attention "$@" --json 2>>"$out/stderr.log" >"$out/run-$i.json"
  files+=("$out/run-$i.json")
done
# The runs in the order made (a glob would put run-10 before run-2).
# shellcheck disable=SC2086
exec "$root/scripts/run.sh" bench summary ${NPUKIT_SUMMARY_OPTS:-} "${files[@]}"
