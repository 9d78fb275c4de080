// Standalone in-place rotary embedding (docs/kernels.md, standalone RoPE) as an AscendC vector kernel.
//
// Tiling: tokens are dealt round-robin to the AI cores by GetBlockIdx(). For a token, the rotary
// part (first rotary_dim elements) of heads_per_tile heads is copied in with one strided
// DataCopyPad, converted to F32, rotated with the shared Rotator (bit-exact with the reference,
// see kernel_common.h), rounded back and copied out; elements past rotary_dim are never touched.
// heads_per_tile is the largest count whose tiles fit the unified buffer.
#include "kernel_common.h"

namespace npukit {
namespace ascend {
namespace {

class Rope {
 public:
  __aicore__ inline void Init(GM_ADDR x, GM_ADDR positions, GM_ADDR cos_sin, GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    x_.Init(x, t_.dtype, uint64_t(t_.num_tokens) * t_.num_heads * t_.head_dim);
    cs_.Init(cos_sin, kF32, uint64_t(t_.cos_sin_rows) * t_.rotary_dim);
    positions_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(positions), t_.num_tokens);
    const int32_t tile = t_.heads_per_tile * t_.rot_pad * 4;
    pipe->InitBuffer(in_que_, 2, tile);
    pipe->InitBuffer(out_que_, 2, tile);
    pipe->InitBuffer(f_buf_, tile);
    pipe->InitBuffer(cs_buf_, t_.rot_pad * 4);
    rotator_.Init(pipe, t_.style, t_.rotary_dim, t_.rot_pad);
  }

  __aicore__ inline void Process() {
    LocalTensor<float> f = f_buf_.Get<float>();
    LocalTensor<float> cs = cs_buf_.Get<float>();
    const int32_t rot = t_.rotary_dim;
    for (int32_t t = static_cast<int32_t>(AscendC::GetBlockIdx()); t < t_.num_tokens;
         t += static_cast<int32_t>(AscendC::GetBlockNum())) {
      LoadRows(in_que_, cs, cs_, uint64_t(positions_.GetValue(t)) * rot, 1, rot, rot, t_.rot_pad);
      rotator_.SetPosition(cs);
      for (int32_t h0 = 0; h0 < t_.num_heads; h0 += t_.heads_per_tile) {
        const int32_t heads = MinI(t_.heads_per_tile, t_.num_heads - h0);
        const uint64_t first = (uint64_t(t) * t_.num_heads + h0) * t_.head_dim;
        LoadRows(in_que_, f, x_, first, heads, rot, t_.head_dim, t_.rot_pad);
        for (int32_t h = 0; h < heads; h++) rotator_.Apply(f[h * t_.rot_pad]);
        StoreRows(out_que_, f, x_, first, heads, rot, t_.head_dim, t_.rot_pad);
      }
    }
  }

 private:
  RopeTiling t_;
  FloatGm x_, cs_;
  GlobalTensor<int32_t> positions_;
  InQue in_que_;
  OutQue out_que_;
  CalcBuf f_buf_, cs_buf_;
  Rotator rotator_;
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_rope_kernel(GM_ADDR x, GM_ADDR positions, GM_ADDR cos_sin,
                                                         GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::Rope op;
  op.Init(x, positions, cos_sin, tiling, &pipe);
  op.Process();
}
