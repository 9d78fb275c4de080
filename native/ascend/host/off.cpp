// The Ascend entry points of a build without the Ascend path (NPUKIT_ASCEND=off): the library
// says "off" and every call fails with the reason, so the Java side can report the ascend
// backend as unavailable instead of failing to link.
#include "npukit/ascend.h"
#include "npukit/kernels.h"

namespace {
constexpr const char* kOff =
    "this build has no Ascend path (native library built with NPUKIT_ASCEND=off; see native/ascend/README.md)";
int Off() { return NPUKIT_ERR_DEVICE; }
}  // namespace

extern "C" {
const char* npukit_ascend_mode(void) { return "off"; }
const char* npukit_ascend_target(void) { return "none"; }
const char* npukit_ascend_last_error(void) { return kOff; }
int npukit_ascend_init(int) { return Off(); }
int npukit_ascend_malloc(int64_t, int64_t*) { return Off(); }
int npukit_ascend_free(int64_t) { return Off(); }
int npukit_ascend_copy_to_device(int64_t, const void*, int64_t) { return Off(); }
int npukit_ascend_copy_to_host(void*, int64_t, int64_t) { return Off(); }
int npukit_ascend_copy_counts(int64_t*) { return Off(); }
int npukit_ascend_last_launch_cost(double*) { return Off(); }
int npukit_ascend_paged_attention(const npukit_attention_args*) { return Off(); }
int npukit_ascend_write_kv(const npukit_write_kv_args*) { return Off(); }
int npukit_ascend_rope(const npukit_rope_args*) { return Off(); }
int npukit_ascend_contrastive(const npukit_contrastive_args*) { return Off(); }
int npukit_ascend_bgmv_shrink(const npukit_bgmv_shrink_args*) { return Off(); }
int npukit_ascend_bgmv_expand(const npukit_bgmv_expand_args*) { return Off(); }
int npukit_ascend_matmul(const npukit_matmul_args*) { return Off(); }
int npukit_ascend_rms_norm(const npukit_rms_norm_args*) { return Off(); }
int npukit_ascend_silu_mul(const npukit_silu_mul_args*) { return Off(); }
int npukit_ascend_embedding(const npukit_embedding_args*) { return Off(); }
}
