// The FMA peak probe's chains for the AVX-512VL path (fma_chains.h): 32 registers (AVX-512VL
// encodings of the 256-bit instructions), 24 chains. Called only after the check of cpu_features.h.
#include "fma_chains.h"

namespace npukit {

double fma_chains_avx512(int64_t iterations, int64_t* flops) { return fma_chains<24>(iterations, flops); }

}  // namespace npukit
