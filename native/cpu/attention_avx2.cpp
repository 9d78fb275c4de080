// Paged attention with AVX2 + FMA + F16C. Compiled with those flags in its own translation unit
// and only called after has_avx2_fma_f16c() (see cpu_features.h).
#include <immintrin.h>

#include <cmath>

#include "attention_impl.h"
#include "convert.h"

namespace npukit {
namespace {

// exp(x) for x <= 0 (softmax arguments): x = n ln2 + r with |r| <= ln2/2, exp(r) by its Taylor
// series to degree 7 (relative error below 2e-8, under one float ulp), 2^n through the exponent
// field. Inputs below -87 flush to 0, which is what exp rounds to in float anyway.
inline __m256 exp256(__m256 x) {
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
  const __m256 result = _mm256_mul_ps(poly, _mm256_castsi256_ps(pow2n));
  return _mm256_andnot_ps(too_small, result);
}

// Sum of each of four vectors, as the four lanes of one vector.
inline __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 ab = _mm256_hadd_ps(a, b);
  const __m256 cd = _mm256_hadd_ps(c, d);
  const __m256 abcd = _mm256_hadd_ps(ab, cd);
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

// Scores of NG (<= 4) query rows against n key rows; D % 8 == 0. Each key chunk is loaded once
// for all NG queries, and the NG dot products are reduced together.
template <int NG>
inline void scores_block(const float* Q, int D, const float* K, int n, float* S, int ldS) {
  for (int j = 0; j < n; j++) {
    const float* k = K + j * D;
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int c = 0; c < D; c += 8) {
      const __m256 kv = _mm256_loadu_ps(k + c);
      for (int g = 0; g < NG; g++) acc[g] = _mm256_fmadd_ps(_mm256_loadu_ps(Q + g * D + c), kv, acc[g]);
    }
    alignas(16) float sums[4];
    _mm_store_ps(sums, hsum4(acc[0], acc[1], acc[2], acc[3]));
    for (int g = 0; g < NG; g++) S[g * ldS + j] = sums[g];
  }
}

// acc[g] += sum_j P[g][j] * V[j] for NG accumulator rows, CH chunks of 8 at a time kept in
// registers across all j (NG * CH + CH + 1 <= 16 registers); D % (8 * CH) == 0.
template <int NG, int CH>
inline void accumulate_block(float* acc, const float* P, int ldP, const float* V, int n, int D) {
  for (int c = 0; c < D; c += 8 * CH) {
    __m256 r[NG][CH];
    for (int g = 0; g < NG; g++) {
      for (int h = 0; h < CH; h++) r[g][h] = _mm256_loadu_ps(acc + g * D + c + 8 * h);
    }
    for (int j = 0; j < n; j++) {
      __m256 v[CH];
      for (int h = 0; h < CH; h++) v[h] = _mm256_loadu_ps(V + j * D + c + 8 * h);
      for (int g = 0; g < NG; g++) {
        const __m256 pg = _mm256_broadcast_ss(P + g * ldP + j);
        for (int h = 0; h < CH; h++) r[g][h] = _mm256_fmadd_ps(pg, v[h], r[g][h]);
      }
    }
    for (int g = 0; g < NG; g++) {
      for (int h = 0; h < CH; h++) _mm256_storeu_ps(acc + g * D + c + 8 * h, r[g][h]);
    }
  }
}

struct Avx2Ops {
  static void load(const void* src, int dtype, int64_t offset, float* dst, int n) {
    int i = 0;
    if (dtype == NPUKIT_F16) {
      const uint16_t* s = static_cast<const uint16_t*>(src) + offset;
      for (; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))));
      }
    } else if (dtype == NPUKIT_BF16) {
      const uint16_t* s = static_cast<const uint16_t*>(src) + offset;
      for (; i + 8 <= n; i += 8) {
        const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)));
        _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16)));
      }
    } else {
      const float* s = static_cast<const float*>(src) + offset;
      for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_loadu_ps(s + i));
    }
    for (; i < n; i++) dst[i] = load_float(src, dtype, offset + i);
  }

  static void store(void* dst, int dtype, int64_t offset, const float* src, int n) {
    for (int i = 0; i < n; i++) store_float(dst, dtype, offset + i, src[i]);
  }

  static float dot(const float* a, const float* b, int n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 32 <= n; i += 32) {
      s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
      s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
      s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
      s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    const __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    float sum = _mm_cvtss_f32(h);
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
  }

  static void exp_inplace(float* x, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, exp256(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) x[i] = std::exp(x[i]);
  }

  static void scale(float* x, float c, int n) {
    const __m256 vc = _mm256_set1_ps(c);
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), vc));
    for (; i < n; i++) x[i] *= c;
  }

  static void axpy(float* y, float a, const float* x, int n) {
    const __m256 va = _mm256_set1_ps(a);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    }
    for (; i < n; i++) y[i] += a * x[i];
  }

  static void scores(const float* Q, int nq, const float* K, int n, int D, float* S, int ldS) {
    if (D % 8 != 0) {
      for (int g = 0; g < nq; g++) {
        for (int j = 0; j < n; j++) S[g * ldS + j] = dot(Q + g * D, K + j * D, D);
      }
      return;
    }
    int g = 0;
    for (; g + 4 <= nq; g += 4) scores_block<4>(Q + g * D, D, K, n, S + g * ldS, ldS);
    switch (nq - g) {
      case 3: scores_block<3>(Q + g * D, D, K, n, S + g * ldS, ldS); break;
      case 2: scores_block<2>(Q + g * D, D, K, n, S + g * ldS, ldS); break;
      case 1: scores_block<1>(Q + g * D, D, K, n, S + g * ldS, ldS); break;
      default: break;
    }
  }

  static void accumulate(float* acc, int nq, const float* P, int ldP, const float* V, int n, int D) {
    if (D % 16 != 0) {
      for (int g = 0; g < nq; g++) {
        for (int j = 0; j < n; j++) axpy(acc + g * D, P[g * ldP + j], V + j * D, D);
      }
      return;
    }
    int g = 0;
    for (; g + 6 <= nq; g += 6) accumulate_block<6, 2>(acc + g * D, P + g * ldP, ldP, V, n, D);
    switch (nq - g) {
      case 5: accumulate_block<5, 2>(acc + g * D, P + g * ldP, ldP, V, n, D); break;
      case 4: accumulate_block<4, 2>(acc + g * D, P + g * ldP, ldP, V, n, D); break;
      case 3: accumulate_block<3, 2>(acc + g * D, P + g * ldP, ldP, V, n, D); break;
      case 2: accumulate_block<2, 2>(acc + g * D, P + g * ldP, ldP, V, n, D); break;
      case 1: accumulate_block<1, 2>(acc + g * D, P + g * ldP, ldP, V, n, D); break;
      default: break;
    }
  }
};

}  // namespace

bool paged_attention_avx2(const AttentionProblem& p) { return run_paged_attention<Avx2Ops>(p); }

}  // namespace npukit
