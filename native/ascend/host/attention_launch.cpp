// Host launcher of the paged-attention kernel: re-checks the call (index tensors are copied to
// the host for that), builds the work-item table and the tiling, and launches.
#include <algorithm>
#include <vector>

#include "../kernels/tiling.h"
#include "kernels.h"
#include "npukit/ascend.h"
#include "runtime.h"

using namespace npukit::ascend;

namespace {

bool IsFloat(int dtype) { return dtype == NPUKIT_F32 || dtype == NPUKIT_F16 || dtype == NPUKIT_BF16; }
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
  NPUKIT_CHECK(q && k_cache && v_cache && out && block_tables && seq_lens && query_start_loc, NPUKIT_ERR_ARGUMENT,
               "paged_attention: a required buffer is null");
  NPUKIT_CHECK(IsFloat(q_dtype) && IsFloat(cache_dtype) && IsFloat(out_dtype), NPUKIT_ERR_ARGUMENT,
               "paged_attention: q, cache and out must be F32, F16 or BF16");
  NPUKIT_CHECK(num_tokens >= 0 && num_heads > 0 && num_kv_heads > 0 && head_dim > 0 && num_seqs >= 0 &&
                   num_blocks >= 0 && block_size > 0 && max_blocks_per_seq >= 0,
               NPUKIT_ERR_ARGUMENT, "paged_attention: sizes must be positive");
  NPUKIT_CHECK(num_heads % num_kv_heads == 0, NPUKIT_ERR_ARGUMENT,
               "paged_attention: num_kv_heads %d does not divide num_heads %d", num_kv_heads, num_heads);
  NPUKIT_CHECK(q_numel == int64_t{num_tokens} * num_heads * head_dim, NPUKIT_ERR_BOUNDS,
               "paged_attention: q has %lld elements, expected %lld", (long long)q_numel,
               (long long)(int64_t{num_tokens} * num_heads * head_dim));
  NPUKIT_CHECK(out_numel == q_numel, NPUKIT_ERR_BOUNDS, "paged_attention: out has %lld elements, expected %lld",
               (long long)out_numel, (long long)q_numel);
  NPUKIT_CHECK(cache_numel == int64_t{num_blocks} * block_size * num_kv_heads * head_dim, NPUKIT_ERR_BOUNDS,
               "paged_attention: cache has %lld elements, expected %lld", (long long)cache_numel,
               (long long)(int64_t{num_blocks} * block_size * num_kv_heads * head_dim));
  NPUKIT_CHECK(block_tables_numel == int64_t{num_seqs} * max_blocks_per_seq, NPUKIT_ERR_BOUNDS,
               "paged_attention: block_tables has %lld elements, expected %lld", (long long)block_tables_numel,
               (long long)(int64_t{num_seqs} * max_blocks_per_seq));
  int max_position = 0;
  const bool rope = rope_style != NPUKIT_ROPE_NONE;
  if (rope) {
    NPUKIT_CHECK(rope_style == NPUKIT_ROPE_NEOX || rope_style == NPUKIT_ROPE_GPTJ, NPUKIT_ERR_ARGUMENT,
                 "paged_attention: unknown rope_style %d", rope_style);
    NPUKIT_CHECK(cos_sin != nullptr, NPUKIT_ERR_ARGUMENT, "paged_attention: cos_sin is null");
    NPUKIT_CHECK(rotary_dim > 0 && rotary_dim % 2 == 0 && rotary_dim <= head_dim, NPUKIT_ERR_ARGUMENT,
                 "paged_attention: rotary_dim %d must be even, positive and <= head_dim %d", rotary_dim, head_dim);
    NPUKIT_CHECK(cos_sin_numel % rotary_dim == 0, NPUKIT_ERR_BOUNDS,
                 "paged_attention: cos_sin size %lld is not a multiple of rotary_dim", (long long)cos_sin_numel);
    max_position = static_cast<int>(cos_sin_numel / rotary_dim);
  }

  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  std::vector<int32_t> tables, lens, starts;
  NPUKIT_TRY(CopyToHost(tables, block_tables, block_tables_numel));
  NPUKIT_TRY(CopyToHost(lens, seq_lens, num_seqs));
  NPUKIT_TRY(CopyToHost(starts, query_start_loc, int64_t{num_seqs} + 1));
  NPUKIT_CHECK(starts[0] == 0 && starts[num_seqs] == num_tokens, NPUKIT_ERR_BOUNDS,
               "paged_attention: query_start_loc must run from 0 to num_tokens %d", num_tokens);
  for (int s = 0; s < num_seqs; s++) {
    const int q_len = starts[s + 1] - starts[s];
    const int len = lens[s];
    NPUKIT_CHECK(q_len >= 0, NPUKIT_ERR_BOUNDS, "paged_attention: query_start_loc decreases at sequence %d", s);
    NPUKIT_CHECK(len >= q_len && int64_t{len} <= int64_t{max_blocks_per_seq} * block_size, NPUKIT_ERR_BOUNDS,
                 "paged_attention: seq_lens[%d] = %d is outside [%d, %lld]", s, len, q_len,
                 (long long)(int64_t{max_blocks_per_seq} * block_size));
    if (q_len == 0) continue;
    NPUKIT_CHECK(!rope || len <= max_position, NPUKIT_ERR_BOUNDS,
                 "paged_attention: sequence %d needs %d positions, cos_sin has %d", s, len, max_position);
    const int used = static_cast<int>((int64_t{len} + block_size - 1) / block_size);
    for (int b = 0; b < used; b++) {
      const int32_t id = tables[int64_t{s} * max_blocks_per_seq + b];
      NPUKIT_CHECK(id >= 0 && id < num_blocks, NPUKIT_ERR_BOUNDS,
                   "paged_attention: block_tables[%d][%d] = %d is outside [0, %d)", s, b, id, num_blocks);
    }
  }
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
