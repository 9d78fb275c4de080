// Standalone in-place rotary embedding (docs/kernels.md, standalone RoPE), for the classic unfused path and baselines.
#include <vector>

#include "contract_checks.h"
#include "convert.h"
#include "npukit/kernels.h"
#include "rotary.h"
#include "status.h"

extern "C" int npukit_cpu_rope(const npukit_rope_args* args) {
  const auto fail = [](int code, const char* fmt, auto... a) { return npukit::fail(code, fmt, a...); };
  if (args == nullptr) return fail(NPUKIT_ERR_ARGUMENT, "rope: args is null");
  const npukit_rope_args& a = *args;
  npukit::contract::RopeDims d{};
  if (const int status = npukit::contract::rope_sizes(a, NPUKIT_HOST, d, fail)) return status;
  const auto* positions = static_cast<const int32_t*>(a.positions.data);
  if (const int status = npukit::contract::rope_positions(d, positions, fail)) return status;
  if (a.rope_style == NPUKIT_ROPE_NONE) return npukit::ok();
  const int rotary_dim = a.rotary_dim;
  const auto* cos_sin = static_cast<const float*>(a.cos_sin.data);
  std::vector<float> rowbuf(static_cast<size_t>(rotary_dim));
  for (int t = 0; t < d.num_tokens; t++) {
    const float* cs = cos_sin + int64_t{positions[t]} * rotary_dim;
    for (int h = 0; h < d.num_heads; h++) {
      const int64_t base = (int64_t{t} * d.num_heads + h) * d.head_dim;
      for (int i = 0; i < rotary_dim; i++) rowbuf[i] = npukit::load_float(a.x.data, a.x.dtype, base + i);
      npukit::rotate_row(rowbuf.data(), cs, rotary_dim, a.rope_style);
      for (int i = 0; i < rotary_dim; i++) npukit::store_float(a.x.data, a.x.dtype, base + i, rowbuf[i]);
    }
  }
  return npukit::ok();
}
