// Host launchers of the KV cache write and standalone RoPE kernels.
#include <algorithm>
#include <vector>

#include "../kernels/tiling.h"
#include "contract_checks.h"
#include "kernels.h"
#include "runtime.h"

using namespace npukit::ascend;

namespace {

int32_t Align16(int32_t n) { return (n + 15) / 16 * 16; }

}  // namespace

extern "C" int npukit_ascend_write_kv(const npukit_write_kv_args* args) {
  const auto fail = [](int code, const char* fmt, auto... v) { return Fail(code, fmt, v...); };
  NPUKIT_CHECK(args != nullptr, NPUKIT_ERR_ARGUMENT, "write_kv: args is null");
  const npukit_write_kv_args& a = *args;
  npukit::contract::WriteKvDims d{};
  NPUKIT_TRY(npukit::contract::write_kv_sizes(a, NPUKIT_DEVICE, d, fail));
  const int num_tokens = d.num_tokens;
  const int64_t row = int64_t{d.num_kv_heads} * d.head_dim;
  const int64_t num_slots = int64_t{d.num_blocks} * d.block_size;
  NPUKIT_CHECK(row <= INT32_MAX && num_slots <= INT32_MAX, NPUKIT_ERR_ARGUMENT, "write_kv: sizes exceed 32 bits");

  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  std::vector<int32_t> slots_copy;
  const int32_t* slot_values;
  NPUKIT_TRY(HostIndices(a.slot_mapping, slots_copy, slot_values));
  NPUKIT_TRY(npukit::contract::write_kv_slots(d, slot_values, fail));
  std::vector<int32_t> slots(slot_values, slot_values + num_tokens);
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
  t.key_dtype = a.key.dtype;
  t.value_dtype = a.value.dtype;
  t.cache_dtype = a.k_cache.dtype;
  t.kv_layout = d.kv_layout;
  t.num_kv_heads = d.num_kv_heads;
  t.head_dim = d.head_dim;
  t.block_size = d.block_size;
  // A token's K (or V) is one contiguous piece of the cache in NHD, one piece per KV head in HND.
  const int64_t piece = d.kv_layout == NPUKIT_KV_HND ? d.head_dim : row;
  t.chunk = static_cast<int32_t>(std::min<int64_t>(piece, 8192));  // 5 buffers of 32 KB
  DeviceBuffer slots_dev, tiling_dev;
  NPUKIT_TRY(slots_dev.Create(slots.size() * sizeof(int32_t), slots.data()));
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = Device::BlockDim(num_tokens);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_write_kv_kernel)(
      block_dim, Device::Stream(), Gm(a.key.data), Gm(a.value.data), Gm(a.k_cache.data), Gm(a.v_cache.data), slots_dev.get(), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_write_kv_kernel"));
  return Ok();
}

extern "C" int npukit_ascend_rope(const npukit_rope_args* args) {
  const auto fail = [](int code, const char* fmt, auto... v) { return Fail(code, fmt, v...); };
  NPUKIT_CHECK(args != nullptr, NPUKIT_ERR_ARGUMENT, "rope: args is null");
  const npukit_rope_args& a = *args;
  npukit::contract::RopeDims d{};
  NPUKIT_TRY(npukit::contract::rope_sizes(a, NPUKIT_DEVICE, d, fail));

  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  std::vector<int32_t> pos_copy;
  const int32_t* pos;
  NPUKIT_TRY(HostIndices(a.positions, pos_copy, pos));
  NPUKIT_TRY(npukit::contract::rope_positions(d, pos, fail));
  const int num_tokens = d.num_tokens, num_heads = d.num_heads, rotary_dim = a.rotary_dim;
  if (a.rope_style == NPUKIT_ROPE_NONE || num_tokens == 0) return Ok();
  RopeTiling t{};
  t.num_tokens = num_tokens;
  t.num_heads = num_heads;
  t.head_dim = d.head_dim;
  t.rotary_dim = rotary_dim;
  t.rot_pad = Align16(rotary_dim);
  t.cos_sin_rows = static_cast<int32_t>(d.max_position);
  t.style = a.rope_style;
  t.dtype = a.x.dtype;
  // 5 tiles of heads_per_tile rows (2 in, 2 out, 1 F32) next to the cos/sin row and the rotator.
  const int64_t row_bytes = int64_t{t.rot_pad} * 4;
  const int64_t budget = kUbBytes - 9 * row_bytes;
  NPUKIT_CHECK(budget >= 5 * row_bytes, NPUKIT_ERR_ARGUMENT, "rope: rotary_dim %d does not fit the unified buffer",
               rotary_dim);
  t.heads_per_tile = static_cast<int32_t>(std::min<int64_t>({num_heads, budget / (5 * row_bytes), 4095}));
  DeviceBuffer tiling_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = Device::BlockDim(num_tokens);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_rope_kernel)(block_dim, Device::Stream(), Gm(a.x.data),
      Gm(a.positions.data), Gm(a.cos_sin.data), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_rope_kernel"));
  return Ok();
}
