// SiLU-and-multiply for any processor (baseline ISA): the C library's expf per element.
#include "silu_mul_problem.h"

namespace npukit {

void silu_mul_rows_generic(const SiluMulProblem& p, int r0, int r1) {
  for (int r = r0; r < r1; r++) {
    const float* g = p.gate_up + 2 * int64_t{r} * p.inter;
    const float* u = g + p.inter;
    float* o = p.out + int64_t{r} * p.inter;
    for (int i = 0; i < p.inter; i++) o[i] = silu_mul_one(g[i], u[i]);
  }
}

}  // namespace npukit
