// Library facts for npukit info, and the run-time ISA check.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "cpu_features.h"
#include "npukit/common.h"
#include "thread_pool.h"

#ifndef NPUKIT_VERSION
#define NPUKIT_VERSION "0.0.0"
#endif

namespace npukit {
namespace {

#if defined(__x86_64__)
// AMD family 1Ah (Zen 5) and later execute 512-bit operations on full-width units.
bool amd_full_width_512() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return false;
  char vendor[13] = {};
  std::memcpy(vendor, &ebx, 4);
  std::memcpy(vendor + 4, &edx, 4);
  std::memcpy(vendor + 8, &ecx, 4);
  if (std::strcmp(vendor, "AuthenticAMD") != 0) return false;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  unsigned family = (eax >> 8) & 0xF;
  if (family == 0xF) family += (eax >> 20) & 0xFF;
  return family >= 0x1A;
}
#endif

}  // namespace

Isa cpu_isa() {
#if defined(__x86_64__) && defined(NPUKIT_HAVE_AVX2_PATH)
  static const Isa isa = [] {
    Isa cap = Isa::kAvx512Wide;
    if (const char* env = std::getenv("NPUKIT_CPU_ISA")) {
      const std::string value(env);
      cap = value == "avx512"     ? Isa::kAvx512Wide
            : value == "avx512vl" ? Isa::kAvx512
            : value == "avx2"     ? Isa::kAvx2
                                  : Isa::kBaseline;
    }
    // __builtin_cpu_supports also checks that the OS saves the AVX / AVX-512 register state.
    __builtin_cpu_init();
    Isa found = Isa::kBaseline;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
      found = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") ? Isa::kAvx512 : Isa::kAvx2;
      if (found == Isa::kAvx512 && amd_full_width_512()) found = Isa::kAvx512Wide;
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

bool has_full_width_avx512() { return cpu_isa() >= Isa::kAvx512Wide; }

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
    case npukit::Isa::kAvx512Wide: return "avx512-512bit avx512vl avx2 fma f16c";
    case npukit::Isa::kAvx512: return "avx512vl avx2 fma f16c";
    case npukit::Isa::kAvx2: return "avx2 fma f16c";
    default: return "baseline";
  }
}

extern "C" int npukit_num_threads(void) { return npukit::num_threads(); }
