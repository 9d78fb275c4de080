// The checks every native entry point makes before touching memory, written once for the cpu
// kernels (native/cpu) and the Ascend host launchers (native/ascend/host): sizes against element
// counts, dtypes, null buffers, and every index that selects memory (block ids, slots,
// positions, query ranges). They are the executable form of the contracts in
// native/include/npukit/*.h; the Java argument records make the same checks first.
//
// Each check takes a `fail(code, printf-format, args...)` callable that records the message in
// the caller's own error slot and returns the status code, and returns NPUKIT_OK or that code.
#ifndef NPUKIT_COMMON_CONTRACT_CHECKS_H
#define NPUKIT_COMMON_CONTRACT_CHECKS_H

#include <cmath>
#include <cstdint>

#include "npukit/common.h"

#define NPUKIT_CONTRACT(cond, code, ...)        \
  do {                                          \
    if (!(cond)) return fail(code, __VA_ARGS__); \
  } while (0)

namespace npukit {
namespace contract {

inline bool is_float_dtype(int dtype) { return dtype == NPUKIT_F32 || dtype == NPUKIT_F16 || dtype == NPUKIT_BF16; }

// The arguments of a paged-attention call (see npukit/attention.h).
struct AttentionCall {
  const void* q;
  int q_dtype;
  int64_t q_numel;
  const void* k_cache;
  const void* v_cache;
  int cache_dtype;
  int64_t cache_numel;
  const void* block_tables;
  int64_t block_tables_numel;
  const void* seq_lens;
  const void* query_start_loc;
  int num_seqs;
  const void* cos_sin;
  int64_t cos_sin_numel;
  const void* out;
  int out_dtype;
  int64_t out_numel;
  int num_tokens, num_heads, num_kv_heads, head_dim;
  int num_blocks, block_size, max_blocks_per_seq;
  int rope_style, rotary_dim;
};

// Everything but the index values; sets max_position (rows of cos_sin, 0 without rotation).
template <class Fail>
int attention_sizes(const AttentionCall& c, int& max_position, Fail fail) {
  NPUKIT_CONTRACT(c.q && c.k_cache && c.v_cache && c.out && c.block_tables && c.seq_lens && c.query_start_loc,
                  NPUKIT_ERR_ARGUMENT, "paged_attention: a required buffer is null");
  NPUKIT_CONTRACT(is_float_dtype(c.q_dtype) && is_float_dtype(c.cache_dtype) && is_float_dtype(c.out_dtype),
                  NPUKIT_ERR_ARGUMENT, "paged_attention: q, cache and out must be F32, F16 or BF16");
  NPUKIT_CONTRACT(c.num_tokens >= 0 && c.num_heads > 0 && c.num_kv_heads > 0 && c.head_dim > 0 && c.num_seqs >= 0 &&
                      c.num_blocks >= 0 && c.block_size > 0 && c.max_blocks_per_seq >= 0,
                  NPUKIT_ERR_ARGUMENT, "paged_attention: sizes must be positive");
  NPUKIT_CONTRACT(c.num_heads % c.num_kv_heads == 0, NPUKIT_ERR_ARGUMENT,
                  "paged_attention: num_kv_heads %d does not divide num_heads %d", c.num_kv_heads, c.num_heads);
  const int64_t q_expected = int64_t{c.num_tokens} * c.num_heads * c.head_dim;
  NPUKIT_CONTRACT(c.q_numel == q_expected, NPUKIT_ERR_BOUNDS, "paged_attention: q has %lld elements, expected %lld",
                  (long long)c.q_numel, (long long)q_expected);
  NPUKIT_CONTRACT(c.out_numel == q_expected, NPUKIT_ERR_BOUNDS,
                  "paged_attention: out has %lld elements, expected %lld", (long long)c.out_numel, (long long)q_expected);
  const int64_t cache_expected = int64_t{c.num_blocks} * c.block_size * c.num_kv_heads * c.head_dim;
  NPUKIT_CONTRACT(c.cache_numel == cache_expected, NPUKIT_ERR_BOUNDS,
                  "paged_attention: cache has %lld elements, expected %lld", (long long)c.cache_numel,
                  (long long)cache_expected);
  const int64_t tables_expected = int64_t{c.num_seqs} * c.max_blocks_per_seq;
  NPUKIT_CONTRACT(c.block_tables_numel == tables_expected, NPUKIT_ERR_BOUNDS,
                  "paged_attention: block_tables has %lld elements, expected %lld", (long long)c.block_tables_numel,
                  (long long)tables_expected);
  max_position = 0;
  if (c.rope_style != NPUKIT_ROPE_NONE) {
    NPUKIT_CONTRACT(c.rope_style == NPUKIT_ROPE_NEOX || c.rope_style == NPUKIT_ROPE_GPTJ, NPUKIT_ERR_ARGUMENT,
                    "paged_attention: unknown rope_style %d", c.rope_style);
    NPUKIT_CONTRACT(c.cos_sin != nullptr, NPUKIT_ERR_ARGUMENT, "paged_attention: cos_sin is null");
    NPUKIT_CONTRACT(c.rotary_dim > 0 && c.rotary_dim % 2 == 0 && c.rotary_dim <= c.head_dim, NPUKIT_ERR_ARGUMENT,
                    "paged_attention: rotary_dim %d must be even, positive and <= head_dim %d", c.rotary_dim,
                    c.head_dim);
    NPUKIT_CONTRACT(c.cos_sin_numel % c.rotary_dim == 0 && c.cos_sin_numel / c.rotary_dim <= INT32_MAX,
                    NPUKIT_ERR_BOUNDS, "paged_attention: cos_sin size %lld is not a multiple of rotary_dim",
                    (long long)c.cos_sin_numel);
    max_position = static_cast<int>(c.cos_sin_numel / c.rotary_dim);
  }
  return NPUKIT_OK;
}

// The index values, from host-readable copies of block_tables, seq_lens and query_start_loc.
template <class Fail>
int attention_indices(const AttentionCall& c, const int32_t* tables, const int32_t* lens, const int32_t* starts,
                      int max_position, Fail fail) {
  NPUKIT_CONTRACT(starts[0] == 0 && starts[c.num_seqs] == c.num_tokens, NPUKIT_ERR_BOUNDS,
                  "paged_attention: query_start_loc must run from 0 to num_tokens %d", c.num_tokens);
  const int64_t capacity = int64_t{c.max_blocks_per_seq} * c.block_size;
  for (int s = 0; s < c.num_seqs; s++) {
    const int q_len = starts[s + 1] - starts[s];
    const int len = lens[s];
    NPUKIT_CONTRACT(q_len >= 0, NPUKIT_ERR_BOUNDS, "paged_attention: query_start_loc decreases at sequence %d", s);
    NPUKIT_CONTRACT(len >= q_len && int64_t{len} <= capacity, NPUKIT_ERR_BOUNDS,
                    "paged_attention: seq_lens[%d] = %d is outside [%d, %lld]", s, len, q_len, (long long)capacity);
    if (q_len == 0) continue;
    NPUKIT_CONTRACT(c.rope_style == NPUKIT_ROPE_NONE || len <= max_position, NPUKIT_ERR_BOUNDS,
                    "paged_attention: sequence %d needs %d positions, cos_sin has %d", s, len, max_position);
    const int used = static_cast<int>((int64_t{len} + c.block_size - 1) / c.block_size);
    for (int b = 0; b < used; b++) {
      const int32_t id = tables[int64_t{s} * c.max_blocks_per_seq + b];
      NPUKIT_CONTRACT(id >= 0 && id < c.num_blocks, NPUKIT_ERR_BOUNDS,
                      "paged_attention: block_tables[%d][%d] = %d is outside [0, %d)", s, b, id, c.num_blocks);
    }
  }
  return NPUKIT_OK;
}

// The arguments of a KV cache write (see npukit/attention.h).
struct WriteKvCall {
  const void* key;
  int key_dtype;
  const void* value;
  int value_dtype;
  int64_t kv_numel;
  const void* k_cache;
  const void* v_cache;
  int cache_dtype;
  int64_t cache_numel;
  const void* slot_mapping;
  int num_tokens, num_kv_heads, head_dim, num_blocks, block_size;
};

template <class Fail>
int write_kv_sizes(const WriteKvCall& c, Fail fail) {
  NPUKIT_CONTRACT(c.key && c.value && c.k_cache && c.v_cache && c.slot_mapping, NPUKIT_ERR_ARGUMENT,
                  "write_kv: a required buffer is null");
  NPUKIT_CONTRACT(is_float_dtype(c.key_dtype) && is_float_dtype(c.value_dtype) && is_float_dtype(c.cache_dtype),
                  NPUKIT_ERR_ARGUMENT, "write_kv: key, value and cache must be F32, F16 or BF16");
  NPUKIT_CONTRACT(c.num_tokens >= 0 && c.num_kv_heads > 0 && c.head_dim > 0 && c.num_blocks >= 0 && c.block_size > 0,
                  NPUKIT_ERR_ARGUMENT, "write_kv: sizes must be positive");
  const int64_t row = int64_t{c.num_kv_heads} * c.head_dim;
  NPUKIT_CONTRACT(c.kv_numel == int64_t{c.num_tokens} * row, NPUKIT_ERR_BOUNDS,
                  "write_kv: key/value have %lld elements, expected %lld", (long long)c.kv_numel,
                  (long long)(int64_t{c.num_tokens} * row));
  const int64_t num_slots = int64_t{c.num_blocks} * c.block_size;
  NPUKIT_CONTRACT(c.cache_numel == num_slots * row, NPUKIT_ERR_BOUNDS,
                  "write_kv: cache has %lld elements, expected %lld", (long long)c.cache_numel,
                  (long long)(num_slots * row));
  return NPUKIT_OK;
}

// The slots, from a host-readable copy of slot_mapping.
template <class Fail>
int write_kv_slots(const WriteKvCall& c, const int32_t* slots, Fail fail) {
  const int64_t num_slots = int64_t{c.num_blocks} * c.block_size;
  for (int t = 0; t < c.num_tokens; t++) {
    NPUKIT_CONTRACT(slots[t] >= -1 && slots[t] < num_slots, NPUKIT_ERR_BOUNDS,
                    "write_kv: slot_mapping[%d] = %d is outside [-1, %lld)", t, slots[t], (long long)num_slots);
  }
  return NPUKIT_OK;
}

// The arguments of a standalone RoPE call (see npukit/attention.h).
struct RopeCall {
  const void* x;
  int x_dtype;
  int64_t x_numel;
  const void* positions;
  const void* cos_sin;
  int64_t cos_sin_numel;
  int num_tokens, num_heads, head_dim, rotary_dim, rope_style;
};

// Everything but the positions; sets max_position (rows of cos_sin).
template <class Fail>
int rope_sizes(const RopeCall& c, int& max_position, Fail fail) {
  NPUKIT_CONTRACT(c.x && c.positions && c.cos_sin, NPUKIT_ERR_ARGUMENT, "rope: a required buffer is null");
  NPUKIT_CONTRACT(is_float_dtype(c.x_dtype), NPUKIT_ERR_ARGUMENT, "rope: x must be F32, F16 or BF16");
  NPUKIT_CONTRACT(c.rope_style >= NPUKIT_ROPE_NONE && c.rope_style <= NPUKIT_ROPE_GPTJ, NPUKIT_ERR_ARGUMENT,
                  "rope: unknown rope_style %d", c.rope_style);
  NPUKIT_CONTRACT(c.num_tokens >= 0 && c.num_heads > 0 && c.head_dim > 0, NPUKIT_ERR_ARGUMENT,
                  "rope: sizes must be positive");
  NPUKIT_CONTRACT(c.rotary_dim > 0 && c.rotary_dim % 2 == 0 && c.rotary_dim <= c.head_dim, NPUKIT_ERR_ARGUMENT,
                  "rope: rotary_dim %d must be even, positive and <= head_dim %d", c.rotary_dim, c.head_dim);
  NPUKIT_CONTRACT(c.x_numel == int64_t{c.num_tokens} * c.num_heads * c.head_dim, NPUKIT_ERR_BOUNDS,
                  "rope: x has %lld elements, expected %lld", (long long)c.x_numel,
                  (long long)(int64_t{c.num_tokens} * c.num_heads * c.head_dim));
  NPUKIT_CONTRACT(c.cos_sin_numel % c.rotary_dim == 0 && c.cos_sin_numel / c.rotary_dim <= INT32_MAX,
                  NPUKIT_ERR_BOUNDS, "rope: cos_sin size %lld is not a multiple of rotary_dim", (long long)c.cos_sin_numel);
  max_position = static_cast<int>(c.cos_sin_numel / c.rotary_dim);
  return NPUKIT_OK;
}

// The positions, from a host-readable copy.
template <class Fail>
int rope_positions(const RopeCall& c, const int32_t* positions, int max_position, Fail fail) {
  for (int t = 0; t < c.num_tokens; t++) {
    NPUKIT_CONTRACT(positions[t] >= 0 && positions[t] < max_position, NPUKIT_ERR_BOUNDS,
                    "rope: positions[%d] = %d is outside [0, %d)", t, positions[t], max_position);
  }
  return NPUKIT_OK;
}

// True when rows first, first + stride, ..., first + (batch - 1) * stride of a [*, vocab] buffer
// of numel elements all exist; written so that no product can overflow.
inline bool rows_fit(int64_t numel, int vocab, int batch, int64_t first, int64_t stride) {
  if (numel < 0 || first < 0 || stride < 1) return false;
  if (batch == 0) return true;
  const int64_t rows = numel / vocab;
  if (first >= rows) return false;
  return (batch - 1) <= (rows - 1 - first) / stride;
}

// The arguments of a contrastive-scoring call (see npukit/contrastive.h).
struct ContrastiveCall {
  const void* expert_logits;
  int64_t expert_numel, expert_first_row, expert_row_stride;
  const void* base_logits;
  int64_t base_numel, base_first_row, base_row_stride;
  int dtype, batch, vocab;
  float ln_alpha, beta;
  const void* token;
  int64_t token_numel;
  const void* score;
  int64_t score_numel;
  const void* valid_count;
  int64_t valid_count_numel;
  int top_k;
  const void* topk_index;
  const void* topk_score;
  int64_t topk_numel;
  float temperature;
  const void* seeds;
  int64_t seeds_numel;
};

template <class Fail>
int contrastive_arguments(const ContrastiveCall& c, Fail fail) {
  NPUKIT_CONTRACT(c.expert_logits && c.base_logits && c.token && c.score && c.valid_count, NPUKIT_ERR_ARGUMENT,
                  "contrastive: a required buffer is null");
  NPUKIT_CONTRACT(is_float_dtype(c.dtype), NPUKIT_ERR_ARGUMENT, "contrastive: logits must be F32, F16 or BF16");
  NPUKIT_CONTRACT(c.batch >= 0 && c.vocab >= 1, NPUKIT_ERR_ARGUMENT, "contrastive: batch %d / vocab %d out of range",
                  c.batch, c.vocab);
  NPUKIT_CONTRACT(std::isfinite(c.ln_alpha) && c.ln_alpha <= 0.0f, NPUKIT_ERR_ARGUMENT,
                  "contrastive: ln_alpha %g must be finite and <= 0 (alpha in (0, 1])", c.ln_alpha);
  NPUKIT_CONTRACT(std::isfinite(c.beta) && c.beta >= 0.0f, NPUKIT_ERR_ARGUMENT,
                  "contrastive: beta %g must be finite and >= 0", c.beta);
  NPUKIT_CONTRACT(rows_fit(c.expert_numel, c.vocab, c.batch, c.expert_first_row, c.expert_row_stride),
                  NPUKIT_ERR_BOUNDS, "contrastive: expert rows %lld + b * %lld (b < %d) do not fit %lld elements",
                  (long long)c.expert_first_row, (long long)c.expert_row_stride, c.batch, (long long)c.expert_numel);
  NPUKIT_CONTRACT(rows_fit(c.base_numel, c.vocab, c.batch, c.base_first_row, c.base_row_stride), NPUKIT_ERR_BOUNDS,
                  "contrastive: base rows %lld + b * %lld (b < %d) do not fit %lld elements",
                  (long long)c.base_first_row, (long long)c.base_row_stride, c.batch, (long long)c.base_numel);
  NPUKIT_CONTRACT(c.token_numel == c.batch && c.score_numel == c.batch && c.valid_count_numel == c.batch,
                  NPUKIT_ERR_BOUNDS, "contrastive: token, score and valid_count must hold batch = %d elements",
                  c.batch);
  NPUKIT_CONTRACT(c.top_k >= 0 && c.top_k <= c.vocab, NPUKIT_ERR_ARGUMENT,
                  "contrastive: top_k %d outside [0, vocab %d]", c.top_k, c.vocab);
  if (c.top_k > 0) {
    NPUKIT_CONTRACT(c.topk_index && c.topk_score, NPUKIT_ERR_ARGUMENT, "contrastive: top-k buffers are null");
    NPUKIT_CONTRACT(c.topk_numel == int64_t{c.batch} * c.top_k, NPUKIT_ERR_BOUNDS,
                    "contrastive: top-k buffers hold %lld elements, expected %lld", (long long)c.topk_numel,
                    (long long)(int64_t{c.batch} * c.top_k));
  }
  if (c.seeds) {
    NPUKIT_CONTRACT(std::isfinite(c.temperature) && c.temperature > 0.0f, NPUKIT_ERR_ARGUMENT,
                    "contrastive: temperature %g must be finite and > 0", c.temperature);
    NPUKIT_CONTRACT(c.seeds_numel == c.batch, NPUKIT_ERR_BOUNDS, "contrastive: %lld seeds for batch %d",
                    (long long)c.seeds_numel, c.batch);
  }
  return NPUKIT_OK;
}

// The arguments of BGMV shrink (see npukit/bgmv.h).
struct BgmvShrinkCall {
  const void* x;
  int x_dtype;
  int64_t x_numel;
  const void* a;
  int a_dtype;
  int64_t a_numel;
  const void* indices;
  int64_t indices_numel;
  const void* y;
  int64_t y_numel;
  int batch, h_in, rank, num_loras;
};

template <class Fail>
int bgmv_shrink_sizes(const BgmvShrinkCall& c, Fail fail) {
  NPUKIT_CONTRACT(c.x && c.a && c.indices && c.y, NPUKIT_ERR_ARGUMENT, "bgmv_shrink: a required buffer is null");
  NPUKIT_CONTRACT(is_float_dtype(c.x_dtype) && is_float_dtype(c.a_dtype), NPUKIT_ERR_ARGUMENT,
                  "bgmv_shrink: x and A must be F32, F16 or BF16");
  NPUKIT_CONTRACT(c.batch >= 0 && c.h_in >= 0 && c.rank >= 0 && c.num_loras >= 0, NPUKIT_ERR_ARGUMENT,
                  "bgmv_shrink: negative size");
  NPUKIT_CONTRACT(c.x_numel == int64_t{c.batch} * c.h_in && c.y_numel == int64_t{c.batch} * c.rank &&
                      c.indices_numel == c.batch,
                  NPUKIT_ERR_BOUNDS, "bgmv_shrink: x, y or indices does not match batch %d", c.batch);
  NPUKIT_CONTRACT(c.a_numel == int64_t{c.num_loras} * c.rank * c.h_in, NPUKIT_ERR_BOUNDS,
                  "bgmv_shrink: A has %lld elements, expected %lld", (long long)c.a_numel,
                  (long long)(int64_t{c.num_loras} * c.rank * c.h_in));
  return NPUKIT_OK;
}

// The arguments of BGMV expand (see npukit/bgmv.h).
struct BgmvExpandCall {
  const void* v;
  int v_dtype;
  int64_t v_numel;
  const void* w;
  int w_dtype;
  int64_t w_numel;
  const void* indices;
  int64_t indices_numel;
  const void* y;
  int y_dtype;
  int64_t y_numel;
  int y_row, offset, batch, rank, h_out, num_loras;
};

template <class Fail>
int bgmv_expand_sizes(const BgmvExpandCall& c, Fail fail) {
  NPUKIT_CONTRACT(c.v && c.w && c.indices && c.y, NPUKIT_ERR_ARGUMENT, "bgmv_expand: a required buffer is null");
  NPUKIT_CONTRACT(is_float_dtype(c.v_dtype) && is_float_dtype(c.w_dtype) && is_float_dtype(c.y_dtype),
                  NPUKIT_ERR_ARGUMENT, "bgmv_expand: v, W and y must be F32, F16 or BF16");
  NPUKIT_CONTRACT(c.batch >= 0 && c.rank >= 0 && c.h_out >= 0 && c.num_loras >= 0 && c.y_row >= 0,
                  NPUKIT_ERR_ARGUMENT, "bgmv_expand: negative size");
  NPUKIT_CONTRACT(c.offset >= 0 && int64_t{c.offset} + c.h_out <= c.y_row, NPUKIT_ERR_BOUNDS,
                  "bgmv_expand: slice [%d, %lld) is outside a row of %d", c.offset,
                  (long long)(int64_t{c.offset} + c.h_out), c.y_row);
  NPUKIT_CONTRACT(c.v_numel == int64_t{c.batch} * c.rank && c.y_numel == int64_t{c.batch} * c.y_row &&
                      c.indices_numel == c.batch,
                  NPUKIT_ERR_BOUNDS, "bgmv_expand: v, y or indices does not match batch %d", c.batch);
  NPUKIT_CONTRACT(c.w_numel == int64_t{c.num_loras} * c.h_out * c.rank, NPUKIT_ERR_BOUNDS,
                  "bgmv_expand: W has %lld elements, expected %lld", (long long)c.w_numel,
                  (long long)(int64_t{c.num_loras} * c.h_out * c.rank));
  return NPUKIT_OK;
}

// The adapter index of every row, from a host-readable copy: -1 (no adapter) or a valid adapter.
template <class Fail>
int bgmv_indices(const char* what, const int32_t* indices, int batch, int num_loras, Fail fail) {
  for (int b = 0; b < batch; b++) {
    NPUKIT_CONTRACT(indices[b] >= -1 && indices[b] < num_loras, NPUKIT_ERR_BOUNDS,
                    "%s: indices[%d] = %d is outside [-1, %d)", what, b, indices[b], num_loras);
  }
  return NPUKIT_OK;
}

// A dense matmul out[m, n] = x[m, k] . weight[n, k]^T (see npukit/matmul.h).
template <class Fail>
int matmul_sizes(const void* x, int x_dtype, int64_t x_numel, const void* w, int w_dtype, int64_t w_numel,
                 const void* out, int64_t out_numel, int m, int k, int n, Fail fail) {
  NPUKIT_CONTRACT(x && w && out, NPUKIT_ERR_ARGUMENT, "matmul: a required buffer is null");
  NPUKIT_CONTRACT(is_float_dtype(x_dtype) && is_float_dtype(w_dtype), NPUKIT_ERR_ARGUMENT,
                  "matmul: x and weight must be F32, F16 or BF16");
  NPUKIT_CONTRACT(m >= 0 && k >= 0 && n >= 0, NPUKIT_ERR_ARGUMENT, "matmul: negative size");
  NPUKIT_CONTRACT(x_numel == int64_t{m} * k && w_numel == int64_t{n} * k && out_numel == int64_t{m} * n,
                  NPUKIT_ERR_BOUNDS, "matmul: buffers do not match m %d, k %d, n %d", m, k, n);
  return NPUKIT_OK;
}

}  // namespace contract
}  // namespace npukit

#endif
