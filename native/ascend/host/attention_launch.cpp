// Host launcher of the paged-attention kernel: re-checks the call (index tensors are copied to
// the host for that), builds the work-item table and the tiling, and launches.
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

extern "C" int npukit_ascend_paged_attention(
    const void* q, int q_dtype, int64_t q_numel,
    const void* k_cache, const void* v_cache, int cache_dtype, int64_t cache_numel,
    const int32_t* block_tables, int64_t block_tables_numel,
    const int32_t* seq_lens, const int32_t* query_start_loc, int num_seqs,
    const float* cos_sin, int64_t cos_sin_numel,
    void* out, int out_dtype, int64_t out_numel,
    int num_tokens, int num_heads, int num_kv_heads, int head_dim,
    int num_blocks, int block_size, int max_blocks_per_seq,
    int rope_style, int rotary_dim, float scale) {
  const npukit::contract::AttentionCall call{
      q, q_dtype, q_numel, k_cache, v_cache, cache_dtype, cache_numel, block_tables, block_tables_numel,
      seq_lens, query_start_loc, num_seqs, cos_sin, cos_sin_numel, out, out_dtype, out_numel,
      num_tokens, num_heads, num_kv_heads, head_dim, num_blocks, block_size, max_blocks_per_seq,
      rope_style, rotary_dim};
  const auto fail = [](int code, const char* fmt, auto... args) { return Fail(code, fmt, args...); };
  int max_position = 0;
  NPUKIT_TRY(npukit::contract::attention_sizes(call, max_position, fail));
  const bool rope = rope_style != NPUKIT_ROPE_NONE;

  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  std::vector<int32_t> tables, lens, starts;
  NPUKIT_TRY(CopyToHost(tables, block_tables, block_tables_numel));
  NPUKIT_TRY(CopyToHost(lens, seq_lens, num_seqs));
  NPUKIT_TRY(CopyToHost(starts, query_start_loc, int64_t{num_seqs} + 1));
  NPUKIT_TRY(npukit::contract::attention_indices(call, tables.data(), lens.data(), starts.data(), max_position, fail));
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
  t.num_blocks = num_blocks;
  t.block_size = block_size;
  t.max_blocks_per_seq = max_blocks_per_seq;
  t.num_seqs = num_seqs;
  t.rope_style = rope_style;
  t.rotary_dim = rope ? rotary_dim : 0;
  t.cos_sin_rows = rope ? max_position : 0;
  t.q_dtype = q_dtype;
  t.cache_dtype = cache_dtype;
  t.out_dtype = out_dtype;
  t.d_pad = Align16(head_dim);
  t.rot_pad = rope ? Align16(rotary_dim) : 16;
  t.scale = scale;
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
  uint8_t* cs = Gm(cos_sin);
  if (!rope) {
    NPUKIT_TRY(cos_sin_dummy.Create(32));  // the kernel never reads it without RoPE
    cs = cos_sin_dummy.get();
  }
  const uint32_t block_dim = static_cast<uint32_t>(std::min<int32_t>(t.num_items, kMaxBlockDim));
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_paged_attention_kernel)(
      block_dim, Device::Stream(), Gm(q), Gm(k_cache), Gm(v_cache), Gm(block_tables), Gm(seq_lens),
      Gm(query_start_loc), cs, items_dev.get(), Gm(out), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_paged_attention_kernel"));
  return Ok();
}
