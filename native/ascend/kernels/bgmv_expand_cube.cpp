// BGMV multi-LoRA expand on the cube, y[b, off : off + h_out] += W[idx[b]] . v[b] (idx -1: rows
// untouched), as one mixed AIC+AIV launch (Atlas A2: a group is one cube core and its two vector
// cores). The host (bgmv_launch.cpp) groups the rows with an adapter by adapter (the cube shrink's
// group table) and cuts h_out into pieces; work item = (group, piece), dealt round-robin over the
// groups of cores, walked in tiles of n_tile outputs. Per item, through the group's workspace in
// global memory (tiling.h, ExpandCubeTiling), each hand-over a cross-core flag (mode 2):
//   vectors: the group's v rows (half the rows each) rounded to W's dtype, and for a BF16 W with a
//            wider v also the rest rounded (v = hi + lo to 2^-18; WriteV), flag kV;
//   cube:    v into L1 (ND2NZ) and L0A (LoadData, NZ -> ZZ) once for the item (kVRead: the
//            workspace may take the next item's v); per tile the W tile [n, rank] (contiguous in
//            global memory) into L1 by one ND2NZ copy and into L0B as it is (its NZ layout is
//            Mmad's ZN), Mmad of each part into L0C in F32 (16-bit products exact, sums F32),
//            Fixpipe of the [rows, n] F32 sums to one of two workspace buffers, flag kSums;
//   vectors: (half the tile's columns each) the sums and y's slices of the group's rows, Add in
//            F32, y rounded once to its dtype and written back (kSumsRead: the buffer is free).
// The reduction (rank) stays in L0A whole: the host keeps parts x m_pad x rank within it. The cube
// pipes hand over through queues, two buffers for the W tiles (L1, L0B) and the results (L0C), so
// the next tile's copies run while the cube and FIX work on this one. A workspace buffer is
// flagged free only when a later tile of the group uses it, so every set is waited for.
#include <stddef.h>

#include "cube_common.h"

namespace npukit {
namespace ascend {
namespace {

constexpr uint16_t kV = 0, kVRead = 1, kSums = 2, kSumsRead = 3;  // cross-core flag ids
constexpr float kBf16Max = 0x1.fep127f;  // the largest finite BF16

struct ExpandItem {
  int32_t first, rows, mat, n0, n;  // first: the group's start in the row list
};

__aicore__ inline ExpandItem ReadExpandItem(const GlobalTensor<int32_t>& groups, const ExpandCubeTiling& t,
                                            int32_t i) {
  ExpandItem it;
  const int32_t g = i / t.pieces;
  it.first = groups.GetValue(3 * g);
  it.rows = groups.GetValue(3 * g + 1);
  it.mat = groups.GetValue(3 * g + 2);
  it.n0 = (i % t.pieces) * t.n_piece;
  it.n = MinI(t.n_piece, t.h_out - it.n0);
  return it;
}

// Tiles and items of the items a group of cores runs (no table read: a piece's length decides).
__aicore__ inline void CountWork(const ExpandCubeTiling& t, int32_t group, int32_t groups, int32_t& items,
                                 int32_t& tiles) {
  items = 0;
  tiles = 0;
  for (int32_t i = group; i < t.num_groups * t.pieces; i += groups) {
    const int32_t n = MinI(t.n_piece, t.h_out - (i % t.pieces) * t.n_piece);
    tiles += (n + t.n_tile - 1) / t.n_tile;
    items++;
  }
}

// ---- the cube core ----

template <typename T>
class ExpandCube {
 public:
  __aicore__ inline void Init(GM_ADDR w, GM_ADDR groups, GM_ADDR ws, GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    w_.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(w), uint64_t(t_.num_mats) * t_.h_out * t_.rank);
    groups_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(groups), ShrinkGroupWords(t_.num_groups, t_.batch));
    __gm__ uint8_t* mine = ws + uint64_t(AscendC::GetBlockIdx()) * t_.group_bytes;
    wv_.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(mine), uint64_t(t_.parts) * t_.ws_rows * t_.rank);
    sums_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(mine + t_.ws_sums), 2 * uint64_t(t_.ws_rows) * t_.n_tile);
    kp_ = AlignUp(t_.rank, kC0);
    a_len_ = t_.m_pad * kp_;
    b_len_ = t_.n_tile * kp_;
    pipe->InitBuffer(a1_, 1, t_.parts * a_len_ * sizeof(T));
    pipe->InitBuffer(a2_, 1, t_.parts * a_len_ * sizeof(T));
    pipe->InitBuffer(b1_, 2, b_len_ * sizeof(T));
    pipe->InitBuffer(b2_, 2, b_len_ * sizeof(T));
    pipe->InitBuffer(c_, 2, t_.m_pad * t_.n_tile * 4);
  }

  __aicore__ inline void Process() {
    const int32_t group = static_cast<int32_t>(AscendC::GetBlockIdx());
    const int32_t groups = static_cast<int32_t>(AscendC::GetBlockNum());
    CountWork(t_, group, groups, total_items_, total_tiles_);
    for (int32_t i = group; i < t_.num_groups * t_.pieces; i += groups) RunItem(ReadExpandItem(groups_, t_, i));
  }

 private:
  static constexpr int32_t kC0 = 32 / sizeof(T);  // elements of a 32-byte fractal row: k per fractal

  __aicore__ inline void RunItem(const ExpandItem& it) {
    const int32_t mb = t_.m_pad / 16, kb = kp_ / kC0;
    AscendC::CrossCoreWaitFlag(kV);  // the vector cores wrote the group's v
    // v [rows, rank] per part into L1 as NZ (column blocks m_pad rows long; ND2NZ zeroes the k
    // padding, which Mmad reads), then into L0A fractal row by fractal row (NZ -> ZZ).
    LocalTensor<T> a1 = a1_.AllocTensor<T>();
    for (int32_t p = 0; p < t_.parts; p++) {
      CopyRowsNz(a1[p * a_len_], wv_[uint64_t(p) * t_.ws_rows * t_.rank], it.rows, t_.rank, t_.rank, t_.m_pad);
    }
    if (items_ + 1 < total_items_) AscendC::CrossCoreSetFlag<2, AscendC::PIPE_MTE2>(kVRead);
    a1_.EnQue(a1);
    a1 = a1_.DeQue<T>();
    LocalTensor<T> a2 = a2_.AllocTensor<T>();
    for (int32_t p = 0; p < t_.parts; p++) LoadAZz(a2[p * a_len_], a1[p * a_len_], mb, kb);
    a1_.FreeTensor(a1);
    a2_.EnQue(a2);
    a2 = a2_.DeQue<T>();
    for (int32_t n0 = 0; n0 < it.n; n0 += t_.n_tile) {
      const int32_t n = MinI(t_.n_tile, it.n - n0);
      const int32_t np = AlignUp(n, 16);
      LocalTensor<T> b1 = b1_.AllocTensor<T>();
      CopyRowsNz(b1, w_[(uint64_t(it.mat) * t_.h_out + it.n0 + n0) * t_.rank], n, t_.rank, t_.rank, np);
      b1_.EnQue(b1);
      b1 = b1_.DeQue<T>();
      LocalTensor<T> b2 = b2_.AllocTensor<T>();
      LoadBZn(b2, b1, kb * (np / 16));
      b1_.FreeTensor(b1);
      b2_.EnQue(b2);
      b2 = b2_.DeQue<T>();
      LocalTensor<float> c = c_.AllocTensor<float>();
      for (int32_t p = 0; p < t_.parts; p++) {
        AscendC::Mmad(c, a2[p * a_len_], b2,
                      AscendC::MmadParams(static_cast<uint16_t>(it.rows), static_cast<uint16_t>(n),
                                          static_cast<uint16_t>(t_.rank), 0, false, p == 0));
      }
      b2_.FreeTensor(b2);
      c_.EnQue(c);
      c = c_.DeQue<float>();
      const int32_t s = tiles_ % 2;
      if (tiles_ >= 2) AscendC::CrossCoreWaitFlag(kSumsRead);  // the vector cores read buffer s's last sums
      // Row r of the NZ result starts r x 16 floats into L0C, its column blocks the item's rows
      // rounded up to 16 apart (Mmad's m).
      AscendC::Fixpipe<float, float, AscendC::CFG_ROW_MAJOR>(
          sums_[uint64_t(s) * t_.ws_rows * t_.n_tile], c,
          AscendC::FixpipeParamsV220(static_cast<uint16_t>(n), static_cast<uint16_t>(it.rows),
                                     static_cast<uint16_t>(AlignUp(it.rows, 16)), static_cast<uint32_t>(t_.n_tile),
                                     false));
      c_.FreeTensor(c);
      AscendC::CrossCoreSetFlag<2, AscendC::PIPE_FIX>(kSums);
      tiles_++;
    }
    a2_.FreeTensor(a2);
    items_++;
  }

  ExpandCubeTiling t_;
  int32_t kp_ = 0, a_len_ = 0, b_len_ = 0;
  int32_t items_ = 0, tiles_ = 0, total_items_ = 0, total_tiles_ = 0;
  GlobalTensor<T> w_, wv_;
  GlobalTensor<float> sums_;
  GlobalTensor<int32_t> groups_;
  AscendC::TQue<TPosition::A1, 1> a1_;
  AscendC::TQue<TPosition::B1, 1> b1_;
  AscendC::TQue<TPosition::A2, 1> a2_;
  AscendC::TQue<TPosition::B2, 1> b2_;
  AscendC::TQue<TPosition::CO1, 1> c_;
};

// ---- the vector cores ----

// Rows of a group scattered in the batch: one DataCopyPad per row into a tile of rows `stride`
// elements apart, through a buffer of q.
template <typename T>
__aicore__ inline void LoadScattered(InQue& q, const GlobalTensor<T>& g, const uint64_t* first, int32_t rows,
                                     uint32_t len, uint32_t stride) {
  LocalTensor<T> s = q.AllocTensor<T>();
  DataCopyPadExtParams<T> pad;
  pad.isPad = false;
  for (int32_t r = 0; r < rows; r++) {
    AscendC::DataCopyPad(s[r * stride], g[first[r]], RowParams<T>(1, len, len, stride, true), pad);
  }
  q.EnQue(s);
}

__aicore__ inline void LoadScattered(InQue& q, const FloatGm& g, const uint64_t* first, int32_t rows, uint32_t len,
                                     uint32_t stride) {
  if (g.dtype == kF16) {
    LoadScattered(q, g.f16, first, rows, len, stride);
  } else if (g.dtype == kBF16) {
    LoadScattered(q, g.bf16, first, rows, len, stride);
  } else {
    LoadScattered(q, g.f32, first, rows, len, stride);
  }
}

template <typename T>
__aicore__ inline void StoreScatteredT(OutQue& q, const LocalTensor<float>& src, const GlobalTensor<T>& g,
                                       const uint64_t* first, int32_t rows, uint32_t len, uint32_t stride) {
  LocalTensor<T> s = q.AllocTensor<T>();
  AscendC::Cast(s, src, AscendC::RoundMode::CAST_RINT, rows * stride);
  q.EnQue(s);
  s = q.DeQue<T>();
  for (int32_t r = 0; r < rows; r++) {
    AscendC::DataCopyPad(g[first[r]], s[r * stride], RowParams<T>(1, len, len, stride, false));
  }
  q.FreeTensor(s);
}

// Rounds rows of an F32 tile to g's dtype and copies row r to first[r] (MTE3). Starts with a
// vector barrier: src is the result of the vector instructions just issued.
__aicore__ inline void StoreScattered(OutQue& q, const LocalTensor<float>& src, const FloatGm& g, const uint64_t* first,
                                      int32_t rows, uint32_t len, uint32_t stride) {
  VectorBarrier();
  if (g.dtype == kF16) {
    StoreScatteredT(q, src, g.f16, first, rows, len, stride);
  } else if (g.dtype == kBF16) {
    StoreScatteredT(q, src, g.bf16, first, rows, len, stride);
  } else {
    LocalTensor<float> s = q.AllocTensor<float>();
    AscendC::DataCopy(s, src, rows * stride);
    q.EnQue(s);
    s = q.DeQue<float>();
    for (int32_t r = 0; r < rows; r++) {
      AscendC::DataCopyPad(g.f32[first[r]], s[r * stride], OneRowParams<float>(len));
    }
    q.FreeTensor(s);
  }
}

class ExpandVector {
 public:
  __aicore__ inline void Init(GM_ADDR v, GM_ADDR groups, GM_ADDR ws, GM_ADDR y, GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTilingUb(tiling, t_, tiling_que_, pipe);
    sub_ = static_cast<int32_t>(AscendC::GetSubBlockIdx());
    group_ = static_cast<int32_t>(AscendC::GetBlockIdx() / AscendC::GetTaskRation());
    groups_n_ = static_cast<int32_t>(AscendC::GetBlockNum());
    v_.Init(v, t_.v_dtype, uint64_t(t_.batch) * t_.rank);
    y_.Init(y, t_.y_dtype, uint64_t(t_.batch) * t_.y_row);
    groups_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(groups), ShrinkGroupWords(t_.num_groups, t_.batch));
    __gm__ uint8_t* mine = ws + uint64_t(group_) * t_.group_bytes;
    wv_.Init(mine, t_.w_dtype, uint64_t(t_.parts) * t_.ws_rows * t_.rank);
    sums_.Init(mine + t_.ws_sums, kF32, 2 * uint64_t(t_.ws_rows) * t_.n_tile);
    rp_ = AlignUp(t_.rank, 16);
    const int32_t hr = (t_.ws_rows + 1) / 2;
    const int32_t tile = t_.ws_rows * t_.half_pad * 4;
    pipe->InitBuffer(s_que_, 2, tile);
    pipe->InitBuffer(y_que_, 2, tile);
    pipe->InitBuffer(yf_buf_, tile);
    pipe->InitBuffer(out_que_, 2, tile);
    pipe->InitBuffer(v_que_, 2, hr * rp_ * 4);
    pipe->InitBuffer(vf_buf_, hr * rp_ * 4);
    pipe->InitBuffer(lo_buf_, hr * rp_ * 4);
    pipe->InitBuffer(hi_buf_, hr * rp_ * 2);
    pipe->InitBuffer(bound_buf_, hr * rp_ * 4);
    if (t_.parts == 2) AscendC::Duplicate(bound_buf_.Get<float>(), -kBf16Max, hr * rp_);  // WriteV's clamp
    pipe->InitBuffer(v_out_que_, 2, hr * rp_ * 4);
  }

  __aicore__ inline void Process() {
    CountWork(t_, group_, groups_n_, total_items_, total_tiles_);
    for (int32_t i = group_; i < t_.num_groups * t_.pieces; i += groups_n_) RunItem(ReadExpandItem(groups_, t_, i));
  }

 private:
  // This core's half of the group's v rows, as W-dtype parts, to the workspace.
  __aicore__ inline void WriteV(const ExpandItem& it) {
    const int32_t half = (it.rows + 1) / 2;
    const int32_t r0 = sub_ == 0 ? 0 : half;
    const int32_t nr = sub_ == 0 ? half : it.rows - half;
    if (items_ > 0) AscendC::CrossCoreWaitFlag(kVRead);  // the cube copied the last item's v
    if (nr == 0) return;
    uint64_t first[kCubeGroupRows];
    for (int32_t r = 0; r < nr; r++) {
      first[r] = uint64_t(groups_.GetValue(3 * t_.num_groups + it.first + r0 + r)) * t_.rank;
    }
    LocalTensor<float> vf = vf_buf_.Get<float>();
    LoadScattered(v_que_, v_, first, nr, t_.rank, rp_);
    FinishLoad(v_que_, t_.v_dtype, vf, nr * rp_);
    if (t_.parts == 1) {
      StoreRows(v_out_que_, vf, wv_, uint64_t(r0) * t_.rank, nr, t_.rank, t_.rank, rp_);
      return;
    }
    // Two BF16 parts (the host asks for them with a BF16 W only): hi = v clamped to BF16's finite
    // range and rounded, lo = v - hi (exact in F32) rounded. The clamp keeps hi finite for a finite
    // v that would round to infinity, and gives an infinite v hi = +-max, lo = +-inf rather than
    // inf - inf. min(v, max) is -max(-v, -max): the vector unit's Max, and exact negations.
    const int32_t count = nr * rp_;
    LocalTensor<bfloat16_t> hi = hi_buf_.Get<bfloat16_t>();
    LocalTensor<float> lo = lo_buf_.Get<float>();
    LocalTensor<float> bound = bound_buf_.Get<float>();
    AscendC::Muls(lo, vf, -1.0f, count);
    VectorBarrier();
    AscendC::Max(lo, lo, bound, count);
    VectorBarrier();
    AscendC::Muls(lo, lo, -1.0f, count);
    VectorBarrier();
    AscendC::Max(lo, lo, bound, count);
    VectorBarrier();
    AscendC::Cast(hi, lo, AscendC::RoundMode::CAST_RINT, count);
    StoreRows(v_out_que_, lo, wv_, uint64_t(r0) * t_.rank, nr, t_.rank, t_.rank, rp_);  // rounds as hi
    VectorBarrier();
    AscendC::Cast(lo, hi, AscendC::RoundMode::CAST_NONE, count);
    VectorBarrier();
    AscendC::Sub(lo, vf, lo, count);
    StoreRows(v_out_que_, lo, wv_, (uint64_t(t_.ws_rows) + r0) * t_.rank, nr, t_.rank, t_.rank, rp_);
  }

  __aicore__ inline void RunItem(const ExpandItem& it) {
    WriteV(it);
    AscendC::CrossCoreSetFlag<2, AscendC::PIPE_MTE3>(kV);
    uint64_t first[kCubeGroupRows];
    for (int32_t r = 0; r < it.rows; r++) {
      first[r] = uint64_t(groups_.GetValue(3 * t_.num_groups + it.first + r)) * t_.y_row + t_.y_offset + it.n0;
    }
    LocalTensor<float> yf = yf_buf_.Get<float>();
    for (int32_t n0 = 0; n0 < it.n; n0 += t_.n_tile) {
      const int32_t n = MinI(t_.n_tile, it.n - n0);
      // This core's columns of the tile: the first or the second half (a multiple of 16 first).
      const int32_t h = MinI(AlignUp((n + 1) / 2, 16), n);
      const int32_t c0 = sub_ == 0 ? 0 : h;
      const int32_t len = sub_ == 0 ? h : n - h;
      const int32_t s = tiles_ % 2;
      AscendC::CrossCoreWaitFlag(kSums);  // the cube wrote the tile's sums
      if (len > 0) {
        StartLoad(s_que_, sums_, uint64_t(s) * t_.ws_rows * t_.n_tile + c0, it.rows, len, t_.n_tile, t_.half_pad);
        for (int32_t r = 0; r < it.rows; r++) first[r] += n0 + c0;
        LoadScattered(y_que_, y_, first, it.rows, len, t_.half_pad);
      }
      if (tiles_ + 2 < total_tiles_) AscendC::CrossCoreSetFlag<2, AscendC::PIPE_MTE2>(kSumsRead);
      if (len > 0) {
        Widen(y_que_, t_.y_dtype, yf, it.rows * t_.half_pad);
        LocalTensor<float> sums = s_que_.DeQue<float>();
        VectorBarrier();
        AscendC::Add(yf, yf, sums, it.rows * t_.half_pad);
        s_que_.FreeTensor(sums);
        StoreScattered(out_que_, yf, y_, first, it.rows, len, t_.half_pad);
        for (int32_t r = 0; r < it.rows; r++) first[r] -= n0 + c0;
      }
      tiles_++;
    }
    items_++;
  }

  ExpandCubeTiling t_;
  int32_t sub_ = 0, group_ = 0, groups_n_ = 1, rp_ = 16;
  int32_t items_ = 0, tiles_ = 0, total_items_ = 0, total_tiles_ = 0;
  FloatGm v_, y_, wv_, sums_;
  GlobalTensor<int32_t> groups_;
  InQue tiling_que_, s_que_, y_que_, v_que_;
  OutQue out_que_, v_out_que_;
  CalcBuf yf_buf_, vf_buf_, lo_buf_, hi_buf_, bound_buf_;
};

template <typename T>
__aicore__ inline void RunExpandCube(GM_ADDR w, GM_ADDR groups, GM_ADDR ws, GM_ADDR tiling) {
  AscendC::TPipe pipe;
  ExpandCube<T> op;
  op.Init(w, groups, ws, tiling, &pipe);
  op.Process();
}

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_bgmv_expand_cube_kernel(GM_ADDR v, GM_ADDR w, GM_ADDR groups, GM_ADDR ws,
                                                                     GM_ADDR y, GM_ADDR tiling) {
  KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2);
  using namespace npukit::ascend;
  if ASCEND_IS_AIC {
    // W's dtype decides the cube's operand type: one tiling word, read first.
    AscendC::GlobalTensor<int32_t> tw;
    tw.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(tiling), sizeof(ExpandCubeTiling) / 4);
    const int32_t w_dtype = tw.GetValue(offsetof(ExpandCubeTiling, w_dtype) / 4);
    if (w_dtype == kF16) {
      RunExpandCube<half>(w, groups, ws, tiling);
    } else if (w_dtype == kBF16) {
      RunExpandCube<bfloat16_t>(w, groups, ws, tiling);
    } else {
      RunExpandCube<float>(w, groups, ws, tiling);
    }
  }
  if ASCEND_IS_AIV {
    AscendC::TPipe pipe;
    ExpandVector op;
    op.Init(v, groups, ws, y, tiling, &pipe);
    op.Process();
  }
}
