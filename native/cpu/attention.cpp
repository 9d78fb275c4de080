// C entry point of paged attention: re-validates everything that could address memory outside
// the given buffers, then runs the fastest implementation this processor supports.
#include "attention_problem.h"
#include "convert.h"
#include "cpu_features.h"
#include "npukit/attention.h"
#include "status.h"

using npukit::fail;

extern "C" int npukit_paged_attention(
    const void* q, int q_dtype, int64_t q_numel,
    const void* k_cache, const void* v_cache, int cache_dtype, int64_t cache_numel,
    const int32_t* block_tables, int64_t block_tables_numel,
    const int32_t* seq_lens, const int32_t* query_start_loc, int num_seqs,
    const float* cos_sin, int64_t cos_sin_numel,
    void* out, int out_dtype, int64_t out_numel,
    int num_tokens, int num_heads, int num_kv_heads, int head_dim,
    int num_blocks, int block_size, int max_blocks_per_seq,
    int rope_style, int rotary_dim, float scale) {
  NPUKIT_REQUIRE(q && k_cache && v_cache && out && block_tables && seq_lens && query_start_loc,
                 NPUKIT_ERR_ARGUMENT, "paged_attention: a required buffer is null");
  NPUKIT_REQUIRE(npukit::is_float_dtype(q_dtype) && npukit::is_float_dtype(cache_dtype) &&
                     npukit::is_float_dtype(out_dtype),
                 NPUKIT_ERR_ARGUMENT, "paged_attention: q, cache and out must be F32, F16 or BF16");
  NPUKIT_REQUIRE(num_tokens >= 0 && num_heads > 0 && num_kv_heads > 0 && head_dim > 0 && num_seqs >= 0 &&
                     num_blocks >= 0 && block_size > 0 && max_blocks_per_seq >= 0,
                 NPUKIT_ERR_ARGUMENT, "paged_attention: sizes must be positive");
  NPUKIT_REQUIRE(num_heads % num_kv_heads == 0, NPUKIT_ERR_ARGUMENT,
                 "paged_attention: num_kv_heads %d does not divide num_heads %d", num_kv_heads, num_heads);
  NPUKIT_REQUIRE(q_numel == int64_t{num_tokens} * num_heads * head_dim, NPUKIT_ERR_BOUNDS,
                 "paged_attention: q has %lld elements, expected %lld", (long long)q_numel,
                 (long long)(int64_t{num_tokens} * num_heads * head_dim));
  NPUKIT_REQUIRE(out_numel == q_numel, NPUKIT_ERR_BOUNDS, "paged_attention: out has %lld elements, expected %lld",
                 (long long)out_numel, (long long)q_numel);
  NPUKIT_REQUIRE(cache_numel == int64_t{num_blocks} * block_size * num_kv_heads * head_dim, NPUKIT_ERR_BOUNDS,
                 "paged_attention: cache has %lld elements, expected %lld", (long long)cache_numel,
                 (long long)(int64_t{num_blocks} * block_size * num_kv_heads * head_dim));
  NPUKIT_REQUIRE(block_tables_numel == int64_t{num_seqs} * max_blocks_per_seq, NPUKIT_ERR_BOUNDS,
                 "paged_attention: block_tables has %lld elements, expected %lld", (long long)block_tables_numel,
                 (long long)(int64_t{num_seqs} * max_blocks_per_seq));
  int max_position = 0;
  if (rope_style != NPUKIT_ROPE_NONE) {
    NPUKIT_REQUIRE(rope_style == NPUKIT_ROPE_NEOX || rope_style == NPUKIT_ROPE_GPTJ, NPUKIT_ERR_ARGUMENT,
                   "paged_attention: unknown rope_style %d", rope_style);
    NPUKIT_REQUIRE(cos_sin != nullptr, NPUKIT_ERR_ARGUMENT, "paged_attention: cos_sin is null");
    NPUKIT_REQUIRE(rotary_dim > 0 && rotary_dim % 2 == 0 && rotary_dim <= head_dim, NPUKIT_ERR_ARGUMENT,
                   "paged_attention: rotary_dim %d must be even, positive and <= head_dim %d", rotary_dim, head_dim);
    NPUKIT_REQUIRE(cos_sin_numel % rotary_dim == 0, NPUKIT_ERR_BOUNDS,
                   "paged_attention: cos_sin size %lld is not a multiple of rotary_dim", (long long)cos_sin_numel);
    max_position = static_cast<int>(cos_sin_numel / rotary_dim);
  }
  NPUKIT_REQUIRE(query_start_loc[0] == 0 && query_start_loc[num_seqs] == num_tokens, NPUKIT_ERR_BOUNDS,
                 "paged_attention: query_start_loc must run from 0 to num_tokens %d", num_tokens);
  for (int s = 0; s < num_seqs; s++) {
    const int q_len = query_start_loc[s + 1] - query_start_loc[s];
    const int len = seq_lens[s];
    NPUKIT_REQUIRE(q_len >= 0, NPUKIT_ERR_BOUNDS, "paged_attention: query_start_loc decreases at sequence %d", s);
    NPUKIT_REQUIRE(len >= q_len && int64_t{len} <= int64_t{max_blocks_per_seq} * block_size, NPUKIT_ERR_BOUNDS,
                   "paged_attention: seq_lens[%d] = %d is outside [%d, %lld]", s, len, q_len,
                   (long long)(int64_t{max_blocks_per_seq} * block_size));
    if (q_len == 0) continue;
    NPUKIT_REQUIRE(rope_style == NPUKIT_ROPE_NONE || len <= max_position, NPUKIT_ERR_BOUNDS,
                   "paged_attention: sequence %d needs %d positions, cos_sin has %d", s, len, max_position);
    const int used = static_cast<int>((int64_t{len} + block_size - 1) / block_size);
    for (int b = 0; b < used; b++) {
      const int32_t id = block_tables[int64_t{s} * max_blocks_per_seq + b];
      NPUKIT_REQUIRE(id >= 0 && id < num_blocks, NPUKIT_ERR_BOUNDS,
                     "paged_attention: block_tables[%d][%d] = %d is outside [0, %d)", s, b, id, num_blocks);
    }
  }

  const npukit::AttentionProblem p{q, q_dtype, k_cache, v_cache, cache_dtype, block_tables, seq_lens,
                                   query_start_loc, num_seqs, cos_sin, out, out_dtype, num_tokens, num_heads,
                                   num_kv_heads, head_dim, num_blocks, block_size, max_blocks_per_seq,
                                   rope_style, rotary_dim, scale};
  const bool done = npukit::has_avx2_fma_f16c() ? npukit::paged_attention_avx2(p) : npukit::paged_attention_generic(p);
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "paged_attention: a worker failed (out of memory?)");
  return npukit::ok();
}
