// CPU emulation of the subset of the ACL runtime (acl/acl.h) that npukit's host launchers use.
// Device memory is registered host memory (see ascendc_emu/core.h); streams complete every
// operation synchronously; error codes are those of CANN's acl_base.h / acl_rt.h for the
// failures the emulator can produce. ACLRT_LAUNCH_KERNEL(kernel)(blockDim, stream, args...)
// runs the kernel once per block index, like the header that ascendc_library generates.
#ifndef NPUKIT_ASCENDC_EMU_ACL_H
#define NPUKIT_ASCENDC_EMU_ACL_H

#include <cstddef>
#include <cstdint>

#include "ascendc_emu/core.h"

typedef int aclError;
typedef void* aclrtStream;

enum aclrtMemMallocPolicy { ACL_MEM_MALLOC_HUGE_FIRST = 0, ACL_MEM_MALLOC_HUGE_ONLY = 1, ACL_MEM_MALLOC_NORMAL_ONLY = 2 };
enum aclrtMemcpyKind {
  ACL_MEMCPY_HOST_TO_HOST = 0,
  ACL_MEMCPY_HOST_TO_DEVICE = 1,
  ACL_MEMCPY_DEVICE_TO_HOST = 2,
  ACL_MEMCPY_DEVICE_TO_DEVICE = 3
};

// Floating-point overflow mode of the device (acl_rt.h): SATURATION turns an infinite result into
// the type's largest finite value and a NaN result into 0; INFNAN is IEEE 754 (the Atlas A2
// default). The emulator applies it to vector instructions and Cast.
typedef enum aclrtFloatOverflowMode {
  ACL_RT_OVERFLOW_MODE_SATURATION = 0,
  ACL_RT_OVERFLOW_MODE_INFNAN = 1,
  ACL_RT_OVERFLOW_MODE_UNDEF = 2
} aclrtFloatOverflowMode;

// Hardware facts aclGetDeviceCapability reports (acl_base.h). The emulator answers
// ACL_DEVICE_INFO_VECTOR_CORE_NUM with its configured vector core count: 48, the AIV cores of an
// Atlas A2 910B1, or NPUKIT_EMU_VECTOR_CORES.
typedef enum {
  ACL_DEVICE_INFO_UNDEFINED = -1,
  ACL_DEVICE_INFO_AI_CORE_NUM = 0,
  ACL_DEVICE_INFO_VECTOR_CORE_NUM = 1,
  ACL_DEVICE_INFO_L2_SIZE = 2
} aclDeviceInfo;

constexpr aclError ACL_SUCCESS = 0;
constexpr aclError ACL_ERROR_INVALID_PARAM = 100000;
constexpr aclError ACL_ERROR_RT_PARAM_INVALID = 107000;
constexpr aclError ACL_ERROR_RT_MEMORY_ALLOCATION = 207001;
constexpr aclError ACL_ERROR_RT_AICORE_EXCEPTION = 507015;

aclError aclInit(const char* config_path);
aclError aclFinalize();
aclError aclrtGetDeviceCount(uint32_t* count);
aclError aclGetDeviceCapability(uint32_t device_id, aclDeviceInfo info, int64_t* value);
aclError aclrtSetDevice(int32_t device);
aclError aclrtResetDevice(int32_t device);
aclError aclrtCreateStream(aclrtStream* stream);
aclError aclrtDestroyStream(aclrtStream stream);
aclError aclrtSynchronizeStream(aclrtStream stream);
aclError aclrtMalloc(void** dev_ptr, size_t size, aclrtMemMallocPolicy policy);
aclError aclrtFree(void* dev_ptr);
aclError aclrtMemcpy(void* dst, size_t dest_max, const void* src, size_t count, aclrtMemcpyKind kind);
aclError aclrtMemset(void* dev_ptr, size_t max_count, int32_t value, size_t count);
aclError aclrtSetDeviceSatMode(aclrtFloatOverflowMode mode);
aclError aclrtGetDeviceSatMode(aclrtFloatOverflowMode* mode);
const char* aclGetRecentErrMsg();

// Emulator only, not ACL: how many aclrtMemcpy calls of each direction the process made (zero-byte
// copies included), so tests can count host-device traffic.
void aclemuGetCopyCounts(uint64_t* host_to_device, uint64_t* device_to_host);

#define ACLRT_LAUNCH_KERNEL(kernel) (::AscendC::emu::Launcher<decltype(kernel)>{&kernel, #kernel})

#endif
