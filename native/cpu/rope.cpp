// Standalone in-place rotary embedding (DESIGN 3.2), for the classic unfused path and baselines.
#include <vector>

#include "convert.h"
#include "npukit/attention.h"
#include "rotary.h"
#include "status.h"

extern "C" int npukit_rope(
    void* x, int x_dtype, int64_t x_numel, const int32_t* positions,
    const float* cos_sin, int64_t cos_sin_numel,
    int num_tokens, int num_heads, int head_dim, int rotary_dim, int rope_style) {
  NPUKIT_REQUIRE(x && positions && cos_sin, NPUKIT_ERR_ARGUMENT, "rope: a required buffer is null");
  NPUKIT_REQUIRE(npukit::is_float_dtype(x_dtype), NPUKIT_ERR_ARGUMENT, "rope: x must be F32, F16 or BF16");
  NPUKIT_REQUIRE(rope_style >= NPUKIT_ROPE_NONE && rope_style <= NPUKIT_ROPE_GPTJ, NPUKIT_ERR_ARGUMENT,
                 "rope: unknown rope_style %d", rope_style);
  NPUKIT_REQUIRE(num_tokens >= 0 && num_heads > 0 && head_dim > 0, NPUKIT_ERR_ARGUMENT, "rope: sizes must be positive");
  NPUKIT_REQUIRE(rotary_dim > 0 && rotary_dim % 2 == 0 && rotary_dim <= head_dim, NPUKIT_ERR_ARGUMENT,
                 "rope: rotary_dim %d must be even, positive and <= head_dim %d", rotary_dim, head_dim);
  NPUKIT_REQUIRE(x_numel == int64_t{num_tokens} * num_heads * head_dim, NPUKIT_ERR_BOUNDS,
                 "rope: x has %lld elements, expected %lld", (long long)x_numel,
                 (long long)(int64_t{num_tokens} * num_heads * head_dim));
  NPUKIT_REQUIRE(cos_sin_numel % rotary_dim == 0, NPUKIT_ERR_BOUNDS, "rope: cos_sin size is not a multiple of rotary_dim");
  const int64_t max_position = cos_sin_numel / rotary_dim;
  for (int t = 0; t < num_tokens; t++) {
    NPUKIT_REQUIRE(positions[t] >= 0 && positions[t] < max_position, NPUKIT_ERR_BOUNDS,
                   "rope: positions[%d] = %d is outside [0, %lld)", t, positions[t], (long long)max_position);
  }
  if (rope_style == NPUKIT_ROPE_NONE) return npukit::ok();
  std::vector<float> rowbuf(static_cast<size_t>(rotary_dim));
  for (int t = 0; t < num_tokens; t++) {
    const float* cs = cos_sin + int64_t{positions[t]} * rotary_dim;
    for (int h = 0; h < num_heads; h++) {
      const int64_t base = (int64_t{t} * num_heads + h) * head_dim;
      for (int i = 0; i < rotary_dim; i++) rowbuf[i] = npukit::load_float(x, x_dtype, base + i);
      npukit::rotate_row(rowbuf.data(), cs, rotary_dim, rope_style);
      for (int i = 0; i < rotary_dim; i++) npukit::store_float(x, x_dtype, base + i, rowbuf[i]);
    }
  }
  return npukit::ok();
}
