// BGMV with AVX2 + FMA + F16C: weights widened eight at a time and multiplied into four F32
// accumulators. Own translation unit, called only after has_avx2_fma_f16c().
#include <immintrin.h>

#include "avx2_util.h"
#include "bgmv_impl.h"

namespace npukit {
namespace {

template <int DT>
float dot_t(const void* w, int64_t offset, const float* x, int n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(load8<DT>(w, offset + i), _mm256_loadu_ps(x + i), s0);
    s1 = _mm256_fmadd_ps(load8<DT>(w, offset + i + 8), _mm256_loadu_ps(x + i + 8), s1);
    s2 = _mm256_fmadd_ps(load8<DT>(w, offset + i + 16), _mm256_loadu_ps(x + i + 16), s2);
    s3 = _mm256_fmadd_ps(load8<DT>(w, offset + i + 24), _mm256_loadu_ps(x + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(load8<DT>(w, offset + i), _mm256_loadu_ps(x + i), s0);
  float sum = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; i++) sum += load_float(w, DT, offset + i) * x[i];
  return sum;
}

// out[o] = dot(row o, x) for count rows of n (a multiple of 8) weights: eight rows at a time,
// each row's products summed in one vector, and the eight vectors reduced together by a
// transpose (hadd, hadd, 128-bit swap) instead of eight horizontal sums.
template <int DT>
void dots8_t(const void* w, int64_t offset, const float* x, int n, int count, float* out) {
  int o = 0;
  for (; o + 8 <= count; o += 8) {
    __m256 acc[8];
    for (int k = 0; k < 8; k++) {
      const int64_t row = offset + int64_t{o + k} * n;
      acc[k] = _mm256_mul_ps(load8<DT>(w, row), _mm256_loadu_ps(x));
      for (int i = 8; i < n; i += 8) acc[k] = _mm256_fmadd_ps(load8<DT>(w, row + i), _mm256_loadu_ps(x + i), acc[k]);
    }
    const __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(acc[0], acc[1]), _mm256_hadd_ps(acc[2], acc[3]));
    const __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(acc[4], acc[5]), _mm256_hadd_ps(acc[6], acc[7]));
    _mm256_storeu_ps(out + o, _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31)));
  }
  for (; o < count; o++) out[o] = dot_t<DT>(w, offset + int64_t{o} * n, x, n);
}

// out[k] = dot(w[offset, offset + n), row k of xs) for k < NR: each weight chunk is loaded and
// widened once for all NR rows.
template <int DT, int NR>
void dot_rows_t(const void* w, int64_t offset, const float* xs, int64_t ldx, int n, float* out) {
  __m256 acc[NR][2];
  for (int k = 0; k < NR; k++) acc[k][0] = acc[k][1] = _mm256_setzero_ps();
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 w0 = load8<DT>(w, offset + i);
    const __m256 w1 = load8<DT>(w, offset + i + 8);
    for (int k = 0; k < NR; k++) {
      acc[k][0] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xs + k * ldx + i), acc[k][0]);
      acc[k][1] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xs + k * ldx + i + 8), acc[k][1]);
    }
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 w0 = load8<DT>(w, offset + i);
    for (int k = 0; k < NR; k++) acc[k][0] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xs + k * ldx + i), acc[k][0]);
  }
  for (int k = 0; k < NR; k++) {
    float sum = hsum(_mm256_add_ps(acc[k][0], acc[k][1]));
    for (int j = i; j < n; j++) sum += load_float(w, DT, offset + j) * xs[k * ldx + j];
    out[k] = sum;
  }
}

template <int DT>
void dot_rows_n(const void* w, int64_t offset, const float* xs, int64_t ldx, int nr, int n, float* out) {
  switch (nr) {
    case 4: dot_rows_t<DT, 4>(w, offset, xs, ldx, n, out); break;
    case 3: dot_rows_t<DT, 3>(w, offset, xs, ldx, n, out); break;
    case 2: dot_rows_t<DT, 2>(w, offset, xs, ldx, n, out); break;
    default: dot_rows_t<DT, 1>(w, offset, xs, ldx, n, out); break;
  }
}

struct Avx2Ops {
  static float dot(const void* w, int dtype, int64_t offset, const float* x, int n) {
    switch (dtype) {
      case NPUKIT_F16: return dot_t<NPUKIT_F16>(w, offset, x, n);
      case NPUKIT_BF16: return dot_t<NPUKIT_BF16>(w, offset, x, n);
      default: return dot_t<NPUKIT_F32>(w, offset, x, n);
    }
  }

  static void dot_rows(const void* w, int dtype, int64_t offset, const float* xs, int64_t ldx, int nr, int n,
                       float* out) {
    switch (dtype) {
      case NPUKIT_F16: dot_rows_n<NPUKIT_F16>(w, offset, xs, ldx, nr, n, out); break;
      case NPUKIT_BF16: dot_rows_n<NPUKIT_BF16>(w, offset, xs, ldx, nr, n, out); break;
      default: dot_rows_n<NPUKIT_F32>(w, offset, xs, ldx, nr, n, out); break;
    }
  }

  static void dots(const void* w, int dtype, int64_t offset, const float* x, int n, int count, float* out) {
    // dots8_t loads eight weights per row before it looks at n: rank 0 takes the scalar path.
    if (n == 0 || n % 8 != 0) {
      for (int o = 0; o < count; o++) out[o] = dot(w, dtype, offset + int64_t{o} * n, x, n);
      return;
    }
    switch (dtype) {
      case NPUKIT_F16: dots8_t<NPUKIT_F16>(w, offset, x, n, count, out); break;
      case NPUKIT_BF16: dots8_t<NPUKIT_BF16>(w, offset, x, n, count, out); break;
      default: dots8_t<NPUKIT_F32>(w, offset, x, n, count, out); break;
    }
  }
};

}  // namespace

bool bgmv_shrink_avx2(const ShrinkProblem& p) { return run_shrink<Avx2Ops>(p); }
bool bgmv_expand_avx2(const ExpandProblem& p) { return run_expand<Avx2Ops>(p); }

}  // namespace npukit
