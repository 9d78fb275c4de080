// Small AVX2 helpers shared by the AVX2 translation units (*_avx2.cpp), which are the only files
// compiled with -mavx2 -mfma -mf16c; never include this from a baseline-ISA file. Internal
// linkage, so every translation unit keeps its own copy.
#ifndef NPUKIT_CPU_AVX2_UTIL_H
#define NPUKIT_CPU_AVX2_UTIL_H

#include <immintrin.h>

#include <cstdint>

#include "npukit/common.h"

namespace npukit {
namespace {

// Eight consecutive elements of dtype DT at base[i], widened to float (BF16 is the top half of a
// float, so widening is a shift).
template <int DT>
inline __m256 load8(const void* base, int64_t i) {
  if (DT == NPUKIT_F32) return _mm256_loadu_ps(static_cast<const float*>(base) + i);
  const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(base) + i));
  if (DT == NPUKIT_F16) return _mm256_cvtph_ps(h);
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

// Sum of the eight lanes.
inline float hsum(__m256 s) {
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h);
}

}  // namespace
}  // namespace npukit

#endif
