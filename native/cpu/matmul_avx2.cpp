// Matmul with AVX2 + FMA + F16C: an NR x MR block of outputs in NR*MR vector accumulators, so
// each weight vector loaded (and widened) once serves MR activation rows and each activation
// vector NR weight rows. Own translation unit, called only after has_avx2_fma_f16c().
//
// A step covers 16 elements of k as two float vectors. BF16 weights take one 256-bit load: a
// BF16 is the top half of a float, so the even elements of the step are the 32-bit lanes shifted
// up by 16 and the odd ones the lanes with their low half masked off: two cheap operations per 16
// weights, which keeps a decode GEMV (M = 1) bound by memory rather than by widening. The
// activations are copied once per call with each 16-element block split into its even and odd
// elements to match. F16 and F32 weights take elements 0-7 and 8-15 of the step as they are.
// Every output element is summed the same way (one accumulator, the two halves of each step in
// turn, then the lanes, then the k % 16 tail), whatever M and the tile.
#include <immintrin.h>

#include <new>
#include <vector>

#include "avx2_util.h"
#include "convert.h"
#include "matmul_impl.h"

namespace npukit {
namespace {

constexpr int kStep = 16;

// The two float vectors of weight row elements [i, i + 16) as the step pairs them with x.
template <int DT>
inline void load_step(const void* w, int64_t i, __m256& lo, __m256& hi) {
  if (DT == NPUKIT_BF16) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(w) + i));
    lo = _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
    hi = _mm256_castsi256_ps(_mm256_and_si256(v, _mm256_set1_epi32(static_cast<int>(0xffff0000u))));
  } else {
    lo = load8<DT>(w, i);
    hi = load8<DT>(w, i + 8);
  }
}

// Asks for the weights the next tile's row i reads at this step, a tile ahead of the loads. With
// the hardware prefetcher alone, following NR interleaved row streams, the matmuls of a batch-1
// decode step of the 150M model (bench decode --random 150M) read their weights at about 0.5 of
// the read-bandwidth probe, with this at 0.65-0.75 (C++ harness, alternated in one process, on the
// 2-core VM of docs/benchmarks.md). An x86 prefetch never faults, so the address may lie past the
// matrix; it is computed as an integer because a pointer there would be undefined behaviour.
template <int DT>
inline void prefetch(const void* w, int64_t i) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(w) + static_cast<uintptr_t>(i) * (DT == NPUKIT_F32 ? 4 : 2);
  _mm_prefetch(reinterpret_cast<const char*>(at), _MM_HINT_T0);
}

template <int DT, int NR, int MR>
void tile_t(const MatmulProblem& p, int n0, int m0) {
  __m256 acc[NR][MR];
  for (int i = 0; i < NR; i++)
    for (int j = 0; j < MR; j++) acc[i][j] = _mm256_setzero_ps();
  const float* x[MR];
  for (int j = 0; j < MR; j++) x[j] = p.x + int64_t{m0 + j} * p.k;
  int k = 0;
  for (; k + kStep <= p.k; k += kStep) {
    __m256 xlo[MR], xhi[MR];
    for (int j = 0; j < MR; j++) {
      xlo[j] = _mm256_loadu_ps(x[j] + k);
      xhi[j] = _mm256_loadu_ps(x[j] + k + 8);
    }
    for (int i = 0; i < NR; i++) {
      prefetch<DT>(p.w, int64_t{n0 + NR + i} * p.k + k);
      __m256 lo, hi;
      load_step<DT>(p.w, int64_t{n0 + i} * p.k + k, lo, hi);
      for (int j = 0; j < MR; j++) {
        acc[i][j] = _mm256_fmadd_ps(lo, xlo[j], acc[i][j]);
        acc[i][j] = _mm256_fmadd_ps(hi, xhi[j], acc[i][j]);
      }
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

// x with every whole 16-element block of each row split into its 8 even then 8 odd elements (the
// order load_step gives BF16 weights); the k % 16 tail stays in place.
bool split_even_odd(const MatmulProblem& p, std::vector<float>& split) {
  try {
    split.resize(static_cast<size_t>(p.m) * p.k);
  } catch (const std::bad_alloc&) {
    return false;
  }
  for (int64_t r = 0; r < p.m; r++) {
    const float* src = p.x + r * p.k;
    float* dst = split.data() + r * p.k;
    int k = 0;
    for (; k + kStep <= p.k; k += kStep) {
      for (int e = 0; e < 8; e++) {
        dst[k + e] = src[k + 2 * e];
        dst[k + 8 + e] = src[k + 2 * e + 1];
      }
    }
    for (; k < p.k; k++) dst[k] = src[k];
  }
  return true;
}

}  // namespace

bool matmul_avx2(const MatmulProblem& p) {
  if (p.w_dtype != NPUKIT_BF16) return run_matmul<Avx2Ops>(p);
  std::vector<float> split;
  if (!split_even_odd(p, split)) return false;
  MatmulProblem q = p;
  q.x = split.data();
  return run_matmul<Avx2Ops>(q);
}

}  // namespace npukit
