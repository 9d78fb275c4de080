// C entry point of paged attention: re-validates everything that could address memory outside
// the given buffers (native/common/contract_checks.h), then runs the fastest implementation this
// processor supports.
#include <new>

#include "attention_problem.h"
#include "contract_checks.h"
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
  const npukit::contract::AttentionCall call{
      q, q_dtype, q_numel, k_cache, v_cache, cache_dtype, cache_numel, block_tables, block_tables_numel,
      seq_lens, query_start_loc, num_seqs, cos_sin, cos_sin_numel, out, out_dtype, out_numel,
      num_tokens, num_heads, num_kv_heads, head_dim, num_blocks, block_size, max_blocks_per_seq,
      rope_style, rotary_dim};
  const auto fail = [](int code, const char* fmt, auto... args) { return npukit::fail(code, fmt, args...); };
  int max_position = 0;
  if (const int status = npukit::contract::attention_sizes(call, max_position, fail)) return status;
  if (const int status =
          npukit::contract::attention_indices(call, block_tables, seq_lens, query_start_loc, max_position, fail)) {
    return status;
  }

  const npukit::AttentionProblem p{q, q_dtype, k_cache, v_cache, cache_dtype, block_tables, seq_lens,
                                   query_start_loc, num_seqs, cos_sin, out, out_dtype, num_tokens, num_heads,
                                   num_kv_heads, head_dim, num_blocks, block_size, max_blocks_per_seq,
                                   rope_style, rotary_dim, scale};
  bool done = false;
  try {  // the work list and the split results are allocated per call
    done = NPUKIT_IF_SIMD(npukit::has_avx512vl(), npukit::paged_attention_avx512(p),
                          NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), npukit::paged_attention_avx2(p),
                                         npukit::paged_attention_generic(p)));
  } catch (const std::bad_alloc&) {
    return fail(NPUKIT_ERR_INTERNAL, "paged_attention: out of memory for the work list of %d sequences", num_seqs);
  }
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "paged_attention: a worker failed (out of memory?)");
  return npukit::ok();
}
