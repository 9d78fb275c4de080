// RMS norm for any processor (baseline ISA).
#include "rms_norm_impl.h"

namespace npukit {

void rms_norm_rows_generic(const RmsNormProblem& p, int r0, int r1) { rms_norm_rows(p, r0, r1); }

}  // namespace npukit
