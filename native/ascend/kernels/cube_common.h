// Building blocks of npukit's cube kernels (BGMV shrink and expand): moving row-major matrices
// from global memory into L1 in the NZ layout (ND2NZ DataCopy) and from L1 into L0A/L0B in the
// layouts Mmad reads (LoadData), Atlas A2 (dav_c220).
//
// Layouts (C0 = 32 / sizeof(T) elements, a 32-byte fractal row; a fractal is 16 rows x C0):
//   L1 NZ of an [r, c] matrix with column blocks of `padded_rows` rows: element (i, j) at
//     (j / C0) x padded_rows x C0 + i x C0 + j % C0, so fractal (column block q, row block i) is
//     fractal q x padded_rows / 16 + i;
//   L0A (ZZ) of Mmad's [m, k] operand: fractal (m block i, k block q) at i x kb + q;
//   L0B (ZN) of Mmad's [k, n] operand: fractal (k block q, n block j) at q x nb + j, each holding
//     16 n-rows of C0 k-values: the L1 NZ form of the [n, k] matrix (padded_rows = n rounded up
//     to 16) as it is.
#ifndef NPUKIT_ASCEND_CUBE_COMMON_H
#define NPUKIT_ASCEND_CUBE_COMMON_H

#include "kernel_common.h"

namespace npukit {
namespace ascend {

// ND2NZ copy (MTE2) of `rows` rows of `len` elements, `pitch` elements apart in global memory
// (pitch <= 65535: the copy's 16-bit srcDValue), into rows [0, rows) of an L1 NZ matrix whose
// column blocks are padded_rows rows long (dst may start at a later row: dst[row x C0]). Each
// row's last column block is completed with zeros, which Mmad reads as the reduction's padding.
template <typename T>
__aicore__ inline void CopyRowsNz(const LocalTensor<T>& dst, const GlobalTensor<T>& src, int32_t rows, int32_t len,
                                  uint64_t pitch, int32_t padded_rows) {
  AscendC::DataCopy(dst, src,
                    AscendC::Nd2NzParams(1, static_cast<uint16_t>(rows), static_cast<uint16_t>(len), 0,
                                         static_cast<uint16_t>(pitch), static_cast<uint16_t>(padded_rows), 1, 0));
}

// An L1 NZ [m, k] matrix (column blocks mb x 16 rows long, kb column blocks) into L0A's ZZ form
// (MTE1), fractal row by fractal row: LoadData's startIndex is the fractal row, its srcStride
// the fractal rows.
template <typename T>
__aicore__ inline void LoadAZz(const LocalTensor<T>& a2, const LocalTensor<T>& a1, int32_t mb, int32_t kb) {
  constexpr int32_t kC0 = 32 / sizeof(T);
  for (int32_t i = 0; i < mb; i++) {
    AscendC::LoadData(a2[i * kb * 16 * kC0], a1,
                      AscendC::LoadData2DParams(static_cast<uint16_t>(i), static_cast<uint8_t>(kb),
                                                static_cast<uint16_t>(mb), 0, 0, false, 0));
  }
}

// The first `fractals` fractals of L1 into L0B as they are (MTE1): an [n, k] matrix's NZ form is
// Mmad's ZN operand. LoadData moves at most 255 fractals a call.
template <typename T>
__aicore__ inline void LoadBZn(const LocalTensor<T>& b2, const LocalTensor<T>& b1, int32_t fractals) {
  constexpr int32_t kC0 = 32 / sizeof(T);
  for (int32_t f = 0; f < fractals; f += 255) {
    AscendC::LoadData(b2[f * 16 * kC0], b1,
                      AscendC::LoadData2DParams(static_cast<uint16_t>(f), static_cast<uint8_t>(MinI(255, fractals - f)),
                                                1, 0, 0, false, 0));
  }
}

}  // namespace ascend
}  // namespace npukit

#endif
