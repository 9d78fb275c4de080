// The contrastive-scoring algorithm, written once over ISA-specific row passes (Ops):
//   Ops::collect(e, dtype, n, ln_alpha, buf)  one pass over the expert row: its maximum, and
//                                            into buf the indices of a superset of the valid set
//                                            (see CandidateBuffer); may give up (overflow)
//   Ops::base_has_nan(a, dtype, n)           one pass over the base row: does it hold a NaN
//   Ops::finish(e, a, dtype, index, count,   the valid set among the candidates: count, argmax
//               params, visit)               of cd, lowest valid index, visit(i, cd) for each
//                                            valid i, and whether a candidate is NaN
//   Ops::scan(e, a, dtype, n, params, visit) after an overflow only: a second pass over both
//                                            rows with count, argmax and visits
// So each expert and base logit is read once (the expert row twice after an overflow, i.e. when
// the valid set is huge), the long passes do a compare, a max or a NaN check per logit, and cd
// is computed only on the candidates, which the finish reads from cache. No [B, V] temporaries:
// the candidate buffer is per thread and of fixed size.
//
// NaN: a vector collect lets NaN through as a candidate (it is "not below" the threshold) and
// the finish reports it; a scalar collect or the overflow path checks directly.
//
// The generic and AVX2 translation units instantiate it with their own Ops; everything here has
// internal linkage so AVX2 code can never be linked into a baseline caller.
//
// Every path produces the bits of the scalar definition: max is exact whatever the order, cd is
// two products and a difference without FMA, and argmax, top-k and the sampler compare (value,
// index) explicitly, so the order in which candidates are visited does not matter.
#ifndef NPUKIT_CPU_CONTRASTIVE_IMPL_H
#define NPUKIT_CPU_CONTRASTIVE_IMPL_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>

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

// cd of a valid token (docs/kernels.md, contrastive scoring): (1 + beta) e - beta a in float without
// fused multiply-add; beta = 0 ignores the base logit entirely, so 0 * inf never makes a NaN.
inline float cd_of(const ScanParams& p, float e, float a) {
  return p.beta == 0.0f ? e : p.one_plus_beta * e - p.beta * a;
}

struct ScanResult {
  int64_t valid_count = 0;
  float best_cd = kNegInf;  // largest cd > -inf, NaN ranked as -inf
  int64_t best_index = -1;  // -1 when no valid cd exceeds -inf
};

// (score, index) order of the contract: higher score first, then the lower index.
inline bool ranks_before(float s, int64_t i, float s_other, int64_t i_other) {
  return s > s_other || (s == s_other && i < i_other);
}

// Keeps the top_k (index, cd) pairs seen so far, descending by cd, ties to the lower index;
// offers may come in any index order.
struct TopK {
  int32_t* index;
  float* score;
  int k;
  int size = 0;

  void offer(int64_t i, float cd) {
    if (size == k && !ranks_before(cd, i, score[k - 1], index[k - 1])) return;
    int pos = size < k ? size : k - 1;
    while (pos > 0 && ranks_before(cd, i, score[pos - 1], index[pos - 1])) {
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

// Gumbel-max over the valid set: argmax of cd / T + g_i, ties to the lower index; a key of -inf
// is never chosen (best_index stays -1 when every key is -inf).
struct Sampler {
  uint64_t row_key;
  float temperature;
  float best_key = kNegInf;
  float best_cd = kNegInf;
  int64_t best_index = -1;

  void offer(int64_t i, float cd) {
    const float key = cd / temperature + gumbel_noise(row_key, i);
    if (key > best_key || (key == best_key && i < best_index)) {
      best_key = key;
      best_cd = cd;
      best_index = i;
    }
  }
};

// What the finish and the scan call for each valid element: feeds top-k and the sampler, whichever
// exist.
struct RowVisitor {
  TopK* topk;
  Sampler* sampler;

  void operator()(int64_t i, float cd) {
    if (topk) topk->offer(i, cd);
    if (sampler) sampler->offer(i, cd);
  }
};

// Indices of expert logits that may be valid, collected in one pass over the row. The pass
// compares each logit with the threshold of the maximum seen so far (a lower bound of the
// row's maximum, so the candidates contain the valid set; the final threshold removes the rest).
// When a block might not fit, the buffer is first re-filtered with the current threshold; if it
// still might not fit, collect() gives up (overflow) and the row takes the two-pass scan.
// Per thread, allocated once; the slack lets vector code store whole registers past the end.
struct CandidateBuffer {
  static constexpr int64_t kCapacity = 16384;
  static constexpr int64_t kSlack = 64;
  int32_t index[kCapacity + kSlack];
};

inline CandidateBuffer& thread_candidates() {
  thread_local std::unique_ptr<CandidateBuffer> buf;
  if (!buf) buf.reset(new CandidateBuffer);  // bad_alloc reaches parallel_for: the call fails
  return *buf;
}

// A NaN among the candidates still means a NaN in the row: vector collect passes let NaN
// through as candidates instead of checking separately.
struct CollectResult {
  float max = kNegInf;  // of the non-NaN logits
  bool nan = false;
  bool overflow = false;  // candidates incomplete: use the two-pass scan
  int64_t count = 0;
};

// Keeps the candidates whose logit is not below threshold (NaN is kept, for the NaN check), in
// their order; returns how many.
template <int DT>
int64_t refilter(const void* e, int32_t* index, int64_t count, float threshold) {
  int64_t kept = 0;
  for (int64_t j = 0; j < count; j++) {
    const int32_t i = index[j];
    index[kept] = i;
    kept += load_float(e, DT, i) < threshold ? 0 : 1;
  }
  return kept;
}

inline int64_t refilter(const void* e, int dtype, int32_t* index, int64_t count, float threshold) {
  switch (dtype) {
    case NPUKIT_F16: return refilter<NPUKIT_F16>(e, index, count, threshold);
    case NPUKIT_BF16: return refilter<NPUKIT_BF16>(e, index, count, threshold);
    default: return refilter<NPUKIT_F32>(e, index, count, threshold);
  }
}

// Makes room for `need` more candidates if it can (re-filtering with threshold); false if not.
inline bool make_room(const void* e, int dtype, float threshold, int64_t need, CollectResult& r, int32_t* index) {
  if (r.count + need <= CandidateBuffer::kCapacity) return true;
  r.count = refilter(e, dtype, index, r.count, threshold);
  return r.count + need <= CandidateBuffer::kCapacity;
}

inline bool candidates_hold_nan(const void* e, int dtype, const int32_t* index, int64_t count) {
  bool nan = false;
  for (int64_t j = 0; j < count; j++) {
    const float x = load_float(e, dtype, index[j]);
    nan |= x != x;
  }
  return nan;
}

struct FinishResult {
  bool nan = false;  // a candidate is NaN: the expert row holds a NaN
  int64_t valid_count = 0;
  float best_cd = kNegInf;
  int64_t best_index = -1;
  int64_t first_valid = -1;
};

// The valid set from the candidates: cd, count, argmax (value, then lowest index) and visits.
template <int DT, class Visit>
FinishResult finish_candidates(const void* e, const void* a, const int32_t* index, int64_t count,
                               const ScanParams& p, Visit* visit) {
  FinishResult r;
  int64_t first = std::numeric_limits<int64_t>::max();
  for (int64_t j = 0; j < count; j++) {
    const int64_t i = index[j];
    const float ei = load_float(e, DT, i);
    r.nan |= ei != ei;
    if (!(ei >= p.threshold)) continue;
    r.valid_count++;
    first = i < first ? i : first;
    float cd = cd_of(p, ei, load_float(a, DT, i));
    if (cd != cd) cd = kNegInf;
    if (cd > kNegInf && ranks_before(cd, i, r.best_cd, r.best_index)) {
      r.best_cd = cd;
      r.best_index = i;
    }
    if (visit) (*visit)(i, cd);
  }
  r.first_valid = r.valid_count > 0 ? first : -1;
  return r;
}

template <class Visit>
FinishResult finish_candidates(const void* e, const void* a, int dtype, const int32_t* index, int64_t count,
                               const ScanParams& p, Visit* visit) {
  switch (dtype) {
    case NPUKIT_F16: return finish_candidates<NPUKIT_F16>(e, a, index, count, p, visit);
    case NPUKIT_BF16: return finish_candidates<NPUKIT_BF16>(e, a, index, count, p, visit);
    default: return finish_candidates<NPUKIT_F32>(e, a, index, count, p, visit);
  }
}

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

  CandidateBuffer& buf = thread_candidates();
  const CollectResult c = Ops::collect(e, p.dtype, p.vocab, p.ln_alpha, buf.index);
  const ScanParams params{c.max + p.ln_alpha, 1.0f + p.beta, p.beta};

  TopK topk{topk_index, topk_score, p.top_k};
  Sampler sampler{p.seeds ? gumbel_row_key(p.seeds[b], b) : 0, p.temperature};
  RowVisitor visitor{p.top_k > 0 ? &topk : nullptr, p.seeds ? &sampler : nullptr};
  RowVisitor* visit = visitor.topk || visitor.sampler ? &visitor : nullptr;

  // The base row is streamed before the finish reads it at the candidates, so those reads hit
  // the cache. Errors in the contract's order: the expert row's NaN first, then the base row's.
  const bool base_nan = Ops::base_has_nan(a, p.dtype, p.vocab);
  FinishResult f;
  bool expert_nan = c.nan;
  if (!c.overflow) {
    f = Ops::finish(e, a, p.dtype, buf.index, c.count, params, visit);
    expert_nan |= f.nan;
  } else {
    expert_nan |= candidates_hold_nan(e, p.dtype, buf.index, c.count);
  }
  if (expert_nan || base_nan) {
    out.status = expert_nan ? kRowExpertNaN : kRowBaseNaN;
    return;
  }
  if (c.overflow) {
    const ScanResult r = Ops::scan(e, a, p.dtype, p.vocab, params, visit);
    f.valid_count = r.valid_count;
    f.best_cd = r.best_cd;
    f.best_index = r.best_index;
    f.first_valid = -1;  // found below if needed
  }
  const int64_t valid_count = f.valid_count, best_index = f.best_index;
  const float best_cd = f.best_cd;
  int64_t lowest_valid = f.first_valid;
  if (visitor.topk) topk.finish();
  out.valid_count = static_cast<int32_t>(valid_count);
  const int64_t chosen = p.seeds ? sampler.best_index : best_index;
  out.score = p.seeds ? sampler.best_cd : best_cd;
  if (chosen < 0) {
    out.score = kNegInf;
    if (lowest_valid < 0) lowest_valid = first_valid(e, p.dtype, p.vocab, params.threshold);
  }
  out.token = static_cast<int32_t>(chosen >= 0 ? chosen : lowest_valid);
}

// Rows are handed to the pool in items of at least kItemBytes of logits: a row of a large
// vocabulary is an item by itself (the finest balance), short rows are grouped, since a pool item
// that reads a few kilobytes costs more to hand out than to compute; a call of one item runs on
// the calling thread. (Measured with bench contrastive against the former rule, which kept every
// call under 2 MiB on the calling thread: B = 2..8 at V = 32000 run 1.5-2x faster on two
// threads, and 64 rows of 64 logits stay on the caller, where the pool took up to 100 us.)
constexpr int64_t kItemBytes = int64_t{128} << 10;

template <class Ops>
bool run_contrastive(const ContrastiveProblem& p, RowResult* results, int32_t* topk_index, float* topk_score) {
  const auto row = [&](int64_t b) {
    const int64_t off = b * p.top_k;
    score_row<Ops>(p, b, results[b], p.top_k > 0 ? topk_index + off : nullptr,
                   p.top_k > 0 ? topk_score + off : nullptr);
  };
  const int64_t row_bytes = 2 * int64_t{p.vocab} * dtype_size(p.dtype);
  const int64_t rows_per_item = std::max<int64_t>(1, (kItemBytes + row_bytes - 1) / row_bytes);
  const int64_t items = (p.batch + rows_per_item - 1) / rows_per_item;
  return parallel_for(items, [&](int64_t item) {
    const int64_t end = std::min<int64_t>(p.batch, (item + 1) * rows_per_item);
    for (int64_t b = item * rows_per_item; b < end; b++) row(b);
  });
}

}  // namespace
}  // namespace npukit

#endif
