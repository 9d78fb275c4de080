// Paged attention with AVX-512VL: the AVX2 code of attention_avx2.cpp on the same 8-lane (256-bit)
// vectors, compiled for AVX-512VL so that it has 32 registers: scores take four keys at a time
// (16 accumulators), which halves the query loads per FMA. 512-bit vectors are not used: on Zen 4
// they were slower (each is split in two) and on Intel they lower the clock. Own translation unit,
// called only after has_avx512vl() (see cpu_features.h).
#include "attention_simd.h"
#include "ymm_vec.h"

namespace npukit {
namespace {

struct Avx512Vec : YmmVec {
  static constexpr int kScoreGroup = 4;
  static constexpr int kScoreKeys = 4;  // 4 keys x 4 queries = 16 accumulators + 8 rotated keys
  static constexpr int kMaxAccRows = 6;
  // Prefill micro-kernels: 6 queries x 4 vectors = 24 accumulators + 4 loads + 1 broadcast.
  static constexpr int kTileRows = 6;
  static constexpr int kTileVecs = 4;
};

}  // namespace

bool paged_attention_avx512(const AttentionProblem& p) { return run_paged_attention<SimdOps<Avx512Vec>>(p); }

}  // namespace npukit
