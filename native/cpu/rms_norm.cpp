// C entry point of RMS norm (docs/kernels.md, RMS norm): re-check the call, then normalize rows
// on the fastest path, in chunks on the thread pool.
#include "contract_checks.h"
#include "cpu_features.h"
#include "npukit/kernels.h"
#include "rms_norm_problem.h"
#include "row_chunks.h"
#include "status.h"

extern "C" int npukit_cpu_rms_norm(const npukit_rms_norm_args* args) {
  const auto fail = [](int code, const char* fmt, auto... a) { return npukit::fail(code, fmt, a...); };
  if (args == nullptr) return fail(NPUKIT_ERR_ARGUMENT, "rms_norm: args is null");
  const npukit_rms_norm_args& a = *args;
  npukit::contract::RowsDims d{};
  if (const int status = npukit::contract::rms_norm_sizes(a, NPUKIT_HOST, d, fail)) return status;
  const npukit::RmsNormProblem p{static_cast<const float*>(a.x.data), static_cast<float*>(a.residual.data),
                                 static_cast<const float*>(a.weight.data), static_cast<float*>(a.out.data),
                                 d.rows, d.hidden, a.eps};
  using RowsFn = void (*)(const npukit::RmsNormProblem&, int, int);
  const RowsFn rows = NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), &npukit::rms_norm_rows_avx2,
                                     &npukit::rms_norm_rows_generic);
  const bool done = npukit::for_row_chunks(d.rows, d.hidden, [&](int r0, int r1) { rows(p, r0, r1); });
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "rms_norm: a worker failed");
  return npukit::ok();
}
