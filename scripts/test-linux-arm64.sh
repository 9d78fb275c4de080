#!/usr/bin/env bash
# Runs Java test suites on aarch64, against the linux-arm64 libraries that
# scripts/build-linux-arm64.sh put in target/classes: Surefire forks its test JVM as Debian's
# aarch64 OpenJDK 17 runtime under qemu-user. The runtime (openjdk-17-jre-headless:arm64 and
# zlib1g:arm64) is fetched with `apt-get download` and unpacked under target/aarch64-jre, not
# installed; the first run adds the arm64 architecture to dpkg and updates apt's lists (root).
# Emulation is many times slower (the attention equality suite takes 97 s), so by default only
# the suites that cross into native code run (the kernel, argument, fuzz and bounds suites of
# dev.npukit.backend, and the model suites); pure Java code is the same on every processor. Pass
# Surefire's test filter to choose:
#   scripts/test-linux-arm64.sh                     # the default suites (about 3 minutes on 2 cores)
#   scripts/test-linux-arm64.sh 'RegistryEqualityTest' # one suite
# Needs target/test-classes (mvn -B verify or package first).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
suites="${1:-dev/npukit/backend/*Test,LlamaModelTest,ServingEngineTest,ColdModelTest,ContrastiveDecoderTest}"
if ! ls target/classes/dev/npukit/bridge/linux-arm64/libjniCpuKernels.so >/dev/null 2>&1; then
  echo "test-linux-arm64: no linux-arm64 libraries in target/classes; run scripts/build-linux-arm64.sh" >&2
  exit 2
fi
if ! ls target/test-classes/dev/npukit >/dev/null 2>&1; then
  echo "test-linux-arm64: no compiled tests; run 'mvn -B verify' (or package) first" >&2
  exit 2
fi
if ! command -v qemu-aarch64 >/dev/null || [[ ! -d /usr/aarch64-linux-gnu/lib ]]; then
  echo "test-linux-arm64: installing qemu-user and the aarch64 C/C++ runtime (apt-get)" >&2
  apt-get install -y -q qemu-user g++-aarch64-linux-gnu >&2
fi

jre="$root/target/aarch64-jre"
java_home="$jre/root/usr/lib/jvm/java-17-openjdk-arm64"
if [[ ! -x "$java_home/bin/java" ]]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "test-linux-arm64: adding the arm64 architecture to dpkg (for apt-get download)" >&2
    dpkg --add-architecture arm64
    apt-get update -q >&2
  fi
  rm -rf "$jre"
  mkdir -p "$jre/debs"
  # apt-get download writes into the current directory.
  (cd "$jre/debs" && apt-get download openjdk-17-jre-headless:arm64 zlib1g:arm64 >&2)
  for deb in "$jre"/debs/*.deb; do dpkg-deb -x "$deb" "$jre/root"; done
fi
# Surefire's forked JVM: the aarch64 java under qemu, with the cross toolchain's C runtime
# (Surefire wants the path to end in bin/java).
mkdir -p "$jre/bin"
cat > "$jre/bin/java" <<EOF
#!/bin/sh
exec qemu-aarch64 -L /usr/aarch64-linux-gnu \\
  -E LD_LIBRARY_PATH=$jre/root/usr/lib/aarch64-linux-gnu:$jre/root/lib/aarch64-linux-gnu \\
  $java_home/bin/java "\$@"
EOF
chmod +x "$jre/bin/java"
"$jre/bin/java" -version 2>&1 | head -1 >&2

# The reports go to target/surefire-reports, as for any single Surefire run.
mvn -B surefire:test@default-test -Djvm="$jre/bin/java" -Dtest="$suites" -Dsurefire.failIfNoSpecifiedTests=false
