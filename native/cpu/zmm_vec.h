// The 16-lane float vector of the attention primitives (the V of attention_simd.h) on AVX-512F
// intrinsics, for processors whose 512-bit operations run at full width (see
// has_full_width_avx512 in cpu_features.h). Include only from translation units compiled with
// at least -mavx512f -mavx512vl -mavx2 -mfma -mf16c.
#ifndef NPUKIT_CPU_ZMM_VEC_H
#define NPUKIT_CPU_ZMM_VEC_H

#include <immintrin.h>

#include <cstdint>

#include "avx2_util.h"
#include "npukit/common.h"

namespace npukit {
namespace {

struct ZmmVec {
  using Reg = __m512;
  static constexpr int kWidth = 16;

  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg set1(float v) { return _mm512_set1_ps(v); }
  static Reg loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static Reg bcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm512_sub_ps(a, b); }
  static Reg max(Reg a, Reg b) { return _mm512_max_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg fmsub(Reg a, Reg b, Reg c) { return _mm512_fmsub_ps(a, b, c); }

  // Sixteen consecutive elements of dtype DT at base[offset], widened to float (BF16 is the top
  // half of a float, so widening is a shift).
  template <int DT>
  static Reg widen(const void* base, int64_t offset) {
    if (DT == NPUKIT_F32) return _mm512_loadu_ps(static_cast<const float*>(base) + offset);
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(base) + offset));
    if (DT == NPUKIT_F16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }

  // Pairs (2i, 2i+1) of x rotated by cos[i], sin[i]: x * cos + swap(x) * (-sin, +sin).
  static Reg gptj(Reg x, const float* cos, const float* sin) {
    const __m512i dup = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    const __m512 co = _mm512_permutexvar_ps(dup, _mm512_castps256_ps512(_mm256_loadu_ps(cos)));
    const __m512 si = _mm512_permutexvar_ps(dup, _mm512_castps256_ps512(_mm256_loadu_ps(sin)));
    const __m512 signed_si = _mm512_mask_sub_ps(si, 0x5555, _mm512_setzero_ps(), si);  // even lanes -sin
    return _mm512_fmadd_ps(x, co, _mm512_mul_ps(_mm512_permute_ps(x, 0xB1), signed_si));
  }

  // Four horizontal sums to out[0..3]: each vector's halves are added, then summed as 8 lanes.
  static void hsum4(Reg a, Reg b, Reg c, Reg d, float* out) {
    const __m256 a8 = fold(a), b8 = fold(b), c8 = fold(c), d8 = fold(d);
    const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a8, b8), _mm256_hadd_ps(c8, d8));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1)));
  }

  // Sixteen horizontal sums at once, out[g * ld + t] = sum of a[t][g] for the NG first g: a tree of
  // pairwise merges (a blend, a shuffle and an add each) that halves the vectors at every level,
  // 15 merges for the 16 sums instead of 16 separate folds. The merge at level s adds the
  // s-lane halves of each 2s-lane block, keeping the first operand's in the low half: the result's
  // lane L then holds input bitrev(L), so input 4 * bitrev(t) + bitrev(g) is a[t][g] (2-bit reversal).
  template <int NG>
  __attribute__((always_inline)) static void hsum4x4(const Reg (&a)[4][4], float* out, int ld) {
    constexpr int rev[4] = {0, 2, 1, 3};
    Reg x[16];
    for (int t = 0; t < 4; t++) {
      for (int g = 0; g < 4; g++) x[4 * rev[t] + rev[g]] = a[t][g];
    }
    Reg y[8], z[4], w[2];
    for (int i = 0; i < 8; i++) {
      y[i] = _mm512_add_ps(_mm512_mask_blend_ps(0xFF00, x[2 * i], x[2 * i + 1]),
                           _mm512_shuffle_f32x4(x[2 * i], x[2 * i + 1], 0x4E));
    }
    const __m512i swap4 = _mm512_setr_epi32(4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15, 24, 25, 26, 27);
    for (int i = 0; i < 4; i++) {
      z[i] = _mm512_add_ps(_mm512_mask_blend_ps(0xF0F0, y[2 * i], y[2 * i + 1]),
                           _mm512_permutex2var_ps(y[2 * i], swap4, y[2 * i + 1]));
    }
    for (int i = 0; i < 2; i++) {
      w[i] = _mm512_add_ps(_mm512_mask_blend_ps(0xCCCC, z[2 * i], z[2 * i + 1]),
                           _mm512_shuffle_ps(z[2 * i], z[2 * i + 1], 0x4E));
    }
    const Reg r = _mm512_add_ps(_mm512_mask_blend_ps(0xAAAA, w[0], w[1]),
                                _mm512_permute_ps(_mm512_mask_blend_ps(0xAAAA, w[1], w[0]), 0xB1));
    _mm_storeu_ps(out, _mm512_castps512_ps128(r));
    if (NG > 1) _mm_storeu_ps(out + ld, _mm512_extractf32x4_ps(r, 1));
    if (NG > 2) _mm_storeu_ps(out + 2 * ld, _mm512_extractf32x4_ps(r, 2));
    if (NG > 3) _mm_storeu_ps(out + 3 * ld, _mm512_extractf32x4_ps(r, 3));
  }

  // Lanes i and i + 8 added: the upper 256 bits shuffled down (AVX-512F has no 8-float extract).
  static __m256 fold(Reg x) { return _mm512_castps512_ps256(_mm512_add_ps(x, _mm512_shuffle_f32x4(x, x, 0xEE))); }

  // Folded to 8 lanes, then YmmVec's order.
  static float reduce(Reg x) { return hsum(fold(x)); }

  static float reduce_max(Reg x) {
    __m256 m = _mm512_castps512_ps256(_mm512_max_ps(x, _mm512_shuffle_f32x4(x, x, 0xEE)));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
  }

  // exp(x) for x <= 0, the same polynomial and range reduction as YmmVec::exp (ymm_vec.h).
  static Reg exp(Reg x) {
    const __m512 lo = _mm512_set1_ps(-87.0f);
    const __mmask16 too_small = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
    x = _mm512_max_ps(x, lo);
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 poly = _mm512_set1_ps(1.0f / 5040.0f);
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.0f / 720.0f));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.0f / 120.0f));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.0f / 24.0f));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.0f / 6.0f));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(0.5f));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.0f));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.0f));
    const __m512i pow2n = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_maskz_mul_ps(static_cast<__mmask16>(~too_small), poly, _mm512_castsi512_ps(pow2n));
  }
};

}  // namespace
}  // namespace npukit

#endif
