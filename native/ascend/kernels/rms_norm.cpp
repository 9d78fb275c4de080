// RMS norm with the optional fused residual add (docs/kernels.md, RMS norm) as an AscendC vector
// kernel.
//
// Tiling: rows are dealt round-robin to the AI cores by GetBlockIdx(). A row is walked in tiles
// of `tile` elements twice, so rows of any length fit the unified buffer: the first pass sums
// the squares of x (+ residual) per tile (Mul + ReduceSum, added on the scalar unit in tile
// order); the second reloads the tiles, forms residual + x again (the same F32 add), writes it
// to the residual and out = (v * scale) * weight. Each residual element is written once, after
// every read of it, so no global-memory read depends on a write of the same launch.
#include "kernel_common.h"

namespace npukit {
namespace ascend {
namespace {

class RmsNorm {
 public:
  __aicore__ inline void Init(GM_ADDR x, GM_ADDR residual, GM_ADDR weight, GM_ADDR out, GM_ADDR tiling,
                              AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    const uint64_t numel = uint64_t(t_.rows) * t_.hidden;
    x_.Init(x, kF32, numel);
    if (t_.has_residual) res_.Init(residual, kF32, numel);
    w_.Init(weight, kF32, t_.hidden);
    out_.Init(out, kF32, numel);
    const int32_t bytes = t_.tile * 4;
    pipe->InitBuffer(in_que_, 2, bytes);
    pipe->InitBuffer(out_que_, 2, bytes);
    pipe->InitBuffer(xf_buf_, bytes);
    pipe->InitBuffer(rf_buf_, bytes);
    pipe->InitBuffer(wf_buf_, bytes);
    pipe->InitBuffer(sq_buf_, bytes);
    pipe->InitBuffer(work_buf_, ((t_.tile + 63) / 64 + 7) / 8 * 8 * 4);
    pipe->InitBuffer(red_buf_, 32);
    pipe->InitBuffer(s_buf_, 32);
    pipe->InitBuffer(one_buf_, 32);
  }

  __aicore__ inline void Process() {
    for (int32_t r = static_cast<int32_t>(AscendC::GetBlockIdx()); r < t_.rows;
         r += static_cast<int32_t>(AscendC::GetBlockNum())) {
      Row(uint64_t(r) * t_.hidden);
    }
  }

 private:
  // x (+ residual) of one tile in F32: the result is xf, or rf holding residual + x.
  __aicore__ inline LocalTensor<float> Input(uint64_t first, int32_t len) {
    LocalTensor<float> xf = xf_buf_.Get<float>();
    LoadRows(in_que_, xf, x_, first, 1, len, len, t_.tile);
    if (!t_.has_residual) return xf;
    LocalTensor<float> rf = rf_buf_.Get<float>();
    LoadRows(in_que_, rf, res_, first, 1, len, len, t_.tile);
    AscendC::Add(rf, rf, xf, len);
    VectorBarrier();
    return rf;
  }

  __aicore__ inline void Row(uint64_t row0) {
    LocalTensor<float> sq = sq_buf_.Get<float>();
    LocalTensor<float> work = work_buf_.Get<float>();
    LocalTensor<float> red = red_buf_.Get<float>();
    float ss = 0.0f;
    for (int32_t c0 = 0; c0 < t_.hidden; c0 += t_.tile) {
      const int32_t len = MinI(t_.tile, t_.hidden - c0);
      LocalTensor<float> v = Input(row0 + c0, len);
      AscendC::Mul(sq, v, v, len);
      VectorBarrier();
      AscendC::ReduceSum(red, sq, work, len);
      Sync<HardEvent::V_S>();
      ss += red.GetValue(0);
      Sync<HardEvent::S_V>();  // red is overwritten by the next tile's ReduceSum
    }
    // scale = 1 / sqrt(ss / hidden + eps), on the vector unit (the scalar unit has no sqrt).
    LocalTensor<float> s = s_buf_.Get<float>();
    LocalTensor<float> one = one_buf_.Get<float>();
    AscendC::Duplicate(s, ss / static_cast<float>(t_.hidden) + t_.eps, 8);
    AscendC::Duplicate(one, 1.0f, 8);
    VectorBarrier();
    AscendC::Sqrt(s, s, 8);
    VectorBarrier();
    AscendC::Div(s, one, s, 8);
    Sync<HardEvent::V_S>();
    const float scale = s.GetValue(0);
    Sync<HardEvent::S_V>();  // s is rewritten by the next row
    LocalTensor<float> wf = wf_buf_.Get<float>();
    for (int32_t c0 = 0; c0 < t_.hidden; c0 += t_.tile) {
      const int32_t len = MinI(t_.tile, t_.hidden - c0);
      LocalTensor<float> v = Input(row0 + c0, len);
      if (t_.has_residual) StoreRows(out_que_, v, res_, row0 + c0, 1, len, len, t_.tile);
      LoadRows(in_que_, wf, w_, c0, 1, len, len, t_.tile);
      AscendC::Muls(v, v, scale, len);
      VectorBarrier();
      AscendC::Mul(v, v, wf, len);
      StoreRows(out_que_, v, out_, row0 + c0, 1, len, len, t_.tile);
    }
  }

  RmsNormTiling t_;
  FloatGm x_, res_, w_, out_;
  InQue in_que_;
  OutQue out_que_;
  CalcBuf xf_buf_, rf_buf_, wf_buf_, sq_buf_, work_buf_, red_buf_, s_buf_, one_buf_;
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_rms_norm_kernel(GM_ADDR x, GM_ADDR residual, GM_ADDR weight,
                                                             GM_ADDR out, GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::RmsNorm op;
  op.Init(x, residual, weight, out, tiling, &pipe);
  op.Process();
}
