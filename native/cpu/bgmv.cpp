// C entry points of BGMV shrink and expand: re-check sizes and every adapter index before
// anything is written, then run the fastest implementation this processor supports.
#include "bgmv_problem.h"
#include "convert.h"
#include "cpu_features.h"
#include "npukit/bgmv.h"
#include "status.h"

using npukit::fail;

namespace {

int check_indices(const char* what, const int32_t* indices, int batch, int num_loras) {
  for (int b = 0; b < batch; b++) {
    NPUKIT_REQUIRE(indices[b] >= -1 && indices[b] < num_loras, NPUKIT_ERR_BOUNDS,
                   "%s: indices[%d] = %d is outside [-1, %d)", what, b, indices[b], num_loras);
  }
  return NPUKIT_OK;
}

}  // namespace

extern "C" int npukit_bgmv_shrink(
    const void* x, int x_dtype, int64_t x_numel,
    const void* a, int a_dtype, int64_t a_numel,
    const int32_t* indices, int64_t indices_numel,
    float* y, int64_t y_numel,
    int batch, int h_in, int rank, int num_loras, float scale) {
  NPUKIT_REQUIRE(x && a && indices && y, NPUKIT_ERR_ARGUMENT, "bgmv_shrink: a required buffer is null");
  NPUKIT_REQUIRE(npukit::is_float_dtype(x_dtype) && npukit::is_float_dtype(a_dtype), NPUKIT_ERR_ARGUMENT,
                 "bgmv_shrink: x and A must be F32, F16 or BF16");
  NPUKIT_REQUIRE(batch >= 0 && h_in >= 0 && rank >= 0 && num_loras >= 0, NPUKIT_ERR_ARGUMENT,
                 "bgmv_shrink: negative size");
  NPUKIT_REQUIRE(x_numel == int64_t{batch} * h_in && y_numel == int64_t{batch} * rank && indices_numel == batch,
                 NPUKIT_ERR_BOUNDS, "bgmv_shrink: x, y or indices does not match batch %d", batch);
  NPUKIT_REQUIRE(a_numel == int64_t{num_loras} * rank * h_in, NPUKIT_ERR_BOUNDS,
                 "bgmv_shrink: A has %lld elements, expected %lld", (long long)a_numel,
                 (long long)(int64_t{num_loras} * rank * h_in));
  const int status = check_indices("bgmv_shrink", indices, batch, num_loras);
  if (status != NPUKIT_OK) return status;
  const npukit::ShrinkProblem p{x, x_dtype, a, a_dtype, indices, y, batch, h_in, rank, scale};
  const bool done = npukit::has_avx2_fma_f16c() ? npukit::bgmv_shrink_avx2(p) : npukit::bgmv_shrink_generic(p);
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "bgmv_shrink: a worker failed (out of memory?)");
  return npukit::ok();
}

extern "C" int npukit_bgmv_expand(
    const void* v, int v_dtype, int64_t v_numel,
    const void* w, int w_dtype, int64_t w_numel,
    const int32_t* indices, int64_t indices_numel,
    void* y, int y_dtype, int64_t y_numel, int y_row, int offset,
    int batch, int rank, int h_out, int num_loras) {
  NPUKIT_REQUIRE(v && w && indices && y, NPUKIT_ERR_ARGUMENT, "bgmv_expand: a required buffer is null");
  NPUKIT_REQUIRE(npukit::is_float_dtype(v_dtype) && npukit::is_float_dtype(w_dtype) &&
                     npukit::is_float_dtype(y_dtype),
                 NPUKIT_ERR_ARGUMENT, "bgmv_expand: v, W and y must be F32, F16 or BF16");
  NPUKIT_REQUIRE(batch >= 0 && rank >= 0 && h_out >= 0 && num_loras >= 0 && y_row >= 0, NPUKIT_ERR_ARGUMENT,
                 "bgmv_expand: negative size");
  NPUKIT_REQUIRE(offset >= 0 && int64_t{offset} + h_out <= y_row, NPUKIT_ERR_BOUNDS,
                 "bgmv_expand: slice [%d, %lld) is outside a row of %d", offset, (long long)(int64_t{offset} + h_out),
                 y_row);
  NPUKIT_REQUIRE(v_numel == int64_t{batch} * rank && y_numel == int64_t{batch} * y_row && indices_numel == batch,
                 NPUKIT_ERR_BOUNDS, "bgmv_expand: v, y or indices does not match batch %d", batch);
  NPUKIT_REQUIRE(w_numel == int64_t{num_loras} * h_out * rank, NPUKIT_ERR_BOUNDS,
                 "bgmv_expand: W has %lld elements, expected %lld", (long long)w_numel,
                 (long long)(int64_t{num_loras} * h_out * rank));
  const int status = check_indices("bgmv_expand", indices, batch, num_loras);
  if (status != NPUKIT_OK) return status;
  const npukit::ExpandProblem p{v, v_dtype, w, w_dtype, indices, y, y_dtype, y_row, offset, batch, rank, h_out};
  const bool done = npukit::has_avx2_fma_f16c() ? npukit::bgmv_expand_avx2(p) : npukit::bgmv_expand_generic(p);
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "bgmv_expand: a worker failed (out of memory?)");
  return npukit::ok();
}
