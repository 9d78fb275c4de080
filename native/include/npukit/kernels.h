// The kernel entry points every native backend implements: one function per kernel family, named
// npukit_<backend>_<kernel>, taking the family's argument struct. cpu (native/cpu, host tensors)
// and ascend (native/ascend/host, device tensors) implement the same list; a backend refuses
// tensors whose location is not its own. Each returns NPUKIT_OK or an NPUKIT_ERR_* code with the
// message in the backend's last-error function (npukit_last_error, npukit_ascend_last_error).
//
// The ascend entry points run the AscendC kernels through the ACL runtime or, in an emulator
// build, the same kernel and launcher sources on a CPU emulation of AscendC and ACL
// (native/ascendc-emu). ACL failures are NPUKIT_ERR_DEVICE with a message naming the ACL call and
// its error code, e.g.
//   "aclrtMalloc(&ptr, bytes, ACL_MEM_MALLOC_HUGE_FIRST) failed: ACL error 207001: ..."
// A rule violation found by the emulator surfaces the same way (ACL error 507015, the AI-core
// exception code) with the emulator's message "AscendC emulator: ... (rule: ...)". Index tensors
// in device memory are read on the host for the re-check: from their host copy (npukit_tensor.host)
// when given, else by copying them from the device.
#ifndef NPUKIT_KERNELS_H
#define NPUKIT_KERNELS_H

#include "npukit/attention.h"
#include "npukit/bgmv.h"
#include "npukit/common.h"
#include "npukit/contrastive.h"
#include "npukit/elementwise.h"
#include "npukit/matmul.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NPUKIT_KERNEL_ENTRY_POINTS(backend)                                                  \
  int npukit_##backend##_paged_attention(const npukit_attention_args* args);                 \
  int npukit_##backend##_write_kv(const npukit_write_kv_args* args);                         \
  int npukit_##backend##_rope(const npukit_rope_args* args);                                 \
  int npukit_##backend##_contrastive(const npukit_contrastive_args* args);                   \
  int npukit_##backend##_bgmv_shrink(const npukit_bgmv_shrink_args* args);                   \
  int npukit_##backend##_bgmv_expand(const npukit_bgmv_expand_args* args);                   \
  int npukit_##backend##_matmul(const npukit_matmul_args* args);                             \
  int npukit_##backend##_rms_norm(const npukit_rms_norm_args* args);                         \
  int npukit_##backend##_silu_mul(const npukit_silu_mul_args* args);                         \
  int npukit_##backend##_embedding(const npukit_embedding_args* args);

NPUKIT_KERNEL_ENTRY_POINTS(cpu)
NPUKIT_KERNEL_ENTRY_POINTS(ascend)

#ifdef __cplusplus
}
#endif

#endif
