// Library facts for npukit info, and the run-time ISA check.
#include <cstdlib>
#include <string>

#include "cpu_features.h"
#include "npukit/common.h"
#include "thread_pool.h"

#ifndef NPUKIT_VERSION
#define NPUKIT_VERSION "0.0.0"
#endif

namespace npukit {

bool has_avx2_fma_f16c() {
#if defined(__x86_64__) && defined(NPUKIT_HAVE_AVX2_PATH)
  static const bool yes = [] {
    if (std::getenv("NPUKIT_DISABLE_SIMD") != nullptr) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
  }();
  return yes;
#else
  return false;
#endif
}

}  // namespace npukit

extern "C" const char* npukit_version(void) { return NPUKIT_VERSION; }

extern "C" const char* npukit_cpu_features(void) {
  return npukit::has_avx2_fma_f16c() ? "avx2 fma f16c" : "baseline";
}

extern "C" int npukit_num_threads(void) { return npukit::num_threads(); }
