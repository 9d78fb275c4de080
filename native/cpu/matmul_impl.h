// The matmul tiling, written once over an ISA-specific micro-kernel
//   Ops::tile<NR, MR>(w, w_dtype, w_row0, x, x_row0, k, out, ldo)
// that computes an NR x MR block of out (NR weight rows, MR activation rows), each element with
// the same summation order. Internal linkage: each ISA's translation unit gets its own copy.
//
// Work split: the weights are the big operand (a decode step has m = 1..batch rows), so a work
// item is a panel of weight rows times a panel of activation rows; for small m there is one
// activation panel and every weight row is streamed from memory exactly once.
#ifndef NPUKIT_CPU_MATMUL_IMPL_H
#define NPUKIT_CPU_MATMUL_IMPL_H

#include "matmul_problem.h"
#include "thread_pool.h"

namespace npukit {
namespace {

constexpr int kWeightPanel = 32;      // weight rows per item: 32 x k values stay in L1/L2
constexpr int kActivationPanel = 64;  // activation rows per item

template <class Ops>
void run_panel(const MatmulProblem& p, int n0, int n1, int m0, int m1) {
  int n = n0;
  // A single activation row (batch-1 decode) takes 8 weight rows at a time: 8 independent
  // accumulators keep the FMA units busy while the weights stream from memory.
  if (m1 - m0 == 1) {
    for (; n + 8 <= n1; n += 8) Ops::template tile<8, 1>(p, n, m0);
  }
  for (; n + 4 <= n1; n += 4) {
    int m = m0;
    for (; m + 2 <= m1; m += 2) Ops::template tile<4, 2>(p, n, m);
    for (; m < m1; m++) Ops::template tile<4, 1>(p, n, m);
  }
  for (; n < n1; n++) {
    for (int m = m0; m < m1; m++) Ops::template tile<1, 1>(p, n, m);
  }
}

// Weight rows per item for a single activation row (batch-1 decode): as many as still give every
// thread 4 items, between kWeightPanel and 512, a multiple of 8. A thread then streams long runs
// of consecutive weight rows instead of jumping every 32 rows; over the matmuls of a decode step of
// the 150M model (bench decode --random 150M) the weights are read at 0.72 of the read-bandwidth
// probe, against 0.54 with 32-row items (C++ harness, alternated in one process, idle 2-core VM).
inline int single_row_panel(int n) {
  int want = n / (num_threads() * 4);
  want = want < kWeightPanel ? kWeightPanel : want > 512 ? 512 : want;
  return (want + 7) / 8 * 8;
}

template <class Ops>
bool run_matmul(const MatmulProblem& p) {
  const int panel = p.m == 1 ? single_row_panel(p.n) : kWeightPanel;
  const int64_t n_panels = (p.n + panel - 1) / panel;
  const int64_t m_panels = (p.m + kActivationPanel - 1) / kActivationPanel;
  // Activation panels vary fastest, so consecutive items on a thread reuse the same weight panel.
  return parallel_for(n_panels * m_panels, [&](int64_t item) {
    const int np = static_cast<int>(item / m_panels);
    const int mp = static_cast<int>(item % m_panels);
    const int n0 = np * panel;
    const int n1 = n0 + panel < p.n ? n0 + panel : p.n;
    const int m0 = mp * kActivationPanel;
    const int m1 = m0 + kActivationPanel < p.m ? m0 + kActivationPanel : p.m;
    run_panel<Ops>(p, n0, n1, m0, m1);
  });
}

}  // namespace
}  // namespace npukit

#endif
