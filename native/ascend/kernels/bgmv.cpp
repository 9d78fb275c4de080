// BGMV multi-LoRA shrink and expand (docs/kernels.md, BGMV) as AscendC vector kernels; the tiling is that
// of dot_rows.h. Shrink: y[b] = scale * A[idx[b]] . x[b] (idx -1: zeros). Expand:
// y[b, off : off + h_out] += W[idx[b]] . v[b] (idx -1: unchanged). The host checked every index.
#include "dot_rows.h"

extern "C" __global__ __aicore__ void npukit_bgmv_shrink_kernel(GM_ADDR x, GM_ADDR a, GM_ADDR indices, GM_ADDR y,
                                                                GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::DotRows op;
  op.Init(npukit::ascend::DotMode::kShrink, x, a, indices, y, tiling, &pipe);
  op.Process();
}

extern "C" __global__ __aicore__ void npukit_bgmv_expand_kernel(GM_ADDR v, GM_ADDR w, GM_ADDR indices, GM_ADDR y,
                                                                GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::DotRows op;
  op.Init(npukit::ascend::DotMode::kExpand, v, w, indices, y, tiling, &pipe);
  op.Process();
}
