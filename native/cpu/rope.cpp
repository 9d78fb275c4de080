// Standalone in-place rotary embedding (DESIGN 3.2), for the classic unfused path and baselines.
#include <vector>

#include "contract_checks.h"
#include "convert.h"
#include "npukit/attention.h"
#include "rotary.h"
#include "status.h"

extern "C" int npukit_rope(
    void* x, int x_dtype, int64_t x_numel, const int32_t* positions,
    const float* cos_sin, int64_t cos_sin_numel,
    int num_tokens, int num_heads, int head_dim, int rotary_dim, int rope_style) {
  const npukit::contract::RopeCall call{x, x_dtype, x_numel, positions, cos_sin, cos_sin_numel,
                                         num_tokens, num_heads, head_dim, rotary_dim, rope_style};
  const auto fail = [](int code, const char* fmt, auto... args) { return npukit::fail(code, fmt, args...); };
  int max_position = 0;
  if (const int status = npukit::contract::rope_sizes(call, max_position, fail)) return status;
  if (const int status = npukit::contract::rope_positions(call, positions, max_position, fail)) return status;
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
