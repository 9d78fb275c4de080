// A validated contrastive-scoring call (see npukit/contrastive.h) and the per-ISA entry points.
#ifndef NPUKIT_CPU_CONTRASTIVE_PROBLEM_H
#define NPUKIT_CPU_CONTRASTIVE_PROBLEM_H

#include <cstdint>

namespace npukit {

struct ContrastiveProblem {
  const void* expert;  // buffer start; row b is row expert_first_row + b * expert_row_stride
  int64_t expert_first_row;
  int64_t expert_row_stride;
  const void* base;
  int64_t base_first_row;
  int64_t base_row_stride;
  int dtype;
  int batch;
  int vocab;
  float ln_alpha;
  float beta;
  float temperature;
  const int64_t* seeds;  // null: greedy
  int top_k;
};

enum RowStatus : int32_t { kRowOk = 0, kRowExpertNaN = 1, kRowBaseNaN = 2 };

// Results of one row before they are committed to the caller's outputs.
struct RowResult {
  int32_t token;
  float score;
  int32_t valid_count;
  int32_t status;
};

// Scores every row into results[batch] and, when top_k > 0, topk_index/topk_score[batch * top_k].
// Returns false if a worker failed (out of memory); per-row NaN errors are in results[b].status.
bool contrastive_generic(const ContrastiveProblem& p, RowResult* results, int32_t* topk_index, float* topk_score);
bool contrastive_avx2(const ContrastiveProblem& p, RowResult* results, int32_t* topk_index, float* topk_score);

}  // namespace npukit

#endif
