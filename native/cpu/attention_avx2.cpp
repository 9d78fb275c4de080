// Paged attention with AVX2 + FMA + F16C. Compiled with those flags in its own translation unit
// and only called after has_avx2_fma_f16c() (see cpu_features.h).
#include <immintrin.h>

#include <climits>
#include <cmath>
#include <cstdint>

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

// Eight consecutive cache elements of dtype DT, widened to float in registers.
template <int DT>
inline __m256 load8(const void* base, int64_t offset) {
  if (DT == NPUKIT_F16) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(base) + offset)));
  } else if (DT == NPUKIT_BF16) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(base) + offset));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  } else {
    return _mm256_loadu_ps(static_cast<const float*>(base) + offset);
  }
}

// Scores of NG (<= 4) query rows against n key rows read straight from the cache: each key chunk
// is loaded, widened and rotated once in registers and used by all NG queries; the NG dot
// products are reduced together. Needs D % 8 == 0 and, for NEOX, (rot / 2) % 8 == 0, for GPTJ
// rot % 8 == 0 (checked by the caller).
template <int DT, int STYLE, int NG>
inline void scores_direct(const float* Q, int D, const KvRows& k, int n, const float* cos_sin, int rot, float* S,
                          int ldS, PrefetchCursor& pf) {
  const int rotated = STYLE == NPUKIT_ROPE_NONE ? 0 : rot;
  const int half = rot / 2;
  const __m256i dup = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
  const __m256 even_negative = _mm256_castsi256_ps(_mm256_setr_epi32(INT32_MIN, 0, INT32_MIN, 0, INT32_MIN, 0,
                                                                     INT32_MIN, 0));
  for (int j = 0; j < n; j++) {
    pf.step(kPrefetchLinesPerKey);
    const int64_t row = k.first + j * k.stride;
    const float* cs = cos_sin + static_cast<int64_t>(j) * rot;
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    if (STYLE == NPUKIT_ROPE_NEOX) {
      for (int c = 0; c < half; c += 8) {
        const __m256 lo = load8<DT>(k.cache, row + c);
        const __m256 hi = load8<DT>(k.cache, row + half + c);
        const __m256 co = _mm256_loadu_ps(cs + c);
        const __m256 si = _mm256_loadu_ps(cs + half + c);
        const __m256 rlo = _mm256_fmsub_ps(lo, co, _mm256_mul_ps(hi, si));
        const __m256 rhi = _mm256_fmadd_ps(hi, co, _mm256_mul_ps(lo, si));
        for (int g = 0; g < NG; g++) {
          acc[g] = _mm256_fmadd_ps(_mm256_loadu_ps(Q + g * D + c), rlo, acc[g]);
          acc[g] = _mm256_fmadd_ps(_mm256_loadu_ps(Q + g * D + half + c), rhi, acc[g]);
        }
      }
    } else if (STYLE == NPUKIT_ROPE_GPTJ) {
      // Pairs (2i, 2i+1): out = x * cos(i) + swap(x) * (-sin(i), +sin(i)).
      for (int c = 0; c < rot; c += 8) {
        const __m256 x = load8<DT>(k.cache, row + c);
        const __m256 swapped = _mm256_permute_ps(x, 0xB1);
        const __m256 co = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_loadu_ps(cs + c / 2)), dup);
        const __m256 si = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_loadu_ps(cs + half + c / 2)), dup);
        const __m256 r = _mm256_fmadd_ps(x, co, _mm256_mul_ps(swapped, _mm256_xor_ps(si, even_negative)));
        for (int g = 0; g < NG; g++) acc[g] = _mm256_fmadd_ps(_mm256_loadu_ps(Q + g * D + c), r, acc[g]);
      }
    }
    for (int c = rotated; c < D; c += 8) {
      const __m256 x = load8<DT>(k.cache, row + c);
      for (int g = 0; g < NG; g++) acc[g] = _mm256_fmadd_ps(_mm256_loadu_ps(Q + g * D + c), x, acc[g]);
    }
    alignas(16) float sums[4];
    _mm_store_ps(sums, hsum4(acc[0], acc[1], acc[2], acc[3]));
    for (int g = 0; g < NG; g++) S[g * ldS + j] = sums[g];
  }
}

template <int DT, int STYLE>
inline void scores_groups(const float* Q, int nq, int D, const KvRows& k, int n, const float* cs, int rot, float* S,
                          int ldS, PrefetchCursor& pf) {
  int g = 0;
  for (; g + 4 <= nq; g += 4) scores_direct<DT, STYLE, 4>(Q + g * D, D, k, n, cs, rot, S + g * ldS, ldS, pf);
  switch (nq - g) {
    case 3: scores_direct<DT, STYLE, 3>(Q + g * D, D, k, n, cs, rot, S + g * ldS, ldS, pf); break;
    case 2: scores_direct<DT, STYLE, 2>(Q + g * D, D, k, n, cs, rot, S + g * ldS, ldS, pf); break;
    case 1: scores_direct<DT, STYLE, 1>(Q + g * D, D, k, n, cs, rot, S + g * ldS, ldS, pf); break;
    default: break;
  }
}

template <int DT>
inline void scores_styles(const float* Q, int nq, int D, const KvRows& k, int n, const float* cs, int rot, int style,
                          float* S, int ldS, PrefetchCursor& pf) {
  switch (style) {
    case NPUKIT_ROPE_NEOX: scores_groups<DT, NPUKIT_ROPE_NEOX>(Q, nq, D, k, n, cs, rot, S, ldS, pf); break;
    case NPUKIT_ROPE_GPTJ: scores_groups<DT, NPUKIT_ROPE_GPTJ>(Q, nq, D, k, n, cs, rot, S, ldS, pf); break;
    default: scores_groups<DT, NPUKIT_ROPE_NONE>(Q, nq, D, k, n, cs, rot, S, ldS, pf); break;
  }
}

// acc[g] += sum_j P[g][j] * V[j] for NG accumulator rows, with the value rows read straight from
// the cache. CH chunks of 8 stay in registers across all j (NG * CH + CH + 1 <= 16 registers), so
// each value chunk is loaded once for all NG rows; D % (8 * CH) == 0.
template <int DT, int NG, int CH>
inline void accumulate_direct(float* acc, const float* P, int ldP, const KvRows& v, int n, int D) {
  for (int c = 0; c < D; c += 8 * CH) {
    __m256 r[NG][CH];
    for (int g = 0; g < NG; g++) {
      for (int h = 0; h < CH; h++) r[g][h] = _mm256_loadu_ps(acc + g * D + c + 8 * h);
    }
    for (int j = 0; j < n; j++) {
      const int64_t row = v.first + j * v.stride + c;
      __m256 x[CH];
      for (int h = 0; h < CH; h++) x[h] = load8<DT>(v.cache, row + 8 * h);
      for (int g = 0; g < NG; g++) {
        const __m256 pg = _mm256_broadcast_ss(P + g * ldP + j);
        for (int h = 0; h < CH; h++) r[g][h] = _mm256_fmadd_ps(pg, x[h], r[g][h]);
      }
    }
    for (int g = 0; g < NG; g++) {
      for (int h = 0; h < CH; h++) _mm256_storeu_ps(acc + g * D + c + 8 * h, r[g][h]);
    }
  }
}

template <int DT>
inline void accumulate_groups(float* acc, int nq, const float* P, int ldP, const KvRows& v, int n, int D) {
  int g = 0;
  if (D % 16 == 0) {
    for (; g + 6 <= nq; g += 6) accumulate_direct<DT, 6, 2>(acc + g * D, P + g * ldP, ldP, v, n, D);
    switch (nq - g) {
      case 5: accumulate_direct<DT, 5, 2>(acc + g * D, P + g * ldP, ldP, v, n, D); break;
      case 4: accumulate_direct<DT, 4, 2>(acc + g * D, P + g * ldP, ldP, v, n, D); break;
      case 3: accumulate_direct<DT, 3, 2>(acc + g * D, P + g * ldP, ldP, v, n, D); break;
      case 2: accumulate_direct<DT, 2, 2>(acc + g * D, P + g * ldP, ldP, v, n, D); break;
      case 1: accumulate_direct<DT, 1, 2>(acc + g * D, P + g * ldP, ldP, v, n, D); break;
      default: break;
    }
  } else {
    for (; g + 8 <= nq; g += 8) accumulate_direct<DT, 8, 1>(acc + g * D, P + g * ldP, ldP, v, n, D);
    for (; g < nq; g++) accumulate_direct<DT, 1, 1>(acc + g * D, P + g * ldP, ldP, v, n, D);
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

  // Rows whose layout the register paths cannot take (D not a multiple of 8, rotary halves not a
  // multiple of 8) go through a converted row buffer instead.
  static bool direct_ok(int D, int rot, int style) {
    if (D % 8 != 0) return false;
    if (style == NPUKIT_ROPE_NEOX) return (rot / 2) % 8 == 0;
    if (style == NPUKIT_ROPE_GPTJ) return rot % 8 == 0;
    return true;
  }

  static void scores(const float* Q, int nq, const KvRows& k, int n, int D, const float* cos_sin, int rot, int style,
                     float* S, int ldS, PrefetchCursor& pf) {
    if (!direct_ok(D, rot, style)) {
      scores_by_row<Avx2Ops>(Q, nq, k, n, D, cos_sin, rot, style, S, ldS, pf);
      return;
    }
    switch (k.dtype) {
      case NPUKIT_F16: scores_styles<NPUKIT_F16>(Q, nq, D, k, n, cos_sin, rot, style, S, ldS, pf); break;
      case NPUKIT_BF16: scores_styles<NPUKIT_BF16>(Q, nq, D, k, n, cos_sin, rot, style, S, ldS, pf); break;
      default: scores_styles<NPUKIT_F32>(Q, nq, D, k, n, cos_sin, rot, style, S, ldS, pf); break;
    }
  }

  static void accumulate(float* acc, int nq, const float* P, int ldP, const KvRows& v, int n, int D) {
    if (D % 8 != 0) {
      accumulate_by_row<Avx2Ops>(acc, nq, P, ldP, v, n, D);
      return;
    }
    switch (v.dtype) {
      case NPUKIT_F16: accumulate_groups<NPUKIT_F16>(acc, nq, P, ldP, v, n, D); break;
      case NPUKIT_BF16: accumulate_groups<NPUKIT_BF16>(acc, nq, P, ldP, v, n, D); break;
      default: accumulate_groups<NPUKIT_F32>(acc, nq, P, ldP, v, n, D); break;
    }
  }
};

}  // namespace

bool paged_attention_avx2(const AttentionProblem& p) { return run_paged_attention<Avx2Ops>(p); }

}  // namespace npukit
