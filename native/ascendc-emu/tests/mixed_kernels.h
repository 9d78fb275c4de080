// A small mixed AIC+AIV kernel for mixed_test.cpp, and its deliberately wrong variants. Per group
// g and tile t the cube core computes S = X_t . W^T (16 x 16 from 16 x 32 half inputs) into a
// float workspace of the group, and its two vector cores (8 rows each) read S, double it and
// write out rows of the tile. The workspace is handed over by cross-core flags in both
// directions: flag 0 (cube -> vectors: S is written, set on the FIX pipe that wrote it), flag 1
// (vectors -> cube: S is read, set on the MTE2 pipe that read it), so the cube overwrites it for
// the next tile only after both vector cores have read it. Each wrong variant (`wrong`) breaks one
// rule; kOk is the corrected twin, which must pass.
#ifndef NPUKIT_ASCENDC_EMU_MIXED_KERNELS_H
#define NPUKIT_ASCENDC_EMU_MIXED_KERNELS_H

#include "kernel_operator.h"

namespace npukit_emu_mixed {

using namespace AscendC;

constexpr int64_t kRows = 16, kCols = 16, kDepth = 32;

enum Break : int64_t {
  kOk = 0,
  kNoWait,         // the vector cores read S with no flag from the cube (and the cube sets none)
  kSetOnMte2,      // the cube sets flag 0 on its MTE2 pipe, which has not seen the Fixpipe
  kNoFree,         // the cube overwrites S with no flag from the vector cores that read it
  kFlagId11,       // a flag id past 10
  kUnwaited,       // a set the vector cores never wait for
  kHang,           // the vector cores wait for a flag nobody sets
  kHalfSet,        // only vector sub-block 0 sets the mode-2 flag the cube waits for
  kTooManySets,    // 16 sets of one flag before its first wait (one counter holds 15)
  kMode0,          // mode 0 (every core of one type): not emulated
  kCubeUsesUb,     // the cube core asks for a VECIN buffer
  kDeclaredLate,   // the mixed type declared after a buffer was taken
};

inline void CubeSide(GM_ADDR x, GM_ADDR w, GM_ADDR ws, int64_t tiles, int64_t wrong) {
  TPipe pipe;
  if (wrong == kCubeUsesUb) {
    TQue<TPosition::VECIN, 1> ub;
    pipe.InitBuffer(ub, 1, 256);
  }
  TQue<TPosition::A1, 1> a1q;
  TQue<TPosition::B1, 1> b1q;
  TQue<TPosition::A2, 1> a2q;
  TQue<TPosition::B2, 1> b2q;
  TQue<TPosition::CO1, 1> cq;
  pipe.InitBuffer(a1q, 1, kRows * kDepth * sizeof(half));
  pipe.InitBuffer(b1q, 1, kCols * kDepth * sizeof(half));
  pipe.InitBuffer(a2q, 1, kRows * kDepth * sizeof(half));
  pipe.InitBuffer(b2q, 1, kCols * kDepth * sizeof(half));
  pipe.InitBuffer(cq, 1, kRows * kCols * sizeof(float));
  const int64_t g = GetBlockIdx();
  GlobalTensor<half> xg, wg;
  GlobalTensor<float> sg;
  xg.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(x) + g * tiles * kRows * kDepth, tiles * kRows * kDepth);
  wg.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(w), kCols * kDepth);
  sg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(ws) + g * kRows * kCols, kRows * kCols);
  for (int64_t t = 0; t < tiles; t++) {
    LocalTensor<half> a1 = a1q.AllocTensor<half>();
    LocalTensor<half> b1 = b1q.AllocTensor<half>();
    DataCopy(a1, xg[t * kRows * kDepth], Nd2NzParams(1, kRows, kDepth, 0, kDepth, kRows, 1, 0));
    DataCopy(b1, wg, Nd2NzParams(1, kCols, kDepth, 0, kDepth, kCols, 1, 0));
    a1q.EnQue(a1);
    b1q.EnQue(b1);
    a1 = a1q.DeQue<half>();
    b1 = b1q.DeQue<half>();
    LocalTensor<half> a2 = a2q.AllocTensor<half>();
    LocalTensor<half> b2 = b2q.AllocTensor<half>();
    // One fractal row of A (16 x 16 fractals, k blocks 1 apart in L1's NZ), B as it is.
    LoadData(a2, a1, LoadData2DParams(0, kDepth / 16, 1, 0, 0, false, 0));
    LoadData(b2, b1, LoadData2DParams(0, kDepth / 16, 1, 0, 0, false, 0));
    a1q.FreeTensor(a1);
    b1q.FreeTensor(b1);
    a2q.EnQue(a2);
    b2q.EnQue(b2);
    a2 = a2q.DeQue<half>();
    b2 = b2q.DeQue<half>();
    LocalTensor<float> c = cq.AllocTensor<float>();
    Mmad(c, a2, b2, MmadParams(kRows, kCols, kDepth, 0, false, true));
    a2q.FreeTensor(a2);
    b2q.FreeTensor(b2);
    cq.EnQue(c);
    c = cq.DeQue<float>();
    // S of the previous tile must have been read by both vector cores before it is overwritten.
    if (t > 0 && wrong != kNoFree && wrong != kNoWait) CrossCoreWaitFlag<2, PIPE_FIX>(1);
    Fixpipe<float, float, CFG_ROW_MAJOR>(sg, c, FixpipeParamsV220(kCols, kRows, kRows, kCols, false));
    cq.FreeTensor(c);
    if (wrong == kSetOnMte2) {
      CrossCoreSetFlag<2, PIPE_MTE2>(0);
    } else if (wrong == kFlagId11) {
      CrossCoreSetFlag<2, PIPE_FIX>(11);
    } else if (wrong == kMode0) {
      CrossCoreSetFlag<0, PIPE_FIX>(0);
    } else if (wrong != kNoWait) {
      CrossCoreSetFlag<2, PIPE_FIX>(0);
    }
  }
  if (wrong == kUnwaited) CrossCoreSetFlag<2, PIPE_FIX>(5);
  if (wrong == kHalfSet) CrossCoreWaitFlag(4);
  if (wrong == kTooManySets) {
    // The vector cores wait for flag 6 only after flag 7, set after the 16 sets: none is taken
    // before the sixteenth, whatever the threads' timing.
    for (int i = 0; i < 16; i++) CrossCoreSetFlag<2, PIPE_S>(6);
    CrossCoreSetFlag<2, PIPE_S>(7);
  }
}

inline void VectorSide(GM_ADDR ws, GM_ADDR out, int64_t tiles, int64_t wrong) {
  TPipe pipe;
  TQue<TPosition::VECIN, 1> inq;
  TQue<TPosition::VECOUT, 1> outq;
  constexpr int64_t half_rows = kRows / 2;
  pipe.InitBuffer(inq, 1, half_rows * kCols * sizeof(float));
  pipe.InitBuffer(outq, 1, half_rows * kCols * sizeof(float));
  const int64_t g = GetBlockIdx() / GetTaskRation();
  const int64_t s = GetSubBlockIdx();
  GlobalTensor<float> sg, og;
  sg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(ws) + g * kRows * kCols, kRows * kCols);
  og.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(out) + g * tiles * kRows * kCols, tiles * kRows * kCols);
  for (int64_t t = 0; t < tiles; t++) {
    if (wrong == kHang) CrossCoreWaitFlag(3);
    if (wrong != kNoWait) CrossCoreWaitFlag(0);  // on the scalar pipe: nothing later issues before it
    LocalTensor<float> a = inq.AllocTensor<float>();
    DataCopy(a, sg[s * half_rows * kCols], half_rows * kCols);
    inq.EnQue(a);
    a = inq.DeQue<float>();
    if (t + 1 < tiles && wrong != kNoFree && wrong != kNoWait) CrossCoreSetFlag<2, PIPE_MTE2>(1);
    LocalTensor<float> b = outq.AllocTensor<float>();
    Muls(b, a, 2.0f, half_rows * kCols);
    inq.FreeTensor(a);
    outq.EnQue(b);
    b = outq.DeQue<float>();
    DataCopy(og[(t * kRows + s * half_rows) * kCols], b, half_rows * kCols);
    outq.FreeTensor(b);
  }
  if (wrong == kUnwaited) return;
  if (wrong == kHalfSet && s == 0) CrossCoreSetFlag<2, PIPE_S>(4);
  if (wrong == kTooManySets) {
    CrossCoreWaitFlag(7);
    for (int i = 0; i < 16; i++) CrossCoreWaitFlag(6);
  }
}

// x [groups * tiles * 16, 32] half, w [16, 32] half, ws [groups, 16, 16] float,
// out [groups * tiles * 16, 16] float = 2 x . w^T.
inline __global__ __aicore__ void mixed_kernel(GM_ADDR x, GM_ADDR w, GM_ADDR ws, GM_ADDR out, int64_t tiles,
                                               int64_t wrong) {
  if (wrong == kDeclaredLate) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> b;
    pipe.InitBuffer(b, 256);
  }
  KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2);
  if ASCEND_IS_AIC {
    CubeSide(x, w, ws, tiles, wrong);
  }
  if ASCEND_IS_AIV {
    VectorSide(ws, out, tiles, wrong);
  }
}

}  // namespace npukit_emu_mixed

#endif
