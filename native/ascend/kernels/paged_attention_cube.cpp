// RoPE-fused paged attention of 16-bit caches as a mixed AIC+AIV kernel (Atlas A2: each group is
// one cube core and its two vector cores): the cube computes the products Q.K^T and P.V, the
// vector cores prepare the queries, rotate the keys and run the online softmax.
//
// Work item = (sequence, one query row, KV heads [head0, head0 + heads), KV slot range), tiled
// and split on the host (native/ascend/host/attention_launch.cpp) like the vector kernel's, so
// the merge kernel of paged_attention.cpp combines the splits. Items go round-robin over the
// groups. Query q of the item's KV head h is row h x G + q of the vector cores' matrices; the G
// queries of a KV head are the rows of the cube's products, padded to m_pad (a multiple of 16).
// The item's KV heads share a tile's cos/sin rows and its flags. Per item and tile of up to
// cube_tile slots, through the group's workspace in global memory (tiling.h, CubeWorkspace),
// each hand-over a cross-core flag (mode 2) for all the item's KV heads:
//   vectors: queries rotated and scaled by sign(scale), as two 16-bit parts hi + lo (hi = the
//            query rounded, lo = the rest rounded): flag kQ, once per item;
//   vectors: [RoPE] the tile's keys widened, rotated to their slots' positions and rounded to
//            the cache dtype (BF16: also the rest, as for the queries), half the slots each: kK;
//   cube:    S = Q_hi.K^T + Q_lo.K^T (+ Q_hi.K_lo^T) in F32 (L0C), Fixpipe to the workspace: kS;
//   vectors: online softmax of their rows of S (the rows split in two), P = e^((s - m)|scale|)
//            rounded to the cache dtype (BF16: also the rest), zero at slots a prefill row does
//            not see: kP;
//   cube:    O = P.V (BF16: P_hi.V + P_lo.V) in F32, Fixpipe to the workspace: kO;
//   vectors: acc = acc x e^((m_old - m_new)|scale|) + O.
// The split parts keep the products near the F32 kernel's error: a 16-bit part carries 8 (BF16)
// or 11 (F16) significant bits, two carry 16 or 22, and the cube multiplies 16-bit inputs exactly
// and accumulates in F32. Keys read from the cache are exact; an F16 rotated key's or
// probability's rounding (at most 2^-11 relative, random in sign) stays an order of magnitude
// below the 2e-3 bound of 16-bit cases, so only BF16 (2^-8) splits them; queries, F32 in most
// calls and written once per item, are always split.
// Each workspace is reused tile after tile: every overwrite comes after a flag that orders it
// after the other side's read (the cube's S after kK or kP of the last tile, its O after kP; the
// vectors' keys and P after kO of the last tile).
#include <stddef.h>

#include "cube_common.h"
#include "kernel_common.h"

namespace npukit {
namespace ascend {
namespace {

constexpr uint16_t kQ = 0, kK = 1, kS = 2, kP = 3, kO = 4;  // cross-core flag ids

struct CubeItem {
  int32_t seq, row_begin, head0, heads, slot_begin, slot_end, ws_index;
  int32_t token0, first_pos, nq;  // nq = heads x G query rows
};

__aicore__ inline CubeItem ReadCubeItem(const GlobalTensor<int32_t>& items, const GlobalTensor<int32_t>& seq_lens,
                                        const GlobalTensor<int32_t>& query_start, int32_t i, int32_t group) {
  const ItemWords words = ReadItem(items, i);
  CubeItem w;
  w.seq = words.seq;
  w.row_begin = words.row_begin;
  w.head0 = words.head0;
  w.heads = words.heads;
  w.slot_begin = words.a;
  w.slot_end = words.b;
  w.ws_index = words.c;
  const int32_t q_begin = query_start.GetValue(w.seq);
  const int32_t q_len = query_start.GetValue(w.seq + 1) - q_begin;
  w.token0 = q_begin + w.row_begin;
  w.first_pos = seq_lens.GetValue(w.seq) - q_len;
  w.nq = w.heads * group;
  return w;
}

// Where slot j of a sequence lies in a cache: element offset of its row of KV head `head`.
struct CacheRows {
  int32_t block_size, num_kv_heads, head_dim, layout;
  __aicore__ inline uint64_t First(int32_t block, int32_t j, int32_t head) const {
    const uint64_t row = j % block_size;
    const uint64_t in_block = layout == kKvHnd ? uint64_t(head) * block_size + row : row * num_kv_heads + head;
    return (uint64_t(block) * block_size * num_kv_heads + in_block) * head_dim;
  }
  __aicore__ inline uint64_t Pitch() const {
    return layout == kKvHnd ? uint64_t(head_dim) : uint64_t(num_kv_heads) * head_dim;
  }
};

// ---- the cube core ----

template <typename T>
class CubeSide {
 public:
  __aicore__ inline void Init(GM_ADDR k_cache, GM_ADDR v_cache, GM_ADDR block_tables, GM_ADDR seq_lens,
                              GM_ADDR query_start, GM_ADDR items, GM_ADDR cube_ws, GM_ADDR tiling,
                              AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    g_ = t_.num_heads / t_.num_kv_heads;
    rope_ = t_.rope_style != kRopeNone;
    rows_ = CacheRows{t_.block_size, t_.num_kv_heads, t_.head_dim, t_.kv_layout};
    const uint64_t cache_numel = uint64_t(t_.num_blocks) * t_.block_size * t_.num_kv_heads * t_.head_dim;
    k_.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(k_cache), cache_numel);
    v_.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(v_cache), cache_numel);
    tables_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(block_tables),
                            uint64_t(t_.num_seqs) * t_.max_blocks_per_seq);
    seq_lens_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(seq_lens), t_.num_seqs);
    query_start_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(query_start), t_.num_seqs + 1);
    items_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(items), uint64_t(t_.num_items) * kAttnItemWords);
    const int32_t mp = t_.m_pad, dp = t_.d_pad, tk = t_.cube_tile, nq = t_.max_queries, hs = t_.item_heads;
    ws_ = CubeWorkspace(nq, hs, dp, t_.head_dim, tk, t_.low_parts, rope_);
    __gm__ uint8_t* mine = cube_ws + uint64_t(AscendC::GetBlockIdx()) * t_.group_bytes;
    wq_.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(mine + ws_.q), 2 * uint64_t(nq) * dp);
    if (rope_) {
      wk_.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(mine + ws_.k), uint64_t(hs) * (1 + t_.low_parts) * tk * t_.head_dim);
    }
    ws_s_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(mine + ws_.s), uint64_t(nq) * tk);
    wp_.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(mine + ws_.p), 2 * uint64_t(nq) * tk);
    ws_o_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(mine + ws_.o), uint64_t(nq) * dp);
    const int32_t parts = rope_ ? 1 + t_.low_parts : 1;
    pipe->InitBuffer(q1_, 1, hs * 2 * mp * dp * 2);
    pipe->InitBuffer(k1_, 1, parts * tk * dp * 2);
    pipe->InitBuffer(p1_, 1, 2 * mp * tk * 2);
    pipe->InitBuffer(v1_, 1, tk * dp * 2);
    pipe->InitBuffer(a2_, 1, 2 * mp * MaxI(dp, tk) * 2);
    pipe->InitBuffer(b2_, 1, MaxI(parts, 1) * tk * dp * 2);
    pipe->InitBuffer(c_, 1, mp * MaxI(dp, tk) * 4);
  }

  __aicore__ inline void Process() {
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < t_.num_items;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      RunItem(i);
    }
  }

 private:
  // The cache blocks of slots [j0, j0 + n), read once per tile for all its KV heads.
  __aicore__ inline void ReadBlocks(int32_t seq, int32_t j0, int32_t n) {
    const int32_t first = j0 / t_.block_size;
    const int32_t last = (j0 + n - 1) / t_.block_size;
    for (int32_t b = first; b <= last; b++) blocks_[b - first] = tables_.GetValue(uint64_t(seq) * t_.max_blocks_per_seq + b);
  }
  // The cache rows of slots [j0, j0 + n) of KV head `head` into an NZ matrix of n16 rows, one
  // copy per cache block the tile touches (ReadBlocks gave them).
  __aicore__ inline void CacheToL1(const LocalTensor<T>& dst, const GlobalTensor<T>& cache, int32_t j0, int32_t n,
                                   int32_t n16, int32_t head) {
    const int32_t first = j0 / t_.block_size;
    for (int32_t j = j0; j < j0 + n;) {
      const int32_t cnt = MinI(t_.block_size - j % t_.block_size, j0 + n - j);
      // Slot j is row j - j0 of the NZ matrix: C0 = 32 / sizeof(T) elements a row.
      const LocalTensor<T> row = dst[(j - j0) * (32 / int32_t(sizeof(T)))];
      CopyRowsNz(row, cache[rows_.First(blocks_[j / t_.block_size - first], j, head)], cnt, t_.head_dim,
                 rows_.Pitch(), n16);
      j += cnt;
    }
  }

  __aicore__ inline void RunItem(int32_t index) {
    const CubeItem w = ReadCubeItem(items_, seq_lens_, query_start_, index, g_);
    const int32_t mp = t_.m_pad, dp = t_.d_pad, d = t_.head_dim, tk = t_.cube_tile, nq = t_.max_queries;
    const int32_t kb_d = dp / 16;
    const int32_t parts = rope_ ? 1 + t_.low_parts : 1;  // the rotated keys' parts
    AscendC::CrossCoreWaitFlag(kQ);  // the vector cores wrote the queries
    // Every KV head's queries, hi then lo, as [m_pad x d_pad] NZ matrices, for the whole item.
    LocalTensor<T> q1 = q1_.AllocTensor<T>();
    for (int32_t h = 0; h < w.heads; h++) {
      CopyRowsNz(q1[2 * h * mp * dp], wq_[uint64_t(h) * g_ * dp], g_, d, dp, mp);
      CopyRowsNz(q1[(2 * h + 1) * mp * dp], wq_[(uint64_t(nq) + h * g_) * dp], g_, d, dp, mp);
    }
    q1_.EnQue(q1);
    q1 = q1_.DeQue<T>();
    for (int32_t j0 = w.slot_begin; j0 < w.slot_end; j0 += tk) {
      const int32_t n = MinI(tk, w.slot_end - j0);
      const int32_t n16 = AlignUp(n, 16);
      const int32_t kb_n = n16 / 16;
      ReadBlocks(w.seq, j0, n);
      // S = Q.K^T per KV head.
      if (rope_) AscendC::CrossCoreWaitFlag(kK);  // the vector cores wrote the rotated keys
      for (int32_t h = 0; h < w.heads; h++) {
        LocalTensor<T> k1 = k1_.AllocTensor<T>();
        if (rope_) {
          for (int32_t p = 0; p < parts; p++) {
            CopyRowsNz(k1[p * tk * dp], wk_[(uint64_t(h) * parts + p) * tk * d], n, d, d, n16);
          }
        } else {
          CacheToL1(k1, k_, j0, n, n16, w.head0 + h);
        }
        k1_.EnQue(k1);
        k1 = k1_.DeQue<T>();
        LocalTensor<T> a2 = a2_.AllocTensor<T>();
        LocalTensor<T> b2 = b2_.AllocTensor<T>();
        LoadAZz(a2, q1[2 * h * mp * dp], mp / 16, kb_d);
        LoadAZz(a2[mp * dp], q1[(2 * h + 1) * mp * dp], mp / 16, kb_d);
        for (int32_t p = 0; p < parts; p++) LoadBZn(b2[p * tk * dp], k1[p * tk * dp], kb_d * kb_n);
        k1_.FreeTensor(k1);
        a2_.EnQue(a2);
        b2_.EnQue(b2);
        a2 = a2_.DeQue<T>();
        b2 = b2_.DeQue<T>();
        LocalTensor<float> c = c_.AllocTensor<float>();
        AscendC::Mmad(c, a2, b2, AscendC::MmadParams(g_, n, d, 0, false, true));
        AscendC::Mmad(c, a2[mp * dp], b2, AscendC::MmadParams(g_, n, d, 0, false, false));
        if (parts > 1) AscendC::Mmad(c, a2, b2[tk * dp], AscendC::MmadParams(g_, n, d, 0, false, false));
        a2_.FreeTensor(a2);
        b2_.FreeTensor(b2);
        c_.EnQue(c);
        c = c_.DeQue<float>();
        // The vector cores read the last tile's S before their kK (with RoPE) or kP.
        AscendC::Fixpipe<float, float, AscendC::CFG_ROW_MAJOR>(
            ws_s_[uint64_t(h) * g_ * tk], c, AscendC::FixpipeParamsV220(n, g_, mp, tk, false));
        c_.FreeTensor(c);
      }
      AscendC::CrossCoreSetFlag<2, AscendC::PIPE_FIX>(kS);
      // O = P.V per KV head.
      AscendC::CrossCoreWaitFlag(kP);  // the vector cores wrote P
      for (int32_t h = 0; h < w.heads; h++) {
        LocalTensor<T> v1 = v1_.AllocTensor<T>();
        if (n != n16) {
          // Rows n .. n16 of V meet P's zero padding: zeros, not stale L1, so no NaN can enter.
          AscendC::InitConstValue(v1, AscendC::InitConstValueParams<T>(1, static_cast<uint16_t>(n16 * dp * 2 / 32), 0,
                                                                       T{}));
        }
        CacheToL1(v1, v_, j0, n, n16, w.head0 + h);
        LocalTensor<T> p1 = p1_.AllocTensor<T>();
        CopyRowsNz(p1, wp_[uint64_t(h) * g_ * tk], g_, n, tk, mp);
        if (t_.low_parts) CopyRowsNz(p1[mp * n16], wp_[(uint64_t(nq) + h * g_) * tk], g_, n, tk, mp);
        v1_.EnQue(v1);
        p1_.EnQue(p1);
        v1 = v1_.DeQue<T>();
        p1 = p1_.DeQue<T>();
        LocalTensor<T> a2 = a2_.AllocTensor<T>();
        LocalTensor<T> b2 = b2_.AllocTensor<T>();
        LoadAZz(a2, p1, mp / 16, kb_n);
        if (t_.low_parts) LoadAZz(a2[mp * n16], p1[mp * n16], mp / 16, kb_n);
        // V [n, d] in NZ (n16-row column blocks) into ZN for Mmad's k x n operand: transposed fractals.
        for (int32_t q = 0; q < kb_n; q++) {
          AscendC::LoadData(b2[q * kb_d * 256], v1, AscendC::LoadData2DParams(q, kb_d, kb_n, 0, 0, true, 0));
        }
        v1_.FreeTensor(v1);
        p1_.FreeTensor(p1);
        a2_.EnQue(a2);
        b2_.EnQue(b2);
        a2 = a2_.DeQue<T>();
        b2 = b2_.DeQue<T>();
        LocalTensor<float> c = c_.AllocTensor<float>();
        AscendC::Mmad(c, a2, b2, AscendC::MmadParams(g_, d, n, 0, false, true));
        if (t_.low_parts) AscendC::Mmad(c, a2[mp * n16], b2, AscendC::MmadParams(g_, d, n, 0, false, false));
        a2_.FreeTensor(a2);
        b2_.FreeTensor(b2);
        c_.EnQue(c);
        c = c_.DeQue<float>();
        AscendC::Fixpipe<float, float, AscendC::CFG_ROW_MAJOR>(ws_o_[uint64_t(h) * g_ * dp], c,
                                                               AscendC::FixpipeParamsV220(d, g_, mp, dp, false));
        c_.FreeTensor(c);
      }
      AscendC::CrossCoreSetFlag<2, AscendC::PIPE_FIX>(kO);
    }
    q1_.FreeTensor(q1);
  }

  static constexpr int32_t kMaxTileBlocks = 257;  // a tile of up to 256 slots meets at most 257 blocks
  AttentionTiling t_;
  int32_t g_ = 1;
  bool rope_ = false;
  CacheRows rows_;
  AttentionCubeWs ws_;
  int32_t blocks_[kMaxTileBlocks];
  GlobalTensor<T> k_, v_, wq_, wk_, wp_;
  GlobalTensor<float> ws_s_, ws_o_;
  GlobalTensor<int32_t> tables_, seq_lens_, query_start_, items_;
  AscendC::TQue<TPosition::A1, 1> q1_, p1_;
  AscendC::TQue<TPosition::B1, 1> k1_, v1_;
  AscendC::TQue<TPosition::A2, 1> a2_;
  AscendC::TQue<TPosition::B2, 1> b2_;
  AscendC::TQue<TPosition::CO1, 1> c_;
};

// ---- the vector cores ----

class VectorSide {
 public:
  __aicore__ inline void Init(GM_ADDR q, GM_ADDR k_cache, GM_ADDR block_tables, GM_ADDR seq_lens, GM_ADDR query_start,
                              GM_ADDR cos_sin, GM_ADDR items, GM_ADDR ws, GM_ADDR cube_ws, GM_ADDR out, GM_ADDR tiling,
                              AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    g_ = t_.num_heads / t_.num_kv_heads;
    rope_ = t_.rope_style != kRopeNone;
    sub_ = static_cast<int32_t>(AscendC::GetSubBlockIdx());
    group_ = static_cast<int32_t>(AscendC::GetBlockIdx() / AscendC::GetTaskRation());
    groups_ = static_cast<int32_t>(AscendC::GetBlockNum());
    rows_ = CacheRows{t_.block_size, t_.num_kv_heads, t_.head_dim, t_.kv_layout};
    const uint64_t q_numel = uint64_t(t_.num_tokens) * t_.num_heads * t_.head_dim;
    const uint64_t cache_numel = uint64_t(t_.num_blocks) * t_.block_size * t_.num_kv_heads * t_.head_dim;
    q_.Init(q, t_.q_dtype, q_numel);
    out_.Init(out, t_.out_dtype, q_numel);
    k_.Init(k_cache, t_.cache_dtype, cache_numel);
    tables_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(block_tables),
                            uint64_t(t_.num_seqs) * t_.max_blocks_per_seq);
    seq_lens_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(seq_lens), t_.num_seqs);
    query_start_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(query_start), t_.num_seqs + 1);
    items_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(items), uint64_t(t_.num_items) * kAttnItemWords);
    const uint64_t per = uint64_t(t_.max_queries) * t_.d_pad + 2 * uint64_t(t_.q_pad);
    ws_.Init(ws, kF32, t_.num_ws > 0 ? uint64_t(t_.num_ws) * per : 8);
    if (rope_) cs_.Init(cos_sin, kF32, uint64_t(t_.cos_sin_rows) * t_.rotary_dim);
    const int32_t dp = t_.d_pad, tk = t_.cube_tile, nq = t_.max_queries, hs = t_.item_heads;
    cws_ = CubeWorkspace(nq, hs, dp, t_.head_dim, tk, t_.low_parts, rope_);
    __gm__ uint8_t* mine = cube_ws + uint64_t(group_) * t_.group_bytes;
    wq_.Init(mine + cws_.q, t_.cache_dtype, 2 * uint64_t(nq) * dp);
    if (rope_) wk_.Init(mine + cws_.k, t_.cache_dtype, uint64_t(hs) * (1 + t_.low_parts) * tk * t_.head_dim);
    ws_s_.Init(mine + cws_.s, kF32, uint64_t(nq) * tk);
    wp_.Init(mine + cws_.p, t_.cache_dtype, 2 * uint64_t(nq) * tk);
    ws_o_.Init(mine + cws_.o, kF32, uint64_t(nq) * dp);

    half_m_ = (t_.max_queries + 1) / 2;
    tp_ = AlignUp(tk, 8);
    const int32_t r = half_m_;
    const int32_t kc = t_.key_chunk;
    const int32_t stage = MaxI(MaxI(r * dp * 4, r * tp_ * 4),
                               MaxI(rope_ ? MaxI(kc * dp * 4, kc * t_.rot_pad * 4) : 0, t_.out_rows * dp * 4));
    pipe->InitBuffer(in_que_, 2, stage);
    pipe->InitBuffer(out_que_, 2, stage);
    pipe->InitBuffer(qf_buf_, r * dp * 4);
    pipe->InitBuffer(acc_buf_, r * dp * 4);
    pipe->InitBuffer(o_buf_, r * dp * 4);
    pipe->InitBuffer(s_buf_, r * tp_ * 4);
    pipe->InitBuffer(lo_buf_, r * MaxI(dp, tp_) * 4);
    pipe->InitBuffer(hi_buf_, r * MaxI(dp, tp_) * 2);
    if (rope_) {
      pipe->InitBuffer(kf_buf_, kc * dp * 4);
      pipe->InitBuffer(klo_buf_, kc * dp * 4);
      pipe->InitBuffer(khi_buf_, kc * dp * 2);
      pipe->InitBuffer(rot_buf_, t_.half_rotate ? 4 * kc * AlignUp(t_.rotary_dim / 2, 8) * 4 : 32);
      rotator_.Init(pipe, t_.rope_style, t_.rotary_dim, t_.rot_pad);
    }
    pipe->InitBuffer(slot_buf_, 2 * r * 32);
    pipe->InitBuffer(work_buf_, (tp_ / 8 + 16) * 4);
    pipe->InitBuffer(exp_buf_, 32);
    pipe->InitBuffer(ml_buf_, 2 * AlignUp(r, 8) * 4);
  }

  __aicore__ inline void Process() {
    for (int32_t i = group_; i < t_.num_items; i += groups_) RunItem(i);
  }

 private:
  // Rounds the F32 rows x [rows][stride] to the cache dtype (hi) and writes hi and, if `split`,
  // lo = round(x - hi) to global memory rows `pitch` apart (hi at first_hi, lo at first_lo).
  __aicore__ inline void StoreParts(const LocalTensor<float>& x, const LocalTensor<float>& lo, CalcBuf& hi_buf,
                                    const FloatGm& g, uint64_t first_hi, uint64_t first_lo, int32_t rows, int32_t len,
                                    uint64_t pitch, int32_t stride, bool split) {
    StoreRows(out_que_, x, g, first_hi, rows, len, pitch, stride);
    if (!split) return;
    const uint32_t count = rows * stride;
    if (g.dtype == kF16) {
      LocalTensor<half> h = hi_buf.Get<half>();
      AscendC::Cast(h, x, AscendC::RoundMode::CAST_RINT, count);
      VectorBarrier();
      AscendC::Cast(lo, h, AscendC::RoundMode::CAST_NONE, count);
    } else {
      LocalTensor<bfloat16_t> h = hi_buf.Get<bfloat16_t>();
      AscendC::Cast(h, x, AscendC::RoundMode::CAST_RINT, count);
      VectorBarrier();
      AscendC::Cast(lo, h, AscendC::RoundMode::CAST_NONE, count);
    }
    VectorBarrier();
    AscendC::Sub(lo, x, lo, count);
    StoreRows(out_que_, lo, g, first_lo, rows, len, pitch, stride);
  }

  // This core's queries of the item, rotated to their rows' positions, negated for a negative
  // scale (so that the scores are raw dots and |scale| multiplies only their distance to the
  // running maximum), to the workspace as two 16-bit parts.
  __aicore__ inline void WriteQueries(const CubeItem& w, int32_t r0, int32_t nr) {
    const int32_t d = t_.head_dim, dp = t_.d_pad;
    LocalTensor<float> qf = qf_buf_.Get<float>();
    if (nr == 0) return;
    // The item's queries are consecutive heads of its token: this core's run in one copy, rotated
    // to the token's position (one cos/sin row).
    LoadRows(in_que_, qf, q_, (uint64_t(w.token0) * t_.num_heads + uint64_t(w.head0) * g_ + r0) * d, nr, d, d, dp);
    if (rope_) {
      StartLoad(in_que_, cs_, uint64_t(w.first_pos + w.row_begin) * t_.rotary_dim, 1, t_.rotary_dim, t_.rotary_dim,
                t_.rot_pad);
      LocalTensor<float> cs = in_que_.DeQue<float>();
      rotator_.SetPosition(cs);
      for (int32_t i = 0; i < nr; i++) rotator_.Apply(qf[i * dp]);
      in_que_.FreeTensor(cs);
    }
    if (t_.scale < 0.0f) {
      AscendC::Muls(qf, qf, -1.0f, nr * dp);
      VectorBarrier();
    }
    StoreParts(qf, lo_buf_.Get<float>(), hi_buf_, wq_, uint64_t(r0) * dp, uint64_t(t_.max_queries + r0) * dp, nr, d, dp,
               dp, true);
  }

  // This core's share of the tile's keys (slots [j0 + a, j0 + b)), rotated, to the workspace.
  __aicore__ inline void WriteKeys(const CubeItem& w, int32_t j0, int32_t a, int32_t b) {
    const int32_t d = t_.head_dim, dp = t_.d_pad, rp = t_.rot_pad, tk = t_.cube_tile;
    const int32_t parts = 1 + t_.low_parts;
    LocalTensor<float> kf = kf_buf_.Get<float>();
    for (int32_t j = j0 + a; j < j0 + b;) {
      const int32_t cnt = MinI(MinI(t_.key_chunk, t_.block_size - j % t_.block_size), j0 + b - j);
      const int32_t block = tables_.GetValue(uint64_t(w.seq) * t_.max_blocks_per_seq + j / t_.block_size);
      // The chunk's cos/sin rows, once for every KV head of the item.
      StartLoad(in_que_, cs_, uint64_t(j) * t_.rotary_dim, cnt, t_.rotary_dim, t_.rotary_dim, rp);
      LocalTensor<float> cs = in_que_.DeQue<float>();
      for (int32_t h = 0; h < w.heads; h++) {
        LoadRows(in_que_, kf, k_, rows_.First(block, j, w.head0 + h), cnt, d, rows_.Pitch(), dp);
        Rotate(kf, cs, cnt);
        const uint64_t first = (uint64_t(h) * parts * tk + (j - j0)) * d;
        StoreParts(kf, klo_buf_.Get<float>(), khi_buf_, wk_, first, first + uint64_t(tk) * d, cnt, d, d, dp,
                   t_.low_parts != 0);
      }
      in_que_.FreeTensor(cs);
      j += cnt;
    }
  }

  // Rotates n key rows of kf (stride d_pad) to their slots' positions (cos/sin rows cs).
  __aicore__ inline void Rotate(const LocalTensor<float>& kf, const LocalTensor<float>& cs, int32_t n) {
    RotateKeyRows(kf, cs, n, t_.d_pad, t_.rot_pad, t_.half_rotate, t_.rotary_dim, t_.key_chunk, rot_buf_.Get<float>(),
                  rotator_);
  }

  // Slots of the tile at j0 (n slots) that row `row` of the item sees (causal), 0 .. n.
  __aicore__ static inline int32_t Visible(const CubeItem& w, int32_t row, int32_t j0, int32_t n) {
    const int32_t v = w.first_pos + w.row_begin + row - j0 + 1;
    return v < 0 ? 0 : (v > n ? n : v);
  }

  __aicore__ inline void RunItem(int32_t index) {
    Sync<HardEvent::S_V>();  // the scalar unit's reads of the last item come before new vector writes
    const CubeItem w = ReadCubeItem(items_, seq_lens_, query_start_, index, g_);
    const int32_t d = t_.head_dim, dp = t_.d_pad, nq_max = t_.max_queries, tk = t_.cube_tile;
    const float mag = t_.scale < 0.0f ? -t_.scale : t_.scale;
    const float neg_inf = -__builtin_huge_valf();
    // This core's query rows of the item: the first or the second half.
    const int32_t half = (w.nq + 1) / 2;
    const int32_t r0 = sub_ == 0 ? 0 : half;
    const int32_t nr = sub_ == 0 ? half : w.nq - half;
    WriteQueries(w, r0, nr);
    AscendC::CrossCoreSetFlag<2, AscendC::PIPE_MTE3>(kQ);
    LocalTensor<float> acc = acc_buf_.Get<float>();
    LocalTensor<float> s = s_buf_.Get<float>();
    LocalTensor<float> o = o_buf_.Get<float>();
    LocalTensor<float> slots = slot_buf_.Get<float>();
    LocalTensor<float> work = work_buf_.Get<float>();
    LocalTensor<float> tmp8 = exp_buf_.Get<float>();
    float m[kMaxCubeRows], l[kMaxCubeRows], corr[kMaxCubeRows];
    for (int32_t i = 0; i < nr; i++) {
      m[i] = neg_inf;
      l[i] = 0.0f;
    }
    if (nr > 0) AscendC::Duplicate(acc, 0.0f, nr * dp);
    bool first = true;
    for (int32_t j0 = w.slot_begin; j0 < w.slot_end; j0 += tk) {
      const int32_t n = MinI(tk, w.slot_end - j0);
      if (rope_) {
        // The keys of the last tile were read by the cube before its kO, waited for below.
        const int32_t hn = (n + 1) / 2;
        WriteKeys(w, j0, sub_ == 0 ? 0 : hn, sub_ == 0 ? hn : n);
        AscendC::CrossCoreSetFlag<2, AscendC::PIPE_MTE3>(kK);
      }
      AscendC::CrossCoreWaitFlag(kS);
      if (nr > 0) {
        LoadRows(in_que_, s, ws_s_, uint64_t(r0) * tk, nr, n, tk, tp_);
        // Slots a prefill row does not see: -inf before the maximum (few: the diagonal tile).
        const int32_t vis = Visible(w, 0, j0, n);
        const bool masked = vis < n;
        if (masked) {
          Sync<HardEvent::V_S>();
          for (int32_t i = 0; i < nr; i++) {
            for (int32_t j = vis; j < n; j++) s.SetValue(i * tp_ + j, neg_inf);
          }
          Sync<HardEvent::S_V>();
        }
        for (int32_t i = 0; i < nr; i++) AscendC::ReduceMax(slots[i * 8], s[i * tp_], work, n);
        Sync<HardEvent::V_S>();
        for (int32_t i = 0; i < nr; i++) {
          const float tile_max = slots.GetValue(i * 8);
          const float m_new = tile_max > m[i] ? tile_max : m[i];
          // Every row sees a slot of the item's first tile, so m_new is finite from there on.
          corr[i] = first ? 1.0f : ScalarExp(tmp8, (m[i] - m_new) * mag);
          m[i] = m_new;
        }
        Sync<HardEvent::S_V>();
        for (int32_t i = 0; i < nr; i++) AscendC::Adds(s[i * tp_], s[i * tp_], -m[i], n);
        VectorBarrier();
        AscendC::Muls(s, s, mag, nr * tp_);
        VectorBarrier();
        AscendC::Exp(s, s, nr * tp_);
        if (masked) {
          // -inf x 0 (scale 0) is NaN: the unseen slots become 0 after the exponential.
          Sync<HardEvent::V_S>();
          for (int32_t i = 0; i < nr; i++) {
            for (int32_t j = vis; j < n; j++) s.SetValue(i * tp_ + j, 0.0f);
          }
          Sync<HardEvent::S_V>();
        }
        VectorBarrier();
        for (int32_t i = 0; i < nr; i++) AscendC::ReduceSum(slots[(nr + i) * 8], s[i * tp_], work, n);
        StoreParts(s, lo_buf_.Get<float>(), hi_buf_, wp_, uint64_t(r0) * tk, uint64_t(nq_max + r0) * tk, nr, n, tk, tp_,
                   t_.low_parts != 0);
        Sync<HardEvent::V_S>();
        for (int32_t i = 0; i < nr; i++) l[i] = l[i] * corr[i] + slots.GetValue((nr + i) * 8);
      }
      AscendC::CrossCoreSetFlag<2, AscendC::PIPE_MTE3>(kP);
      AscendC::CrossCoreWaitFlag(kO);
      if (nr > 0) {
        LoadRows(in_que_, o, ws_o_, uint64_t(r0) * dp, nr, d, dp, dp);
        if (!first) {
          // A correction of exactly 1 (the running maximum did not move) leaves acc as it is.
          bool scaled = false;
          for (int32_t i = 0; i < nr; i++) {
            if (corr[i] != 1.0f) {
              AscendC::Muls(acc[i * dp], acc[i * dp], corr[i], d);
              scaled = true;
            }
          }
          if (scaled) VectorBarrier();
        }
        AscendC::Add(acc, acc, o, nr * dp);
      }
      first = false;
    }
    if (nr == 0) return;
    VectorBarrier();
    if (w.ws_index < 0) {
      // Every row sees at least one slot, so l > 0.
      for (int32_t i = 0; i < nr; i++) AscendC::Muls(acc[i * dp], acc[i * dp], 1.0f / l[i], d);
      // This core's queries are consecutive heads of the token.
      const uint64_t first_out = (uint64_t(w.token0) * t_.num_heads + uint64_t(w.head0) * g_ + r0) * d;
      for (int32_t i = 0; i < nr; i += t_.out_rows) {
        StoreRows(out_que_, acc[i * dp], out_, first_out + uint64_t(i) * d, MinI(t_.out_rows, nr - i), d, d, dp);
      }
    } else {
      // The split's unnormalised accumulators and (m, l), in the merge kernel's layout.
      const uint64_t acc_first = uint64_t(w.ws_index) * t_.max_queries * dp + uint64_t(r0) * dp;
      const uint64_t ml_first = uint64_t(t_.num_ws) * t_.max_queries * dp + uint64_t(w.ws_index) * 2 * t_.q_pad;
      StoreRows(out_que_, acc, ws_, acc_first, nr, d, dp, dp);
      // m and l of this core's rows, staged through the UB.
      const int32_t r8 = AlignUp(half_m_, 8);
      LocalTensor<float> ml = ml_buf_.Get<float>();
      Sync<HardEvent::V_S>();
      for (int32_t i = 0; i < nr; i++) {
        ml.SetValue(i, m[i]);
        ml.SetValue(r8 + i, l[i]);
      }
      Sync<HardEvent::S_V>();
      StoreRows(out_que_, ml, ws_, ml_first + r0, 1, nr, nr, r8);
      StoreRows(out_que_, ml[r8], ws_, ml_first + t_.q_pad + r0, 1, nr, nr, r8);
    }
  }

  static constexpr int32_t kMaxCubeRows = 32;  // the host keeps half of m within this

  AttentionTiling t_;
  int32_t g_ = 1, sub_ = 0, group_ = 0, groups_ = 1, half_m_ = 1, tp_ = 8;
  bool rope_ = false;
  CacheRows rows_;
  AttentionCubeWs cws_;
  FloatGm q_, k_, out_, cs_, ws_, wq_, wk_, ws_s_, wp_, ws_o_;
  GlobalTensor<int32_t> tables_, seq_lens_, query_start_, items_;
  InQue in_que_;
  OutQue out_que_;
  CalcBuf qf_buf_, acc_buf_, o_buf_, s_buf_, lo_buf_, hi_buf_, kf_buf_, klo_buf_, khi_buf_, rot_buf_, slot_buf_,
      work_buf_, exp_buf_, ml_buf_;
  Rotator rotator_;
};

template <typename T>
__aicore__ inline void RunCube(GM_ADDR k_cache, GM_ADDR v_cache, GM_ADDR block_tables, GM_ADDR seq_lens,
                               GM_ADDR query_start, GM_ADDR items, GM_ADDR cube_ws, GM_ADDR tiling) {
  AscendC::TPipe pipe;
  CubeSide<T> op;
  op.Init(k_cache, v_cache, block_tables, seq_lens, query_start, items, cube_ws, tiling, &pipe);
  op.Process();
}

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_paged_attention_cube_kernel(
    GM_ADDR q, GM_ADDR k_cache, GM_ADDR v_cache, GM_ADDR block_tables, GM_ADDR seq_lens, GM_ADDR query_start,
    GM_ADDR cos_sin, GM_ADDR items, GM_ADDR ws, GM_ADDR cube_ws, GM_ADDR out, GM_ADDR tiling) {
  KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2);
  if ASCEND_IS_AIC {
    // The cache dtype decides the cube's operand type: one tiling word, read first.
    AscendC::GlobalTensor<int32_t> tw;
    tw.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(tiling),
                       sizeof(npukit::ascend::AttentionTiling) / 4);
    const int32_t cache_dtype = tw.GetValue(offsetof(npukit::ascend::AttentionTiling, cache_dtype) / 4);
    if (cache_dtype == npukit::ascend::kBF16) {
      npukit::ascend::RunCube<bfloat16_t>(k_cache, v_cache, block_tables, seq_lens, query_start, items, cube_ws,
                                           tiling);
    } else {
      npukit::ascend::RunCube<half>(k_cache, v_cache, block_tables, seq_lens, query_start, items, cube_ws, tiling);
    }
  }
  if ASCEND_IS_AIV {
    AscendC::TPipe pipe;
    npukit::ascend::VectorSide op;
    op.Init(q, k_cache, block_tables, seq_lens, query_start, cos_sin, items, ws, cube_ws, out, tiling, &pipe);
    op.Process();
  }
}
