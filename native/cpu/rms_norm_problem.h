// A validated RMS norm call (see npukit/elementwise.h) and its per-ISA entry points.
#ifndef NPUKIT_CPU_RMS_NORM_PROBLEM_H
#define NPUKIT_CPU_RMS_NORM_PROBLEM_H

#include <cstdint>

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

}  // namespace npukit

#endif
