// Scalar conversions between float and F16/BF16 with the exact rules of the Java side
// (dev.npukit.tensor.HalfFloats): round to nearest even, overflow to infinity, subnormals kept,
// NaN quiet with sign and top payload bits. Shared by every kernel so conversions are bit-exact
// across backends.
#ifndef NPUKIT_CPU_CONVERT_H
#define NPUKIT_CPU_CONVERT_H

#include <cstdint>
#include <cstring>

#include "npukit/common.h"

namespace npukit {
// Internal linkage: the AVX2/AVX-512 translation units include this too, and a shared (weak)
// copy compiled with their flags could be what baseline code ends up calling.
namespace {

inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline float f16_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) return bits_float(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) {
    float v = static_cast<float>(mant) * 0x1p-24f;
    return sign ? -v : v;
  }
  return bits_float(sign | ((exp + 112) << 23) | (mant << 13));
}

inline uint16_t float_to_f16(float f) {
  uint32_t bits = float_bits(f);
  uint32_t sign = (bits >> 16) & 0x8000u;
  uint32_t abs = bits & 0x7fffffffu;
  if (abs >= 0x7f800000u) {
    if (abs == 0x7f800000u) return static_cast<uint16_t>(sign | 0x7c00u);
    return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  }
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  if (abs >= 0x38800000u) {
    uint32_t rounded = abs + 0xfffu + ((abs >> 13) & 1u);
    return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
  }
  uint32_t exp = abs >> 23;
  if (exp < 102) return static_cast<uint16_t>(sign);
  uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
  uint32_t shift = 126 - exp;
  uint32_t q = mant >> shift;
  uint32_t rem = mant & ((1u << shift) - 1);
  uint32_t halfway = 1u << (shift - 1);
  if (rem > halfway || (rem == halfway && (q & 1u))) q++;
  return static_cast<uint16_t>(sign | q);
}

inline float bf16_to_float(uint16_t b) { return bits_float(static_cast<uint32_t>(b) << 16); }

inline uint16_t float_to_bf16(float f) {
  uint32_t bits = float_bits(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);
  return static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

inline int dtype_size(int dtype) { return (dtype == NPUKIT_F16 || dtype == NPUKIT_BF16) ? 2 : 4; }

inline bool is_float_dtype(int dtype) {
  return dtype == NPUKIT_F32 || dtype == NPUKIT_F16 || dtype == NPUKIT_BF16;
}

// Element i of a float buffer of the given dtype, widened to float.
inline float load_float(const void* base, int dtype, int64_t i) {
  switch (dtype) {
    case NPUKIT_F16: return f16_to_float(static_cast<const uint16_t*>(base)[i]);
    case NPUKIT_BF16: return bf16_to_float(static_cast<const uint16_t*>(base)[i]);
    default: return static_cast<const float*>(base)[i];
  }
}

// Stores v as element i of a float buffer of the given dtype, rounding to nearest even.
inline void store_float(void* base, int dtype, int64_t i, float v) {
  switch (dtype) {
    case NPUKIT_F16: static_cast<uint16_t*>(base)[i] = float_to_f16(v); break;
    case NPUKIT_BF16: static_cast<uint16_t*>(base)[i] = float_to_bf16(v); break;
    default: static_cast<float*>(base)[i] = v; break;
  }
}

}  // namespace
}  // namespace npukit

#endif
