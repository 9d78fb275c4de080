// Validated BGMV calls (see npukit/bgmv.h) and the per-ISA entry points.
#ifndef NPUKIT_CPU_BGMV_PROBLEM_H
#define NPUKIT_CPU_BGMV_PROBLEM_H

#include <cstdint>

namespace npukit {

struct ShrinkProblem {
  const void* x;
  int x_dtype;
  const void* a;
  int a_dtype;
  const int32_t* indices;
  float* y;
  int batch, h_in, rank;
  float scale;
};

struct ExpandProblem {
  const void* v;
  int v_dtype;
  const void* w;
  int w_dtype;
  const int32_t* indices;
  void* y;
  int y_dtype;
  int y_row, offset;
  int batch, rank, h_out;
};

bool bgmv_shrink_generic(const ShrinkProblem& p);
bool bgmv_shrink_avx2(const ShrinkProblem& p);
bool bgmv_expand_generic(const ExpandProblem& p);
bool bgmv_expand_avx2(const ExpandProblem& p);

}  // namespace npukit

#endif
