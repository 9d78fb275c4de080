// RoPE-fused paged attention (docs/kernels.md, paged attention) as AscendC vector kernels.
//
// Tiling (computed on the host, native/ascend/host/attention_launch.cpp; tiling.h):
//   - Work item = (sequence, query rows, KV heads [head0, head0 + heads), KV slot range). The
//     item holds every query head of its KV heads for each of its rows, and walks its slot range
//     in tiles of kv_tile slots that never cross a cache block. Per tile the cos/sin rows of the
//     tile's slots are copied once and serve every KV head of the item (and the rotation of each
//     key row is shared by the G = num_heads / num_kv_heads query heads of its KV head).
//   - Long sequences are split over several items (flash-decoding) so that all vector cores
//     work: a split item writes its unnormalised accumulators and its softmax statistics (m, l)
//     to a workspace, and npukit_paged_attention_merge_kernel combines a group's splits. Split
//     boundaries lie at or before the first row's position, so every row sees a slot of every
//     split and no split's statistics are empty.
//   - K and V go through one queue of 2 buffers, one (tile, KV head) at a time, K and V rows in
//     the same buffer: the copies of the next step are issued before the current one is computed
//     (double buffering). Each is one strided DataCopyPad: rows num_kv_heads * head_dim apart
//     (NHD) or head_dim apart (HND).
// Math per tile:
//   - keys rotated to their slots' positions: NEOX with rotary_dim / 2 a multiple of 8 as four
//     products and a difference and a sum on the row halves (no Gather), other styles with the
//     Gather-based Rotator;
//   - scores q . k: Mul into a product tile for all G queries of a KV head and prod_slots slots,
//     one barrier, ReduceSum of each product row into its own 32-byte slot; one Gather per KV
//     head packs its slots into the tile's score matrix [query][slot];
//   - online softmax over the score matrix for all queries at once: ReduceMax per query row,
//     the new maxima (Max), their broadcast back over the row (Gather), Sub, Muls by |scale|, Exp,
//     ReduceSum per row, the running sum l = l * e^((m_old - m_new) |scale|) + sum;
//   - accumulators rescaled by the correction (Muls) and acc += p_j * v_j (Axpy), slot by slot,
//     one barrier per slot for all queries of all KV heads (V of every KV head of the tile stays
//     in the UB for that).
// Scores are raw dots (queries negated once for a negative scale) and |scale| multiplies only
// their distance to the running maximum, so a huge finite scale never makes inf - inf.
// Synchronisation: vector barriers per (tile, KV head) and per tile, and one per slot in the
// P.V rounds (each round covers every query of every KV head); the scalar unit waits for the
// vector unit once per tile (it reads the probabilities and the corrections) and the vector unit
// for the scalar unit once per tile. No PIPE_ALL.
#include "kernel_common.h"

namespace npukit {
namespace ascend {
namespace {

constexpr int32_t kMaxMergeQueries = 64;  // the host keeps max_queries within this

// Copies `rows` F32 rows of an accumulator tile (stride d_pad) to a float tensor in global
// memory, out_rows rows at a time.
__aicore__ inline void StoreChunks(OutQue& q, const LocalTensor<float>& src, const FloatGm& g, uint64_t first,
                                   int32_t rows, int32_t len, uint64_t pitch, int32_t stride, int32_t chunk) {
  for (int32_t r0 = 0; r0 < rows; r0 += chunk) {
    const int32_t n = MinI(chunk, rows - r0);
    StoreRows(q, src[r0 * stride], g, first + uint64_t(r0) * pitch, n, len, pitch, stride);
  }
}

class PagedAttention {
 public:
  __aicore__ inline void Init(GM_ADDR q, GM_ADDR k_cache, GM_ADDR v_cache, GM_ADDR block_tables, GM_ADDR seq_lens,
                              GM_ADDR query_start, GM_ADDR cos_sin, GM_ADDR items, GM_ADDR ws, GM_ADDR out,
                              GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    const uint64_t q_numel = uint64_t(t_.num_tokens) * t_.num_heads * t_.head_dim;
    const uint64_t cache_numel = uint64_t(t_.num_blocks) * t_.block_size * t_.num_kv_heads * t_.head_dim;
    q_.Init(q, t_.q_dtype, q_numel);
    out_.Init(out, t_.out_dtype, q_numel);
    k_.Init(k_cache, t_.cache_dtype, cache_numel);
    v_.Init(v_cache, t_.cache_dtype, cache_numel);
    tables_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(block_tables),
                            uint64_t(t_.num_seqs) * t_.max_blocks_per_seq);
    seq_lens_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(seq_lens), t_.num_seqs);
    query_start_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(query_start), t_.num_seqs + 1);
    items_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(items), uint64_t(t_.num_items) * kAttnItemWords);
    ws_.Init(ws, kF32, WorkspaceFloats(t_));
    rope_ = t_.rope_style != kRopeNone;
    if (rope_) cs_.Init(cos_sin, kF32, uint64_t(t_.cos_sin_rows) * t_.rotary_dim);

    g_ = t_.num_heads / t_.num_kv_heads;
    const int32_t dp = t_.d_pad;
    const int32_t tk = t_.kv_tile;
    const int32_t tp = t_.t_pad;
    const int32_t qp = t_.q_pad;
    pipe->InitBuffer(kv_que_, 2, 2 * t_.stage_bytes);
    pipe->InitBuffer(out_que_, 2, t_.out_rows * dp * 4);
    pipe->InitBuffer(kf_buf_, tk * dp * 4);
    pipe->InitBuffer(vf_buf_, t_.item_heads * tk * dp * 4);
    pipe->InitBuffer(q_buf_, qp * dp * 4);
    pipe->InitBuffer(acc_buf_, qp * dp * 4);
    const int32_t products = t_.max_rows * g_ * t_.prod_slots * dp * 4;
    const int32_t rot_temps = t_.half_rotate ? 4 * tk * AlignUp(t_.rotary_dim / 2, 8) * 4 : 0;
    pipe->InitBuffer(scratch_buf_, MaxI(products, rot_temps));
    pipe->InitBuffer(red_buf_, t_.max_rows * g_ * tp * 32);  // one KV head's scores
    pipe->InitBuffer(s_buf_, qp * tp * 4);
    pipe->InitBuffer(mrep_buf_, qp * tp * 4);
    pipe->InitBuffer(off_s_buf_, g_ * tp * 4);
    pipe->InitBuffer(off_b_buf_, qp * tp * 4);
    pipe->InitBuffer(off_slot_buf_, qp * 4);
    pipe->InitBuffer(m_buf_[0], qp * 4);
    pipe->InitBuffer(m_buf_[1], qp * 4);
    pipe->InitBuffer(l_buf_, qp * 4);
    pipe->InitBuffer(corr_buf_, qp * 4);
    pipe->InitBuffer(bmax_buf_, qp * 4);
    pipe->InitBuffer(bsum_buf_, qp * 4);
    pipe->InitBuffer(slot_buf_, 2 * qp * 32);
    pipe->InitBuffer(work_buf_, (dp / 8 + 16) * 4);  // ReduceSum/ReduceMax work: a result per repeat
    if (rope_) {
      pipe->InitBuffer(cs_que_, 1, tk * t_.rot_pad * 4);  // copied and used within a tile
      rotator_.Init(pipe, t_.rope_style, t_.rotary_dim, t_.rot_pad);
    }
    // Gather byte offsets, built once: score j of a KV head's query g from its ReduceSum slot;
    // the maximum of query i over its row; query i's slot among the per-query results.
    LocalTensor<uint32_t> off_s = off_s_buf_.Get<uint32_t>();
    LocalTensor<uint32_t> off_b = off_b_buf_.Get<uint32_t>();
    LocalTensor<uint32_t> off_slot = off_slot_buf_.Get<uint32_t>();
    for (int32_t i = 0; i < qp; i++) {
      for (int32_t j = 0; j < tp; j++) off_b.SetValue(i * tp + j, static_cast<uint32_t>(i * 4));
      off_slot.SetValue(i, static_cast<uint32_t>(i * 32));
    }
    for (int32_t i = 0; i < g_ * tp; i++) off_s.SetValue(i, static_cast<uint32_t>(i * 32));
    Sync<HardEvent::S_V>();
  }

  __aicore__ inline void Process() {
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < t_.num_items;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      RunItem(i);
    }
  }

  __aicore__ static inline uint64_t WorkspaceFloats(const AttentionTiling& t) {
    const uint64_t per = uint64_t(t.max_queries) * t.d_pad + 2 * uint64_t(t.q_pad);
    return t.num_ws > 0 ? uint64_t(t.num_ws) * per : 8;
  }

 private:
  __aicore__ inline int32_t TileLength(int32_t j0, int32_t end) const {
    return MinI(MinI(t_.kv_tile, t_.block_size - j0 % t_.block_size), end - j0);
  }
  __aicore__ inline int32_t BlockOf(int32_t seq, int32_t j0) {
    return tables_.GetValue(uint64_t(seq) * t_.max_blocks_per_seq + j0 / t_.block_size);
  }
  // K and V of (tile at slot j0 of n slots in cache block `block`, KV head `head`) into one
  // buffer of the KV queue: K rows first, V rows kv_tile rows later (one queue event per step).
  template <typename T>
  __aicore__ inline void IssueT(const GlobalTensor<T>& kg, const GlobalTensor<T>& vg, uint64_t first, int32_t n,
                                uint64_t pitch) {
    LocalTensor<T> st = kv_que_.AllocTensor<T>();
    DataCopyPadExtParams<T> pad;
    pad.isPad = false;
    const DataCopyExtParams p = RowParams<T>(n, t_.head_dim, pitch, t_.d_pad, true);
    AscendC::DataCopyPad(st, kg[first], p, pad);
    AscendC::DataCopyPad(st[t_.kv_tile * t_.d_pad], vg[first], p, pad);
    kv_que_.EnQue(st);
  }
  __aicore__ inline void Issue(int32_t block, int32_t j0, int32_t n, int32_t head) {
    const uint64_t row = j0 % t_.block_size;
    const uint64_t in_block = t_.kv_layout == kKvHnd ? uint64_t(head) * t_.block_size + row
                                                     : row * t_.num_kv_heads + head;
    const uint64_t first = (uint64_t(block) * t_.block_size * t_.num_kv_heads + in_block) * t_.head_dim;
    const uint64_t pitch = t_.kv_layout == kKvHnd ? uint64_t(t_.head_dim) : uint64_t(t_.num_kv_heads) * t_.head_dim;
    if (t_.cache_dtype == kF16) {
      IssueT(k_.f16, v_.f16, first, n, pitch);
    } else if (t_.cache_dtype == kBF16) {
      IssueT(k_.bf16, v_.bf16, first, n, pitch);
    } else {
      IssueT(k_.f32, v_.f32, first, n, pitch);
    }
  }
  // Waits for the oldest Issue and widens its K rows into kf and its V rows into vf (count
  // elements each), then a barrier: what follows may read both.
  template <typename T>
  __aicore__ inline void FinishT(const LocalTensor<float>& kf, const LocalTensor<float>& vf, uint32_t count) {
    LocalTensor<T> st = kv_que_.DeQue<T>();
    AscendC::Cast(kf, st, AscendC::RoundMode::CAST_NONE, count);
    AscendC::Cast(vf, st[t_.kv_tile * t_.d_pad], AscendC::RoundMode::CAST_NONE, count);
    kv_que_.FreeTensor(st);
  }
  __aicore__ inline void Finish(const LocalTensor<float>& kf, const LocalTensor<float>& vf, uint32_t count) {
    if (t_.cache_dtype == kF16) {
      FinishT<half>(kf, vf, count);
    } else if (t_.cache_dtype == kBF16) {
      FinishT<bfloat16_t>(kf, vf, count);
    } else {
      LocalTensor<float> st = kv_que_.DeQue<float>();
      AscendC::DataCopy(kf, st, count);
      AscendC::DataCopy(vf, st[t_.kv_tile * t_.d_pad], count);
      kv_que_.FreeTensor(st);
    }
    VectorBarrier();
  }
  // Slots of the tile at j0 (n slots) that row r of the item sees (causal), 0 .. n.
  __aicore__ inline int32_t Visible(int32_t r, int32_t j0, int32_t n) const {
    const int32_t v = first_pos_ + row_begin_ + r - j0 + 1;
    return v < 0 ? 0 : (v > n ? n : v);
  }

  __aicore__ inline void LoadQueries(int32_t seq_token0, int32_t rows, int32_t heads) {
    const int32_t d = t_.head_dim;
    const int32_t dp = t_.d_pad;
    const int32_t per_row = heads * g_;
    const int32_t q_size = t_.q_dtype == kF32 ? 4 : 2;
    const int32_t chunk = 2 * t_.stage_bytes / (dp * q_size);
    LocalTensor<float> qt = q_buf_.Get<float>();
    for (int32_t r = 0; r < rows; r++) {
      const int32_t token = seq_token0 + r;
      LocalTensor<float> qr = qt[r * per_row * dp];
      for (int32_t c0 = 0; c0 < per_row; c0 += chunk) {
        const int32_t cn = MinI(chunk, per_row - c0);
        LoadRows(kv_que_, qr[c0 * dp], q_, (uint64_t(token) * t_.num_heads + uint64_t(head0_) * g_ + c0) * d, cn, d, d,
                 dp);
      }
      if (rope_) {
        const int32_t pos = first_pos_ + row_begin_ + r;
        StartLoad(cs_que_, cs_, uint64_t(pos) * t_.rotary_dim, 1, t_.rotary_dim, t_.rotary_dim, t_.rot_pad);
        LocalTensor<float> cs = cs_que_.DeQue<float>();
        rotator_.SetPosition(cs);
        for (int32_t x = 0; x < per_row; x++) rotator_.Apply(qr[x * dp]);
        cs_que_.FreeTensor(cs);
      }
      if (t_.scale < 0.0f) {
        for (int32_t x = 0; x < per_row; x++) AscendC::Muls(qr[x * dp], qr[x * dp], -1.0f, d);
      }
    }
  }

  // Rotates the n key rows of kf to their slots' positions (cos/sin rows cs, stride rot_pad).
  __aicore__ inline void RotateKeys(const LocalTensor<float>& kf, const LocalTensor<float>& cs, int32_t n) {
    RotateKeyRows(kf, cs, n, t_.d_pad, t_.rot_pad, t_.half_rotate, t_.rotary_dim, t_.kv_tile,
                  scratch_buf_.Get<float>(), rotator_);
  }

  // Packs KV head hi's score slots (red: [row][g][slot], 32 bytes each) into the score matrix.
  __aicore__ inline void GatherScores(const LocalTensor<float>& s, const LocalTensor<float>& red,
                                      const LocalTensor<uint32_t>& off_s, int32_t rows, int32_t heads, int32_t hi) {
    const int32_t tp = t_.t_pad;
    for (int32_t r = 0; r < rows; r++) {
      AscendC::Gather(s[(r * heads + hi) * g_ * tp], red, off_s, static_cast<uint32_t>(r * g_ * tp * 32), g_ * tp);
    }
  }

  __aicore__ inline void RunItem(int32_t item) {
    Sync<HardEvent::S_V>();  // the scalar unit's reads of the last item come before new vector writes
    const ItemWords w = ReadItem(items_, item);
    const int32_t seq = w.seq;
    row_begin_ = w.row_begin;
    head0_ = w.head0;
    const int32_t heads = w.heads;
    const int32_t slot_begin = w.a;
    const int32_t slot_end = w.b;
    const int32_t ws_index = w.c;
    const int32_t q_begin = query_start_.GetValue(seq);
    const int32_t q_len = query_start_.GetValue(seq + 1) - q_begin;
    first_pos_ = seq_lens_.GetValue(seq) - q_len;
    const int32_t rows = w.row_end - w.row_begin;
    const int32_t nq = rows * heads * g_;
    const int32_t d = t_.head_dim;
    const int32_t dp = t_.d_pad;
    const int32_t tk = t_.kv_tile;
    const int32_t tp = t_.t_pad;
    const int32_t ps = t_.prod_slots;
    const float mag = t_.scale < 0.0f ? -t_.scale : t_.scale;
    LocalTensor<float> qt = q_buf_.Get<float>();
    LocalTensor<float> acc = acc_buf_.Get<float>();
    LocalTensor<float> kf = kf_buf_.Get<float>();
    LocalTensor<float> vf = vf_buf_.Get<float>();
    LocalTensor<float> prod = scratch_buf_.Get<float>();
    LocalTensor<float> red = red_buf_.Get<float>();
    LocalTensor<float> s = s_buf_.Get<float>();
    LocalTensor<float> mrep = mrep_buf_.Get<float>();
    LocalTensor<float> l = l_buf_.Get<float>();
    LocalTensor<float> corr = corr_buf_.Get<float>();
    LocalTensor<float> bmax = bmax_buf_.Get<float>();
    LocalTensor<float> bsum = bsum_buf_.Get<float>();
    LocalTensor<float> slots = slot_buf_.Get<float>();
    LocalTensor<float> max_slots = slots;
    LocalTensor<float> sum_slots = slots[t_.q_pad * 8];
    LocalTensor<float> work = work_buf_.Get<float>();
    LocalTensor<uint32_t> off_s = off_s_buf_.Get<uint32_t>();
    LocalTensor<uint32_t> off_b = off_b_buf_.Get<uint32_t>();
    LocalTensor<uint32_t> off_slot = off_slot_buf_.Get<uint32_t>();

    LoadQueries(q_begin + row_begin_, rows, heads);
    int32_t cur = 0;
    AscendC::Duplicate(acc, 0.0f, nq * dp);
    AscendC::Duplicate(l, 0.0f, nq);
    AscendC::Duplicate(m_buf_[cur].Get<float>(), -__builtin_huge_valf(), nq);
    VectorBarrier();

    int32_t j0 = slot_begin;
    int32_t n = TileLength(j0, slot_end);
    int32_t block = BlockOf(seq, j0);
    Issue(block, j0, n, head0_);
    bool first = true;
    while (j0 < slot_end) {
      const int32_t next = j0 + n;
      const int32_t next_n = next < slot_end ? TileLength(next, slot_end) : 0;
      const int32_t next_block = next_n > 0 ? BlockOf(seq, next) : 0;
      LocalTensor<float> cs;
      if (rope_) {
        // Keys are stored without rotation (NoPE): slot j is rotated to position j here, with the
        // tile's cos/sin rows copied once for all KV heads.
        StartLoad(cs_que_, cs_, uint64_t(j0) * t_.rotary_dim, n, t_.rotary_dim, t_.rotary_dim, t_.rot_pad);
        cs = cs_que_.DeQue<float>();
      }
      Sync<HardEvent::S_V>();  // the scalar unit read s and corr of the last tile
      for (int32_t hi = 0; hi < heads; hi++) {
        Finish(kf, vf[hi * tk * dp], n * dp);
        // The last KV head's scores, ordered after its ReduceSums by Finish's barrier.
        if (hi > 0) GatherScores(s, red, off_s, rows, heads, hi - 1);
        if (hi + 1 < heads) {
          Issue(block, j0, n, head0_ + hi + 1);  // overlaps with the compute below
        } else if (next_n > 0) {
          Issue(next_block, next, next_n, head0_);
        }
        if (rope_) RotateKeys(kf, cs, n);
        // Products of prod_slots slots at a time (the product tile's capacity), then their sums.
        for (int32_t c0 = 0; c0 < n; c0 += ps) {
          const int32_t cn = MinI(ps, n - c0);
          for (int32_t r = 0; r < rows; r++) {
            const int32_t vis = MinI(Visible(r, j0, n), c0 + cn);
            for (int32_t g = 0; g < g_; g++) {
              const int32_t qi = (r * heads + hi) * g_ + g;
              const int32_t pi = r * g_ + g;
              for (int32_t j = c0; j < vis; j++) {
                AscendC::Mul(prod[(pi * ps + j - c0) * dp], qt[qi * dp], kf[j * dp], d);
              }
            }
          }
          VectorBarrier();
          for (int32_t r = 0; r < rows; r++) {
            const int32_t vis = MinI(Visible(r, j0, n), c0 + cn);
            for (int32_t g = 0; g < g_; g++) {
              const int32_t pi = r * g_ + g;
              for (int32_t j = c0; j < vis; j++) {
                AscendC::ReduceSum(red[(pi * tp + j) * 8], prod[(pi * ps + j - c0) * dp], work, d);
              }
            }
          }
        }
      }
      if (rope_) cs_que_.FreeTensor(cs);
      VectorBarrier();
      GatherScores(s, red, off_s, rows, heads, heads - 1);
      VectorBarrier();
      // Online softmax of the tile for all queries over the scores [query][slot]; only a row's
      // visible slots are read (the rest of its row holds stale values, never used).
      for (int32_t qi = 0; qi < nq; qi++) {
        const int32_t vis = Visible(qi / (heads * g_), j0, n);
        if (vis > 0) {
          AscendC::ReduceMax(max_slots[qi * 8], s[qi * tp], work, vis);
        } else {
          AscendC::Duplicate(max_slots[qi * 8], -__builtin_huge_valf(), 8);
        }
      }
      VectorBarrier();
      AscendC::Gather(bmax, max_slots, off_slot, 0, nq);
      VectorBarrier();
      LocalTensor<float> m_old = m_buf_[cur].Get<float>();
      LocalTensor<float> m_new = m_buf_[1 - cur].Get<float>();
      AscendC::Max(m_new, m_old, bmax, nq);
      VectorBarrier();
      AscendC::Gather(mrep, m_new, off_b, 0, nq * tp);
      // On the first tile m_old is -inf and there is nothing to rescale (l and acc are 0); the
      // correction is not formed, so scale 0 never meets -inf * 0.
      if (!first) AscendC::Sub(corr, m_old, m_new, nq);
      VectorBarrier();
      AscendC::Sub(s, s, mrep, nq * tp);
      if (!first) AscendC::Muls(corr, corr, mag, nq);
      VectorBarrier();
      AscendC::Muls(s, s, mag, nq * tp);
      if (!first) AscendC::Exp(corr, corr, nq);
      VectorBarrier();
      AscendC::Exp(s, s, nq * tp);
      if (!first) AscendC::Mul(l, l, corr, nq);
      VectorBarrier();
      for (int32_t qi = 0; qi < nq; qi++) {
        const int32_t vis = Visible(qi / (heads * g_), j0, n);
        if (vis > 0) {
          AscendC::ReduceSum(sum_slots[qi * 8], s[qi * tp], work, vis);
        } else {
          AscendC::Duplicate(sum_slots[qi * 8], 0.0f, 8);
        }
      }
      VectorBarrier();
      AscendC::Gather(bsum, sum_slots, off_slot, 0, nq);
      VectorBarrier();
      AscendC::Add(l, l, bsum, nq);
      Sync<HardEvent::V_S>();  // probabilities and corrections to the scalar unit
      if (!first) {
        // A correction of exactly 1 (the running maximum did not move: most tiles of a long
        // sequence) leaves acc as it is, since x * 1 == x.
        bool scaled = false;
        for (int32_t qi = 0; qi < nq; qi++) {
          const float c = corr.GetValue(qi);
          if (c != 1.0f) {
            AscendC::Muls(acc[qi * dp], acc[qi * dp], c, d);
            scaled = true;
          }
        }
        if (scaled) VectorBarrier();
      }
      // acc += p_j v_j, one slot per round for every query of every KV head of the item.
      for (int32_t j = 0; j < n; j++) {
        bool any = false;
        for (int32_t r = 0; r < rows; r++) {
          if (j >= Visible(r, j0, n)) continue;
          any = true;
          for (int32_t hi = 0; hi < heads; hi++) {
            for (int32_t g = 0; g < g_; g++) {
              const int32_t qi = (r * heads + hi) * g_ + g;
              AscendC::Axpy(acc[qi * dp], vf[(hi * tk + j) * dp], s.GetValue(qi * tp + j), d);
            }
          }
        }
        if (any) VectorBarrier();
      }
      cur = 1 - cur;
      first = false;
      j0 = next;
      n = next_n;
      block = next_block;
    }

    const int32_t per_row = heads * g_;
    if (ws_index < 0) {
      Sync<HardEvent::V_S>();
      // Every row sees at least one slot, so l > 0.
      for (int32_t qi = 0; qi < nq; qi++) AscendC::Muls(acc[qi * dp], acc[qi * dp], 1.0f / l.GetValue(qi), d);
      for (int32_t r = 0; r < rows; r++) {
        const int32_t token = q_begin + row_begin_ + r;
        StoreChunks(out_que_, acc[r * per_row * dp], out_,
                    (uint64_t(token) * t_.num_heads + uint64_t(head0_) * g_) * d, per_row, d, d, dp, t_.out_rows);
      }
    } else {
      const uint64_t acc_first = uint64_t(ws_index) * t_.max_queries * dp;
      const uint64_t ml_first = uint64_t(t_.num_ws) * t_.max_queries * dp + uint64_t(ws_index) * 2 * t_.q_pad;
      StoreChunks(out_que_, acc, ws_, acc_first, nq, d, dp, dp, t_.out_rows);
      StoreRows(out_que_, m_buf_[cur].Get<float>(), ws_, ml_first, 1, nq, nq, t_.q_pad);
      StoreRows(out_que_, l, ws_, ml_first + t_.q_pad, 1, nq, nq, t_.q_pad);
    }
  }

  AttentionTiling t_;
  int32_t g_ = 1;
  bool rope_ = false;
  int32_t row_begin_ = 0, head0_ = 0, first_pos_ = 0;
  FloatGm q_, k_, v_, out_, cs_, ws_;
  GlobalTensor<int32_t> tables_, seq_lens_, query_start_, items_;
  InQue kv_que_, cs_que_;
  OutQue out_que_;
  CalcBuf kf_buf_, vf_buf_, q_buf_, acc_buf_, scratch_buf_, red_buf_, s_buf_, mrep_buf_;
  CalcBuf off_s_buf_, off_b_buf_, off_slot_buf_, m_buf_[2], l_buf_, corr_buf_, bmax_buf_, bsum_buf_, slot_buf_,
      work_buf_;
  Rotator rotator_;
};

// Combines the splits of each merge group: with M the largest of the splits' maxima and
// w_s = e^((m_s - M) |scale|), out = (sum_s w_s acc_s) / (sum_s w_s l_s).
class AttentionMerge {
 public:
  __aicore__ inline void Init(GM_ADDR groups, GM_ADDR query_start, GM_ADDR ws, GM_ADDR out, GM_ADDR tiling,
                              AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    g_ = t_.num_heads / t_.num_kv_heads;
    out_.Init(out, t_.out_dtype, uint64_t(t_.num_tokens) * t_.num_heads * t_.head_dim);
    ws_.Init(ws, kF32, PagedAttention::WorkspaceFloats(t_));
    query_start_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(query_start), t_.num_seqs + 1);
    groups_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(groups), uint64_t(t_.num_groups) * kAttnItemWords);
    const int32_t qp = t_.q_pad;
    const int32_t dp = t_.d_pad;
    const int32_t acc_bytes = qp * dp * 4;
    const int32_t ml_bytes = t_.max_splits * 2 * qp * 4;
    pipe->InitBuffer(in_que_, 2, MaxI(acc_bytes, ml_bytes));
    pipe->InitBuffer(out_que_, 2, t_.out_rows * dp * 4);
    pipe->InitBuffer(ml_buf_, ml_bytes);
    pipe->InitBuffer(accs_buf_, acc_bytes);
    pipe->InitBuffer(acc_buf_, acc_bytes);
    pipe->InitBuffer(w_buf_, t_.max_splits * qp * 4);
    pipe->InitBuffer(mx_buf_, qp * 4);
  }

  __aicore__ inline void Process() {
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < t_.num_groups;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      RunGroup(i);
    }
  }

 private:
  __aicore__ inline void RunGroup(int32_t group) {
    Sync<HardEvent::S_V>();  // the scalar unit's reads of the last group come before new vector writes
    const ItemWords w = ReadItem(groups_, group);
    const int32_t rows = w.row_end - w.row_begin;
    const int32_t per_row = w.heads * g_;
    const int32_t nq = rows * per_row;
    const int32_t ws0 = w.a;
    const int32_t splits = w.b;
    const int32_t qp = t_.q_pad;
    const int32_t d = t_.head_dim;
    const int32_t dp = t_.d_pad;
    const float mag = t_.scale < 0.0f ? -t_.scale : t_.scale;
    const uint64_t ml_base = uint64_t(t_.num_ws) * t_.max_queries * dp;
    LocalTensor<float> ml = ml_buf_.Get<float>();
    LocalTensor<float> accs = accs_buf_.Get<float>();
    LocalTensor<float> acc = acc_buf_.Get<float>();
    LocalTensor<float> wt = w_buf_.Get<float>();
    LocalTensor<float> mx = mx_buf_.Get<float>();

    // The splits' (m, l) rows are consecutive in the workspace: one copy.
    LoadRows(in_que_, ml, ws_, ml_base + uint64_t(ws0) * 2 * qp, 1, splits * 2 * qp, splits * 2 * qp,
             splits * 2 * qp);
    AscendC::Max(mx, ml, ml, nq);
    for (int32_t s = 1; s < splits; s++) {
      VectorBarrier();
      AscendC::Max(mx, mx, ml[s * 2 * qp], nq);
    }
    VectorBarrier();
    for (int32_t s = 0; s < splits; s++) AscendC::Sub(wt[s * qp], ml[s * 2 * qp], mx, nq);
    VectorBarrier();
    for (int32_t s = 0; s < splits; s++) AscendC::Muls(wt[s * qp], wt[s * qp], mag, nq);
    VectorBarrier();
    for (int32_t s = 0; s < splits; s++) AscendC::Exp(wt[s * qp], wt[s * qp], nq);
    AscendC::Duplicate(acc, 0.0f, nq * dp);
    Sync<HardEvent::V_S>();
    float total[kMaxMergeQueries];
    for (int32_t qi = 0; qi < nq; qi++) {
      float sum = 0.0f;
      for (int32_t s = 0; s < splits; s++) sum += wt.GetValue(s * qp + qi) * ml.GetValue(s * 2 * qp + qp + qi);
      total[qi] = sum;
    }
    for (int32_t s = 0; s < splits; s++) {
      const uint64_t first = uint64_t(ws0 + s) * t_.max_queries * dp;
      LoadRows(in_que_, accs, ws_, first, nq, d, dp, dp);  // ends with a barrier: the Axpy below may read
      for (int32_t qi = 0; qi < nq; qi++) AscendC::Axpy(acc[qi * dp], accs[qi * dp], wt.GetValue(s * qp + qi), d);
    }
    VectorBarrier();
    for (int32_t qi = 0; qi < nq; qi++) AscendC::Muls(acc[qi * dp], acc[qi * dp], 1.0f / total[qi], d);
    const int32_t q_begin = query_start_.GetValue(w.seq);
    for (int32_t r = 0; r < rows; r++) {
      const int32_t token = q_begin + w.row_begin + r;
      StoreChunks(out_que_, acc[r * per_row * dp], out_,
                  (uint64_t(token) * t_.num_heads + uint64_t(w.head0) * g_) * d, per_row, d, d, dp, t_.out_rows);
    }
  }

  AttentionTiling t_;
  int32_t g_ = 1;
  FloatGm out_, ws_;
  GlobalTensor<int32_t> groups_, query_start_;
  InQue in_que_;
  OutQue out_que_;
  CalcBuf ml_buf_, accs_buf_, acc_buf_, w_buf_, mx_buf_;
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_paged_attention_kernel(GM_ADDR q, GM_ADDR k_cache, GM_ADDR v_cache,
                                                                    GM_ADDR block_tables, GM_ADDR seq_lens,
                                                                    GM_ADDR query_start, GM_ADDR cos_sin,
                                                                    GM_ADDR items, GM_ADDR ws, GM_ADDR out,
                                                                    GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::PagedAttention op;
  op.Init(q, k_cache, v_cache, block_tables, seq_lens, query_start, cos_sin, items, ws, out, tiling, &pipe);
  op.Process();
}

extern "C" __global__ __aicore__ void npukit_paged_attention_merge_kernel(GM_ADDR groups, GM_ADDR query_start,
                                                                          GM_ADDR ws, GM_ADDR out, GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::AttentionMerge op;
  op.Init(groups, query_start, ws, out, tiling, &pipe);
  op.Process();
}
