// The Ascend runtime (native/ascend/README.md): the device, its memory and the last error of the ascend entry
// points. The kernels are the npukit_ascend_* entry points of npukit/kernels.h, taking tensors in
// device memory (addresses from npukit_ascend_malloc, plus an offset). In an emulator build
// (NPUKIT_ASCEND=emu) device memory is host memory of the emulated device (native/ascendc-emu).
// ACL failures are NPUKIT_ERR_DEVICE with a message naming the ACL call and its error code.
#ifndef NPUKIT_ASCEND_H
#define NPUKIT_ASCEND_H

#include "npukit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

// "emu", "npu", or "off" when the library was built without the Ascend path.
const char* npukit_ascend_mode(void);

// What the kernels were built for: the SOC_VERSION (npu), or a description of the emulator.
const char* npukit_ascend_target(void);

// Message of the last error on this thread ("" if none).
const char* npukit_ascend_last_error(void);

// Initializes ACL, opens the device and creates the stream kernels run on. Idempotent.
int npukit_ascend_init(int device);

// Device memory. malloc zero-fills; bytes may be 0 (a minimal allocation is made).
int npukit_ascend_malloc(int64_t bytes, int64_t* address);
int npukit_ascend_free(int64_t address);
int npukit_ascend_copy_to_device(int64_t device_dst, const void* host_src, int64_t bytes);
int npukit_ascend_copy_to_host(void* host_dst, int64_t device_src, int64_t bytes);

// Host-device copies since the library was loaded, for tests and cost accounting: counts[0]
// host-to-device and counts[1] device-to-host copies of every origin (the launchers' own: index
// re-checks, tilings, work tables, results; and the caller's), counts[2] and counts[3] the ones
// made through npukit_ascend_copy_to_device and npukit_ascend_copy_to_host. Only the emulator
// counts every copy: NPUKIT_ERR_DEVICE in an npu build.
int npukit_ascend_copy_counts(int64_t* counts);

// The cost of the last kernel call on this thread (all its launches: contrastive scoring makes
// two, which run one after another), under the Atlas A2 cost model of
// native/ascend/host/cost_model.h (a model, not a measurement; native/ascend/README.md). Fills
// out[NPUKIT_ASCEND_COST_FIELDS]: blocks, GM bytes (MTE2 + MTE3), MTE2 bytes, MTE3 bytes, vector
// instructions, vector repeats, scalar accesses (GM + UB), barriers, synchronisation waits,
// modelled microseconds, HBM-bound microseconds (the bytes the call must move / HBM bandwidth),
// L2 bytes (the GM bytes of declared workspaces that the model serves from the L2). Sums over
// blocks and launches; each launch's modelled time is that of its slowest block wave. Only the
// emulator counts: NPUKIT_ERR_DEVICE in an npu build; an error too when no launch ran on this
// thread.
#define NPUKIT_ASCEND_COST_FIELDS 12
int npukit_ascend_last_launch_cost(double* out);

#ifdef __cplusplus
}
#endif

#endif
