// Building blocks shared by npukit's AscendC kernels: reading the tiling, moving rows of any
// float dtype between global memory and F32 tiles in the unified buffer, and rotary embedding
// with vector instructions.
//
// Every float tensor in global memory may be F32, F16 or BF16 (the dtype codes of
// npukit/common.h). Kernels compute in F32: rows are copied into the UB in their own dtype with
// DataCopyPad (which takes any length and pads each row to 32 bytes, so rows need no alignment
// in global memory), converted with Cast, and converted back with round-to-nearest-even on the
// way out. Tiles keep rows at a stride of a multiple of 16 elements, so every row of an F32 or
// 16-bit tile starts 32-byte aligned, as vector instructions require.
#ifndef NPUKIT_ASCEND_KERNEL_COMMON_H
#define NPUKIT_ASCEND_KERNEL_COMMON_H

#include "kernel_operator.h"
#include "tiling.h"

namespace npukit {
namespace ascend {

using AscendC::DataCopyExtParams;
using AscendC::DataCopyPadExtParams;
using AscendC::GlobalTensor;
using AscendC::LocalTensor;
using AscendC::TPosition;

constexpr int32_t kF32 = 0;
constexpr int32_t kF16 = 1;
constexpr int32_t kBF16 = 2;
constexpr int32_t kRopeNone = 0;
constexpr int32_t kRopeNeox = 1;
constexpr int32_t kRopeGptj = 2;
constexpr int32_t kKvNhd = 0;  // enum npukit_kv_layout
constexpr int32_t kKvHnd = 1;

using InQue = AscendC::TQue<TPosition::VECIN, 2>;
using OutQue = AscendC::TQue<TPosition::VECOUT, 2>;
using CalcBuf = AscendC::TBuf<TPosition::VECCALC>;

__aicore__ inline int32_t AlignUp(int32_t n, int32_t a) { return (n + a - 1) / a * a; }
__aicore__ inline int32_t MinI(int32_t a, int32_t b) { return a < b ? a : b; }
__aicore__ inline int32_t MaxI(int32_t a, int32_t b) { return a > b ? a : b; }

// Copies a tiling struct (32-bit fields only, tiling.h) from global memory: each 32-bit word is
// read with a scalar load through a GlobalTensor<uint32_t> and copied into the struct's bytes
// with __builtin_memcpy, so no field is ever accessed through a pointer of another type (no
// type punning; the kernels build without -fno-strict-aliasing).
template <class T>
__aicore__ inline void LoadTiling(GM_ADDR tiling, T& t) {
  static_assert(sizeof(T) % 4 == 0 && __is_trivially_copyable(T), "tiling structs hold 32-bit fields only");
  GlobalTensor<uint32_t> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ uint32_t*>(tiling), sizeof(T) / 4);
  unsigned char* bytes = reinterpret_cast<unsigned char*>(&t);  // byte access may alias any object
  for (uint32_t i = 0; i < sizeof(T) / 4; i++) {
    const uint32_t word = g.GetValue(i);
    __builtin_memcpy(bytes + 4 * i, &word, 4);
  }
}

// Synchronisation between pipes, written out everywhere one pipe consumes what another produced
// (the kernels do not rely on the compiler inserting it): Sync<HardEvent::V_S>() makes the
// scalar unit wait for every vector instruction issued so far, and so on. VectorBarrier() orders
// a vector instruction after the earlier vector instructions whose results it reads.
template <AscendC::HardEvent event>
__aicore__ inline void Sync() {
  AscendC::SetFlag<event>(AscendC::EVENT_ID0);
  AscendC::WaitFlag<event>(AscendC::EVENT_ID0);
}
__aicore__ inline void VectorBarrier() { AscendC::PipeBarrier<AscendC::PIPE_V>(); }
using AscendC::HardEvent;

// A float tensor in global memory whose dtype is known only at run time.
struct FloatGm {
  int32_t dtype = kF32;
  GlobalTensor<float> f32;
  GlobalTensor<half> f16;
  GlobalTensor<bfloat16_t> bf16;

  __aicore__ inline void Init(GM_ADDR p, int32_t dt, uint64_t numel) {
    dtype = dt;
    if (dt == kF16) {
      f16.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(p), numel);
    } else if (dt == kBF16) {
      bf16.SetGlobalBuffer(reinterpret_cast<__gm__ bfloat16_t*>(p), numel);
    } else {
      f32.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(p), numel);
    }
  }
};

// DataCopyPad parameters for `rows` rows of `len` elements, `pitch` elements apart in global
// memory and `stride` elements apart in the UB (stride * sizeof(T) a multiple of 32).
template <typename T>
__aicore__ inline DataCopyExtParams RowParams(uint32_t rows, uint32_t len, uint64_t pitch, uint32_t stride, bool in) {
  DataCopyExtParams p;
  p.blockCount = static_cast<uint16_t>(rows);
  p.blockLen = len * sizeof(T);
  const uint32_t gm_gap = static_cast<uint32_t>((pitch - len) * sizeof(T));
  const uint32_t ub_gap = (stride * sizeof(T) - AlignUp(len * sizeof(T), 32)) / 32;
  p.srcStride = in ? gm_gap : ub_gap;
  p.dstStride = in ? ub_gap : gm_gap;
  p.rsv = 0;
  return p;
}

// DataCopyPad parameters for one contiguous row of `len` elements (either direction).
template <typename T>
__aicore__ inline DataCopyExtParams OneRowParams(uint32_t len) {
  return RowParams<T>(1, len, len, AlignUp(len * sizeof(T), 32) / sizeof(T), true);
}

// LoadTiling for a vector-core kernel: one copy of the struct into the UB (MTE2, through q: an
// InQue given TilingUbBytes<T>() bytes and used for nothing else), then scalar reads there, a
// UB access each instead of a global one (data cache) per word. Costs one MTE2 -> S wait.
template <class T>
__aicore__ inline void LoadTilingUb(GM_ADDR tiling, T& t, InQue& q, AscendC::TPipe* pipe) {
  static_assert(sizeof(T) % 4 == 0 && __is_trivially_copyable(T), "tiling structs hold 32-bit fields only");
  constexpr uint32_t kWords = sizeof(T) / 4;
  pipe->InitBuffer(q, 1, TilingUbBytes<T>());
  GlobalTensor<uint32_t> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ uint32_t*>(tiling), kWords);
  LocalTensor<uint32_t> w = q.AllocTensor<uint32_t>();
  DataCopyPadExtParams<uint32_t> pad;
  pad.isPad = false;
  AscendC::DataCopyPad(w, g, OneRowParams<uint32_t>(kWords), pad);
  AscendC::SetFlag<AscendC::HardEvent::MTE2_S>(AscendC::EVENT_ID0);
  AscendC::WaitFlag<AscendC::HardEvent::MTE2_S>(AscendC::EVENT_ID0);
  unsigned char* bytes = reinterpret_cast<unsigned char*>(&t);  // byte access may alias any object
  for (uint32_t i = 0; i < kWords; i++) {
    const uint32_t word = w.GetValue(i);
    __builtin_memcpy(bytes + 4 * i, &word, 4);
  }
  q.FreeTensor(w);
}

// Starts copying rows into a staging buffer of q (MTE2); FinishLoad converts them to F32.
template <typename T>
__aicore__ inline void StartLoadT(InQue& q, const GlobalTensor<T>& g, uint64_t first, uint32_t rows, uint32_t len,
                                  uint64_t pitch, uint32_t stride) {
  LocalTensor<T> s = q.AllocTensor<T>();
  DataCopyPadExtParams<T> pad;
  pad.isPad = false;
  AscendC::DataCopyPad(s, g[first], RowParams<T>(rows, len, pitch, stride, true), pad);
  q.EnQue(s);
}

__aicore__ inline void StartLoad(InQue& q, const FloatGm& g, uint64_t first, uint32_t rows, uint32_t len,
                                 uint64_t pitch, uint32_t stride) {
  if (g.dtype == kF16) {
    StartLoadT(q, g.f16, first, rows, len, pitch, stride);
  } else if (g.dtype == kBF16) {
    StartLoadT(q, g.bf16, first, rows, len, pitch, stride);
  } else {
    StartLoadT(q, g.f32, first, rows, len, pitch, stride);
  }
}

// FinishLoad without its closing barrier, for a caller that widens several tiles before one
// barrier covers them all.
__aicore__ inline void Widen(InQue& q, int32_t dtype, const LocalTensor<float>& dst, uint32_t count) {
  if (dtype == kF16) {
    LocalTensor<half> s = q.DeQue<half>();
    AscendC::Cast(dst, s, AscendC::RoundMode::CAST_NONE, count);
    q.FreeTensor(s);
  } else if (dtype == kBF16) {
    LocalTensor<bfloat16_t> s = q.DeQue<bfloat16_t>();
    AscendC::Cast(dst, s, AscendC::RoundMode::CAST_NONE, count);
    q.FreeTensor(s);
  } else {
    LocalTensor<float> s = q.DeQue<float>();
    AscendC::DataCopy(dst, s, count);
    q.FreeTensor(s);
  }
}

// Waits for the oldest StartLoad of q and converts its rows * stride elements into dst (vector
// pipe; ends with a vector barrier, so the vector instructions that follow may read dst). If the
// scalar unit read dst before, the caller orders it first (Sync<HardEvent::S_V>).
__aicore__ inline void FinishLoad(InQue& q, int32_t dtype, const LocalTensor<float>& dst, uint32_t count) {
  Widen(q, dtype, dst, count);
  VectorBarrier();
}

// Load = StartLoad + FinishLoad, for copies nothing can overlap with.
__aicore__ inline void LoadRows(InQue& q, const LocalTensor<float>& dst, const FloatGm& g, uint64_t first,
                                uint32_t rows, uint32_t len, uint64_t pitch, uint32_t stride) {
  StartLoad(q, g, first, rows, len, pitch, stride);
  FinishLoad(q, g.dtype, dst, rows * stride);
}

template <typename T>
__aicore__ inline void StoreRowsT(OutQue& q, const LocalTensor<float>& src, const GlobalTensor<T>& g, uint64_t first,
                                  uint32_t rows, uint32_t len, uint64_t pitch, uint32_t stride) {
  LocalTensor<T> s = q.AllocTensor<T>();
  AscendC::Cast(s, src, AscendC::RoundMode::CAST_RINT, rows * stride);
  q.EnQue(s);
  s = q.DeQue<T>();
  AscendC::DataCopyPad(g[first], s, RowParams<T>(rows, len, pitch, stride, false));
  q.FreeTensor(s);
}

// Rounds rows of an F32 tile to g's dtype and copies them out (MTE3) through q. Starts with a
// vector barrier: src is the result of the vector instructions just issued.
__aicore__ inline void StoreRows(OutQue& q, const LocalTensor<float>& src, const FloatGm& g, uint64_t first,
                                 uint32_t rows, uint32_t len, uint64_t pitch, uint32_t stride) {
  VectorBarrier();
  if (g.dtype == kF16) {
    StoreRowsT(q, src, g.f16, first, rows, len, pitch, stride);
  } else if (g.dtype == kBF16) {
    StoreRowsT(q, src, g.bf16, first, rows, len, pitch, stride);
  } else {
    LocalTensor<float> s = q.AllocTensor<float>();
    AscendC::DataCopy(s, src, rows * stride);
    q.EnQue(s);
    s = q.DeQue<float>();
    AscendC::DataCopyPad(g.f32[first], s, RowParams<float>(rows, len, pitch, stride, false));
    q.FreeTensor(s);
  }
}

// e^x of a scalar through the vector unit (the scalar unit has no exp). The scalar unit read
// tmp8 last time: the vector pipe waits for it before overwriting.
__aicore__ inline float ScalarExp(const LocalTensor<float>& tmp8, float x) {
  Sync<HardEvent::S_V>();
  AscendC::Duplicate(tmp8, x, 8);
  VectorBarrier();
  AscendC::Exp(tmp8, tmp8, 8);
  Sync<HardEvent::V_S>();
  return tmp8.GetValue(0);
}

// One row of an attention kernel's item or group table (tiling.h, kAttnItemWords): the words
// every row has, and a, b, c, whose meaning depends on the table.
struct ItemWords {
  int32_t seq, row_begin, row_end, head0, heads, a, b, c;
};

__aicore__ inline ItemWords ReadItem(const GlobalTensor<int32_t>& table, int32_t i) {
  ItemWords w;
  const uint64_t base = uint64_t(i) * kAttnItemWords;
  w.seq = table.GetValue(base);
  w.row_begin = table.GetValue(base + 1);
  w.row_end = table.GetValue(base + 2);
  w.head0 = table.GetValue(base + 3);
  w.heads = table.GetValue(base + 4);
  w.a = table.GetValue(base + 5);
  w.b = table.GetValue(base + 6);
  w.c = table.GetValue(base + 7);
  return w;
}

// Rotary embedding of F32 rows with vector instructions only. For both styles,
//   out = x * c2 + swap(x) * s2
// where swap exchanges the elements of each rotation pair (NEOX: i and i + rot/2; GPTJ: 2i and
// 2i+1), c2 holds the pair's cos on both elements, and s2 its sin, negated on the pair's first
// element. That is a*c + b*(-s) = a*c - b*s and b*c + a*s exactly (negation is exact and
// x + (-y) == x - y in IEEE arithmetic), so results are bit-identical to the reference's
// scalar formula. swap, c2 and s2 come from Gather with byte-offset tables built once.
class Rotator {
 public:
  // Needs 8 * rot_pad * 4 bytes of buf.
  __aicore__ inline void Init(AscendC::TPipe* pipe, int32_t style, int32_t rot, int32_t rot_pad) {
    rot_ = rot;
    pipe->InitBuffer(buf_, 8 * rot_pad * 4);
    LocalTensor<float> all = buf_.Get<float>();
    swap_ = all[0].ReinterpretCast<uint32_t>();
    cos_ = all[rot_pad].ReinterpretCast<uint32_t>();
    sin_ = all[2 * rot_pad].ReinterpretCast<uint32_t>();
    sign_ = all[3 * rot_pad];
    c2_ = all[4 * rot_pad];
    s2_ = all[5 * rot_pad];
    xs_ = all[6 * rot_pad];
    t1_ = all[7 * rot_pad];
    const int32_t h = rot / 2;
    for (int32_t i = 0; i < rot; i++) {
      int32_t partner, pair;
      bool first;
      if (style == kRopeGptj) {
        partner = i ^ 1;
        pair = i / 2;
        first = (i & 1) == 0;
      } else {
        partner = i < h ? i + h : i - h;
        pair = i < h ? i : i - h;
        first = i < h;
      }
      swap_.SetValue(i, static_cast<uint32_t>(partner * 4));
      cos_.SetValue(i, static_cast<uint32_t>(pair * 4));
      sin_.SetValue(i, static_cast<uint32_t>((h + pair) * 4));
      sign_.SetValue(i, first ? -1.0f : 1.0f);
    }
    Sync<HardEvent::S_V>();  // the tables are read by Gather and Mul
  }

  // Prepares c2/s2 from one cos_sin row (cos then sin, F32, in the UB, written by the vector
  // pipe before a barrier).
  __aicore__ inline void SetPosition(const LocalTensor<float>& cs_row) {
    AscendC::Gather(c2_, cs_row, cos_, 0, rot_);
    AscendC::Gather(s2_, cs_row, sin_, 0, rot_);
    VectorBarrier();
    AscendC::Mul(s2_, s2_, sign_, rot_);
    VectorBarrier();
  }

  // Rotates the first rot elements of x in place to the position of the last SetPosition; ends
  // with a vector barrier, so what follows may read x.
  __aicore__ inline void Apply(const LocalTensor<float>& x) {
    AscendC::Gather(xs_, x, swap_, 0, rot_);
    AscendC::Mul(t1_, x, c2_, rot_);
    VectorBarrier();
    AscendC::Mul(xs_, xs_, s2_, rot_);
    VectorBarrier();
    AscendC::Add(x, t1_, xs_, rot_);
    VectorBarrier();
  }

 private:
  CalcBuf buf_;
  int32_t rot_ = 0;
  LocalTensor<uint32_t> swap_, cos_, sin_;
  LocalTensor<float> sign_, c2_, s2_, xs_, t1_;
};

// Rotates n F32 key rows of kf (row stride dp) to their slots' positions, cos/sin rows cs (row
// stride rp, cos then sin), in place. NEOX (half_rotate) takes the reference's formula on the
// rotary halves, x1' = x1 c - x2 s and x2' = x2 c + x1 s, with its roundings: four products for
// every row into tmp (4 blocks of rows_cap rows of AlignUp(rotary_dim / 2, 8) floats), one
// barrier, a difference and a sum. GPT-J pairs go through the rotator, row by row. Ends with a
// vector barrier.
__aicore__ inline void RotateKeyRows(const LocalTensor<float>& kf, const LocalTensor<float>& cs, int32_t n,
                                     int32_t dp, int32_t rp, bool half_rotate, int32_t rotary_dim,
                                     int32_t rows_cap, const LocalTensor<float>& tmp, Rotator& rotator) {
  if (half_rotate) {
    const int32_t h = rotary_dim / 2;
    const int32_t hp = AlignUp(h, 8);
    for (int32_t j = 0; j < n; j++) {
      const LocalTensor<float> x1 = kf[j * dp];
      const LocalTensor<float> x2 = kf[j * dp + h];
      const LocalTensor<float> c = cs[j * rp];
      const LocalTensor<float> s = cs[j * rp + h];
      AscendC::Mul(tmp[(0 * rows_cap + j) * hp], x1, c, h);
      AscendC::Mul(tmp[(1 * rows_cap + j) * hp], x2, s, h);
      AscendC::Mul(tmp[(2 * rows_cap + j) * hp], x2, c, h);
      AscendC::Mul(tmp[(3 * rows_cap + j) * hp], x1, s, h);
    }
    VectorBarrier();
    for (int32_t j = 0; j < n; j++) {
      AscendC::Sub(kf[j * dp], tmp[(0 * rows_cap + j) * hp], tmp[(1 * rows_cap + j) * hp], h);
      AscendC::Add(kf[j * dp + h], tmp[(2 * rows_cap + j) * hp], tmp[(3 * rows_cap + j) * hp], h);
    }
    VectorBarrier();
  } else {
    for (int32_t j = 0; j < n; j++) {
      rotator.SetPosition(cs[j * rp]);
      rotator.Apply(kf[j * dp]);
    }
  }
}

}  // namespace ascend
}  // namespace npukit

#endif
