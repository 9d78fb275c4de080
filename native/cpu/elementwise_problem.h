// Validated calls of the element-wise kernels (see npukit/elementwise.h) and the per-ISA entry
// points of RMS norm, the one of them with a reduction worth a wider vector path.
#ifndef NPUKIT_CPU_ELEMENTWISE_PROBLEM_H
#define NPUKIT_CPU_ELEMENTWISE_PROBLEM_H

#include <cstdint>
#include <functional>

namespace npukit {

struct RmsNormProblem {
  const float* x;
  float* residual;  // null without the residual add
  const float* weight;
  float* out;
  int rows, hidden;
  float eps;
};

// Normalizes rows [r0, r1).
void rms_norm_rows_generic(const RmsNormProblem& p, int r0, int r1);
void rms_norm_rows_avx2(const RmsNormProblem& p, int r0, int r1);

// Calls rows(r0, r1) over [0, rows) in chunks of at least ~16K elements, on the thread pool when
// there is more than one chunk (a decode step's rows are too small to be worth waking it).
// Returns false if a worker failed.
bool for_row_chunks(int rows, int64_t row_elements, const std::function<void(int, int)>& rows_fn);

}  // namespace npukit

#endif
