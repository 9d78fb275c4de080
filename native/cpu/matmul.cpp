// C entry point of the matmul: re-check sizes, widen the activations to F32 once (they are the
// small operand and every weight row reads them), run the fastest implementation, add the bias.
#include <new>
#include <vector>

#include "contract_checks.h"
#include "convert.h"
#include "cpu_features.h"
#include "matmul_problem.h"
#include "npukit/kernels.h"
#include "status.h"

extern "C" int npukit_cpu_matmul(const npukit_matmul_args* args) {
  const auto fail = [](int code, const char* fmt, auto... a) { return npukit::fail(code, fmt, a...); };
  if (args == nullptr) return fail(NPUKIT_ERR_ARGUMENT, "matmul: args is null");
  const npukit_matmul_args& a = *args;
  npukit::contract::MatmulDims d{};
  if (const int status = npukit::contract::matmul_sizes(a, NPUKIT_HOST, d, fail)) return status;
  std::vector<float> widened;
  const float* xf = static_cast<const float*>(a.x.data);
  if (a.x.dtype != NPUKIT_F32) {
    try {
      widened.resize(static_cast<size_t>(a.x.numel));
    } catch (const std::bad_alloc&) {
      return fail(NPUKIT_ERR_INTERNAL, "matmul: out of memory widening x (%lld elements)", (long long)a.x.numel);
    }
    for (int64_t i = 0; i < a.x.numel; i++) widened[i] = npukit::load_float(a.x.data, a.x.dtype, i);
    xf = widened.data();
  }
  const npukit::MatmulProblem p{xf, a.weight.data, a.weight.dtype, static_cast<float*>(a.out.data), d.m, d.k, d.n};
  const bool done = NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), npukit::matmul_avx2(p), npukit::matmul_generic(p));
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "matmul: a worker failed (out of memory?)");
  if (npukit::contract::present(a.bias)) {
    // Added to the finished sums, so a row's result stays independent of the tiling.
    const auto* bias = static_cast<const float*>(a.bias.data);
    for (int m = 0; m < d.m; m++) {
      float* row = p.out + int64_t{m} * d.n;
      for (int n = 0; n < d.n; n++) row[n] += bias[n];
    }
  }
  return npukit::ok();
}
