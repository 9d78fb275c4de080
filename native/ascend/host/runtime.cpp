// Error reporting, device/stream management and device memory of the Ascend path, with the
// C entry points for memory and library facts.
#include "runtime.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "cost_model.h"
#include "npukit/ascend.h"

namespace npukit {
namespace ascend {
namespace {

thread_local char t_last_error[768] = "";
std::atomic<int64_t> g_caller_copies_to_device{0};
std::atomic<int64_t> g_caller_copies_to_host{0};
thread_local bool t_bound = false;

std::mutex g_mutex;
bool g_ready = false;
int g_device = 0;
aclrtStream g_stream = nullptr;
uint32_t g_vector_cores = 0;
uint32_t g_cube_cores = 0;

#ifdef NPUKIT_ASCEND_EMU
// The cost fields (npukit/ascend.h) of the last kernel call on this thread: the sum over its
// launches, which run one after another.
thread_local double t_call_cost[NPUKIT_ASCEND_COST_FIELDS] = {};
thread_local bool t_call_costed = false;
// SetEssentialBytes: given for the next call (pending), in force for the call's launches.
thread_local int64_t t_essential_pending = -1;
thread_local bool t_essential_call = false;

// Adds the cost of the launch that just ran to t_call_cost (after clearing it for a new call).
void RecordLaunchCost(bool continues_call) {
  const auto& blocks = AscendC::emu::LastLaunchCounters();
  uint64_t mte2 = 0, mte3 = 0, instructions = 0, repeats = 0, scalar = 0, barriers = 0, waits = 0;
  uint64_t l2 = 0, l2_written = 0;
  double max_cycles = 0;
  bool cube = false;
  // The launch's declared workspaces move through the L2 when together they fit in it.
  const uint64_t workspace_bytes = AscendC::emu::LastLaunchWorkspaceBytes();
  const bool in_l2 = cost::WorkspacesFitL2(workspace_bytes);
  // A mixed launch's counters come by group, the cube core then the two vector cores; the
  // group's cores overlap, so its time is its slowest core's (cost::GroupCycles).
  const bool mixed = !blocks.empty() && blocks[0].role >= 0;
  const int64_t units = mixed ? static_cast<int64_t>(blocks.size()) / 3 : static_cast<int64_t>(blocks.size());
  for (const auto& b : blocks) {
    uint64_t block_waits = 0;
    for (uint64_t w : b.waits) block_waits += w;
    cost::BlockWork work{b.mte2_bytes, b.mte3_bytes, b.vector_repeats, b.scalar_gm, b.scalar_ub,
                         b.barriers, block_waits, b.mte1_l0a_bytes, b.mte1_l0b_bytes, b.cube_steps,
                         b.fix_bytes};
    if (in_l2) {
      work.l2_mte2_bytes = b.ws_mte2_bytes;
      work.l2_mte3_bytes = b.ws_mte3_bytes;
      work.l2_fix_bytes = b.ws_fix_bytes;
      l2 += b.ws_mte2_bytes + b.ws_mte3_bytes + b.ws_fix_bytes;
      l2_written += b.ws_mte3_bytes + b.ws_fix_bytes;
    }
    const double cycles = cost::BlockCycles(work);
    if (cycles > max_cycles) max_cycles = cycles;  // the slowest core is the slowest group's
    cube = cube || b.cube_core;
    mte2 += b.mte2_bytes;
    // GM written: by MTE3 on vector cores, by FIX on cube cores (the "MTE3 bytes" field).
    mte3 += b.mte3_bytes + b.fix_bytes;
    instructions += b.vector_instructions;
    repeats += b.vector_repeats;
    scalar += b.scalar_gm + b.scalar_ub;
    barriers += b.barriers;
    waits += block_waits;
  }
  const uint64_t gm = mte2 + mte3;
  const uint64_t hbm = cost::HbmBytes(gm, l2, l2_written, in_l2 ? workspace_bytes : 0);
  // The bound: the call's essential bytes, counted with its first launch, when the launcher
  // gave them; else every byte that reaches HBM.
  uint64_t bound_bytes = hbm;
  if (!continues_call) {
    t_essential_call = t_essential_pending >= 0;
    if (t_essential_call) bound_bytes = static_cast<uint64_t>(t_essential_pending);
    t_essential_pending = -1;
  } else if (t_essential_call) {
    bound_bytes = 0;
  }
  const double fields[NPUKIT_ASCEND_COST_FIELDS] = {
      double(blocks.size()), double(gm), double(mte2), double(mte3), double(instructions), double(repeats),
      double(scalar), double(barriers), double(waits),
      cost::ModelledUs(max_cycles, units, hbm, cube), cost::HbmBoundUs(bound_bytes), double(l2)};
  if (!continues_call || !t_call_costed) {
    for (double& f : t_call_cost) f = 0;
  }
  for (int i = 0; i < NPUKIT_ASCEND_COST_FIELDS; i++) t_call_cost[i] += fields[i];
  t_call_costed = true;
}
#endif

}  // namespace

void SetEssentialBytes(uint64_t bytes) {
#ifdef NPUKIT_ASCEND_EMU
  t_essential_pending = static_cast<int64_t>(bytes);
#else
  (void)bytes;
#endif
}

void SetWorkspaces(std::initializer_list<const DeviceBuffer*> buffers) {
#ifdef NPUKIT_ASCEND_EMU
  std::vector<AscendC::emu::GmRange> ranges;
  for (const DeviceBuffer* b : buffers) ranges.push_back({b->get(), b->bytes()});
  AscendC::emu::SetNextLaunchWorkspaces(ranges);
#else
  (void)buffers;
#endif
}

int Fail(int code, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(t_last_error, sizeof t_last_error, fmt, args);
  va_end(args);
  return code;
}

int Ok() {
  t_last_error[0] = '\0';
  return NPUKIT_OK;
}

int AclFail(aclError code, const char* call) {
  const char* detail = aclGetRecentErrMsg();
  return Fail(NPUKIT_ERR_DEVICE, "%s failed: ACL error %d%s%s", call, static_cast<int>(code),
              detail && *detail ? ": " : "", detail ? detail : "");
}

std::unique_lock<std::mutex> Device::Lock() { return std::unique_lock<std::mutex>(g_mutex); }

int Device::Bind() {
  if (!g_ready) return Fail(NPUKIT_ERR_DEVICE, "ascend: the device is not initialized (npukit_ascend_init)");
  if (!t_bound) {
    // ACL binds a device (context) per thread; Java may call from any thread.
    NPUKIT_ACL(aclrtSetDevice(g_device));
    t_bound = true;
  }
  return NPUKIT_OK;
}

aclrtStream Device::Stream() { return g_stream; }
bool Device::Ready() { return g_ready; }
uint32_t Device::VectorCores() { return g_vector_cores; }
uint32_t Device::CubeCores() { return g_cube_cores; }

uint32_t Device::BlockDim(int64_t items) {
  const int64_t n = items < int64_t{g_vector_cores} ? items : int64_t{g_vector_cores};
  return static_cast<uint32_t>(n < 1 ? 1 : n);
}

uint32_t Device::CubeBlockDim(int64_t items) {
  const int64_t n = items < int64_t{g_cube_cores} ? items : int64_t{g_cube_cores};
  return static_cast<uint32_t>(n < 1 ? 1 : n);
}

DeviceBuffer::~DeviceBuffer() {
  if (ptr_ != nullptr) aclrtFree(ptr_);
}

int DeviceBuffer::Create(size_t bytes, const void* host) {
  const size_t n = bytes < 32 ? 32 : bytes;
  NPUKIT_ACL(aclrtMalloc(&ptr_, n, ACL_MEM_MALLOC_HUGE_FIRST));
  bytes_ = n;
  if (host != nullptr && bytes > 0) {
    NPUKIT_ACL(aclrtMemcpy(ptr_, n, host, bytes, ACL_MEMCPY_HOST_TO_DEVICE));
  }
  return NPUKIT_OK;
}

int FinishLaunch(uint32_t launch_status, const char* kernel, bool continues_call) {
  if (launch_status != 0) {
#ifdef NPUKIT_ASCEND_EMU
    t_essential_pending = -1;  // the call ends here: its essential bytes are not the next call's
#endif
    std::string call = std::string("ACLRT_LAUNCH_KERNEL(") + kernel + ")";
    return AclFail(static_cast<aclError>(launch_status), call.c_str());
  }
  NPUKIT_ACL(aclrtSynchronizeStream(Device::Stream()));
#ifdef NPUKIT_ASCEND_EMU
  RecordLaunchCost(continues_call);
#else
  (void)continues_call;
#endif
  return NPUKIT_OK;
}

}  // namespace ascend
}  // namespace npukit

using namespace npukit::ascend;

extern "C" const char* npukit_ascend_mode(void) {
#ifdef NPUKIT_ASCEND_EMU
  return "emu";
#else
  return "npu";
#endif
}

extern "C" const char* npukit_ascend_target(void) {
#ifdef NPUKIT_ASCEND_EMU
  return "Atlas A2 rules, 192 KB unified buffer, cost model in bench ascend";
#else
  return NPUKIT_SOC_VERSION;
#endif
}

extern "C" const char* npukit_ascend_last_error(void) { return t_last_error; }

extern "C" int npukit_ascend_init(int device) {
  auto lock = Device::Lock();
  if (g_ready) {
    if (device != g_device) return Fail(NPUKIT_ERR_ARGUMENT, "ascend: already initialized on device %d", g_device);
    return Ok();
  }
  const aclError init = aclInit(nullptr);
  // 100002 = ACL_ERROR_REPEAT_INITIALIZE: someone else in the process initialized ACL already.
  if (init != ACL_SUCCESS && init != 100002) return AclFail(init, "aclInit(nullptr)");
  uint32_t count = 0;
  NPUKIT_ACL(aclrtGetDeviceCount(&count));
  NPUKIT_CHECK(device >= 0 && static_cast<uint32_t>(device) < count, NPUKIT_ERR_DEVICE,
               "ascend: device %d requested, %u visible", device, count);
  NPUKIT_ACL(aclrtSetDevice(device));
  t_bound = true;
  // The kernels need IEEE results (Inf/NaN mode, the Atlas A2 default): -inf marks invalid
  // tokens and starts the online softmax, and a NaN logit must stay NaN to be reported. In
  // saturation mode -inf would become -FLT_MAX and NaN 0, so the mode is set, not inherited.
  NPUKIT_ACL(aclrtSetDeviceSatMode(ACL_RT_OVERFLOW_MODE_INFNAN));
  // Work is dealt over the device's vector (AIV) cores: 48 on a 910B1, fewer on other A2 SoCs
  // and on a virtualised device. The query vllm-ascend's launchers use (csrc/torch_binding.cpp,
  // aclGetDeviceCapability(device, ACL_DEVICE_INFO_VECTOR_CORE_NUM, ...); acl_base.h).
  int64_t cores = 0;
  NPUKIT_ACL(aclGetDeviceCapability(static_cast<uint32_t>(device), ACL_DEVICE_INFO_VECTOR_CORE_NUM, &cores));
  NPUKIT_CHECK(cores > 0 && cores <= 65535, NPUKIT_ERR_DEVICE, "ascend: the device reports %lld vector cores",
               static_cast<long long>(cores));
  g_vector_cores = static_cast<uint32_t>(cores);
  // Cube kernels are dealt over the cube (AIC) cores: ACL_DEVICE_INFO_AI_CORE_NUM, 24 on a 910B1.
  int64_t cube_cores = 0;
  NPUKIT_ACL(aclGetDeviceCapability(static_cast<uint32_t>(device), ACL_DEVICE_INFO_AI_CORE_NUM, &cube_cores));
  NPUKIT_CHECK(cube_cores > 0 && cube_cores <= 65535, NPUKIT_ERR_DEVICE, "ascend: the device reports %lld AI cores",
               static_cast<long long>(cube_cores));
  g_cube_cores = static_cast<uint32_t>(cube_cores);
  NPUKIT_ACL(aclrtCreateStream(&g_stream));
  g_device = device;
  g_ready = true;
  return Ok();
}

extern "C" int npukit_ascend_malloc(int64_t bytes, int64_t* address) {
  NPUKIT_CHECK(address != nullptr && bytes >= 0, NPUKIT_ERR_ARGUMENT, "ascend_malloc: bad arguments");
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  void* p = nullptr;
  const size_t n = bytes < 32 ? 32 : static_cast<size_t>(bytes);
  NPUKIT_ACL(aclrtMalloc(&p, n, ACL_MEM_MALLOC_HUGE_FIRST));
  const aclError e = aclrtMemset(p, n, 0, n);
  if (e != ACL_SUCCESS) {
    aclrtFree(p);
    return AclFail(e, "aclrtMemset(ptr, bytes, 0, bytes)");
  }
  *address = static_cast<int64_t>(reinterpret_cast<uintptr_t>(p));
  return Ok();
}

extern "C" int npukit_ascend_free(int64_t address) {
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  NPUKIT_ACL(aclrtFree(reinterpret_cast<void*>(static_cast<uintptr_t>(address))));
  return Ok();
}

extern "C" int npukit_ascend_copy_to_device(int64_t device_dst, const void* host_src, int64_t bytes) {
  NPUKIT_CHECK(bytes >= 0 && (bytes == 0 || host_src != nullptr), NPUKIT_ERR_ARGUMENT, "ascend_copy: bad arguments");
  if (bytes == 0) return Ok();
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  void* dst = reinterpret_cast<void*>(static_cast<uintptr_t>(device_dst));
  g_caller_copies_to_device++;
  NPUKIT_ACL(aclrtMemcpy(dst, bytes, host_src, bytes, ACL_MEMCPY_HOST_TO_DEVICE));
  return Ok();
}

extern "C" int npukit_ascend_copy_to_host(void* host_dst, int64_t device_src, int64_t bytes) {
  NPUKIT_CHECK(bytes >= 0 && (bytes == 0 || host_dst != nullptr), NPUKIT_ERR_ARGUMENT, "ascend_copy: bad arguments");
  if (bytes == 0) return Ok();
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  const void* src = reinterpret_cast<const void*>(static_cast<uintptr_t>(device_src));
  g_caller_copies_to_host++;
  NPUKIT_ACL(aclrtMemcpy(host_dst, bytes, src, bytes, ACL_MEMCPY_DEVICE_TO_HOST));
  return Ok();
}

extern "C" int npukit_ascend_copy_counts(int64_t* counts) {
  NPUKIT_CHECK(counts != nullptr, NPUKIT_ERR_ARGUMENT, "ascend_copy_counts: counts is null");
#ifdef NPUKIT_ASCEND_EMU
  uint64_t to_device = 0, to_host = 0;
  aclemuGetCopyCounts(&to_device, &to_host);
  counts[0] = static_cast<int64_t>(to_device);
  counts[1] = static_cast<int64_t>(to_host);
  counts[2] = g_caller_copies_to_device.load();
  counts[3] = g_caller_copies_to_host.load();
  return Ok();
#else
  return Fail(NPUKIT_ERR_DEVICE, "ascend_copy_counts: only the emulator counts every copy");
#endif
}

extern "C" int npukit_ascend_last_launch_cost(double* out) {
  NPUKIT_CHECK(out != nullptr, NPUKIT_ERR_ARGUMENT, "ascend_last_launch_cost: out is null");
#ifdef NPUKIT_ASCEND_EMU
  NPUKIT_CHECK(t_call_costed, NPUKIT_ERR_DEVICE, "ascend_last_launch_cost: no launch ran on this thread");
  for (int i = 0; i < NPUKIT_ASCEND_COST_FIELDS; i++) out[i] = t_call_cost[i];
  return Ok();
#else
  return Fail(NPUKIT_ERR_DEVICE, "ascend_last_launch_cost: only the emulator counts a launch's work");
#endif
}
