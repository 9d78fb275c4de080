// Argument struct of the dense linear layer for the model (java dev.npukit.kernels.MatmulArgs):
//
//   out[m, n] = sum_k x[m, k] * w[n, k] + bias[n]     x      [m, k] (F32/F16/BF16)
//                                                     weight [n, k] (F32/F16/BF16), PyTorch Linear layout
//                                                     bias   F32 [n], or absent (all zero): no bias
//                                                     out    F32 [m, n], overwritten
//
// Inputs are widened to F32 and each dot product accumulates in F32; the bias is added once to
// the finished sum. Every output element is
// summed in the same order whatever m and the tiling are, so a row's result does not depend on
// which other rows share the batch (decode and prefill of the same token agree bit for bit).
#ifndef NPUKIT_MATMUL_H
#define NPUKIT_MATMUL_H

#include "npukit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct npukit_matmul_args {
  npukit_tensor x;
  npukit_tensor weight;
  npukit_tensor bias;
  npukit_tensor out;
} npukit_matmul_args;

#ifdef __cplusplus
}
#endif

#endif
