// Argument structs of BGMV multi-LoRA (docs/kernels.md, BGMV): one LoRA adapter per batch row, chosen by an
// index, so that expert rows (their adapter) and base rows (index -1, no adapter) run in one batch.
//
//   shrink: y[b, :] = scale * A[idx[b]] . x[b]        x [batch, h_in] (F32/F16/BF16)
//                                                       A [num_loras, rank, h_in] (F32/F16/BF16)
//                                                       y F32 [batch, rank]; idx[b] = -1: y[b] = 0
//   expand: y[b, offset : offset + h_out] += W[idx[b]] . v[b]
//                                                       v [batch, rank] (F32/F16/BF16)
//                                                       W [num_loras, h_out, rank] (F32/F16/BF16)
//                                                       y [batch, y_row] (F32/F16/BF16), the slice
//                                                       offset .. offset + h_out <= y_row;
//                                                       idx[b] = -1: row unchanged
// indices is I32 [batch], each in [-1, num_loras). Inputs are widened to F32 and every dot
// product accumulates in F32 (summation order is the kernel's, so results match the reference
// within the docs/kernels.md, equality between backends bound, not bit for bit); expand adds to y in F32 and rounds once to y's
// dtype. Indices are checked before anything is written.
#ifndef NPUKIT_BGMV_H
#define NPUKIT_BGMV_H

#include "npukit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct npukit_bgmv_shrink_args {
  npukit_tensor x;
  npukit_tensor a;
  npukit_tensor indices;
  npukit_tensor y;
  float scale;
} npukit_bgmv_shrink_args;

typedef struct npukit_bgmv_expand_args {
  npukit_tensor v;
  npukit_tensor w;
  npukit_tensor indices;
  npukit_tensor y;
  int32_t offset;
} npukit_bgmv_expand_args;

#ifdef __cplusplus
}
#endif

#endif
