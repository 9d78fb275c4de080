// Paged attention with AVX-512. Two instantiations of the primitives of attention_simd.h:
//   - 16-lane (512-bit) vectors where 512-bit operations run at full width
//     (has_full_width_avx512) and the head dim and the rotated halves are whole 16-lane vectors:
//     twice the work per instruction of the 8-lane code, so twice its FMA peak;
//   - 8-lane (256-bit) vectors otherwise: the AVX2 code of attention_avx2.cpp compiled for
//     AVX-512VL so that it has 32 registers, which lets scores take four keys at a time (16
//     accumulators) and halves the query loads per FMA.
// Processors that execute 512-bit operations in two halves (Zen 4) gain nothing from them, and
// Intel processors lower their clock for them, so those run the 8-lane code. Own translation
// unit, called only after has_avx512vl() (see cpu_features.h).
#include "attention_simd.h"
#include "cpu_features.h"
#include "ymm_vec.h"
#include "zmm_vec.h"

namespace npukit {
namespace {

struct Avx512Vec : YmmVec {
  static constexpr int kScoreGroup = 4;
  static constexpr int kScoreKeys = 4;  // 4 keys x 4 queries = 16 accumulators + 8 rotated keys
  // Values: 4 rows x 4 vectors = 16 accumulators + 4 values + 1 weight; a value chunk feeds 16 FMAs.
  static constexpr int kMaxAccRows = 4;
  static constexpr int kAccVecs = 4;
  // Prefill micro-kernels: 6 queries x 4 vectors = 24 accumulators + 4 loads + 1 broadcast.
  static constexpr int kTileRows = 6;
  static constexpr int kTileVecs = 4;
};

// The same blocking on 16 lanes; a prefill strip is 4 x 16 = 64 keys, one panel (kPanelKeys).
struct Avx512WideVec : ZmmVec {
  static constexpr int kScoreGroup = 4;
  static constexpr int kScoreKeys = 4;
  // Values: 4 rows x 4 vectors, half of a 128-dim row per pass over the keys.
  static constexpr int kMaxAccRows = 4;
  static constexpr int kAccVecs = 4;
  static constexpr int kTileRows = 6;
  static constexpr int kTileVecs = 4;
};

}  // namespace

bool paged_attention_avx512(const AttentionProblem& p) {
  if (has_full_width_avx512() && SimdOps<Avx512WideVec>::direct_ok(p.head_dim, p.rotary_dim, p.rope_style)) {
    return run_paged_attention<SimdOps<Avx512WideVec>>(p);
  }
  return run_paged_attention<SimdOps<Avx512Vec>>(p);
}

}  // namespace npukit
