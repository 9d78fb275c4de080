// Contrastive scoring with AVX2 + F16C, eight logits per step. Compiled with those flags in its
// own translation unit and only called after has_avx2_fma_f16c(). No FMA on purpose: cd must
// be the rounded product difference the reference computes.
#include <immintrin.h>

#include "contrastive_impl.h"

namespace npukit {
namespace {

template <int DT>
inline __m256 load8(const void* base, int64_t i) {
  if (DT == NPUKIT_F32) return _mm256_loadu_ps(static_cast<const float*>(base) + i);
  const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(base) + i));
  if (DT == NPUKIT_F16) return _mm256_cvtph_ps(h);
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

inline float hmax(__m256 v) {
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  h = _mm_max_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h);
}

template <int DT>
bool row_max_t(const void* row, int64_t n, float* out) {
  // Four accumulators hide the latency of max; unordered compares collect NaNs.
  __m256 m0 = _mm256_set1_ps(kNegInf), m1 = m0, m2 = m0, m3 = m0;
  __m256 nan = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256 x0 = load8<DT>(row, i), x1 = load8<DT>(row, i + 8);
    const __m256 x2 = load8<DT>(row, i + 16), x3 = load8<DT>(row, i + 24);
    nan = _mm256_or_ps(nan, _mm256_or_ps(_mm256_cmp_ps(x0, x1, _CMP_UNORD_Q), _mm256_cmp_ps(x2, x3, _CMP_UNORD_Q)));
    m0 = _mm256_max_ps(m0, x0);
    m1 = _mm256_max_ps(m1, x1);
    m2 = _mm256_max_ps(m2, x2);
    m3 = _mm256_max_ps(m3, x3);
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 x = load8<DT>(row, i);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
    m0 = _mm256_max_ps(m0, x);
  }
  float m = hmax(_mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
  bool has_nan = _mm256_movemask_ps(nan) != 0;
  for (; i < n; i++) {
    const float x = load_float(row, DT, i);
    has_nan |= x != x;
    m = x > m ? x : m;
  }
  *out = m;
  return !has_nan;
}

template <int DT, class Visit>
ScanResult scan_t(const void* e, const void* a, int64_t n, const ScanParams& p, Visit* visit) {
  ScanResult r;
  const __m256 thr = _mm256_set1_ps(p.threshold);
  const __m256 opb = _mm256_set1_ps(p.one_plus_beta);
  const __m256 beta = _mm256_set1_ps(p.beta);
  const __m256 neg_inf = _mm256_set1_ps(kNegInf);
  __m256 best = neg_inf;
  __m256i best_idx = _mm256_set1_epi32(-1);
  __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i step = _mm256_set1_epi32(8);
  __m256 nan = _mm256_setzero_ps();
  int64_t count = 0;
  int64_t i = 0;
  alignas(32) float lanes[8];
  for (; i + 8 <= n; i += 8) {
    const __m256 ev = load8<DT>(e, i);
    const __m256 av = load8<DT>(a, i);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(av, av, _CMP_UNORD_Q));
    const __m256 valid = _mm256_cmp_ps(ev, thr, _CMP_GE_OQ);
    const int mask = _mm256_movemask_ps(valid);
    if (mask != 0) {
      // Most blocks hold no valid logit (the valid set is small); only these pay for the rest.
      count += __builtin_popcount(static_cast<unsigned>(mask));
      const __m256 cd = _mm256_sub_ps(_mm256_mul_ps(opb, ev), _mm256_mul_ps(beta, av));
      const __m256 keep = _mm256_and_ps(valid, _mm256_cmp_ps(cd, cd, _CMP_ORD_Q));
      const __m256 cdm = _mm256_blendv_ps(neg_inf, cd, keep);
      const __m256 gt = _mm256_cmp_ps(cdm, best, _CMP_GT_OQ);
      best = _mm256_blendv_ps(best, cdm, gt);
      best_idx = _mm256_castps_si256(
          _mm256_blendv_ps(_mm256_castsi256_ps(best_idx), _mm256_castsi256_ps(idx), gt));
      if (visit) {
        _mm256_store_ps(lanes, cdm);
        for (unsigned bits = static_cast<unsigned>(mask); bits != 0; bits &= bits - 1) {
          const int lane = __builtin_ctz(bits);
          (*visit)(i + lane, lanes[lane]);
        }
      }
    }
    idx = _mm256_add_epi32(idx, step);
  }
  // Merge lanes: the largest value, then the lowest index holding it.
  alignas(32) float bv[8];
  alignas(32) int32_t bi[8];
  _mm256_store_ps(bv, best);
  _mm256_store_si256(reinterpret_cast<__m256i*>(bi), best_idx);
  for (int l = 0; l < 8; l++) {
    if (bi[l] < 0) continue;
    if (bv[l] > r.best_cd || (bv[l] == r.best_cd && bi[l] < r.best_index)) {
      r.best_cd = bv[l];
      r.best_index = bi[l];
    }
  }
  r.base_nan = _mm256_movemask_ps(nan) != 0;
  for (; i < n; i++) {
    const float ei = load_float(e, DT, i);
    const float ai = load_float(a, DT, i);
    r.base_nan |= ai != ai;
    if (!(ei >= p.threshold)) continue;
    count++;
    float cd = p.one_plus_beta * ei - p.beta * ai;
    if (cd != cd) cd = kNegInf;
    if (cd > r.best_cd) {
      r.best_cd = cd;
      r.best_index = i;
    }
    if (visit) (*visit)(i, cd);
  }
  r.valid_count = count;
  return r;
}

struct Avx2Ops {
  static bool row_max(const void* row, int dtype, int64_t n, float* out) {
    switch (dtype) {
      case NPUKIT_F16: return row_max_t<NPUKIT_F16>(row, n, out);
      case NPUKIT_BF16: return row_max_t<NPUKIT_BF16>(row, n, out);
      default: return row_max_t<NPUKIT_F32>(row, n, out);
    }
  }

  template <class Visit>
  static ScanResult scan(const void* e, const void* a, int dtype, int64_t n, const ScanParams& p, Visit* visit) {
    switch (dtype) {
      case NPUKIT_F16: return scan_t<NPUKIT_F16>(e, a, n, p, visit);
      case NPUKIT_BF16: return scan_t<NPUKIT_BF16>(e, a, n, p, visit);
      default: return scan_t<NPUKIT_F32>(e, a, n, p, visit);
    }
  }
};

}  // namespace

bool contrastive_avx2(const ContrastiveProblem& p, RowResult* results, int32_t* topk_index, float* topk_score) {
  return run_contrastive<Avx2Ops>(p, results, topk_index, topk_score);
}

}  // namespace npukit
