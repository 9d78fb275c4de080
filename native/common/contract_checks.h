// The checks every native entry point makes before touching memory, written once for the cpu
// kernels (native/cpu) and the Ascend host launchers (native/ascend/host): every tensor
// descriptor (present, in the backend's memory, dtype, rank, shape consistent with its element
// count and with the other tensors), the scalars, and every index that selects memory (block
// ids, slots, positions, query ranges, adapter indices). They are the executable form of the
// contracts in native/include/npukit/*.h; the Java argument records make the same checks first.
//
// Each check takes the argument struct, the location the backend's tensors must have, and a
// `fail(code, printf-format, args...)` callable that records the message in the caller's own
// error slot and returns the status code; it returns NPUKIT_OK or that code. The sizes it derives
// from the shapes (all within int) are returned in a *Dims struct.
#ifndef NPUKIT_COMMON_CONTRACT_CHECKS_H
#define NPUKIT_COMMON_CONTRACT_CHECKS_H

#include <cmath>
#include <cstdint>

#include "npukit/kernels.h"

#define NPUKIT_CONTRACT(cond, code, ...)        \
  do {                                          \
    if (!(cond)) return fail(code, __VA_ARGS__); \
  } while (0)

#define NPUKIT_CONTRACT_OK(expr)              \
  do {                                        \
    const int contract_status_ = (expr);      \
    if (contract_status_ != NPUKIT_OK) return contract_status_; \
  } while (0)

namespace npukit {
namespace contract {

inline bool is_float_dtype(int dtype) { return dtype == NPUKIT_F32 || dtype == NPUKIT_F16 || dtype == NPUKIT_BF16; }

// The dtype argument of check_tensor meaning "F32, F16 or BF16".
constexpr int kAnyFloat = -1;

// A present tensor of the given rank and dtype in the backend's memory, whose shape (every
// dimension within int) multiplies to its element count.
template <class Fail>
int check_tensor(const char* fn, const char* name, const npukit_tensor& t, int location, int rank, int dtype,
                 Fail fail) {
  NPUKIT_CONTRACT(t.data != nullptr, NPUKIT_ERR_ARGUMENT, "%s: %s is null", fn, name);
  NPUKIT_CONTRACT(t.location == location, NPUKIT_ERR_ARGUMENT, "%s: %s is in %s memory, the backend's is %s", fn,
                  name, t.location == NPUKIT_HOST ? "host" : "device", location == NPUKIT_HOST ? "host" : "device");
  NPUKIT_CONTRACT(dtype == kAnyFloat ? is_float_dtype(t.dtype) : t.dtype == dtype, NPUKIT_ERR_ARGUMENT,
                  "%s: %s has dtype %d, expected %s", fn, name, t.dtype,
                  dtype == kAnyFloat ? "F32, F16 or BF16" : dtype == NPUKIT_I32 ? "I32" : "F32");
  NPUKIT_CONTRACT(t.rank == rank, NPUKIT_ERR_ARGUMENT, "%s: %s has rank %d, expected %d", fn, name, t.rank, rank);
  int64_t product = 1;
  for (int i = 0; i < rank; i++) {
    NPUKIT_CONTRACT(t.shape[i] >= 0 && t.shape[i] <= INT32_MAX, NPUKIT_ERR_ARGUMENT,
                    "%s: %s dimension %d is %lld, outside [0, 2^31)", fn, name, i, (long long)t.shape[i]);
    NPUKIT_CONTRACT(t.shape[i] == 0 || product <= INT64_MAX / t.shape[i], NPUKIT_ERR_BOUNDS,
                    "%s: %s shape overflows 64 bits", fn, name);
    product *= t.shape[i];
  }
  NPUKIT_CONTRACT(product == t.numel, NPUKIT_ERR_BOUNDS, "%s: %s has %lld elements, its shape %lld", fn, name,
                  (long long)t.numel, (long long)product);
  return NPUKIT_OK;
}

inline int dim(const npukit_tensor& t, int i) { return static_cast<int>(t.shape[i]); }

// An optional tensor is absent when its descriptor is all zero; anything else is checked as present.
inline bool present(const npukit_tensor& t) { return t.data != nullptr || t.rank != 0 || t.numel != 0; }

// True when two checked tensors of the same memory kind share a byte; an empty tensor shares none.
inline bool overlaps(const npukit_tensor& a, const npukit_tensor& b) {
  const auto bytes = [](const npukit_tensor& t) {
    return static_cast<uintptr_t>(t.numel) * ((t.dtype == NPUKIT_F16 || t.dtype == NPUKIT_BF16) ? 2u : 4u);
  };
  const uintptr_t a0 = reinterpret_cast<uintptr_t>(a.data);
  const uintptr_t b0 = reinterpret_cast<uintptr_t>(b.data);
  return bytes(a) != 0 && bytes(b) != 0 && a0 < b0 + bytes(b) && b0 < a0 + bytes(a);
}

// Dimension i of t must be `expected` (the value named `what`).
template <class Fail>
int check_dim(const char* fn, const char* name, const npukit_tensor& t, int i, int64_t expected, const char* what,
              Fail fail) {
  NPUKIT_CONTRACT(t.shape[i] == expected, NPUKIT_ERR_BOUNDS, "%s: %s dimension %d is %lld, expected %lld (%s)", fn,
                  name, i, (long long)t.shape[i], (long long)expected, what);
  return NPUKIT_OK;
}

// ---- paged attention (npukit/attention.h) ----

struct AttentionDims {
  int num_tokens, num_heads, num_kv_heads, head_dim;
  int num_blocks, block_size, num_seqs, max_blocks_per_seq;
  int rotary_dim;    // 0 without RoPE
  int max_position;  // rows of cos_sin, 0 without RoPE
};

// Everything but the index values.
template <class Fail>
int attention_sizes(const npukit_attention_args& a, int location, AttentionDims& d, Fail fail) {
  const char* fn = "paged_attention";
  NPUKIT_CONTRACT_OK(check_tensor(fn, "q", a.q, location, 3, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "out", a.out, location, 3, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "k_cache", a.k_cache, location, 4, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "v_cache", a.v_cache, location, 4, a.k_cache.dtype, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "block_tables", a.block_tables, location, 2, NPUKIT_I32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "seq_lens", a.seq_lens, location, 1, NPUKIT_I32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "query_start_loc", a.query_start_loc, location, 1, NPUKIT_I32, fail));
  d.num_tokens = dim(a.q, 0);
  d.num_heads = dim(a.q, 1);
  d.head_dim = dim(a.q, 2);
  d.num_blocks = dim(a.k_cache, 0);
  d.block_size = dim(a.k_cache, 1);
  d.num_kv_heads = dim(a.k_cache, 2);
  d.num_seqs = dim(a.seq_lens, 0);
  d.max_blocks_per_seq = dim(a.block_tables, 1);
  NPUKIT_CONTRACT(d.num_heads > 0 && d.head_dim > 0 && d.num_kv_heads > 0 && d.block_size > 0, NPUKIT_ERR_ARGUMENT,
                  "%s: num_heads, head_dim, num_kv_heads and block_size must be positive", fn);
  NPUKIT_CONTRACT(d.num_heads % d.num_kv_heads == 0, NPUKIT_ERR_ARGUMENT,
                  "%s: num_kv_heads %d does not divide num_heads %d", fn, d.num_kv_heads, d.num_heads);
  for (int i = 0; i < 3; i++) NPUKIT_CONTRACT_OK(check_dim(fn, "out", a.out, i, a.q.shape[i], "shape of q", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "k_cache", a.k_cache, 3, d.head_dim, "head_dim of q", fail));
  for (int i = 0; i < 4; i++) {
    NPUKIT_CONTRACT_OK(check_dim(fn, "v_cache", a.v_cache, i, a.k_cache.shape[i], "shape of k_cache", fail));
  }
  NPUKIT_CONTRACT_OK(check_dim(fn, "block_tables", a.block_tables, 0, d.num_seqs, "num_seqs", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "query_start_loc", a.query_start_loc, 0, int64_t{d.num_seqs} + 1,
                               "num_seqs + 1", fail));
  NPUKIT_CONTRACT(std::isfinite(a.scale), NPUKIT_ERR_ARGUMENT, "%s: scale %g is not finite", fn, a.scale);
  d.rotary_dim = 0;
  d.max_position = 0;
  if (a.rope_style != NPUKIT_ROPE_NONE) {
    NPUKIT_CONTRACT(a.rope_style == NPUKIT_ROPE_NEOX || a.rope_style == NPUKIT_ROPE_GPTJ, NPUKIT_ERR_ARGUMENT,
                    "%s: unknown rope_style %d", fn, a.rope_style);
    NPUKIT_CONTRACT(a.rotary_dim > 0 && a.rotary_dim % 2 == 0 && a.rotary_dim <= d.head_dim, NPUKIT_ERR_ARGUMENT,
                    "%s: rotary_dim %d must be even, positive and <= head_dim %d", fn, a.rotary_dim, d.head_dim);
    NPUKIT_CONTRACT_OK(check_tensor(fn, "cos_sin", a.cos_sin, location, 2, NPUKIT_F32, fail));
    NPUKIT_CONTRACT_OK(check_dim(fn, "cos_sin", a.cos_sin, 1, a.rotary_dim, "rotary_dim", fail));
    d.rotary_dim = a.rotary_dim;
    d.max_position = dim(a.cos_sin, 0);
  }
  return NPUKIT_OK;
}

// The index values, from host-readable copies of block_tables, seq_lens and query_start_loc.
template <class Fail>
int attention_indices(const AttentionDims& d, int rope_style, const int32_t* tables, const int32_t* lens,
                      const int32_t* starts, Fail fail) {
  NPUKIT_CONTRACT(starts[0] == 0 && starts[d.num_seqs] == d.num_tokens, NPUKIT_ERR_BOUNDS,
                  "paged_attention: query_start_loc must run from 0 to num_tokens %d", d.num_tokens);
  const int64_t capacity = int64_t{d.max_blocks_per_seq} * d.block_size;
  for (int s = 0; s < d.num_seqs; s++) {
    const int q_len = starts[s + 1] - starts[s];
    const int len = lens[s];
    NPUKIT_CONTRACT(q_len >= 0, NPUKIT_ERR_BOUNDS, "paged_attention: query_start_loc decreases at sequence %d", s);
    NPUKIT_CONTRACT(len >= q_len && int64_t{len} <= capacity, NPUKIT_ERR_BOUNDS,
                    "paged_attention: seq_lens[%d] = %d is outside [%d, %lld]", s, len, q_len, (long long)capacity);
    if (q_len == 0) continue;
    NPUKIT_CONTRACT(rope_style == NPUKIT_ROPE_NONE || len <= d.max_position, NPUKIT_ERR_BOUNDS,
                    "paged_attention: sequence %d needs %d positions, cos_sin has %d", s, len, d.max_position);
    const int used = static_cast<int>((int64_t{len} + d.block_size - 1) / d.block_size);
    for (int b = 0; b < used; b++) {
      const int32_t id = tables[int64_t{s} * d.max_blocks_per_seq + b];
      NPUKIT_CONTRACT(id >= 0 && id < d.num_blocks, NPUKIT_ERR_BOUNDS,
                      "paged_attention: block_tables[%d][%d] = %d is outside [0, %d)", s, b, id, d.num_blocks);
    }
  }
  return NPUKIT_OK;
}

// ---- KV cache write (npukit/attention.h) ----

struct WriteKvDims {
  int num_tokens, num_kv_heads, head_dim, num_blocks, block_size;
};

template <class Fail>
int write_kv_sizes(const npukit_write_kv_args& a, int location, WriteKvDims& d, Fail fail) {
  const char* fn = "write_kv";
  NPUKIT_CONTRACT_OK(check_tensor(fn, "key", a.key, location, 3, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "value", a.value, location, 3, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "k_cache", a.k_cache, location, 4, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "v_cache", a.v_cache, location, 4, a.k_cache.dtype, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "slot_mapping", a.slot_mapping, location, 1, NPUKIT_I32, fail));
  d.num_tokens = dim(a.key, 0);
  d.num_kv_heads = dim(a.key, 1);
  d.head_dim = dim(a.key, 2);
  d.num_blocks = dim(a.k_cache, 0);
  d.block_size = dim(a.k_cache, 1);
  NPUKIT_CONTRACT(d.num_kv_heads > 0 && d.head_dim > 0 && d.block_size > 0, NPUKIT_ERR_ARGUMENT,
                  "%s: num_kv_heads, head_dim and block_size must be positive", fn);
  for (int i = 0; i < 3; i++) NPUKIT_CONTRACT_OK(check_dim(fn, "value", a.value, i, a.key.shape[i], "shape of key", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "k_cache", a.k_cache, 2, d.num_kv_heads, "num_kv_heads of key", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "k_cache", a.k_cache, 3, d.head_dim, "head_dim of key", fail));
  for (int i = 0; i < 4; i++) {
    NPUKIT_CONTRACT_OK(check_dim(fn, "v_cache", a.v_cache, i, a.k_cache.shape[i], "shape of k_cache", fail));
  }
  NPUKIT_CONTRACT_OK(check_dim(fn, "slot_mapping", a.slot_mapping, 0, d.num_tokens, "num_tokens of key", fail));
  return NPUKIT_OK;
}

// The slots, from a host-readable copy of slot_mapping.
template <class Fail>
int write_kv_slots(const WriteKvDims& d, const int32_t* slots, Fail fail) {
  const int64_t num_slots = int64_t{d.num_blocks} * d.block_size;
  for (int t = 0; t < d.num_tokens; t++) {
    NPUKIT_CONTRACT(slots[t] >= -1 && slots[t] < num_slots, NPUKIT_ERR_BOUNDS,
                    "write_kv: slot_mapping[%d] = %d is outside [-1, %lld)", t, slots[t], (long long)num_slots);
  }
  return NPUKIT_OK;
}

// ---- standalone RoPE (npukit/attention.h) ----

struct RopeDims {
  int num_tokens, num_heads, head_dim, max_position;
};

template <class Fail>
int rope_sizes(const npukit_rope_args& a, int location, RopeDims& d, Fail fail) {
  const char* fn = "rope";
  NPUKIT_CONTRACT_OK(check_tensor(fn, "x", a.x, location, 3, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "positions", a.positions, location, 1, NPUKIT_I32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "cos_sin", a.cos_sin, location, 2, NPUKIT_F32, fail));
  NPUKIT_CONTRACT(a.rope_style >= NPUKIT_ROPE_NONE && a.rope_style <= NPUKIT_ROPE_GPTJ, NPUKIT_ERR_ARGUMENT,
                  "%s: unknown rope_style %d", fn, a.rope_style);
  d.num_tokens = dim(a.x, 0);
  d.num_heads = dim(a.x, 1);
  d.head_dim = dim(a.x, 2);
  d.max_position = dim(a.cos_sin, 0);
  NPUKIT_CONTRACT(d.num_heads > 0 && d.head_dim > 0, NPUKIT_ERR_ARGUMENT, "%s: sizes must be positive", fn);
  NPUKIT_CONTRACT(a.rotary_dim > 0 && a.rotary_dim % 2 == 0 && a.rotary_dim <= d.head_dim, NPUKIT_ERR_ARGUMENT,
                  "%s: rotary_dim %d must be even, positive and <= head_dim %d", fn, a.rotary_dim, d.head_dim);
  NPUKIT_CONTRACT_OK(check_dim(fn, "cos_sin", a.cos_sin, 1, a.rotary_dim, "rotary_dim", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "positions", a.positions, 0, d.num_tokens, "num_tokens of x", fail));
  return NPUKIT_OK;
}

// The positions, from a host-readable copy.
template <class Fail>
int rope_positions(const RopeDims& d, const int32_t* positions, Fail fail) {
  for (int t = 0; t < d.num_tokens; t++) {
    NPUKIT_CONTRACT(positions[t] >= 0 && positions[t] < d.max_position, NPUKIT_ERR_BOUNDS,
                    "rope: positions[%d] = %d is outside [0, %d)", t, positions[t], d.max_position);
  }
  return NPUKIT_OK;
}

// ---- contrastive scoring (npukit/contrastive.h) ----

// True when rows first, first + stride, ..., first + (batch - 1) * stride of a tensor of `rows`
// rows all exist; written so that no product can overflow.
inline bool rows_fit(int64_t rows, int batch, int64_t first, int64_t stride) {
  if (first < 0 || stride < 1) return false;
  if (batch == 0) return true;
  if (first >= rows) return false;
  return (batch - 1) <= (rows - 1 - first) / stride;
}

struct ContrastiveDims {
  int batch, vocab, expert_rows, base_rows;
};

// Views, sizes and scalars. The logits themselves (NaN rows) are the kernel's to find.
template <class Fail>
int contrastive_arguments(const npukit_contrastive_args& a, int location, ContrastiveDims& d, Fail fail) {
  const char* fn = "contrastive";
  NPUKIT_CONTRACT_OK(check_tensor(fn, "expert", a.expert, location, 2, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "base", a.base, location, 2, a.expert.dtype, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "token", a.token, location, 1, NPUKIT_I32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "score", a.score, location, 1, NPUKIT_F32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "valid_count", a.valid_count, location, 1, NPUKIT_I32, fail));
  d.batch = dim(a.token, 0);
  d.vocab = dim(a.expert, 1);
  d.expert_rows = dim(a.expert, 0);
  d.base_rows = dim(a.base, 0);
  NPUKIT_CONTRACT(d.vocab >= 1, NPUKIT_ERR_ARGUMENT, "%s: vocab %d out of range", fn, d.vocab);
  NPUKIT_CONTRACT_OK(check_dim(fn, "base", a.base, 1, d.vocab, "vocab of expert", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "score", a.score, 0, d.batch, "batch = length of token", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "valid_count", a.valid_count, 0, d.batch, "batch = length of token", fail));
  NPUKIT_CONTRACT(std::isfinite(a.ln_alpha) && a.ln_alpha <= 0.0f, NPUKIT_ERR_ARGUMENT,
                  "%s: ln_alpha %g must be finite and <= 0 (alpha in (0, 1])", fn, a.ln_alpha);
  NPUKIT_CONTRACT(std::isfinite(a.beta) && a.beta >= 0.0f, NPUKIT_ERR_ARGUMENT,
                  "%s: beta %g must be finite and >= 0", fn, a.beta);
  NPUKIT_CONTRACT(rows_fit(d.expert_rows, d.batch, a.expert_first_row, a.expert_row_stride), NPUKIT_ERR_BOUNDS,
                  "%s: expert rows %lld + b * %lld (b < %d) do not fit %d rows", fn, (long long)a.expert_first_row,
                  (long long)a.expert_row_stride, d.batch, d.expert_rows);
  NPUKIT_CONTRACT(rows_fit(d.base_rows, d.batch, a.base_first_row, a.base_row_stride), NPUKIT_ERR_BOUNDS,
                  "%s: base rows %lld + b * %lld (b < %d) do not fit %d rows", fn, (long long)a.base_first_row,
                  (long long)a.base_row_stride, d.batch, d.base_rows);
  NPUKIT_CONTRACT(a.top_k >= 0 && a.top_k <= d.vocab, NPUKIT_ERR_ARGUMENT, "%s: top_k %d outside [0, vocab %d]", fn,
                  a.top_k, d.vocab);
  if (a.top_k > 0) {
    NPUKIT_CONTRACT_OK(check_tensor(fn, "topk_index", a.topk_index, location, 2, NPUKIT_I32, fail));
    NPUKIT_CONTRACT_OK(check_tensor(fn, "topk_score", a.topk_score, location, 2, NPUKIT_F32, fail));
    NPUKIT_CONTRACT_OK(check_dim(fn, "topk_index", a.topk_index, 0, d.batch, "batch", fail));
    NPUKIT_CONTRACT_OK(check_dim(fn, "topk_index", a.topk_index, 1, a.top_k, "top_k", fail));
    NPUKIT_CONTRACT_OK(check_dim(fn, "topk_score", a.topk_score, 0, d.batch, "batch", fail));
    NPUKIT_CONTRACT_OK(check_dim(fn, "topk_score", a.topk_score, 1, a.top_k, "top_k", fail));
  }
  if (a.seeds) {
    NPUKIT_CONTRACT(std::isfinite(a.temperature) && a.temperature > 0.0f, NPUKIT_ERR_ARGUMENT,
                    "%s: temperature %g must be finite and > 0", fn, a.temperature);
    NPUKIT_CONTRACT(a.num_seeds == d.batch, NPUKIT_ERR_BOUNDS, "%s: %lld seeds for batch %d", fn,
                    (long long)a.num_seeds, d.batch);
  }
  return NPUKIT_OK;
}

// ---- BGMV (npukit/bgmv.h) ----

struct BgmvShrinkDims {
  int batch, h_in, rank, num_loras;
};

template <class Fail>
int bgmv_shrink_sizes(const npukit_bgmv_shrink_args& a, int location, BgmvShrinkDims& d, Fail fail) {
  const char* fn = "bgmv_shrink";
  NPUKIT_CONTRACT_OK(check_tensor(fn, "x", a.x, location, 2, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "A", a.a, location, 3, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "indices", a.indices, location, 1, NPUKIT_I32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "y", a.y, location, 2, NPUKIT_F32, fail));
  d.batch = dim(a.x, 0);
  d.h_in = dim(a.x, 1);
  d.num_loras = dim(a.a, 0);
  d.rank = dim(a.a, 1);
  NPUKIT_CONTRACT_OK(check_dim(fn, "A", a.a, 2, d.h_in, "h_in of x", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "indices", a.indices, 0, d.batch, "batch of x", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "y", a.y, 0, d.batch, "batch of x", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "y", a.y, 1, d.rank, "rank of A", fail));
  return NPUKIT_OK;
}

struct BgmvExpandDims {
  int batch, rank, h_out, num_loras, y_row;
};

template <class Fail>
int bgmv_expand_sizes(const npukit_bgmv_expand_args& a, int location, BgmvExpandDims& d, Fail fail) {
  const char* fn = "bgmv_expand";
  NPUKIT_CONTRACT_OK(check_tensor(fn, "v", a.v, location, 2, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "W", a.w, location, 3, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "indices", a.indices, location, 1, NPUKIT_I32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "y", a.y, location, 2, kAnyFloat, fail));
  d.batch = dim(a.v, 0);
  d.rank = dim(a.v, 1);
  d.num_loras = dim(a.w, 0);
  d.h_out = dim(a.w, 1);
  d.y_row = dim(a.y, 1);
  NPUKIT_CONTRACT_OK(check_dim(fn, "W", a.w, 2, d.rank, "rank of v", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "indices", a.indices, 0, d.batch, "batch of v", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "y", a.y, 0, d.batch, "batch of v", fail));
  NPUKIT_CONTRACT(a.offset >= 0 && int64_t{a.offset} + d.h_out <= d.y_row, NPUKIT_ERR_BOUNDS,
                  "%s: slice [%d, %lld) is outside a row of %d", fn, a.offset, (long long)(int64_t{a.offset} + d.h_out),
                  d.y_row);
  return NPUKIT_OK;
}

// The adapter index of every row, from a host-readable copy: -1 (no adapter) or a valid adapter.
template <class Fail>
int bgmv_indices(const char* fn, const int32_t* indices, int batch, int num_loras, Fail fail) {
  for (int b = 0; b < batch; b++) {
    NPUKIT_CONTRACT(indices[b] >= -1 && indices[b] < num_loras, NPUKIT_ERR_BOUNDS,
                    "%s: indices[%d] = %d is outside [-1, %d)", fn, b, indices[b], num_loras);
  }
  return NPUKIT_OK;
}

// ---- matmul (npukit/matmul.h) ----

struct MatmulDims {
  int m, k, n;
};

template <class Fail>
int matmul_sizes(const npukit_matmul_args& a, int location, MatmulDims& d, Fail fail) {
  const char* fn = "matmul";
  NPUKIT_CONTRACT_OK(check_tensor(fn, "x", a.x, location, 2, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "weight", a.weight, location, 2, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "out", a.out, location, 2, NPUKIT_F32, fail));
  d.m = dim(a.x, 0);
  d.k = dim(a.x, 1);
  d.n = dim(a.weight, 0);
  NPUKIT_CONTRACT_OK(check_dim(fn, "weight", a.weight, 1, d.k, "k of x", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "out", a.out, 0, d.m, "m of x", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "out", a.out, 1, d.n, "n of weight", fail));
  if (present(a.bias)) {
    NPUKIT_CONTRACT_OK(check_tensor(fn, "bias", a.bias, location, 1, NPUKIT_F32, fail));
    NPUKIT_CONTRACT_OK(check_dim(fn, "bias", a.bias, 0, d.n, "n of weight", fail));
  }
  return NPUKIT_OK;
}

// ---- element-wise kernels (npukit/elementwise.h) ----

struct RowsDims {
  int rows, hidden;
};

template <class Fail>
int rms_norm_sizes(const npukit_rms_norm_args& a, int location, RowsDims& d, Fail fail) {
  const char* fn = "rms_norm";
  NPUKIT_CONTRACT_OK(check_tensor(fn, "x", a.x, location, 2, NPUKIT_F32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "weight", a.weight, location, 1, NPUKIT_F32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "out", a.out, location, 2, NPUKIT_F32, fail));
  d.rows = dim(a.x, 0);
  d.hidden = dim(a.x, 1);
  NPUKIT_CONTRACT(d.hidden > 0, NPUKIT_ERR_ARGUMENT, "%s: hidden must be positive", fn);
  NPUKIT_CONTRACT_OK(check_dim(fn, "weight", a.weight, 0, d.hidden, "hidden of x", fail));
  for (int i = 0; i < 2; i++) NPUKIT_CONTRACT_OK(check_dim(fn, "out", a.out, i, a.x.shape[i], "shape of x", fail));
  NPUKIT_CONTRACT(!overlaps(a.out, a.x), NPUKIT_ERR_ARGUMENT, "%s: out shares memory with x", fn);
  if (present(a.residual)) {
    NPUKIT_CONTRACT_OK(check_tensor(fn, "residual", a.residual, location, 2, NPUKIT_F32, fail));
    for (int i = 0; i < 2; i++) {
      NPUKIT_CONTRACT_OK(check_dim(fn, "residual", a.residual, i, a.x.shape[i], "shape of x", fail));
    }
    NPUKIT_CONTRACT(!overlaps(a.residual, a.x), NPUKIT_ERR_ARGUMENT, "%s: residual shares memory with x", fn);
    NPUKIT_CONTRACT(!overlaps(a.out, a.residual), NPUKIT_ERR_ARGUMENT, "%s: out shares memory with residual", fn);
  }
  NPUKIT_CONTRACT(std::isfinite(a.eps) && a.eps >= 0.0f, NPUKIT_ERR_ARGUMENT, "%s: eps %g must be finite and >= 0",
                  fn, a.eps);
  return NPUKIT_OK;
}

// d.hidden is inter, the columns of out.
template <class Fail>
int silu_mul_sizes(const npukit_silu_mul_args& a, int location, RowsDims& d, Fail fail) {
  const char* fn = "silu_mul";
  NPUKIT_CONTRACT_OK(check_tensor(fn, "gate_up", a.gate_up, location, 2, NPUKIT_F32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "out", a.out, location, 2, NPUKIT_F32, fail));
  d.rows = dim(a.gate_up, 0);
  const int width = dim(a.gate_up, 1);
  NPUKIT_CONTRACT(width > 0 && width % 2 == 0, NPUKIT_ERR_ARGUMENT, "%s: gate_up row of %d is not positive and even",
                  fn, width);
  d.hidden = width / 2;
  NPUKIT_CONTRACT_OK(check_dim(fn, "out", a.out, 0, d.rows, "rows of gate_up", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "out", a.out, 1, d.hidden, "half a row of gate_up", fail));
  NPUKIT_CONTRACT(!overlaps(a.out, a.gate_up), NPUKIT_ERR_ARGUMENT, "%s: out shares memory with gate_up", fn);
  return NPUKIT_OK;
}

struct EmbeddingDims {
  int rows, vocab, hidden;
};

template <class Fail>
int embedding_sizes(const npukit_embedding_args& a, int location, EmbeddingDims& d, Fail fail) {
  const char* fn = "embedding";
  NPUKIT_CONTRACT_OK(check_tensor(fn, "table", a.table, location, 2, kAnyFloat, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "ids", a.ids, location, 1, NPUKIT_I32, fail));
  NPUKIT_CONTRACT_OK(check_tensor(fn, "out", a.out, location, 2, NPUKIT_F32, fail));
  d.vocab = dim(a.table, 0);
  d.hidden = dim(a.table, 1);
  d.rows = dim(a.ids, 0);
  NPUKIT_CONTRACT_OK(check_dim(fn, "out", a.out, 0, d.rows, "rows = length of ids", fail));
  NPUKIT_CONTRACT_OK(check_dim(fn, "out", a.out, 1, d.hidden, "hidden of table", fail));
  NPUKIT_CONTRACT(!overlaps(a.out, a.table), NPUKIT_ERR_ARGUMENT, "%s: out shares memory with table", fn);
  NPUKIT_CONTRACT(!overlaps(a.out, a.ids), NPUKIT_ERR_ARGUMENT, "%s: out shares memory with ids", fn);
  return NPUKIT_OK;
}

// The ids, from a host-readable copy: each selects a row of the table.
template <class Fail>
int embedding_ids(const EmbeddingDims& d, const int32_t* ids, Fail fail) {
  for (int r = 0; r < d.rows; r++) {
    NPUKIT_CONTRACT(ids[r] >= 0 && ids[r] < d.vocab, NPUKIT_ERR_BOUNDS, "embedding: ids[%d] = %d is outside [0, %d)", r,
                    ids[r], d.vocab);
  }
  return NPUKIT_OK;
}

}  // namespace contract
}  // namespace npukit

#endif
