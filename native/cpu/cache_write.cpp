// The paged KV cache write (DESIGN 3.2): copies each token's key and value rows into its slot,
// converting to the cache dtype. No rotation: MEPIC stores keys position-free (NoPE).
#include "convert.h"
#include "npukit/attention.h"
#include "status.h"

extern "C" int npukit_write_kv(
    const void* key, int key_dtype, const void* value, int value_dtype, int64_t kv_numel,
    void* k_cache, void* v_cache, int cache_dtype, int64_t cache_numel,
    const int32_t* slot_mapping, int num_tokens, int num_kv_heads, int head_dim,
    int num_blocks, int block_size) {
  NPUKIT_REQUIRE(key && value && k_cache && v_cache && slot_mapping, NPUKIT_ERR_ARGUMENT,
                 "write_kv: a required buffer is null");
  NPUKIT_REQUIRE(npukit::is_float_dtype(key_dtype) && npukit::is_float_dtype(value_dtype) &&
                     npukit::is_float_dtype(cache_dtype),
                 NPUKIT_ERR_ARGUMENT, "write_kv: key, value and cache must be F32, F16 or BF16");
  NPUKIT_REQUIRE(num_tokens >= 0 && num_kv_heads > 0 && head_dim > 0 && num_blocks >= 0 && block_size > 0,
                 NPUKIT_ERR_ARGUMENT, "write_kv: sizes must be positive");
  const int64_t row = int64_t{num_kv_heads} * head_dim;
  NPUKIT_REQUIRE(kv_numel == int64_t{num_tokens} * row, NPUKIT_ERR_BOUNDS,
                 "write_kv: key/value have %lld elements, expected %lld", (long long)kv_numel,
                 (long long)(int64_t{num_tokens} * row));
  const int64_t num_slots = int64_t{num_blocks} * block_size;
  NPUKIT_REQUIRE(cache_numel == num_slots * row, NPUKIT_ERR_BOUNDS, "write_kv: cache has %lld elements, expected %lld",
                 (long long)cache_numel, (long long)(num_slots * row));
  for (int t = 0; t < num_tokens; t++) {
    NPUKIT_REQUIRE(slot_mapping[t] >= -1 && slot_mapping[t] < num_slots, NPUKIT_ERR_BOUNDS,
                   "write_kv: slot_mapping[%d] = %d is outside [-1, %lld)", t, slot_mapping[t], (long long)num_slots);
  }
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
