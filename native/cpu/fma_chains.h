// The FMA chains of npukit_fma_peak_probe (fma_peak_probe.cpp), written once over the number of
// chains and instantiated by fma_peak_probe_avx2.cpp (16 registers: 12 chains) and
// fma_peak_probe_avx512.cpp (32 registers: 24 chains), each compiled with its ISA's flags: 256-bit
// FMAs, as the attention kernel uses them. 12 independent chains already cover the FMA latency
// (4 cycles) times the FMA pipes (2); the rest of the registers hold more, as the kernel's
// micro-GEMMs do. Internal linkage, like attention_simd.h: each translation unit keeps its copy.
#ifndef NPUKIT_CPU_FMA_CHAINS_H
#define NPUKIT_CPU_FMA_CHAINS_H

#include <immintrin.h>

#include <cstdint>

namespace npukit {
namespace {

template <int kChains>
double fma_chains(int64_t iterations, int64_t* flops) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; c++) acc[c] = _mm256_set1_ps(0.5f + 0.01f * static_cast<float>(c));
  // acc = acc * a + b converges to b / (1 - a) = 1: no overflow, no denormals.
  const __m256 a = _mm256_set1_ps(0.9999f);
  const __m256 b = _mm256_set1_ps(0.0001f);
  for (int64_t i = 0; i < iterations; i++) {
    // Unrolled, so that the chains live in registers (GCC otherwise keeps them in memory).
#pragma GCC unroll 32
    for (int c = 0; c < kChains; c++) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  }
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; c++) sum = _mm256_add_ps(sum, acc[c]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  *flops = iterations * kChains * 8 * 2;
  return static_cast<double>(lanes[0]);
}

}  // namespace
}  // namespace npukit

#endif
