// The paged KV cache write (DESIGN 3.2): copies each token's key and value rows into its slot,
// converting to the cache dtype. No rotation: MEPIC stores keys position-free (NoPE).
#include "contract_checks.h"
#include "convert.h"
#include "npukit/attention.h"
#include "status.h"

extern "C" int npukit_write_kv(
    const void* key, int key_dtype, const void* value, int value_dtype, int64_t kv_numel,
    void* k_cache, void* v_cache, int cache_dtype, int64_t cache_numel,
    const int32_t* slot_mapping, int num_tokens, int num_kv_heads, int head_dim,
    int num_blocks, int block_size) {
  const npukit::contract::WriteKvCall call{key, key_dtype, value, value_dtype, kv_numel, k_cache, v_cache,
                                            cache_dtype, cache_numel, slot_mapping, num_tokens, num_kv_heads,
                                            head_dim, num_blocks, block_size};
  const auto fail = [](int code, const char* fmt, auto... args) { return npukit::fail(code, fmt, args...); };
  if (const int status = npukit::contract::write_kv_sizes(call, fail)) return status;
  if (const int status = npukit::contract::write_kv_slots(call, slot_mapping, fail)) return status;
  const int64_t row = int64_t{num_kv_heads} * head_dim;
  // Sequential over tokens so that a repeated slot deterministically keeps the later token.
  for (int t = 0; t < num_tokens; t++) {
    const int32_t slot = slot_mapping[t];
    if (slot < 0) continue;
    const int64_t src = int64_t{t} * row;
    const int64_t dst = int64_t{slot} * row;
    for (int64_t i = 0; i < row; i++) {
      npukit::store_float(k_cache, cache_dtype, dst + i, npukit::load_float(key, key_dtype, src + i));
      npukit::store_float(v_cache, cache_dtype, dst + i, npukit::load_float(value, value_dtype, src + i));
    }
  }
  return npukit::ok();
}
