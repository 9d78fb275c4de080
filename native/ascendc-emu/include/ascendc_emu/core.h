// Core of the AscendC emulator: the rule-violation error, the state of the AI core that is
// currently "running" (block index, unified buffer), the device-memory registry behind
// aclrtMalloc, and the per-block kernel runner behind ACLRT_LAUNCH_KERNEL.
//
// The emulator runs a kernel once per block index, one block after another, on the calling
// thread (a mixed AIC+AIV kernel: one group after another, the group's cube core and two vector
// cores at the same time on three threads, ascendc_emu/cross_core.h); on the device the blocks
// run at the same time, so the emulator also records each
// block's global-memory accesses and, when the launch ends, fails it if one block's writes meet
// another block's reads or writes (a race on the device that sequential blocks would hide). Every
// rule the hardware enforces and the emulator checks fails by throwing
// AscendC::emu::RuleError; the launch helper catches it, so the launch returns an ACL error code
// and aclGetRecentErrMsg() carries the message. Nothing aborts the process.
#ifndef NPUKIT_ASCENDC_EMU_CORE_H
#define NPUKIT_ASCENDC_EMU_CORE_H

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace AscendC {
namespace emu {

// A broken hardware rule. what() reads "AscendC emulator: <detail> (rule: <rule>)".
class RuleError : public std::runtime_error {
 public:
  RuleError(const std::string& rule, const std::string& detail)
      : std::runtime_error("AscendC emulator: " + detail + " (rule: " + rule + ")"), rule_(rule) {}
  const std::string& rule() const { return rule_; }

 private:
  std::string rule_;
};

// Rule names, as they appear in messages.
inline constexpr const char* kRuleAlignment = "alignment";
inline constexpr const char* kRuleUbCapacity = "unified-buffer capacity";
inline constexpr const char* kRuleGlobalBounds = "global-memory bounds";
inline constexpr const char* kRuleLocalBounds = "local-tensor bounds";
inline constexpr const char* kRuleQueue = "queue discipline";
inline constexpr const char* kRuleCrossCore = "cross-core access";
inline constexpr const char* kRuleCacheLine = "64-byte cache line";
inline constexpr const char* kRulePipeSync = "pipe synchronisation";
inline constexpr const char* kRulePosition = "tensor position";
inline constexpr const char* kRuleApiLimit = "API limit";
inline constexpr const char* kRuleCast = "cast table";
inline constexpr const char* kRuleCubeCapacity = "cube-buffer capacity";
inline constexpr const char* kRuleFractal = "fractal alignment";
inline constexpr const char* kRuleCubeDtype = "cube dtype";
inline constexpr const char* kRuleCoreType = "core type";
inline constexpr const char* kRuleCrossCoreFlag = "cross-core flag";

[[noreturn]] void Violation(const char* rule, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Unified-buffer size of one AI core: 192 KB (Atlas A2) unless NPUKIT_EMU_UB_BYTES or
// SetUbBytes says otherwise.
size_t UbBytes();
void SetUbBytes(size_t bytes);

// Vector (AIV) cores of the emulated device, what aclGetDeviceCapability(VECTOR_CORE_NUM)
// reports: 48 (Atlas A2 910B1) unless NPUKIT_EMU_VECTOR_CORES says otherwise. A launch may ask
// for any blockDim, as on the device; the launchers use this count.
size_t VectorCores();

// Cube (AIC) cores of the emulated device: 24 (Atlas A2 910B1: cube_core_cnt=24 in CANN's
// Ascend910B1.ini, one per two vector cores) unless NPUKIT_EMU_CUBE_CORES says otherwise.
size_t CubeCores();

// The local memories of one AI core on Atlas A2 (CANN's Ascend910B1.ini, [AICoreSpec]): the
// vector core's unified buffer (ub_size, UbBytes()) and the cube core's L1 (l1_size=524288),
// L0A (l0_a_size=65536), L0B (l0_b_size=65536) and L0C (l0_c_size=131072).
enum Memory : int { kMemUb = 0, kMemL1 = 1, kMemL0a = 2, kMemL0b = 3, kMemL0c = 4, kMemCount = 5 };
inline constexpr size_t kL1Bytes = 512 * 1024;
inline constexpr size_t kL0aBytes = 64 * 1024;
inline constexpr size_t kL0bBytes = 64 * 1024;
inline constexpr size_t kL0cBytes = 128 * 1024;

// True while the device is in saturation mode (aclrtSetDeviceSatMode): vector results that
// would be infinite become the largest finite value of their type, NaN results become 0.
bool Saturating();
void SetSaturating(bool on);  // behind aclrtSetDeviceSatMode

// Device memory ("HBM"): host memory handed out by aclrtMalloc and registered, so that every
// global-memory access of a kernel can be checked against the allocation it falls in.
// Capacity: NPUKIT_EMU_HBM_BYTES, default 16 GiB.
void* DeviceAlloc(size_t bytes);  // null when over capacity or out of host memory
bool DeviceFree(void* p);         // false if p is not the start of a live allocation
// True when [p, p + bytes) lies inside one live allocation.
bool DeviceRangeValid(const void* p, size_t bytes);

// Records an access of [p, p + bytes) in global memory by the running block (after its bounds
// check passed); RunBlocks checks the launch's accesses when its last block has run. scalar:
// made by the scalar unit (GlobalTensor::GetValue/SetValue), which goes through the core's data
// cache in 64-byte lines; otherwise by an MTE (DataCopy, DataCopyPad), which moves exact bytes.
void RecordGmAccess(const void* p, size_t bytes, bool write, const char* what, bool scalar = false);
// The same for a write by the cube core's FIX pipe (Fixpipe L0C -> GM), counted as fix_bytes.
void RecordFixpipeWrite(const void* p, size_t bytes);

// Scalar global-memory accesses go through each AI core's data cache, whose line is 64 bytes
// (Atlas A2): a dirty line is written back whole, so a line one core writes with SetValue must
// not be written by another core of the same launch, even at other bytes.
inline constexpr size_t kCacheLineBytes = 64;

// What one block of a launch did, as counted by the emulator: the inputs of a cost model (the
// emulator itself has no notion of time).
struct BlockCounters {
  uint64_t mte2_bytes = 0;           // global memory read by DataCopy / DataCopyPad
  uint64_t mte3_bytes = 0;           // global memory written by DataCopy / DataCopyPad
  uint64_t scalar_gm = 0;            // GlobalTensor GetValue / SetValue
  uint64_t scalar_ub = 0;            // LocalTensor GetValue / SetValue
  uint64_t vector_instructions = 0;  // vector instructions and UB-to-UB DataCopy
  uint64_t vector_repeats = 0;       // their 256-byte repeats (of the widest operand, at least 1)
  uint64_t barriers = 0;             // PipeBarrier, one pipe or all
  uint64_t waits[7] = {};            // waits (flags and queue events) by waiting pipe: S, V, MTE2, MTE3,
                                     // MTE1, M (cube), FIX
  // Cube (AIC) work: L1 -> L0A and L1 -> L0B bytes moved by MTE1 (LoadData, InitConstValue on
  // L0A/L0B), 16x16x16 fractal steps of Mmad (cube_m/n/k_size=16: one step a cycle; a step of
  // float inputs covers k = 8), and global memory written by FIX (Fixpipe).
  uint64_t mte1_l0a_bytes = 0;
  uint64_t mte1_l0b_bytes = 0;
  uint64_t cube_steps = 0;
  uint64_t fix_bytes = 0;
  // Of mte2_bytes, mte3_bytes and fix_bytes: the bytes inside the launch's declared workspaces
  // (SetNextLaunchWorkspaces), which a cost model may serve from the L2.
  uint64_t ws_mte2_bytes = 0;
  uint64_t ws_mte3_bytes = 0;
  uint64_t ws_fix_bytes = 0;
  bool cube_core = false;  // the block ran on a cube (AIC) core
  // In a mixed AIC+AIV launch: the group (blockDim of them) and the core's role in it (0: the
  // cube core, 1 and 2: vector sub-blocks 0 and 1); -1 in a launch of one core type.
  int64_t group = -1;
  int role = -1;
};
// The running block's counters.
BlockCounters& Counters();

// Declares the global-memory ranges [begin, begin + bytes) the next launch on this thread uses as
// workspaces: short-lived intermediates its cores write and read back within the launch (a mixed
// kernel's hand-overs between its cube and vector cores). The launch counts the MTE2, MTE3 and
// FIX bytes inside them apart (BlockCounters::ws_*) and keeps the declaration
// (LastLaunchWorkspaceBytes); the next launch starts without one. Counting only: the rules and
// the data are those of any global memory.
struct GmRange {
  const void* begin;
  size_t bytes;
};
void SetNextLaunchWorkspaces(const std::vector<GmRange>& ranges);
// The bytes of the workspaces the last launch on this thread declared (0: none).
uint64_t LastLaunchWorkspaceBytes();
// The counters of every block of the last launch on this thread, by block index.
const std::vector<BlockCounters>& LastLaunchCounters();

// The AI core a kernel body runs on. Its local memories are one arena: the unified buffer at
// offset 0, then L1, L0A, L0B and L0C (mem_base/mem_size), so one pipe tracker covers them all.
// A kernel is AIV-only (unified-buffer positions) or AIC-only (L1/L0 positions), decided by its
// first TPipe::InitBuffer: an Atlas A2 vector core has no L1/L0 and a cube core no UB.
enum class CoreKind { kUnknown, kVector, kCube };
struct Core {
  int64_t block_idx = 0;
  int64_t block_num = 1;
  uint8_t* ub = nullptr;  // arena base = unified buffer base (512-byte aligned)
  size_t ub_size = 0;
  int buffers = 0;     // buffers handed out by TPipe::InitBuffer (queue buffers and TBufs)
  bool running = false;
  size_t mem_base[kMemCount] = {};
  size_t mem_size[kMemCount] = {};
  size_t mem_used[kMemCount] = {};  // bytes handed out by TPipe::InitBuffer, per memory
  CoreKind kind = CoreKind::kUnknown;
  bool cube_filled = false;  // L1/L0 filled with garbage for this block
  // Mixed AIC+AIV launch (ascendc_emu/cross_core.h): the core's group and role (0: cube, 1 and
  // 2: vector sub-blocks 0 and 1), -1 otherwise; the group's shared flag state.
  int64_t group = -1;
  int role = -1;
  struct MixedGroup* mixed = nullptr;
  const std::vector<GmRange>* workspaces = nullptr;  // the launch's (SetNextLaunchWorkspaces)
};
// Bytes of a core's arena for a unified buffer of ub_bytes.
size_t ArenaBytes(size_t ub_bytes);
// Fills the cube memories of the running core with garbage (the first time a block asks).
void FillCubeMemories();
Core& CurrentCore();

// True while the running block has done nothing yet (no buffer, no global access): where a
// kernel may still declare itself mixed (KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2)).
bool BlockUntouched();
// Counts a CrossCoreSetFlag of the running core (global accesses on either side of it are not
// merged into one log entry).
void NoteCrossCoreSet();
// Thrown by that declaration in a launch run as one core type: RunBlocks then runs the launch
// again as blockDim groups of one cube and two vector cores (nothing has happened yet).
struct MixedRestart {};

// Runs body() once per block index in [0, block_dim) with a fresh unified buffer each time; a
// mixed kernel as block_dim groups, the three cores of a group on three threads.
// Returns 0, or an ACL error code with the message recorded for aclGetRecentErrMsg().
int RunBlocks(uint32_t block_dim, const char* kernel_name, void (*body)(void*), void* ctx);

// Records/reads the message aclGetRecentErrMsg() returns.
void SetRecentError(const std::string& message);
const char* RecentError();

// The functor ACLRT_LAUNCH_KERNEL(kernel) expands to in emulation.
template <class Kernel>
struct Launcher {
  Kernel* kernel;
  const char* name;

  template <class... Args>
  int operator()(uint32_t block_dim, void* stream, Args... args) const {
    (void)stream;  // launches complete synchronously; the stream only orders them
    struct Ctx {
      Kernel* k;
      std::tuple<Args...> a;
    } ctx{kernel, std::tuple<Args...>(args...)};
    return RunBlocks(block_dim, name, [](void* p) {
      Ctx* c = static_cast<Ctx*>(p);
      std::apply(c->k, c->a);
    }, &ctx);
  }
};

}  // namespace emu
}  // namespace AscendC

#endif
