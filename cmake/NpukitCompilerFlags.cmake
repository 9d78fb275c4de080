# Compiler flags for what npukit ships. The libraries go into a jar that runs on any machine of
# the target architecture, so they are compiled for a baseline ISA (x86-64-v2, armv8-a) and never
# tuned to the build machine; faster instruction sets are separate sources chosen at run time.
#
# -ffp-contract=off keeps a*b+c as two rounded operations, so element-wise kernels (RoPE, dtype
# conversion, contrastive scoring) are bit-exact with the Java reference. Reductions that want
# FMA use explicit intrinsics, which this flag does not touch.

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(NPUKIT_X86_64 TRUE)
  set(NPUKIT_ARCH_FLAGS -march=x86-64-v2 -mtune=generic)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(NPUKIT_ARCH_FLAGS -march=armv8-a)
else()
  set(NPUKIT_ARCH_FLAGS)
endif()

set(NPUKIT_BASELINE_FLAGS ${NPUKIT_ARCH_FLAGS} -O3 -ffp-contract=off -fno-math-errno -Wall -Wextra)
set(NPUKIT_AVX2_FLAGS -mavx2 -mfma -mf16c)
# AVX-512F and VL: 32 registers and EVEX encodings. The compiler's own vectorisation stays at
# 256 bits; 512-bit operations are written out where they run at full width (zmm_vec.h).
# -Wno-uninitialized -Wno-maybe-uninitialized: GCC 12 warns inside its own 512-bit intrinsics,
# which start from an undefined register (GCC bug 105593), wherever they are inlined. The shared
# templates keep the warnings in the AVX2 and baseline translation units.
set(NPUKIT_AVX512_FLAGS ${NPUKIT_AVX2_FLAGS} -mavx512f -mavx512vl -mprefer-vector-width=256 -Wno-uninitialized
    -Wno-maybe-uninitialized)

# Sanitizer builds (scripts/sanitize.sh): NPUKIT_SANITIZE=address,undefined instruments every
# target, the kernels and their native tests alike. Never set for what ships.
set(NPUKIT_SANITIZE "" CACHE STRING "Sanitizers to build with (e.g. address,undefined); empty for none")
if(NPUKIT_SANITIZE)
  add_compile_options(-fsanitize=${NPUKIT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${NPUKIT_SANITIZE})
endif()

# Adds sources to a target with extra ISA flags on those files only.
function(npukit_add_simd_sources target flags)
  target_sources(${target} PRIVATE ${ARGN})
  string(REPLACE ";" " " flag_string "${flags}")
  set_source_files_properties(${ARGN} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_FLAGS "${flag_string}")
endfunction()
