// The FMA peak probe's chains for the AVX-512 paths (fma_chains.h): 32 registers, 24 chains, of
// 256-bit FMAs (AVX-512VL encodings) or of 512-bit FMAs (the full-width path). Called only after
// the checks of cpu_features.h.
#include "fma_chains.h"
#include "ymm_vec.h"
#include "zmm_vec.h"

namespace npukit {

double fma_chains_avx512(int64_t iterations, int64_t* flops) { return fma_chains<YmmVec, 24>(iterations, flops); }

double fma_chains_avx512_wide(int64_t iterations, int64_t* flops) {
  return fma_chains<ZmmVec, 24>(iterations, flops);
}

}  // namespace npukit
