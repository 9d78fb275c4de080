#!/usr/bin/env bash
# Cross-builds the native libraries for linux-aarch64 (the Kunpeng hosts of Ascend servers) and
# runs their CTest suite under qemu-user: proof that the cpu kernels (baseline path) and the
# AscendC emulator compile for aarch64 and that the emulator's tests pass there. The JNI layer
# and the Java suites for aarch64: scripts/build-linux-arm64.sh (which calls this script first)
# and scripts/test-linux-arm64.sh. Installs Debian's g++-aarch64-linux-gnu and qemu-user with
# apt-get when they are missing (needs root). Not part of `mvn -B verify`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v aarch64-linux-gnu-g++ >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
  echo "cross-check: installing g++-aarch64-linux-gnu and qemu-user (apt-get)" >&2
  apt-get install -y -q g++-aarch64-linux-gnu qemu-user >&2
fi
build="$root/target/native-aarch64"
cmake -S "$root/native" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DNPUKIT_ASCEND=emu >&2
cmake --build "$build" -j "$(nproc)" >&2
ctest --test-dir "$build" --output-on-failure
