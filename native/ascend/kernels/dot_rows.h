// The vector dot-product core of matmul and of BGMV shrink when x and A differ in dtype (the
// cube, bgmv_shrink.cpp, multiplies like dtypes only): out[b, j] = sum_k W[j, k] * x[b, k] in
// F32, with W the weight matrix of row b (its LoRA adapter, or the single matmul weight).
//
// Work item = (row group, tile of n_tile output elements). A row group is up to kMaxGroupRows rows
// that use the same weight matrix (the host groups them, tiling.h DotGroups), so each weight
// tile crosses HBM once per group, not once per row. Items are dealt round-robin to the AI cores
// by GetBlockIdx(). The reduction dimension is walked in tiles of k_tile elements: one strided
// DataCopyPad brings the [n_tile, k_tile] weight tile, one DataCopyPad each row's x tile, and the
// next tile's copies are issued before the current one is reduced (2-buffer queues: double
// buffering). Each output is Mul (into its row of a product tile) + ReduceSum over the k tile
// into its own 32-byte slot of a result tile; after the tile, one vector -> scalar synchronisation and the scalar unit adds the
// group's results to its F32 accumulators (one scalar -> vector synchronisation hands them back).
// Each output element is summed in the same order whatever the grouping and the tiling.
//
// Why two rows a group: Mul + ReduceSum is two vector instructions per multiply-add, 16 per cycle
// at 128 bytes a cycle (vec_calc_size, README "Cost model"); one core's share of the HBM
// bandwidth is 1.6 TB/s / 48 cores / 1850 MHz = 18 bytes a cycle, 9 BF16 weights. A weight that
// feeds two rows keeps the vector unit about as busy as the core's share of HBM; more rows would
// make the vector unit the bound without making the kernel faster.
// Matmul has not been moved to the cube path of bgmv_shrink.cpp yet; its mixed-dtype calls would
// stay here, as shrink's do.
#ifndef NPUKIT_ASCEND_DOT_ROWS_H
#define NPUKIT_ASCEND_DOT_ROWS_H

#include "kernel_common.h"

namespace npukit {
namespace ascend {

enum class DotMode { kShrink, kMatmul };

class DotRows {
 public:
  // x [batch, in_dim]; w [num_mats, out_dim, in_dim]; groups: the group table of tiling.h
  // (DotGroups); y F32 [batch, out_dim]; bias F32 [out_dim] (matmul with has_bias only).
  __aicore__ inline void Init(DotMode mode, GM_ADDR x, GM_ADDR w, GM_ADDR groups, GM_ADDR y, GM_ADDR tiling,
                              AscendC::TPipe* pipe, GM_ADDR bias = nullptr) {
    mode_ = mode;
    LoadTiling(tiling, t_);
    has_bias_ = mode == DotMode::kMatmul && t_.has_bias;
    if (has_bias_) bias_.Init(bias, kF32, t_.out_dim);
    x_.Init(x, t_.x_dtype, uint64_t(t_.batch) * t_.in_dim);
    w_.Init(w, t_.w_dtype, uint64_t(t_.num_mats) * t_.out_dim * t_.in_dim);
    groups_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(groups), DotGroupWords(t_.num_groups, t_.batch));
    y_.Init(y, kF32, uint64_t(t_.batch) * t_.out_dim);
    kp_ = AlignUp(t_.k_tile, 16);
    np_ = AlignUp(t_.n_tile, 16);
    pipe->InitBuffer(w_que_, 2, t_.n_tile * kp_ * 4);
    for (int32_t r = 0; r < kMaxGroupRows; r++) {
      pipe->InitBuffer(x_que_[r], 2, kp_ * 4);
      pipe->InitBuffer(xf_buf_[r], kp_ * 4);
      pipe->InitBuffer(acc_buf_[r], np_ * 4);
    }
    pipe->InitBuffer(y_out_que_, 2, np_ * 4);
    pipe->InitBuffer(wf_buf_, t_.n_tile * kp_ * 4);
    pipe->InitBuffer(prod_buf_, t_.n_tile * kp_ * 4);
    pipe->InitBuffer(work_buf_, kp_ * 4);
    pipe->InitBuffer(red_buf_, kMaxGroupRows * t_.n_tile * 32);
    if (has_bias_) pipe->InitBuffer(bias_buf_, np_ * 4);
  }

  __aicore__ inline void Process() {
    const int32_t items = t_.num_groups * t_.n_tiles;
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < items;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      RunItem(i / t_.n_tiles, (i % t_.n_tiles) * t_.n_tile);
    }
  }

 private:
  __aicore__ inline int32_t KLen(int32_t k0) const { return MinI(t_.k_tile, t_.in_dim - k0); }

  __aicore__ inline void StartK(uint64_t w0, int32_t k0, int32_t n) {
    const int32_t len = KLen(k0);
    StartLoad(w_que_, w_, w0 + k0, n, len, t_.in_dim, kp_);
    for (int32_t r = 0; r < rows_; r++) StartLoad(x_que_[r], x_, uint64_t(row_[r]) * t_.in_dim + k0, 1, len, len, kp_);
  }

  __aicore__ inline void RunItem(int32_t g, int32_t n0) {
    const int32_t n = MinI(t_.n_tile, t_.out_dim - n0);
    const int32_t first = groups_.GetValue(g);
    rows_ = groups_.GetValue(g + 1) - first;
    const int32_t mat = groups_.GetValue(GroupMatWord(t_.num_groups, g));
    for (int32_t r = 0; r < rows_; r++) row_[r] = groups_.GetValue(GroupRowWord(t_.num_groups, first + r));
    if (mat < 0) {
      // Rows without an adapter (index -1): shrink writes zeros.
      LocalTensor<float> zero = acc_buf_[0].Get<float>();
      AscendC::Duplicate(zero, 0.0f, np_);
      for (int32_t r = 0; r < rows_; r++) StoreRows(y_out_que_, zero, y_, uint64_t(row_[r]) * t_.out_dim + n0, 1, n, n, np_);
      return;
    }
    for (int32_t r = 0; r < rows_; r++) AscendC::Duplicate(acc_buf_[r].Get<float>(), 0.0f, np_);
    VectorBarrier();
    LocalTensor<float> wf = wf_buf_.Get<float>();
    LocalTensor<float> prod = prod_buf_.Get<float>();
    LocalTensor<float> work = work_buf_.Get<float>();
    LocalTensor<float> red = red_buf_.Get<float>();
    const uint64_t w0 = (uint64_t(mat) * t_.out_dim + n0) * t_.in_dim;
    if (t_.in_dim > 0) StartK(w0, 0, n);
    for (int32_t k0 = 0; k0 < t_.in_dim; k0 += t_.k_tile) {
      const int32_t len = KLen(k0);
      FinishLoad(w_que_, t_.w_dtype, wf, n * kp_);
      for (int32_t r = 0; r < rows_; r++) FinishLoad(x_que_[r], t_.x_dtype, xf_buf_[r].Get<float>(), kp_);
      if (k0 + t_.k_tile < t_.in_dim) StartK(w0, k0 + t_.k_tile, n);
      for (int32_t r = 0; r < rows_; r++) {
        // All n products first, one barrier, then the n sums: a barrier per row, not per output.
        LocalTensor<float> xf = xf_buf_[r].Get<float>();
        for (int32_t j = 0; j < n; j++) AscendC::Mul(prod[j * kp_], wf[j * kp_], xf, len);
        VectorBarrier();
        for (int32_t j = 0; j < n; j++) AscendC::ReduceSum(red[(r * t_.n_tile + j) * 8], prod[j * kp_], work, len);
      }
      Sync<HardEvent::V_S>();
      for (int32_t r = 0; r < rows_; r++) {
        LocalTensor<float> acc = acc_buf_[r].Get<float>();
        for (int32_t j = 0; j < n; j++) acc.SetValue(j, acc.GetValue(j) + red.GetValue((r * t_.n_tile + j) * 8));
      }
      Sync<HardEvent::S_V>();  // acc goes back to the vector unit; red is overwritten next tile
    }
    if (has_bias_) {
      // The bias is added once to the finished sums (npukit/matmul.h); the weight queue is idle
      // now, so it stages the bias tile.
      LoadRows(w_que_, bias_buf_.Get<float>(), bias_, n0, 1, n, n, np_);
    }
    for (int32_t r = 0; r < rows_; r++) {
      LocalTensor<float> acc = acc_buf_[r].Get<float>();
      if (mode_ == DotMode::kShrink) AscendC::Muls(acc, acc, t_.scale, n);
      if (has_bias_) AscendC::Add(acc, acc, bias_buf_.Get<float>(), n);
      StoreRows(y_out_que_, acc, y_, uint64_t(row_[r]) * t_.out_dim + n0, 1, n, n, np_);
    }
  }

  DotMode mode_ = DotMode::kMatmul;
  DotTiling t_;
  int32_t kp_ = 16;
  int32_t np_ = 16;
  int32_t rows_ = 0;
  int32_t row_[kMaxGroupRows] = {};
  bool has_bias_ = false;
  FloatGm x_, w_, y_, bias_;
  GlobalTensor<int32_t> groups_;
  InQue w_que_, x_que_[kMaxGroupRows];
  OutQue y_out_que_;
  CalcBuf wf_buf_, prod_buf_, work_buf_, red_buf_, bias_buf_, xf_buf_[kMaxGroupRows], acc_buf_[kMaxGroupRows];
};

}  // namespace ascend
}  // namespace npukit

#endif
