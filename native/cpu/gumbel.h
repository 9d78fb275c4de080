// Deterministic Gumbel noise for contrastive sampling (contract in npukit/contrastive.h).
// Integer hashing plus float arithmetic in a fixed order: the Java reference
// (dev.npukit.backend.GumbelNoise) repeats every step, so both draw the same bits.
#ifndef NPUKIT_CPU_GUMBEL_H
#define NPUKIT_CPU_GUMBEL_H

#include <cstdint>

#include "convert.h"

namespace npukit {
// Internal linkage: the AVX2/AVX-512 translation units include this too, and a shared (weak)
// copy compiled with their flags could be what baseline code ends up calling.
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

// The splitmix64 finalizer: a bijective mix of 64 bits.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Per-row stream key from the row's seed and its row index.
inline uint64_t gumbel_row_key(int64_t seed, int64_t row) {
  return mix64(static_cast<uint64_t>(seed) ^ mix64(static_cast<uint64_t>(row) + kGolden));
}

// ln x for positive normal x; see the header for the formulation. Not libm's log on purpose.
inline float cold_log(float x) {
  uint32_t bits = float_bits(x);
  int k = static_cast<int>(bits >> 23) - 127;
  uint32_t mant = bits & 0x7fffffu;
  // Mantissa above sqrt(2): use m/2 in [sqrt(1/2), 1) and one more power of two.
  if (mant > 0x3504f3u) {
    mant |= 0x3f000000u;
    k += 1;
  } else {
    mant |= 0x3f800000u;
  }
  const float m = bits_float(mant);
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
  // ln 2 split so that kf * hi is exact for every float exponent.
  return kf * 0.693359375f + (ln_m + kf * -2.12194440e-4f);
}

// Gumbel noise g_i of element i in the stream of row_key.
inline float gumbel_noise(uint64_t row_key, int64_t i) {
  const uint64_t h = mix64(row_key + static_cast<uint64_t>(i + 1) * kGolden);
  const float u = static_cast<float>(static_cast<int32_t>(2 * (h >> 41) + 1)) * 0x1p-24f;
  return -cold_log(-cold_log(u));
}

}  // namespace
}  // namespace npukit

#endif
