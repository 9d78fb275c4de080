// C entry point of contrastive scoring: re-validates every size and row view against the
// buffers, scores all rows into private results, and only then writes the outputs, so a failed
// call (NaN in a row, bad arguments, out of memory) leaves them untouched.
#include <cmath>
#include <new>
#include <vector>

#include "contrastive_problem.h"
#include "convert.h"
#include "cpu_features.h"
#include "npukit/contrastive.h"
#include "status.h"

namespace {

// True when rows first, first + stride, ..., first + (batch - 1) * stride of a [*, vocab]
// buffer of numel elements all exist; written so that no product can overflow.
bool rows_fit(int64_t numel, int vocab, int batch, int64_t first, int64_t stride) {
  if (first < 0 || stride < 1) return false;
  if (batch == 0) return true;
  const int64_t rows = numel / vocab;
  if (first >= rows) return false;
  return (batch - 1) <= (rows - 1 - first) / stride;
}

}  // namespace

extern "C" int npukit_contrastive(
    const void* expert_logits, int64_t expert_numel, int64_t expert_first_row, int64_t expert_row_stride,
    const void* base_logits, int64_t base_numel, int64_t base_first_row, int64_t base_row_stride,
    int dtype, int batch, int vocab, float ln_alpha, float beta,
    int32_t* token, int64_t token_numel, float* score, int64_t score_numel,
    int32_t* valid_count, int64_t valid_count_numel,
    int top_k, int32_t* topk_index, float* topk_score, int64_t topk_numel,
    float temperature, const int64_t* seeds, int64_t seeds_numel) {
  using npukit::fail;
  NPUKIT_REQUIRE(expert_logits && base_logits && token && score && valid_count, NPUKIT_ERR_ARGUMENT,
                 "contrastive: a required buffer is null");
  NPUKIT_REQUIRE(npukit::is_float_dtype(dtype), NPUKIT_ERR_ARGUMENT, "contrastive: logits must be F32, F16 or BF16");
  NPUKIT_REQUIRE(batch >= 0 && vocab >= 1, NPUKIT_ERR_ARGUMENT, "contrastive: batch %d / vocab %d out of range",
                 batch, vocab);
  NPUKIT_REQUIRE(std::isfinite(ln_alpha) && ln_alpha <= 0.0f, NPUKIT_ERR_ARGUMENT,
                 "contrastive: ln_alpha %g must be finite and <= 0 (alpha in (0, 1])", ln_alpha);
  NPUKIT_REQUIRE(std::isfinite(beta) && beta >= 0.0f, NPUKIT_ERR_ARGUMENT,
                 "contrastive: beta %g must be finite and >= 0", beta);
  NPUKIT_REQUIRE(expert_numel >= 0 && rows_fit(expert_numel, vocab, batch, expert_first_row, expert_row_stride),
                 NPUKIT_ERR_BOUNDS, "contrastive: expert rows %lld + b * %lld (b < %d) do not fit %lld elements",
                 (long long)expert_first_row, (long long)expert_row_stride, batch, (long long)expert_numel);
  NPUKIT_REQUIRE(base_numel >= 0 && rows_fit(base_numel, vocab, batch, base_first_row, base_row_stride),
                 NPUKIT_ERR_BOUNDS, "contrastive: base rows %lld + b * %lld (b < %d) do not fit %lld elements",
                 (long long)base_first_row, (long long)base_row_stride, batch, (long long)base_numel);
  NPUKIT_REQUIRE(token_numel == batch && score_numel == batch && valid_count_numel == batch, NPUKIT_ERR_BOUNDS,
                 "contrastive: token, score and valid_count must hold batch = %d elements", batch);
  NPUKIT_REQUIRE(top_k >= 0 && top_k <= vocab, NPUKIT_ERR_ARGUMENT, "contrastive: top_k %d outside [0, vocab %d]",
                 top_k, vocab);
  if (top_k > 0) {
    NPUKIT_REQUIRE(topk_index && topk_score, NPUKIT_ERR_ARGUMENT, "contrastive: top-k buffers are null");
    NPUKIT_REQUIRE(topk_numel == int64_t{batch} * top_k, NPUKIT_ERR_BOUNDS,
                   "contrastive: top-k buffers hold %lld elements, expected %lld", (long long)topk_numel,
                   (long long)(int64_t{batch} * top_k));
  }
  if (seeds) {
    NPUKIT_REQUIRE(std::isfinite(temperature) && temperature > 0.0f, NPUKIT_ERR_ARGUMENT,
                   "contrastive: temperature %g must be finite and > 0", temperature);
    NPUKIT_REQUIRE(seeds_numel == batch, NPUKIT_ERR_BOUNDS, "contrastive: %lld seeds for batch %d",
                   (long long)seeds_numel, batch);
  }

  const npukit::ContrastiveProblem p{expert_logits, expert_first_row, expert_row_stride,
                                     base_logits,   base_first_row,   base_row_stride,
                                     dtype,         batch,            vocab,
                                     ln_alpha,      beta,             temperature,
                                     seeds,         top_k};
  std::vector<npukit::RowResult> results;
  std::vector<int32_t> topk_index_tmp;
  std::vector<float> topk_score_tmp;
  try {
    results.resize(static_cast<size_t>(batch));
    topk_index_tmp.resize(static_cast<size_t>(int64_t{batch} * top_k));
    topk_score_tmp.resize(static_cast<size_t>(int64_t{batch} * top_k));
  } catch (const std::bad_alloc&) {
    return fail(NPUKIT_ERR_INTERNAL, "contrastive: out of memory for %d row results", batch);
  }
  const bool done = npukit::has_avx2_fma_f16c()
                        ? npukit::contrastive_avx2(p, results.data(), topk_index_tmp.data(), topk_score_tmp.data())
                        : npukit::contrastive_generic(p, results.data(), topk_index_tmp.data(), topk_score_tmp.data());
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "contrastive: a worker failed (out of memory?)");
  for (int b = 0; b < batch; b++) {
    NPUKIT_REQUIRE(results[b].status != npukit::kRowExpertNaN, NPUKIT_ERR_DATA, "expert: row %d contains NaN", b);
    NPUKIT_REQUIRE(results[b].status != npukit::kRowBaseNaN, NPUKIT_ERR_DATA, "base: row %d contains NaN", b);
  }
  for (int b = 0; b < batch; b++) {
    token[b] = results[b].token;
    score[b] = results[b].score;
    valid_count[b] = results[b].valid_count;
  }
  for (size_t j = 0; j < topk_index_tmp.size(); j++) {
    topk_index[j] = topk_index_tmp[j];
    topk_score[j] = topk_score_tmp[j];
  }
  return npukit::ok();
}
