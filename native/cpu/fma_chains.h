// The FMA chains of npukit_fma_peak_probe (fma_peak_probe.cpp), written once over the vector type
// and the number of chains, and instantiated by fma_peak_probe_avx2.cpp (16 registers: 12 chains
// of 256-bit FMAs) and fma_peak_probe_avx512.cpp (32 registers: 24 chains, of 256-bit FMAs for
// the AVX-512VL path and of 512-bit FMAs for the full-width path), each compiled with its ISA's
// flags: the FMAs the attention kernel uses. 12 independent chains already cover the FMA latency
// (4 cycles) times the FMA pipes (2); the rest of the registers hold more, as the kernel's
// micro-GEMMs do. Internal linkage, like attention_simd.h: each translation unit keeps its copy.
#ifndef NPUKIT_CPU_FMA_CHAINS_H
#define NPUKIT_CPU_FMA_CHAINS_H

#include <immintrin.h>

#include <cstdint>

namespace npukit {
namespace {

// V: YmmVec or ZmmVec (set1, fmadd, add, storeu, kWidth).
template <class V, int kChains>
double fma_chains(int64_t iterations, int64_t* flops) {
  typename V::Reg acc[kChains];
  for (int c = 0; c < kChains; c++) acc[c] = V::set1(0.5f + 0.01f * static_cast<float>(c));
  // acc = acc * a + b converges to b / (1 - a) = 1: no overflow, no denormals.
  const auto a = V::set1(0.9999f);
  const auto b = V::set1(0.0001f);
  for (int64_t i = 0; i < iterations; i++) {
    // Unrolled, so that the chains live in registers (GCC otherwise keeps them in memory).
#pragma GCC unroll 32
    for (int c = 0; c < kChains; c++) acc[c] = V::fmadd(acc[c], a, b);
  }
  auto sum = acc[0];
  for (int c = 1; c < kChains; c++) sum = V::add(sum, acc[c]);
  float lanes[V::kWidth];
  V::storeu(lanes, sum);
  *flops = iterations * kChains * V::kWidth * 2;
  return static_cast<double>(lanes[0]);
}

}  // namespace
}  // namespace npukit

#endif
