// RMS norm compiled for AVX2: the same source as the baseline path with eight-lane vectors (its
// partial sums fill one register). Own translation unit, called only after has_avx2_fma_f16c().
#include "rms_norm_impl.h"

namespace npukit {

void rms_norm_rows_avx2(const RmsNormProblem& p, int r0, int r1) { rms_norm_rows(p, r0, r1); }

}  // namespace npukit
