// Run-time choice of the fastest code path the processor supports. The shipped library is
// compiled for a baseline ISA; faster paths live in their own translation units with their own
// flags and are only called after the check below.
#ifndef NPUKIT_CPU_FEATURES_H
#define NPUKIT_CPU_FEATURES_H

namespace npukit {

// The code paths, in order: each needs the instructions of the ones before it.
//   kAvx2        AVX2 + FMA + F16C on 256-bit vectors;
//   kAvx512      that plus AVX-512F and VL, still on 256-bit vectors (32 registers);
//   kAvx512Wide  the same instructions on 512-bit vectors, chosen only where 512-bit operations
//                run at full width: AMD family 1Ah (Zen 5) and later. Zen 4 executes them in two
//                halves (no gain) and Intel processors lower their clock for them, so those keep
//                256-bit vectors. Attention and the CRC32C have 512-bit code.
enum class Isa { kBaseline = 0, kAvx2 = 1, kAvx512 = 2, kAvx512Wide = 3 };

// The fastest path this processor and its operating system support, capped by the environment
// variable NPUKIT_CPU_ISA: "baseline", "avx2", "avx512vl" (kAvx512) or "avx512" (the default,
// no cap). Any other value caps at baseline; the Java backend refuses to load with one, naming
// the variable.
Isa cpu_isa();

// True when the AVX2 path may run.
bool has_avx2_fma_f16c();
// True when the AVX-512VL path may run.
bool has_avx512vl();
// True when the AVX-512 path may use 512-bit vectors (kAvx512Wide).
bool has_full_width_avx512();
// True when the AVX2 path may run and the processor has PCLMULQDQ (the CRC32C folding path).
bool has_avx2_pclmulqdq();
// True when AVX-512 may run (kAvx512 or wider) and the processor has VPCLMULQDQ (512-bit CRC32C
// folding). Where 512-bit operations are split in two (Zen 4) the folding still runs about three
// times the 128-bit path's rate (docs/chunk-store.md, Checksum).
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
