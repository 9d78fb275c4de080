// The paged KV cache write (docs/kernels.md, cache write): copies each token's key and value rows into its slot,
// converting to the cache dtype. No rotation: MEPIC stores keys position-free (NoPE).
#include "contract_checks.h"
#include "convert.h"
#include "npukit/kernels.h"
#include "status.h"

extern "C" int npukit_cpu_write_kv(const npukit_write_kv_args* args) {
  const auto fail = [](int code, const char* fmt, auto... a) { return npukit::fail(code, fmt, a...); };
  if (args == nullptr) return fail(NPUKIT_ERR_ARGUMENT, "write_kv: args is null");
  const npukit_write_kv_args& a = *args;
  npukit::contract::WriteKvDims d{};
  if (const int status = npukit::contract::write_kv_sizes(a, NPUKIT_HOST, d, fail)) return status;
  const auto* slot_mapping = static_cast<const int32_t*>(a.slot_mapping.data);
  if (const int status = npukit::contract::write_kv_slots(d, slot_mapping, fail)) return status;
  const int64_t head_dim = d.head_dim;
  const int64_t row = d.num_kv_heads * head_dim;
  // Where head h of a slot starts, relative to its block: NHD keeps a slot's heads together,
  // HND a head's slots.
  const bool hnd = d.kv_layout == NPUKIT_KV_HND;
  const int64_t slot_stride = hnd ? head_dim : row;
  const int64_t head_stride = hnd ? int64_t{d.block_size} * head_dim : head_dim;
  // Sequential over tokens so that a repeated slot deterministically keeps the later token.
  for (int t = 0; t < d.num_tokens; t++) {
    const int32_t slot = slot_mapping[t];
    if (slot < 0) continue;
    const int64_t block = slot / d.block_size;
    const int64_t base = block * d.block_size * row + (slot % d.block_size) * slot_stride;
    for (int h = 0; h < d.num_kv_heads; h++) {
      const int64_t src = int64_t{t} * row + h * head_dim;
      const int64_t dst = base + h * head_stride;
      for (int64_t i = 0; i < head_dim; i++) {
        npukit::store_float(a.k_cache.data, a.k_cache.dtype, dst + i,
                            npukit::load_float(a.key.data, a.key.dtype, src + i));
        npukit::store_float(a.v_cache.data, a.k_cache.dtype, dst + i,
                            npukit::load_float(a.value.data, a.value.dtype, src + i));
      }
    }
  }
  return npukit::ok();
}
