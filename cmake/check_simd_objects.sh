#!/bin/sh
# Usage: check_simd_objects.sh LIBRARY.a
#
# The objects compiled with extra instruction-set flags (*_avx2.cpp.o, *_avx512.cpp.o) must keep
# their SIMD code to themselves. Their own functions have internal linkage, but the inline
# functions of the standard library they instantiate (std::vector<float>::resize, ...) are weak
# symbols, and the linker keeps one copy of each for the whole library: if that copy came from a
# SIMD object and held AVX instructions, baseline code on a processor without them would run it
# and die of SIGILL (a JVM crash). Fails naming any weak function of a SIMD object that contains
# VEX/EVEX or AVX-512 mask instructions, and fails if the library holds no SIMD object at all, so
# that a renamed file cannot turn the check into one that passes by finding nothing.
set -eu
lib="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
ar x "$lib"
checked=0
status=0
for object in *_avx2.cpp.o *_avx512.cpp.o; do
  [ -e "$object" ] || continue
  checked=$((checked + 1))
  for symbol in $(nm "$object" | awk '$2 == "W" { print $3 }'); do
    if objdump -d --no-show-raw-insn --disassemble="$symbol" "$object" |
        grep -Eq '^ +[0-9a-f]+:[[:space:]]+(v[a-z0-9]+|k(mov|or|and|xnor|xor|not|shift|test|unpck|add)[a-z]*)[[:space:]]'; then
      echo "$object: weak symbol $(echo "$symbol" | c++filt) contains AVX instructions" >&2
      status=1
    fi
  done
done
if [ "$checked" -eq 0 ]; then
  echo "no *_avx2 / *_avx512 objects in $lib" >&2
  exit 1
fi
echo "$checked SIMD objects checked"
exit "$status"
