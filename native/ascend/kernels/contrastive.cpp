// Batched expert/base contrastive scoring, CoLD's decoding rule (docs/kernels.md, contrastive scoring), as an AscendC kernel.
//
// Tiling: rows are dealt round-robin to the AI cores by GetBlockIdx(). A row is read in tiles of
// `tile` vocabulary entries (16 KB of F32), twice for the expert logits and once for the base:
//   pass 1: expert tile -> F32 (Cast), then max and NaN check;
//   pass 2: expert and base tiles -> F32, cd = (1+beta)*e - beta*a with Muls/Muls/Sub over the
//           tile (beta = 0: cd = e, a copy, so 0 * inf never makes a NaN), then per element: validity (e >= m + ln alpha), NaN checks, argmax, top-k
//           candidates, Gumbel-max sampling.
// Pass 2 double-buffers: the copies of tile t+1 are issued before tile t is scored.
// The vector unit converts and computes cd (two rounded products and a difference, never fused:
// bit-identical to the reference). The per-element selection runs on the scalar unit because it
// is inherently sequential (ties go to the lowest index; the hash-based noise) and must match
// the reference bit for bit; the public docs do not specify ReduceMax's NaN handling, which the
// NaN check needs.
// Top-k: each tile keeps its best min(k, tile) valid (index, cd) pairs in a bounded min-heap in
// the UB (O(log k) per candidate that beats the heap's worst), sorts them best first and copies
// them with DataCopyPad to the tile's segment of a workspace; the host merges a row's sorted
// segments. Segments are padded to 64 bytes, so no two cores ever write one 64-byte line, and
// nothing goes to global memory through the scalar data cache.
// Outputs go to a workspace (row results, top-k segments), never to the caller's tensors: the
// host copies them over only when no row failed, so a call with a NaN row writes nothing.
#include "gumbel_device.h"

namespace npukit {
namespace ascend {
namespace {

class Contrastive {
 public:
  __aicore__ inline void Init(GM_ADDR expert, GM_ADDR base, GM_ADDR seeds, GM_ADDR results, GM_ADDR topk_index,
                              GM_ADDR topk_score, GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    e_.Init(expert, t_.dtype, uint64_t(t_.expert_rows) * t_.vocab);
    a_.Init(base, t_.dtype, uint64_t(t_.base_rows) * t_.vocab);
    if (t_.sampling) seeds_.SetGlobalBuffer(reinterpret_cast<__gm__ int64_t*>(seeds), t_.batch);
    results_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(results), uint64_t(t_.batch) * 4);
    if (t_.top_k > 0) {
      const uint64_t ws = uint64_t(t_.batch) * t_.topk_tiles * t_.topk_seg;
      topk_index_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(topk_index), ws);
      topk_score_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(topk_score), ws);
      pipe->InitBuffer(topk_que_, 2, t_.topk_seg * 4);
    }
    const int32_t bytes = AlignUp(t_.tile, 16) * 4;
    pipe->InitBuffer(e_que_, 2, bytes);
    pipe->InitBuffer(a_que_, 2, bytes);
    pipe->InitBuffer(res_que_, 1, 32);
    pipe->InitBuffer(e_buf_, bytes);
    pipe->InitBuffer(a_buf_, bytes);
    pipe->InitBuffer(cd_buf_, bytes);
    pipe->InitBuffer(tmp_buf_, bytes);
  }

  __aicore__ inline void Process() {
    for (int32_t b = static_cast<int32_t>(AscendC::GetBlockIdx()); b < t_.batch;
         b += static_cast<int32_t>(AscendC::GetBlockNum())) {
      ScoreRow(b);
    }
  }

 private:
  __aicore__ inline int32_t TileLen(int32_t c) const { return MinI(t_.tile, t_.vocab - c); }

  __aicore__ inline void ScoreRow(int32_t b) {
    const uint64_t e0 = (uint64_t(t_.expert_first) + uint64_t(b) * t_.expert_stride) * t_.vocab;
    const uint64_t a0 = (uint64_t(t_.base_first) + uint64_t(b) * t_.base_stride) * t_.vocab;
    const float neg_inf = -__builtin_huge_valf();
    LocalTensor<float> ef = e_buf_.Get<float>();
    LocalTensor<float> af = a_buf_.Get<float>();
    LocalTensor<float> cd = cd_buf_.Get<float>();
    LocalTensor<float> tmp = tmp_buf_.Get<float>();

    // Pass 1: maximum of the expert row; a NaN anywhere fails the row.
    float m = neg_inf;
    bool nan = false;
    for (int32_t c = 0; c < t_.vocab; c += t_.tile) {
      const int32_t len = TileLen(c);
      Sync<HardEvent::S_V>();  // the scalar unit is done reading ef
      LoadRows(e_que_, ef, e_, e0 + c, 1, len, len, AlignUp(len, 16));
      Sync<HardEvent::V_S>();
      for (int32_t i = 0; i < len; i++) {
        const float x = ef.GetValue(i);
        nan |= x != x;
        m = x > m ? x : m;
      }
    }
    if (nan) {
      WriteResult(b, 0, neg_inf, 0, kRowExpertNaN);
      return;
    }

    // Pass 2: valid set, cd, argmax, top-k, sampling.
    const float threshold = m + t_.ln_alpha;
    const float one_plus_beta = 1.0f + t_.beta;
    const uint64_t row_key = t_.sampling ? GumbelRowKey(seeds_.GetValue(b), b) : 0;
    int32_t valid = 0;
    int32_t best = -1;
    float best_cd = neg_inf;
    float best_key = neg_inf;  // sampling: the largest cd / T + g so far
    int32_t first_valid = -1;
    bool base_nan = false;
    StartLoad(e_que_, e_, e0, 1, TileLen(0), TileLen(0), AlignUp(TileLen(0), 16));
    StartLoad(a_que_, a_, a0, 1, TileLen(0), TileLen(0), AlignUp(TileLen(0), 16));
    for (int32_t c = 0; c < t_.vocab; c += t_.tile) {
      const int32_t len = TileLen(c);
      Sync<HardEvent::S_V>();  // the scalar unit is done reading ef, af and cd
      FinishLoad(e_que_, t_.dtype, ef, AlignUp(len, 16));
      FinishLoad(a_que_, t_.dtype, af, AlignUp(len, 16));
      const int32_t next = c + t_.tile;
      if (next < t_.vocab) {
        const int32_t nlen = TileLen(next);
        StartLoad(e_que_, e_, e0 + next, 1, nlen, nlen, AlignUp(nlen, 16));
        StartLoad(a_que_, a_, a0 + next, 1, nlen, nlen, AlignUp(nlen, 16));
      }
      if (t_.beta == 0.0f) {
        AscendC::Muls(cd, ef, 1.0f, len);  // the base logits do not count, infinite ones included
      } else {
        AscendC::Muls(cd, ef, one_plus_beta, len);
        AscendC::Muls(tmp, af, t_.beta, len);
        VectorBarrier();
        AscendC::Sub(cd, cd, tmp, len);
      }
      Sync<HardEvent::V_S>();
      TopKHeap heap;
      if (t_.top_k > 0) heap = StartHeap();
      for (int32_t i = 0; i < len; i++) {
        const float ai = af.GetValue(i);
        base_nan |= ai != ai;
        const float ei = ef.GetValue(i);
        if (!(ei >= threshold)) continue;
        const int32_t idx = c + i;
        valid++;
        if (first_valid < 0) first_valid = idx;
        float s = cd.GetValue(i);
        if (s != s) s = neg_inf;
        if (s > best_cd && !t_.sampling) {
          best_cd = s;
          best = idx;
        }
        if (t_.sampling) {
          const float key = s / t_.temperature + GumbelNoise(row_key, idx);
          if (key > best_key) {
            best_key = key;
            best_cd = s;
            best = idx;
          }
        }
        if (t_.top_k > 0) heap.Offer(idx, s);
      }
      if (t_.top_k > 0) WriteSegment(heap, uint64_t(b) * t_.topk_tiles + c / t_.tile);
    }
    if (base_nan) {
      WriteResult(b, 0, neg_inf, 0, kRowBaseNaN);
      return;
    }
    // No valid cd above -inf: the lowest valid index, score -inf (the contract's tie rule).
    if (best < 0) {
      best = first_valid;
      best_cd = neg_inf;
    }
    WriteResult(b, best, best_cd, valid, kRowOk);
  }

  // A bounded min-heap of (cd, index) pairs in two UB buffers, ordered worst first: lower cd,
  // and among equal cd the higher index (so ties keep the lowest indices, as the contract says).
  struct TopKHeap {
    LocalTensor<float> score;
    LocalTensor<int32_t> index;
    int32_t cap = 0;
    int32_t size = 0;

    __aicore__ inline bool Worse(float s1, int32_t i1, float s2, int32_t i2) const {
      return s1 < s2 || (s1 == s2 && i1 > i2);
    }
    __aicore__ inline bool WorseAt(int32_t a, int32_t b) const {
      return Worse(score.GetValue(a), index.GetValue(a), score.GetValue(b), index.GetValue(b));
    }
    __aicore__ inline void Swap(int32_t a, int32_t b) const {
      const float s = score.GetValue(a);
      const int32_t i = index.GetValue(a);
      score.SetValue(a, score.GetValue(b));
      index.SetValue(a, index.GetValue(b));
      score.SetValue(b, s);
      index.SetValue(b, i);
    }
    // Restores the heap below node p within the first n entries.
    __aicore__ inline void SiftDown(int32_t p, int32_t n) const {
      while (true) {
        const int32_t l = 2 * p + 1;
        if (l >= n) return;
        int32_t w = l;
        if (l + 1 < n && WorseAt(l + 1, l)) w = l + 1;
        if (!WorseAt(w, p)) return;
        Swap(w, p);
        p = w;
      }
    }
    __aicore__ inline void Offer(int32_t idx, float s) {
      if (size < cap) {
        int32_t p = size++;
        score.SetValue(p, s);
        index.SetValue(p, idx);
        while (p > 0 && WorseAt(p, (p - 1) / 2)) {
          Swap(p, (p - 1) / 2);
          p = (p - 1) / 2;
        }
      } else if (Worse(score.GetValue(0), index.GetValue(0), s, idx)) {
        score.SetValue(0, s);
        index.SetValue(0, idx);
        SiftDown(0, size);
      }
    }
    // Heap sort: moves the worst to the end repeatedly, leaving the entries best first.
    __aicore__ inline void SortBestFirst() const {
      for (int32_t end = size - 1; end > 0; end--) {
        Swap(0, end);
        SiftDown(0, end);
      }
    }
  };

  __aicore__ inline TopKHeap StartHeap() {
    TopKHeap h;
    h.score = topk_que_.AllocTensor<float>();
    h.index = topk_que_.AllocTensor<int32_t>();
    h.cap = t_.topk_cap;
    Sync<HardEvent::MTE3_S>();  // the last segment's copy-out has read these buffers
    return h;
  }

  // Sorts the tile's candidates and copies them to the workspace segment seg: the entries best
  // first, then (if fewer than the segment holds) one entry with index -1 that ends it.
  __aicore__ inline void WriteSegment(TopKHeap& h, uint64_t seg) {
    h.SortBestFirst();
    int32_t n = h.size;
    if (n < h.cap) {
      h.score.SetValue(n, -__builtin_huge_valf());
      h.index.SetValue(n, -1);
      n++;
    }
    Sync<HardEvent::S_MTE3>();
    topk_que_.EnQue(h.score);
    topk_que_.EnQue(h.index);
    LocalTensor<float> sc = topk_que_.DeQue<float>();
    LocalTensor<int32_t> ix = topk_que_.DeQue<int32_t>();
    DataCopyExtParams p;
    p.blockCount = 1;
    p.blockLen = static_cast<uint32_t>(n) * 4;
    p.srcStride = 0;
    p.dstStride = 0;
    p.rsv = 0;
    AscendC::DataCopyPad(topk_score_[seg * t_.topk_seg], sc, p);
    AscendC::DataCopyPad(topk_index_[seg * t_.topk_seg], ix, p);
    topk_que_.FreeTensor(sc);
    topk_que_.FreeTensor(ix);
  }

  __aicore__ inline void WriteResult(int32_t b, int32_t token, float score, int32_t valid, int32_t status) {
    LocalTensor<int32_t> r = res_que_.AllocTensor<int32_t>();
    Sync<HardEvent::MTE3_S>();  // the last row's copy-out has read r
    r.SetValue(0, token);
    r.SetValue(1, static_cast<int32_t>(FloatBits(score)));
    r.SetValue(2, valid);
    r.SetValue(3, status);
    Sync<HardEvent::S_MTE3>();
    res_que_.EnQue(r);
    r = res_que_.DeQue<int32_t>();
    DataCopyExtParams p;
    p.blockCount = 1;
    p.blockLen = 16;
    p.srcStride = 0;
    p.dstStride = 0;
    p.rsv = 0;
    AscendC::DataCopyPad(results_[uint64_t(b) * 4], r, p);
    res_que_.FreeTensor(r);
  }

  ContrastiveTiling t_;
  FloatGm e_, a_;
  GlobalTensor<int64_t> seeds_;
  GlobalTensor<int32_t> results_, topk_index_;
  GlobalTensor<float> topk_score_;
  InQue e_que_, a_que_;
  OutQue res_que_, topk_que_;
  CalcBuf e_buf_, a_buf_, cd_buf_, tmp_buf_;
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_contrastive_kernel(GM_ADDR expert, GM_ADDR base, GM_ADDR seeds,
                                                                GM_ADDR results, GM_ADDR topk_index,
                                                                GM_ADDR topk_score, GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::Contrastive op;
  op.Init(expert, base, seeds, results, topk_index, topk_score, tiling, &pipe);
  op.Process();
}
