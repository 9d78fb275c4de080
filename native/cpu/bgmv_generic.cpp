// BGMV for any processor (baseline ISA): a dot product with eight independent partial sums,
// which the compiler maps to vector lanes without reassociating.
#include "bgmv_impl.h"

namespace npukit {
namespace {

struct GenericOps {
  static float dot(const void* w, int dtype, int64_t offset, const float* x, int n) {
    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int k = 0; k < 8; k++) part[k] += load_float(w, dtype, offset + i + k) * x[i + k];
    }
    float sum = ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
    for (; i < n; i++) sum += load_float(w, dtype, offset + i) * x[i];
    return sum;
  }

  static void dot_rows(const void* w, int dtype, int64_t offset, const float* xs, int64_t ldx, int nr, int n,
                       float* out) {
    for (int k = 0; k < nr; k++) out[k] = dot(w, dtype, offset, xs + k * ldx, n);
  }

  static void dots(const void* w, int dtype, int64_t offset, const float* x, int n, int count, float* out) {
    for (int o = 0; o < count; o++) out[o] = dot(w, dtype, offset + int64_t{o} * n, x, n);
  }
};

}  // namespace

bool bgmv_shrink_generic(const ShrinkProblem& p) { return run_shrink<GenericOps>(p); }
bool bgmv_expand_generic(const ExpandProblem& p) { return run_expand<GenericOps>(p); }

}  // namespace npukit
