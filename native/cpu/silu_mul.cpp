// C entry point of SiLU-and-multiply (docs/kernels.md, SiLU and multiply): re-check the call,
// then out = silu(gate) * up element by element, in chunks of rows on the thread pool. One scalar
// path: the time goes to expf, which the compiler does not vectorize without relaxing IEEE rules.
#include <cmath>

#include "contract_checks.h"
#include "elementwise_problem.h"
#include "npukit/kernels.h"
#include "status.h"

extern "C" int npukit_cpu_silu_mul(const npukit_silu_mul_args* args) {
  const auto fail = [](int code, const char* fmt, auto... a) { return npukit::fail(code, fmt, a...); };
  if (args == nullptr) return fail(NPUKIT_ERR_ARGUMENT, "silu_mul: args is null");
  const npukit_silu_mul_args& a = *args;
  npukit::contract::RowsDims d{};
  if (const int status = npukit::contract::silu_mul_sizes(a, NPUKIT_HOST, d, fail)) return status;
  const auto* gate_up = static_cast<const float*>(a.gate_up.data);
  auto* out = static_cast<float*>(a.out.data);
  const int inter = d.hidden;
  const bool done = npukit::for_row_chunks(d.rows, 2 * int64_t{inter}, [&](int r0, int r1) {
    for (int r = r0; r < r1; r++) {
      const float* g = gate_up + 2 * int64_t{r} * inter;
      const float* u = g + inter;
      float* o = out + int64_t{r} * inter;
      for (int i = 0; i < inter; i++) {
        // silu(-inf) is its limit -0: the quotient would be -inf / inf = NaN.
        const float s = g[i] == -INFINITY ? -0.0f : g[i] / (1.0f + std::exp(-g[i]));
        o[i] = s * u[i];
      }
    }
  });
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "silu_mul: a worker failed");
  return npukit::ok();
}
