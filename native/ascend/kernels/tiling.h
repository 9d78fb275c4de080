// Tiling of every npukit AscendC kernel: computed on the host (native/ascend/host), copied to
// device memory and read by the kernel as 32-bit words (see LoadTiling in kernel_common.h).
// Plain structs of 32-bit fields only, so host and device agree on the layout.
#ifndef NPUKIT_ASCEND_TILING_H
#define NPUKIT_ASCEND_TILING_H

#include <stdint.h>

namespace npukit {
namespace ascend {

// Unified buffer of one AI core on Atlas A2 (Ascend 910B): 192 KB. The host sizes every tile
// against it; the emulator enforces it.
constexpr int32_t kUbBytes = 192 * 1024;

// Bytes of a tiling struct's copy in the unified buffer (kernel_common.h LoadTilingUb), in the
// 32-byte units TPipe hands out.
template <class T>
constexpr uint32_t TilingUbBytes() {
  return (sizeof(T) + 31) / 32 * 32;
}

// Paged attention. A work item = (sequence, query rows [row_begin, row_end), KV heads [head0,
// head0 + heads), KV slots [slot_begin, slot_end)): the item walks its slot range in tiles of
// kv_tile slots (never crossing a cache block) for all its KV heads, so the cos/sin rows of a
// tile are read once for all of them. A sequence's range may be split over several items
// (flash-decoding): such an item writes its unnormalised accumulators and softmax statistics to
// a workspace, and a second launch (the merge kernel) combines the splits of a group. The item
// table [num_items][kAttnItemWords] and the group table [num_groups][kAttnItemWords] are built
// on the host from seq_lens/query_start_loc.
constexpr int32_t kAttnItemWords = 8;
// Item words: sequence, row_begin, row_end, head0, heads, slot_begin, slot_end, workspace index
// (-1: the item covers the whole range and writes the output). Group words: sequence,
// row_begin, row_end, head0, heads, first workspace index, splits, unused.
struct AttentionTiling {
  int32_t num_items, num_groups, num_ws;  // items, merge groups, workspace entries
  int32_t num_tokens, num_heads, num_kv_heads, head_dim;
  int32_t num_blocks, block_size, max_blocks_per_seq, num_seqs;
  int32_t rope_style, rotary_dim, cos_sin_rows;
  int32_t q_dtype, cache_dtype, out_dtype;
  int32_t kv_tile;      // KV slots per tile (<= block_size)
  int32_t prod_slots;   // slots per round of score products (<= kv_tile)
  int32_t t_pad;        // kv_tile rounded up to 8: the row stride of the per-tile score matrix
  int32_t max_rows;     // query rows per item
  int32_t item_heads;   // KV heads per item (the last head chunk may have fewer)
  int32_t max_queries;  // max_rows * item_heads * group: query heads an item holds
  int32_t q_pad;        // max_queries rounded up to 16: the row length of a workspace's m and l
  int32_t d_pad;        // UB row stride of head rows, head_dim rounded up to 16 elements
  int32_t rot_pad;      // UB row stride of cos/sin rows, rotary_dim rounded up to 16
  int32_t half_rotate;  // 1: NEOX with rotary_dim / 2 a multiple of 8, rotated half against half
  int32_t stage_bytes;  // bytes of the K (or V) rows of one staging buffer, which holds both
  int32_t out_rows;     // rows per output copy
  int32_t max_splits;   // splits of the largest merge group
  float scale;
  int32_t kv_layout;  // enum npukit_kv_layout of the caches
  // The mixed cube kernel (paged_attention_cube.cpp; 0 in cube_tile: the vector kernel runs).
  int32_t cube_tile;   // KV slots per tile, a multiple of 16 (<= 256)
  int32_t m_pad;       // query heads per KV head (G) rounded up to 16: the rows of the cube's products
  int32_t low_parts;   // 1 (BF16 caches): probabilities and rotated keys go to the cube as two 16-bit parts
  int32_t key_chunk;   // key rows the vector cores rotate at a time
  int32_t group_bytes;  // bytes of one group's cube workspace (AttentionCubeWs)
};

// One group's workspace of the cube kernel (byte offsets, 512-byte aligned) for `queries` =
// item_heads x G query rows (query q of KV head h at row h x G + q), in the cache's 16-bit dtype
// unless F32: Q as two parts [2][queries][d_pad]; rotated keys [heads][1 + low_parts][tile]
// [head_dim]; scores S [queries][tile] F32; probabilities P as two parts [2][queries][tile];
// the tile's P.V [queries][d_pad] F32.
struct AttentionCubeWs {
  int64_t q, k, s, p, o, bytes;
};
inline AttentionCubeWs CubeWorkspace(int32_t queries, int32_t heads, int32_t d_pad, int32_t head_dim, int32_t tile,
                                     int32_t low_parts, bool rope) {
  auto a512 = [](int64_t b) { return (b + 511) / 512 * 512; };
  AttentionCubeWs w{};
  w.q = 0;
  w.k = a512(2 * int64_t{queries} * d_pad * 2);
  w.s = w.k + (rope ? a512(int64_t{heads} * (1 + low_parts) * tile * head_dim * 2) : 0);
  w.p = w.s + a512(int64_t{queries} * tile * 4);
  w.o = w.p + a512(2 * int64_t{queries} * tile * 2);
  w.bytes = w.o + a512(int64_t{queries} * d_pad * 4);
  return w;
}

// Unified-buffer bytes of one vector core of the cube kernel: `rows` query rows at most (its
// half of m), key_chunk key rows rotated at a time.
inline int64_t AttentionCubeUbBytes(int32_t rows, int32_t tile, int32_t key_chunk, int32_t d_pad, int32_t rot_pad,
                                    int32_t half_rot_pad, bool rope, int32_t out_rows) {
  auto r32 = [](int64_t b) { return (b + 31) / 32 * 32; };
  const int64_t t_pad = (tile + 7) / 8 * 8;
  int64_t stage = r32(int64_t{rows} * d_pad * 4);
  if (r32(int64_t{rows} * t_pad * 4) > stage) stage = r32(int64_t{rows} * t_pad * 4);
  if (rope && r32(int64_t{key_chunk} * d_pad * 4) > stage) stage = r32(int64_t{key_chunk} * d_pad * 4);
  if (rope && r32(int64_t{key_chunk} * rot_pad * 4) > stage) stage = r32(int64_t{key_chunk} * rot_pad * 4);
  if (r32(int64_t{out_rows} * d_pad * 4) > stage) stage = r32(int64_t{out_rows} * d_pad * 4);
  int64_t bytes = 4 * stage;                                  // in and out queues, 2 buffers each
  bytes += 3 * r32(int64_t{rows} * d_pad * 4);                // queries, accumulators, the tile's P.V
  bytes += r32(int64_t{rows} * t_pad * 4);                    // scores / probabilities
  bytes += r32(int64_t{rows} * (d_pad > t_pad ? d_pad : t_pad) * 4);  // low parts
  bytes += r32(int64_t{rows} * (d_pad > t_pad ? d_pad : t_pad) * 2);  // rounded high parts
  if (rope) {
    bytes += 2 * r32(int64_t{key_chunk} * d_pad * 4);         // keys, their low parts
    bytes += r32(int64_t{key_chunk} * d_pad * 2);             // rounded keys
    bytes += r32(4 * int64_t{key_chunk} * half_rot_pad * 4);  // rotation temporaries
    bytes += 8 * r32(int64_t{rot_pad} * 4);                   // Rotator
  }
  bytes += 2 * r32(int64_t{rows} * 32) + r32((int64_t{t_pad} / 8 + 16) * 4) + 32;  // reduce slots, work, exp
  bytes += 2 * r32((int64_t{rows} + 7) / 8 * 8 * 4);                                 // m and l staging
  return bytes;
}

// Unified-buffer bytes of the attention kernel (every buffer rounded to 32 bytes, as InitBuffer
// does), for kv_tile slots, prod_slots, `queries` = max_queries, `heads` = item_heads, `rows` =
// max_rows, half_rot_pad = rotary_dim / 2 rounded up to 8 with half_rotate (else 0), and the
// bytes of one staging buffer's K rows. The host picks kv_tile, max_rows and item_heads so that
// this fits kUbBytes.
inline int64_t AttentionUbBytes(int32_t group, int32_t kv_tile, int32_t prod_slots, int32_t heads, int32_t queries,
                                int32_t rows, int32_t d_pad, int32_t rot_pad, int32_t half_rot_pad, bool rope,
                                int32_t stage_bytes, int32_t out_rows) {
  auto r32 = [](int64_t b) { return (b + 31) / 32 * 32; };
  const int64_t t_pad = (kv_tile + 7) / 8 * 8;
  const int64_t q_pad = (queries + 15) / 16 * 16;
  const int64_t per_head_queries = int64_t{rows} * group;
  int64_t bytes = 0;
  bytes += 2 * r32(2 * int64_t{stage_bytes});                      // K+V queue, double-buffered
  bytes += 2 * r32(int64_t{out_rows} * d_pad * 4);                  // output queue
  bytes += r32(int64_t{kv_tile} * d_pad * 4);                      // K tile in F32 (one head)
  bytes += r32(int64_t{heads} * kv_tile * d_pad * 4);              // V tiles in F32 (all heads)
  bytes += 2 * r32(q_pad * d_pad * 4);                             // queries, accumulators
  const int64_t products = per_head_queries * prod_slots * d_pad * 4;
  const int64_t rot_temps = 4 * int64_t{kv_tile} * half_rot_pad * 4;  // half_rot_pad 0 without half rotation
  bytes += r32(products > rot_temps ? products : rot_temps);       // products / rotation temporaries
  bytes += r32(per_head_queries * t_pad * 32);                     // ReduceSum result slots (one KV head)
  bytes += 2 * r32(q_pad * t_pad * 4);                             // scores, broadcast maxima
  bytes += r32(int64_t{group} * t_pad * 4) + r32(q_pad * t_pad * 4) + r32(q_pad * 4);  // Gather offset tables
  bytes += 6 * r32(q_pad * 4) + 2 * q_pad * 32;                    // m (2), l, shift/corr, max, sum; slots
  bytes += r32((int64_t{d_pad} / 8 + 16) * 4);                     // reduce work
  if (rope) bytes += r32(int64_t{kv_tile} * rot_pad * 4) + 8 * r32(int64_t{rot_pad} * 4);  // cos/sin, Rotator
  return bytes;
}

// Unified-buffer bytes of the merge kernel for `queries` query heads per group and `splits`
// splits at most.
inline int64_t AttentionMergeUbBytes(int32_t queries, int32_t splits, int32_t d_pad, int32_t out_rows) {
  auto r32 = [](int64_t b) { return (b + 31) / 32 * 32; };
  const int64_t q_pad = (queries + 15) / 16 * 16;
  const int64_t acc = r32(q_pad * d_pad * 4);
  const int64_t ml = r32(int64_t{splits} * 2 * q_pad * 4);
  const int64_t in = acc > ml ? acc : ml;
  return 2 * in + ml + 2 * acc + 2 * r32(int64_t{splits} * q_pad * 4) + r32(q_pad * 4) +
         2 * r32(int64_t{out_rows} * d_pad * 4);
}

struct WriteKvTiling {
  int32_t num_tokens, row;  // row = num_kv_heads * head_dim
  int32_t num_slots;
  int32_t key_dtype, value_dtype, cache_dtype;
  int32_t chunk;  // elements per tile of a piece
  int32_t kv_layout;  // enum npukit_kv_layout of the caches
  int32_t num_kv_heads, head_dim, block_size;
};

struct RopeTiling {
  int32_t num_tokens, num_heads, head_dim, rotary_dim, rot_pad, cos_sin_rows;
  int32_t style, dtype;
  int32_t heads_per_tile;
};

struct ContrastiveTiling {
  int32_t batch, vocab, dtype, top_k, sampling;
  int32_t expert_rows, base_rows;  // rows of the two [*, vocab] buffers
  int32_t expert_first, expert_stride, base_first, base_stride;
  // Work item = (row, chunk of `chunk` vocabulary entries); a chunk is walked in tiles of `tile`
  // entries. Both are multiples of 64 (Compare works on whole 256-byte repeats of F32), so only a
  // row's last tile can end inside a repeat.
  int32_t chunk, chunks;  // entries per chunk, chunks per row
  int32_t tile, chunk_tiles;  // entries per tile, tiles per (full) chunk
  // Top-k workspace: per (row, chunk, tile) a segment of topk_seg elements holding up to
  // topk_cap = min(top_k, tile) candidates; topk_seg = topk_cap rounded up to 16 (64 bytes), so
  // segments never share a 64-byte line.
  int32_t topk_cap, topk_seg;
  float ln_alpha, beta, temperature;
};

// Workspaces of contrastive scoring. Statistics (F32, written by the max launch): per row,
// `chunks` chunk maxima. Results (I32, per
// row and chunk, kChunkWords words): the chunk's best index (-1: none) and its score bits (in
// sampling: the best key's token and cd), its valid count, its lowest valid index (-1: none),
// its status, the best sampling key's bits.
constexpr int32_t kChunkWords = 8;
constexpr int32_t kChunkBest = 0, kChunkScore = 1, kChunkValid = 2, kChunkFirstValid = 3, kChunkStatus = 4,
                  kChunkKey = 5;

// Status of a row's chunk.
constexpr int32_t kRowOk = 0;
constexpr int32_t kRowExpertNaN = 1;
constexpr int32_t kRowBaseNaN = 2;

// 16-bit words of one contrastive bit mask for tiles of `tile` entries: a power of two, at least
// 16 (the kernel halves masks with And down to 16 words).
inline int32_t ContrastiveMaskWords(int32_t tile) {
  int32_t w = 16;
  while (w < tile / 16) w *= 2;
  return w;
}

// The scoring launch takes the maximum of each part of kContrastivePart entries of a tile, so
// the index look-up of the best entry compares one part only; each part's ReduceMax has its own
// work slot of kContrastivePartWork F32 (one partial result per 64 entries, whole 32-byte blocks).
constexpr int32_t kContrastivePart = 1024;
constexpr int32_t kContrastivePartWork = 16;
inline int32_t ContrastiveParts(int32_t tile) { return (tile + kContrastivePart - 1) / kContrastivePart; }

// Unified-buffer bytes of the scoring launch (the larger of the two) for tiles of `tile` entries
// of in_bytes each, `chunks` chunks per row and top-k segments of topk_seg elements (0: no
// top-k): every buffer rounded to 32 bytes, as TPipe hands them out.
inline int64_t ContrastiveUbBytes(int32_t tile, int32_t in_bytes, int32_t chunks, int32_t topk_seg) {
  const auto r = [](int64_t b) { return (b + 31) / 32 * 32; };
  int64_t bytes = TilingUbBytes<ContrastiveTiling>();
  bytes += 2 * 2 * r(int64_t{tile} * in_bytes);  // expert and base staging queues, 2 buffers each
  bytes += 3 * r(int64_t{tile} * 4);              // F32 tiles: two of cd in turn, the base
  bytes += r(int64_t{8} * ContrastiveMaskWords(tile) * 2);
  bytes += r(int64_t{ContrastiveParts(tile)} * kContrastivePartWork * 4);  // reduction work
  bytes += r(int64_t{ContrastiveParts(tile)} * 32);                         // reduction results
  bytes += 2 * r((chunks + 7) / 8 * 8 * 4);       // a row's chunk maxima
  bytes += 2 * r(kChunkWords * 4);               // a chunk's results
  if (topk_seg > 0) bytes += 2 * r(int64_t{topk_seg} * 4);
  return bytes;
}

// Dot products of rows against `out_dim` weight rows, tiled over the reduction dimension: BGMV
// shrink (weights = A[idx[b]]) and matmul (weights = W). Work item = (row group, output tile).
struct DotTiling {
  int32_t batch, in_dim, out_dim, num_mats;  // shrink: h_in, rank, num_loras
  int32_t x_dtype, w_dtype;
  int32_t num_groups;  // row groups in the group table
  int32_t k_tile;      // reduction elements per tile
  int32_t n_tile;      // output elements per tile
  int32_t n_tiles;     // tiles of the output dimension (work items = num_groups * n_tiles)
  int32_t has_bias;    // matmul: 1 when an F32 bias [out_dim] is added to the finished sums
  float scale;
};

// Rows of one group: they share the weight matrix, so its tiles are read once for all of them
// (dot_rows.h says why two).
constexpr int32_t kMaxGroupRows = 2;

// The group table (I32, built on the host from the adapter indices): num_groups + 1 offsets into
// the row list, then each group's weight matrix (-1: rows without an adapter), then the row list
// (every batch row at most once).
inline int64_t DotGroupWords(int32_t num_groups, int32_t batch) { return 2 * int64_t{num_groups} + 1 + batch; }
// Words of the group table: group g's rows are entries [word g, word g + 1) of the row list; its
// matrix; entry r of the row list.
inline int64_t GroupMatWord(int32_t num_groups, int32_t g) { return int64_t{num_groups} + 1 + g; }
inline int64_t GroupRowWord(int32_t num_groups, int32_t r) { return 2 * int64_t{num_groups} + 1 + r; }

// Unified-buffer bytes of the dot-product kernel (BGMV shrink, matmul).
inline int64_t DotUbBytes(int32_t n_tile, int32_t k_tile) {
  const int64_t kp = (k_tile + 15) / 16 * 16;
  const int64_t np = (n_tile + 15) / 16 * 16;
  int64_t bytes = 0;
  bytes += 4 * int64_t{n_tile} * kp * 4;        // weight tile queue (2 buffers), its F32 copy, products
  bytes += 3 * kMaxGroupRows * kp * 4;          // per group row: x queue (2) and x in F32
  bytes += kp * 4;                              // reduce work
  bytes += (kMaxGroupRows + 3) * np * 4;        // accumulators, y out queue, matmul bias
  bytes += kMaxGroupRows * int64_t{n_tile} * 32;  // one 32-byte ReduceSum result slot per output
  return bytes;
}

// BGMV shrink on the cube (x and A of one dtype): y = scale * x . A[idx]^T. Launch 1 (cube cores):
// work item = (row group, tile of n_tile of the rank outputs, piece of split_len of the in_dim
// reduction elements); a group is up to kCubeGroupRows rows with the same adapter. Its partial
// sums go to a workspace ws [splits][batch][rank] (F32). Launch 2 (vector cores): per tile of
// merge_rows batch rows, y = scale * (ws[0] + ws[1] + ...), in split order; rows without an
// adapter get zeros.
constexpr int32_t kCubeGroupRows = 64;
struct ShrinkCubeTiling {
  int32_t batch, in_dim, rank, num_mats, dtype;  // dtype of x and A
  int32_t num_groups;                            // row groups with an adapter
  int32_t splits, split_len;           // pieces of the reduction dimension, elements each (a multiple of 16)
  int32_t k_tile;                      // reduction elements per L1/L0 tile (a multiple of 16)
  int32_t n_tile, n_tiles;             // rank outputs per tile (a multiple of 16), tiles
  int32_t m_pad;                       // rows of the largest group rounded up to 16
};

// The cube launch's group table (I32, built on the host): per group its first entry in the row
// list, its rows and its adapter, then the row list (the batch rows with an adapter, grouped).
inline int64_t ShrinkGroupWords(int32_t num_groups, int32_t batch) { return 3 * int64_t{num_groups} + batch; }

struct ShrinkMergeTiling {
  int32_t batch, rank, splits;
  int32_t merge_rows;  // batch rows per work item
  int32_t rank_pad;    // UB row stride: rank rounded up to 8 (32 bytes of F32)
  float scale;
};

// Unified-buffer bytes of the merge launch.
inline int64_t ShrinkMergeUbBytes(int32_t splits, int32_t merge_rows, int32_t rank_pad) {
  const int64_t tile = int64_t{merge_rows} * rank_pad * 4;
  return TilingUbBytes<ShrinkMergeTiling>() + 2 * splits * tile + tile + 2 * tile;  // partial sums (2 buffers), the sum, the out queue (2)
}

// BGMV expand: y[b, off + n] += sum_k W[idx[b], n, k] * v[b, k] as Axpy over output tiles. Work
// item = (group of rows sharing an adapter, tile of n_tile outputs). The table is the group table
// of DotGroupWords (rows with index -1 form the groups before first_group and get no item), then
// the n_tile Gather offsets.
struct ExpandTiling {
  int32_t num_groups;   // groups in the group table
  int32_t first_group;  // the first group with an adapter (work items = (num_groups - first_group) * n_tiles)
  int32_t rank, h_out, num_mats;
  int32_t v_dtype, w_dtype, y_dtype;
  int32_t y_row, y_offset;
  int32_t n_tile;   // output elements per tile
  int32_t n_tiles;  // tiles per row
  int32_t batch;
};

// Unified-buffer bytes of the expand kernel: a group's rows go through the same buffers one after
// another, so the group size does not enter.
inline int64_t ExpandUbBytes(int32_t n_tile, int32_t rank, int32_t w_size) {
  const int64_t np = (n_tile + 63) / 64 * 64;
  const int64_t wt = (int64_t{n_tile} * rank + 15) / 16 * 16;
  const int64_t rp = (rank + 15) / 16 * 16;
  int64_t bytes = TilingUbBytes<ExpandTiling>();
  bytes += 2 * wt * w_size + wt * 4;   // weight tile queue (2 buffers, W's dtype) and its F32 copy
  bytes += int64_t{rank} * np * 4;     // the tile's columns (Gather)
  bytes += np * 4;                     // Gather offsets
  bytes += 3 * rp * 4;                 // v queue (2) and v in F32
  bytes += 5 * np * 4;                 // y in queue (2), y in F32, y out queue (2)
  bytes += 4 * np * 4;                 // four accumulators
  return bytes;
}

// BGMV expand on the cube: one mixed AIC+AIV launch (bgmv_expand_cube.cpp). Work item = (group of
// up to kCubeGroupRows rows with one adapter, fewer when v's parts would not fit L0A, piece of
// n_piece of the h_out outputs), walked in tiles of n_tile outputs. The group table is the cube shrink's (ShrinkGroupWords). Per group of cores
// a workspace of group_bytes: v's rows in W's dtype as `parts` parts [parts][ws_rows][rank] (BF16
// W and a wider v: hi + lo), then at ws_sums two buffers [ws_rows][n_tile] of F32 sums.
struct ExpandCubeTiling {
  int32_t batch, rank, h_out, num_mats;
  int32_t v_dtype, w_dtype, y_dtype;
  int32_t y_row, y_offset;
  int32_t num_groups;        // row groups, all with an adapter
  int32_t parts;             // W-dtype parts of v: 1, or 2 (hi + lo)
  int32_t ws_rows, m_pad;    // rows of the largest group; rounded up to 16 (the cube's m)
  int32_t n_piece, pieces;   // outputs per item, items per group
  int32_t n_tile, half_pad;  // outputs per tile (a multiple of 16); a vector core's UB row stride
  int32_t ws_sums, group_bytes;  // byte offset of the sums in a group's workspace; its size
};

// Unified-buffer bytes of one vector core of the cube expand: rows of half_pad outputs (its half of
// a tile) and its half of the group's v rows.
inline int64_t ExpandCubeUbBytes(int32_t ws_rows, int32_t half_pad, int32_t rank) {
  const auto r32 = [](int64_t b) { return (b + 31) / 32 * 32; };
  const int64_t rp = (rank + 15) / 16 * 16;
  const int64_t hr = (ws_rows + 1) / 2;
  const int64_t tile = r32(int64_t{ws_rows} * half_pad * 4);
  const int64_t vt = r32(hr * rp * 4);
  return TilingUbBytes<ExpandCubeTiling>() + 7 * tile  // sums and y queues (2 each), y in F32, out queue (2)
         + 7 * vt + r32(hr * rp * 2);                   // v queue (2), v in F32, lo, clamp bound, out queue (2); hi
}

// RMS norm (and its fused residual add): rows dealt to the cores, each walked in tiles of `tile`
// elements twice (the sum of squares, then the scaled output).
struct RmsNormTiling {
  int32_t rows, hidden, has_residual;
  int32_t tile;  // elements per tile, a multiple of 16
  float eps;
};

// Unified-buffer bytes of the RMS norm kernel for a tile of `tile` elements (a multiple of 16).
inline int64_t RmsNormUbBytes(int32_t tile) {
  const int64_t t = int64_t{tile} * 4;
  const int64_t work = ((tile + 63) / 64 + 7) / 8 * 8 * 4;  // ReduceSum work: a result per 256-byte repeat
  return 2 * t            // input queue (2 buffers): x, residual and weight tiles in turn
         + 2 * t          // output queue (2 buffers)
         + 4 * t          // x, residual and weight in F32, the squares
         + work + 3 * 32;  // reduce work, its result, the scale's two 8-element tiles
}

// SiLU-and-multiply: work items (row, tile of `tile` elements of inter) dealt to the cores.
struct SiluMulTiling {
  int32_t rows, inter;
  int32_t tile;   // elements per tile, a multiple of 16
  int32_t tiles;  // tiles per row
};

// Embedding: work items (row, tile of `tile` elements of hidden) dealt to the cores; the ids are
// the launcher's checked copy.
struct EmbeddingTiling {
  int32_t rows, vocab, hidden, dtype;
  int32_t tile;   // elements per tile, a multiple of 16
  int32_t tiles;  // tiles per row
};

}  // namespace ascend
}  // namespace npukit

#endif
