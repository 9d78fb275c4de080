// Library facts for npukit info, and the run-time ISA check.
#include <algorithm>
#include <cstdlib>
#include <string>

#include "cpu_features.h"
#include "npukit/common.h"
#include "thread_pool.h"

#ifndef NPUKIT_VERSION
#define NPUKIT_VERSION "0.0.0"
#endif

namespace npukit {

Isa cpu_isa() {
#if defined(__x86_64__) && defined(NPUKIT_HAVE_AVX2_PATH)
  static const Isa isa = [] {
    Isa cap = Isa::kAvx512;
    if (const char* env = std::getenv("NPUKIT_CPU_ISA")) {
      const std::string value(env);
      cap = value == "avx512" ? Isa::kAvx512 : value == "avx2" ? Isa::kAvx2 : Isa::kBaseline;
    }
    // __builtin_cpu_supports also checks that the OS saves the AVX / AVX-512 register state.
    __builtin_cpu_init();
    Isa found = Isa::kBaseline;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
      found = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") ? Isa::kAvx512 : Isa::kAvx2;
    }
    return std::min(cap, found);
  }();
  return isa;
#else
  return Isa::kBaseline;
#endif
}

bool has_avx2_fma_f16c() { return cpu_isa() >= Isa::kAvx2; }

bool has_avx512vl() { return cpu_isa() >= Isa::kAvx512; }

bool has_avx2_pclmulqdq() {
#if defined(__x86_64__) && defined(NPUKIT_HAVE_AVX2_PATH)
  return cpu_isa() >= Isa::kAvx2 && __builtin_cpu_supports("pclmul");
#else
  return false;
#endif
}

bool has_avx512_vpclmulqdq() {
#if defined(__x86_64__) && defined(NPUKIT_HAVE_AVX2_PATH)
  return cpu_isa() >= Isa::kAvx512 && __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("pclmul");
#else
  return false;
#endif
}

}  // namespace npukit

extern "C" const char* npukit_version(void) { return NPUKIT_VERSION; }

extern "C" const char* npukit_cpu_features(void) {
  switch (npukit::cpu_isa()) {
    case npukit::Isa::kAvx512: return "avx512vl avx2 fma f16c";
    case npukit::Isa::kAvx2: return "avx2 fma f16c";
    default: return "baseline";
  }
}

extern "C" int npukit_num_threads(void) { return npukit::num_threads(); }
