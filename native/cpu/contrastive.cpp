// C entry point of contrastive scoring: re-validates every size and row view against the
// buffers, scores all rows into private results, and only then writes the outputs, so a failed
// call (NaN in a row, bad arguments, out of memory) leaves them untouched.
#include <cmath>
#include <new>
#include <vector>

#include "contract_checks.h"
#include "contrastive_problem.h"
#include "cpu_features.h"
#include "npukit/kernels.h"
#include "status.h"

extern "C" int npukit_cpu_contrastive(const npukit_contrastive_args* args) {
  const auto fail = [](int code, const char* fmt, auto... v) { return npukit::fail(code, fmt, v...); };
  if (args == nullptr) return fail(NPUKIT_ERR_ARGUMENT, "contrastive: args is null");
  const npukit_contrastive_args& a = *args;
  npukit::contract::ContrastiveDims d{};
  if (const int status = npukit::contract::contrastive_arguments(a, NPUKIT_HOST, d, fail)) return status;
  const int batch = d.batch;
  const int top_k = a.top_k;
  const npukit::ContrastiveProblem p{a.expert.data, a.expert_first_row, a.expert_row_stride,
                                     a.base.data,   a.base_first_row,   a.base_row_stride,
                                     a.expert.dtype, batch,             d.vocab,
                                     a.ln_alpha,    a.beta,             a.temperature,
                                     a.seeds,       top_k};
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
  auto* token = static_cast<int32_t*>(a.token.data);
  auto* score = static_cast<float*>(a.score.data);
  auto* valid_count = static_cast<int32_t*>(a.valid_count.data);
  for (int b = 0; b < batch; b++) {
    token[b] = results[b].token;
    score[b] = results[b].score;
    valid_count[b] = results[b].valid_count;
  }
  auto* topk_index = static_cast<int32_t*>(a.topk_index.data);
  auto* topk_score = static_cast<float*>(a.topk_score.data);
  for (size_t j = 0; j < topk_index_tmp.size(); j++) {
    topk_index[j] = topk_index_tmp[j];
    topk_score[j] = topk_score_tmp[j];
  }
  return npukit::ok();
}
