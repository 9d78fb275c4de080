// Run-time choice of the fastest code path the processor supports. The shipped library is
// compiled for a baseline ISA; faster paths live in their own translation units with their own
// flags and are only called after the check below.
#ifndef NPUKIT_CPU_FEATURES_H
#define NPUKIT_CPU_FEATURES_H

namespace npukit {

// True when AVX2, FMA and F16C are all available (and NPUKIT_DISABLE_SIMD is not set).
bool has_avx2_fma_f16c();

}  // namespace npukit

#endif
