// The Ascend path (DESIGN 7): AscendC kernels launched through the ACL runtime, or, in an
// emulator build (NPUKIT_ASCEND=emu), the same kernel and launcher sources running on a CPU
// emulation of AscendC and ACL (native/ascendc-emu).
//
// Tensors live in device memory: every buffer argument of a kernel entry point below is a
// device address from npukit_ascend_malloc (plus an offset), except where marked "host".
// Entry points take the same arguments as their CPU counterparts (npukit/attention.h,
// contrastive.h, bgmv.h), re-check them the same way (copying index tensors to the host to
// check them), write nothing when a check fails, and return NPUKIT_OK or an NPUKIT_ERR_* code
// with the message in npukit_ascend_last_error(). ACL failures are NPUKIT_ERR_DEVICE with a
// message naming the ACL call and its error code, e.g.
//   "aclrtMalloc(&ptr, bytes, ACL_MEM_MALLOC_HUGE_FIRST) failed: ACL error 207001: ..."
// A rule violation found by the emulator surfaces the same way (ACL error 507015, the AI-core
// exception code) with the emulator's message "AscendC emulator: ... (rule: ...)".
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

int npukit_ascend_paged_attention(
    const void* q, int q_dtype, int64_t q_numel,
    const void* k_cache, const void* v_cache, int cache_dtype, int64_t cache_numel,
    const int32_t* block_tables, int64_t block_tables_numel,
    const int32_t* seq_lens, const int32_t* query_start_loc, int num_seqs,
    const float* cos_sin, int64_t cos_sin_numel,
    void* out, int out_dtype, int64_t out_numel,
    int num_tokens, int num_heads, int num_kv_heads, int head_dim,
    int num_blocks, int block_size, int max_blocks_per_seq,
    int rope_style, int rotary_dim, float scale);

int npukit_ascend_write_kv(
    const void* key, int key_dtype, const void* value, int value_dtype, int64_t kv_numel,
    void* k_cache, void* v_cache, int cache_dtype, int64_t cache_numel,
    const int32_t* slot_mapping, int num_tokens, int num_kv_heads, int head_dim,
    int num_blocks, int block_size);

int npukit_ascend_rope(
    void* x, int x_dtype, int64_t x_numel, const int32_t* positions,
    const float* cos_sin, int64_t cos_sin_numel,
    int num_tokens, int num_heads, int head_dim, int rotary_dim, int rope_style);

// seeds is a host array (or NULL for greedy).
int npukit_ascend_contrastive(
    const void* expert_logits, int64_t expert_numel, int64_t expert_first_row, int64_t expert_row_stride,
    const void* base_logits, int64_t base_numel, int64_t base_first_row, int64_t base_row_stride,
    int dtype, int batch, int vocab, float ln_alpha, float beta,
    int32_t* token, int64_t token_numel, float* score, int64_t score_numel,
    int32_t* valid_count, int64_t valid_count_numel,
    int top_k, int32_t* topk_index, float* topk_score, int64_t topk_numel,
    float temperature, const int64_t* seeds, int64_t seeds_numel);

int npukit_ascend_bgmv_shrink(
    const void* x, int x_dtype, int64_t x_numel,
    const void* a, int a_dtype, int64_t a_numel,
    const int32_t* indices, int64_t indices_numel,
    float* y, int64_t y_numel,
    int batch, int h_in, int rank, int num_loras, float scale);

int npukit_ascend_bgmv_expand(
    const void* v, int v_dtype, int64_t v_numel,
    const void* w, int w_dtype, int64_t w_numel,
    const int32_t* indices, int64_t indices_numel,
    void* y, int y_dtype, int64_t y_numel, int y_row, int offset,
    int batch, int rank, int h_out, int num_loras);

// out F32 [m, n] = x [m, k] . weight [n, k]^T, F32 accumulation (x, weight: F32/F16/BF16).
int npukit_ascend_matmul(
    const void* x, int x_dtype, int64_t x_numel,
    const void* weight, int weight_dtype, int64_t weight_numel,
    float* out, int64_t out_numel, int m, int n, int k);

// Emulator builds only: launches a deliberately wrong kernel that breaks one rule (0 DataCopy
// length alignment, 1 unified-buffer capacity, 2 global-memory bounds, 3 DeQue of an empty queue,
// 4 FreeTensor twice, 5 local-tensor address alignment, 6 local-tensor bounds, 7 two blocks
// writing the same global memory) and returns the resulting error, so tests can see a violation
// reach Java.
// NPUKIT_ERR_ARGUMENT in an npu build or for an unknown rule.
int npukit_ascend_emu_break_rule(int rule);

#ifdef __cplusplus
}
#endif

#endif
