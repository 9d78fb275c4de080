// Contrastive scoring for any processor (baseline ISA): plain scalar loops.
#include "contrastive_impl.h"

namespace npukit {
namespace {

struct GenericOps {
  static bool row_max(const void* row, int dtype, int64_t n, float* out) {
    float m = kNegInf;
    bool nan = false;
    for (int64_t i = 0; i < n; i++) {
      const float x = load_float(row, dtype, i);
      nan |= x != x;
      m = x > m ? x : m;
    }
    *out = m;
    return !nan;
  }

  template <class Visit>
  static ScanResult scan(const void* e, const void* a, int dtype, int64_t n, const ScanParams& p, Visit* visit) {
    ScanResult r;
    for (int64_t i = 0; i < n; i++) {
      const float ei = load_float(e, dtype, i);
      const float ai = load_float(a, dtype, i);
      r.base_nan |= ai != ai;
      if (!(ei >= p.threshold)) continue;
      r.valid_count++;
      float cd = p.one_plus_beta * ei - p.beta * ai;
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
