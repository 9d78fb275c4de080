// Run-time choice of the fastest code path the processor supports. The shipped library is
// compiled for a baseline ISA; faster paths live in their own translation units with their own
// flags and are only called after the check below.
#ifndef NPUKIT_CPU_FEATURES_H
#define NPUKIT_CPU_FEATURES_H

namespace npukit {

// The code paths, in order: each needs the instructions of the ones before it.
enum class Isa { kBaseline = 0, kAvx2 = 1, kAvx512 = 2 };

// The fastest path this processor and its operating system support (AVX2 means AVX2 + FMA +
// F16C; AVX512 means that plus AVX-512F and VL), capped by the environment variable
// NPUKIT_CPU_ISA: "baseline", "avx2" or "avx512" (the default, no cap). Any other value caps
// at baseline; the Java backend refuses to load with one, naming the variable.
Isa cpu_isa();

// True when the AVX2 path may run.
bool has_avx2_fma_f16c();
// True when the AVX-512VL path may run.
bool has_avx512vl();
// True when the AVX2 path may run and the processor has PCLMULQDQ (the CRC32C folding path).
bool has_avx2_pclmulqdq();
// True when the AVX-512 path may run and the processor has VPCLMULQDQ (512-bit CRC32C folding).
bool has_avx512_vpclmulqdq();

}  // namespace npukit

// The entry points' dispatch: fast (an AVX2 or AVX-512 implementation) when cond holds, else
// slow. Where the SIMD sources are not compiled (outside x86-64) only slow is compiled at all, so
// the library still links there.
#if defined(NPUKIT_HAVE_AVX2_PATH)
#define NPUKIT_IF_SIMD(cond, fast, slow) ((cond) ? (fast) : (slow))
#else
#define NPUKIT_IF_SIMD(cond, fast, slow) (slow)
#endif

namespace npukit {

}  // namespace npukit

#endif
