// C entry point of SiLU-and-multiply (docs/kernels.md, SiLU and multiply): re-check the call,
// then out = silu(gate) * up on the fastest path, in chunks of rows on the thread pool.
#include "contract_checks.h"
#include "cpu_features.h"
#include "npukit/kernels.h"
#include "row_chunks.h"
#include "silu_mul_problem.h"
#include "status.h"

extern "C" int npukit_cpu_silu_mul(const npukit_silu_mul_args* args) {
  const auto fail = [](int code, const char* fmt, auto... a) { return npukit::fail(code, fmt, a...); };
  if (args == nullptr) return fail(NPUKIT_ERR_ARGUMENT, "silu_mul: args is null");
  const npukit_silu_mul_args& a = *args;
  npukit::contract::RowsDims d{};
  if (const int status = npukit::contract::silu_mul_sizes(a, NPUKIT_HOST, d, fail)) return status;
  const npukit::SiluMulProblem p{static_cast<const float*>(a.gate_up.data), static_cast<float*>(a.out.data), d.rows,
                                 d.hidden};
  using RowsFn = void (*)(const npukit::SiluMulProblem&, int, int);
  const RowsFn rows = NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), &npukit::silu_mul_rows_avx2,
                                     &npukit::silu_mul_rows_generic);
  const bool done = npukit::for_row_chunks(d.rows, 2 * int64_t{d.hidden}, [&](int r0, int r1) { rows(p, r0, r1); });
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "silu_mul: a worker failed");
  return npukit::ok();
}
