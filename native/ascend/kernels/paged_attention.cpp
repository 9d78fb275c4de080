// RoPE-fused paged attention (docs/kernels.md, paged attention) as an AscendC vector kernel.
//
// Tiling (computed on the host, native/ascend/host/attention_launch.cpp):
//   - Work item = (sequence, KV head, up to max_rows query rows). An item holds the G =
//     num_heads / num_kv_heads query heads of its KV head for each of its rows, so every key row
//     is loaded, converted and rotated once per KV head and shared by G * rows queries (the
//     the contract's "rotate each key row once per KV head", docs/kernels.md). Items are dealt round-robin to the AI
//     cores by GetBlockIdx(): item i runs on core i % GetBlockNum().
//   - The item's KV range [0, last query position] is walked in tiles of kv_tile slots that
//     never cross a cache block, so one tile is one DataCopyPad per K and V: strided in the NHD
//     layout (rows of one KV head are num_kv_heads * head_dim elements apart), contiguous in HND
//     (a block's head is block_size * head_dim elements in a row).
//   - K and V tiles go through queues of 2 buffers: the copy of tile t+1 is issued before tile t
//     is computed (double buffering), so MTE2 streams the cache while the vector unit works.
//   - kv_tile and max_rows are the largest that fit the 192 KB unified buffer next to the query
//     tile, the F32 accumulators and the rotation tables (AttentionUbBytes in tiling.h).
// Math per query: scores = q . k over the tile's visible slots (Mul + ReduceSum, each slot's sum
// in its own 32-byte slot), an online softmax in F32 (running max m, sum l, rescaling the
// accumulator by e^((m_old - m_new) |scale|)), and acc += p_j * v_j (Axpy). Scores are raw dots
// (queries negated once for a negative scale) and |scale| multiplies only their distance to the
// running max, so a huge finite scale never makes inf - inf (docs/kernels.md, paged attention).
// Synchronisation per query and tile: a vector barrier between each slot's Mul and ReduceSum and
// between successive Axpy into the accumulator; a handful of vector <-> scalar events for the
// softmax's scalars. Nothing per slot waits for another pipe.
#include "kernel_common.h"

namespace npukit {
namespace ascend {
namespace {

constexpr int32_t kMaxQueries = 64;  // per item; the host keeps max_rows * G within this

class PagedAttention {
 public:
  __aicore__ inline void Init(GM_ADDR q, GM_ADDR k_cache, GM_ADDR v_cache, GM_ADDR block_tables, GM_ADDR seq_lens,
                              GM_ADDR query_start, GM_ADDR cos_sin, GM_ADDR items, GM_ADDR out, GM_ADDR tiling,
                              AscendC::TPipe* pipe) {
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
    items_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(items), uint64_t(t_.num_items) * 4);
    rope_ = t_.rope_style != kRopeNone;
    if (rope_) cs_.Init(cos_sin, kF32, uint64_t(t_.cos_sin_rows) * t_.rotary_dim);

    g_ = t_.num_heads / t_.num_kv_heads;
    const int32_t dp = t_.d_pad;
    const int32_t max_q = t_.max_rows * g_;
    pipe->InitBuffer(k_que_, 2, t_.kv_tile * dp * 4);
    pipe->InitBuffer(v_que_, 2, t_.kv_tile * dp * 4);
    pipe->InitBuffer(stage_que_, 2, MaxI(g_, t_.kv_tile) * MaxI(dp, t_.rot_pad) * 4);
    pipe->InitBuffer(out_que_, 2, g_ * dp * 4);
    pipe->InitBuffer(q_buf_, max_q * dp * 4);
    pipe->InitBuffer(acc_buf_, max_q * dp * 4);
    pipe->InitBuffer(kf_buf_, t_.kv_tile * dp * 4);
    pipe->InitBuffer(vf_buf_, t_.kv_tile * dp * 4);
    pipe->InitBuffer(score_buf_, (t_.kv_tile + 8) * 4);
    pipe->InitBuffer(tmp_buf_, dp * 4);
    pipe->InitBuffer(work_buf_, dp * 4);
    pipe->InitBuffer(red_buf_, (t_.kv_tile + 1) * 32);
    pipe->InitBuffer(exp_buf_, 32);
    if (rope_) {
      pipe->InitBuffer(cs_buf_, t_.kv_tile * t_.rot_pad * 4);
      rotator_.Init(pipe, t_.rope_style, t_.rotary_dim, t_.rot_pad);
    }
  }

  __aicore__ inline void Process() {
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < t_.num_items;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      RunItem(i);
    }
  }

 private:
  // The tile of the KV range that starts at slot j0: its first cache element and its length.
  __aicore__ inline int32_t TileLength(int32_t j0, int32_t kv_end) const {
    return MinI(MinI(t_.kv_tile, t_.block_size - j0 % t_.block_size), kv_end - j0);
  }
  __aicore__ inline uint64_t TileFirst(int32_t seq, int32_t head, int32_t j0) {
    const int32_t block = tables_.GetValue(uint64_t(seq) * t_.max_blocks_per_seq + j0 / t_.block_size);
    const uint64_t row = j0 % t_.block_size;
    const uint64_t in_block = t_.kv_layout == kKvHnd ? uint64_t(head) * t_.block_size + row
                                                     : row * t_.num_kv_heads + head;
    return (uint64_t(block) * t_.block_size * t_.num_kv_heads + in_block) * t_.head_dim;
  }
  __aicore__ inline void StartTile(int32_t seq, int32_t head, int32_t j0, int32_t n) {
    const uint64_t first = TileFirst(seq, head, j0);
    const uint64_t pitch = t_.kv_layout == kKvHnd ? uint64_t(t_.head_dim) : uint64_t(t_.num_kv_heads) * t_.head_dim;
    StartLoad(k_que_, k_, first, n, t_.head_dim, pitch, t_.d_pad);
    StartLoad(v_que_, v_, first, n, t_.head_dim, pitch, t_.d_pad);
  }

  __aicore__ inline void RunItem(int32_t item) {
    const int32_t seq = items_.GetValue(uint64_t(item) * 4);
    const int32_t head = items_.GetValue(uint64_t(item) * 4 + 1);
    const int32_t row_begin = items_.GetValue(uint64_t(item) * 4 + 2);
    const int32_t row_end = items_.GetValue(uint64_t(item) * 4 + 3);
    const int32_t q_begin = query_start_.GetValue(seq);
    const int32_t q_len = query_start_.GetValue(seq + 1) - q_begin;
    const int32_t first_pos = seq_lens_.GetValue(seq) - q_len;
    const int32_t rows = row_end - row_begin;
    const int32_t nq = rows * g_;
    const int32_t d = t_.head_dim;
    const int32_t dp = t_.d_pad;
    LocalTensor<float> qt = q_buf_.Get<float>();
    LocalTensor<float> acc = acc_buf_.Get<float>();

    // Queries: the G heads of a token are contiguous in q, so one copy per row; rotated to the
    // row's position and negated once for a negative scale.
    for (int32_t r = 0; r < rows; r++) {
      const int32_t token = q_begin + row_begin + r;
      const int32_t pos = first_pos + row_begin + r;
      LocalTensor<float> qr = qt[r * g_ * dp];
      LoadRows(stage_que_, qr, q_, (uint64_t(token) * t_.num_heads + uint64_t(head) * g_) * d, g_, d, d, dp);
      if (rope_) {
        LocalTensor<float> cs = cs_buf_.Get<float>();
        LoadRows(stage_que_, cs, cs_, uint64_t(pos) * t_.rotary_dim, 1, t_.rotary_dim, t_.rotary_dim, t_.rot_pad);
        rotator_.SetPosition(cs);
        for (int32_t g = 0; g < g_; g++) rotator_.Apply(qr[g * dp]);
      }
      if (t_.scale < 0.0f) {
        for (int32_t g = 0; g < g_; g++) AscendC::Muls(qr[g * dp], qr[g * dp], -1.0f, d);
      }
    }
    AscendC::Duplicate(acc, 0.0f, nq * dp);
    VectorBarrier();
    float m[kMaxQueries];
    float l[kMaxQueries];
    for (int32_t qi = 0; qi < nq; qi++) {
      m[qi] = -__builtin_huge_valf();
      l[qi] = 0.0f;
    }

    const int32_t kv_end = first_pos + row_end;  // the last row sees slots [0, kv_end)
    int32_t j0 = 0;
    int32_t n = TileLength(0, kv_end);
    StartTile(seq, head, 0, n);
    while (j0 < kv_end) {
      const int32_t next = j0 + n;
      const int32_t next_n = next < kv_end ? TileLength(next, kv_end) : 0;
      LocalTensor<float> kf = kf_buf_.Get<float>();
      LocalTensor<float> vf = vf_buf_.Get<float>();
      FinishLoad(k_que_, t_.cache_dtype, kf, n * dp);
      FinishLoad(v_que_, t_.cache_dtype, vf, n * dp);
      if (next_n > 0) StartTile(seq, head, next, next_n);  // overlaps with the compute below
      if (rope_) {
        // Keys are stored without rotation (NoPE): slot j is rotated to position j here.
        LocalTensor<float> cs = cs_buf_.Get<float>();
        LoadRows(stage_que_, cs, cs_, uint64_t(j0) * t_.rotary_dim, n, t_.rotary_dim, t_.rotary_dim, t_.rot_pad);
        for (int32_t jj = 0; jj < n; jj++) {
          rotator_.SetPosition(cs[jj * t_.rot_pad]);
          rotator_.Apply(kf[jj * dp]);
        }
      }
      for (int32_t r = 0; r < rows; r++) {
        const int32_t visible = MinI(n, first_pos + row_begin + r - j0 + 1);
        if (visible <= 0) continue;  // causal: the tile is after this row's position
        for (int32_t g = 0; g < g_; g++) {
          const int32_t qi = r * g_ + g;
          Attend(qt[qi * dp], acc[qi * dp], kf, vf, visible, m[qi], l[qi]);
        }
      }
      j0 = next;
      n = next_n;
    }

    for (int32_t r = 0; r < rows; r++) {
      const int32_t token = q_begin + row_begin + r;
      for (int32_t g = 0; g < g_; g++) {
        const int32_t qi = r * g_ + g;
        // Every row sees at least slot 0, so l > 0.
        AscendC::Muls(acc[qi * dp], acc[qi * dp], 1.0f / l[qi], d);
      }
      StoreRows(out_que_, acc[r * g_ * dp], out_, (uint64_t(token) * t_.num_heads + uint64_t(head) * g_) * d, g_, d,
                d, dp);
    }
  }

  // One query against `visible` slots of the current tile: online-softmax update of (m, l, acc).
  __aicore__ inline void Attend(const LocalTensor<float>& qv, const LocalTensor<float>& acc,
                                const LocalTensor<float>& kf, const LocalTensor<float>& vf, int32_t visible,
                                float& m, float& l) {
    const int32_t d = t_.head_dim;
    const int32_t dp = t_.d_pad;
    LocalTensor<float> s = score_buf_.Get<float>();
    LocalTensor<float> tmp = tmp_buf_.Get<float>();
    LocalTensor<float> work = work_buf_.Get<float>();
    LocalTensor<float> red = red_buf_.Get<float>();  // slot jj at red[8 * jj]; max and sum reuse slots 0, 1
    for (int32_t jj = 0; jj < visible; jj++) {
      AscendC::Mul(tmp, qv, kf[jj * dp], d);
      VectorBarrier();
      AscendC::ReduceSum(red[jj * 8], tmp, work, d);
    }
    Sync<HardEvent::V_S>();
    for (int32_t jj = 0; jj < visible; jj++) s.SetValue(jj, red.GetValue(jj * 8));
    Sync<HardEvent::S_V>();
    AscendC::ReduceMax(red, s, work, visible);
    Sync<HardEvent::V_S>();
    const float block_max = red.GetValue(0);
    const float new_m = m > block_max ? m : block_max;
    const float mag = t_.scale < 0.0f ? -t_.scale : t_.scale;
    AscendC::Adds(s, s, -new_m, visible);
    VectorBarrier();
    AscendC::Muls(s, s, mag, visible);
    VectorBarrier();
    AscendC::Exp(s, s, visible);
    VectorBarrier();
    AscendC::ReduceSum(red[8], s, work, visible);
    Sync<HardEvent::V_S>();
    const float sum = red.GetValue(8);
    // 0 on the first tile (m = -inf; the product would be NaN for scale 0). Always through
    // ScalarExp: its S_V event orders the scalar reads of red above before the next ReduceSum.
    const float shift = m == -__builtin_huge_valf() ? m : (m - new_m) * mag;
    const float correction = ScalarExp(exp_buf_.Get<float>(), shift);
    l = l * correction + sum;
    m = new_m;
    AscendC::Muls(acc, acc, correction, d);
    VectorBarrier();
    for (int32_t jj = 0; jj < visible; jj++) {
      AscendC::Axpy(acc, vf[jj * dp], s.GetValue(jj), d);
      VectorBarrier();
    }
  }

  AttentionTiling t_;
  int32_t g_ = 1;
  bool rope_ = false;
  FloatGm q_, k_, v_, out_, cs_;
  GlobalTensor<int32_t> tables_, seq_lens_, query_start_, items_;
  InQue k_que_, v_que_, stage_que_;
  OutQue out_que_;
  CalcBuf q_buf_, acc_buf_, kf_buf_, vf_buf_, score_buf_, tmp_buf_, work_buf_, red_buf_, exp_buf_, cs_buf_;
  Rotator rotator_;
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_paged_attention_kernel(GM_ADDR q, GM_ADDR k_cache, GM_ADDR v_cache,
                                                                    GM_ADDR block_tables, GM_ADDR seq_lens,
                                                                    GM_ADDR query_start, GM_ADDR cos_sin,
                                                                    GM_ADDR items, GM_ADDR out, GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::PagedAttention op;
  op.Init(q, k_cache, v_cache, block_tables, seq_lens, query_start, cos_sin, items, out, tiling, &pipe);
  op.Process();
}
