// The contrastive-scoring algorithm, written once over two ISA-specific row passes (Ops):
//   Ops::row_max(row, dtype, n, &m)          max of a row; false if the row holds a NaN
//   Ops::scan(e, a, dtype, n, params, visit) one pass over expert and base rows: valid count,
//                                            greedy argmax of cd, NaN check of the base row,
//                                            and visit(i, cd) for every valid i in index order
//                                            when a visitor is given (top-k, sampling).
// The generic and AVX2 translation units instantiate it with their own Ops; everything here has
// internal linkage so AVX2 code can never be linked into a baseline caller.
//
// Both passes produce the same bits as the scalar definition: max is exact whatever the order,
// cd is two products and a difference without FMA, and the argmax keeps per-lane strict
// maxima that are then merged by (value, lowest index).
#ifndef NPUKIT_CPU_CONTRASTIVE_IMPL_H
#define NPUKIT_CPU_CONTRASTIVE_IMPL_H

#include <cmath>
#include <limits>

#include "contrastive_problem.h"
#include "convert.h"
#include "gumbel.h"
#include "thread_pool.h"

namespace npukit {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct ScanParams {
  float threshold;     // m + ln_alpha
  float one_plus_beta;
  float beta;
};

struct ScanResult {
  int64_t valid_count = 0;
  float best_cd = kNegInf;  // largest cd > -inf, NaN ranked as -inf
  int64_t best_index = -1;  // -1 when no valid cd exceeds -inf
  bool base_nan = false;
};

// Keeps the top_k (index, cd) pairs seen so far, descending by cd; visits come in increasing
// index order, so inserting after equal scores keeps ties on the lower index.
struct TopK {
  int32_t* index;
  float* score;
  int k;
  int size = 0;

  void offer(int64_t i, float cd) {
    if (size == k && !(cd > score[size - 1])) return;
    int pos = size < k ? size : k - 1;
    while (pos > 0 && score[pos - 1] < cd) {
      score[pos] = score[pos - 1];
      index[pos] = index[pos - 1];
      pos--;
    }
    score[pos] = cd;
    index[pos] = static_cast<int32_t>(i);
    if (size < k) size++;
  }

  void finish() {
    for (int j = size; j < k; j++) {
      index[j] = -1;
      score[j] = kNegInf;
    }
  }
};

// Gumbel-max over the valid set: argmax of cd / T + g_i, ties to the lower index.
struct Sampler {
  uint64_t row_key;
  float temperature;
  float best_key = kNegInf;
  float best_cd = kNegInf;
  int64_t best_index = -1;

  void offer(int64_t i, float cd) {
    const float key = cd / temperature + gumbel_noise(row_key, i);
    if (key > best_key) {
      best_key = key;
      best_cd = cd;
      best_index = i;
    }
  }
};

// The visitor scan calls for each valid element: feeds top-k and the sampler, whichever exist.
struct RowVisitor {
  TopK* topk;
  Sampler* sampler;

  void operator()(int64_t i, float cd) {
    if (topk) topk->offer(i, cd);
    if (sampler) sampler->offer(i, cd);
  }
};

inline const void* row_pointer(const void* buffer, int dtype, int64_t row, int vocab) {
  return static_cast<const char*>(buffer) + row * vocab * dtype_size(dtype);
}

// Lowest index whose expert logit clears the threshold; only needed when every valid cd is -inf.
inline int64_t first_valid(const void* e, int dtype, int64_t n, float threshold) {
  for (int64_t i = 0; i < n; i++) {
    if (load_float(e, dtype, i) >= threshold) return i;
  }
  return 0;  // unreachable: the maximum itself is valid
}

template <class Ops>
void score_row(const ContrastiveProblem& p, int64_t b, RowResult& out, int32_t* topk_index, float* topk_score) {
  const void* e = row_pointer(p.expert, p.dtype, p.expert_first_row + b * p.expert_row_stride, p.vocab);
  const void* a = row_pointer(p.base, p.dtype, p.base_first_row + b * p.base_row_stride, p.vocab);
  out = RowResult{0, kNegInf, 0, kRowOk};

  float m;
  if (!Ops::row_max(e, p.dtype, p.vocab, &m)) {
    out.status = kRowExpertNaN;
    return;
  }
  const ScanParams params{m + p.ln_alpha, 1.0f + p.beta, p.beta};

  TopK topk{topk_index, topk_score, p.top_k};
  Sampler sampler{p.seeds ? gumbel_row_key(p.seeds[b], b) : 0, p.temperature};
  RowVisitor visitor{p.top_k > 0 ? &topk : nullptr, p.seeds ? &sampler : nullptr};
  const bool visit = visitor.topk || visitor.sampler;

  const ScanResult r = Ops::scan(e, a, p.dtype, p.vocab, params, visit ? &visitor : nullptr);
  if (r.base_nan) {
    out.status = kRowBaseNaN;
    return;
  }
  if (visitor.topk) topk.finish();
  out.valid_count = static_cast<int32_t>(r.valid_count);
  const int64_t chosen = p.seeds ? sampler.best_index : r.best_index;
  out.score = p.seeds ? sampler.best_cd : r.best_cd;
  out.token = static_cast<int32_t>(chosen >= 0 ? chosen : first_valid(e, p.dtype, p.vocab, params.threshold));
  if (chosen < 0) out.score = kNegInf;
}

template <class Ops>
bool run_contrastive(const ContrastiveProblem& p, RowResult* results, int32_t* topk_index, float* topk_score) {
  return parallel_for(p.batch, [&](int64_t b) {
    const int64_t off = b * p.top_k;
    score_row<Ops>(p, b, results[b], p.top_k > 0 ? topk_index + off : nullptr,
                   p.top_k > 0 ? topk_score + off : nullptr);
  });
}

}  // namespace
}  // namespace npukit

#endif
