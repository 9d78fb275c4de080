// C entry point of paged attention: re-validates everything that could address memory outside
// the given tensors (native/common/contract_checks.h), then runs the fastest implementation this
// processor supports.
#include <new>

#include "attention_problem.h"
#include "contract_checks.h"
#include "cpu_features.h"
#include "npukit/kernels.h"
#include "status.h"

extern "C" int npukit_cpu_paged_attention(const npukit_attention_args* args) {
  const auto fail = [](int code, const char* fmt, auto... a) { return npukit::fail(code, fmt, a...); };
  if (args == nullptr) return fail(NPUKIT_ERR_ARGUMENT, "paged_attention: args is null");
  const npukit_attention_args& a = *args;
  npukit::contract::AttentionDims d{};
  if (const int status = npukit::contract::attention_sizes(a, NPUKIT_HOST, d, fail)) return status;
  const auto* tables = static_cast<const int32_t*>(a.block_tables.data);
  const auto* lens = static_cast<const int32_t*>(a.seq_lens.data);
  const auto* starts = static_cast<const int32_t*>(a.query_start_loc.data);
  if (const int status = npukit::contract::attention_indices(d, a.rope_style, tables, lens, starts, fail)) {
    return status;
  }

  const npukit::AttentionProblem p{a.q.data,        a.q.dtype,        a.k_cache.data,
                                   a.v_cache.data,  a.k_cache.dtype,  tables,
                                   lens,            starts,           d.num_seqs,
                                   static_cast<const float*>(a.cos_sin.data), a.out.data, a.out.dtype,
                                   d.num_tokens,    d.num_heads,      d.num_kv_heads,
                                   d.head_dim,      d.num_blocks,     d.block_size,
                                   d.max_blocks_per_seq, a.rope_style, d.rotary_dim,
                                   a.scale,         d.kv_layout};
  bool done = false;
  try {  // the work list and the split results are allocated per call
    done = NPUKIT_IF_SIMD(npukit::has_avx512vl(), npukit::paged_attention_avx512(p),
                          NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), npukit::paged_attention_avx2(p),
                                         npukit::paged_attention_generic(p)));
  } catch (const std::bad_alloc&) {
    return fail(NPUKIT_ERR_INTERNAL, "paged_attention: out of memory for the work list of %d sequences",
                d.num_seqs);
  }
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "paged_attention: a worker failed (out of memory?)");
  return npukit::ok();
}
