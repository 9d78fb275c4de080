#!/usr/bin/env bash
# Builds a release: the jars with the native libraries of both platforms, linux-x86_64 and
# linux-arm64 (the Kunpeng hosts of Ascend servers), tested on both, copied to target/release/
# with their SHA-256 sums. On an x86-64 Debian machine (the aarch64 side is cross-compiled and
# run under qemu-user; the scripts it calls install what they need with apt-get):
#   1. mvn -B verify                   the x86-64 build and every test (the README's test command)
#   2. scripts/build-linux-arm64.sh    the aarch64 kernels (their CTests under qemu) and JNI layer
#   3. scripts/test-linux-arm64.sh     the Java suites that cross into native code, on aarch64
#   4. mvn -B package -DskipTests      the jars again, now holding both platforms (tested in 1, 3)
#   5. each jar holds both platforms' libraries, and `npukit info --json` from the jar finds the
#      cpu backend on both processors.
# Takes about 6 minutes on 2 cores, half of it the aarch64 suites under emulation.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step() { echo "release: $*" >&2; }

step "1/5 mvn -B verify"
mvn -B verify
step "2/5 linux-arm64 libraries"
scripts/build-linux-arm64.sh
step "3/5 Java suites on aarch64 (qemu)"
scripts/test-linux-arm64.sh
step "4/5 jars with both platforms"
mvn -B package -DskipTests

step "5/5 checking the jars"
for jar in target/npukit.jar target/npukit-all.jar; do
  listing="$(jar tf "$jar")"
  for platform in linux-x86_64 linux-arm64; do
    for lib in libjniCpuKernels.so libjniAscendKernels.so; do
      if ! grep -qx "dev/npukit/bridge/$platform/$lib" <<<"$listing"; then
        echo "release: $jar lacks dev/npukit/bridge/$platform/$lib" >&2
        exit 1
      fi
    done
  done
done
check_info() {  # $1: java executable, $2: platform name for the message
  local json
  json="$("$1" -jar target/npukit-all.jar info --json)"
  if ! grep -q '"name" *: *"cpu", *"available" *: *true' <<<"$(tr -d '\n' <<<"$json")"; then
    echo "release: on $2 the jar's cpu backend is not available: $json" >&2
    exit 1
  fi
}
check_info java linux-x86_64
check_info target/aarch64-jre/bin/java linux-arm64

rm -rf target/release
mkdir -p target/release
cp target/npukit.jar target/npukit-all.jar target/release/
(cd target/release && sha256sum ./*.jar > SHA256SUMS)
step "done: target/release/ ($(cd target/release && ls | tr '\n' ' '))"
