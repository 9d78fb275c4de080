// The dot-product core of BGMV shrink, BGMV expand and matmul: for a work item (batch row b,
// tile of n_tile output elements), out[j] = sum_k W[j, k] * x[b, k] in F32, with W the weight
// matrix selected for the row (its LoRA adapter, or the single matmul weight).
//
// Tiling: work items (b, output tile) are dealt round-robin to the AI cores by GetBlockIdx().
// The reduction dimension is walked in tiles of k_tile elements; one strided DataCopyPad brings
// the [n_tile, k_tile] weight tile in, and the next tile's copies (weights and x) are issued
// before the current one is reduced (2-buffer queues: double buffering). n_tile and k_tile are
// chosen on the host so that the tiles fit the unified buffer (DotUbBytes in tiling.h).
// Each output element is Mul + ReduceSum over the k tile into its own 32-byte slot of a result
// tile; after the tile, one vector -> scalar synchronisation and the scalar unit adds the n
// results to the F32 accumulators (one scalar -> vector synchronisation hands them back).
// Vector unit only: the cube unit (Mmad) would be the faster path for large matmuls on real
// hardware, but the emulator does not model it, so npukit keeps one tested path.
#ifndef NPUKIT_ASCEND_DOT_ROWS_H
#define NPUKIT_ASCEND_DOT_ROWS_H

#include "kernel_common.h"

namespace npukit {
namespace ascend {

enum class DotMode { kShrink, kExpand, kMatmul };

class DotRows {
 public:
  // x [batch, in_dim]; w [num_mats, out_dim, in_dim]; indices I32 [batch] (not for matmul);
  // y: shrink/matmul F32 [batch, out_dim]; expand [batch, y_row] of y_dtype; bias F32 [out_dim]
  // (matmul with has_bias only).
  __aicore__ inline void Init(DotMode mode, GM_ADDR x, GM_ADDR w, GM_ADDR indices, GM_ADDR y, GM_ADDR tiling,
                              AscendC::TPipe* pipe, GM_ADDR bias = nullptr) {
    mode_ = mode;
    LoadTiling(tiling, t_);
    if (mode == DotMode::kMatmul && t_.has_bias) bias_.Init(bias, kF32, t_.out_dim);
    x_.Init(x, t_.x_dtype, uint64_t(t_.batch) * t_.in_dim);
    w_.Init(w, t_.w_dtype, uint64_t(t_.num_mats) * t_.out_dim * t_.in_dim);
    if (mode != DotMode::kMatmul) indices_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(indices), t_.batch);
    const uint64_t y_numel = uint64_t(t_.batch) * (mode == DotMode::kExpand ? t_.y_row : t_.out_dim);
    y_.Init(y, mode == DotMode::kExpand ? t_.y_dtype : kF32, y_numel);
    kp_ = AlignUp(t_.k_tile, 16);
    np_ = AlignUp(t_.n_tile, 16);
    pipe->InitBuffer(w_que_, 2, t_.n_tile * kp_ * 4);
    pipe->InitBuffer(x_que_, 2, kp_ * 4);
    pipe->InitBuffer(y_in_que_, 2, np_ * 4);
    pipe->InitBuffer(y_out_que_, 2, np_ * 4);
    pipe->InitBuffer(wf_buf_, t_.n_tile * kp_ * 4);
    pipe->InitBuffer(xf_buf_, kp_ * 4);
    pipe->InitBuffer(tmp_buf_, kp_ * 4);
    pipe->InitBuffer(work_buf_, kp_ * 4);
    pipe->InitBuffer(acc_buf_, np_ * 4);
    pipe->InitBuffer(yf_buf_, np_ * 4);
    pipe->InitBuffer(red_buf_, t_.n_tile * 32);
  }

  __aicore__ inline void Process() {
    const int32_t items = t_.batch * t_.n_tiles;
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < items;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      RunItem(i / t_.n_tiles, (i % t_.n_tiles) * t_.n_tile);
    }
  }

 private:
  __aicore__ inline int32_t KLen(int32_t k0) const { return MinI(t_.k_tile, t_.in_dim - k0); }

  __aicore__ inline void StartK(uint64_t w0, uint64_t x0, int32_t k0, int32_t n) {
    const int32_t len = KLen(k0);
    StartLoad(w_que_, w_, w0 + k0, n, len, t_.in_dim, kp_);
    StartLoad(x_que_, x_, x0 + k0, 1, len, len, kp_);
  }

  __aicore__ inline void RunItem(int32_t b, int32_t n0) {
    const int32_t n = MinI(t_.n_tile, t_.out_dim - n0);
    const int32_t mat = mode_ == DotMode::kMatmul ? 0 : indices_.GetValue(b);
    LocalTensor<float> acc = acc_buf_.Get<float>();
    if (mat < 0) {
      // A base row (index -1): shrink writes zeros, expand leaves y unchanged.
      if (mode_ == DotMode::kShrink) {
        AscendC::Duplicate(acc, 0.0f, np_);
        StoreRows(y_out_que_, acc, y_, uint64_t(b) * t_.out_dim + n0, 1, n, n, np_);
      }
      return;
    }
    AscendC::Duplicate(acc, 0.0f, np_);
    VectorBarrier();
    LocalTensor<float> wf = wf_buf_.Get<float>();
    LocalTensor<float> xf = xf_buf_.Get<float>();
    LocalTensor<float> tmp = tmp_buf_.Get<float>();
    LocalTensor<float> work = work_buf_.Get<float>();
    LocalTensor<float> red = red_buf_.Get<float>();
    const uint64_t w0 = (uint64_t(mat) * t_.out_dim + n0) * t_.in_dim;
    const uint64_t x0 = uint64_t(b) * t_.in_dim;
    if (t_.in_dim > 0) StartK(w0, x0, 0, n);
    for (int32_t k0 = 0; k0 < t_.in_dim; k0 += t_.k_tile) {
      const int32_t len = KLen(k0);
      FinishLoad(w_que_, t_.w_dtype, wf, n * kp_);
      FinishLoad(x_que_, t_.x_dtype, xf, kp_);
      if (k0 + t_.k_tile < t_.in_dim) StartK(w0, x0, k0 + t_.k_tile, n);
      for (int32_t j = 0; j < n; j++) {
        AscendC::Mul(tmp, wf[j * kp_], xf, len);
        VectorBarrier();
        AscendC::ReduceSum(red[j * 8], tmp, work, len);
      }
      Sync<HardEvent::V_S>();
      for (int32_t j = 0; j < n; j++) acc.SetValue(j, acc.GetValue(j) + red.GetValue(j * 8));
      Sync<HardEvent::S_V>();  // acc goes back to the vector unit; red is overwritten next tile
    }
    if (mode_ == DotMode::kExpand) {
      // y slice += acc, in F32, rounded once to y's dtype.
      const uint64_t y0 = uint64_t(b) * t_.y_row + t_.y_offset + n0;
      LocalTensor<float> yf = yf_buf_.Get<float>();
      LoadRows(y_in_que_, yf, y_, y0, 1, n, n, np_);
      AscendC::Add(yf, yf, acc, n);
      StoreRows(y_out_que_, yf, y_, y0, 1, n, n, np_);
    } else {
      if (mode_ == DotMode::kShrink) AscendC::Muls(acc, acc, t_.scale, n);
      if (mode_ == DotMode::kMatmul && t_.has_bias) {
        // The bias is added once to the finished sums (npukit/matmul.h).
        LocalTensor<float> bf = yf_buf_.Get<float>();
        LoadRows(y_in_que_, bf, bias_, n0, 1, n, n, np_);
        AscendC::Add(acc, acc, bf, n);
      }
      StoreRows(y_out_que_, acc, y_, uint64_t(b) * t_.out_dim + n0, 1, n, n, np_);
    }
  }

  DotMode mode_ = DotMode::kMatmul;
  DotTiling t_;
  int32_t kp_ = 16;
  int32_t np_ = 16;
  FloatGm x_, w_, y_, bias_;
  GlobalTensor<int32_t> indices_;
  InQue w_que_, x_que_, y_in_que_;
  OutQue y_out_que_;
  CalcBuf wf_buf_, xf_buf_, tmp_buf_, work_buf_, acc_buf_, yf_buf_, red_buf_;
};

}  // namespace ascend
}  // namespace npukit

#endif
