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
//   - pipe synchronisation (strict: no compiler-inserted sync assumed): see ascendc_emu/pipes.h
//   - tensor position:  the data paths of DataCopy and DataCopyPad between GM, VECIN, VECCALC
//                       and VECOUT documented for Atlas A2, and of the cube unit (GM -> A1/B1,
//                       A1/B1 -> A2/B2, A2 x B2 -> CO1, CO1 -> GM)
//   - API limits:       DataCopyPad blockCount and blockLen, TPipe buffer count, ReduceSum's
//                       work tensor size, the ND2NZ, LoadData, Mmad and Fixpipe field ranges
//   - cast table:       the conversions and rounding modes Cast implements here
//   - cube rules:       L1/L0A/L0B/L0C capacities, fractal alignment, Mmad and Fixpipe dtypes,
//                       one core type (AIV or AIC) per kernel
//   - mixed kernels:    one cube and two vector cores per group, cross-core flags, ordered
//                       hand-over of global memory between them (ascendc_emu/cross_core.h)
// Not modelled: timing, bank conflicts, cross-core flag mode 0, the exact rounding of Exp
// (std::exp here); see native/ascend/README.md for the complete list.
#ifndef NPUKIT_ASCENDC_EMU_KERNEL_OPERATOR_H
#define NPUKIT_ASCENDC_EMU_KERNEL_OPERATOR_H

#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <type_traits>

#include "ascendc_emu/core.h"
#include "ascendc_emu/cross_core.h"
#include "ascendc_emu/half_types.h"
#include "ascendc_emu/pipes.h"

// Device-code qualifiers mean nothing on the CPU.
#define __global__
#define __aicore__
#define __gm__
#define GM_ADDR uint8_t*

// The core type a kernel declares with KERNEL_TASK_TYPE_DEFAULT: Atlas A2 compiles a kernel for
// the vector cores, the cube cores, or as a mixed kernel of one cube and two vector cores per
// group (KERNEL_TYPE_MIX_AIC_1_2: ascendc_emu/cross_core.h); TPipe's buffers must then lie in
// the running core's memories. A mixed kernel declares its type before anything else: the
// emulator then runs the launch again as groups (nothing has happened yet).
enum KernelMetaType { KERNEL_TYPE_AIV_ONLY, KERNEL_TYPE_AIC_ONLY, KERNEL_TYPE_MIX_AIC_1_1, KERNEL_TYPE_MIX_AIC_1_2 };
namespace AscendC {
namespace emu {
inline void DeclareKernelType(KernelMetaType t) {
  Core& c = CurrentCore();
  if (t == KERNEL_TYPE_MIX_AIC_1_1) {
    Violation(kRuleCoreType, "KERNEL_TYPE_MIX_AIC_1_1: Atlas A2 groups one cube core with two vector cores "
              "(KERNEL_TYPE_MIX_AIC_1_2); not emulated");
  }
  if (t == KERNEL_TYPE_MIX_AIC_1_2) {
    if (c.mixed != nullptr) return;  // running as a group: the core's kind is its role's
    if (!BlockUntouched() || c.kind != CoreKind::kUnknown) {
      Violation(kRuleCoreType, "KERNEL_TYPE_MIX_AIC_1_2 declared after the kernel began: the type is the kernel's, "
                "declared first");
    }
    throw MixedRestart();
  }
  if (c.mixed != nullptr) Violation(kRuleCoreType, "a kernel of one core type declared inside a mixed launch");
  const CoreKind kind = t == KERNEL_TYPE_AIC_ONLY ? CoreKind::kCube : CoreKind::kVector;
  if (c.kind != CoreKind::kUnknown && c.kind != kind) Violation(kRuleCoreType, "the kernel's type declared twice");
  c.kind = kind;
}
}  // namespace emu
}  // namespace AscendC
#define KERNEL_TASK_TYPE_DEFAULT(type) ::AscendC::emu::DeclareKernelType(type)

namespace AscendC {

// In a mixed kernel GetBlockIdx is the group on the cube core and 2 x group + sub-block on a
// vector core, GetBlockNum the groups (blockDim) on both, GetTaskRation the vector cores per
// cube core on a vector core (2) and 1 on the cube core, so GetBlockNum() * GetTaskRation() is
// the running core type's count. In a kernel of one core type: sub-block 0, ratio 1.
inline int64_t GetBlockIdx() { return emu::CurrentCore().block_idx; }
inline int64_t GetBlockNum() { return emu::CurrentCore().block_num; }
inline int64_t GetSubBlockIdx() { return emu::CurrentCore().role > 0 ? emu::CurrentCore().role - 1 : 0; }
inline int64_t GetTaskRation() { return emu::CurrentCore().role > 0 ? 2 : 1; }

// The running core's type (g_coreType on the device, a compile-time constant of each of a mixed
// kernel's two compilations; ASCEND_IS_AIC / ASCEND_IS_AIV test it). A kernel that has not
// declared itself a cube kernel runs on vector cores.
enum CoreType { AIC, AIV };
namespace emu {
inline CoreType RunningCoreType() { return CurrentCore().kind == CoreKind::kCube ? AIC : AIV; }
}  // namespace emu
#define g_coreType (::AscendC::emu::RunningCoreType())
#define ASCEND_IS_AIC (g_coreType == ::AscendC::AIC)
#define ASCEND_IS_AIV (g_coreType == ::AscendC::AIV)

enum class TPosition { GM, VECIN, VECOUT, VECCALC, A1, A2, B1, B2, CO1, CO2 };
using QuePosition = TPosition;

enum class RoundMode { CAST_NONE, CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC, CAST_ODD };

enum pipe_t { PIPE_S, PIPE_V, PIPE_M, PIPE_MTE1, PIPE_MTE2, PIPE_MTE3, PIPE_FIX, PIPE_ALL };

template <pipe_t pipe>
inline void PipeBarrier() {
  if (pipe == PIPE_ALL) {
    emu::PipeBarrierAll();
  } else {
    constexpr emu::Pipe p = pipe == PIPE_S ? emu::kPipeS : pipe == PIPE_V ? emu::kPipeV
                            : pipe == PIPE_MTE2 ? emu::kPipeMte2 : pipe == PIPE_MTE3 ? emu::kPipeMte3
                            : pipe == PIPE_MTE1 ? emu::kPipeMte1 : pipe == PIPE_M ? emu::kPipeM : emu::kPipeFix;
    emu::PipeBarrierOne(p);
  }
}

// Hardware events between the modelled pipes: SetFlag<X_Y>(id) on pipe X, WaitFlag<X_Y>(id) on Y.
// The first twelve are the vector core's, the rest the cube core's.
enum class HardEvent {
  MTE2_V, V_MTE2, MTE3_V, V_MTE3, S_V, V_S, S_MTE2, MTE2_S, S_MTE3, MTE3_S, MTE2_MTE3, MTE3_MTE2,
  MTE2_MTE1, MTE1_MTE2, MTE1_M, M_MTE1, M_FIX, FIX_M, MTE2_M, M_MTE2, FIX_MTE2, MTE2_FIX, S_MTE1, MTE1_S, S_M, M_S,
  S_FIX, FIX_S
};
enum event_t { EVENT_ID0, EVENT_ID1, EVENT_ID2, EVENT_ID3, EVENT_ID4, EVENT_ID5, EVENT_ID6, EVENT_ID7 };

namespace emu {
constexpr Pipe kEventPipes[][2] = {{kPipeMte2, kPipeV}, {kPipeV, kPipeMte2}, {kPipeMte3, kPipeV}, {kPipeV, kPipeMte3},
                                   {kPipeS, kPipeV},    {kPipeV, kPipeS},    {kPipeS, kPipeMte2}, {kPipeMte2, kPipeS},
                                   {kPipeS, kPipeMte3}, {kPipeMte3, kPipeS}, {kPipeMte2, kPipeMte3},
                                   {kPipeMte3, kPipeMte2},
                                   {kPipeMte2, kPipeMte1}, {kPipeMte1, kPipeMte2}, {kPipeMte1, kPipeM},
                                   {kPipeM, kPipeMte1},    {kPipeM, kPipeFix},     {kPipeFix, kPipeM},
                                   {kPipeMte2, kPipeM},    {kPipeM, kPipeMte2},    {kPipeFix, kPipeMte2},
                                   {kPipeMte2, kPipeFix},  {kPipeS, kPipeMte1},    {kPipeMte1, kPipeS},
                                   {kPipeS, kPipeM},       {kPipeM, kPipeS},       {kPipeS, kPipeFix},
                                   {kPipeFix, kPipeS}};
static_assert(sizeof(kEventPipes) / sizeof(kEventPipes[0]) == size_t(HardEvent::FIX_S) + 1, "one row per HardEvent");
}  // namespace emu

template <HardEvent e>
inline void SetFlag(int32_t id) {
  emu::FlagSet(emu::kEventPipes[int(e)][0], emu::kEventPipes[int(e)][1], id);
}
template <HardEvent e>
inline void WaitFlag(int32_t id) {
  emu::FlagWait(emu::kEventPipes[int(e)][0], emu::kEventPipes[int(e)][1], id);
}

namespace emu {
constexpr Pipe PipeOf(pipe_t p) {
  return p == PIPE_S ? kPipeS : p == PIPE_V ? kPipeV : p == PIPE_MTE2 ? kPipeMte2 : p == PIPE_MTE3 ? kPipeMte3
         : p == PIPE_MTE1 ? kPipeMte1 : p == PIPE_M ? kPipeM : kPipeFix;
}
}  // namespace emu

// Cross-core flags of a mixed kernel (ascendc_emu/cross_core.h): the set is issued on `pipe`
// (it fires when that pipe's earlier instructions are done), the wait blocks `pipe`.
template <uint8_t modeId, pipe_t pipe>
inline void CrossCoreSetFlag(uint16_t flagId) {
  static_assert(pipe != PIPE_ALL, "CrossCoreSetFlag is issued on one pipe");
  emu::NoteCrossCoreSet();
  emu::CrossCoreSet(modeId, emu::PipeOf(pipe), flagId);
}
template <uint8_t modeId = 0, pipe_t pipe = PIPE_S>
inline void CrossCoreWaitFlag(uint16_t flagId) {
  static_assert(pipe != PIPE_ALL, "CrossCoreWaitFlag blocks one pipe");
  emu::CrossCoreWait(emu::PipeOf(pipe), flagId);
}

namespace emu {

inline size_t UbOffset(const void* p) {
  return static_cast<size_t>(static_cast<const uint8_t*>(p) - CurrentCore().ub);
}

// Vector instructions and the UB copies work on the unified buffer only, 32-byte aligned.
inline void CheckAligned(const void* p, const char* what) {
  const size_t off = UbOffset(p);
  if (off >= CurrentCore().mem_size[kMemUb]) {
    Violation(kRulePosition, "%s: a local tensor outside the unified buffer (an L1/L0 position)", what);
  }
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

inline const char* PositionName(TPosition p) {
  switch (p) {
    case TPosition::GM: return "GM";
    case TPosition::VECIN: return "VECIN";
    case TPosition::VECOUT: return "VECOUT";
    case TPosition::VECCALC: return "VECCALC";
    case TPosition::A1: return "A1";
    case TPosition::A2: return "A2";
    case TPosition::B1: return "B1";
    case TPosition::B2: return "B2";
    case TPosition::CO1: return "CO1";
    case TPosition::CO2: return "CO2";
  }
  return "?";
}

// The local memory of a position (Atlas A2): VECIN/VECOUT/VECCALC the unified buffer of a vector
// core; A1/B1 the cube core's L1, A2 its L0A, B2 its L0B, CO1 its L0C.
inline Memory MemoryOf(TPosition p) {
  switch (p) {
    case TPosition::A1:
    case TPosition::B1: return kMemL1;
    case TPosition::A2: return kMemL0a;
    case TPosition::B2: return kMemL0b;
    case TPosition::CO1: return kMemL0c;
    case TPosition::VECIN:
    case TPosition::VECOUT:
    case TPosition::VECCALC: return kMemUb;
    default: break;
  }
  Violation(kRulePosition, "a local buffer in position %s: not a local memory of Atlas A2", PositionName(p));
}

// Byte offset of p inside memory m of the running core.
inline size_t MemOffset(const void* p, Memory m) { return UbOffset(p) - CurrentCore().mem_base[m]; }

}  // namespace emu

// A window of a local memory: the unified buffer, or L1/L0A/L0B/L0C on a cube core.
template <typename T>
class LocalTensor {
 public:
  using PrimType = T;
  LocalTensor() = default;
  LocalTensor(T* p, uint32_t size, TPosition pos) : ptr_(p), size_(size), pos_(pos) {}

  LocalTensor operator[](uint32_t offset) const {
    if (offset > size_) {
      emu::Violation(emu::kRuleLocalBounds, "LocalTensor[%u] past its %u elements", offset, size_);
    }
    return LocalTensor(ptr_ + offset, size_ - offset, pos_);
  }
  // Scalar-unit access (pipe S).
  T GetValue(uint32_t i) const {
    if (i >= size_) emu::Violation(emu::kRuleLocalBounds, "GetValue(%u) on a local tensor of %u", i, size_);
    CheckScalar("GetValue");
    emu::PipeRead(emu::kPipeS, "GetValue", emu::UbOffset(ptr_ + i), sizeof(T));
    emu::Counters().scalar_ub++;
    return ptr_[i];
  }
  void SetValue(uint32_t i, T v) const {
    if (i >= size_) emu::Violation(emu::kRuleLocalBounds, "SetValue(%u) on a local tensor of %u", i, size_);
    CheckScalar("SetValue");
    emu::PipeWrite(emu::kPipeS, "SetValue", emu::UbOffset(ptr_ + i), sizeof(T));
    emu::Counters().scalar_ub++;
    ptr_[i] = v;
  }
  uint32_t GetSize() const { return size_; }
  TPosition GetPosition() const { return pos_; }
  template <typename U>
  LocalTensor<U> ReinterpretCast() const {
    return LocalTensor<U>(reinterpret_cast<U*>(ptr_), static_cast<uint32_t>(uint64_t{size_} * sizeof(T) / sizeof(U)),
                          pos_);
  }
  // Emulator access for instruction implementations.
  T* data() const { return ptr_; }

 private:
  // The scalar unit reaches the unified buffer; npukit's kernels never touch L1/L0 from it, and
  // the emulator does not model that.
  void CheckScalar(const char* what) const {
    if (emu::MemoryOf(pos_) != emu::kMemUb) {
      emu::Violation(emu::kRulePosition, "%s on a %s tensor: scalar access to L1/L0 is not emulated", what,
                     emu::PositionName(pos_));
    }
  }

  T* ptr_ = nullptr;
  uint32_t size_ = 0;
  TPosition pos_ = TPosition::VECCALC;
};

namespace emu {
// Pipe p reads / writes the first n elements of t.
template <typename T>
void Reads(Pipe p, const char* what, const LocalTensor<T>& t, uint64_t n) {
  PipeRead(p, what, UbOffset(t.data()), n * sizeof(T));
}
template <typename T>
void Writes(Pipe p, const char* what, const LocalTensor<T>& t, uint64_t n) {
  PipeWrite(p, what, UbOffset(t.data()), n * sizeof(T));
}
// Counts one vector instruction over `bytes` of its widest operand.
inline void CountVector(uint64_t bytes) {
  BlockCounters& c = Counters();
  c.vector_instructions++;
  c.vector_repeats += bytes == 0 ? 1 : (bytes + 255) / 256;
}
// The documented data paths of a copy: throws unless `ok`.
inline void CheckPath(bool ok, const char* what, TPosition from, TPosition to) {
  if (!ok) {
    Violation(kRulePosition, "%s from %s to %s: not a documented data path", what, PositionName(from),
              PositionName(to));
  }
}
}  // namespace emu

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
    emu::RecordGmAccess(ptr_ + i, sizeof(T), false, "GetValue", true);
    return ptr_[i];
  }
  void SetValue(uint64_t i, T v) const {
    Check(i, 1, "SetValue");
    emu::RecordGmAccess(ptr_ + i, sizeof(T), true, "SetValue", true);
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

namespace emu {
// Buffers one TPipe hands out, queue buffers and TBufs together: at most 64 (QBUF_MAX_LEN in
// AscendC's kernel_tpipe_impl.h: "total buffer num created by InitBuffer must be <= 64").
constexpr int kMaxPipeBuffers = 64;
}  // namespace emu

// A queue of num equal buffers for passing tiles between pipeline stages. Its events are those
// of its position: VECIN carries MTE2 -> V (EnQue -> DeQue) and V -> MTE2 (FreeTensor ->
// AllocTensor of the same buffer); VECOUT carries V -> MTE3 and MTE3 -> V; A1/B1 (L1) MTE2 ->
// MTE1, A2/B2 (L0A/L0B) MTE1 -> M, CO1 (L0C) M -> FIX, and back.
template <TPosition pos, int32_t depth>
class TQue {
  static_assert(pos == TPosition::VECIN || pos == TPosition::VECOUT || pos == TPosition::A1 || pos == TPosition::B1 ||
                    pos == TPosition::A2 || pos == TPosition::B2 || pos == TPosition::CO1,
                "the emulator models the queues VECIN, VECOUT, A1, B1, A2, B2 and CO1");
  static constexpr emu::Pipe kProducer = pos == TPosition::VECIN ? emu::kPipeMte2
                                         : pos == TPosition::VECOUT ? emu::kPipeV
                                         : (pos == TPosition::A1 || pos == TPosition::B1) ? emu::kPipeMte2
                                         : (pos == TPosition::A2 || pos == TPosition::B2) ? emu::kPipeMte1
                                                                                           : emu::kPipeM;
  static constexpr emu::Pipe kConsumer = pos == TPosition::VECIN ? emu::kPipeV
                                         : pos == TPosition::VECOUT ? emu::kPipeMte3
                                         : (pos == TPosition::A1 || pos == TPosition::B1) ? emu::kPipeMte1
                                         : (pos == TPosition::A2 || pos == TPosition::B2) ? emu::kPipeM
                                                                                           : emu::kPipeFix;

 public:
  template <typename T>
  LocalTensor<T> AllocTensor() {
    for (int i = 0; i < num_; i++) {
      if (state_[i] == kFree) {
        state_[i] = kAllocated;
        emu::PipeWait(kProducer, freed_[i]);  // the buffer's last consumer is done with it
        return Tensor<T>(i);
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
    fifo_.push_back({i, emu::PipeSignal(kProducer)});
    return true;
  }
  template <typename T>
  LocalTensor<T> DeQue() {
    if (fifo_.empty()) emu::Violation(emu::kRuleQueue, "DeQue of an empty queue");
    const Entry e = fifo_.front();
    fifo_.pop_front();
    state_[e.slot] = kAllocated;
    emu::PipeWait(kConsumer, e.ready);
    return Tensor<T>(e.slot);
  }
  template <typename T>
  void FreeTensor(const LocalTensor<T>& t) {
    const int i = Slot(t.data(), "FreeTensor");
    if (state_[i] == kFree) emu::Violation(emu::kRuleQueue, "FreeTensor of buffer %d, which is already free", i);
    if (state_[i] == kQueued) emu::Violation(emu::kRuleQueue, "FreeTensor of buffer %d while it is still queued", i);
    state_[i] = kFree;
    freed_[i] = emu::PipeSignal(kConsumer);
  }

 private:
  friend class TPipe;
  enum State { kFree, kAllocated, kQueued };
  struct Entry {
    int slot;
    emu::SyncPoint ready;
  };

  template <typename T>
  LocalTensor<T> Tensor(int i) const {
    return LocalTensor<T>(reinterpret_cast<T*>(base_ + size_t(i) * len_), static_cast<uint32_t>(len_ / sizeof(T)), pos);
  }
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
  State state_[emu::kMaxPipeBuffers] = {};
  emu::SyncPoint freed_[emu::kMaxPipeBuffers] = {};
  std::deque<Entry> fifo_;
};

// A single scratch buffer.
template <TPosition pos>
class TBuf {
  static_assert(pos != TPosition::GM && pos != TPosition::CO2, "a TBuf lives in a local memory");

 public:
  template <typename T>
  LocalTensor<T> Get() const {
    return LocalTensor<T>(reinterpret_cast<T*>(base_), static_cast<uint32_t>(len_ / sizeof(T)), pos);
  }
  template <typename T>
  LocalTensor<T> Get(uint32_t count) const {
    emu::CheckCount(uint64_t{count} * sizeof(T), len_, "TBuf::Get");
    return LocalTensor<T>(reinterpret_cast<T*>(base_), count, pos);
  }

 private:
  friend class TPipe;
  uint8_t* base_ = nullptr;
  size_t len_ = 0;
};

// Hands out the local memories: each position's buffers come from its memory (emu::MemoryOf),
// lengths rounded up to 32 bytes, as on the hardware. The first buffer decides the core type:
// unified-buffer positions run on a vector (AIV) core, L1/L0 positions on a cube (AIC) core; a
// kernel that asks for both is a mixed kernel, which the emulator does not model.
class TPipe {
 public:
  TPipe() {
    emu::Core& c = emu::CurrentCore();
    for (size_t& u : c.mem_used) u = 0;
    c.buffers = 0;
  }

  template <TPosition pos, int32_t depth>
  bool InitBuffer(TQue<pos, depth>& que, uint8_t num, uint32_t len) {
    if (num < 1) emu::Violation(emu::kRuleQueue, "InitBuffer with %d buffers", num);
    CountBuffers(num);
    const size_t l = Round(len);
    que.base_ = Take(pos, size_t(num) * l);
    que.len_ = l;
    que.num_ = num;
    return true;
  }
  template <TPosition pos>
  bool InitBuffer(TBuf<pos>& buf, uint32_t len) {
    CountBuffers(1);
    const size_t l = Round(len);
    buf.base_ = Take(pos, l);
    buf.len_ = l;
    return true;
  }

 private:
  static void CountBuffers(int num) {
    emu::Core& c = emu::CurrentCore();
    if (c.buffers + num > emu::kMaxPipeBuffers) {
      emu::Violation(emu::kRuleApiLimit, "InitBuffer of %d buffers with %d already handed out: a TPipe has at most %d",
                     num, c.buffers, emu::kMaxPipeBuffers);
    }
    c.buffers += num;
  }
  static size_t Round(size_t len) { return (len + 31) / 32 * 32; }
  static uint8_t* Take(TPosition pos, size_t bytes) {
    static const char* const names[emu::kMemCount] = {"UB", "L1", "L0A", "L0B", "L0C"};
    emu::Core& c = emu::CurrentCore();
    const emu::Memory m = emu::MemoryOf(pos);
    const emu::CoreKind kind = m == emu::kMemUb ? emu::CoreKind::kVector : emu::CoreKind::kCube;
    if (c.kind != emu::CoreKind::kUnknown && c.kind != kind) {
      emu::Violation(emu::kRuleCoreType, "InitBuffer in %s on a %s core: a vector (AIV) core has only the unified "
                     "buffer, a cube (AIC) core only L1/L0", emu::PositionName(pos),
                     c.kind == emu::CoreKind::kVector ? "vector" : "cube");
    }
    c.kind = kind;
    if (kind == emu::CoreKind::kCube) emu::FillCubeMemories();
    if (bytes > c.mem_size[m] - c.mem_used[m]) {
      emu::Violation(m == emu::kMemUb ? emu::kRuleUbCapacity : emu::kRuleCubeCapacity,
                     "InitBuffer of %zu bytes in %s with %zu of %zu bytes already in use", bytes, names[m],
                     c.mem_used[m], c.mem_size[m]);
    }
    uint8_t* p = c.ub + c.mem_base[m] + c.mem_used[m];
    c.mem_used[m] += bytes;
    return p;
  }
};

// Write-back of the scalar data cache to global memory. The emulator has no cache.
enum class CacheLine { SINGLE_CACHE_LINE, ENTIRE_DATA_CACHE };
enum class DcciDst { CACHELINE_ALL, CACHELINE_UB, CACHELINE_OUT, CACHELINE_ATOMIC };
template <typename T, CacheLine line, DcciDst dst>
inline void DataCacheCleanAndInvalid(const GlobalTensor<T>&) {}

// ---- data movement ----
// Paths (Atlas A2, the DataCopy and DataCopyPad pages of the AscendC API reference): DataCopy
// GM -> VECIN, VECOUT -> GM, and UB -> UB VECIN -> VECCALC, VECCALC -> VECOUT, VECIN -> VECOUT;
// DataCopyPad GM -> VECIN/VECOUT and VECIN/VECOUT -> GM. GM -> UB runs on MTE2, UB -> GM on
// MTE3, UB -> UB on the vector pipe.

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
  emu::CheckPath(dst.GetPosition() == TPosition::VECIN, "DataCopy", TPosition::GM, dst.GetPosition());
  emu::Writes(emu::kPipeMte2, "DataCopy", dst, count);
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
  emu::CheckPath(src.GetPosition() == TPosition::VECOUT, "DataCopy", src.GetPosition(), TPosition::GM);
  emu::Reads(emu::kPipeMte3, "DataCopy", src, count);
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
  const TPosition from = src.GetPosition();
  const TPosition to = dst.GetPosition();
  emu::CheckPath((from == TPosition::VECIN && to == TPosition::VECCALC) ||
                     (from == TPosition::VECCALC && to == TPosition::VECOUT) ||
                     (from == TPosition::VECIN && to == TPosition::VECOUT),
                 "DataCopy", from, to);
  emu::Reads(emu::kPipeV, "DataCopy", src, count);
  emu::Writes(emu::kPipeV, "DataCopy", dst, count);
  emu::CountVector(bytes);
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

namespace emu {
// DataCopyPad's field limits on Atlas A2 (CheckDataCopyPadParams in AscendC's
// impl/basic_api/dav_c220/kernel_operator_data_copy_impl.h): blockCount is 12 bits, [0, 4095];
// blockLen 21 bits, [0, 2097151] bytes.
inline void CheckPadParams(const DataCopyExtParams& p) {
  if (p.blockCount > 4095) Violation(kRuleApiLimit, "DataCopyPad blockCount %u exceeds 4095", p.blockCount);
  if (p.blockLen > 2097151) Violation(kRuleApiLimit, "DataCopyPad blockLen %u bytes exceeds 2097151", p.blockLen);
}
}  // namespace emu

// GM -> UB. Each block lands at a 32-byte boundary; with isPad the rest of its last 32-byte
// block is filled with paddingValue, otherwise those bytes keep what the UB held.
template <typename T>
void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyExtParams& p,
                 const DataCopyPadExtParams<T>& pad) {
  emu::CheckAligned(dst.data(), "DataCopyPad");
  emu::CheckPadParams(p);
  if (p.blockLen % sizeof(T) != 0) {
    emu::Violation(emu::kRuleAlignment, "DataCopyPad block of %u bytes is not whole elements", p.blockLen);
  }
  if (p.srcStride % sizeof(T) != 0) {
    emu::Violation(emu::kRuleAlignment, "DataCopyPad source stride of %u bytes is not whole elements", p.srcStride);
  }
  emu::CheckPath(dst.GetPosition() == TPosition::VECIN || dst.GetPosition() == TPosition::VECOUT, "DataCopyPad",
                 TPosition::GM, dst.GetPosition());
  const size_t ub_block = (size_t(p.blockLen) + 31) / 32 * 32 + size_t(p.dstStride) * 32;
  const uint64_t gm_step = (uint64_t(p.blockLen) + p.srcStride) / sizeof(T);
  const uint64_t n = p.blockLen / sizeof(T);
  for (uint32_t b = 0; b < p.blockCount; b++) {
    const size_t ub_off = b * ub_block;
    emu::CheckCount((ub_off + (p.blockLen + 31) / 32 * 32) / sizeof(T), dst.GetSize(), "DataCopyPad");
    src.Check(b * gm_step, n, "DataCopyPad");
  }
  for (uint32_t b = 0; b < p.blockCount; b++) {
    const size_t ub_off = b * ub_block;
    const size_t written = pad.isPad ? (p.blockLen + 31) / 32 * 32 : p.blockLen;
    emu::PipeWrite(emu::kPipeMte2, "DataCopyPad", emu::UbOffset(dst.data()) + ub_off, written);
    emu::RecordGmAccess(src.GetPhyAddr() + b * gm_step, p.blockLen, false, "DataCopyPad");
    T* out = reinterpret_cast<T*>(reinterpret_cast<uint8_t*>(dst.data()) + ub_off);
    std::memcpy(out, src.GetPhyAddr() + b * gm_step, p.blockLen);
    if (pad.isPad) {
      const size_t padded = (p.blockLen + 31) / 32 * 32 / sizeof(T);
      for (size_t i = n; i < padded; i++) out[i] = pad.paddingValue;
    }
  }
}

// UB -> GM.
template <typename T>
void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyExtParams& p) {
  emu::CheckAligned(src.data(), "DataCopyPad");
  emu::CheckPadParams(p);
  if (p.blockLen % sizeof(T) != 0 || p.dstStride % sizeof(T) != 0) {
    emu::Violation(emu::kRuleAlignment, "DataCopyPad block of %u bytes (stride %u) is not whole elements", p.blockLen,
                   p.dstStride);
  }
  emu::CheckPath(src.GetPosition() == TPosition::VECIN || src.GetPosition() == TPosition::VECOUT, "DataCopyPad",
                 src.GetPosition(), TPosition::GM);
  const size_t ub_block = (size_t(p.blockLen) + 31) / 32 * 32 + size_t(p.srcStride) * 32;
  const uint64_t gm_step = (uint64_t(p.blockLen) + p.dstStride) / sizeof(T);
  const uint64_t n = p.blockLen / sizeof(T);
  for (uint32_t b = 0; b < p.blockCount; b++) {
    const size_t ub_off = b * ub_block;
    emu::CheckCount((ub_off + p.blockLen) / sizeof(T), src.GetSize(), "DataCopyPad");
    dst.Check(b * gm_step, n, "DataCopyPad");
  }
  for (uint32_t b = 0; b < p.blockCount; b++) {
    const size_t ub_off = b * ub_block;
    emu::PipeRead(emu::kPipeMte3, "DataCopyPad", emu::UbOffset(src.data()) + ub_off, p.blockLen);
    emu::RecordGmAccess(dst.GetPhyAddr() + b * gm_step, p.blockLen, true, "DataCopyPad");
    std::memcpy(dst.GetPhyAddr() + b * gm_step, reinterpret_cast<const uint8_t*>(src.data()) + ub_off, p.blockLen);
  }
}

// ---- vector instructions (count mode: the first count elements of each operand; pipe V) ----

namespace emu {
// A vector result under the device's overflow mode: unchanged in Inf/NaN mode; in saturation
// mode an infinity becomes the type's largest finite value of its sign and a NaN becomes 0 (the
// aclrtFloatOverflowMode page of the ACL reference).
inline float Saturate(float v) {
  if (!Saturating() || std::isfinite(v)) return v;
  if (std::isnan(v)) return 0.0f;
  return v > 0 ? std::numeric_limits<float>::max() : -std::numeric_limits<float>::max();
}
inline half Saturate(half v) {
  if (!Saturating() || (v.bits & 0x7C00u) != 0x7C00u) return v;
  if ((v.bits & 0x03FFu) != 0) return half{0};
  return half{static_cast<uint16_t>((v.bits & 0x8000u) | 0x7BFFu)};
}
inline bfloat16_t Saturate(bfloat16_t v) {
  if (!Saturating() || (v.bits & 0x7F80u) != 0x7F80u) return v;
  if ((v.bits & 0x007Fu) != 0) return bfloat16_t{0};
  return bfloat16_t{static_cast<uint16_t>((v.bits & 0x8000u) | 0x7F7Fu)};
}
template <typename T>
inline T Saturate(T v) {
  return v;  // integers do not overflow into Inf/NaN
}

template <typename T, class F>
void Binary(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& b, int32_t n, const char* what,
            F f) {
  CheckAligned(d.data(), what);
  CheckAligned(a.data(), what);
  CheckAligned(b.data(), what);
  CheckCount(n, d.GetSize(), what);
  CheckCount(n, a.GetSize(), what);
  CheckCount(n, b.GetSize(), what);
  Reads(kPipeV, what, a, n);
  Reads(kPipeV, what, b, n);
  Writes(kPipeV, what, d, n);
  CountVector(uint64_t(n) * sizeof(T));
  for (int32_t i = 0; i < n; i++) d.data()[i] = Saturate(f(a.data()[i], b.data()[i]));
}
template <typename T, class F>
void Unary(const LocalTensor<T>& d, const LocalTensor<T>& a, int32_t n, const char* what, F f) {
  CheckAligned(d.data(), what);
  CheckAligned(a.data(), what);
  CheckCount(n, d.GetSize(), what);
  CheckCount(n, a.GetSize(), what);
  Reads(kPipeV, what, a, n);
  Writes(kPipeV, what, d, n);
  CountVector(uint64_t(n) * sizeof(T));
  for (int32_t i = 0; i < n; i++) d.data()[i] = Saturate(f(a.data()[i]));
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
// IEEE square root, correctly rounded (as the device's Sqrt for float).
template <typename T>
void Sqrt(const LocalTensor<T>& d, const LocalTensor<T>& a, int32_t n) {
  emu::Unary(d, a, n, "Sqrt", [](T x) { return std::sqrt(x); });
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
  emu::Writes(emu::kPipeV, "Duplicate", d, n);
  emu::CountVector(uint64_t(n) * sizeof(T));
  for (int32_t i = 0; i < n; i++) d.data()[i] = v;
}

// ---- comparison and selection (count mode) ----
// Compare page of the AscendC API reference (Atlas A2): bit i of the uint8 result (byte i / 8,
// bit i % 8: little-endian) is 1 where src0[i] <cmp> src1[i] holds; a NaN compares false except
// under NE. count elements must fill whole 256-byte repeats. CompareScalar compares with one
// scalar. Select, mode VSEL_TENSOR_SCALAR_MODE (the only mode emulated): dst[i] = bit i of
// selMask ? src0[i] : the scalar. And: bitwise and of 16-bit integers (used on masks).
enum class CMPMODE { LT, GT, EQ, LE, GE, NE };
enum class SELMODE { VSEL_CMPMASK_SPR, VSEL_TENSOR_SCALAR_MODE, VSEL_TENSOR_TENSOR_MODE };

namespace emu {
template <typename T>
bool CompareOne(T a, T b, CMPMODE mode) {
  switch (mode) {
    case CMPMODE::LT: return a < b;
    case CMPMODE::GT: return a > b;
    case CMPMODE::EQ: return a == b;
    case CMPMODE::LE: return a <= b;
    case CMPMODE::GE: return a >= b;
    case CMPMODE::NE: return a != b;
  }
  return false;
}
template <typename T>
void CheckCompare(const LocalTensor<uint8_t>& d, const LocalTensor<T>& a, uint32_t n, const char* what) {
  CheckAligned(d.data(), what);
  CheckAligned(a.data(), what);
  if ((uint64_t(n) * sizeof(T)) % 256 != 0) {
    Violation(kRuleApiLimit, "%s of %u elements: the count must fill whole 256-byte repeats", what, n);
  }
  CheckCount(n, a.GetSize(), what);
  CheckCount(n / 8, d.GetSize(), what);
}
template <typename T, class F>
void CompareWith(const LocalTensor<uint8_t>& d, const LocalTensor<T>& a, uint32_t n, CMPMODE mode, F other) {
  std::memset(d.data(), 0, n / 8);
  for (uint32_t i = 0; i < n; i++) {
    if (CompareOne(a.data()[i], other(i), mode)) d.data()[i / 8] = static_cast<uint8_t>(d.data()[i / 8] | (1u << (i % 8)));
  }
}
}  // namespace emu

template <typename T>
void Compare(const LocalTensor<uint8_t>& d, const LocalTensor<T>& a, const LocalTensor<T>& b, CMPMODE mode,
             uint32_t n) {
  emu::CheckCompare(d, a, n, "Compare");
  emu::CheckAligned(b.data(), "Compare");
  emu::CheckCount(n, b.GetSize(), "Compare");
  emu::Reads(emu::kPipeV, "Compare", a, n);
  emu::Reads(emu::kPipeV, "Compare", b, n);
  emu::Writes(emu::kPipeV, "Compare", d, n / 8);
  emu::CountVector(uint64_t(n) * sizeof(T));
  emu::CompareWith(d, a, n, mode, [&b](uint32_t i) { return b.data()[i]; });
}

template <typename T>
void CompareScalar(const LocalTensor<uint8_t>& d, const LocalTensor<T>& a, T s, CMPMODE mode, uint32_t n) {
  emu::CheckCompare(d, a, n, "CompareScalar");
  emu::Reads(emu::kPipeV, "CompareScalar", a, n);
  emu::Writes(emu::kPipeV, "CompareScalar", d, n / 8);
  emu::CountVector(uint64_t(n) * sizeof(T));
  emu::CompareWith(d, a, n, mode, [s](uint32_t) { return s; });
}

template <typename T, typename U>
void Select(const LocalTensor<T>& d, const LocalTensor<U>& mask, const LocalTensor<T>& a, T s, SELMODE mode,
            uint32_t n) {
  static_assert(std::is_unsigned<U>::value, "selMask is uint8_t, uint16_t, uint32_t or uint64_t");
  if (mode != SELMODE::VSEL_TENSOR_SCALAR_MODE) {
    emu::Violation(emu::kRuleApiLimit, "Select with a scalar operand needs VSEL_TENSOR_SCALAR_MODE");
  }
  emu::CheckAligned(d.data(), "Select");
  emu::CheckAligned(mask.data(), "Select");
  emu::CheckAligned(a.data(), "Select");
  emu::CheckCount(n, d.GetSize(), "Select");
  emu::CheckCount(n, a.GetSize(), "Select");
  const uint64_t mask_elems = (uint64_t(n) + 8 * sizeof(U) - 1) / (8 * sizeof(U));
  emu::CheckCount(mask_elems, mask.GetSize(), "Select");
  emu::Reads(emu::kPipeV, "Select", mask, mask_elems);
  emu::Reads(emu::kPipeV, "Select", a, n);
  emu::Writes(emu::kPipeV, "Select", d, n);
  emu::CountVector(uint64_t(n) * sizeof(T));
  const uint8_t* bits = reinterpret_cast<const uint8_t*>(mask.data());
  for (uint32_t i = 0; i < n; i++) d.data()[i] = (bits[i / 8] >> (i % 8)) & 1u ? a.data()[i] : s;
}

template <typename T>
void And(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& b, int32_t n) {
  static_assert(std::is_same<T, uint16_t>::value || std::is_same<T, int16_t>::value, "And takes 16-bit integers");
  emu::Binary(d, a, b, n, "And", [](T x, T y) { return static_cast<T>(x & y); });
}

namespace emu {
// Elements of ReduceSum's work tensor (count mode), from the ReduceSum page of the AscendC API
// reference: one partial result per 256-byte repeat, rounded up to whole 32-byte blocks.
template <typename T>
uint64_t ReduceWorkElements(int32_t n) {
  const uint64_t per_repeat = 256 / sizeof(T);
  const uint64_t per_block = 32 / sizeof(T);
  const uint64_t repeats = n <= 0 ? 1 : (uint64_t(n) + per_repeat - 1) / per_repeat;
  return (repeats + per_block - 1) / per_block * per_block;
}
template <typename T>
void CheckReduce(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& work, int32_t n,
                 const char* what) {
  CheckAligned(d.data(), what);
  CheckAligned(a.data(), what);
  CheckAligned(work.data(), what);
  CheckCount(n, a.GetSize(), what);
  CheckCount(1, d.GetSize(), what);
  const uint64_t need = ReduceWorkElements<T>(n);
  if (work.GetSize() < need) {
    Violation(kRuleApiLimit, "%s of %d elements with a work tensor of %u elements: it needs %llu", what, n,
              work.GetSize(), (unsigned long long)need);
  }
  Reads(kPipeV, what, a, n);
  Writes(kPipeV, what, work, need);
  Writes(kPipeV, what, d, 1);
  CountVector(uint64_t(n) * sizeof(T));
}
}  // namespace emu

// d[0] = max of a[0..n); work is scratch of the instruction.
template <typename T>
void ReduceMax(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& work, int32_t n,
               bool calIndex = false) {
  (void)calIndex;
  emu::CheckReduce(d, a, work, n, "ReduceMax");
  T m = -std::numeric_limits<T>::infinity();
  for (int32_t i = 0; i < n; i++) m = a.data()[i] > m ? a.data()[i] : m;
  d.data()[0] = m;
}

// d[0] = sum of a[0..n) in the order of Atlas A2's count-mode ReduceSum (the ReduceSum page of
// the AscendC API reference, "method 2"): a binary tree within each 256-byte repeat (adjacent
// pairs, then pairs of pairs; a lane past n passes its partner through), and the repeats'
// results added in order.
template <typename T>
void ReduceSum(const LocalTensor<T>& d, const LocalTensor<T>& a, const LocalTensor<T>& work, int32_t n) {
  emu::CheckReduce(d, a, work, n, "ReduceSum");
  constexpr int32_t kLanes = 256 / sizeof(T);
  T total = T(0);
  for (int32_t r0 = 0; r0 < n; r0 += kLanes) {
    T lane[kLanes];
    int32_t live = n - r0 < kLanes ? n - r0 : kLanes;
    for (int32_t i = 0; i < live; i++) lane[i] = a.data()[r0 + i];
    while (live > 1) {
      const int32_t half_live = (live + 1) / 2;
      for (int32_t i = 0; i < live / 2; i++) lane[i] = lane[2 * i] + lane[2 * i + 1];
      if (live % 2 != 0) lane[live / 2] = lane[live - 1];
      live = half_live;
    }
    total = r0 == 0 ? lane[0] : total + lane[0];
  }
  d.data()[0] = emu::Saturate(total);
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
  emu::Reads(emu::kPipeV, "Gather", offset, n);
  for (uint32_t i = 0; i < n; i++) {
    const uint64_t byte = uint64_t{srcBase} + offset.data()[i];
    if (byte % sizeof(T) != 0) emu::Violation(emu::kRuleAlignment, "Gather offset %llu is not element-aligned",
                                              (unsigned long long)byte);
    if (byte / sizeof(T) >= src.GetSize()) {
      emu::Violation(emu::kRuleLocalBounds, "Gather offset %llu past a local tensor of %u", (unsigned long long)byte,
                     src.GetSize());
    }
    emu::PipeRead(emu::kPipeV, "Gather", emu::UbOffset(src.data()) + byte, sizeof(T));
  }
  emu::Writes(emu::kPipeV, "Gather", d, n);
  emu::CountVector(uint64_t(n) * sizeof(T));
  for (uint32_t i = 0; i < n; i++) d.data()[i] = src.data()[(uint64_t{srcBase} + offset.data()[i]) / sizeof(T)];
}

namespace emu {
// The conversions Cast implements here, with their rounding modes: widening half/bfloat16 ->
// float is exact (CAST_NONE); narrowing float -> half/bfloat16 rounds to nearest even
// (CAST_RINT). Anything else fails rather than computing something the device might not.
template <typename D, typename S>
constexpr bool kWidening = std::is_same<D, float>::value &&
                           (std::is_same<S, half>::value || std::is_same<S, bfloat16_t>::value);
template <typename D, typename S>
constexpr bool kNarrowing = std::is_same<S, float>::value &&
                            (std::is_same<D, half>::value || std::is_same<D, bfloat16_t>::value);
}  // namespace emu

template <typename D, typename S>
void Cast(const LocalTensor<D>& d, const LocalTensor<S>& s, RoundMode mode, uint32_t n) {
  emu::CheckAligned(d.data(), "Cast");
  emu::CheckAligned(s.data(), "Cast");
  emu::CheckCount(n, d.GetSize(), "Cast");
  emu::CheckCount(n, s.GetSize(), "Cast");
  const bool widen = emu::kWidening<D, S> && mode == RoundMode::CAST_NONE;
  const bool narrow = emu::kNarrowing<D, S> && mode == RoundMode::CAST_RINT;
  if (!widen && !narrow) {
    emu::Violation(emu::kRuleCast, "Cast: only half/bfloat16 -> float with CAST_NONE and float -> half/bfloat16 with "
                   "CAST_RINT are emulated");
  }
  emu::Reads(emu::kPipeV, "Cast", s, n);
  emu::Writes(emu::kPipeV, "Cast", d, n);
  emu::CountVector(uint64_t(n) * (sizeof(D) > sizeof(S) ? sizeof(D) : sizeof(S)));
  for (uint32_t i = 0; i < n; i++) d.data()[i] = emu::Saturate(emu::Convert<D>(s.data()[i]));
}

}  // namespace AscendC

#include "ascendc_emu/cube.h"

#endif
