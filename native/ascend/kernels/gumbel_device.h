// Gumbel noise for contrastive sampling, in scalar device code: the same counter-based hash and
// the same float log, operation for operation, as native/cpu/gumbel.h and the Java reference
// (contract in npukit/contrastive.h), so every backend draws the same token.
//
// Scalar code on purpose: the vector unit's Ln/Exp are not specified to the last bit, and the
// contract needs identical bits on every backend. Only valid tokens of sampled rows pay for it.
// The kernel must be compiled without floating-point contraction (no FMA), as the CPU kernels are.
#ifndef NPUKIT_ASCEND_GUMBEL_DEVICE_H
#define NPUKIT_ASCEND_GUMBEL_DEVICE_H

#include "kernel_common.h"

namespace npukit {
namespace ascend {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

// Bit patterns through __builtin_memcpy, the one well-defined way in C++ (a union or a pointer
// cast would be type punning); compilers turn a 4-byte copy into a register move.
__aicore__ inline uint32_t FloatBits(float f) {
  uint32_t u;
  __builtin_memcpy(&u, &f, sizeof u);
  return u;
}

__aicore__ inline float BitsFloat(uint32_t u) {
  float f;
  __builtin_memcpy(&f, &u, sizeof f);
  return f;
}

__aicore__ inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

__aicore__ inline uint64_t GumbelRowKey(int64_t seed, int64_t row) {
  return Mix64(static_cast<uint64_t>(seed) ^ Mix64(static_cast<uint64_t>(row) + kGolden));
}

// ln x for positive normal x: x = 2^k * m, m in [sqrt(1/2), sqrt(2)), odd series in s = (m-1)/(m+1).
__aicore__ inline float ColdLog(float x) {
  const uint32_t bits = FloatBits(x);
  int32_t k = static_cast<int32_t>(bits >> 23) - 127;
  uint32_t mant = bits & 0x7fffffu;
  if (mant > 0x3504f3u) {
    mant |= 0x3f000000u;
    k += 1;
  } else {
    mant |= 0x3f800000u;
  }
  const float m = BitsFloat(mant);
  const float f = m - 1.0f;
  const float s = f / (2.0f + f);
  const float z = s * s;
  float p = 1.0f / 9.0f;
  p = p * z + 1.0f / 7.0f;
  p = p * z + 1.0f / 5.0f;
  p = p * z + 1.0f / 3.0f;
  const float two_s = s + s;
  const float ln_m = two_s + two_s * (z * p);
  const float kf = static_cast<float>(k);
  return kf * 0.693359375f + (ln_m + kf * -2.12194440e-4f);
}

__aicore__ inline float GumbelNoise(uint64_t row_key, int64_t i) {
  const uint64_t h = Mix64(row_key + static_cast<uint64_t>(i + 1) * kGolden);
  const float u = static_cast<float>(static_cast<int32_t>(2 * (h >> 41) + 1)) * 5.9604644775390625e-8f;  // 2^-24
  return -ColdLog(-ColdLog(u));
}

}  // namespace ascend
}  // namespace npukit

#endif
