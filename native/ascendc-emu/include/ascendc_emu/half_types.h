// The 16-bit float types of AscendC device code (half, bfloat16_t) as plain bit containers, and
// the conversions the Cast instruction performs: widening is exact, narrowing rounds to nearest
// even with IEEE overflow to infinity and subnormals kept - the same rules as npukit's CPU
// kernels and the Java side (native/common/convert.h is that single definition).
#ifndef NPUKIT_ASCENDC_EMU_HALF_TYPES_H
#define NPUKIT_ASCENDC_EMU_HALF_TYPES_H

#include <cstdint>

#include "convert.h"  // native/common: npukit's bit-exact conversions

struct half {
  uint16_t bits;
};
struct bfloat16_t {
  uint16_t bits;
};

namespace AscendC {
namespace emu {

template <typename T>
inline float ToFloat(T v) {
  return static_cast<float>(v);
}
template <>
inline float ToFloat<half>(half v) {
  return npukit::f16_to_float(v.bits);
}
template <>
inline float ToFloat<bfloat16_t>(bfloat16_t v) {
  return npukit::bf16_to_float(v.bits);
}

template <typename D>
inline D FromFloat(float f) {
  return static_cast<D>(f);
}
template <>
inline half FromFloat<half>(float f) {
  return half{npukit::float_to_f16(f)};
}
template <>
inline bfloat16_t FromFloat<bfloat16_t>(float f) {
  return bfloat16_t{npukit::float_to_bf16(f)};
}

template <typename D, typename S>
inline D Convert(S v) {
  return FromFloat<D>(ToFloat<S>(v));
}

}  // namespace emu
}  // namespace AscendC

#endif
