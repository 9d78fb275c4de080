// C entry points of BGMV shrink and expand: re-check sizes and every adapter index before
// anything is written, then run the fastest implementation this processor supports.
#include "bgmv_problem.h"
#include "contract_checks.h"
#include "cpu_features.h"
#include "npukit/kernels.h"
#include "status.h"

namespace {
const auto fail_here = [](int code, const char* fmt, auto... args) { return npukit::fail(code, fmt, args...); };
}  // namespace

extern "C" int npukit_cpu_bgmv_shrink(const npukit_bgmv_shrink_args* args) {
  if (args == nullptr) return fail_here(NPUKIT_ERR_ARGUMENT, "bgmv_shrink: args is null");
  const npukit_bgmv_shrink_args& a = *args;
  npukit::contract::BgmvShrinkDims d{};
  if (const int status = npukit::contract::bgmv_shrink_sizes(a, NPUKIT_HOST, d, fail_here)) return status;
  const auto* indices = static_cast<const int32_t*>(a.indices.data);
  if (const int status = npukit::contract::bgmv_indices("bgmv_shrink", indices, d.batch, d.num_loras, fail_here)) {
    return status;
  }
  const npukit::ShrinkProblem p{a.x.data, a.x.dtype, a.a.data, a.a.dtype, indices, static_cast<float*>(a.y.data),
                                d.batch,  d.h_in,    d.rank,   a.scale};
  const bool done =
      NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), npukit::bgmv_shrink_avx2(p), npukit::bgmv_shrink_generic(p));
  if (!done) return fail_here(NPUKIT_ERR_INTERNAL, "bgmv_shrink: a worker failed (out of memory?)");
  return npukit::ok();
}

extern "C" int npukit_cpu_bgmv_expand(const npukit_bgmv_expand_args* args) {
  if (args == nullptr) return fail_here(NPUKIT_ERR_ARGUMENT, "bgmv_expand: args is null");
  const npukit_bgmv_expand_args& a = *args;
  npukit::contract::BgmvExpandDims d{};
  if (const int status = npukit::contract::bgmv_expand_sizes(a, NPUKIT_HOST, d, fail_here)) return status;
  const auto* indices = static_cast<const int32_t*>(a.indices.data);
  if (const int status = npukit::contract::bgmv_indices("bgmv_expand", indices, d.batch, d.num_loras, fail_here)) {
    return status;
  }
  const npukit::ExpandProblem p{a.v.data, a.v.dtype, a.w.data, a.w.dtype, indices,  a.y.data,
                                a.y.dtype, d.y_row,  a.offset, d.batch,   d.rank,   d.h_out};
  const bool done =
      NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), npukit::bgmv_expand_avx2(p), npukit::bgmv_expand_generic(p));
  if (!done) return fail_here(NPUKIT_ERR_INTERNAL, "bgmv_expand: a worker failed (out of memory?)");
  return npukit::ok();
}
