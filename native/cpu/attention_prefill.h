// The prefill path of paged attention: one item = (sequence, KV head, tile of query rows). Scoring
// the rows one at a time re-reads, widens and rotates every key once per row, and each dot
// product then serves only the G query heads of that row: the FMA units wait on loads and
// conversions. Here the tile's rows x G queries are scored together, key panel by key panel:
//
//   1. the panel's keys (kPanelKeys slots, across cache blocks) are widened to F32 and rotated to
//      their slots ONCE per tile, then packed into strips of Ops::kStrip keys, transposed
//      (Kp[strip][d][key]), so that the micro-kernel's inner loop reads one contiguous row of
//      kStrip keys per head-dim element; the values are widened once per tile into rows;
//   2. S = Q Kp, a register-blocked micro-GEMM (Ops::panel_scores);
//   3. the causal mask and the online softmax of each query over the panel (the numerics of the
//      row path: raw dots, a negative scale negates q, |scale| multiplies (dot - max));
//   4. acc += P V, another micro-GEMM (Ops::panel_accumulate).
//
// The arithmetic reads only the widened buffers, so both KV layouts give bit-identical results.
#ifndef NPUKIT_CPU_ATTENTION_PREFILL_H
#define NPUKIT_CPU_ATTENTION_PREFILL_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "attention_problem.h"
#include "kv_rows.h"
#include "npukit/common.h"
#include "rotary.h"

namespace npukit {
namespace {

// Keys per panel: a multiple of every Ops::kStrip. The panel's packed keys and widened values
// (2 x 32 KiB at head dim 128) stay in L1/L2 while the tile's queries stream past them.
constexpr int kPanelKeys = 64;

// Query rows per prefill item, at most: 64 rows x G = 4 heads are 256 queries, whose queries and
// accumulators (2 x 128 KiB at head dim 128) stay in L2, and which share each panel's widening,
// rotation and packing. run_paged_attention halves it while the items would leave threads idle.
// (32 rows measured 4-10 % slower at 256 rows x 4096 slots.)
constexpr int kPrefillRows = 64;

struct PrefillTile {
  int seq;
  int head;       // KV head
  int row_begin;  // rows [row_begin, row_end) relative to the sequence's first query row
  int row_end;
};

// Calls f(std::integral_constant<int, rows>) for 1 <= rows <= M: the tails of the micro-kernels'
// query blocks, each compiled with its own register count.
template <int M, class F>
inline void with_rows(int rows, F&& f) {
  if constexpr (M > 0) {
    if (rows == M) {
      f(std::integral_constant<int, M>{});
    } else {
      with_rows<M - 1>(rows, f);
    }
  }
}

// S[q * ldS + j] = <Q[q], key j> for the nq queries (rows of Q, stride D) and `keys` keys of the
// strip-packed panel Kp (keys a multiple of STRIP). Plain loops: the baseline build, and head
// dims that are not a multiple of the vector width.
template <int STRIP>
inline void panel_scores_scalar(const float* Q, int nq, int D, const float* Kp, int keys, float* S, int ldS) {
  for (int j0 = 0; j0 < keys; j0 += STRIP) {
    const float* ks = Kp + static_cast<int64_t>(j0) * D;
    for (int q = 0; q < nq; q++) {
      float s[STRIP] = {};
      const float* qv = Q + static_cast<int64_t>(q) * D;
      for (int d = 0; d < D; d++) {
        for (int t = 0; t < STRIP; t++) s[t] += qv[d] * ks[d * STRIP + t];
      }
      std::copy(s, s + STRIP, S + static_cast<int64_t>(q) * ldS + j0);
    }
  }
}

// acc[q] += sum_{j < n} P[q * ldP + j] * Vr[j] for the nq accumulator rows (stride D).
inline void panel_accumulate_scalar(float* acc, int nq, int D, const float* P, int ldP, const float* Vr, int n) {
  for (int q = 0; q < nq; q++) {
    float* a = acc + static_cast<int64_t>(q) * D;
    for (int j = 0; j < n; j++) {
      const float pj = P[static_cast<int64_t>(q) * ldP + j];
      const float* v = Vr + static_cast<int64_t>(j) * D;
      for (int d = 0; d < D; d++) a[d] += pj * v[d];
    }
  }
}

// Key rows j < n widened to F32 and rotated to their slots (row j at cos_sin row j), into R with
// row stride D: any head dim and rotary dim.
template <class Ops>
inline void widen_rotate_rows(const KvRows& k, int n, int D, const float* cos_sin, int rot, int style, float* R) {
  for (int j = 0; j < n; j++) {
    float* r = R + static_cast<int64_t>(j) * D;
    Ops::load(k.cache, k.dtype, k.first + j * k.stride, r, D);
    if (style != NPUKIT_ROPE_NONE) rotate_row(r, cos_sin + static_cast<int64_t>(j) * rot, rot, style);
  }
}

// Walks the key and value rows of the next panel, a few cache lines per call, so that they arrive
// while the current panel is computed (the panel's blocks are scattered, beyond the reach of the
// hardware prefetcher). Spread through the softmax loop: issued all at once, the prefetches would
// wait on the core's miss buffers as long as the loads themselves.
struct PanelPrefetch {
  const char* k;
  const char* v;
  const int32_t* table;
  int64_t block_bytes;
  int64_t head_offset;  // bytes
  int64_t slot_bytes;   // from one slot's row to the next
  int64_t row_bytes;    // of one slot's row of this head
  int block_size;
  int slot;             // next slot to fetch
  int end;              // slots [slot, end)
  int64_t offset = 0;   // within the slot's row

  void step(int lines) {
    for (int i = 0; i < lines && slot < end; i++) {
      const int64_t at =
          table[slot / block_size] * block_bytes + head_offset + (slot % block_size) * slot_bytes + offset;
      __builtin_prefetch(k + at, 0, 3);
      __builtin_prefetch(v + at, 0, 3);
      offset += 64;
      if (offset >= row_bytes) {
        offset = 0;
        slot++;
      }
    }
  }
};

// Queries, accumulators, scores and the panel buffers of one tile.
struct TileBuffers {
  float* Q;   // [nq][D], query index r * G + g
  float* acc; // [nq][D]
  float* S;   // [nq][kPanelKeys] scores, then probabilities
  float* m;   // [nq] running max of the raw (sign-adjusted) dots
  float* l;   // [nq] running sum
  float* R;   // [kPanelKeys][D] rotated keys
  float* Kp;  // [kPanelKeys / strip][D][strip] packed keys
  float* Vr;  // [kPanelKeys][D] widened values
};

template <class Ops>
void attend_tile(const AttentionProblem& p, const PrefillTile& t, std::vector<float>& scratch) {
  constexpr int KB = kPanelKeys;
  constexpr int STRIP = Ops::kStrip;
  static_assert(KB % STRIP == 0, "a panel holds whole strips");
  const int D = p.head_dim;
  const int G = p.num_heads / p.num_kv_heads;
  const int bs = p.block_size;
  const int rot = p.rotary_dim;
  const float mag = std::fabs(p.scale);
  const int q_begin = p.query_start_loc[t.seq];
  const int q_len = p.query_start_loc[t.seq + 1] - q_begin;
  const int first_pos = p.seq_lens[t.seq] - q_len;
  const int rows = t.row_end - t.row_begin;
  const int nq = rows * G;
  const int64_t nqD = static_cast<int64_t>(nq) * D;
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();

  scratch.resize(static_cast<size_t>(2 * nqD + static_cast<int64_t>(nq) * (KB + 2) + 3 * KB * D));
  TileBuffers b;
  b.Q = scratch.data();
  b.acc = b.Q + nqD;
  b.S = b.acc + nqD;
  b.m = b.S + static_cast<int64_t>(nq) * KB;
  b.l = b.m + nq;
  b.R = b.l + nq;
  b.Kp = b.R + KB * D;
  b.Vr = b.Kp + KB * D;

  for (int r = 0; r < rows; r++) {
    const int token = q_begin + t.row_begin + r;
    const int pos = first_pos + t.row_begin + r;
    for (int g = 0; g < G; g++) {
      const int qi = r * G + g;
      float* qv = b.Q + static_cast<int64_t>(qi) * D;
      Ops::load(p.q, p.q_dtype, (static_cast<int64_t>(token) * p.num_heads + t.head * G + g) * D, qv, D);
      if (p.rope_style != NPUKIT_ROPE_NONE) {
        rotate_row(qv, p.cos_sin + static_cast<int64_t>(pos) * rot, rot, p.rope_style);
      }
      // Raw dots, negated for a negative scale (exact); |scale| multiplies (dot - max) only.
      if (p.scale < 0.0f) {
        for (int d = 0; d < D; d++) qv[d] = -qv[d];
      }
      b.m[qi] = kNegInf;
      b.l[qi] = 0.0f;
    }
  }
  std::fill(b.acc, b.acc + nqD, 0.0f);

  const int32_t* table = p.block_tables + static_cast<int64_t>(t.seq) * p.max_blocks_per_seq;
  const bool hnd = p.kv_layout == NPUKIT_KV_HND;
  const int64_t block_elems = static_cast<int64_t>(bs) * p.num_kv_heads * D;
  const int64_t slot_stride = hnd ? D : static_cast<int64_t>(p.num_kv_heads) * D;
  const int64_t head_offset = t.head * (hnd ? static_cast<int64_t>(bs) * D : D);
  const int row_pos = first_pos + t.row_begin;  // position of the tile's first row
  const int kv_end = first_pos + t.row_end;     // slots [0, kv_end) are visible to the last row
  for (int j0 = 0; j0 < kv_end; j0 += KB) {
    const int n = std::min(KB, kv_end - j0);
    const int keys = (n + STRIP - 1) / STRIP * STRIP;
    // Widen and rotate the panel's keys and widen its values, block run by block run.
    for (int j = 0; j < n;) {
      const int slot = j0 + j;
      const int off = slot % bs;
      const int run = std::min(bs - off, n - j);
      const int64_t base = static_cast<int64_t>(table[slot / bs]) * block_elems + head_offset + off * slot_stride;
      const KvRows k{p.k_cache, p.cache_dtype, base, slot_stride};
      const float* cs = p.rope_style != NPUKIT_ROPE_NONE ? p.cos_sin + static_cast<int64_t>(slot) * rot : nullptr;
      Ops::widen_rotate(k, run, D, cs, rot, p.rope_style, b.R + static_cast<int64_t>(j) * D);
      for (int i = 0; i < run; i++) {
        Ops::load(p.v_cache, p.cache_dtype, base + i * slot_stride, b.Vr + static_cast<int64_t>(j + i) * D, D);
      }
      j += run;
    }
    // Pack: strip s holds keys [s * STRIP, (s + 1) * STRIP) as [D][STRIP]; keys past n are 0.
    for (int s = 0; s < keys; s += STRIP) {
      float* ks = b.Kp + static_cast<int64_t>(s) * D;
      for (int u = 0; u < STRIP; u++) {
        const int j = s + u;
        if (j < n) {
          const float* src = b.R + static_cast<int64_t>(j) * D;
          for (int d = 0; d < D; d++) ks[d * STRIP + u] = src[d];
        } else {
          for (int d = 0; d < D; d++) ks[d * STRIP + u] = 0.0f;
        }
      }
    }
    // Rows before first_row see none of the panel (their positions are below j0).
    const int elem = p.cache_dtype == NPUKIT_F32 ? 4 : 2;
    const int next_n = std::min(KB, kv_end - (j0 + KB));
    PanelPrefetch pf{static_cast<const char*>(p.k_cache), static_cast<const char*>(p.v_cache), table,
                     block_elems * elem, head_offset * elem, slot_stride * elem, static_cast<int64_t>(D) * elem, bs,
                     j0 + KB, j0 + KB + std::max(next_n, 0)};
    const int lines_per_query = (std::max(next_n, 0) * (D * elem + 63) / 64 + nq - 1) / nq;
    const int first_row = std::clamp(j0 - row_pos, 0, rows);
    const int q0 = first_row * G;
    Ops::panel_scores(b.Q + static_cast<int64_t>(q0) * D, nq - q0, D, b.Kp, keys,
                      b.S + static_cast<int64_t>(q0) * KB, KB);
    for (int r = 0; r < rows; r++) {
      const int visible = std::min(n, row_pos + r - j0 + 1);
      for (int g = 0; g < G; g++) {
        const int qi = r * G + g;
        float* s = b.S + static_cast<int64_t>(qi) * KB;
        pf.step(lines_per_query);
        if (visible <= 0) {
          std::fill(s, s + n, 0.0f);
          continue;
        }
        const float new_m = std::max(b.m[qi], Ops::max_of(s, visible));
        // 0 on the first panel (m = -inf, also for scale 0); exactly 1 while the max stays.
        const float correction = new_m == b.m[qi] ? 1.0f
                                 : b.m[qi] == kNegInf ? 0.0f
                                                      : std::exp((b.m[qi] - new_m) * mag);
        const float sum = Ops::exp_shifted_sum(s, visible, new_m, mag);
        std::fill(s + visible, s + n, 0.0f);  // the causal mask
        b.l[qi] = b.l[qi] * correction + sum;
        b.m[qi] = new_m;
        if (correction != 1.0f) Ops::scale(b.acc + static_cast<int64_t>(qi) * D, correction, D);
      }
    }
    Ops::panel_accumulate(b.acc + static_cast<int64_t>(q0) * D, nq - q0, D, b.S + static_cast<int64_t>(q0) * KB, KB,
                          b.Vr, n);
  }

  for (int r = 0; r < rows; r++) {
    const int token = q_begin + t.row_begin + r;
    for (int g = 0; g < G; g++) {
      const int qi = r * G + g;
      float* a = b.acc + static_cast<int64_t>(qi) * D;
      // Every row sees at least slot 0, so l > 0; the guard only keeps a bug from dividing by 0.
      Ops::scale(a, b.l[qi] > 0.0f ? 1.0f / b.l[qi] : 0.0f, D);
      Ops::store(p.out, p.out_dtype, (static_cast<int64_t>(token) * p.num_heads + t.head * G + g) * D, a, D);
    }
  }
}

}  // namespace
}  // namespace npukit

#endif
