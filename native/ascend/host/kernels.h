// Declarations of the AscendC kernels for the launchers. With CANN, ascendc_library generates an
// aclrtlaunch_<kernel>.h per kernel, and ACLRT_LAUNCH_KERNEL(kernel)(blockDim, stream, args...)
// calls it; in the emulator, ACLRT_LAUNCH_KERNEL (ascendc-emu/include/acl/acl.h) runs the kernel
// function itself once per block index, so the launchers are the same source in both modes.
#ifndef NPUKIT_ASCEND_HOST_KERNELS_H
#define NPUKIT_ASCEND_HOST_KERNELS_H

#include <cstdint>

#ifdef NPUKIT_ASCEND_EMU
extern "C" {
void npukit_paged_attention_kernel(uint8_t* q, uint8_t* k_cache, uint8_t* v_cache, uint8_t* block_tables,
                                   uint8_t* seq_lens, uint8_t* query_start, uint8_t* cos_sin, uint8_t* items,
                                   uint8_t* ws, uint8_t* out, uint8_t* tiling);
void npukit_paged_attention_cube_kernel(uint8_t* q, uint8_t* k_cache, uint8_t* v_cache, uint8_t* block_tables,
                                        uint8_t* seq_lens, uint8_t* query_start, uint8_t* cos_sin, uint8_t* items,
                                        uint8_t* ws, uint8_t* cube_ws, uint8_t* out, uint8_t* tiling);
void npukit_paged_attention_merge_kernel(uint8_t* groups, uint8_t* query_start, uint8_t* ws, uint8_t* out,
                                         uint8_t* tiling);
void npukit_write_kv_kernel(uint8_t* key, uint8_t* value, uint8_t* k_cache, uint8_t* v_cache, uint8_t* slots,
                            uint8_t* tiling);
void npukit_rope_kernel(uint8_t* x, uint8_t* positions, uint8_t* cos_sin, uint8_t* tiling);
void npukit_contrastive_max_kernel(uint8_t* expert, uint8_t* stats, uint8_t* tiling);
void npukit_contrastive_kernel(uint8_t* expert, uint8_t* base, uint8_t* seeds, uint8_t* stats, uint8_t* results,
                               uint8_t* topk_index, uint8_t* topk_score, uint8_t* tiling);
void npukit_bgmv_shrink_kernel(uint8_t* x, uint8_t* a, uint8_t* groups, uint8_t* y, uint8_t* tiling);
void npukit_bgmv_shrink_cube_kernel(uint8_t* x, uint8_t* a, uint8_t* groups, uint8_t* ws, uint8_t* tiling);
void npukit_bgmv_shrink_merge_kernel(uint8_t* ws, uint8_t* active, uint8_t* y, uint8_t* tiling);
void npukit_bgmv_expand_kernel(uint8_t* v, uint8_t* w, uint8_t* table, uint8_t* y, uint8_t* tiling);
void npukit_bgmv_expand_cube_kernel(uint8_t* v, uint8_t* w, uint8_t* groups, uint8_t* ws, uint8_t* y, uint8_t* tiling);
void npukit_matmul_kernel(uint8_t* x, uint8_t* weight, uint8_t* groups, uint8_t* bias, uint8_t* out, uint8_t* tiling);
void npukit_rms_norm_kernel(uint8_t* x, uint8_t* residual, uint8_t* weight, uint8_t* out, uint8_t* tiling);
void npukit_silu_mul_kernel(uint8_t* gate_up, uint8_t* out, uint8_t* tiling);
void npukit_embedding_kernel(uint8_t* table, uint8_t* ids, uint8_t* out, uint8_t* tiling);
}
#else
#include "aclrtlaunch_npukit_bgmv_expand_cube_kernel.h"
#include "aclrtlaunch_npukit_bgmv_expand_kernel.h"
#include "aclrtlaunch_npukit_bgmv_shrink_cube_kernel.h"
#include "aclrtlaunch_npukit_bgmv_shrink_kernel.h"
#include "aclrtlaunch_npukit_bgmv_shrink_merge_kernel.h"
#include "aclrtlaunch_npukit_contrastive_kernel.h"
#include "aclrtlaunch_npukit_contrastive_max_kernel.h"
#include "aclrtlaunch_npukit_embedding_kernel.h"
#include "aclrtlaunch_npukit_matmul_kernel.h"
#include "aclrtlaunch_npukit_paged_attention_cube_kernel.h"
#include "aclrtlaunch_npukit_paged_attention_kernel.h"
#include "aclrtlaunch_npukit_paged_attention_merge_kernel.h"
#include "aclrtlaunch_npukit_rms_norm_kernel.h"
#include "aclrtlaunch_npukit_rope_kernel.h"
#include "aclrtlaunch_npukit_silu_mul_kernel.h"
#include "aclrtlaunch_npukit_write_kv_kernel.h"
#endif

#endif
