// The paged-attention algorithm, written once over a set of vector primitives (Ops) so that
// the baseline, AVX2 and AVX-512 translation units share it. Everything here has internal linkage:
// each translation unit gets its own copy compiled with its own flags, and the linker can never
// hand AVX2 code to a baseline caller.
//
// Work split: prefill rows (sequences with several query rows) go to attention_prefill.h in
// items of (sequence, KV head, tile of query rows), scored as small GEMMs. Decode rows: one item
// = (sequence, range of KV heads, its single row), holding the G = numHeads/numKvHeads query
// heads of each of its KV heads, so each key row is loaded, converted and rotated once per KV
// head and shared by G queries. Decode items take as many KV heads as still leave every thread
// work: a slot's KV heads are contiguous in memory, so one thread then streams through whole
// blocks instead of striding across them (strided reads left the decode kernel latency-bound at
// a fraction of the memory bandwidth). Decode rows are also split along their sequence,
// kSplitSlots at a time (flash-decoding): long sequences then give every thread work and the load
// stays balanced; each split keeps its own softmax state and merge_splits combines them. For every
// KV block and head, Ops::scores reads the keys straight from the cache (converting and rotating
// them in registers where it can), the online-softmax state of each query (running max m, sum l,
// accumulator acc) is updated, and Ops::accumulate adds the values; blocks further ahead are
// prefetched meanwhile.
#ifndef NPUKIT_CPU_ATTENTION_IMPL_H
#define NPUKIT_CPU_ATTENTION_IMPL_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "attention_prefill.h"
#include "attention_problem.h"
#include "kv_rows.h"
#include "npukit/common.h"
#include "rotary.h"
#include "thread_pool.h"

namespace npukit {
namespace {

constexpr int kPrefetchAhead = 1;
// Cache lines (each of keys and values) asked for per key row scored: a block's rows for 8 KV
// heads of dim 128 in F16 are 512 lines, and a decode item scores 8 * 16 key rows per block.
constexpr int kPrefetchLinesPerKey = 4;

// Decode items cover at most this many KV slots of their sequence (a split); the splits of one
// sequence are merged at the end. Small enough that the cos/sin rows of a split (512 KiB for
// rotary dim 128) are still in cache when the same split of the next sequence reads them, and
// that a batch of a few long sequences still gives every thread several items.
constexpr int kSplitSlots = 1024;

struct WorkItem {
  int seq;
  int head_begin;  // KV heads [head_begin, head_end)
  int head_end;
  int row_begin;  // relative to the sequence's first query row
  int row_end;
  int block_begin;  // KV blocks [block_begin, block_end) of the sequence
  int block_end;
  int64_t partial;  // < 0: the item writes the output; else the offset of its partial result
};

// Walks the rows of the next block (kPrefetchAhead), a few cache lines per call, so that
// prefetches are spread through the compute. Issuing a whole block's prefetches at once stalls
// on the core's limited miss buffers as long as the loads themselves would have. The lines go to
// L2, not L1 (prefetcht2): a block's keys and values are 64 KiB for 8 KV heads, more than the L1,
// and prefetching two blocks ahead into L1 evicted the rows being computed on (decode at 8 x 4096
// ran 1.5x slower that way). One block ahead took 0.91x (256-bit vectors) and 0.95x (512-bit) the
// time of two at 8 x 4096 HND (harness, alternated). Walking contiguous rows as one run in a
// tight loop of prefetches took 1.13x the time: the prefetches then come in bursts, which is also
// why the four-key score passes ask for a line or two per chunk of the head (scores_keys).
// Where the rows are contiguous (every KV head of a whole block, in either layout) the walk is
// one run, followed by its offset alone: a few instructions a line, against about fifteen for
// the row walk, which keeps its position in memory (fields of a cursor the callers share).
struct PrefetchCursor {
  const char* k = nullptr;
  const char* v = nullptr;
  int64_t row_stride = 0;  // bytes from one row to the next
  int64_t row_bytes = 0;   // contiguous bytes of a row this item reads
  int rows = 0;
  int row = 0;             // the row walk's position (rows not contiguous)
  int64_t offset = 0;      // within the row; from the first row's start where the rows are contiguous

  void step(int lines) {
    if (row_stride == row_bytes || rows == 1) {
      const int64_t end = rows * row_bytes;
      int64_t at = offset;
      for (int i = 0; i < lines && at < end; i++, at += 64) {
        __builtin_prefetch(k + at, 0, 1);
        __builtin_prefetch(v + at, 0, 1);
      }
      offset = at;
      return;
    }
    for (int i = 0; i < lines && row < rows; i++) {
      const int64_t at = row * row_stride + offset;
      __builtin_prefetch(k + at, 0, 1);
      __builtin_prefetch(v + at, 0, 1);
      offset += 64;
      if (offset >= row_bytes) {
        offset = 0;
        row++;
      }
    }
  }
};

// The layout-agnostic path of Ops::scores: each key row is widened into a buffer, rotated, and
// dotted with the nq queries. S[g * ldS + j] = <Q[g], K[j] rotated to slot j>.
template <class Ops>
void scores_by_row(const float* Q, int nq, const KvRows& k, int n, int D, const float* cos_sin, int rot, int style,
                   float* S, int ldS, PrefetchCursor& pf) {
  thread_local std::vector<float> row;
  row.resize(static_cast<size_t>(D));
  for (int j = 0; j < n; j++) {
    pf.step(kPrefetchLinesPerKey);
    Ops::load(k.cache, k.dtype, k.first + j * k.stride, row.data(), D);
    if (style != NPUKIT_ROPE_NONE) rotate_row(row.data(), cos_sin + static_cast<int64_t>(j) * rot, rot, style);
    for (int g = 0; g < nq; g++) S[g * ldS + j] = Ops::dot(Q + g * D, row.data(), D);
  }
}

// The layout-agnostic path of Ops::accumulate: acc[g] += sum_j P[g * ldP + j] * V[j].
template <class Ops>
void accumulate_by_row(float* acc, int nq, const float* P, int ldP, const KvRows& v, int n, int D) {
  thread_local std::vector<float> row;
  row.resize(static_cast<size_t>(D));
  for (int j = 0; j < n; j++) {
    Ops::load(v.cache, v.dtype, v.first + j * v.stride, row.data(), D);
    for (int g = 0; g < nq; g++) Ops::axpy(acc + g * D, P[g * ldP + j], row.data(), D);
  }
}

// A step's values, added one step later (attend_item).
template <class Ops>
struct PendingValues {
  int q0 = 0;  // first accumulator row
  int nq = 0;  // 0: nothing pending
  const float* P = nullptr;
  KvRows v{};
  int n = 0;

  void run(float* acc, int D, int ldP) {
    if (nq == 0) return;
    Ops::accumulate(acc + q0 * D, nq, P, ldP, v, n, D);
    nq = 0;
  }
};

template <class Ops>
void attend_item(const AttentionProblem& p, const WorkItem& w, float* partials, std::vector<float>& scratch) {
  const int D = p.head_dim;
  const int G = p.num_heads / p.num_kv_heads;
  const int bs = p.block_size;
  const float mag = std::fabs(p.scale);
  const int q_begin = p.query_start_loc[w.seq];
  const int q_len = p.query_start_loc[w.seq + 1] - q_begin;
  const int first_pos = p.seq_lens[w.seq] - q_len;
  const int rows = w.row_end - w.row_begin;
  const int heads = w.head_end - w.head_begin;
  const int per_head = rows * G;  // queries of one KV head in this item
  const int nq = heads * per_head;
  const int kv_end = first_pos + w.row_end;  // slots [0, kv_end) are visible to the tile's last row
  const int elem = p.cache_dtype == NPUKIT_F32 ? 4 : 2;

  scratch.resize(static_cast<size_t>(2 * nq * D + 2 * G * bs + 2 * nq));
  float* Q = scratch.data();
  float* acc = Q + nq * D;
  // Two [G][bs] buffers of scores, then probabilities, of one query row's G heads: one for the
  // step being scored, one for the step whose values are still to be added (below).
  float* S_buf[2] = {acc + nq * D, acc + nq * D + G * bs};
  float* m = S_buf[1] + G * bs;
  float* l = m + nq;

  // Query index qi = (kv head offset) * per_head + row * G + g.
  for (int hh = 0; hh < heads; hh++) {
    for (int r = 0; r < rows; r++) {
      const int token = q_begin + w.row_begin + r;
      const int pos = first_pos + w.row_begin + r;
      for (int g = 0; g < G; g++) {
        const int qi = hh * per_head + r * G + g;
        const int head = (w.head_begin + hh) * G + g;
        float* qv = Q + qi * D;
        Ops::load(p.q, p.q_dtype, (static_cast<int64_t>(token) * p.num_heads + head) * D, qv, D);
        if (p.rope_style != NPUKIT_ROPE_NONE) {
          rotate_row(qv, p.cos_sin + static_cast<int64_t>(pos) * p.rotary_dim, p.rotary_dim, p.rope_style);
        }
        // Scores are raw dots, negated for a negative scale (exact), and |scale| multiplies only
        // their distance to the running max: (dot - max) * |scale| <= 0 never overflows to
        // inf - inf, however large the scale (docs/kernels.md, paged attention).
        if (p.scale < 0.0f) {
          for (int d = 0; d < D; d++) qv[d] = -qv[d];
        }
        m[qi] = -std::numeric_limits<float>::infinity();
        l[qi] = 0.0f;
        std::fill(acc + qi * D, acc + (qi + 1) * D, 0.0f);
      }
    }
  }

  const int32_t* table = p.block_tables + static_cast<int64_t>(w.seq) * p.max_blocks_per_seq;
  const int num_kv_blocks = std::min(w.block_end, (kv_end + bs - 1) / bs);
  // NHD: a slot's KV heads are contiguous, slots are num_kv_heads * D apart. HND: a head's slots
  // are contiguous (D apart), heads are block_size * D apart.
  const bool hnd = p.kv_layout == NPUKIT_KV_HND;
  const int64_t block_elems = static_cast<int64_t>(bs) * p.num_kv_heads * D;
  const int64_t slot_stride = hnd ? D : static_cast<int64_t>(p.num_kv_heads) * D;
  const int64_t head_stride = hnd ? static_cast<int64_t>(bs) * D : D;
  const int64_t head_offset = w.head_begin * head_stride;
  // The steps (block, KV head, row) run as a pipeline: step i's scores, then step i - 1's values,
  // then step i's softmax. The softmax is a chain of dependent operations (max, exp, sums), and
  // the values of its step wait for it; scored first, the next step's independent FMAs keep the
  // units busy meanwhile. Step i - 1's values are added before step i rescales the accumulators
  // (the same accumulators when there is one KV head and one row).
  PendingValues<Ops> pending;
  int step = 0;
  for (int b = w.block_begin; b < num_kv_blocks; b++) {
    const int j0 = b * bs;
    const int n = std::min(bs, kv_end - j0);
    const int64_t block_base = static_cast<int64_t>(table[b]) * block_elems + head_offset;
    PrefetchCursor pf;
    if (b + kPrefetchAhead < num_kv_blocks) {
      const int64_t ahead = (static_cast<int64_t>(table[b + kPrefetchAhead]) * block_elems + head_offset) * elem;
      const int n_ahead = std::min(bs, kv_end - (j0 + kPrefetchAhead * bs));
      const char* k_ahead = static_cast<const char*>(p.k_cache) + ahead;
      const char* v_ahead = static_cast<const char*>(p.v_cache) + ahead;
      // The cursor walks "rows" of contiguous bytes: the item's heads of each slot (NHD), or the
      // visible slots of each head (HND).
      pf = hnd ? PrefetchCursor{k_ahead, v_ahead, head_stride * elem, static_cast<int64_t>(n_ahead) * D * elem, heads}
               : PrefetchCursor{k_ahead, v_ahead, slot_stride * elem, static_cast<int64_t>(heads) * D * elem, n_ahead};
    }
    const float* cos_sin = p.rope_style != NPUKIT_ROPE_NONE ? p.cos_sin + static_cast<int64_t>(j0) * p.rotary_dim
                                                            : nullptr;
    for (int hh = 0; hh < heads; hh++) {
      const KvRows k{p.k_cache, p.cache_dtype, block_base + hh * head_stride, slot_stride};
      const KvRows v{p.v_cache, p.cache_dtype, block_base + hh * head_stride, slot_stride};
      // The G query heads of one row share a position, hence the visible slots of this block.
      for (int r = 0; r < rows; r++) {
        const int pos = first_pos + w.row_begin + r;
        const int visible = std::min(n, pos - j0 + 1);
        if (visible <= 0) continue;
        const int q0 = hh * per_head + r * G;
        float* S = S_buf[step & 1];
        Ops::scores(Q + q0 * D, G, k, visible, D, cos_sin, p.rotary_dim, p.rope_style, S, bs, pf);
        pending.run(acc, D, bs);
        for (int g = 0; g < G; g++) {
          float* sg = S + g * bs;
          const int qi = q0 + g;
          const float new_m = std::max(m[qi], Ops::max_of(sg, visible));
          // 0 on the first block (m = -inf, also for scale 0); exactly 1, without calling exp, while
          // the max stays.
          const float correction = new_m == m[qi]                                   ? 1.0f
                                   : m[qi] == -std::numeric_limits<float>::infinity() ? 0.0f
                                                                                      : std::exp((m[qi] - new_m) * mag);
          const float sum = Ops::exp_shifted_sum(sg, visible, new_m, mag);
          l[qi] = l[qi] * correction + sum;
          m[qi] = new_m;
          // Once the running max settles, most blocks leave it unchanged: nothing to rescale.
          if (correction != 1.0f) Ops::scale(acc + qi * D, correction, D);
        }
        pending = PendingValues<Ops>{q0, G, S, v, visible};
        step++;
      }
    }
  }
  pending.run(acc, D, bs);

  if (w.partial >= 0) {
    // One split of a decode row: m, l and the unnormalized acc of each query, merged later.
    float* out = partials + w.partial;
    for (int qi = 0; qi < nq; qi++) {
      out[2 * qi] = m[qi];
      out[2 * qi + 1] = l[qi];
    }
    std::copy(acc, acc + static_cast<int64_t>(nq) * D, out + 2 * nq);
    return;
  }
  for (int hh = 0; hh < heads; hh++) {
    for (int r = 0; r < rows; r++) {
      const int token = q_begin + w.row_begin + r;
      for (int g = 0; g < G; g++) {
        const int qi = hh * per_head + r * G + g;
        const int head = (w.head_begin + hh) * G + g;
        float* a = acc + qi * D;
        // Every row sees at least slot 0, so l > 0; the guard only keeps a bug from dividing by 0.
        Ops::scale(a, l[qi] > 0.0f ? 1.0f / l[qi] : 0.0f, D);
        Ops::store(p.out, p.out_dtype, (static_cast<int64_t>(token) * p.num_heads + head) * D, a, D);
      }
    }
  }
}

// The splits of one decode row's KV heads [head_begin, head_end): their partial results lie one
// after another from offset partial.
struct SplitMerge {
  int seq;
  int head_begin;
  int head_end;
  int splits;
  int64_t partial;
};

// Combines the partial results of a split decode row and writes the output: with M the largest
// running max, each split's sum and accumulator are weighted by exp(m - M), as the online softmax
// would have rescaled them.
template <class Ops>
void merge_splits(const AttentionProblem& p, const SplitMerge& first, const float* partials,
                  std::vector<float>& scratch) {
  const int splits = first.splits;
  const int D = p.head_dim;
  const int G = p.num_heads / p.num_kv_heads;
  const float mag = std::fabs(p.scale);
  const int nq = (first.head_end - first.head_begin) * G;
  const int64_t stride = static_cast<int64_t>(nq) * (D + 2);
  const int token = p.query_start_loc[first.seq];
  scratch.resize(static_cast<size_t>(D));
  float* a = scratch.data();
  for (int qi = 0; qi < nq; qi++) {
    const float* part = partials + first.partial;
    float max_m = part[2 * qi];
    for (int s = 1; s < splits; s++) max_m = std::max(max_m, part[s * stride + 2 * qi]);
    std::fill(a, a + D, 0.0f);
    float sum = 0.0f;
    for (int s = 0; s < splits; s++) {
      const float* ps = part + s * stride;
      const float weight = std::exp((ps[2 * qi] - max_m) * mag);
      sum += ps[2 * qi + 1] * weight;
      Ops::axpy(a, weight, ps + 2 * nq + static_cast<int64_t>(qi) * D, D);
    }
    Ops::scale(a, sum > 0.0f ? 1.0f / sum : 0.0f, D);
    const int head = first.head_begin * G + qi;
    Ops::store(p.out, p.out_dtype, (static_cast<int64_t>(token) * p.num_heads + head) * D, a, D);
  }
}

template <class Ops>
bool run_paged_attention(const AttentionProblem& p) {
  // Decode rows are split along their KV blocks (kSplitSlots); the splits run split-major across
  // the sequences, so that the threads work on the same positions (same cos/sin rows) at a time.
  const int split_blocks = std::max(1, kSplitSlots / p.block_size);
  std::vector<int> splits(static_cast<size_t>(p.num_seqs), 0);  // 0: not a decode row
  int max_splits = 0;
  int64_t decode_items = 0;
  for (int s = 0; s < p.num_seqs; s++) {
    if (p.query_start_loc[s + 1] - p.query_start_loc[s] != 1) continue;
    const int blocks = (p.seq_lens[s] + p.block_size - 1) / p.block_size;
    splits[s] = (blocks + split_blocks - 1) / split_blocks;
    max_splits = std::max(max_splits, splits[s]);
    decode_items += splits[s];
  }
  // Decode items hold all KV heads (one thread streams through whole blocks) unless that leaves
  // fewer than 4 items per thread.
  int heads_per_item = p.num_kv_heads;
  while (heads_per_item > 1 &&
         decode_items * ((p.num_kv_heads + heads_per_item - 1) / heads_per_item) < 4 * num_threads()) {
    heads_per_item = (heads_per_item + 1) / 2;
  }
  const int G = p.num_heads / p.num_kv_heads;
  const int head_groups = (p.num_kv_heads + heads_per_item - 1) / heads_per_item;
  // The partial results of a split decode row's splits lie one after another (merge_splits).
  std::vector<SplitMerge> merges;
  std::vector<int64_t> partial_base(static_cast<size_t>(p.num_seqs) * head_groups, -1);
  int64_t partial_floats = 0;
  for (int s = 0; s < p.num_seqs; s++) {
    if (splits[s] < 2) continue;
    for (int h = 0; h < p.num_kv_heads; h += heads_per_item) {
      const int h_end = std::min(p.num_kv_heads, h + heads_per_item);
      partial_base[static_cast<size_t>(s) * head_groups + h / heads_per_item] = partial_floats;
      merges.push_back({s, h, h_end, splits[s], partial_floats});
      partial_floats += static_cast<int64_t>(splits[s]) * (h_end - h) * G * (p.head_dim + 2);
    }
  }
  std::vector<WorkItem> items;
  for (int c = 0; c < max_splits; c++) {
    for (int s = 0; s < p.num_seqs; s++) {
      if (c >= splits[s]) continue;
      for (int h = 0; h < p.num_kv_heads; h += heads_per_item) {
        const int h_end = std::min(p.num_kv_heads, h + heads_per_item);
        const int64_t base = partial_base[static_cast<size_t>(s) * head_groups + h / heads_per_item];
        const int64_t partial = base < 0 ? -1 : base + static_cast<int64_t>(c) * (h_end - h) * G * (p.head_dim + 2);
        items.push_back({s, h, h_end, 0, 1, c * split_blocks, (c + 1) * split_blocks, partial});
      }
    }
  }
  // Prefill tiles: as tall as kPrefillRows, halved (down to 8 rows) while the tiles would give the
  // threads fewer than 4 items each, since a short prompt is then split too coarsely.
  const auto count_tiles = [&](int tile_rows) {
    int64_t n = 0;
    for (int s = 0; s < p.num_seqs; s++) {
      const int q_len = p.query_start_loc[s + 1] - p.query_start_loc[s];
      if (q_len > 1) n += static_cast<int64_t>((q_len + tile_rows - 1) / tile_rows) * p.num_kv_heads;
    }
    return n;
  };
  int tile_rows = kPrefillRows;
  while (tile_rows > 8 && count_tiles(tile_rows) < 4 * num_threads()) tile_rows /= 2;
  // The last tiles of a sequence see the most keys: they go first, so that the cheap ones fill
  // the gaps at the end (items are claimed in order).
  std::vector<PrefillTile> tiles;
  for (int s = 0; s < p.num_seqs; s++) {
    const int q_len = p.query_start_loc[s + 1] - p.query_start_loc[s];
    if (q_len <= 1) continue;
    for (int r = (q_len - 1) / tile_rows * tile_rows; r >= 0; r -= tile_rows) {
      for (int h = 0; h < p.num_kv_heads; h++) tiles.push_back({s, h, r, std::min(q_len, r + tile_rows)});
    }
  }
  const auto num_tiles = static_cast<int64_t>(tiles.size());
  const std::unique_ptr<float[]> partials(new float[static_cast<size_t>(partial_floats)]);
  const bool done = parallel_for(num_tiles + static_cast<int64_t>(items.size()), [&](int64_t i) {
    thread_local std::vector<float> scratch;
    if (i < num_tiles) {
      attend_tile<Ops>(p, tiles[static_cast<size_t>(i)], scratch);
    } else {
      attend_item<Ops>(p, items[static_cast<size_t>(i - num_tiles)], partials.get(), scratch);
    }
  });
  if (!done || merges.empty()) return done;
  return parallel_for(static_cast<int64_t>(merges.size()), [&](int64_t i) {
    thread_local std::vector<float> scratch;
    merge_splits<Ops>(p, merges[static_cast<size_t>(i)], partials.get(), scratch);
  });
}

}  // namespace
}  // namespace npukit

#endif
