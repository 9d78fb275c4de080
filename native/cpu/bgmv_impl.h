// BGMV shrink and expand (npukit/bgmv.h), written once over ISA-specific mixed-precision dot
// products in F32: Ops::dot(w, w_dtype, w_offset, x, n) = sum_i w[w_offset + i] * x[i], and
// Ops::dots(w, w_dtype, w_offset, x, n, count, out), out[o] = dot of the o-th of count
// consecutive rows of n weights with x (expand's short rows, where one horizontal sum per output
// would cost more than its multiply-adds), and Ops::dot_rows(w, w_dtype, w_offset, xs, ldx, nr,
// n, out), out[k] = dot of the n weights with row k of xs (row stride ldx), k < nr <= 4 (shrink's
// rows that share an adapter: each weight loaded once for all of them).
// Internal linkage: the generic and AVX2 translation units each get their own copy.
//
// Work split: expand, one item per batch row (its activation widened to F32 once); shrink, up to
// four rows that share an adapter per item (see run_shrink).
#ifndef NPUKIT_CPU_BGMV_IMPL_H
#define NPUKIT_CPU_BGMV_IMPL_H

#include <algorithm>
#include <new>
#include <vector>

#include "bgmv_problem.h"
#include "convert.h"
#include "thread_pool.h"

namespace npukit {
namespace {

inline void widen(const void* src, int dtype, int64_t offset, float* dst, int n) {
  for (int i = 0; i < n; i++) dst[i] = load_float(src, dtype, offset + i);
}

// Shrink items: up to kShrinkRows rows that share an adapter, so that each of its weights is read
// once for all of them (each row alone read the whole adapter again from L2/L3), walked in
// column tiles of kShrinkTile so that the rows' activations stay in L1.
constexpr int kShrinkRows = 4;
constexpr int kShrinkTile = 1024;

template <class Ops>
bool run_shrink(const ShrinkProblem& p) {
  // Rows with an adapter, ordered by adapter (then row; a counting sort), cut into items of at
  // most kShrinkRows. Out of memory for these lists fails the call (false), never an exception
  // through the C API.
  int32_t loras = 0;
  for (int b = 0; b < p.batch; b++) loras = std::max(loras, p.indices[b] + 1);
  std::vector<int32_t> first, order, item_start;
  try {
    first.resize(static_cast<size_t>(loras) + 1);  // zeros
    order.resize(static_cast<size_t>(p.batch));
    item_start.reserve(static_cast<size_t>(p.batch) + 1);
  } catch (const std::bad_alloc&) {
    return false;
  }
  for (int b = 0; b < p.batch; b++) {
    if (p.indices[b] >= 0) {
      first[p.indices[b] + 1]++;
    } else {
      for (int r = 0; r < p.rank; r++) p.y[int64_t{b} * p.rank + r] = 0.0f;
    }
  }
  for (int32_t l = 0; l < loras; l++) first[l + 1] += first[l];
  order.resize(static_cast<size_t>(first[loras]));
  for (int b = 0; b < p.batch; b++) {
    if (p.indices[b] >= 0) order[first[p.indices[b]]++] = b;
  }
  for (size_t i = 0; i < order.size(); i++) {
    const bool new_item = i == 0 || p.indices[order[i]] != p.indices[order[i - 1]] ||
                          static_cast<int>(i) - item_start.back() == kShrinkRows;
    if (new_item) item_start.push_back(static_cast<int32_t>(i));
  }
  item_start.push_back(static_cast<int32_t>(order.size()));
  return parallel_for(static_cast<int64_t>(item_start.size()) - 1, [&](int64_t item) {
    const int32_t* rows = order.data() + item_start[item];
    const int nr = item_start[item + 1] - item_start[item];
    thread_local std::vector<float> xs, sums, part;
    xs.resize(static_cast<size_t>(nr) * p.h_in);
    // resize + loop, not assign: a vector member instantiated here is a weak symbol compiled for
    // AVX2 that baseline code could be linked to (cmake/check_simd_objects.sh).
    sums.resize(static_cast<size_t>(nr) * p.rank);
    for (float& v : sums) v = 0.0f;
    part.resize(static_cast<size_t>(nr));
    for (int k = 0; k < nr; k++) {
      widen(p.x, p.x_dtype, int64_t{rows[k]} * p.h_in, xs.data() + int64_t{k} * p.h_in, p.h_in);
    }
    const int64_t a0 = int64_t{p.indices[rows[0]]} * p.rank * p.h_in;
    for (int c = 0; c < p.h_in; c += kShrinkTile) {
      const int n = std::min(kShrinkTile, p.h_in - c);
      for (int r = 0; r < p.rank; r++) {
        Ops::dot_rows(p.a, p.a_dtype, a0 + int64_t{r} * p.h_in + c, xs.data() + c, p.h_in, nr, n, part.data());
        for (int k = 0; k < nr; k++) sums[int64_t{k} * p.rank + r] += part[k];
      }
    }
    for (int k = 0; k < nr; k++) {
      for (int r = 0; r < p.rank; r++) p.y[int64_t{rows[k]} * p.rank + r] = p.scale * sums[int64_t{k} * p.rank + r];
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
      for (int o = 0; o < p.h_out; o++) {
        store_float(p.y, p.y_dtype, y0 + o, load_float(p.y, p.y_dtype, y0 + o) + add[o]);
      }
    }
  });
}

}  // namespace
}  // namespace npukit

#endif
