// Argument structs of the element-wise kernels of a Llama-style layer (java dev.npukit.kernels
// RmsNormArgs, SiluMulArgs, EmbeddingArgs; docs/kernels.md). Every tensor is F32 unless stated.
#ifndef NPUKIT_ELEMENTWISE_H
#define NPUKIT_ELEMENTWISE_H

#include "npukit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

// RMS norm, optionally fused with the residual add (vLLM's fused_add_rms_norm), row by row:
//
//   residual absent:  out = x / sqrt(mean(x^2) + eps) * weight
//   residual present: residual := residual + x (in place, one F32 add per element), then
//                     out = residual / sqrt(mean(residual^2) + eps) * weight
//
// x, out [rows, hidden], hidden > 0; residual [rows, hidden] or absent (all zero); weight [hidden];
// eps finite and >= 0. out shares no memory with x or residual, nor residual with x. The mean
// square accumulates in F32 in an order of the backend's own; the scale is 1 / sqrt(ms + eps) in
// F32 and each output is (value * scale) * weight.
typedef struct npukit_rms_norm_args {
  npukit_tensor x;
  npukit_tensor residual;
  npukit_tensor weight;
  npukit_tensor out;
  float eps;
} npukit_rms_norm_args;

// SwiGLU's gated activation: out[r, i] = silu(gate_up[r, i]) * gate_up[r, inter + i], with
// silu(g) = g / (1 + exp(-g)) in F32 and silu(-inf) = -0 (its limit; the quotient would be
// -inf / inf). gate_up [rows, 2 * inter], out [rows, inter], inter > 0, sharing no memory.
typedef struct npukit_silu_mul_args {
  npukit_tensor gate_up;
  npukit_tensor out;
} npukit_silu_mul_args;

// Embedding lookup or row gather: out[r] = table[ids[r]] widened to F32 (exact).
// table [vocab, hidden] F32/F16/BF16; ids I32 [rows], each in [0, vocab); out [rows, hidden],
// sharing no memory with table or ids. Nothing is written when an id is out of range.
typedef struct npukit_embedding_args {
  npukit_tensor table;
  npukit_tensor ids;
  npukit_tensor out;
} npukit_embedding_args;

#ifdef __cplusplus
}
#endif

#endif
