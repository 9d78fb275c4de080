// The paged-attention algorithm, written once over a set of vector primitives (Ops) so that
// the baseline and the AVX2 translation units share it. Everything here has internal linkage:
// each translation unit gets its own copy compiled with its own flags, and the linker can never
// hand AVX2 code to a baseline caller.
//
// Work split: one item = (sequence, KV head, tile of up to kQueryTile query rows). An item
// holds the G = numHeads/numKvHeads query heads of its KV head for every row of its tile, so
// each key row is loaded, converted and rotated once per KV head and shared by G * rows queries.
// For every KV block: convert and rotate its keys, convert its values, then update each query's
// online-softmax state (running max m, sum l, accumulator acc) with the slots it may see.
#ifndef NPUKIT_CPU_ATTENTION_IMPL_H
#define NPUKIT_CPU_ATTENTION_IMPL_H

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "attention_problem.h"
#include "npukit/common.h"
#include "rotary.h"
#include "thread_pool.h"

namespace npukit {
namespace {

constexpr int kQueryTile = 16;

struct WorkItem {
  int seq;
  int kv_head;
  int row_begin;  // relative to the sequence's first query row
  int row_end;
};

template <class Ops>
void attend_item(const AttentionProblem& p, const WorkItem& w, std::vector<float>& scratch) {
  const int D = p.head_dim;
  const int G = p.num_heads / p.num_kv_heads;
  const int bs = p.block_size;
  const int q_begin = p.query_start_loc[w.seq];
  const int q_len = p.query_start_loc[w.seq + 1] - q_begin;
  const int first_pos = p.seq_lens[w.seq] - q_len;
  const int rows = w.row_end - w.row_begin;
  const int nq = rows * G;
  const int kv_end = first_pos + w.row_end;  // slots [0, kv_end) are visible to the tile's last row

  scratch.resize(static_cast<size_t>(2 * nq * D + 2 * bs * D + bs + 2 * nq));
  float* Q = scratch.data();
  float* acc = Q + nq * D;
  float* K = acc + nq * D;
  float* V = K + bs * D;
  float* S = V + bs * D;
  float* m = S + bs;
  float* l = m + nq;

  const int64_t kv_row_stride = static_cast<int64_t>(p.num_kv_heads) * D;
  for (int r = 0; r < rows; r++) {
    const int token = q_begin + w.row_begin + r;
    const int pos = first_pos + w.row_begin + r;
    for (int g = 0; g < G; g++) {
      const int qi = r * G + g;
      const int head = w.kv_head * G + g;
      float* qv = Q + qi * D;
      Ops::load(p.q, p.q_dtype, (static_cast<int64_t>(token) * p.num_heads + head) * D, qv, D);
      if (p.rope_style != NPUKIT_ROPE_NONE) {
        rotate_row(qv, p.cos_sin + static_cast<int64_t>(pos) * p.rotary_dim, p.rotary_dim, p.rope_style);
      }
      for (int d = 0; d < D; d++) qv[d] *= p.scale;
      m[qi] = -std::numeric_limits<float>::infinity();
      l[qi] = 0.0f;
      std::fill(acc + qi * D, acc + (qi + 1) * D, 0.0f);
    }
  }

  const int32_t* table = p.block_tables + static_cast<int64_t>(w.seq) * p.max_blocks_per_seq;
  const int num_kv_blocks = (kv_end + bs - 1) / bs;
  for (int b = 0; b < num_kv_blocks; b++) {
    const int j0 = b * bs;
    const int n = std::min(bs, kv_end - j0);
    const int64_t base = (static_cast<int64_t>(table[b]) * bs) * kv_row_stride + static_cast<int64_t>(w.kv_head) * D;
    for (int jj = 0; jj < n; jj++) {
      float* kr = K + jj * D;
      Ops::load(p.k_cache, p.cache_dtype, base + jj * kv_row_stride, kr, D);
      if (p.rope_style != NPUKIT_ROPE_NONE) {
        rotate_row(kr, p.cos_sin + static_cast<int64_t>(j0 + jj) * p.rotary_dim, p.rotary_dim, p.rope_style);
      }
      Ops::load(p.v_cache, p.cache_dtype, base + jj * kv_row_stride, V + jj * D, D);
    }
    for (int qi = 0; qi < nq; qi++) {
      const int pos = first_pos + w.row_begin + qi / G;
      const int visible = std::min(n, pos - j0 + 1);
      if (visible <= 0) continue;
      const float* qv = Q + qi * D;
      float block_max = -std::numeric_limits<float>::infinity();
      for (int jj = 0; jj < visible; jj++) {
        S[jj] = Ops::dot(qv, K + jj * D, D);
        block_max = std::max(block_max, S[jj]);
      }
      const float new_m = std::max(m[qi], block_max);
      const float correction = std::exp(m[qi] - new_m);  // 0 on the first block (m = -inf)
      for (int jj = 0; jj < visible; jj++) S[jj] -= new_m;
      Ops::exp_inplace(S, visible);
      float sum = 0.0f;
      for (int jj = 0; jj < visible; jj++) sum += S[jj];
      l[qi] = l[qi] * correction + sum;
      m[qi] = new_m;
      float* a = acc + qi * D;
      Ops::scale(a, correction, D);
      for (int jj = 0; jj < visible; jj++) Ops::axpy(a, S[jj], V + jj * D, D);
    }
  }

  for (int r = 0; r < rows; r++) {
    const int token = q_begin + w.row_begin + r;
    for (int g = 0; g < G; g++) {
      const int qi = r * G + g;
      const int head = w.kv_head * G + g;
      float* a = acc + qi * D;
      // A row with no visible slot cannot happen (position >= 0 sees slot 0); guard anyway.
      Ops::scale(a, l[qi] > 0.0f ? 1.0f / l[qi] : 0.0f, D);
      Ops::store(p.out, p.out_dtype, (static_cast<int64_t>(token) * p.num_heads + head) * D, a, D);
    }
  }
}

template <class Ops>
bool run_paged_attention(const AttentionProblem& p) {
  std::vector<WorkItem> items;
  for (int s = 0; s < p.num_seqs; s++) {
    const int q_len = p.query_start_loc[s + 1] - p.query_start_loc[s];
    for (int r = 0; r < q_len; r += kQueryTile) {
      for (int h = 0; h < p.num_kv_heads; h++) {
        items.push_back({s, h, r, std::min(q_len, r + kQueryTile)});
      }
    }
  }
  return parallel_for(static_cast<int64_t>(items.size()), [&](int64_t i) {
    thread_local std::vector<float> scratch;
    attend_item<Ops>(p, items[static_cast<size_t>(i)], scratch);
  });
}

}  // namespace
}  // namespace npukit

#endif
