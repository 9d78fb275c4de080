// BGMV multi-LoRA shrink on the cube unit, y[b] = scale * A[idx[b]] . x[b] (idx -1: zeros), for x
// and A of one dtype (F32, F16 or BF16: the cube multiplies like types only). Two launches
// (tiling.h, ShrinkCubeTiling):
//
// 1. npukit_bgmv_shrink_cube_kernel, on the cube (AIC) cores. Work item = (row group, tile of
//    n_tile rank outputs, piece of split_len reduction elements), dealt round-robin. A group's
//    rows share an adapter, so its A tile crosses HBM once for all of them; splitting the
//    reduction spreads a few adapters' weights over all the cube cores (8 adapters x 3 pieces
//    fill the 24). Per k tile: the group's x rows (one ND2NZ copy each: the rows are scattered
//    in the batch) and the A tile [n, k] (one ND2NZ copy) go into L1; LoadData moves x into L0A
//    fractal row by fractal row (NZ -> ZZ) and the A tile into L0B as it is (its NZ layout is
//    Mmad's ZN); Mmad accumulates x . A^T in F32 in L0C over the piece's k tiles. Both copies run
//    along k, so a tile ending inside a fractal has its k padding zeroed by ND2NZ itself (Mmad
//    takes whole fractals). Every level has two buffers, used in turn (double buffering: the next
//    tile's copies and loads run while the cube works on this one), handed between the pipes by
//    flags. Fixpipe writes each row's partial sums to the workspace ws[piece][row][rank] in F32.
// 2. npukit_bgmv_shrink_merge_kernel, on the vector (AIV) cores: per tile of merge_rows batch
//    rows, one strided DataCopyPad per row brings its pieces, they are added in piece order
//    (Add, the same order whatever the core count), scaled (Muls) and written to y; rows without
//    an adapter are written as zeros.
#include "cube_common.h"

namespace npukit {
namespace ascend {
namespace {

template <typename T>
class ShrinkCube {
 public:
  __aicore__ inline void Init(GM_ADDR x, GM_ADDR a, GM_ADDR groups, GM_ADDR ws, const ShrinkCubeTiling& t,
                              AscendC::TPipe* pipe) {
    t_ = t;
    x_.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(x), uint64_t(t_.batch) * t_.in_dim);
    a_.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(a), uint64_t(t_.num_mats) * t_.rank * t_.in_dim);
    groups_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(groups), ShrinkGroupWords(t_.num_groups, t_.batch));
    ws_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(ws), uint64_t(t_.splits) * t_.batch * t_.rank);
    const int32_t kp = AlignUp(t_.k_tile, kC0);
    x_len_ = t_.m_pad * kp;
    w_len_ = t_.n_tile * kp;
    c_len_ = t_.m_pad * t_.n_tile;
    pipe->InitBuffer(x1_, 2 * x_len_ * sizeof(T));
    pipe->InitBuffer(w1_, 2 * w_len_ * sizeof(T));
    pipe->InitBuffer(x0_, 2 * x_len_ * sizeof(T));
    pipe->InitBuffer(w0_, 2 * w_len_ * sizeof(T));
    pipe->InitBuffer(c_, 2 * c_len_ * 4);
  }

  __aicore__ inline void Process() {
    const int32_t items = t_.num_groups * t_.n_tiles * t_.splits;
    const int32_t step = static_cast<int32_t>(AscendC::GetBlockNum());
    // This core's items and k tiles, so that a buffer is flagged free only when a later tile uses it.
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < items; i += step) {
      const int32_t k_begin = (i % t_.splits) * t_.split_len;
      total_tiles_ += (MinI(t_.in_dim, k_begin + t_.split_len) - k_begin + t_.k_tile - 1) / t_.k_tile;
      total_items_++;
    }
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < items; i += step) {
      RunItem(i / (t_.n_tiles * t_.splits), (i / t_.splits) % t_.n_tiles, i % t_.splits);
    }
  }

 private:
  static constexpr int32_t kC0 = 32 / sizeof(T);  // elements of a 32-byte fractal row: k per fractal

  // Synchronisation is by flags, not queues: per tile one flag MTE2 -> MTE1 covers both L1
  // copies and one MTE1 -> M both L0 loads; the reverse flags (a buffer free again) are set only
  // when a later tile (item) of this core uses the buffer, and waited for only when one was set.
  __aicore__ inline void RunItem(int32_t g, int32_t tile, int32_t piece) {
    const int32_t first = groups_.GetValue(3 * g);
    rows_ = groups_.GetValue(3 * g + 1);
    const int32_t mat = groups_.GetValue(3 * g + 2);
    for (int32_t r = 0; r < rows_; r++) row_[r] = groups_.GetValue(3 * t_.num_groups + first + r);
    n0_ = tile * t_.n_tile;
    n_ = MinI(t_.n_tile, t_.rank - n0_);
    np_ = AlignUp(n_, 16);
    mp_ = AlignUp(rows_, 16);
    w_first_ = (uint64_t(mat) * t_.rank + n0_) * t_.in_dim;
    const int32_t k_begin = piece * t_.split_len;
    const int32_t k_end = MinI(t_.in_dim, k_begin + t_.split_len);
    const int32_t cs = items_ % 2;
    LocalTensor<float> c = c_.Get<float>()[cs * c_len_];
    if (c_busy_[cs]) AscendC::WaitFlag<HardEvent::FIX_M>(cs);
    for (int32_t k0 = k_begin; k0 < k_end; k0 += t_.k_tile) {
      const int32_t len = MinI(t_.k_tile, k_end - k0);
      const bool reused = tiles_ + 2 < total_tiles_;
      const int32_t s = tiles_ % 2;
      CopyIn(s, k0, len);
      Split(s, len, reused);
      Compute(s, c, len, k0 == k_begin, reused);
      tiles_++;
    }
    AscendC::SetFlag<HardEvent::M_FIX>(cs);
    AscendC::WaitFlag<HardEvent::M_FIX>(cs);
    // One Fixpipe per row: the group's rows are scattered in the batch. Row r of the NZ result
    // starts r x 16 floats into L0C; its column blocks are mp_ rows apart.
    for (int32_t r = 0; r < rows_; r++) {
      // F32 out: quantPre stays NoQuant.
      AscendC::FixpipeParamsV220 fp(static_cast<uint16_t>(n_), 1, static_cast<uint16_t>(mp_),
                                    static_cast<uint32_t>(t_.rank), false);
      const uint64_t dst = (uint64_t(piece) * t_.batch + row_[r]) * t_.rank + n0_;
      AscendC::Fixpipe<float, float, AscendC::CFG_ROW_MAJOR>(ws_[dst], c[r * 16], fp);
    }
    c_busy_[cs] = items_ + 2 < total_items_;
    if (c_busy_[cs]) AscendC::SetFlag<HardEvent::FIX_M>(cs);
    items_++;
  }

  // GM -> L1 (MTE2): the x rows into slot s of x1 ([mp_, kp] NZ), the A tile into slot s of w1
  // ([np_, kp] NZ).
  __aicore__ inline void CopyIn(int32_t s, int32_t k0, int32_t len) {
    LocalTensor<T> x1 = x1_.Get<T>()[s * x_len_];
    LocalTensor<T> w1 = w1_.Get<T>()[s * w_len_];
    if (l1_busy_[s]) AscendC::WaitFlag<HardEvent::MTE1_MTE2>(s);
    for (int32_t r = 0; r < rows_; r++) {
      CopyRowsNz(x1[r * kC0], x_[uint64_t(row_[r]) * t_.in_dim + k0], 1, len, len, mp_);
    }
    if (t_.in_dim <= 65535) {
      CopyRowsNz(w1, a_[w_first_ + k0], n_, len, t_.in_dim, np_);
    } else {
      // srcDValue is 16 bits: rows of a longer reduction dimension go one by one.
      for (int32_t j = 0; j < n_; j++) {
        CopyRowsNz(w1[j * kC0], a_[w_first_ + uint64_t(j) * t_.in_dim + k0], 1, len, len, np_);
      }
    }
    AscendC::SetFlag<HardEvent::MTE2_MTE1>(s);
  }

  // L1 -> L0A/L0B (MTE1). x: L1 holds fractal (m block i, k block q) at q x mb + i; L0A (ZZ)
  // wants it at i x kb + q. A: L1's NZ fractal order (k block, n block) is L0B's ZN order.
  __aicore__ inline void Split(int32_t s, int32_t len, bool reused) {
    LocalTensor<T> x1 = x1_.Get<T>()[s * x_len_];
    LocalTensor<T> w1 = w1_.Get<T>()[s * w_len_];
    LocalTensor<T> x0 = x0_.Get<T>()[s * x_len_];
    LocalTensor<T> w0 = w0_.Get<T>()[s * w_len_];
    AscendC::WaitFlag<HardEvent::MTE2_MTE1>(s);
    if (l0_busy_[s]) AscendC::WaitFlag<HardEvent::M_MTE1>(s);
    const int32_t kb = AlignUp(len, kC0) / kC0;
    const int32_t mb = mp_ / 16;
    LoadAZz(x0, x1, mb, kb);
    LoadBZn(w0, w1, kb * (np_ / 16));
    l1_busy_[s] = reused;
    if (reused) AscendC::SetFlag<HardEvent::MTE1_MTE2>(s);
    AscendC::SetFlag<HardEvent::MTE1_M>(s);
  }

  // The cube (M): c (+)= x tile . A tile^T.
  __aicore__ inline void Compute(int32_t s, const LocalTensor<float>& c, int32_t len, bool first, bool reused) {
    AscendC::WaitFlag<HardEvent::MTE1_M>(s);
    AscendC::Mmad(c, x0_.Get<T>()[s * x_len_], w0_.Get<T>()[s * w_len_],
                  AscendC::MmadParams(static_cast<uint16_t>(rows_), static_cast<uint16_t>(n_),
                                      static_cast<uint16_t>(len), 0, false, first));
    l0_busy_[s] = reused;
    if (reused) AscendC::SetFlag<HardEvent::M_MTE1>(s);
  }

  ShrinkCubeTiling t_;
  int32_t x_len_ = 0, w_len_ = 0, c_len_ = 0;
  int32_t rows_ = 0, n0_ = 0, n_ = 0, np_ = 0, mp_ = 0;
  int32_t tiles_ = 0, items_ = 0;  // k tiles and items this core ran: their parity picks the buffer
  int32_t total_tiles_ = 0, total_items_ = 0;
  bool l1_busy_[2] = {}, l0_busy_[2] = {}, c_busy_[2] = {};
  uint64_t w_first_ = 0;
  int32_t row_[kCubeGroupRows] = {};
  GlobalTensor<T> x_, a_;
  GlobalTensor<int32_t> groups_;
  GlobalTensor<float> ws_;
  AscendC::TBuf<TPosition::A1> x1_;
  AscendC::TBuf<TPosition::B1> w1_;
  AscendC::TBuf<TPosition::A2> x0_;
  AscendC::TBuf<TPosition::B2> w0_;
  AscendC::TBuf<TPosition::CO1> c_;
};

// y rows [b0, b0 + rows): the sum of their pieces in order, scaled; zeros without an adapter.
class ShrinkMerge {
 public:
  __aicore__ inline void Init(GM_ADDR ws, GM_ADDR active, GM_ADDR y, GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTilingUb(tiling, t_, tiling_que_, pipe);
    ws_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(ws), uint64_t(t_.splits) * t_.batch * t_.rank);
    active_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(active), t_.batch);
    y_.Init(y, kF32, uint64_t(t_.batch) * t_.rank);
    tile_ = t_.merge_rows * t_.rank_pad;
    pipe->InitBuffer(in_, 2, t_.splits * tile_ * 4);
    pipe->InitBuffer(sum_, tile_ * 4);
    pipe->InitBuffer(out_, 2, tile_ * 4);
  }

  __aicore__ inline void Process() {
    const int32_t items = (t_.batch + t_.merge_rows - 1) / t_.merge_rows;
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < items;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      RunItem(i * t_.merge_rows, MinI(t_.merge_rows, t_.batch - i * t_.merge_rows));
    }
  }

 private:
  __aicore__ inline void RunItem(int32_t b0, int32_t rows) {
    bool live[kMergeRowsMax];
    LocalTensor<float> in = in_.AllocTensor<float>();
    for (int32_t r = 0; r < rows; r++) {
      live[r] = active_.GetValue(b0 + r) != 0;
      if (!live[r]) continue;
      // Row b0 + r of every piece: blocks batch x rank apart in GM, tile_ apart in the UB.
      DataCopyPadExtParams<float> pad;
      pad.isPad = false;
      AscendC::DataCopyPad(in[r * t_.rank_pad], ws_[uint64_t(b0 + r) * t_.rank],
                           RowParams<float>(t_.splits, t_.rank, uint64_t(t_.batch) * t_.rank, tile_, true), pad);
    }
    in_.EnQue(in);
    in = in_.DeQue<float>();
    LocalTensor<float> sum = sum_.Get<float>();
    const int32_t n = rows * t_.rank_pad;
    if (t_.splits == 1) {
      AscendC::Muls(sum, in, t_.scale, n);
    } else {
      AscendC::Add(sum, in, in[tile_], n);
      for (int32_t s = 2; s < t_.splits; s++) {
        VectorBarrier();
        AscendC::Add(sum, sum, in[s * tile_], n);
      }
      VectorBarrier();
      AscendC::Muls(sum, sum, t_.scale, n);
    }
    in_.FreeTensor(in);
    for (int32_t r = 0; r < rows; r++) {
      if (!live[r]) AscendC::Duplicate(sum[r * t_.rank_pad], 0.0f, t_.rank_pad);
    }
    StoreRows(out_, sum, y_, uint64_t(b0) * t_.rank, rows, t_.rank, t_.rank, t_.rank_pad);
  }

 public:
  static constexpr int32_t kMergeRowsMax = 64;

 private:
  ShrinkMergeTiling t_;
  int32_t tile_ = 0;
  GlobalTensor<float> ws_;
  GlobalTensor<int32_t> active_;
  FloatGm y_;
  InQue tiling_que_, in_;
  CalcBuf sum_;
  OutQue out_;
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_bgmv_shrink_cube_kernel(GM_ADDR x, GM_ADDR a, GM_ADDR groups, GM_ADDR ws,
                                                                     GM_ADDR tiling) {
  KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_AIC_ONLY);
  using namespace npukit::ascend;
  ShrinkCubeTiling t;
  LoadTiling(tiling, t);
  AscendC::TPipe pipe;
  if (t.dtype == kF16) {
    ShrinkCube<half> op;
    op.Init(x, a, groups, ws, t, &pipe);
    op.Process();
  } else if (t.dtype == kBF16) {
    ShrinkCube<bfloat16_t> op;
    op.Init(x, a, groups, ws, t, &pipe);
    op.Process();
  } else {
    ShrinkCube<float> op;
    op.Init(x, a, groups, ws, t, &pipe);
    op.Process();
  }
}

extern "C" __global__ __aicore__ void npukit_bgmv_shrink_merge_kernel(GM_ADDR ws, GM_ADDR active, GM_ADDR y,
                                                                      GM_ADDR tiling) {
  KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_AIV_ONLY);
  AscendC::TPipe pipe;
  npukit::ascend::ShrinkMerge op;
  op.Init(ws, active, y, tiling, &pipe);
  op.Process();
}
