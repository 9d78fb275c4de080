// Dense matmul out[M, N] = x[M, K] . weight[N, K]^T + bias[N] (PyTorch Linear layout, optional
// bias), F32 accumulation and F32 output, as an AscendC vector kernel; the tiling is that of
// dot_rows.h with one weight matrix, work items (row m, tile of N).
#include "dot_rows.h"

extern "C" __global__ __aicore__ void npukit_matmul_kernel(GM_ADDR x, GM_ADDR weight, GM_ADDR bias, GM_ADDR out,
                                                           GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::DotRows op;
  op.Init(npukit::ascend::DotMode::kMatmul, x, weight, nullptr, out, tiling, &pipe, bias);
  op.Process();
}
