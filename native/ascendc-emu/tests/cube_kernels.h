// Small cube (AIC) kernels for cube_test.cpp: a matrix product through the whole cube path
// (GM -> L1 with ND2NZ, LoadData L1 -> L0A/L0B, Mmad, Fixpipe L0C -> GM), checked against a
// plain product, and deliberately wrong kernels, each breaking one cube rule behind a flag whose
// other value is the corrected twin (which must pass, so a rule that always fired is caught).
#ifndef NPUKIT_ASCENDC_EMU_CUBE_KERNELS_H
#define NPUKIT_ASCENDC_EMU_CUBE_KERNELS_H

#include "kernel_operator.h"

namespace npukit_emu_cube {

using namespace AscendC;

constexpr int64_t kF32 = 0, kF16 = 1, kBF16 = 2;

// Options of the product kernel (bits of `flags`).
constexpr int64_t kFillOnes = 1;      // fill L1 with ones, not zeros, before the ND2NZ copies
constexpr int64_t kWeightKxN = 2;     // w is [k, n] ND: B2 by LoadData with ifTranspose (16-bit only)
constexpr int64_t kSplitK = 4;        // two Mmads over halves of k, the second accumulating

inline int64_t Up(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

// out[m, n] = x[m, k] . w[n, k]^T (or x . w with kWeightKxN), inputs of type T, out of type O.
template <typename T, typename O>
void ProductBody(GM_ADDR x, GM_ADDR w, GM_ADDR out, int64_t m, int64_t n, int64_t k, int64_t flags) {
  constexpr int64_t k0 = 32 / sizeof(T);
  const int64_t mp = Up(m, 16), np = Up(n, 16), kp = Up(k, k0);
  const int64_t mb = mp / 16, nb = np / 16, kb = kp / k0;
  const bool kxn = (flags & kWeightKxN) != 0;
  TPipe pipe;
  TQue<TPosition::A1, 1> a1q;
  TQue<TPosition::B1, 1> b1q;
  TQue<TPosition::A2, 1> a2q;
  TQue<TPosition::B2, 1> b2q;
  TQue<TPosition::CO1, 1> cq;
  pipe.InitBuffer(a1q, 1, mp * kp * sizeof(T));
  pipe.InitBuffer(b1q, 1, np * kp * sizeof(T));
  pipe.InitBuffer(a2q, 1, mp * kp * sizeof(T));
  pipe.InitBuffer(b2q, 1, np * kp * sizeof(T));
  pipe.InitBuffer(cq, 1, mp * np * sizeof(float));
  GlobalTensor<T> xg, wg;
  GlobalTensor<O> og;
  xg.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(x), m * k);
  wg.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(w), n * k);
  og.SetGlobalBuffer(reinterpret_cast<__gm__ O*>(out), m * n);

  LocalTensor<T> a1 = a1q.AllocTensor<T>();
  LocalTensor<T> b1 = b1q.AllocTensor<T>();
  // L1 around the copies: zeros, or ones (kFillOnes). ND2NZ zeroes the rest of a partial 32-byte
  // row itself; the rows up to a fractal boundary keep the fill.
  const T fill = (flags & kFillOnes) != 0 ? AscendC::emu::FromFloat<T>(1.0f) : T{};
  InitConstValue(a1, InitConstValueParams<T>(1, static_cast<uint16_t>(mp * kp * sizeof(T) / 32), 0, fill));
  InitConstValue(b1, InitConstValueParams<T>(1, static_cast<uint16_t>(np * kp * sizeof(T) / 32), 0, fill));
  DataCopy(a1, xg, Nd2NzParams(1, m, k, 0, k, mp, 1, 0));
  if (kxn) {
    DataCopy(b1, wg, Nd2NzParams(1, k, n, 0, n, kp, 1, 0));  // [k, n]: k rows, n columns
  } else {
    DataCopy(b1, wg, Nd2NzParams(1, n, k, 0, k, np, 1, 0));
  }
  a1q.EnQue(a1);
  b1q.EnQue(b1);
  a1 = a1q.DeQue<T>();
  b1 = b1q.DeQue<T>();
  LocalTensor<float> c = cq.AllocTensor<float>();
  const int64_t chunks = (flags & kSplitK) != 0 && kb > 1 ? 2 : 1;
  for (int64_t ch = 0; ch < chunks; ch++) {
    const int64_t f0 = ch == 0 ? 0 : kb / 2;
    const int64_t f1 = chunks == 1 || ch == 1 ? kb : kb / 2;
    const int64_t fc = f1 - f0;
    LocalTensor<T> a2 = a2q.AllocTensor<T>();
    LocalTensor<T> b2 = b2q.AllocTensor<T>();
    // A: L1 NZ holds (m block, k block) at k block x mb + m block; A2 (ZZ) wants it at m block x fc + k block.
    for (int64_t i = 0; i < mb; i++) {
      LoadData(a2[i * fc * 16 * k0], a1, LoadData2DParams(f0 * mb + i, fc, mb, 0, 0, false, 0));
    }
    if (kxn) {
      // L1 NZ of [k, n] holds (k block, n block) at n block x kb + k block, each [k][n]: transpose.
      for (int64_t q = 0; q < fc; q++) {
        LoadData(b2[q * nb * 256], b1, LoadData2DParams(f0 + q, nb, kb, 0, 0, true, 0));
      }
    } else {
      LoadData(b2, b1, LoadData2DParams(f0 * nb, fc * nb, 1, 0, 0, false, 0));
    }
    a2q.EnQue(a2);
    b2q.EnQue(b2);
    a2 = a2q.DeQue<T>();
    b2 = b2q.DeQue<T>();
    const int64_t klen = (f1 == kb ? k : f1 * k0) - f0 * k0;
    Mmad(c, a2, b2, MmadParams(m, n, klen, 0, false, ch == 0));
    a2q.FreeTensor(a2);
    b2q.FreeTensor(b2);
  }
  a1q.FreeTensor(a1);
  b1q.FreeTensor(b1);
  cq.EnQue(c);
  c = cq.DeQue<float>();
  FixpipeParamsV220 fp(n, m, mp, n, false);
  fp.quantPre = std::is_same<O, half>::value ? QuantMode_t::F322F16
                : std::is_same<O, bfloat16_t>::value ? QuantMode_t::F322BF16 : QuantMode_t::NoQuant;
  Fixpipe<O, float, CFG_ROW_MAJOR>(og, c, fp);
  cq.FreeTensor(c);
}

template <typename T>
void ProductOut(GM_ADDR x, GM_ADDR w, GM_ADDR out, int64_t m, int64_t n, int64_t k, int64_t out_dtype, int64_t flags) {
  if (out_dtype == kF16) {
    ProductBody<T, half>(x, w, out, m, n, k, flags);
  } else if (out_dtype == kBF16) {
    ProductBody<T, bfloat16_t>(x, w, out, m, n, k, flags);
  } else {
    ProductBody<T, float>(x, w, out, m, n, k, flags);
  }
}

inline __global__ __aicore__ void product_kernel(GM_ADDR x, GM_ADDR w, GM_ADDR out, int64_t m, int64_t n, int64_t k,
                                                 int64_t in_dtype, int64_t out_dtype, int64_t flags) {
  if (in_dtype == kF16) {
    ProductOut<half>(x, w, out, m, n, k, out_dtype, flags);
  } else if (in_dtype == kBF16) {
    ProductOut<bfloat16_t>(x, w, out, m, n, k, out_dtype, flags);
  } else {
    ProductOut<float>(x, w, out, m, n, k, out_dtype, flags);
  }
}

// ---- wrong kernels: a 16 x 16 x 16 half product on TBufs with explicit flags ----

// What each wrong kernel breaks (`wrong`), 0 for the corrected twin.
enum Break : int64_t {
  kOk = 0,
  kMmadFromL1,        // Mmad's left matrix in A1 (L1), not A2
  kLoadFromL0,        // LoadData from A2 (L0A) into B2
  kFixpipeFromL1,     // Fixpipe from a B1 (L1) tensor, not CO1
  kL0aOverflow,       // 64 KB + 512 bytes of A2 buffers
  kMisalignedA2,      // Mmad's left matrix 32 bytes into its fractal
  kMixedDtypes,       // Mmad of half x bfloat16
  kFixpipeQuant,      // Fixpipe into half with quantPre NoQuant
  kNoMte2ToMte1,      // LoadData of a DataCopy's L1 result with no MTE2_MTE1
  kNoMte1ToM,         // Mmad of a LoadData's L0 result with no MTE1_M
  kNoMToFix,          // Fixpipe of an Mmad result with no M_FIX
  kMixedCore,         // a VECIN and an A1 buffer in one kernel
  kUnwaitedFlag,      // a SetFlag<M_FIX> nobody waits for when the kernel ends
};

inline __global__ __aicore__ void wrong_cube_kernel(GM_ADDR x, GM_ADDR out, int64_t wrong) {
  TPipe pipe;
  TBuf<TPosition::A1> a1b;
  TBuf<TPosition::B1> b1b;
  TBuf<TPosition::A2> a2b;
  TBuf<TPosition::B2> b2b;
  TBuf<TPosition::CO1> cb;
  pipe.InitBuffer(a1b, 512);
  pipe.InitBuffer(b1b, 1024);
  pipe.InitBuffer(a2b, wrong == kL0aOverflow ? 64 * 1024 + 512 : 1024);
  pipe.InitBuffer(b2b, 512);
  pipe.InitBuffer(cb, 1024);
  if (wrong == kMixedCore) {
    TBuf<TPosition::VECIN> v;
    pipe.InitBuffer(v, 32);
  }
  GlobalTensor<half> xg;
  xg.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(x), 256);
  GlobalTensor<float> og;
  og.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(out), 256);
  GlobalTensor<half> oh;
  oh.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(out), 256);
  LocalTensor<half> a1 = a1b.Get<half>();
  LocalTensor<half> b1 = b1b.Get<half>();
  LocalTensor<half> a2 = a2b.Get<half>();
  LocalTensor<half> b2 = b2b.Get<half>();
  LocalTensor<float> c = cb.Get<float>();
  DataCopy(a1, xg, Nd2NzParams(1, 16, 16, 0, 16, 16, 1, 0));
  DataCopy(b1, xg, Nd2NzParams(1, 16, 16, 0, 16, 16, 1, 0));
  if (wrong != kNoMte2ToMte1) {
    SetFlag<HardEvent::MTE2_MTE1>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_MTE1>(EVENT_ID0);
  }
  const LocalTensor<half> a2at = wrong == kMisalignedA2 ? a2[16] : a2;
  LoadData(a2at, a1, LoadData2DParams(0, 1, 1, 0, 0, false, 0));
  if (wrong == kLoadFromL0) {
    LoadData(b2, a2, LoadData2DParams(0, 1, 1, 0, 0, false, 0));
  } else {
    LoadData(b2, b1, LoadData2DParams(0, 1, 1, 0, 0, false, 0));
  }
  if (wrong != kNoMte1ToM) {
    SetFlag<HardEvent::MTE1_M>(EVENT_ID0);
    WaitFlag<HardEvent::MTE1_M>(EVENT_ID0);
  }
  if (wrong == kMmadFromL1) {
    Mmad(c, a1, b2, MmadParams(16, 16, 16, 0, false, true));
  } else if (wrong == kMixedDtypes) {
    Mmad(c, a2at, b2.ReinterpretCast<bfloat16_t>(), MmadParams(16, 16, 16, 0, false, true));
  } else {
    Mmad(c, a2at, b2, MmadParams(16, 16, 16, 0, false, true));
  }
  if (wrong != kNoMToFix) {
    SetFlag<HardEvent::M_FIX>(EVENT_ID0);
    WaitFlag<HardEvent::M_FIX>(EVENT_ID0);
  }
  if (wrong == kUnwaitedFlag) SetFlag<HardEvent::M_FIX>(EVENT_ID1);
  FixpipeParamsV220 fp(16, 16, 16, 16, false);
  if (wrong == kFixpipeFromL1) {
    Fixpipe<float, float, CFG_ROW_MAJOR>(og, b1.ReinterpretCast<float>(), fp);
  } else if (wrong == kFixpipeQuant) {
    Fixpipe<half, float, CFG_ROW_MAJOR>(oh, c, fp);
  } else {
    Fixpipe<float, float, CFG_ROW_MAJOR>(og, c, fp);
  }
}

}  // namespace npukit_emu_cube

#endif
