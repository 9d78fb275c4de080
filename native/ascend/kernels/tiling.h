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

// One work item of attention = (sequence, KV head, query rows [row_begin, row_end)); the item
// table [num_items][4] is computed on the host from seq_lens/query_start_loc.
struct AttentionTiling {
  int32_t num_items;
  int32_t num_tokens, num_heads, num_kv_heads, head_dim;
  int32_t num_blocks, block_size, max_blocks_per_seq, num_seqs;
  int32_t rope_style, rotary_dim, cos_sin_rows;
  int32_t q_dtype, cache_dtype, out_dtype;
  int32_t kv_tile;   // KV slots per tile (<= block_size)
  int32_t max_rows;  // query rows per item
  int32_t d_pad;     // UB row stride of head rows, head_dim rounded up to 16 elements
  int32_t rot_pad;   // UB row stride of cos/sin rows, rotary_dim rounded up to 16
  float scale;
};

// Unified-buffer bytes the attention kernel asks its TPipe for (every buffer rounded to 32
// bytes, as InitBuffer does). The host picks kv_tile and max_rows so that this fits kUbBytes.
inline int64_t AttentionUbBytes(int32_t group, int32_t kv_tile, int32_t max_rows, int32_t d_pad, int32_t rot_pad,
                                bool rope) {
  auto r32 = [](int64_t b) { return (b + 31) / 32 * 32; };
  const int64_t stage_rows = group > kv_tile ? group : kv_tile;
  const int64_t stage_cols = d_pad > rot_pad ? d_pad : rot_pad;
  const int64_t max_q = int64_t{max_rows} * group;
  int64_t bytes = 0;
  bytes += 2 * 2 * r32(int64_t{kv_tile} * d_pad * 4);  // K and V queues, double-buffered
  bytes += 2 * r32(stage_rows * stage_cols * 4);       // staging queue for q rows and cos/sin rows
  bytes += 2 * r32(int64_t{group} * d_pad * 4);        // output queue
  bytes += 2 * r32(max_q * d_pad * 4);                 // rotated, scaled queries; accumulators
  bytes += 2 * r32(int64_t{kv_tile} * d_pad * 4);      // K and V tiles in F32
  bytes += r32(int64_t{kv_tile + 8} * 4) + 2 * r32(int64_t{d_pad} * 4);  // scores, tmp, work
  bytes += (int64_t{kv_tile} + 1) * 32 + 32;  // 32-byte ReduceSum result slots (one per KV slot, +1); ScalarExp
  if (rope) bytes += r32(int64_t{kv_tile} * rot_pad * 4) + 8 * r32(int64_t{rot_pad} * 4);  // cos/sin, Rotator
  return bytes;
}

struct WriteKvTiling {
  int32_t num_tokens, row;  // row = num_kv_heads * head_dim
  int32_t num_slots;
  int32_t key_dtype, value_dtype, cache_dtype;
  int32_t chunk;  // elements per tile of a row
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
  int32_t tile;  // vocab elements per tile
  // Top-k workspace: per row, topk_tiles segments (one per tile) of topk_seg elements, each
  // holding up to topk_cap = min(top_k, tile) candidates; topk_seg = topk_cap rounded up to 16
  // (64 bytes), so segments never share a 64-byte line.
  int32_t topk_tiles, topk_cap, topk_seg;
  float ln_alpha, beta, temperature;
};

// Per-row results of contrastive scoring in the workspace: token, score bits, valid count, status.
constexpr int32_t kRowOk = 0;
constexpr int32_t kRowExpertNaN = 1;
constexpr int32_t kRowBaseNaN = 2;

// Dot products of a row against `rows` weight rows, tiled over the reduction dimension: BGMV
// shrink (weights = A[idx[b]]), matmul (weights = W) and, with rows and reduction swapped, expand.
struct DotTiling {
  int32_t batch, in_dim, out_dim, num_mats;  // shrink: h_in, rank, num_loras; expand: rank, h_out
  int32_t x_dtype, w_dtype, y_dtype;
  int32_t y_row, y_offset;  // expand: row length of y and the slice offset
  int32_t k_tile;           // reduction elements per tile
  int32_t n_tile;           // output elements per tile
  int32_t n_tiles;          // tiles of the output dimension (matmul work items = batch * n_tiles)
  int32_t has_bias;         // matmul: 1 when an F32 bias [out_dim] is added to the finished sums
  float scale;
};

// Unified-buffer bytes of the dot-product kernels (BGMV shrink/expand, matmul).
inline int64_t DotUbBytes(int32_t n_tile, int32_t k_tile) {
  const int64_t kp = (k_tile + 15) / 16 * 16;
  const int64_t np = (n_tile + 15) / 16 * 16;
  int64_t bytes = 0;
  bytes += 3 * int64_t{n_tile} * kp * 4;  // weight tile queue (2 buffers) and its F32 copy
  bytes += 5 * kp * 4;                    // x queue (2), x in F32, product, reduce work
  bytes += 6 * np * 4;                    // accumulators, y in/out queues and y in F32 (expand)
  bytes += int64_t{n_tile} * 32;          // one 32-byte ReduceSum result slot per output element
  return bytes;
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
