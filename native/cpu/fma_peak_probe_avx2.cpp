// The FMA peak probe's chains for the AVX2 + FMA path (fma_chains.h): 16 registers, 12 chains.
// Called only after the check of cpu_features.h.
#include "fma_chains.h"
#include "ymm_vec.h"

namespace npukit {

double fma_chains_avx2(int64_t iterations, int64_t* flops) { return fma_chains<YmmVec, 12>(iterations, flops); }

}  // namespace npukit
