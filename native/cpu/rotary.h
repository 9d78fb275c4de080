// Rotation of one head vector in F32 (docs/kernels.md, paged attention): with c = cos, s = sin of the position,
// each pair (a, b) becomes (a*c - b*s, b*c + a*s). NEOX pairs i with i + rotary_dim/2, GPTJ
// pairs 2i with 2i+1. Compiled with -ffp-contract=off, so the products are rounded before the
// subtraction exactly as in the Java reference: bit-exact across backends.
#ifndef NPUKIT_CPU_ROTARY_H
#define NPUKIT_CPU_ROTARY_H

#include "npukit/common.h"

namespace npukit {
namespace {

inline void rotate_row(float* x, const float* cos_sin_row, int rotary_dim, int style) {
  const int half = rotary_dim / 2;
  const float* c = cos_sin_row;
  const float* s = cos_sin_row + half;
  if (style == NPUKIT_ROPE_NEOX) {
    float* lo = x;
    float* hi = x + half;
    for (int i = 0; i < half; i++) {
      const float a = lo[i];
      const float b = hi[i];
      lo[i] = a * c[i] - b * s[i];
      hi[i] = b * c[i] + a * s[i];
    }
  } else if (style == NPUKIT_ROPE_GPTJ) {
    for (int i = 0; i < half; i++) {
      const float a = x[2 * i];
      const float b = x[2 * i + 1];
      x[2 * i] = a * c[i] - b * s[i];
      x[2 * i + 1] = b * c[i] + a * s[i];
    }
  }
}

}  // namespace
}  // namespace npukit

#endif
