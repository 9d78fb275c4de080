#!/usr/bin/env bash
# Builds the linux-arm64 native libraries (aarch64: the Kunpeng hosts of Ascend servers) into
# target/classes/dev/npukit/bridge/linux-arm64/, beside the linux-x86_64 ones that `mvn` builds,
# so that the next `mvn -B package` puts both platforms in the jar (scripts/release.sh does all
# of it). On an x86-64 machine with Debian's cross compiler:
#   1. the kernels: scripts/cross-check-aarch64.sh (cmake/aarch64-linux-gnu.cmake; their CTest
#      suite runs under qemu-user; installs g++-aarch64-linux-gnu and qemu-user when missing);
#   2. the JNI layer: JavaCPP's Builder for linux-arm64 over the compiled bridge classes, with the
#      cross compiler, linking the static libraries of step 1.
# Needs target/classes: run `mvn -B package` (or verify) first.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! ls target/classes/dev/npukit/bridge/CpuKernels.class >/dev/null 2>&1; then
  echo "build-linux-arm64: target/classes has no bridge classes; run 'mvn -B package' first" >&2
  exit 2
fi

scripts/cross-check-aarch64.sh >&2

# JavaCPP's Builder from the version the pom uses (its jar is in the runtime classpath).
mvn -B -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/runtime-classpath.txt >&2
javacpp="$(tr ':' '\n' < target/runtime-classpath.txt | grep '/javacpp-[0-9.]*\.jar$' | head -1)"
if [[ -z "$javacpp" ]]; then
  echo "build-linux-arm64: no javacpp jar in the runtime classpath" >&2
  exit 1
fi
out=target/classes/dev/npukit/bridge/linux-arm64
rm -rf "$out"
java -cp "$javacpp" org.bytedeco.javacpp.tools.Builder \
  -properties linux-arm64 -Dplatform.compiler=aarch64-linux-gnu-g++ \
  -Dplatform.includepath="$root/native/include:$root/native/bench" -Dplatform.linkpath="$root/target/native-aarch64/lib" \
  -Xcompiler -std=c++17 -cp target/classes 'dev.npukit.bridge.*' >&2
for lib in libjniCpuKernels.so libjniAscendKernels.so; do
  if ! readelf -h "$out/$lib" 2>/dev/null | grep -q 'Machine: *AArch64'; then
    echo "build-linux-arm64: $out/$lib is missing or not an aarch64 library" >&2
    exit 1
  fi
done
echo "build-linux-arm64: $(ls "$out" | tr '\n' ' ')in $out" >&2
