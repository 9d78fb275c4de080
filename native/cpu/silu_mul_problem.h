// A validated SiLU-and-multiply call (see npukit/elementwise.h), its per-ISA entry points, and the
// scalar formula both use.
#ifndef NPUKIT_CPU_SILU_MUL_PROBLEM_H
#define NPUKIT_CPU_SILU_MUL_PROBLEM_H

#include <cfloat>
#include <cmath>
#include <cstdint>

namespace npukit {

struct SiluMulProblem {
  const float* gate_up;  // [rows, 2 * inter]
  float* out;            // [rows, inter]
  int rows, inter;
};

// Rows [r0, r1).
void silu_mul_rows_generic(const SiluMulProblem& p, int r0, int r1);
void silu_mul_rows_avx2(const SiluMulProblem& p, int r0, int r1);

namespace {

// silu(g) * u with the gate raised to -FLT_MAX first: silu(-inf) = -FLT_MAX / inf = -0, not
// -inf / inf = NaN (a NaN gate stays NaN: fmaxf is not used, it would drop it).
inline float silu_mul_one(float g, float u) {
  const float gate = g < -FLT_MAX ? -FLT_MAX : g;
  return gate / (1.0f + std::exp(-gate)) * u;
}

}  // namespace
}  // namespace npukit

#endif
