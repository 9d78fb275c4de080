// Contrastive scoring for any processor (baseline ISA): plain scalar loops.
#include "contrastive_impl.h"

namespace npukit {
namespace {

template <int DT>
CollectResult collect_t(const void* e, int64_t n, float ln_alpha, int32_t* index) {
  constexpr int64_t kBlock = 256;
  CollectResult r;
  // The first block's maximum first, so the first block is not collected whole.
  float m = kNegInf;
  for (int64_t i = 0; i < n && i < kBlock; i++) {
    const float x = load_float(e, DT, i);
    m = x > m ? x : m;
  }
  bool collecting = true;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = n - start < kBlock ? n : start + kBlock;
    const float threshold = m + ln_alpha;
    if (collecting) collecting = make_room(e, DT, threshold, end - start, r, index);
    for (int64_t i = start; i < end; i++) {
      const float x = load_float(e, DT, i);
      r.nan |= x != x;
      m = x > m ? x : m;
      if (collecting) {
        index[r.count] = static_cast<int32_t>(i);
        r.count += x >= threshold ? 1 : 0;
      }
    }
  }
  r.max = m;
  r.overflow = !collecting;
  return r;
}

template <int DT>
bool base_has_nan_t(const void* a, int64_t n) {
  bool nan = false;
  for (int64_t i = 0; i < n; i++) {
    const float x = load_float(a, DT, i);
    nan |= x != x;
  }
  return nan;
}

struct GenericOps {
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
    return finish_candidates(e, a, dtype, index, count, p, visit);
  }

  template <class Visit>
  static ScanResult scan(const void* e, const void* a, int dtype, int64_t n, const ScanParams& p, Visit* visit) {
    ScanResult r;
    for (int64_t i = 0; i < n; i++) {
      const float ei = load_float(e, dtype, i);
      if (!(ei >= p.threshold)) continue;
      r.valid_count++;
      float cd = cd_of(p, ei, load_float(a, dtype, i));
      if (cd != cd) cd = kNegInf;
      if (cd > r.best_cd) {
        r.best_cd = cd;
        r.best_index = i;
      }
      if (visit) (*visit)(i, cd);
    }
    return r;
  }
};

}  // namespace

bool contrastive_generic(const ContrastiveProblem& p, RowResult* results, int32_t* topk_index, float* topk_score) {
  return run_contrastive<GenericOps>(p, results, topk_index, topk_score);
}

}  // namespace npukit
