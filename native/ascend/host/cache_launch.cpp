// Host launchers of the KV cache write and standalone RoPE kernels.
#include <algorithm>
#include <vector>

#include "../kernels/tiling.h"
#include "contract_checks.h"
#include "kernels.h"
#include "npukit/ascend.h"
#include "runtime.h"

using namespace npukit::ascend;

namespace {

int32_t Align16(int32_t n) { return (n + 15) / 16 * 16; }

}  // namespace

extern "C" int npukit_ascend_write_kv(
    const void* key, int key_dtype, const void* value, int value_dtype, int64_t kv_numel,
    void* k_cache, void* v_cache, int cache_dtype, int64_t cache_numel,
    const int32_t* slot_mapping, int num_tokens, int num_kv_heads, int head_dim,
    int num_blocks, int block_size) {
  const npukit::contract::WriteKvCall call{key, key_dtype, value, value_dtype, kv_numel, k_cache, v_cache,
                                            cache_dtype, cache_numel, slot_mapping, num_tokens, num_kv_heads,
                                            head_dim, num_blocks, block_size};
  const auto fail = [](int code, const char* fmt, auto... args) { return Fail(code, fmt, args...); };
  NPUKIT_TRY(npukit::contract::write_kv_sizes(call, fail));
  const int64_t row = int64_t{num_kv_heads} * head_dim;
  const int64_t num_slots = int64_t{num_blocks} * block_size;
  NPUKIT_CHECK(row <= INT32_MAX && num_slots <= INT32_MAX, NPUKIT_ERR_ARGUMENT, "write_kv: sizes exceed 32 bits");

  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  std::vector<int32_t> slots;
  NPUKIT_TRY(CopyToHost(slots, slot_mapping, num_tokens));
  NPUKIT_TRY(npukit::contract::write_kv_slots(call, slots.data(), fail));
  // Later tokens win on a repeated slot: drop every earlier write to it, so that cores running
  // tokens in any order produce the sequential result.
  {
    std::vector<int32_t> last(static_cast<size_t>(num_slots), -1);
    for (int t = 0; t < num_tokens; t++) {
      if (slots[t] >= 0) last[slots[t]] = t;
    }
    for (int t = 0; t < num_tokens; t++) {
      if (slots[t] >= 0 && last[slots[t]] != t) slots[t] = -1;
    }
  }
  if (num_tokens == 0) return Ok();
  WriteKvTiling t{};
  t.num_tokens = num_tokens;
  t.row = static_cast<int32_t>(row);
  t.num_slots = static_cast<int32_t>(num_slots);
  t.key_dtype = key_dtype;
  t.value_dtype = value_dtype;
  t.cache_dtype = cache_dtype;
  t.chunk = static_cast<int32_t>(std::min<int64_t>(row, 8192));  // 5 buffers of 32 KB
  DeviceBuffer slots_dev, tiling_dev;
  NPUKIT_TRY(slots_dev.Create(slots.size() * sizeof(int32_t), slots.data()));
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = static_cast<uint32_t>(std::min(num_tokens, kMaxBlockDim));
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_write_kv_kernel)(
      block_dim, Device::Stream(), Gm(key), Gm(value), Gm(k_cache), Gm(v_cache), slots_dev.get(), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_write_kv_kernel"));
  return Ok();
}

extern "C" int npukit_ascend_rope(
    void* x, int x_dtype, int64_t x_numel, const int32_t* positions,
    const float* cos_sin, int64_t cos_sin_numel,
    int num_tokens, int num_heads, int head_dim, int rotary_dim, int rope_style) {
  const npukit::contract::RopeCall call{x, x_dtype, x_numel, positions, cos_sin, cos_sin_numel,
                                         num_tokens, num_heads, head_dim, rotary_dim, rope_style};
  const auto fail = [](int code, const char* fmt, auto... args) { return Fail(code, fmt, args...); };
  int max_position = 0;
  NPUKIT_TRY(npukit::contract::rope_sizes(call, max_position, fail));

  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  std::vector<int32_t> pos;
  NPUKIT_TRY(CopyToHost(pos, positions, num_tokens));
  NPUKIT_TRY(npukit::contract::rope_positions(call, pos.data(), max_position, fail));
  if (rope_style == NPUKIT_ROPE_NONE || num_tokens == 0) return Ok();
  RopeTiling t{};
  t.num_tokens = num_tokens;
  t.num_heads = num_heads;
  t.head_dim = head_dim;
  t.rotary_dim = rotary_dim;
  t.rot_pad = Align16(rotary_dim);
  t.cos_sin_rows = static_cast<int32_t>(max_position);
  t.style = rope_style;
  t.dtype = x_dtype;
  // 5 tiles of heads_per_tile rows (2 in, 2 out, 1 F32) next to the cos/sin row and the rotator.
  const int64_t row_bytes = int64_t{t.rot_pad} * 4;
  const int64_t budget = kUbBytes - 9 * row_bytes;
  NPUKIT_CHECK(budget >= 5 * row_bytes, NPUKIT_ERR_ARGUMENT, "rope: rotary_dim %d does not fit the unified buffer",
               rotary_dim);
  t.heads_per_tile = static_cast<int32_t>(std::min<int64_t>({num_heads, budget / (5 * row_bytes), 4095}));
  DeviceBuffer tiling_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = static_cast<uint32_t>(std::min(num_tokens, kMaxBlockDim));
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_rope_kernel)(block_dim, Device::Stream(), Gm(x), Gm(positions),
                                                                   Gm(cos_sin), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_rope_kernel"));
  return Ok();
}
