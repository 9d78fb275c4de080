// C entry point of the matmul: re-check sizes, widen the activations to F32 once (they are the
// small operand and every weight row reads them), then run the fastest implementation.
#include <new>
#include <vector>

#include "contract_checks.h"
#include "convert.h"
#include "cpu_features.h"
#include "matmul_problem.h"
#include "npukit/matmul.h"
#include "status.h"

using npukit::fail;

extern "C" int npukit_matmul(
    const void* x, int x_dtype, int64_t x_numel,
    const void* w, int w_dtype, int64_t w_numel,
    float* out, int64_t out_numel,
    int m, int k, int n) {
  const auto fail_here = [](int code, const char* fmt, auto... args) { return npukit::fail(code, fmt, args...); };
  if (const int status =
          npukit::contract::matmul_sizes(x, x_dtype, x_numel, w, w_dtype, w_numel, out, out_numel, m, k, n, fail_here)) {
    return status;
  }
  std::vector<float> widened;
  const float* xf = static_cast<const float*>(x);
  if (x_dtype != NPUKIT_F32) {
    try {
      widened.resize(static_cast<size_t>(x_numel));
    } catch (const std::bad_alloc&) {
      return fail(NPUKIT_ERR_INTERNAL, "matmul: out of memory widening x (%lld elements)", (long long)x_numel);
    }
    for (int64_t i = 0; i < x_numel; i++) widened[i] = npukit::load_float(x, x_dtype, i);
    xf = widened.data();
  }
  const npukit::MatmulProblem p{xf, w, w_dtype, out, m, k, n};
  const bool done = NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), npukit::matmul_avx2(p), npukit::matmul_generic(p));
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "matmul: a worker failed (out of memory?)");
  return npukit::ok();
}
