// Host launcher of the paged-attention kernel: re-checks the call (index tensors are read on the
// host for that: their host copies, else copies from the device), builds the work-item table and
// the tiling, and launches.
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

extern "C" int npukit_ascend_paged_attention(const npukit_attention_args* args) {
  const auto fail = [](int code, const char* fmt, auto... v) { return Fail(code, fmt, v...); };
  NPUKIT_CHECK(args != nullptr, NPUKIT_ERR_ARGUMENT, "paged_attention: args is null");
  const npukit_attention_args& a = *args;
  npukit::contract::AttentionDims d{};
  NPUKIT_TRY(npukit::contract::attention_sizes(a, NPUKIT_DEVICE, d, fail));
  const int rope_style = a.rope_style;
  const bool rope = rope_style != NPUKIT_ROPE_NONE;

  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  std::vector<int32_t> tables_copy, lens_copy, starts_copy;
  const int32_t *tables, *lens, *starts;
  NPUKIT_TRY(HostIndices(a.block_tables, tables_copy, tables));
  NPUKIT_TRY(HostIndices(a.seq_lens, lens_copy, lens));
  NPUKIT_TRY(HostIndices(a.query_start_loc, starts_copy, starts));
  NPUKIT_TRY(npukit::contract::attention_indices(d, rope_style, tables, lens, starts, fail));
  const int num_tokens = d.num_tokens, num_heads = d.num_heads, num_kv_heads = d.num_kv_heads;
  const int head_dim = d.head_dim, num_seqs = d.num_seqs, block_size = d.block_size;
  if (num_tokens == 0) return Ok();

  // Tiling: the largest KV tile (up to 64 slots, within a cache block) and query-row count per
  // item (up to 16 rows, at most 64 queries) whose buffers fit the unified buffer; the KV tile
  // is shrunk first, because queries shared per key row are what saves bandwidth.
  const int group = num_heads / num_kv_heads;
  NPUKIT_CHECK(group <= 64, NPUKIT_ERR_ARGUMENT, "paged_attention: %d query heads per KV head, at most 64", group);
  AttentionTiling t{};
  t.num_tokens = num_tokens;
  t.num_heads = num_heads;
  t.num_kv_heads = num_kv_heads;
  t.head_dim = head_dim;
  t.num_blocks = d.num_blocks;
  t.block_size = block_size;
  t.max_blocks_per_seq = d.max_blocks_per_seq;
  t.num_seqs = num_seqs;
  t.rope_style = rope_style;
  t.rotary_dim = d.rotary_dim;
  t.cos_sin_rows = d.max_position;
  t.q_dtype = a.q.dtype;
  t.cache_dtype = a.k_cache.dtype;
  t.out_dtype = a.out.dtype;
  t.d_pad = Align16(head_dim);
  t.rot_pad = rope ? Align16(d.rotary_dim) : 16;
  t.scale = a.scale;
  t.kv_layout = d.kv_layout;
  t.kv_tile = std::min(block_size, 64);
  t.max_rows = std::max(1, std::min(16, 64 / group));
  while (AttentionUbBytes(group, t.kv_tile, t.max_rows, t.d_pad, t.rot_pad, rope) > kUbBytes) {
    if (t.kv_tile > 8) {
      t.kv_tile /= 2;
    } else if (t.max_rows > 1) {
      t.max_rows /= 2;
    } else if (t.kv_tile > 1) {
      t.kv_tile /= 2;
    } else {
      return Fail(NPUKIT_ERR_ARGUMENT, "paged_attention: head_dim %d with %d query heads per KV head does not fit "
                  "the %d-byte unified buffer", head_dim, group, kUbBytes);
    }
  }
  std::vector<int32_t> items;
  for (int s = 0; s < num_seqs; s++) {
    const int q_len = starts[s + 1] - starts[s];
    for (int r = 0; r < q_len; r += t.max_rows) {
      for (int h = 0; h < num_kv_heads; h++) {
        items.insert(items.end(), {s, h, r, std::min(q_len, r + t.max_rows)});
      }
    }
  }
  t.num_items = static_cast<int32_t>(items.size() / 4);

  DeviceBuffer items_dev, tiling_dev, cos_sin_dummy;
  NPUKIT_TRY(items_dev.Create(items.size() * sizeof(int32_t), items.data()));
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  uint8_t* cs = Gm(a.cos_sin.data);
  if (!rope) {
    NPUKIT_TRY(cos_sin_dummy.Create(32));  // the kernel never reads it without RoPE
    cs = cos_sin_dummy.get();
  }
  const uint32_t block_dim = Device::BlockDim(t.num_items);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_paged_attention_kernel)(
      block_dim, Device::Stream(), Gm(a.q.data), Gm(a.k_cache.data), Gm(a.v_cache.data), Gm(a.block_tables.data),
      Gm(a.seq_lens.data), Gm(a.query_start_loc.data), cs, items_dev.get(), Gm(a.out.data), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_paged_attention_kernel"));
  return Ok();
}
