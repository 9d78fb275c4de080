// Contrastive scoring with AVX2 + F16C, sixteen logits per step. Compiled with those flags in its
// own translation unit and only called after has_avx2_fma_f16c(). No FMA on purpose: cd must
// be the rounded product difference the reference computes.
#include <immintrin.h>

#include "avx2_util.h"
#include "contrastive_impl.h"

namespace npukit {
namespace {

// Sixty-four logits from i on as eight float registers. BF16 is widened without a cross-lane
// shuffle: a shift puts the even elements of each 32-bit pair into float position, a mask keeps
// the odd ones, so register 2j holds elements 16j, 16j+2, ..., 16j+14 and register 2j+1 holds
// 16j+1, ..., 16j+15. Max and compares do not care about lane order, and neither does the finish
// (it ranks candidates by value, then index).
template <int DT>
inline void load64(const void* base, int64_t i, __m256 x[8]) {
  for (int k = 0; k < 8; k += 2) {
    if (DT == NPUKIT_F32) {
      const float* p = static_cast<const float*>(base) + i + 8 * k;
      x[k] = _mm256_loadu_ps(p);
      x[k + 1] = _mm256_loadu_ps(p + 8);
    } else if (DT == NPUKIT_F16) {
      const uint16_t* p = static_cast<const uint16_t*>(base) + i + 8 * k;
      x[k] = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
      x[k + 1] = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 8)));
    } else {
      const __m256i v =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(base) + i + 8 * k));
      x[k] = _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
      x[k + 1] = _mm256_and_ps(_mm256_castsi256_ps(v), _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0xffff0000u))));
    }
  }
}

// The 64 compare results of load64's registers as one bit mask, packed by two saturating packs
// and a byte movemask per half. Bit j of the mask belongs to element offset[j] of the group.
inline uint64_t pack_mask(const __m256 c[8]) {
  const auto half = [](__m256 c0, __m256 c1, __m256 c2, __m256 c3) {
    const __m256i p01 = _mm256_packs_epi32(_mm256_castps_si256(c0), _mm256_castps_si256(c1));
    const __m256i p23 = _mm256_packs_epi32(_mm256_castps_si256(c2), _mm256_castps_si256(c3));
    return static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_packs_epi16(p01, p23)));
  };
  return half(c[0], c[1], c[2], c[3]) | static_cast<uint64_t>(half(c[4], c[5], c[6], c[7])) << 32;
}

// Mask bit -> element offset within the group of 64, for pack_mask over load64<DT>'s registers.
// Within a half, byte j of the packs comes from register q = (j >> 2) & 3, lane
// 4 * (j >> 4) + (j & 3) (each pack works within 128-bit lanes).
template <int DT>
struct BitOffsets {
  uint8_t offset[64];
  constexpr BitOffsets() : offset() {
    for (int j = 0; j < 64; j++) {
      const int reg = 4 * (j >> 5) + ((j >> 2) & 3);
      const int lane = 4 * ((j & 31) >> 4) + (j & 3);
      offset[j] = static_cast<uint8_t>(DT == NPUKIT_BF16 ? 16 * (reg >> 1) + 2 * lane + (reg & 1) : 8 * reg + lane);
    }
  }
};
template <int DT>
constexpr BitOffsets<DT> kBitOffsets{};

inline float hmax(__m256 v) {
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  h = _mm_max_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h);
}

// Running maxima of a collect pass (four accumulators hide the latency of max).
struct Maxima {
  __m256 m[4];
  float value() const { return hmax(_mm256_max_ps(_mm256_max_ps(m[0], m[1]), _mm256_max_ps(m[2], m[3]))); }
};

// Groups [start, end) of 64 logits: maxima, and the indices of logits that are >= threshold or
// NaN appended to index (NaN candidates are how the expert NaN check reaches the finish). The
// first two set bits of a group are stored without a branch (a store that does not count is
// overwritten later); more than two is rare enough for a loop.
template <int DT>
inline int64_t collect_groups(const void* e, int64_t start, int64_t end, __m256 threshold, Maxima& mx,
                              int32_t* index, int64_t count) {
  const uint8_t* offset = kBitOffsets<DT>.offset;
  for (int64_t i = start; i < end; i += 64) {
    __m256 x[8], c[8];
    load64<DT>(e, i, x);
    for (int k = 0; k < 8; k++) {
      // max(x, m) returns m when x is NaN, so the maxima never become NaN.
      mx.m[k & 3] = _mm256_max_ps(x[k], mx.m[k & 3]);
      c[k] = _mm256_cmp_ps(x[k], threshold, _CMP_NLT_UQ);
    }
    uint64_t bits = pack_mask(c);
    const int32_t base = static_cast<int32_t>(i);
    for (int t = 0; t < 2; t++) {
      index[count] = base + offset[__builtin_ctzll(bits | (uint64_t{1} << 63))];
      count += bits != 0 ? 1 : 0;
      bits &= bits - 1;
    }
    while (__builtin_expect(bits != 0, 0)) {
      index[count++] = base + offset[__builtin_ctzll(bits)];
      bits &= bits - 1;
    }
  }
  return count;
}

// Groups [start, end) of 64 logits: maxima and a NaN check only (no collection).
template <int DT>
inline bool max_groups(const void* e, int64_t start, int64_t end, Maxima& mx) {
  __m256 nan = _mm256_setzero_ps();
  for (int64_t i = start; i < end; i += 64) {
    __m256 x[8];
    load64<DT>(e, i, x);
    for (int k = 0; k < 8; k++) mx.m[k & 3] = _mm256_max_ps(x[k], mx.m[k & 3]);
    for (int k = 0; k < 8; k += 2) nan = _mm256_or_ps(nan, _mm256_cmp_ps(x[k], x[k + 1], _CMP_UNORD_Q));
  }
  return _mm256_movemask_ps(nan) != 0;
}

template <int DT>
CollectResult collect_t(const void* e, int64_t n, float ln_alpha, int32_t* index) {
  // Blocks of 512 logits; the threshold follows the maximum block by block (one block late).
  constexpr int64_t kBlock = 512;
  const int64_t n64 = n & ~int64_t{63};
  CollectResult r;
  // The first block's maximum first, so the first block is not collected whole. Its NaNs are
  // collected below.
  Maxima mx{{_mm256_set1_ps(kNegInf), _mm256_set1_ps(kNegInf), _mm256_set1_ps(kNegInf), _mm256_set1_ps(kNegInf)}};
  max_groups<DT>(e, 0, n64 < kBlock ? n64 : kBlock, mx);
  float m = mx.value();
  bool collecting = true;
  for (int64_t start = 0; start < n64; start += kBlock) {
    const int64_t end = n64 - start < kBlock ? n64 : start + kBlock;
    const float threshold = m + ln_alpha;
    if (collecting) collecting = make_room(e, DT, threshold, end - start, r, index);
    if (collecting) {
      r.count = collect_groups<DT>(e, start, end, _mm256_set1_ps(threshold), mx, index, r.count);
    } else {
      r.nan |= max_groups<DT>(e, start, end, mx);
    }
    m = mx.value();
  }
  if (collecting && n64 < n) collecting = make_room(e, DT, m + ln_alpha, n - n64, r, index);
  const float threshold = m + ln_alpha;
  for (int64_t i = n64; i < n; i++) {
    const float x = load_float(e, DT, i);
    r.nan |= x != x;
    m = x > m ? x : m;
    if (collecting) {
      index[r.count] = static_cast<int32_t>(i);
      r.count += x >= threshold ? 1 : 0;
    }
  }
  r.max = m;
  r.overflow = !collecting;
  return r;
}

// A NaN anywhere in the row. Half-precision NaNs are found in the integer domain: a NaN is a
// magnitude above the infinity pattern, so the unsigned maximum of the magnitudes tells.
template <int DT>
bool base_has_nan_t(const void* a, int64_t n) {
  int64_t i = 0;
  bool nan;
  if (DT == NPUKIT_F32) {
    const float* p = static_cast<const float*>(a);
    __m256 n0 = _mm256_setzero_ps(), n1 = n0;
    for (; i + 32 <= n; i += 32) {
      n0 = _mm256_or_ps(n0, _mm256_cmp_ps(_mm256_loadu_ps(p + i), _mm256_loadu_ps(p + i + 8), _CMP_UNORD_Q));
      n1 = _mm256_or_ps(n1, _mm256_cmp_ps(_mm256_loadu_ps(p + i + 16), _mm256_loadu_ps(p + i + 24), _CMP_UNORD_Q));
    }
    nan = _mm256_movemask_ps(_mm256_or_ps(n0, n1)) != 0;
  } else {
    const __m256i* p = reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(a));
    const __m256i magnitude = _mm256_set1_epi16(0x7fff);
    const __m256i inf = _mm256_set1_epi16(DT == NPUKIT_BF16 ? 0x7f80 : 0x7c00);
    __m256i m0 = _mm256_setzero_si256(), m1 = m0;
    for (; i + 64 <= n; i += 64, p += 4) {
      m0 = _mm256_max_epu16(m0, _mm256_and_si256(_mm256_loadu_si256(p), magnitude));
      m1 = _mm256_max_epu16(m1, _mm256_and_si256(_mm256_loadu_si256(p + 1), magnitude));
      m0 = _mm256_max_epu16(m0, _mm256_and_si256(_mm256_loadu_si256(p + 2), magnitude));
      m1 = _mm256_max_epu16(m1, _mm256_and_si256(_mm256_loadu_si256(p + 3), magnitude));
    }
    const __m256i m = _mm256_max_epu16(_mm256_max_epu16(m0, m1), inf);
    nan = _mm256_movemask_epi8(_mm256_cmpeq_epi16(m, inf)) != -1;
  }
  for (; i < n; i++) {
    const float x = load_float(a, DT, i);
    nan |= x != x;
  }
  return nan;
}

// All ones where the base term beta * a counts, all zeros for beta = 0 (cd_of: the base logit is
// then ignored, and 1 * e - 0 = e for every e, -0 and infinities included).
inline __m256 base_term_mask(const ScanParams& p) {
  return _mm256_castsi256_ps(_mm256_set1_epi32(p.beta == 0.0f ? 0 : -1));
}

// The second pass over both rows, for rows whose candidates overflowed (a large valid set).
template <int DT, class Visit>
ScanResult scan_t(const void* e, const void* a, int64_t n, const ScanParams& p, Visit* visit) {
  ScanResult r;
  const __m256 thr = _mm256_set1_ps(p.threshold);
  const __m256 opb = _mm256_set1_ps(p.one_plus_beta);
  const __m256 beta = _mm256_set1_ps(p.beta);
  const __m256 base_on = base_term_mask(p);
  const __m256 neg_inf = _mm256_set1_ps(kNegInf);
  __m256 best = neg_inf;
  __m256i best_idx = _mm256_set1_epi32(-1);
  __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i step = _mm256_set1_epi32(8);
  int64_t count = 0;
  int64_t i = 0;
  alignas(32) float lanes[8];
  for (; i + 8 <= n; i += 8) {
    const __m256 ev = load8<DT>(e, i);
    const __m256 av = load8<DT>(a, i);
    const __m256 valid = _mm256_cmp_ps(ev, thr, _CMP_GE_OQ);
    const int mask = _mm256_movemask_ps(valid);
    if (mask != 0) {
      count += __builtin_popcount(static_cast<unsigned>(mask));
      const __m256 cd = _mm256_sub_ps(_mm256_mul_ps(opb, ev), _mm256_and_ps(_mm256_mul_ps(beta, av), base_on));
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
  for (; i < n; i++) {
    const float ei = load_float(e, DT, i);
    if (!(ei >= p.threshold)) continue;
    count++;
    float cd = cd_of(p, ei, load_float(a, DT, i));
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

// The greedy finish (no top-k, no sampling) eight candidates at a time: their logits are first
// copied to small float arrays (scalar loads; the candidates are scattered over the rows),
// then threshold, cd, count, lowest valid index and the argmax run in vector registers. Each
// lane keeps its best (cd, index) by value, then lower index, and the lanes merge the same way,
// so the order of the candidates does not matter.
template <int DT>
FinishResult finish_greedy_t(const void* e, const void* a, const int32_t* index, int64_t count, const ScanParams& p) {
  constexpr int64_t kChunk = 256;
  alignas(32) float ev[kChunk];
  alignas(32) float av[kChunk];
  alignas(32) int32_t iv[kChunk];
  const __m256 thr = _mm256_set1_ps(p.threshold);
  const __m256 opb = _mm256_set1_ps(p.one_plus_beta);
  const __m256 beta = _mm256_set1_ps(p.beta);
  const __m256 base_on = base_term_mask(p);
  const __m256 neg_inf = _mm256_set1_ps(kNegInf);
  const __m256i no_index = _mm256_set1_epi32(std::numeric_limits<int32_t>::max());
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256 best = neg_inf, nan = _mm256_setzero_ps();
  __m256i best_idx = no_index, lowest = no_index;
  int64_t valid = 0;
  for (int64_t j0 = 0; j0 < count; j0 += kChunk) {
    const int64_t n = count - j0 < kChunk ? count - j0 : kChunk;
    for (int64_t t = 0; t < n; t++) {
      const int32_t i = index[j0 + t];
      iv[t] = i;
      ev[t] = load_float(e, DT, i);
      av[t] = load_float(a, DT, i);
    }
    for (int64_t t = n; t % 8 != 0; t++) {  // dead lanes of the last vector: defined, never counted
      iv[t] = 0;
      ev[t] = 0.0f;
      av[t] = 0.0f;
    }
    for (int64_t t = 0; t < n; t += 8) {
      const __m256 live = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n - t)), lane));
      const __m256 x = _mm256_load_ps(ev + t);
      const __m256 y = _mm256_load_ps(av + t);
      const __m256i i8 = _mm256_load_si256(reinterpret_cast<const __m256i*>(iv + t));
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
      const __m256 ok = _mm256_and_ps(live, _mm256_cmp_ps(x, thr, _CMP_GE_OQ));
      valid += __builtin_popcount(static_cast<unsigned>(_mm256_movemask_ps(ok)));
      lowest = _mm256_min_epi32(lowest, _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(no_index),
                                                                             _mm256_castsi256_ps(i8), ok)));
      const __m256 cd = _mm256_sub_ps(_mm256_mul_ps(opb, x), _mm256_and_ps(_mm256_mul_ps(beta, y), base_on));
      // Invalid lanes and NaN cd rank as -inf; lanes whose best stays -inf are ignored below.
      const __m256 cdm = _mm256_blendv_ps(neg_inf, cd, _mm256_and_ps(ok, _mm256_cmp_ps(cd, cd, _CMP_ORD_Q)));
      const __m256 better = _mm256_or_ps(
          _mm256_cmp_ps(cdm, best, _CMP_GT_OQ),
          _mm256_and_ps(_mm256_cmp_ps(cdm, best, _CMP_EQ_OQ), _mm256_castsi256_ps(_mm256_cmpgt_epi32(best_idx, i8))));
      best = _mm256_blendv_ps(best, cdm, better);
      best_idx = _mm256_castps_si256(
          _mm256_blendv_ps(_mm256_castsi256_ps(best_idx), _mm256_castsi256_ps(i8), better));
    }
  }
  FinishResult r;
  r.nan = _mm256_movemask_ps(nan) != 0;
  r.valid_count = valid;
  alignas(32) float bv[8];
  alignas(32) int32_t bi[8], lo[8];
  _mm256_store_ps(bv, best);
  _mm256_store_si256(reinterpret_cast<__m256i*>(bi), best_idx);
  _mm256_store_si256(reinterpret_cast<__m256i*>(lo), lowest);
  int32_t first = std::numeric_limits<int32_t>::max();
  for (int l = 0; l < 8; l++) {
    first = lo[l] < first ? lo[l] : first;
    if (bv[l] > kNegInf && ranks_before(bv[l], bi[l], r.best_cd, r.best_index)) {
      r.best_cd = bv[l];
      r.best_index = bi[l];
    }
  }
  r.first_valid = valid > 0 ? first : -1;
  return r;
}

struct Avx2Ops {
  static CollectResult collect(const void* e, int dtype, int64_t n, float ln_alpha, int32_t* index) {
    switch (dtype) {
      case NPUKIT_F16: return collect_t<NPUKIT_F16>(e, n, ln_alpha, index);
      case NPUKIT_BF16: return collect_t<NPUKIT_BF16>(e, n, ln_alpha, index);
      default: return collect_t<NPUKIT_F32>(e, n, ln_alpha, index);
    }
  }

  static bool base_has_nan(const void* a, int dtype, int64_t n) {
    switch (dtype) {
      case NPUKIT_F16: return base_has_nan_t<NPUKIT_F16>(a, n);
      case NPUKIT_BF16: return base_has_nan_t<NPUKIT_BF16>(a, n);
      default: return base_has_nan_t<NPUKIT_F32>(a, n);
    }
  }

  template <class Visit>
  static FinishResult finish(const void* e, const void* a, int dtype, const int32_t* index, int64_t count,
                             const ScanParams& p, Visit* visit) {
    if (visit) return finish_candidates(e, a, dtype, index, count, p, visit);
    switch (dtype) {
      case NPUKIT_F16: return finish_greedy_t<NPUKIT_F16>(e, a, index, count, p);
      case NPUKIT_BF16: return finish_greedy_t<NPUKIT_BF16>(e, a, index, count, p);
      default: return finish_greedy_t<NPUKIT_F32>(e, a, index, count, p);
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
