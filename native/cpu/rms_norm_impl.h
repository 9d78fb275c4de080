// The RMS norm of a range of rows, written once and compiled per ISA (rms_norm_generic.cpp,
// rms_norm_avx2.cpp). The mean square keeps eight independent partial sums, which the compiler
// maps to vector lanes without reassociating, so every ISA sums in the same order and the paths
// agree bit for bit. Internal linkage: each ISA's translation unit gets its own copy.
#ifndef NPUKIT_CPU_RMS_NORM_IMPL_H
#define NPUKIT_CPU_RMS_NORM_IMPL_H

#include <cmath>

#include "rms_norm_problem.h"

namespace npukit {
namespace {

inline void rms_norm_rows(const RmsNormProblem& p, int r0, int r1) {
  const int h = p.hidden;
  for (int r = r0; r < r1; r++) {
    const int64_t base = int64_t{r} * h;
    const float* in = p.x + base;
    if (p.residual != nullptr) {
      float* res = p.residual + base;
      for (int i = 0; i < h; i++) res[i] = res[i] + in[i];
      in = res;
    }
    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    for (; i + 8 <= h; i += 8) {
      for (int l = 0; l < 8; l++) part[l] += in[i + l] * in[i + l];
    }
    float ss = ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
    for (; i < h; i++) ss += in[i] * in[i];
    const float scale = 1.0f / std::sqrt(ss / static_cast<float>(h) + p.eps);
    float* out = p.out + base;
    for (int j = 0; j < h; j++) out[j] = (in[j] * scale) * p.weight[j];
  }
}

}  // namespace
}  // namespace npukit

#endif
