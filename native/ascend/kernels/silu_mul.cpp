// SiLU-and-multiply (docs/kernels.md, SiLU and multiply) as an AscendC vector kernel:
// out = silu(gate) * up, silu(g) = g / (1 + exp(-g)) with the gate first raised to at least
// -FLT_MAX, so that a gate of -inf gives -FLT_MAX / inf = -0 rather than -inf / inf = NaN (a NaN
// gate stays NaN: Max returns its second operand unless the first is greater).
//
// Tiling: work items (row, tile of `tile` elements of inter) are dealt round-robin to the AI
// cores by GetBlockIdx(); an item loads its gate and up tiles, computes in F32 and stores.
#include "kernel_common.h"

namespace npukit {
namespace ascend {
namespace {

constexpr float kLowestFloat = -3.40282346638528859812e+38f;

class SiluMul {
 public:
  __aicore__ inline void Init(GM_ADDR gate_up, GM_ADDR out, GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    gu_.Init(gate_up, kF32, uint64_t(t_.rows) * 2 * t_.inter);
    out_.Init(out, kF32, uint64_t(t_.rows) * t_.inter);
    const int32_t bytes = t_.tile * 4;
    pipe->InitBuffer(in_que_, 2, bytes);
    pipe->InitBuffer(out_que_, 2, bytes);
    pipe->InitBuffer(g_buf_, bytes);
    pipe->InitBuffer(u_buf_, bytes);
    pipe->InitBuffer(e_buf_, bytes);
    pipe->InitBuffer(low_buf_, bytes);
  }

  __aicore__ inline void Process() {
    LocalTensor<float> low = low_buf_.Get<float>();
    AscendC::Duplicate(low, kLowestFloat, t_.tile);
    VectorBarrier();
    const int32_t items = t_.rows * t_.tiles;
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < items;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      Item(i / t_.tiles, (i % t_.tiles) * t_.tile, low);
    }
  }

 private:
  __aicore__ inline void Item(int32_t r, int32_t c0, const LocalTensor<float>& low) {
    const int32_t len = MinI(t_.tile, t_.inter - c0);
    const uint64_t gate0 = uint64_t(r) * 2 * t_.inter + c0;
    LocalTensor<float> g = g_buf_.Get<float>();
    LocalTensor<float> u = u_buf_.Get<float>();
    LocalTensor<float> e = e_buf_.Get<float>();
    LoadRows(in_que_, g, gu_, gate0, 1, len, len, t_.tile);
    LoadRows(in_que_, u, gu_, gate0 + t_.inter, 1, len, len, t_.tile);
    AscendC::Max(g, low, g, len);
    VectorBarrier();
    AscendC::Muls(e, g, -1.0f, len);
    VectorBarrier();
    AscendC::Exp(e, e, len);
    VectorBarrier();
    AscendC::Adds(e, e, 1.0f, len);
    VectorBarrier();
    AscendC::Div(g, g, e, len);
    VectorBarrier();
    AscendC::Mul(g, g, u, len);
    StoreRows(out_que_, g, out_, uint64_t(r) * t_.inter + c0, 1, len, len, t_.tile);
  }

  SiluMulTiling t_;
  FloatGm gu_, out_;
  InQue in_que_;
  OutQue out_que_;
  CalcBuf g_buf_, u_buf_, e_buf_, low_buf_;
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_silu_mul_kernel(GM_ADDR gate_up, GM_ADDR out, GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::SiluMul op;
  op.Init(gate_up, out, tiling, &pipe);
  op.Process();
}
