// Host side of the Ascend path: error reporting, the device and its stream, device buffers and
// kernel launches through ACL. Used by every launcher in this directory.
#ifndef NPUKIT_ASCEND_HOST_RUNTIME_H
#define NPUKIT_ASCEND_HOST_RUNTIME_H

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <vector>

#include "acl/acl.h"
#include "npukit/kernels.h"

// Returns from the enclosing function with the error unless call succeeds.
#define NPUKIT_ACL(call)                                                   \
  do {                                                                     \
    const aclError acl_status_ = (call);                                   \
    if (acl_status_ != ACL_SUCCESS) return ::npukit::ascend::AclFail(acl_status_, #call); \
  } while (0)

#define NPUKIT_TRY(expr)                     \
  do {                                       \
    const int try_status_ = (expr);          \
    if (try_status_ != NPUKIT_OK) return try_status_; \
  } while (0)

#define NPUKIT_CHECK(cond, code, ...)                                  \
  do {                                                                 \
    if (!(cond)) return ::npukit::ascend::Fail(code, __VA_ARGS__);     \
  } while (0)

namespace npukit {
namespace ascend {

// Records a printf-style message for npukit_ascend_last_error() and returns code.
int Fail(int code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
int Ok();

// Turns an ACL error into NPUKIT_ERR_DEVICE naming the call, the code and ACL's own message.
int AclFail(aclError code, const char* call);

// The device all calls use, bound to the calling thread, and its stream. Launchers hold
// Lock() for the whole call: one stream, one call at a time.
struct Device {
  static std::unique_lock<std::mutex> Lock();
  // Binds the device to this thread (first use per thread); NPUKIT_OK or an error.
  static int Bind();
  static aclrtStream Stream();
  static bool Ready();
  // Vector cores of the device (aclGetDeviceCapability(VECTOR_CORE_NUM) at init), and the
  // blockDim of a launch of `items` work items dealt round-robin: min(items, cores), at least 1.
  static uint32_t VectorCores();
  static uint32_t BlockDim(int64_t items);
  // Cube (AIC) cores (aclGetDeviceCapability(AI_CORE_NUM) at init: 24 on a 910B1), and the
  // blockDim of a cube kernel's launch of `items` work items: min(items, cube cores), at least 1.
  static uint32_t CubeCores();
  static uint32_t CubeBlockDim(int64_t items);
};

// A device allocation freed on scope exit (error paths included).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer();
  // Allocates max(bytes, 32) bytes and, if host is given, copies bytes from it.
  int Create(size_t bytes, const void* host = nullptr);
  uint8_t* get() const { return static_cast<uint8_t*>(ptr_); }
  size_t bytes() const { return bytes_; }  // as allocated

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// Copies count elements of device memory to a host vector.
template <typename T>
int CopyToHost(std::vector<T>& out, const void* device, int64_t count) {
  out.assign(static_cast<size_t>(count), T());
  if (count == 0) return NPUKIT_OK;
  const size_t bytes = static_cast<size_t>(count) * sizeof(T);
  const aclError e = aclrtMemcpy(out.data(), bytes, device, bytes, ACL_MEMCPY_DEVICE_TO_HOST);
  if (e != ACL_SUCCESS) return AclFail(e, "aclrtMemcpy(host, device, DEVICE_TO_HOST)");
  return NPUKIT_OK;
}

// Host-readable values of an I32 index tensor for the launcher's re-check: its host copy
// (npukit_tensor.host) when the caller gave one, else a copy from the device into storage.
inline int HostIndices(const npukit_tensor& t, std::vector<int32_t>& storage, const int32_t*& values) {
  if (t.host != nullptr) {
    values = static_cast<const int32_t*>(t.host);
    return NPUKIT_OK;
  }
  NPUKIT_TRY(CopyToHost(storage, t.data, t.numel));
  values = storage.data();
  return NPUKIT_OK;
}

// Uploads a tiling struct to a fresh device buffer.
template <typename T>
int UploadTiling(DeviceBuffer& buf, const T& tiling) {
  return buf.Create(sizeof(T), &tiling);
}

// Waits for the stream after a launch and reports either failure with the kernel's name. In an
// emulator build it also records the launch's cost (npukit_ascend_last_launch_cost): as the cost
// of a new call, or, with continues_call, added to the cost of the call's earlier launches.
int FinishLaunch(uint32_t launch_status, const char* kernel, bool continues_call = false);

// The bytes the next call must move between HBM and the cores (its inputs, outputs and the
// partial results it hands between launches), when that differs from what its launches move: a
// mixed kernel also moves workspaces between its cube and vector cores, which raise the
// modelled time (gmBytes) but not the bound (hbmBoundUs). Without it the bound counts every
// byte moved. Emulator builds only (a no-op otherwise).
void SetEssentialBytes(uint64_t bytes);

// Declares the buffers the next launch uses as workspaces: intermediates its cores write and
// read back within the launch, reused tile after tile (a mixed kernel's hand-overs between its
// cube and vector cores), not inputs, outputs or partials another launch reads. The cost model
// (cost_model.h) serves their bytes from the L2 when together they fit in it. Emulator builds
// only (a no-op otherwise).
void SetWorkspaces(std::initializer_list<const DeviceBuffer*> buffers);

inline void* Dev(const void* p) { return const_cast<void*>(p); }
inline uint8_t* Gm(const void* p) { return static_cast<uint8_t*>(const_cast<void*>(p)); }

}  // namespace ascend
}  // namespace npukit

#endif
