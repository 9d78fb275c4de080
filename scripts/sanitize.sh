#!/usr/bin/env bash
# Builds the native kernels and the JNI libraries with AddressSanitizer and
# UndefinedBehaviorSanitizer and runs the native tests (CTest) and every Java test suite against
# them (the test JVMs preload the sanitizer runtime). Any out-of-bounds access, use after free or
# undefined behaviour in native code fails the run with the sanitizer's report.
#
# It builds in a copy of the work tree (target/sanitize/src), so the normal build in target/ is
# left alone. Usage: scripts/sanitize.sh [extra Maven arguments, e.g. -Dtest=RegistryEqualityTest]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sanitizers="address,undefined"

asan="$(g++ -print-file-name=libasan.so)"
ubsan="$(g++ -print-file-name=libubsan.so)"
for lib in "$asan" "$ubsan"; do
  [[ -f "$lib" ]] || { echo "sanitize.sh: $lib not found (g++ without sanitizer runtimes?)" >&2; exit 1; }
done

src="$root/target/sanitize/src"
rm -rf "$src"
mkdir -p "$src"
(cd "$root" && tar --exclude=./target --exclude=./.git --exclude=./out -cf - .) | tar -xf - -C "$src"

echo "sanitize.sh: building and testing with -fsanitize=$sanitizers in $src" >&2
cd "$src"
mvn -B verify -Dnpukit.sanitize="$sanitizers" -Dnpukit.sanitizer.preload="$asan:$ubsan" "$@"
