// A validated paged-attention call, and the ISA-specific implementations of it.
#ifndef NPUKIT_CPU_ATTENTION_PROBLEM_H
#define NPUKIT_CPU_ATTENTION_PROBLEM_H

#include <cstdint>

namespace npukit {

struct AttentionProblem {
  const void* q;
  int q_dtype;
  const void* k_cache;
  const void* v_cache;
  int cache_dtype;
  const int32_t* block_tables;
  const int32_t* seq_lens;
  const int32_t* query_start_loc;
  int num_seqs;
  const float* cos_sin;
  void* out;
  int out_dtype;
  int num_tokens, num_heads, num_kv_heads, head_dim;
  int num_blocks, block_size, max_blocks_per_seq;
  int rope_style, rotary_dim;
  float scale;
  int kv_layout;  // enum npukit_kv_layout
};

// Both return false if a worker failed (out of memory); they never read outside the buffers of
// a problem that npukit_cpu_paged_attention validated.
bool paged_attention_generic(const AttentionProblem& p);
bool paged_attention_avx2(const AttentionProblem& p);
bool paged_attention_avx512(const AttentionProblem& p);

}  // namespace npukit

#endif
