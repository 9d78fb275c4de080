// SiLU-and-multiply with AVX2 + FMA: eight elements at a time with a polynomial exp (Cephes'
// expf: range reduction by ln 2 in two parts, a degree-5 polynomial, 2^n built in the exponent
// bits; a few units in the last place), which the scalar expf of the baseline path cannot be
// vectorized into. Its range ends are made exact for silu: an argument past expf's overflow gives
// +inf (so silu(-inf) and silu(g < -88.7) are -0, as on the baseline path), one below -88.37 gives
// 0 (1 + exp(-g) is 1 there either way). Own translation unit, called only after
// has_avx2_fma_f16c().
#include <immintrin.h>

#include "silu_mul_problem.h"

namespace npukit {
namespace {

inline __m256 exp8(__m256 x) {
  const __m256 overflow = _mm256_cmp_ps(x, _mm256_set1_ps(88.72283935546875f), _CMP_GT_OQ);
  x = _mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f));
  x = _mm256_max_ps(x, _mm256_set1_ps(-88.3762626647949f));
  const __m256 fx = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
  __m256 y = _mm256_set1_ps(1.9875691500E-4f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507E-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073E-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894E-2f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201E-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
  const __m256i n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127)), 23);
  y = _mm256_mul_ps(y, _mm256_castsi256_ps(n));
  return _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), overflow);
}

}  // namespace

void silu_mul_rows_avx2(const SiluMulProblem& p, int r0, int r1) {
  const __m256 lowest = _mm256_set1_ps(-FLT_MAX);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int r = r0; r < r1; r++) {
    const float* g = p.gate_up + 2 * int64_t{r} * p.inter;
    const float* u = g + p.inter;
    float* o = p.out + int64_t{r} * p.inter;
    int i = 0;
    for (; i + 8 <= p.inter; i += 8) {
      // max_ps returns its second operand when either is NaN: a NaN gate stays NaN.
      const __m256 gate = _mm256_max_ps(lowest, _mm256_loadu_ps(g + i));
      const __m256 e = exp8(_mm256_xor_ps(gate, sign));
      const __m256 s = _mm256_div_ps(gate, _mm256_add_ps(one, e));
      _mm256_storeu_ps(o + i, _mm256_mul_ps(s, _mm256_loadu_ps(u + i)));
    }
    for (; i < p.inter; i++) o[i] = silu_mul_one(g[i], u[i]);
  }
}

}  // namespace npukit
