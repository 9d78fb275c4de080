// Host launcher of the paged-attention kernel: re-checks the call (index tensors are read on the
// host for that: their host copies, else copies from the device), builds the work-item table and
// the tiling, and launches.
#include <algorithm>
#include <vector>

#include "../kernels/tiling.h"
#include "contract_checks.h"
#include "convert.h"
#include "kernels.h"
#include "runtime.h"

using namespace npukit::ascend;

namespace {

int32_t Align16(int32_t n) { return (n + 15) / 16 * 16; }

// The mixed cube kernel's tiling (paged_attention_cube.cpp) of 16-bit caches: one query row per
// item and up to 8 KV heads (at most 64 query heads: the vector cores hold half each), tiles of
// up to 256 slots as large as L0A/L0B/L0C, L1 and the vector cores' unified buffer allow. False
// when nothing fits (head dims past about 1000, a row pitch past the ND2NZ copy's 16 bits): the
// vector kernel runs then.
bool CubeTiling(AttentionTiling& t, int group, bool rope) {
  if (t.cache_dtype == NPUKIT_F32 || group > 64) return false;
  const int64_t pitch = t.kv_layout == NPUKIT_KV_HND ? t.head_dim : int64_t{t.num_kv_heads} * t.head_dim;
  if (pitch > 65535) return false;
  const int mp = Align16(group);
  const int dp = t.d_pad;
  const int low = t.cache_dtype == NPUKIT_BF16 ? 1 : 0;
  const int parts = rope ? 1 + low : 1;  // parts of the rotated keys
  const int half_rot_pad = t.half_rotate ? (t.rotary_dim / 2 + 7) / 8 * 8 : 0;
  for (int heads = std::min({t.num_kv_heads, 8, 64 / group}); heads >= 1; heads--) {
    const int nq = heads * group;
    const int out_rows = std::min(4, (nq + 1) / 2);
    for (int tile = 256; tile >= 16; tile -= 16) {
      const int64_t l0a = 2LL * mp * std::max(dp, tile) * 2;
      const int64_t l0b = int64_t{parts} * tile * dp * 2;
      const int64_t l0c = int64_t{mp} * std::max(dp, tile) * 4;
      const int64_t l1 = int64_t{heads} * 2 * mp * dp * 2 + int64_t{parts} * tile * dp * 2 + 2LL * mp * tile * 2 +
                         int64_t{tile} * dp * 2;
      if (l0a > 64 * 1024 || l0b > 64 * 1024 || l0c > 128 * 1024 || l1 > 512 * 1024) continue;
      for (int chunk = 16; chunk >= 1; chunk /= 2) {
        if (AttentionCubeUbBytes((nq + 1) / 2, tile, chunk, dp, t.rot_pad, half_rot_pad, rope, out_rows) > kUbBytes) {
          continue;
        }
        t.cube_tile = tile;
        t.m_pad = mp;
        t.low_parts = low;
        t.key_chunk = chunk;
        t.item_heads = heads;
        t.max_rows = 1;
        t.max_queries = nq;
        t.q_pad = Align16(nq);
        t.out_rows = out_rows;
        t.group_bytes =
            static_cast<int32_t>(CubeWorkspace(nq, heads, dp, t.head_dim, tile, t.low_parts, rope).bytes);
        return true;
      }
    }
  }
  return false;
}

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

  // Tiling. An item holds all query heads of up to item_heads KV heads for up to max_rows rows
  // (at most 32 query heads, or one KV head's G when G is larger: the per-tile score matrix and
  // the accumulators grow with them), and walks its KV range in tiles of up to 16 slots. When
  // the unified buffer is too small, the rows go first, then the product rounds, then the KV
  // tile down to 8 slots, then the KV heads, then the tile: the KV heads of an item are what
  // share a tile's cos/sin rows.
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
  t.half_rotate = rope_style == NPUKIT_ROPE_NEOX && (d.rotary_dim / 2) % 8 == 0 ? 1 : 0;
  t.scale = a.scale;
  t.kv_layout = d.kv_layout;
  const bool cube = CubeTiling(t, group, rope);
  const int elem = std::max(npukit::dtype_size(a.q.dtype), npukit::dtype_size(a.k_cache.dtype));
  int kv_tile = std::min(block_size, 16);
  int prod_slots = kv_tile;
  int heads = std::max(1, std::min(num_kv_heads, 32 / group));
  int rows = std::max(1, std::min(16, 32 / (group * heads)));
  const int half_rot_pad = t.half_rotate ? (d.rotary_dim / 2 + 7) / 8 * 8 : 0;
  auto ub_bytes = [&](int tile, int slots, int h, int r) {
    const int queries = r * h * group;
    const int q_pad = Align16(queries);
    const int out_rows = std::max(std::min(h * group, 4), (q_pad + t.d_pad - 1) / t.d_pad);
    return AttentionUbBytes(group, tile, slots, h, queries, r, t.d_pad, t.rot_pad, half_rot_pad, rope,
                            tile * t.d_pad * elem, out_rows);
  };
  while (!cube && ub_bytes(kv_tile, prod_slots, heads, rows) > kUbBytes) {
    if (rows > 1) {
      rows /= 2;
    } else if (prod_slots > std::max(1, kv_tile / 2)) {
      prod_slots = (prod_slots + 1) / 2;
    } else if (kv_tile > 8) {
      kv_tile /= 2;
      prod_slots = kv_tile;
    } else if (heads > 1) {
      heads = (heads + 1) / 2;
      prod_slots = kv_tile;
    } else if (kv_tile > 1) {
      kv_tile /= 2;
      prod_slots = kv_tile;
    } else {
      return Fail(NPUKIT_ERR_ARGUMENT, "paged_attention: head_dim %d with %d query heads per KV head does not fit "
                  "the %d-byte unified buffer", head_dim, group, kUbBytes);
    }
  }
  if (cube) {
    heads = t.item_heads;
    rows = 1;
  } else {
    t.kv_tile = kv_tile;
    t.prod_slots = prod_slots;
    t.t_pad = (kv_tile + 7) / 8 * 8;
    t.item_heads = heads;
    t.max_rows = rows;
    t.max_queries = rows * heads * group;
    t.q_pad = Align16(t.max_queries);
    t.stage_bytes = kv_tile * t.d_pad * elem;
    t.out_rows = std::max(std::min(heads * group, 4), (t.q_pad + t.d_pad - 1) / t.d_pad);
  }

  // Work items: (sequence, rows, KV heads) covering the KV range the rows see. When they are
  // fewer than the vector cores, each range is split at block boundaries into pieces of about
  // (all KV slots / cores) so that every core gets work. A boundary never passes the first row's
  // position: every row of the item then sees a slot of each piece.
  struct Base {
    int seq, row_begin, row_end, head0, heads, kv_end, first_row_pos;
  };
  std::vector<Base> bases;
  int64_t total_slots = 0;
  for (int s = 0; s < num_seqs; s++) {
    const int q_len = starts[s + 1] - starts[s];
    const int first_pos = lens[s] - q_len;
    for (int r = 0; r < q_len; r += rows) {
      const int re = std::min(q_len, r + rows);
      for (int h = 0; h < num_kv_heads; h += heads) {
        bases.push_back({s, r, re, h, std::min(heads, num_kv_heads - h), first_pos + re, first_pos + r});
        total_slots += first_pos + re;
      }
    }
  }
  // Vector kernel: one piece size for all ranges, about (all slots / vector cores). Cube kernel:
  // each range in p pieces, p (1 to 8) chosen so that the pieces fill the groups in as few
  // waves of the longest piece as it can (8 sequences x 8 KV heads on 24 groups: p = 3, 192
  // items in 8 full waves, where p = 1 leaves 64 items in 3 waves, the last a third full).
  const int64_t cores = cube ? Device::CubeCores() : Device::VectorCores();
  const int max_pieces = cube ? 8 : static_cast<int>(std::min<int64_t>(cores, 65535));
  const bool split = (cube || int64_t(bases.size()) < cores) &&
                     AttentionMergeUbBytes(t.max_queries, max_pieces, t.d_pad, t.out_rows) <= kUbBytes;
  const int64_t piece_blocks = std::max<int64_t>(1, (total_slots / cores + block_size - 1) / block_size);
  auto cube_piece = [&](const Base& b, int p) {
    return int64_t((b.kv_end + p - 1) / p + block_size - 1) / block_size * block_size;
  };
  auto bounds_of = [&](const Base& b, int64_t piece) {
    std::vector<int> bounds{0};
    for (int64_t x = piece; x <= b.first_row_pos && x < b.kv_end; x += piece) bounds.push_back(static_cast<int>(x));
    bounds.push_back(b.kv_end);
    return bounds;
  };
  int cube_p = 1;
  if (cube && split) {
    double best = 0;
    for (int p = 1; p <= max_pieces; p++) {
      int64_t count = 0, longest = 0;
      for (const Base& b : bases) {
        const std::vector<int> bounds = bounds_of(b, cube_piece(b, p));
        count += int64_t(bounds.size()) - 1;
        for (size_t i = 1; i < bounds.size(); i++) longest = std::max<int64_t>(longest, bounds[i] - bounds[i - 1]);
      }
      const double span = double((count + cores - 1) / cores) * double(longest);
      if (p == 1 || span < best * 0.98) {
        best = span;
        cube_p = p;
      }
    }
  }
  std::vector<int32_t> items, groups;
  int num_ws = 0, max_splits = 1;
  for (const Base& b : bases) {
    std::vector<int> bounds{0, b.kv_end};
    if (split) bounds = bounds_of(b, cube ? cube_piece(b, cube_p) : piece_blocks * block_size);
    const int pieces = static_cast<int>(bounds.size()) - 1;
    for (int i = 0; i < pieces; i++) {
      items.insert(items.end(), {b.seq, b.row_begin, b.row_end, b.head0, b.heads, bounds[i], bounds[i + 1],
                                 pieces == 1 ? -1 : num_ws + i});
    }
    if (pieces > 1) {
      groups.insert(groups.end(), {b.seq, b.row_begin, b.row_end, b.head0, b.heads, num_ws, pieces, 0});
      num_ws += pieces;
      max_splits = std::max(max_splits, pieces);
    }
  }
  t.num_items = static_cast<int32_t>(items.size() / kAttnItemWords);
  t.num_groups = static_cast<int32_t>(groups.size() / kAttnItemWords);
  t.num_ws = num_ws;
  t.max_splits = max_splits;

  DeviceBuffer items_dev, groups_dev, ws_dev, tiling_dev, cos_sin_dummy, cube_ws_dev;
  NPUKIT_TRY(items_dev.Create(items.size() * sizeof(int32_t), items.data()));
  NPUKIT_TRY(groups_dev.Create(groups.size() * sizeof(int32_t), groups.data()));
  const size_t ws_floats = num_ws > 0 ? size_t(num_ws) * (size_t(t.max_queries) * t.d_pad + 2 * size_t(t.q_pad)) : 8;
  NPUKIT_TRY(ws_dev.Create(ws_floats * sizeof(float)));
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  uint8_t* cs = Gm(a.cos_sin.data);
  if (!rope) {
    NPUKIT_TRY(cos_sin_dummy.Create(32));  // the kernel never reads it without RoPE
    cs = cos_sin_dummy.get();
  }
  // The bound of the cost model: the caches' slots, q, out, the cos/sin rows of every slot and
  // the split partials (written, then read by the merge), not the cube kernel's workspaces.
  uint64_t essential = (uint64_t(num_tokens) * num_heads * head_dim) *
                       (npukit::dtype_size(a.q.dtype) + npukit::dtype_size(a.out.dtype));
  for (int s = 0; s < num_seqs; s++) {
    if (starts[s + 1] == starts[s]) continue;
    essential += uint64_t(lens[s]) * num_kv_heads * head_dim * npukit::dtype_size(a.k_cache.dtype) * 2;
    if (rope) essential += uint64_t(lens[s]) * d.rotary_dim * 4;
  }
  essential += uint64_t(num_ws) * (uint64_t(t.max_queries) * head_dim + 2 * uint64_t(t.max_queries)) * 4 * 2;
  uint32_t status;
  if (cube) {
    const uint32_t groups_dim = Device::CubeBlockDim(t.num_items);
    NPUKIT_TRY(cube_ws_dev.Create(size_t(groups_dim) * size_t(t.group_bytes)));
    SetEssentialBytes(essential);
    // The groups' hand-overs between cube and vector cores (queries, rotated keys, S, P, P.V),
    // each written and read back within a tile; the split partials (ws_dev) are the merge
    // launch's input, not a workspace.
    SetWorkspaces({&cube_ws_dev});
    status = ACLRT_LAUNCH_KERNEL(npukit_paged_attention_cube_kernel)(
        groups_dim, Device::Stream(), Gm(a.q.data), Gm(a.k_cache.data), Gm(a.v_cache.data), Gm(a.block_tables.data),
        Gm(a.seq_lens.data), Gm(a.query_start_loc.data), cs, items_dev.get(), ws_dev.get(), cube_ws_dev.get(),
        Gm(a.out.data), tiling_dev.get());
    NPUKIT_TRY(FinishLaunch(status, "npukit_paged_attention_cube_kernel"));
  } else {
    SetEssentialBytes(essential);
    status = ACLRT_LAUNCH_KERNEL(npukit_paged_attention_kernel)(
        Device::BlockDim(t.num_items), Device::Stream(), Gm(a.q.data), Gm(a.k_cache.data), Gm(a.v_cache.data),
        Gm(a.block_tables.data), Gm(a.seq_lens.data), Gm(a.query_start_loc.data), cs, items_dev.get(), ws_dev.get(),
        Gm(a.out.data), tiling_dev.get());
    NPUKIT_TRY(FinishLaunch(status, "npukit_paged_attention_kernel"));
  }
  if (t.num_groups > 0) {
    status = ACLRT_LAUNCH_KERNEL(npukit_paged_attention_merge_kernel)(
        Device::BlockDim(t.num_groups), Device::Stream(), groups_dev.get(), Gm(a.query_start_loc.data), ws_dev.get(),
        Gm(a.out.data), tiling_dev.get());
    NPUKIT_TRY(FinishLaunch(status, "npukit_paged_attention_merge_kernel", true));
  }
  return Ok();
}
