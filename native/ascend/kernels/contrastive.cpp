// Batched expert/base contrastive scoring, CoLD's decoding rule (docs/kernels.md, contrastive
// scoring), as two AscendC launches over work items (row, chunk of the vocabulary), dealt
// round-robin to the AI cores. Splitting rows into chunks keeps every core busy at small batches
// (8 rows on 48 cores); the host picks the chunk count.
//
//   npukit_contrastive_max_kernel: per item, the maximum of the expert chunk (Cast and ReduceMax
//     per tile, the scalar unit takes the largest), into a statistics workspace.
//   npukit_contrastive_kernel: per item, the row's maximum m from the statistics (one copy and a
//     ReduceMax), then over the chunk the valid set (e >= m + ln alpha), cd = (1+beta)*e - beta*a,
//     the valid count, the best cd and its lowest index, top-k candidates and Gumbel-max
//     sampling, and the NaN checks, into a results workspace.
// The host merges a row's chunks (chunk order keeps the lowest index on ties) and its top-k
// segments; a row with a NaN fails the call, and nothing reaches the caller's tensors.
//
// Both launches walk a chunk in tiles as large as the unified buffer allows (the host sizes
// them) through 2-buffer queues: the copies of tile t+1 are issued before tile t is computed
// (double buffering). Everything per entry runs on the vector unit over whole tiles, 8
// instructions per entry: 2 Cast; CompareScalar for validity; Muls then Axpy for cd (Axpy adds
// the rounded product a * (-beta): two rounded products and a difference, never fused, so
// bit-identical to the reference; with beta = 0, cd = e and the base logits never enter it);
// Compare (x == x) of cd (beta = 0: of e + a), whose bits are and-ed into a per-chunk mask: it is
// NaN exactly where e or a is NaN or infinities cancel, so it both ranks a NaN cd as -inf and
// tells, once per chunk, whether the chunk needs the exact NaN check (a second pass over that
// chunk only, with one Compare per input); Select for the ranked cd; ReduceMax per part of 1024
// entries. The
// scalar unit reads the tile maximum and counts the valid entries from the validity mask, one
// 64-bit word per 64 entries (cheaper than a Select of 0/1 flags and a ReduceSum on the vector
// unit, which is the busier one). Of the cd tiles, the one that last raised the chunk's best is
// kept (two buffers in turn); after the chunk, Compare (== best) over the part of that tile that
// holds its first maximum marks the best entries and the scalar unit finds the first set bit (at
// most 16 64-bit word reads). The tiling reaches the scalar unit through one copy into the UB (a scalar read there
// costs a tenth of one from global memory).
// Top-k and sampling need the scalar unit per valid entry, and only in tiles that hold one: each
// tile keeps its best min(k, tile) valid (index, cd) pairs in a bounded min-heap in the UB,
// heap-sorts them and copies them with DataCopyPad to the tile's segment of a workspace, padded
// to 64 bytes; the Gumbel noise uses npukit's own float log and splitmix hash (gumbel_device.h;
// the vector unit's Ln/Exp are not specified to the last bit). No scalar store reaches global
// memory.
#include "gumbel_device.h"

namespace npukit {
namespace ascend {
namespace {

constexpr float kNegInf = -__builtin_huge_valf();

// Bytes of one input element.
__aicore__ inline int32_t InBytes(int32_t dtype) { return dtype == kF32 ? 4 : 2; }

// What both launches share: the tiling, the expert logits, the row and tile geometry, the bit
// masks, and the mask of the row's last tile when the vocabulary is not a multiple of 64.
class ContrastiveBase {
 protected:
  __aicore__ inline void InitBase(GM_ADDR expert, GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTilingUb(tiling, t_, tiling_que_, pipe);
    e_.Init(expert, t_.dtype, uint64_t(t_.expert_rows) * t_.vocab);
    pipe->InitBuffer(e_que_, 2, t_.tile * InBytes(t_.dtype));
    pipe->InitBuffer(ef_buf_, t_.tile * 4);
    mask_words_ = ContrastiveMaskWords(t_.tile);
    pipe->InitBuffer(mask_buf_, kMasks * mask_words_ * 2);
    parts_ = ContrastiveParts(t_.tile);
    pipe->InitBuffer(work_buf_, parts_ * kContrastivePartWork * 4);
    pipe->InitBuffer(red_buf_, parts_ * 32);
    // The tail mask: bits [0, vocab % 64) of the last 64-entry block of the row's last tile; only
    // that tile can end inside a 64-entry block.
    const int32_t cs = (t_.chunks - 1) * t_.chunk;
    const int32_t last_len = (t_.vocab - cs) - ((t_.vocab - cs - 1) / t_.tile) * t_.tile;
    if (last_len % 64 == 0) return;
    const int32_t last_padded = AlignUp(last_len, 64);
    LocalTensor<uint16_t> tail = Mask(kTail);
    AscendC::Duplicate(tail, static_cast<uint16_t>(0xFFFF), last_padded / 16);
    Sync<HardEvent::V_S>();
    for (int32_t w = (last_padded - 64) / 16; w < last_padded / 16; w++) {
      const int32_t valid = MinI(MaxI(last_len - 16 * w, 0), 16);
      tail.SetValue(w, static_cast<uint16_t>(valid == 16 ? 0xFFFF : (1u << valid) - 1));
    }
    Sync<HardEvent::S_V>();
  }

  __aicore__ inline uint64_t ExpertRow(int32_t b) const {
    return (uint64_t(t_.expert_first) + uint64_t(b) * t_.expert_stride) * t_.vocab;
  }
  __aicore__ inline uint64_t BaseRow(int32_t b) const {
    return (uint64_t(t_.base_first) + uint64_t(b) * t_.base_stride) * t_.vocab;
  }
  __aicore__ inline int32_t ChunkLen(int32_t c) const { return MinI(t_.chunk, t_.vocab - c * t_.chunk); }
  __aicore__ inline LocalTensor<uint16_t> Mask(int32_t i) const {
    return mask_buf_.Get<uint16_t>()[i * mask_words_];
  }
  __aicore__ inline LocalTensor<uint8_t> Bits(int32_t i) const { return Mask(i).ReinterpretCast<uint8_t>(); }
  __aicore__ inline LocalTensor<uint64_t> Words(int32_t i) const { return Mask(i).ReinterpretCast<uint64_t>(); }
  // Entries [len, AlignUp(len, 64)) of a tile (only a row's last) become `fill`.
  __aicore__ inline void MaskTail(const LocalTensor<float>& x, int32_t len, float fill) {
    if (len % 64 != 0) {
      AscendC::Select(x, Mask(kTail), x, fill, AscendC::SELMODE::VSEL_TENSOR_SCALAR_MODE, AlignUp(len, 64));
    }
  }
  // Sets every bit of mask i (before and-ing tiles into it).
  __aicore__ inline void SetAll(int32_t i) { AscendC::Duplicate(Mask(i), static_cast<uint16_t>(0xFFFF), mask_words_); }
  // Whether every bit of mask i is set: halves it with And down to 64 16-bit words, which the
  // scalar unit reads as 16 64-bit words. Ends after a vector -> scalar synchronisation; the
  // caller has synchronised the scalar unit's earlier reads of red (S_V) if it needs to.
  __aicore__ inline bool AllSet(int32_t i) {
    LocalTensor<uint16_t> m = Mask(i);
    int32_t n = mask_words_;
    for (; n > 64; n /= 2) {
      VectorBarrier();
      AscendC::And(m, m, m[n / 2], n / 2);
    }
    Sync<HardEvent::V_S>();
    const LocalTensor<uint64_t> w = Words(i);
    bool all = true;
    for (int32_t k = 0; k < n / 4; k++) all = all && w.GetValue(k) == ~uint64_t{0};
    return all;
  }

  static constexpr int32_t kTail = 0;
  static constexpr int32_t kMasks = 8;
  ContrastiveTiling t_;
  FloatGm e_;
  InQue tiling_que_, e_que_;
  CalcBuf ef_buf_, mask_buf_, work_buf_, red_buf_;
  int32_t mask_words_ = 16;
  int32_t parts_ = 1;  // parts of a tile (kContrastivePart entries each) with their own maximum
};

// Launch 1: the maximum of each (row, chunk) of the expert logits (with a NaN in the chunk it
// means nothing; launch 2 finds the NaN).
class ContrastiveMax : public ContrastiveBase {
 public:
  __aicore__ inline void Init(GM_ADDR expert, GM_ADDR stats, GM_ADDR tiling, AscendC::TPipe* pipe) {
    InitBase(expert, tiling, pipe);
    stats_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(stats), uint64_t(t_.batch) * t_.chunks);
    pipe->InitBuffer(max_buf_, t_.chunk_tiles * 32);
    pipe->InitBuffer(out_que_, 2, 32);
  }

  __aicore__ inline void Process() {
    const int32_t items = t_.batch * t_.chunks;
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < items;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      RunItem(i / t_.chunks, i % t_.chunks);
    }
  }

 private:
  __aicore__ inline void RunItem(int32_t b, int32_t c) {
    const uint64_t row = ExpertRow(b) + uint64_t(c) * t_.chunk;
    const int32_t clen = ChunkLen(c);
    LocalTensor<float> ef = ef_buf_.Get<float>();
    LocalTensor<float> tile_max = max_buf_.Get<float>();  // one 32-byte slot per tile
    LocalTensor<float> work = work_buf_.Get<float>();
    Sync<HardEvent::S_V>();  // the scalar unit is done reading the last item's tile maxima
    StartLoad(e_que_, e_, row, 1, MinI(t_.tile, clen), MinI(t_.tile, clen), t_.tile);
    for (int32_t k = 0; k < clen; k += t_.tile) {
      const int32_t len = MinI(t_.tile, clen - k);
      const int32_t lp = AlignUp(len, 64);
      FinishLoad(e_que_, t_.dtype, ef, lp);
      if (k + t_.tile < clen) {
        const int32_t nlen = MinI(t_.tile, clen - k - t_.tile);
        StartLoad(e_que_, e_, row + k + t_.tile, 1, nlen, nlen, t_.tile);
      }
      if (len % 64 != 0) {
        MaskTail(ef, len, kNegInf);
        VectorBarrier();
      }
      AscendC::ReduceMax(tile_max[(k / t_.tile) * 8], ef, work, lp);
    }
    Sync<HardEvent::V_S>();
    float m = kNegInf;
    for (int32_t k = 0; k < clen; k += t_.tile) {
      const float x = tile_max.GetValue((k / t_.tile) * 8);
      m = x > m ? x : m;
    }
    LocalTensor<float> out = out_que_.AllocTensor<float>();
    Sync<HardEvent::MTE3_S>();  // the copy-out two items ago has read out
    out.SetValue(0, m);
    Sync<HardEvent::S_MTE3>();
    out_que_.EnQue(out);
    out = out_que_.DeQue<float>();
    const DataCopyExtParams p = OneRowParams<float>(1);
    AscendC::DataCopyPad(stats_[uint64_t(b) * t_.chunks + c], out, p);
    out_que_.FreeTensor(out);
  }

  GlobalTensor<float> stats_;
  CalcBuf max_buf_;
  OutQue out_que_;
};

// Launch 2: scores each (row, chunk).
class ContrastiveScore : public ContrastiveBase {
 public:
  __aicore__ inline void Init(GM_ADDR expert, GM_ADDR base, GM_ADDR seeds, GM_ADDR stats, GM_ADDR results,
                              GM_ADDR topk_index, GM_ADDR topk_score, GM_ADDR tiling, AscendC::TPipe* pipe) {
    InitBase(expert, tiling, pipe);
    a_.Init(base, t_.dtype, uint64_t(t_.base_rows) * t_.vocab);
    if (t_.sampling) seeds_.SetGlobalBuffer(reinterpret_cast<__gm__ int64_t*>(seeds), t_.batch);
    stats_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(stats), uint64_t(t_.batch) * t_.chunks);
    results_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(results),
                             uint64_t(t_.batch) * t_.chunks * kChunkWords);
    if (t_.top_k > 0) {
      const uint64_t ws = uint64_t(t_.batch) * t_.chunks * t_.chunk_tiles * t_.topk_seg;
      topk_index_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(topk_index), ws);
      topk_score_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(topk_score), ws);
      pipe->InitBuffer(topk_que_, 2, t_.topk_seg * 4);
    }
    pipe->InitBuffer(a_que_, 2, t_.tile * InBytes(t_.dtype));
    pipe->InitBuffer(af_buf_, t_.tile * 4);
    pipe->InitBuffer(ef2_buf_, t_.tile * 4);
    pipe->InitBuffer(stat_que_, 2, AlignUp(t_.chunks, 8) * 4);
    pipe->InitBuffer(res_que_, 2, kChunkWords * 4);
  }

  __aicore__ inline void Process() {
    const int32_t items = t_.batch * t_.chunks;
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < items;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      ScoreChunk(i / t_.chunks, i % t_.chunks);
    }
  }

 private:
  // Masks (kTail is the base's).
  static constexpr int32_t kValid = 1, kNum = 2, kRanked = 3, kAllNum = 4, kHit = 5, kExpertNum = 6, kBaseNum = 7;

  struct Chunk {
    int32_t best = -1;
    float best_cd = kNegInf;
    float best_key = kNegInf;
    int32_t valid = 0;
    int32_t first_valid = -1;
  };

  // The two widenings of a tile share one barrier (kernel_common.h, Widen).
  __aicore__ inline void Widen(InQue& q, const LocalTensor<float>& dst, uint32_t count) {
    npukit::ascend::Widen(q, t_.dtype, dst, count);
  }

  // The row's maximum, from every chunk's maximum.
  __aicore__ inline float RowMax(int32_t b) {
    LocalTensor<float> st = stat_que_.AllocTensor<float>();
    DataCopyPadExtParams<float> pad;
    pad.isPad = false;
    const DataCopyExtParams p = OneRowParams<float>(t_.chunks);
    AscendC::DataCopyPad(st, stats_[uint64_t(b) * t_.chunks], p, pad);
    stat_que_.EnQue(st);
    st = stat_que_.DeQue<float>();
    LocalTensor<float> red = red_buf_.Get<float>();
    Sync<HardEvent::S_V>();  // the scalar unit is done reading red
    AscendC::ReduceMax(red, st, work_buf_.Get<float>(), t_.chunks);
    stat_que_.FreeTensor(st);
    Sync<HardEvent::V_S>();
    return red.GetValue(0);
  }

  // The lowest tile offset whose bit is set in mask i (the vector unit wrote it and the scalar
  // unit has synchronised): the scalar unit reads its 64-bit words up to the first that is not
  // zero, at most lp / 64 reads.
  __aicore__ inline int32_t FirstSet(int32_t i, int32_t lp) {
    const LocalTensor<uint64_t> m = Words(i);
    for (int32_t w = 0; w < lp / 64; w++) {
      const uint64_t bits = m.GetValue(w);
      if (bits != 0) return 64 * w + __builtin_ctzll(bits);
    }
    return -1;
  }

  // The set bits of mask i among a tile's lp entries (the vector unit wrote it and the scalar
  // unit has synchronised): one 64-bit word read per 64 entries.
  __aicore__ inline int32_t CountSet(int32_t i, int32_t lp) {
    const LocalTensor<uint64_t> m = Words(i);
    int32_t n = 0;
    for (int32_t w = 0; w < lp / 64; w++) n += __builtin_popcountll(m.GetValue(w));
    return n;
  }

  __aicore__ inline void ScoreChunk(int32_t b, int32_t c) {
    const float threshold = RowMax(b) + t_.ln_alpha;
    const float one_plus_beta = 1.0f + t_.beta;
    const float neg_beta = -t_.beta;
    const uint64_t row_key = t_.sampling ? GumbelRowKey(seeds_.GetValue(b), b) : 0;
    const int32_t c0 = c * t_.chunk;
    const int32_t clen = ChunkLen(c);
    const uint64_t e0 = ExpertRow(b) + c0;
    const uint64_t a0 = BaseRow(b) + c0;
    // Two cd tiles in turn: the tile that last raised the chunk's best cd is kept, and the
    // index of its first best entry is looked up once, after the chunk.
    LocalTensor<float> cd_tiles[2] = {ef_buf_.Get<float>(), ef2_buf_.Get<float>()};
    int32_t cur = 0, kept = -1, kept_first = 0, kept_off = 0, kept_lp = 64;
    LocalTensor<float> af = af_buf_.Get<float>();
    LocalTensor<float> red = red_buf_.Get<float>();
    LocalTensor<float> work = work_buf_.Get<float>();
    const int32_t ranked = t_.beta == 0.0f ? kValid : kRanked;
    Sync<HardEvent::S_V>();  // the scalar unit is done reading kAllNum (AllSet of the last chunk)
    SetAll(kAllNum);
    Chunk ch;
    const int32_t first_len = MinI(t_.tile, clen);
    StartLoad(e_que_, e_, e0, 1, first_len, first_len, t_.tile);
    StartLoad(a_que_, a_, a0, 1, first_len, first_len, t_.tile);
    for (int32_t k = 0; k < clen; k += t_.tile) {
      const int32_t len = MinI(t_.tile, clen - k);
      const int32_t lp = AlignUp(len, 64);
      const LocalTensor<float> ef = cd_tiles[cur];
      // The scalar unit is done reading ef, red and the valid mask (for the first tile, the
      // synchronisation before SetAll covers it).
      if (k > 0) Sync<HardEvent::S_V>();
      Widen(e_que_, ef, lp);
      Widen(a_que_, af, lp);
      VectorBarrier();
      if (k + t_.tile < clen) {
        const int32_t nlen = MinI(t_.tile, clen - k - t_.tile);
        StartLoad(e_que_, e_, e0 + k + t_.tile, 1, nlen, nlen, t_.tile);
        StartLoad(a_que_, a_, a0 + k + t_.tile, 1, nlen, nlen, t_.tile);
      }
      if (len % 64 != 0) {
        // Past the row's end: e = -inf, a = 0 (cd -inf, never NaN), and never valid.
        MaskTail(ef, len, kNegInf);
        MaskTail(af, len, 0.0f);
        VectorBarrier();
      }
      // Instructions between two barriers do not read each other's results (a write after an
      // earlier read of the same pipe needs no barrier).
      AscendC::CompareScalar(Bits(kValid), ef, threshold, AscendC::CMPMODE::GE, lp);
      if (t_.beta != 0.0f) {
        AscendC::Muls(ef, ef, one_plus_beta, lp);  // cd in place of e
        VectorBarrier();
        AscendC::Axpy(ef, af, neg_beta, lp);
        VectorBarrier();
        AscendC::Compare(Bits(kNum), ef, ef, AscendC::CMPMODE::EQ, lp);
      } else {
        // cd = e: the base logits do not count, infinite ones included. e + a is NaN where
        // either is NaN (or infinities cancel): the NaN check.
        AscendC::Add(af, ef, af, lp);
        VectorBarrier();
        AscendC::Compare(Bits(kNum), af, af, AscendC::CMPMODE::EQ, lp);
      }
      if (len % 64 != 0) AscendC::And(Mask(kValid), Mask(kValid), Mask(kTail), lp / 16);
      VectorBarrier();
      if (t_.beta != 0.0f) {
        AscendC::And(Mask(kRanked), Mask(kValid), Mask(kNum), lp / 16);  // a NaN cd ranks as -inf
        AscendC::And(Mask(kAllNum), Mask(kAllNum), Mask(kNum), lp / 16);
        VectorBarrier();
      } else {
        AscendC::And(Mask(kAllNum), Mask(kAllNum), Mask(kNum), lp / 16);
      }
      AscendC::Select(ef, Bits(ranked), ef, kNegInf, AscendC::SELMODE::VSEL_TENSOR_SCALAR_MODE, lp);
      VectorBarrier();
      // The maximum of each part, each with its own work and result slots: the part holding the
      // tile's first maximum is all the index look-up after the chunk has to compare.
      for (int32_t p = 0; p * kContrastivePart < lp; p++) {
        AscendC::ReduceMax(red[8 * p], ef[p * kContrastivePart], work[p * kContrastivePartWork],
                           MinI(kContrastivePart, lp - p * kContrastivePart));
      }
      Sync<HardEvent::V_S>();
      float tile_max = kNegInf;
      int32_t best_part = 0;
      for (int32_t p = 0; p * kContrastivePart < lp; p++) {
        const float x = red.GetValue(8 * p);
        if (x > tile_max) {
          tile_max = x;
          best_part = p;
        }
      }
      const int32_t count = CountSet(kValid, lp);
      const int32_t tile_first = c0 + k;
      ch.valid += count;
      if (t_.top_k > 0 || t_.sampling) ScanTile(ef, b, c, k / t_.tile, tile_first, lp, count, row_key, ch);
      if (count > 0 && tile_max == kNegInf && ch.first_valid < 0) {
        // Needed only when the chunk's valid cd are all -inf (the row's answer may then be its
        // lowest valid index).
        ch.first_valid = tile_first + FirstSet(kValid, lp);
      }
      if (!t_.sampling && tile_max > ch.best_cd) {
        ch.best_cd = tile_max;
        kept = cur;
        kept_off = best_part * kContrastivePart;
        kept_first = tile_first + kept_off;
        kept_lp = MinI(kContrastivePart, lp - kept_off);
        cur ^= 1;
      }
    }
    // The scalar unit last read kHit before the chunk's first synchronisation, and AllSet's
    // closing vector -> scalar synchronisation covers the look-up's Compare too.
    if (kept >= 0) {
      AscendC::CompareScalar(Bits(kHit), cd_tiles[kept][kept_off], ch.best_cd, AscendC::CMPMODE::EQ, kept_lp);
    }
    const bool all_numbers = AllSet(kAllNum);
    if (kept >= 0) ch.best = kept_first + FirstSet(kHit, kept_lp);
    const int32_t status = all_numbers ? kRowOk : NaNCheck(e0, a0, clen);
    WriteChunk(b, c, ch, status);
  }

  // The exact NaN check of a chunk whose cd (or e + a) was NaN somewhere: a second pass, one
  // Compare per input. kRowOk when only infinities met.
  __aicore__ inline int32_t NaNCheck(uint64_t e0, uint64_t a0, int32_t clen) {
    LocalTensor<float> ef = ef_buf_.Get<float>();
    LocalTensor<float> af = af_buf_.Get<float>();
    Sync<HardEvent::S_V>();
    SetAll(kExpertNum);
    SetAll(kBaseNum);
    for (int32_t k = 0; k < clen; k += t_.tile) {
      const int32_t len = MinI(t_.tile, clen - k);
      const int32_t lp = AlignUp(len, 64);
      LoadRows(e_que_, ef, e_, e0 + k, 1, len, len, t_.tile);
      LoadRows(a_que_, af, a_, a0 + k, 1, len, len, t_.tile);
      MaskTail(ef, len, 0.0f);
      MaskTail(af, len, 0.0f);
      VectorBarrier();
      AscendC::Compare(Bits(kNum), ef, ef, AscendC::CMPMODE::EQ, lp);
      AscendC::Compare(Bits(kHit), af, af, AscendC::CMPMODE::EQ, lp);
      VectorBarrier();
      AscendC::And(Mask(kExpertNum), Mask(kExpertNum), Mask(kNum), lp / 16);
      AscendC::And(Mask(kBaseNum), Mask(kBaseNum), Mask(kHit), lp / 16);
    }
    if (!AllSet(kExpertNum)) return kRowExpertNaN;
    return AllSet(kBaseNum) ? kRowOk : kRowBaseNaN;
  }

  // Top-k candidates and sampling: the scalar unit visits the valid entries of a tile (the set
  // bits of the valid mask; ef holds the ranked cd, -inf where cd is NaN).
  __aicore__ inline void ScanTile(const LocalTensor<float>& ef, int32_t b, int32_t c, int32_t tile, int32_t tile_first,
                                  int32_t lp, int32_t count, uint64_t row_key, Chunk& ch) {
    const LocalTensor<uint64_t> valid = Words(kValid);
    TopKHeap heap;
    if (t_.top_k > 0) heap = StartHeap();
    for (int32_t w = 0; w < lp / 64 && count > 0; w++) {
      for (uint64_t bits = valid.GetValue(w); bits != 0; bits &= bits - 1) {
        count--;
        const int32_t i = 64 * w + __builtin_ctzll(bits);
        const int32_t idx = tile_first + i;
        const float s = ef.GetValue(i);
        if (t_.sampling) {
          const float key = s / t_.temperature + GumbelNoise(row_key, idx);
          if (key > ch.best_key) {
            ch.best_key = key;
            ch.best_cd = s;
            ch.best = idx;
          }
        }
        if (t_.top_k > 0) heap.Offer(idx, s);
      }
    }
    if (t_.top_k > 0) WriteSegment(heap, (uint64_t(b) * t_.chunks + c) * t_.chunk_tiles + tile);
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
      h.score.SetValue(n, kNegInf);
      h.index.SetValue(n, -1);
      n++;
    }
    Sync<HardEvent::S_MTE3>();
    topk_que_.EnQue(h.score);
    topk_que_.EnQue(h.index);
    LocalTensor<float> sc = topk_que_.DeQue<float>();
    LocalTensor<int32_t> ix = topk_que_.DeQue<int32_t>();
    const DataCopyExtParams p = OneRowParams<float>(n);
    AscendC::DataCopyPad(topk_score_[seg * t_.topk_seg], sc, p);
    AscendC::DataCopyPad(topk_index_[seg * t_.topk_seg], ix, p);
    topk_que_.FreeTensor(sc);
    topk_que_.FreeTensor(ix);
  }

  __aicore__ inline void WriteChunk(int32_t b, int32_t c, const Chunk& ch, int32_t status) {
    LocalTensor<int32_t> r = res_que_.AllocTensor<int32_t>();
    Sync<HardEvent::MTE3_S>();  // the copy-out two chunks ago has read r
    r.SetValue(kChunkBest, ch.best);
    r.SetValue(kChunkScore, static_cast<int32_t>(FloatBits(ch.best_cd)));
    r.SetValue(kChunkValid, ch.valid);
    r.SetValue(kChunkFirstValid, ch.first_valid);
    r.SetValue(kChunkStatus, status);
    r.SetValue(kChunkKey, static_cast<int32_t>(FloatBits(ch.best_key)));
    r.SetValue(6, 0);
    r.SetValue(7, 0);
    Sync<HardEvent::S_MTE3>();
    res_que_.EnQue(r);
    r = res_que_.DeQue<int32_t>();
    const DataCopyExtParams p = OneRowParams<int32_t>(kChunkWords);
    AscendC::DataCopyPad(results_[(uint64_t(b) * t_.chunks + c) * kChunkWords], r, p);
    res_que_.FreeTensor(r);
  }

  FloatGm a_;
  GlobalTensor<int64_t> seeds_;
  GlobalTensor<float> stats_, topk_score_;
  GlobalTensor<int32_t> results_, topk_index_;
  InQue a_que_, stat_que_;
  OutQue res_que_, topk_que_;
  CalcBuf af_buf_, ef2_buf_;
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_contrastive_max_kernel(GM_ADDR expert, GM_ADDR stats, GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::ContrastiveMax op;
  op.Init(expert, stats, tiling, &pipe);
  op.Process();
}

extern "C" __global__ __aicore__ void npukit_contrastive_kernel(GM_ADDR expert, GM_ADDR base, GM_ADDR seeds,
                                                                GM_ADDR stats, GM_ADDR results, GM_ADDR topk_index,
                                                                GM_ADDR topk_score, GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::ContrastiveScore op;
  op.Init(expert, base, seeds, stats, results, topk_index, topk_score, tiling, &pipe);
  op.Process();
}
