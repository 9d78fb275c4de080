// C entry point of contrastive scoring: re-validates every size and row view against the
// buffers, scores all rows into private results, and only then writes the outputs, so a failed
// call (NaN in a row, bad arguments, out of memory) leaves them untouched.
#include <cmath>
#include <new>
#include <vector>

#include "contract_checks.h"
#include "contrastive_problem.h"
#include "convert.h"
#include "cpu_features.h"
#include "npukit/contrastive.h"
#include "status.h"

extern "C" int npukit_contrastive(
    const void* expert_logits, int64_t expert_numel, int64_t expert_first_row, int64_t expert_row_stride,
    const void* base_logits, int64_t base_numel, int64_t base_first_row, int64_t base_row_stride,
    int dtype, int batch, int vocab, float ln_alpha, float beta,
    int32_t* token, int64_t token_numel, float* score, int64_t score_numel,
    int32_t* valid_count, int64_t valid_count_numel,
    int top_k, int32_t* topk_index, float* topk_score, int64_t topk_numel,
    float temperature, const int64_t* seeds, int64_t seeds_numel) {
  const npukit::contract::ContrastiveCall call{
      expert_logits, expert_numel, expert_first_row, expert_row_stride, base_logits, base_numel, base_first_row,
      base_row_stride, dtype, batch, vocab, ln_alpha, beta, token, token_numel, score, score_numel, valid_count,
      valid_count_numel, top_k, topk_index, topk_score, topk_numel, temperature, seeds, seeds_numel};
  const auto fail = [](int code, const char* fmt, auto... args) { return npukit::fail(code, fmt, args...); };
  if (const int status = npukit::contract::contrastive_arguments(call, fail)) return status;

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
  const bool done = NPUKIT_IF_SIMD(
      npukit::has_avx2_fma_f16c(),
      npukit::contrastive_avx2(p, results.data(), topk_index_tmp.data(), topk_score_tmp.data()),
      npukit::contrastive_generic(p, results.data(), topk_index_tmp.data(), topk_score_tmp.data()));
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
