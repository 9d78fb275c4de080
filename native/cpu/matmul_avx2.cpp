// Matmul with AVX2 + FMA + F16C: an NR x MR block of outputs in NR*MR vector accumulators, so
// each weight vector loaded (and widened) once serves MR activation rows and each activation
// vector NR weight rows. Own translation unit, called only after has_avx2_fma_f16c().
#include <immintrin.h>

#include "avx2_util.h"
#include "convert.h"
#include "matmul_impl.h"

namespace npukit {
namespace {

template <int DT, int NR, int MR>
void tile_t(const MatmulProblem& p, int n0, int m0) {
  __m256 acc[NR][MR];
  for (int i = 0; i < NR; i++)
    for (int j = 0; j < MR; j++) acc[i][j] = _mm256_setzero_ps();
  const float* x[MR];
  for (int j = 0; j < MR; j++) x[j] = p.x + int64_t{m0 + j} * p.k;
  int k = 0;
  for (; k + 8 <= p.k; k += 8) {
    __m256 xv[MR];
    for (int j = 0; j < MR; j++) xv[j] = _mm256_loadu_ps(x[j] + k);
    for (int i = 0; i < NR; i++) {
      const __m256 wv = load8<DT>(p.w, int64_t{n0 + i} * p.k + k);
      for (int j = 0; j < MR; j++) acc[i][j] = _mm256_fmadd_ps(wv, xv[j], acc[i][j]);
    }
  }
  for (int i = 0; i < NR; i++) {
    const int64_t w0 = int64_t{n0 + i} * p.k;
    for (int j = 0; j < MR; j++) {
      float sum = hsum(acc[i][j]);
      for (int t = k; t < p.k; t++) sum += load_float(p.w, DT, w0 + t) * x[j][t];
      p.out[int64_t{m0 + j} * p.n + n0 + i] = sum;
    }
  }
}

struct Avx2Ops {
  template <int NR, int MR>
  static void tile(const MatmulProblem& p, int n0, int m0) {
    switch (p.w_dtype) {
      case NPUKIT_F16: tile_t<NPUKIT_F16, NR, MR>(p, n0, m0); break;
      case NPUKIT_BF16: tile_t<NPUKIT_BF16, NR, MR>(p, n0, m0); break;
      default: tile_t<NPUKIT_F32, NR, MR>(p, n0, m0); break;
    }
  }
};

}  // namespace

bool matmul_avx2(const MatmulProblem& p) { return run_matmul<Avx2Ops>(p); }

}  // namespace npukit
