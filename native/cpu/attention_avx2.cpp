// Paged attention with AVX2 + FMA + F16C: the SIMD primitives of attention_simd.h on 8-lane
// vectors with 16 registers. Compiled with those flags in its own translation unit and only called
// after has_avx2_fma_f16c() (see cpu_features.h).
#include "attention_simd.h"
#include "ymm_vec.h"

namespace npukit {
namespace {

struct Avx2Vec : YmmVec {
  static constexpr int kScoreGroup = 4;  // 4 accumulators + key + rotation temporaries
  static constexpr int kScoreKeys = 1;   // more keys at once spilled registers
  static constexpr int kMaxAccRows = 6;  // 6 rows x 2 vectors + 2 values + 1 weight <= 16 registers
  static constexpr int kAccVecs = 2;   // vectors of each of those rows
  // Prefill micro-kernels: 6 queries x 2 vectors = 12 accumulators + 2 loads + 1 broadcast.
  static constexpr int kTileRows = 6;
  static constexpr int kTileVecs = 2;
};

}  // namespace

bool paged_attention_avx2(const AttentionProblem& p) { return run_paged_attention<SimdOps<Avx2Vec>>(p); }

}  // namespace npukit
