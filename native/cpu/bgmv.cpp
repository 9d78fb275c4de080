// C entry points of BGMV shrink and expand: re-check sizes and every adapter index before
// anything is written, then run the fastest implementation this processor supports.
#include "bgmv_problem.h"
#include "contract_checks.h"
#include "convert.h"
#include "cpu_features.h"
#include "npukit/bgmv.h"
#include "status.h"

using npukit::fail;

namespace {
const auto fail_here = [](int code, const char* fmt, auto... args) { return npukit::fail(code, fmt, args...); };
}  // namespace

extern "C" int npukit_bgmv_shrink(
    const void* x, int x_dtype, int64_t x_numel,
    const void* a, int a_dtype, int64_t a_numel,
    const int32_t* indices, int64_t indices_numel,
    float* y, int64_t y_numel,
    int batch, int h_in, int rank, int num_loras, float scale) {
  const npukit::contract::BgmvShrinkCall call{x, x_dtype, x_numel, a, a_dtype, a_numel, indices, indices_numel,
                                               y, y_numel, batch, h_in, rank, num_loras};
  if (const int status = npukit::contract::bgmv_shrink_sizes(call, fail_here)) return status;
  if (const int status = npukit::contract::bgmv_indices("bgmv_shrink", indices, batch, num_loras, fail_here)) {
    return status;
  }
  const npukit::ShrinkProblem p{x, x_dtype, a, a_dtype, indices, y, batch, h_in, rank, scale};
  const bool done =
      NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), npukit::bgmv_shrink_avx2(p), npukit::bgmv_shrink_generic(p));
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "bgmv_shrink: a worker failed (out of memory?)");
  return npukit::ok();
}

extern "C" int npukit_bgmv_expand(
    const void* v, int v_dtype, int64_t v_numel,
    const void* w, int w_dtype, int64_t w_numel,
    const int32_t* indices, int64_t indices_numel,
    void* y, int y_dtype, int64_t y_numel, int y_row, int offset,
    int batch, int rank, int h_out, int num_loras) {
  const npukit::contract::BgmvExpandCall call{v, v_dtype, v_numel, w, w_dtype, w_numel, indices, indices_numel,
                                               y, y_dtype, y_numel, y_row, offset, batch, rank, h_out, num_loras};
  if (const int status = npukit::contract::bgmv_expand_sizes(call, fail_here)) return status;
  if (const int status = npukit::contract::bgmv_indices("bgmv_expand", indices, batch, num_loras, fail_here)) {
    return status;
  }
  const npukit::ExpandProblem p{v, v_dtype, w, w_dtype, indices, y, y_dtype, y_row, offset, batch, rank, h_out};
  const bool done =
      NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), npukit::bgmv_expand_avx2(p), npukit::bgmv_expand_generic(p));
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "bgmv_expand: a worker failed (out of memory?)");
  return npukit::ok();
}
