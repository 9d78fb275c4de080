// BGMV multi-LoRA (DESIGN 3.4): one LoRA adapter per batch row, chosen by an index, so that
// expert rows (their adapter) and base rows (index -1, no adapter) run in one batch.
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
// Inputs are widened to F32 and every dot product accumulates in F32 (summation order is the
// kernel's, so results match the reference within the DESIGN 3.5 bound, not bit for bit); expand
// adds to y in F32 and rounds once to y's dtype. Indices are checked before anything is written.
#ifndef NPUKIT_BGMV_H
#define NPUKIT_BGMV_H

#include "npukit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

int npukit_bgmv_shrink(
    const void* x, int x_dtype, int64_t x_numel,
    const void* a, int a_dtype, int64_t a_numel,
    const int32_t* indices, int64_t indices_numel,
    float* y, int64_t y_numel,
    int batch, int h_in, int rank, int num_loras, float scale);

int npukit_bgmv_expand(
    const void* v, int v_dtype, int64_t v_numel,
    const void* w, int w_dtype, int64_t w_numel,
    const int32_t* indices, int64_t indices_numel,
    void* y, int y_dtype, int64_t y_numel, int y_row, int offset,
    int batch, int rank, int h_out, int num_loras);

#ifdef __cplusplus
}
#endif

#endif
