// BGMV shrink and expand (npukit/bgmv.h), written once over ISA-specific mixed-precision dot
// products in F32: Ops::dot(w, w_dtype, w_offset, x, n) = sum_i w[w_offset + i] * x[i], and
// Ops::dots(w, w_dtype, w_offset, x, n, count, out), out[o] = dot of the o-th of count
// consecutive rows of n weights with x (expand's short rows, where one horizontal sum per output
// would cost more than its multiply-adds).
// Internal linkage: the generic and AVX2 translation units each get their own copy.
//
// Work split: one item per batch row. The row's activation is widened to F32 once, then dotted
// with every row of its adapter's matrix; rows sharing an adapter reuse its matrix from cache.
#ifndef NPUKIT_CPU_BGMV_IMPL_H
#define NPUKIT_CPU_BGMV_IMPL_H

#include <vector>

#include "bgmv_problem.h"
#include "convert.h"
#include "thread_pool.h"

namespace npukit {
namespace {

inline void widen(const void* src, int dtype, int64_t offset, float* dst, int n) {
  for (int i = 0; i < n; i++) dst[i] = load_float(src, dtype, offset + i);
}

template <class Ops>
bool run_shrink(const ShrinkProblem& p) {
  return parallel_for(p.batch, [&](int64_t b) {
    float* y = p.y + b * p.rank;
    const int32_t lora = p.indices[b];
    if (lora < 0) {
      for (int r = 0; r < p.rank; r++) y[r] = 0.0f;
      return;
    }
    thread_local std::vector<float> xf;
    xf.resize(static_cast<size_t>(p.h_in));
    widen(p.x, p.x_dtype, b * p.h_in, xf.data(), p.h_in);
    const int64_t a0 = int64_t{lora} * p.rank * p.h_in;
    for (int r = 0; r < p.rank; r++) {
      y[r] = p.scale * Ops::dot(p.a, p.a_dtype, a0 + int64_t{r} * p.h_in, xf.data(), p.h_in);
    }
  });
}

template <class Ops>
bool run_expand(const ExpandProblem& p) {
  return parallel_for(p.batch, [&](int64_t b) {
    const int32_t lora = p.indices[b];
    if (lora < 0) return;
    thread_local std::vector<float> vf;
    vf.resize(static_cast<size_t>(p.rank));
    widen(p.v, p.v_dtype, b * p.rank, vf.data(), p.rank);
    thread_local std::vector<float> add;
    add.resize(static_cast<size_t>(p.h_out));
    Ops::dots(p.w, p.w_dtype, int64_t{lora} * p.h_out * p.rank, vf.data(), p.rank, p.h_out, add.data());
    const int64_t y0 = b * p.y_row + p.offset;
    if (p.y_dtype == NPUKIT_F32) {
      float* y = static_cast<float*>(p.y) + y0;
      for (int o = 0; o < p.h_out; o++) y[o] += add[o];
    } else {
      for (int o = 0; o < p.h_out; o++) store_float(p.y, p.y_dtype, y0 + o, load_float(p.y, p.y_dtype, y0 + o) + add[o]);
    }
  });
}

}  // namespace
}  // namespace npukit

#endif
