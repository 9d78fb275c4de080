// CPU emulation of the subset of AscendC's kernel_operator.h that npukit's kernels use, with the
// documented semantics of each call, checking what the hardware requires:
//   - alignment:        local tensors used by DataCopy and vector instructions start on a
//                       32-byte boundary of the unified buffer; DataCopy moves a multiple of
//                       32 bytes (DataCopyPad exists for the rest)
//   - UB capacity:      the buffers a TPipe hands out fit the unified buffer (192 KB default)
//   - global bounds:    every global-memory access stays inside the aclrtMalloc allocation
//                       (and the size given to SetGlobalBuffer)
//   - local bounds:     no instruction reads or writes past the end of its local tensor
//   - queue discipline: AllocTensor with every buffer in use, EnQue of a tensor that is not
//                       allocated, DeQue of an empty queue, FreeTensor of a free buffer
// Not modelled: timing and pipeline concurrency (every instruction completes before the next,
// so missing PipeBarrier/SetFlag synchronisation goes unnoticed), the cube unit, L1/L0 buffers,
// bank conflicts, and the exact rounding of Exp (std::exp here).
#ifndef NPUKIT_ASCENDC_EMU_KERNEL_OPERATOR_H
#define NPUKIT_ASCENDC_EMU_KERNEL_OPERATOR_H

#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <type_traits>

#include "ascendc_emu/core.h"
#include "ascendc_emu/half_types.h"

// Device-code qualifiers mean nothing on the CPU.
#define __global__
#define __aicore__
#define __gm__
#define GM_ADDR uint8_t*

namespace AscendC {

inline int64_t GetBlockIdx() { return emu::CurrentCore().block_idx; }
inline int64_t GetBlockNum() { return emu::CurrentCore().block_num; }

enum class TPosition { GM, VECIN, VECOUT, VECCALC, A1, A2, B1, B2, CO1, CO2 };
using QuePosition = TPosition;

enum class RoundMode { CAST_NONE, CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC, CAST_ODD };

enum pipe_t { PIPE_S, PIPE_V, PIPE_M, PIPE_MTE1, PIPE_MTE2, PIPE_MTE3, PIPE_ALL };

// Instructions complete in order in the emulator, so barriers have nothing to wait for.
template <pipe_t pipe>
inline void PipeBarrier() {}

namespace emu {

inline size_t UbOffset(const void* p) {
  return static_cast<size_t>(static_cast<const uint8_t*>(p) - CurrentCore().ub);
}

inline void CheckAligned(const void* p, const char* what) {
  const size_t off = UbOffset(p);
  if (off % 32 != 0) {
    Violation(kRuleAlignment, "%s: local tensor at UB offset %zu is not 32-byte aligned", what, off);
  }
}

inline void CheckCount(uint64_t count, uint64_t size, const char* what) {
  if (count > size) {
    Violation(kRuleLocalBounds, "%s: %llu elements exceed a local tensor of %llu", what,
              (unsigned long long)count, (unsigned long long)size);
  }
}

}  // namespace emu

// A window of the unified buffer.
template <typename T>
class LocalTensor {
 public:
  using PrimType = T;
  LocalTensor() = default;
  LocalTensor(T* p, uint32_t size) : ptr_(p), size_(size) {}

  LocalTensor operator[](uint32_t offset) const {
    if (offset > size_) {
      emu::Violation(emu::kRuleLocalBounds, "LocalTensor[%u] past its %u elements", offset, size_);
    }
    return LocalTensor(ptr_ + offset, size_ - offset);
  }
  T GetValue(uint32_t i) const {
    if (i >= size_) emu::Violation(emu::kRuleLocalBounds, "GetValue(%u) on a local tensor of %u", i, size_);
    return ptr_[i];
  }
  void SetValue(uint32_t i, T v) const {
    if (i >= size_) emu::Violation(emu::kRuleLocalBounds, "SetValue(%u) on a local tensor of %u", i, size_);
    ptr_[i] = v;
  }
  uint32_t GetSize() const { return size_; }
  template <typename U>
  LocalTensor<U> ReinterpretCast() const {
    return LocalTensor<U>(reinterpret_cast<U*>(ptr_), static_cast<uint32_t>(uint64_t{size_} * sizeof(T) / sizeof(U)));
  }
  // Emulator access for instruction implementations.
  T* data() const { return ptr_; }

 private:
  T* ptr_ = nullptr;
  uint32_t size_ = 0;
};

// A view of global memory (HBM).
template <typename T>
class GlobalTensor {
 public:
  void SetGlobalBuffer(__gm__ T* buffer, uint64_t size) {
    if (size > 0 && !emu::DeviceRangeValid(buffer, size * sizeof(T))) {
      emu::Violation(emu::kRuleGlobalBounds, "SetGlobalBuffer of %llu bytes at %p is not inside one device allocation",
                     (unsigned long long)(size * sizeof(T)), static_cast<const void*>(buffer));
    }
    ptr_ = buffer;
    size_ = size;
  }
  GlobalTensor operator[](uint64_t offset) const {
    GlobalTensor g;
    g.ptr_ = ptr_ + offset;
    g.size_ = offset <= size_ ? size_ - offset : 0;
    g.over_ = offset > size_;
    return g;
  }
  T GetValue(uint64_t i) const {
    Check(i, 1, "GetValue");
    emu::RecordGmAccess(ptr_ + i, sizeof(T), false, "GetValue");
    return ptr_[i];
  }
  void SetValue(uint64_t i, T v) const {
    Check(i, 1, "SetValue");
    emu::RecordGmAccess(ptr_ + i, sizeof(T), true, "SetValue");
    ptr_[i] = v;
  }
  __gm__ T* GetPhyAddr() const { return ptr_; }
  uint64_t GetSize() const { return size_; }

  // Throws unless elements [i, i + n) are inside this view and its device allocation.
  void Check(uint64_t i, uint64_t n, const char* what) const {
    if (over_ || i > size_ || n > size_ - i || (n > 0 && !emu::DeviceRangeValid(ptr_ + i, n * sizeof(T)))) {
      emu::Violation(emu::kRuleGlobalBounds, "%s: elements [%llu, %llu) outside a global tensor of %llu", what,
                     (unsigned long long)i, (unsigned long long)(i + n), (unsigned long long)size_);
    }
  }

 private:
  T* ptr_ = nullptr;
  uint64_t size_ = 0;
  bool over_ = false;
};

class TPipe;

// A queue of num equal buffers for passing tiles between pipeline stages.
template <TPosition pos, int32_t depth>
class TQue {
 public:
  template <typename T>
  LocalTensor<T> AllocTensor() {
    for (int i = 0; i < num_; i++) {
      if (state_[i] == kFree) {
        state_[i] = kAllocated;
        return LocalTensor<T>(reinterpret_cast<T*>(base_ + size_t(i) * len_), static_cast<uint32_t>(len_ / sizeof(T)));
      }
    }
    emu::Violation(emu::kRuleQueue, "AllocTensor with all %d buffers of the queue in use", num_);
  }
  template <typename T>
  bool EnQue(const LocalTensor<T>& t) {
    const int i = Slot(t.data(), "EnQue");
    if (state_[i] != kAllocated) {
      emu::Violation(emu::kRuleQueue, "EnQue of buffer %d that is not allocated (or already queued)", i);
    }
    state_[i] = kQueued;
    fifo_.push_back(i);
    return true;
  }
  template <typename T>
  LocalTensor<T> DeQue() {
    if (fifo_.empty()) emu::Violation(emu::kRuleQueue, "DeQue of an empty queue");
    const int i = fifo_.front();
    fifo_.pop_front();
    state_[i] = kAllocated;
    return LocalTensor<T>(reinterpret_cast<T*>(base_ + size_t(i) * len_), static_cast<uint32_t>(len_ / sizeof(T)));
  }
  template <typename T>
  void FreeTensor(const LocalTensor<T>& t) {
    const int i = Slot(t.data(), "FreeTensor");
    if (state_[i] == kFree) emu::Violation(emu::kRuleQueue, "FreeTensor of buffer %d, which is already free", i);
    if (state_[i] == kQueued) emu::Violation(emu::kRuleQueue, "FreeTensor of buffer %d while it is still queued", i);
    state_[i] = kFree;
  }

 private:
  friend class TPipe;
  enum State { kFree, kAllocated, kQueued };
  static constexpr int kMaxBuffers = 8;

  int Slot(const void* p, const char* what) const {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    for (int i = 0; i < num_; i++) {
      if (b == base_ + size_t(i) * len_) return i;
    }
    emu::Violation(emu::kRuleQueue, "%s of a tensor that does not belong to this queue", what);
  }

  uint8_t* base_ = nullptr;
  size_t len_ = 0;
  int num_ = 0;
  State state_[kMaxBuffers] = {};
  std::deque<int> fifo_;
};

// A single scratch buffer.
template <TPosition pos>
class TBuf {
 public:
  template <typename T>
  LocalTensor<T> Get() const {
    return LocalTensor<T>(reinterpret_cast<T*>(base_), static_cast<uint32_t>(len_ / sizeof(T)));
  }
  template <typename T>
  LocalTensor<T> Get(uint32_t count) const {
    emu::CheckCount(uint64_t{count} * sizeof(T), len_, "TBuf::Get");
    return LocalTensor<T>(reinterpret_cast<T*>(base_), count);
  }

 private:
  friend class TPipe;
  uint8_t* base_ = nullptr;
  size_t len_ = 0;
};

// Hands out the unified buffer. Lengths are rounded up to 32 bytes, as on the hardware.
class TPipe {
 public:
  TPipe() { emu::CurrentCore().ub_used = 0; }

  template <TPosition pos, int32_t depth>
  bool InitBuffer(TQue<pos, depth>& que, uint8_t num, uint32_t len) {
    if (num < 1 || num > TQue<pos, depth>::kMaxBuffers) {
      emu::Violation(emu::kRuleQueue, "InitBuffer with %d buffers (1 to %d)", num, TQue<pos, depth>::kMaxBuffers);
    }
    const size_t l = Round(len);
    que.base_ = Take(size_t(num) * l);
    que.len_ = l;
    que.num_ = num;
    return true;
  }
  template <TPosition pos>
  bool InitBuffer(TBuf<pos>& buf, uint32_t len) {
    const size_t l = Round(len);
    buf.base_ = Take(l);
    buf.len_ = l;
    return true;
  }

 private:
  static size_t Round(size_t len) { return (len + 31) / 32 * 32; }
  static uint8_t* Take(size_t bytes) {
    emu::Core& c = emu::CurrentCore();
    if (bytes > c.ub_size - c.ub_used) {
      emu::Violation(emu::kRuleUbCapacity, "InitBuffer of %zu bytes with %zu of %zu bytes already in use", bytes,
                     c.ub_used, c.ub_size);
    }
    uint8_t* p = c.ub + c.ub_used;
    c.ub_used += bytes;
    return p;
  }
};

// Write-back of the scalar data cache to global memory. The emulator has no cache.
enum class CacheLine { SINGLE_CACHE_LINE, ENTIRE_DATA_CACHE };
enum class DcciDst { CACHELINE_ALL, CACHELINE_UB, CACHELINE_OUT, CACHELINE_ATOMIC };
template <typename T, CacheLine line, DcciDst dst>
inline void DataCacheCleanAndInvalid(const GlobalTensor<T>&) {}

// ---- data movement ----

// GM -> UB, count elements, a multiple of 32 bytes.
template <typename T>
void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, uint32_t count) {
  const size_t bytes = size_t(count) * sizeof(T);
  if (bytes % 32 != 0) {
    emu::Violation(emu::kRuleAlignment, "DataCopy length %zu bytes is not a multiple of 32", bytes);
  }
  emu::CheckAligned(dst.data(), "DataCopy");
  emu::CheckCount(count, dst.GetSize(), "DataCopy");
  src.Check(0, count, "DataCopy");
  emu::RecordGmAccess(src.GetPhyAddr(), bytes, false, "DataCopy");
  std::memcpy(dst.data(), src.GetPhyAddr(), bytes);
}

// UB -> GM.
template <typename T>
void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, uint32_t count) {
  const size_t bytes = size_t(count) * sizeof(T);
  if (bytes % 32 != 0) {
    emu::Violation(emu::kRuleAlignment, "DataCopy length %zu bytes is not a multiple of 32", bytes);
  }
  emu::CheckAligned(src.data(), "DataCopy");
  emu::CheckCount(count, src.GetSize(), "DataCopy");
  dst.Check(0, count, "DataCopy");
  emu::RecordGmAccess(dst.GetPhyAddr(), bytes, true, "DataCopy");
  std::memcpy(dst.GetPhyAddr(), src.data(), bytes);
}

// UB -> UB.
template <typename T>
void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, uint32_t count) {
  const size_t bytes = size_t(count) * sizeof(T);
  if (bytes % 32 != 0) {
    emu::Violation(emu::kRuleAlignment, "DataCopy length %zu bytes is not a multiple of 32", bytes);
  }
  emu::CheckAligned(dst.data(), "DataCopy");
  emu::CheckAligned(src.data(), "DataCopy");
  emu::CheckCount(count, dst.GetSize(), "DataCopy");
  emu::CheckCount(count, src.GetSize(), "DataCopy");
  std::memmove(dst.data(), src.data(), bytes);
}

// blockCount blocks of blockLen bytes. GM -> UB: srcStride is the gap between blocks in GM in
// bytes, dstStride the extra gap in UB in 32-byte blocks (each block starts 32-byte aligned).
// UB -> GM: srcStride in 32-byte blocks (UB), dstStride in bytes (GM).
struct DataCopyExtParams {
  uint16_t blockCount = 1;
  uint32_t blockLen = 0;
  uint32_t srcStride = 0;
  uint32_t dstStride = 0;
  uint32_t rsv = 0;
};

template <typename T>
struct DataCopyPadExtParams {
  bool isPad = false;
  uint8_t leftPadding = 0;
  uint8_t rightPadding = 0;
  T paddingValue = T();
};

template <typename T>
void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyExtParams& p,
                 const DataCopyPadExtParams<T>& pad) {
  emu::CheckAligned(dst.data(), "DataCopyPad");
  if (p.blockLen % sizeof(T) != 0) {
    emu::Violation(emu::kRuleAlignment, "DataCopyPad block of %u bytes is not whole elements", p.blockLen);
  }
  if (p.srcStride % sizeof(T) != 0) {
    emu::Violation(emu::kRuleAlignment, "DataCopyPad source stride of %u bytes is not whole elements", p.srcStride);
  }
  const size_t ub_block = (size_t(p.blockLen) + 31) / 32 * 32 + size_t(p.dstStride) * 32;
  const uint64_t gm_step = (uint64_t(p.blockLen) + p.srcStride) / sizeof(T);
  const uint64_t n = p.blockLen / sizeof(T);
  for (uint32_t b = 0; b < p.blockCount; b++) {
    const size_t ub_off = b * ub_block;
    emu::CheckCount((ub_off + (p.blockLen + 31) / 32 * 32) / sizeof(T), dst.GetSize(), "DataCopyPad");
    src.Check(b * gm_step, n, "DataCopyPad");
    emu::RecordGmAccess(src.GetPhyAddr() + b * gm_step, p.blockLen, false, "DataCopyPad");
    T* out = reinterpret_cast<T*>(reinterpret_cast<uint8_t*>(dst.data()) + ub_off);
    std::memcpy(out, src.GetPhyAddr() + b * gm_step, p.blockLen);
    if (pad.isPad) {
      const size_t padded = (p.blockLen + 31) / 32 * 32 / sizeof(T);
      for (size_t i = n; i < padded; i++) out[i] = pad.paddingValue;
    }
  }
}

template <typename T>
void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyExtParams& p) {
  emu::CheckAligned(src.data(), "DataCopyPad");
  if (p.blockLen % sizeof(T) != 0 || p.dstStride % sizeof(T) != 0) {
    emu::Violation(emu::kRuleAlignment, "DataCopyPad block of %u bytes (stride %u) is not whole elements", p.blockLen,
                   p.dstStride);
  }
  const size_t ub_block = (size_t(p.blockLen) + 31) / 32 * 32 + size_t(p.srcStride) * 32;
  const uint64_t gm_step = (uint64_t(p.blockLen) + p.dstStride) / sizeof(T);
  const uint64_t n = p.blockLen / sizeof(T);
  for (uint32_t b = 0; b < p.blockCount; b++) {
    const size_t ub_off = b * ub_block;
    emu::CheckCount((ub_off + p.blockLen) / sizeof(T), src.GetSize(), "DataCopyPad");
    dst.Check(b * gm_step, n, "DataCopyPad");
    emu::RecordGmAccess(dst.GetPhyAddr() + b * gm_step, p.blockLen, true, "DataCopyPad");
    std::memcpy(dst.GetPhyAddr() + b * gm_step, reinterpret_cast<const uint8_t*>(src.data()) + ub_off, p.blockLen);
  }
}

// ---- vector instructions (count mode: the first count elements of each operand) ----

namespace emu {
template <typename T, class F>
void Binary(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& b, int32_t n, const char* what,
            F f) {
  CheckAligned(d.data(), what);
  CheckAligned(a.data(), what);
  CheckAligned(b.data(), what);
  CheckCount(n, d.GetSize(), what);
  CheckCount(n, a.GetSize(), what);
  CheckCount(n, b.GetSize(), what);
  for (int32_t i = 0; i < n; i++) d.data()[i] = f(a.data()[i], b.data()[i]);
}
template <typename T, class F>
void Unary(const LocalTensor<T>& d, const LocalTensor<T>& a, int32_t n, const char* what, F f) {
  CheckAligned(d.data(), what);
  CheckAligned(a.data(), what);
  CheckCount(n, d.GetSize(), what);
  CheckCount(n, a.GetSize(), what);
  for (int32_t i = 0; i < n; i++) d.data()[i] = f(a.data()[i]);
}
}  // namespace emu

template <typename T>
void Add(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& b, int32_t n) {
  emu::Binary(d, a, b, n, "Add", [](T x, T y) { return x + y; });
}
template <typename T>
void Sub(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& b, int32_t n) {
  emu::Binary(d, a, b, n, "Sub", [](T x, T y) { return x - y; });
}
template <typename T>
void Mul(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& b, int32_t n) {
  emu::Binary(d, a, b, n, "Mul", [](T x, T y) { return x * y; });
}
template <typename T>
void Div(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& b, int32_t n) {
  emu::Binary(d, a, b, n, "Div", [](T x, T y) { return x / y; });
}
template <typename T>
void Max(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& b, int32_t n) {
  emu::Binary(d, a, b, n, "Max", [](T x, T y) { return x > y ? x : y; });
}
template <typename T>
void Muls(const LocalTensor<T>& d, const LocalTensor<T>& a, T s, int32_t n) {
  emu::Unary(d, a, n, "Muls", [s](T x) { return x * s; });
}
template <typename T>
void Adds(const LocalTensor<T>& d, const LocalTensor<T>& a, T s, int32_t n) {
  emu::Unary(d, a, n, "Adds", [s](T x) { return x + s; });
}
template <typename T>
void Exp(const LocalTensor<T>& d, const LocalTensor<T>& a, int32_t n) {
  emu::Unary(d, a, n, "Exp", [](T x) { return std::exp(x); });
}
// d = d + a * s (two roundings: no fused multiply-add in the emulator).
template <typename T>
void Axpy(const LocalTensor<T>& d, const LocalTensor<T>& a, T s, int32_t n) {
  emu::Binary(d, d, a, n, "Axpy", [s](T x, T y) { return x + y * s; });
}
template <typename T>
void Duplicate(const LocalTensor<T>& d, T v, int32_t n) {
  emu::CheckAligned(d.data(), "Duplicate");
  emu::CheckCount(n, d.GetSize(), "Duplicate");
  for (int32_t i = 0; i < n; i++) d.data()[i] = v;
}

// d[0] = max (or sum) of a[0..n); work is scratch of the instruction.
template <typename T>
void ReduceMax(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& work, int32_t n,
               bool calIndex = false) {
  (void)calIndex;
  emu::Unary(d, a, 0, "ReduceMax", [](T x) { return x; });
  emu::CheckAligned(work.data(), "ReduceMax");
  emu::CheckCount(n, a.GetSize(), "ReduceMax");
  emu::CheckCount(1, d.GetSize(), "ReduceMax");
  T m = -std::numeric_limits<T>::infinity();
  for (int32_t i = 0; i < n; i++) m = a.data()[i] > m ? a.data()[i] : m;
  d.data()[0] = m;
}
template <typename T>
void ReduceSum(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& work, int32_t n) {
  emu::Unary(d, a, 0, "ReduceSum", [](T x) { return x; });
  emu::CheckAligned(work.data(), "ReduceSum");
  emu::CheckCount(n, a.GetSize(), "ReduceSum");
  emu::CheckCount(1, d.GetSize(), "ReduceSum");
  // The hardware adds 8 lanes per 32-byte block, then the lanes: the emulator keeps that shape.
  T lanes[8] = {};
  for (int32_t i = 0; i < n; i++) lanes[i % 8] += a.data()[i];
  T s = T(0);
  for (int j = 0; j < 8; j++) s += lanes[j];
  d.data()[0] = s;
}

// dst[i] = the element at byte offset srcBase + offset[i] from src's start.
template <typename T>
void Gather(const LocalTensor<T>& d, const LocalTensor<T>& src, const LocalTensor<uint32_t>& offset, uint32_t srcBase,
            uint32_t n) {
  emu::CheckAligned(d.data(), "Gather");
  emu::CheckAligned(src.data(), "Gather");
  emu::CheckAligned(offset.data(), "Gather");
  emu::CheckCount(n, d.GetSize(), "Gather");
  emu::CheckCount(n, offset.GetSize(), "Gather");
  for (uint32_t i = 0; i < n; i++) {
    const uint64_t byte = uint64_t{srcBase} + offset.data()[i];
    if (byte % sizeof(T) != 0) emu::Violation(emu::kRuleAlignment, "Gather offset %llu is not element-aligned",
                                              (unsigned long long)byte);
    d.data()[i] = src.GetValue(static_cast<uint32_t>(byte / sizeof(T)));
  }
}

// Conversions: widening is exact; narrowing with CAST_RINT rounds to nearest even (IEEE).
template <typename D, typename S>
void Cast(const LocalTensor<D>& d, const LocalTensor<S>& s, RoundMode mode, uint32_t n) {
  emu::CheckAligned(d.data(), "Cast");
  emu::CheckAligned(s.data(), "Cast");
  emu::CheckCount(n, d.GetSize(), "Cast");
  emu::CheckCount(n, s.GetSize(), "Cast");
  if (mode != RoundMode::CAST_NONE && mode != RoundMode::CAST_RINT) {
    emu::Violation("cast mode", "Cast: only CAST_NONE and CAST_RINT are emulated");
  }
  for (uint32_t i = 0; i < n; i++) d.data()[i] = emu::Convert<D>(s.data()[i]);
}

}  // namespace AscendC

#endif
