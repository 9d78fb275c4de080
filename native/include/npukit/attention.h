// RoPE-fused paged attention, paged KV cache write and standalone RoPE (DESIGN 3.1, 3.2).
//
// Buffers are passed as raw addresses with their element counts so that the kernels can
// bounds-check every access. Layouts (row-major):
//   q, out        [num_tokens, num_heads, head_dim]                (F32/F16/BF16)
//   k/v cache     [num_blocks, block_size, num_kv_heads, head_dim] (F32/F16/BF16)
//   block_tables  I32 [num_seqs, max_blocks_per_seq]
//   seq_lens      I32 [num_seqs]      KV length including this step's tokens
//   query_start   I32 [num_seqs + 1]  rows of q of each sequence
//   cos_sin       F32 [max_position, rotary_dim], cos then sin in each row
// Query row i of a sequence with q_len rows has position seq_len - q_len + i and attends to KV
// slots 0..position. Keys are rotated in the kernel (once per KV head and slot) unless
// rope_style is NPUKIT_ROPE_NONE. Softmax is online, in F32.
#ifndef NPUKIT_ATTENTION_H
#define NPUKIT_ATTENTION_H

#include "npukit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

int npukit_paged_attention(
    const void* q, int q_dtype, int64_t q_numel,
    const void* k_cache, const void* v_cache, int cache_dtype, int64_t cache_numel,
    const int32_t* block_tables, int64_t block_tables_numel,
    const int32_t* seq_lens, const int32_t* query_start_loc, int num_seqs,
    const float* cos_sin, int64_t cos_sin_numel,
    void* out, int out_dtype, int64_t out_numel,
    int num_tokens, int num_heads, int num_kv_heads, int head_dim,
    int num_blocks, int block_size, int max_blocks_per_seq,
    int rope_style, int rotary_dim, float scale);

// key/value [num_tokens, num_kv_heads, head_dim] go to slot_mapping[t] (-1 skips); later tokens
// win on a repeated slot. Converted to the cache dtype (round to nearest even); not rotated.
int npukit_write_kv(
    const void* key, int key_dtype, const void* value, int value_dtype, int64_t kv_numel,
    void* k_cache, void* v_cache, int cache_dtype, int64_t cache_numel,
    const int32_t* slot_mapping, int num_tokens, int num_kv_heads, int head_dim,
    int num_blocks, int block_size);

// Rotates the first rotary_dim dimensions of every head of x [num_tokens, num_heads, head_dim]
// in place to positions[t]. Bit-exact with the reference: each output is a*c - b*s or
// b*c + a*s in F32 without fused multiply-add, then rounded to x's dtype.
int npukit_rope(
    void* x, int x_dtype, int64_t x_numel, const int32_t* positions,
    const float* cos_sin, int64_t cos_sin_numel,
    int num_tokens, int num_heads, int head_dim, int rotary_dim, int rope_style);

#ifdef __cplusplus
}
#endif

#endif
