// Embedding lookup / row gather (docs/kernels.md, embedding) as an AscendC vector kernel:
// out[r] = table[ids[r]] widened to F32.
//
// Tiling: work items (row, tile of `tile` elements of hidden) are dealt round-robin to the AI
// cores by GetBlockIdx(); an item copies its table tile in (in the table's dtype), widens it with
// Cast (exact) and copies it out. The ids are the launcher's checked copy in device memory.
#include "kernel_common.h"

namespace npukit {
namespace ascend {
namespace {

class Embedding {
 public:
  __aicore__ inline void Init(GM_ADDR table, GM_ADDR ids, GM_ADDR out, GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    table_.Init(table, t_.dtype, uint64_t(t_.vocab) * t_.hidden);
    ids_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(ids), t_.rows);
    out_.Init(out, kF32, uint64_t(t_.rows) * t_.hidden);
    const int32_t bytes = t_.tile * 4;
    pipe->InitBuffer(in_que_, 2, bytes);
    pipe->InitBuffer(out_que_, 2, bytes);
    pipe->InitBuffer(f_buf_, bytes);
  }

  __aicore__ inline void Process() {
    LocalTensor<float> f = f_buf_.Get<float>();
    const int32_t items = t_.rows * t_.tiles;
    for (int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx()); i < items;
         i += static_cast<int32_t>(AscendC::GetBlockNum())) {
      const int32_t r = i / t_.tiles;
      const int32_t c0 = (i % t_.tiles) * t_.tile;
      const int32_t len = MinI(t_.tile, t_.hidden - c0);
      const uint64_t src = uint64_t(ids_.GetValue(r)) * t_.hidden + c0;
      LoadRows(in_que_, f, table_, src, 1, len, len, t_.tile);
      StoreRows(out_que_, f, out_, uint64_t(r) * t_.hidden + c0, 1, len, len, t_.tile);
    }
  }

 private:
  EmbeddingTiling t_;
  FloatGm table_, out_;
  GlobalTensor<int32_t> ids_;
  InQue in_que_;
  OutQue out_que_;
  CalcBuf f_buf_;
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_embedding_kernel(GM_ADDR table, GM_ADDR ids, GM_ADDR out,
                                                              GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::Embedding op;
  op.Init(table, ids, out, tiling, &pipe);
  op.Process();
}
