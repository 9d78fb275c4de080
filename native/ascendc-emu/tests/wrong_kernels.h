// Small, deliberately wrong AscendC kernels: each breaks exactly one rule the emulator enforces.
// Used by the emulator's rule tests (rules_test.cpp) and, through the test-only library's
// npukit_emu_test_break_rule (break_rule.h), by a Java test that checks a violation reaches Java
// as an exception.
#ifndef NPUKIT_ASCENDC_EMU_WRONG_KERNELS_H
#define NPUKIT_ASCENDC_EMU_WRONG_KERNELS_H

#include "kernel_operator.h"

namespace npukit_emu_wrong {

using namespace AscendC;

// DataCopy of 30 bytes (15 halves): DataCopy moves whole 32-byte blocks only.
inline __global__ __aicore__ void wrong_alignment_kernel(GM_ADDR src) {
  TPipe pipe;
  TQue<TPosition::VECIN, 1> que;
  pipe.InitBuffer(que, 1, 64);
  GlobalTensor<half> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(src), 32);
  LocalTensor<half> t = que.AllocTensor<half>();
  DataCopy(t, g, 15);
  que.FreeTensor(t);
}

// 200 KB of buffers on a 192 KB unified buffer.
inline __global__ __aicore__ void wrong_capacity_kernel(GM_ADDR) {
  TPipe pipe;
  TQue<TPosition::VECIN, 2> in;
  TBuf<TPosition::VECCALC> calc;
  pipe.InitBuffer(in, 2, 64 * 1024);
  pipe.InitBuffer(calc, 72 * 1024);
}

// Reads 64 floats from an allocation of 32 (the last block reads past the end).
inline __global__ __aicore__ void wrong_bounds_kernel(GM_ADDR src) {
  TPipe pipe;
  TBuf<TPosition::VECIN> buf;
  pipe.InitBuffer(buf, 256);
  GlobalTensor<float> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(src), 32);
  LocalTensor<float> t = buf.Get<float>();
  DataCopy(t, g[GetBlockIdx() * 32], 32);
}

// DeQue without a matching EnQue.
inline __global__ __aicore__ void wrong_dequeue_kernel(GM_ADDR) {
  TPipe pipe;
  TQue<TPosition::VECIN, 2> que;
  pipe.InitBuffer(que, 2, 256);
  LocalTensor<float> t = que.AllocTensor<float>();
  LocalTensor<float> u = que.DeQue<float>();
  que.FreeTensor(t);
  (void)u;
}

// FreeTensor twice.
inline __global__ __aicore__ void wrong_double_free_kernel(GM_ADDR) {
  TPipe pipe;
  TQue<TPosition::VECOUT, 2> que;
  pipe.InitBuffer(que, 2, 256);
  LocalTensor<float> t = que.AllocTensor<float>();
  que.FreeTensor(t);
  que.FreeTensor(t);
}

// A vector instruction on a local tensor that starts 12 bytes into its buffer.
inline __global__ __aicore__ void wrong_local_alignment_kernel(GM_ADDR) {
  TPipe pipe;
  TBuf<TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, 256);
  LocalTensor<float> t = buf.Get<float>();
  Duplicate(t, 1.0f, 16);
  Muls(t[3], t[3], 2.0f, 8);
}

// A vector instruction longer than its local tensor.
inline __global__ __aicore__ void wrong_local_bounds_kernel(GM_ADDR) {
  TPipe pipe;
  TBuf<TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, 64);
  LocalTensor<float> t = buf.Get<float>();
  Duplicate(t, 0.0f, 32);
}

// Every block writes the same 8 floats: on the device the blocks run at once and race.
inline __global__ __aicore__ void wrong_shared_write_kernel(GM_ADDR dst) {
  TPipe pipe;
  TBuf<TPosition::VECOUT> buf;
  pipe.InitBuffer(buf, 32);
  LocalTensor<float> t = buf.Get<float>();
  Duplicate(t, static_cast<float>(GetBlockIdx()), 8);
  SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
  WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
  GlobalTensor<float> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(dst), 8);
  DataCopy(g, t, 8);
}

// Block `writer` writes 8 floats that the other block reads: passes only if blocks run in order.
inline __global__ __aicore__ void wrong_cross_read_kernel(GM_ADDR buf, int64_t writer) {
  TPipe pipe;
  TBuf<TPosition::VECOUT> out;
  TBuf<TPosition::VECIN> in;
  pipe.InitBuffer(out, 32);
  pipe.InitBuffer(in, 32);
  GlobalTensor<float> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(buf), 8);
  if (GetBlockIdx() == writer) {
    LocalTensor<float> t = out.Get<float>();
    Duplicate(t, 1.0f, 8);
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(g, t, 8);
  } else {
    DataCopy(in.Get<float>(), g, 8);
  }
}

}  // namespace npukit_emu_wrong

#endif
