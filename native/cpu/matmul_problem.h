// A validated matmul call (see npukit/matmul.h) and the per-ISA entry points.
#ifndef NPUKIT_CPU_MATMUL_PROBLEM_H
#define NPUKIT_CPU_MATMUL_PROBLEM_H

#include <cstdint>

namespace npukit {

struct MatmulProblem {
  const float* x;  // already widened to F32, [m, k]
  const void* w;
  int w_dtype;
  float* out;
  int m, k, n;
};

bool matmul_generic(const MatmulProblem& p);
bool matmul_avx2(const MatmulProblem& p);

}  // namespace npukit

#endif
