// Matmul for any processor (baseline ISA): each output element keeps eight independent partial
// sums, which the compiler maps to vector lanes without reassociating.
#include "convert.h"
#include "matmul_impl.h"

namespace npukit {
namespace {

struct GenericOps {
  template <int NR, int MR>
  static void tile(const MatmulProblem& p, int n0, int m0) {
    for (int i = 0; i < NR; i++) {
      const int64_t w0 = int64_t{n0 + i} * p.k;
      for (int j = 0; j < MR; j++) {
        const float* x = p.x + int64_t{m0 + j} * p.k;
        float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int k = 0;
        for (; k + 8 <= p.k; k += 8) {
          for (int l = 0; l < 8; l++) part[l] += load_float(p.w, p.w_dtype, w0 + k + l) * x[k + l];
        }
        float sum = ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
        for (; k < p.k; k++) sum += load_float(p.w, p.w_dtype, w0 + k) * x[k];
        p.out[int64_t{m0 + j} * p.n + n0 + i] = sum;
      }
    }
  }
};

}  // namespace

bool matmul_generic(const MatmulProblem& p) { return run_matmul<GenericOps>(p); }

}  // namespace npukit
