// Argument structs of RoPE-fused paged attention, the paged KV cache write and standalone RoPE
// (docs/kernels.md: paged attention, cache write, standalone RoPE). The entry points taking them are in npukit/kernels.h.
//
// Sizes come from the tensors' shapes. Layouts (row-major):
//   q, out        [num_tokens, num_heads, head_dim]                (F32/F16/BF16)
//   k/v cache     [num_blocks, block_size, num_kv_heads, head_dim] (kv_layout NHD) or
//                 [num_blocks, num_kv_heads, block_size, head_dim] (kv_layout HND); F32/F16/BF16, one dtype
//   block_tables  I32 [num_seqs, max_blocks_per_seq]
//   seq_lens      I32 [num_seqs]      KV length including this step's tokens
//   query_start   I32 [num_seqs + 1]  rows of q of each sequence, from 0 to num_tokens
//   cos_sin       F32 [max_position, rotary_dim], cos then sin in each row
// num_kv_heads divides num_heads. Query row i of a sequence with q_len rows has position
// seq_len - q_len + i and attends to KV slots 0..position; slot j of sequence s is row
// j % block_size of cache block block_tables[s][j / block_size]. Keys are rotated in the kernel
// (once per KV head and slot) unless rope_style is NPUKIT_ROPE_NONE. Softmax is online, in F32.
#ifndef NPUKIT_ATTENTION_H
#define NPUKIT_ATTENTION_H

#include "npukit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct npukit_attention_args {
  npukit_tensor q;
  npukit_tensor k_cache;
  npukit_tensor v_cache;
  npukit_tensor block_tables;
  npukit_tensor seq_lens;
  npukit_tensor query_start_loc;
  npukit_tensor cos_sin;     // absent (all zero) when rope_style is NPUKIT_ROPE_NONE
  npukit_tensor out;
  int32_t rope_style;        // enum npukit_rope_style
  int32_t rotary_dim;        // even, 0 < rotary_dim <= head_dim, = cos_sin.shape[1]; ignored without RoPE
  float scale;               // softmax scale, finite (1/sqrt(head_dim) is the caller's default)
  int32_t kv_layout;         // enum npukit_kv_layout, of k_cache and v_cache
} npukit_attention_args;

// key/value [num_tokens, num_kv_heads, head_dim] go to slot_mapping[t] (slot = block * block_size
// + row, -1 skips); later tokens win on a repeated slot. Converted to the cache dtype (round to
// nearest even); not rotated.
typedef struct npukit_write_kv_args {
  npukit_tensor key;
  npukit_tensor value;
  npukit_tensor k_cache;     // [num_blocks, block_size, num_kv_heads, head_dim] (NHD) or
                             // [num_blocks, num_kv_heads, block_size, head_dim] (HND)
  npukit_tensor v_cache;
  npukit_tensor slot_mapping;  // I32 [num_tokens]
  int32_t kv_layout;         // enum npukit_kv_layout, of k_cache and v_cache
} npukit_write_kv_args;

// Rotates the first rotary_dim dimensions of every head of x [num_tokens, num_heads, head_dim]
// in place to positions[t] (I32 [num_tokens], each in [0, max_position)). Bit-exact with the
// reference: each output is a*c - b*s or b*c + a*s in F32 without fused multiply-add, then
// rounded to x's dtype. NPUKIT_ROPE_NONE checks the arguments and leaves x unchanged.
typedef struct npukit_rope_args {
  npukit_tensor x;
  npukit_tensor positions;
  npukit_tensor cos_sin;     // F32 [max_position, rotary_dim]
  int32_t rope_style;
  int32_t rotary_dim;        // even, 0 < rotary_dim <= head_dim
} npukit_rope_args;

#ifdef __cplusplus
}
#endif

#endif
