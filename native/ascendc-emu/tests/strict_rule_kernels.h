// Small AscendC kernels for the emulator's strict rules (strict_rules_test.cpp): each `wrong_`
// kernel breaks exactly one rule; each `right_` kernel is its corrected twin, which must pass
// (so a rule that always fired would be caught).
#ifndef NPUKIT_ASCENDC_EMU_STRICT_RULE_KERNELS_H
#define NPUKIT_ASCENDC_EMU_STRICT_RULE_KERNELS_H

#include "kernel_operator.h"

namespace npukit_emu_strict {

using namespace AscendC;

// ---- 64-byte cache lines ----

// Each block writes its own row of 4 int32 with SetValue: rows of 16 bytes, so blocks 0..3 share
// one 64-byte line (the contrastive top-k bug). row_elems = 16 pads rows to a line: right.
inline __global__ __aicore__ void cache_line_kernel(GM_ADDR dst, int64_t row_elems) {
  GlobalTensor<int32_t> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(dst), 4 * row_elems);
  for (int64_t i = 0; i < 4; i++) g.SetValue(GetBlockIdx() * row_elems + i, static_cast<int32_t>(GetBlockIdx()));
}

// ---- pipe synchronisation ----

// A vector instruction reads what the previous one wrote: needs PipeBarrier<PIPE_V>.
inline __global__ __aicore__ void vector_dependency_kernel(GM_ADDR, int64_t barrier) {
  TPipe pipe;
  TBuf<TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, 128);
  LocalTensor<float> t = buf.Get<float>();
  Duplicate(t, 1.0f, 8);
  if (barrier) PipeBarrier<PIPE_V>();
  Muls(t[16], t, 2.0f, 8);
}

// The scalar unit reads a vector result: needs SetFlag/WaitFlag<V_S>.
inline __global__ __aicore__ void vector_to_scalar_kernel(GM_ADDR, int64_t sync) {
  TPipe pipe;
  TBuf<TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, 32);
  LocalTensor<float> t = buf.Get<float>();
  Duplicate(t, 3.0f, 8);
  if (sync) {
    SetFlag<HardEvent::V_S>(EVENT_ID0);
    WaitFlag<HardEvent::V_S>(EVENT_ID0);
  }
  (void)t.GetValue(0);
}

// Scalar writes to a VECOUT buffer, then DataCopyPad (MTE3) copies it out: EnQue/DeQue of a
// VECOUT queue order the vector pipe before MTE3, not the scalar unit; needs S_MTE3.
inline __global__ __aicore__ void scalar_to_mte3_kernel(GM_ADDR dst, int64_t sync) {
  TPipe pipe;
  TQue<TPosition::VECOUT, 1> out;
  pipe.InitBuffer(out, 1, 32);
  GlobalTensor<int32_t> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(dst), 4);
  LocalTensor<int32_t> r = out.AllocTensor<int32_t>();
  for (uint32_t i = 0; i < 4; i++) r.SetValue(i, static_cast<int32_t>(i));
  if (sync) {
    SetFlag<HardEvent::S_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::S_MTE3>(EVENT_ID0);
  }
  out.EnQue(r);
  r = out.DeQue<int32_t>();
  DataCopyExtParams p;
  p.blockLen = 16;
  DataCopyPad(g, r, p);
  out.FreeTensor(r);
}

// MTE2 copies into a VECIN buffer and a vector instruction reads it with no queue event:
// needs MTE2_V (what EnQue/DeQue of a VECIN queue provide).
inline __global__ __aicore__ void mte2_to_vector_kernel(GM_ADDR src, int64_t sync) {
  TPipe pipe;
  TBuf<TPosition::VECIN> in;
  TBuf<TPosition::VECCALC> calc;
  pipe.InitBuffer(in, 32);
  pipe.InitBuffer(calc, 32);
  GlobalTensor<float> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(src), 8);
  DataCopy(in.Get<float>(), g, 8);
  if (sync) {
    SetFlag<HardEvent::MTE2_V>(EVENT_ID1);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID1);
  }
  Muls(calc.Get<float>(), in.Get<float>(), 2.0f, 8);
}

// The vector pipe overwrites what the scalar unit still reads (write after read): needs S_V.
inline __global__ __aicore__ void scalar_read_then_vector_write_kernel(GM_ADDR, int64_t sync) {
  TPipe pipe;
  TBuf<TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, 32);
  LocalTensor<float> t = buf.Get<float>();
  Duplicate(t, 1.0f, 8);
  SetFlag<HardEvent::V_S>(EVENT_ID0);
  WaitFlag<HardEvent::V_S>(EVENT_ID0);
  (void)t.GetValue(0);
  if (sync) {
    SetFlag<HardEvent::S_V>(EVENT_ID0);
    WaitFlag<HardEvent::S_V>(EVENT_ID0);
  }
  Duplicate(t, 0.0f, 8);
}

// WaitFlag with no SetFlag: the pipe would wait forever.
inline __global__ __aicore__ void wait_without_set_kernel(GM_ADDR) { WaitFlag<HardEvent::V_S>(EVENT_ID2); }

// PipeBarrier<PIPE_S>: a hardware error (the PipeBarrier page).
inline __global__ __aicore__ void scalar_barrier_kernel(GM_ADDR) { PipeBarrier<PIPE_S>(); }

// ---- tensor positions ----

// DataCopy from GM into a VECCALC buffer: DataCopy's documented GM path is GM -> VECIN.
inline __global__ __aicore__ void gm_to_veccalc_kernel(GM_ADDR src) {
  TPipe pipe;
  TBuf<TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, 32);
  GlobalTensor<float> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(src), 8);
  DataCopy(buf.Get<float>(), g, 8);
}

// UB -> UB DataCopy from VECOUT back to VECIN: not a documented path.
inline __global__ __aicore__ void vecout_to_vecin_kernel(GM_ADDR) {
  TPipe pipe;
  TBuf<TPosition::VECOUT> out;
  TBuf<TPosition::VECIN> in;
  pipe.InitBuffer(out, 32);
  pipe.InitBuffer(in, 32);
  Duplicate(out.Get<float>(), 1.0f, 8);
  PipeBarrier<PIPE_V>();
  DataCopy(in.Get<float>(), out.Get<float>(), 8);
}

// ---- API limits ----

// DataCopyPad with 4096 blocks of 4 bytes (blockCount is 12 bits: at most 4095).
inline __global__ __aicore__ void pad_block_count_kernel(GM_ADDR src, int64_t blocks) {
  TPipe pipe;
  TQue<TPosition::VECIN, 1> in;
  pipe.InitBuffer(in, 1, 4096 * 32);
  GlobalTensor<float> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(src), 4096);
  LocalTensor<float> t = in.AllocTensor<float>();
  DataCopyExtParams p;
  p.blockCount = static_cast<uint16_t>(blocks);
  p.blockLen = 4;
  DataCopyPadExtParams<float> pad;
  DataCopyPad(t, g, p, pad);
  in.FreeTensor(t);
}

// 65 buffers from one TPipe (at most 64).
inline __global__ __aicore__ void too_many_buffers_kernel(GM_ADDR) {
  TPipe pipe;
  TQue<TPosition::VECIN, 2> q[33];
  for (auto& x : q) pipe.InitBuffer(x, 2, 32);
}

// ReduceSum of 640 floats with a work tensor of work_elems: it needs one partial sum per
// 64-float repeat, rounded up to a 32-byte block: 16 (8 is too small).
inline __global__ __aicore__ void reduce_work_kernel(GM_ADDR, int64_t work_elems) {
  TPipe pipe;
  TBuf<TPosition::VECCALC> src, dst, work;
  pipe.InitBuffer(src, 640 * 4);
  pipe.InitBuffer(dst, 32);
  pipe.InitBuffer(work, static_cast<uint32_t>(work_elems * 4));
  Duplicate(src.Get<float>(), 1.0f, 640);
  PipeBarrier<PIPE_V>();
  ReduceSum(dst.Get<float>(), src.Get<float>(), work.Get<float>(), 640);
}

// ---- cast table ----

// half -> float with CAST_RINT: widening takes CAST_NONE.
inline __global__ __aicore__ void cast_mode_kernel(GM_ADDR) {
  TPipe pipe;
  TBuf<TPosition::VECCALC> h, f;
  pipe.InitBuffer(h, 32);
  pipe.InitBuffer(f, 64);
  Duplicate(h.Get<float>(), 0.0f, 8);
  PipeBarrier<PIPE_V>();
  Cast(f.Get<float>(), h.Get<half>(), RoundMode::CAST_RINT, 16);
}

// ---- arithmetic ----

// Compare, CompareScalar, And and Select on n floats (n = 64: one repeat): dst[i] = src[i] where
// src[i] == src[i] (not NaN) and src[i] >= 2, else -7.
inline __global__ __aicore__ void compare_select_kernel(GM_ADDR src, GM_ADDR dst, int64_t n) {
  TPipe pipe;
  TQue<TPosition::VECIN, 1> in;
  TQue<TPosition::VECOUT, 1> out;
  TBuf<TPosition::VECCALC> num, big;
  pipe.InitBuffer(in, 1, 64 * 4);
  pipe.InitBuffer(out, 1, 64 * 4);
  pipe.InitBuffer(num, 32);
  pipe.InitBuffer(big, 32);
  GlobalTensor<float> gs, gd;
  gs.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(src), 64);
  gd.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(dst), 64);
  LocalTensor<float> a = in.AllocTensor<float>();
  DataCopy(a, gs, 64);
  in.EnQue(a);
  a = in.DeQue<float>();
  const uint32_t count = static_cast<uint32_t>(n);
  Compare(num.Get<uint8_t>(), a, a, CMPMODE::EQ, count);
  CompareScalar(big.Get<uint8_t>(), a, 2.0f, CMPMODE::GE, count);
  PipeBarrier<PIPE_V>();
  And(num.Get<uint16_t>(), num.Get<uint16_t>(), big.Get<uint16_t>(), 4);
  PipeBarrier<PIPE_V>();
  LocalTensor<float> r = out.AllocTensor<float>();
  Select(r, num.Get<uint8_t>(), a, -7.0f, SELMODE::VSEL_TENSOR_SCALAR_MODE, 64);
  in.FreeTensor(a);
  out.EnQue(r);
  r = out.DeQue<float>();
  DataCopy(gd, r, 64);
  out.FreeTensor(r);
}

// out[0] = ReduceSum of n floats from src (n <= 256), copied to dst.
inline __global__ __aicore__ void reduce_sum_kernel(GM_ADDR src, GM_ADDR dst, int64_t n) {
  TPipe pipe;
  TQue<TPosition::VECIN, 1> in;
  TQue<TPosition::VECOUT, 1> out;
  TBuf<TPosition::VECCALC> work;
  pipe.InitBuffer(in, 1, 256 * 4);
  pipe.InitBuffer(out, 1, 32);
  pipe.InitBuffer(work, 32);
  GlobalTensor<float> gs, gd;
  gs.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(src), n);
  gd.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(dst), 8);
  LocalTensor<float> a = in.AllocTensor<float>();
  DataCopyExtParams p;
  p.blockLen = static_cast<uint32_t>(n * 4);
  DataCopyPadExtParams<float> pad;
  DataCopyPad(a, gs, p, pad);
  in.EnQue(a);
  a = in.DeQue<float>();
  LocalTensor<float> r = out.AllocTensor<float>();
  ReduceSum(r, a, work.Get<float>(), static_cast<int32_t>(n));
  in.FreeTensor(a);
  out.EnQue(r);
  r = out.DeQue<float>();
  DataCopy(gd, r, 8);
  out.FreeTensor(r);
}

// dst[0..8) = src[0..8) * 2 (Muls) and dst[8..16) = src rounded to half and widened back: shows
// the overflow mode on a vector product and on a narrowing Cast.
inline __global__ __aicore__ void overflow_kernel(GM_ADDR src, GM_ADDR dst) {
  TPipe pipe;
  TQue<TPosition::VECIN, 1> in;
  TQue<TPosition::VECOUT, 1> out;
  TBuf<TPosition::VECCALC> h;
  pipe.InitBuffer(in, 1, 32);
  pipe.InitBuffer(out, 1, 64);
  pipe.InitBuffer(h, 32);
  GlobalTensor<float> gs, gd;
  gs.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(src), 8);
  gd.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(dst), 16);
  LocalTensor<float> a = in.AllocTensor<float>();
  DataCopy(a, gs, 8);
  in.EnQue(a);
  a = in.DeQue<float>();
  LocalTensor<float> r = out.AllocTensor<float>();
  Muls(r, a, 2.0f, 8);
  Cast(h.Get<half>(), a, RoundMode::CAST_RINT, 8);
  PipeBarrier<PIPE_V>();
  Cast(r[8], h.Get<half>(), RoundMode::CAST_NONE, 8);
  in.FreeTensor(a);
  out.EnQue(r);
  r = out.DeQue<float>();
  DataCopy(gd, r, 16);
  out.FreeTensor(r);
}

}  // namespace npukit_emu_strict

#endif
