// The 8-lane float vector of the attention primitives (the V of attention_simd.h) on AVX2 + FMA
// + F16C intrinsics. Shared by attention_avx2.cpp and attention_avx512.cpp, which add how many
// queries, keys and accumulator rows fit in their register files; in the AVX-512VL translation
// unit the compiler gives the same intrinsics EVEX encodings and 32 registers. Include only from
// translation units compiled with at least -mavx2 -mfma -mf16c.
#ifndef NPUKIT_CPU_YMM_VEC_H
#define NPUKIT_CPU_YMM_VEC_H

#include <immintrin.h>

#include <climits>
#include <cstdint>

#include "avx2_util.h"

namespace npukit {
namespace {

struct YmmVec {
  using Reg = __m256;
  static constexpr int kWidth = 8;

  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg set1(float v) { return _mm256_set1_ps(v); }
  static Reg loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static Reg bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm256_sub_ps(a, b); }
  static Reg max(Reg a, Reg b) { return _mm256_max_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg fmsub(Reg a, Reg b, Reg c) { return _mm256_fmsub_ps(a, b, c); }

  template <int DT>
  static Reg widen(const void* base, int64_t offset) {
    return load8<DT>(base, offset);
  }

  // Pairs (2i, 2i+1) of x rotated by cos[i], sin[i]: x * cos + swap(x) * (-sin, +sin).
  static Reg gptj(Reg x, const float* cos, const float* sin) {
    const __m256i dup = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    const __m256 even_negative =
        _mm256_castsi256_ps(_mm256_setr_epi32(INT32_MIN, 0, INT32_MIN, 0, INT32_MIN, 0, INT32_MIN, 0));
    const __m256 co = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_loadu_ps(cos)), dup);
    const __m256 si = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_loadu_ps(sin)), dup);
    return _mm256_fmadd_ps(x, co, _mm256_mul_ps(_mm256_permute_ps(x, 0xB1), _mm256_xor_ps(si, even_negative)));
  }

  static void hsum4(Reg a, Reg b, Reg c, Reg d, float* out) {
    const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1)));
  }

  // Sixteen horizontal sums, out[g * ld + t] = sum of a[t][g] for the NG first g, as two trees of
  // pairwise merges (see ZmmVec::hsum4x4), queries 0-1 and 2-3: input 2 * bitrev(t) + g % 2 of a
  // tree is a[t][g], and lane 4 * (g % 2) + t of its result holds that sum.
  template <int NG>
  __attribute__((always_inline)) static void hsum4x4(const Reg (&a)[4][4], float* out, int ld) {
    constexpr int rev[4] = {0, 2, 1, 3};
    for (int h = 0; h < NG; h += 2) {
      Reg x[8], y[4], z[2];
      for (int t = 0; t < 4; t++) {
        for (int g = 0; g < 2; g++) x[2 * rev[t] + g] = a[t][h + g];
      }
      for (int i = 0; i < 4; i++) {
        y[i] = _mm256_add_ps(_mm256_blend_ps(x[2 * i], x[2 * i + 1], 0xF0),
                             _mm256_permute2f128_ps(x[2 * i], x[2 * i + 1], 0x21));
      }
      for (int i = 0; i < 2; i++) {
        z[i] = _mm256_add_ps(_mm256_blend_ps(y[2 * i], y[2 * i + 1], 0xCC),
                             _mm256_shuffle_ps(y[2 * i], y[2 * i + 1], 0x4E));
      }
      const Reg r = _mm256_add_ps(_mm256_blend_ps(z[0], z[1], 0xAA),
                                  _mm256_permute_ps(_mm256_blend_ps(z[1], z[0], 0xAA), 0xB1));
      _mm_storeu_ps(out + h * ld, _mm256_castps256_ps128(r));
      if (h + 1 < NG) _mm_storeu_ps(out + (h + 1) * ld, _mm256_extractf128_ps(r, 1));
    }
  }

  static float reduce(Reg x) { return hsum(x); }

  static float reduce_max(Reg x) {
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
  }

  // exp(x) for x <= 0 (softmax arguments): x = n ln2 + r with |r| <= ln2/2, exp(r) by its Taylor
  // series to degree 7 (relative error below 2e-8, under one float ulp), 2^n through the exponent
  // field. Inputs below -87 flush to 0, which is what exp rounds to in float anyway.
  static Reg exp(Reg x) {
    const __m256 lo = _mm256_set1_ps(-87.0f);
    const __m256 too_small = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    x = _mm256_max_ps(x, lo);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    // r = x - n*ln2 in two steps (Cody-Waite) to keep r exact enough.
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 poly = _mm256_set1_ps(1.0f / 5040.0f);
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(1.0f / 720.0f));
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(1.0f / 120.0f));
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(1.0f / 24.0f));
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(1.0f / 6.0f));
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(0.5f));
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(1.0f));
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(1.0f));
    const __m256i pow2n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_andnot_ps(too_small, _mm256_mul_ps(poly, _mm256_castsi256_ps(pow2n)));
  }
};

}  // namespace
}  // namespace npukit

#endif
