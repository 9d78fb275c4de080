// CRC32C by folding with PCLMULQDQ on 128-bit registers (compiled with AVX2 + PCLMULQDQ flags,
// run only when has_avx2_pclmulqdq()). Eight blocks of 16 bytes are folded side by side, so the
// multiplications of one step do not wait for each other; the folded remainder is then reduced to
// the 32-bit register by the CRC32 instruction (crc32c_impl.h says why the constants are right).
#include <immintrin.h>

#include "crc32c_impl.h"

namespace npukit {
namespace crc32c {
namespace {

constexpr size_t kLanes = 8;
constexpr size_t kStep = kLanes * 16;

template <unsigned d>
__m128i constants() {
  return _mm_set_epi64x(static_cast<long long>(Fold<d>::low), static_cast<long long>(Fold<d>::high));
}

__m128i load(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }

// x * x^d + next, reduced to 96 bits (k = constants(d)).
__m128i fold(__m128i x, __m128i k, __m128i next) {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), next);
}

}  // namespace

uint32_t update_pclmul(uint32_t state, const uint8_t* p, size_t n) {
  if (n < 2 * kStep) return update_sse42(state, p, n);
  __m128i x[kLanes];
  for (size_t i = 0; i < kLanes; ++i) x[i] = load(p + 16 * i);
  // The register's bits multiply x^(8n), as the message's first 32 bits do (crc32c_impl.h).
  x[0] = _mm_xor_si128(x[0], _mm_cvtsi32_si128(static_cast<int>(state)));
  p += kStep;
  n -= kStep;
  const __m128i step = constants<8 * kStep>();
  for (; n >= kStep; p += kStep, n -= kStep) {
    for (size_t i = 0; i < kLanes; ++i) x[i] = fold(x[i], step, load(p + 16 * i));
  }
  const __m128i block = constants<128>();
  __m128i r = x[0];
  for (size_t i = 1; i < kLanes; ++i) r = fold(r, block, x[i]);
  for (; n >= 16; p += 16, n -= 16) r = fold(r, block, load(p));
  // The CRC32 instruction from a zero register turns the 128-bit remainder R into R * x^32 mod P.
  uint64_t s = _mm_crc32_u64(0, static_cast<uint64_t>(_mm_cvtsi128_si64(r)));
  s = _mm_crc32_u64(s, static_cast<uint64_t>(_mm_extract_epi64(r, 1)));
  return update_sse42(static_cast<uint32_t>(s), p, n);
}

}  // namespace crc32c
}  // namespace npukit
