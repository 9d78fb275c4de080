// The Ascend entry points of a build without the Ascend path (NPUKIT_ASCEND=off): the library
// says "off" and every call fails with the reason, so the Java side can report the ascend
// backend as unavailable instead of failing to link.
#include "npukit/ascend.h"

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
int npukit_ascend_paged_attention(const void*, int, int64_t, const void*, const void*, int, int64_t, const int32_t*,
                                  int64_t, const int32_t*, const int32_t*, int, const float*, int64_t, void*, int,
                                  int64_t, int, int, int, int, int, int, int, int, int, float) {
  return Off();
}
int npukit_ascend_write_kv(const void*, int, const void*, int, int64_t, void*, void*, int, int64_t, const int32_t*, int,
                           int, int, int, int) {
  return Off();
}
int npukit_ascend_rope(void*, int, int64_t, const int32_t*, const float*, int64_t, int, int, int, int, int) {
  return Off();
}
int npukit_ascend_contrastive(const void*, int64_t, int64_t, int64_t, const void*, int64_t, int64_t, int64_t, int, int,
                              int, float, float, int32_t*, int64_t, float*, int64_t, int32_t*, int64_t, int, int32_t*,
                              float*, int64_t, float, const int64_t*, int64_t) {
  return Off();
}
int npukit_ascend_bgmv_shrink(const void*, int, int64_t, const void*, int, int64_t, const int32_t*, int64_t, float*,
                              int64_t, int, int, int, int, float) {
  return Off();
}
int npukit_ascend_bgmv_expand(const void*, int, int64_t, const void*, int, int64_t, const int32_t*, int64_t, void*, int,
                              int64_t, int, int, int, int, int, int) {
  return Off();
}
int npukit_ascend_matmul(const void*, int, int64_t, const void*, int, int64_t, float*, int64_t, int, int, int) {
  return Off();
}
int npukit_ascend_emu_break_rule(int) { return Off(); }
}
