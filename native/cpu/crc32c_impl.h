// CRC32C (Castagnoli, polynomial 0x1EDC6F41) shared by its code paths: the folding constants and
// the per-path update functions. Every path computes the same function, bit for bit
// java.util.zip.CRC32C's, so stored checksums never depend on the processor that wrote them.
//
// The update functions work on the raw register: state = ~value, the CRC of no bytes is state
// 0xFFFFFFFF, and update(state, M) = (state * x^(8|M|) + M * x^32) mod P in the reflected
// (least significant bit first) convention of the CRC32 instruction.
#ifndef NPUKIT_CPU_CRC32C_IMPL_H
#define NPUKIT_CPU_CRC32C_IMPL_H

#include <cstddef>
#include <cstdint>

namespace npukit {
namespace crc32c {

// P without its x^32 term, bit-reflected: bit 31 - i holds the coefficient of x^i.
constexpr uint32_t kPolyReflected = 0x82F63B78u;

// r * x mod P, bit-reflected (bit 31 - i holds x^i): multiplying by x shifts one bit right, and
// a coefficient leaving x^31 for x^32 is replaced by P's lower terms.
constexpr uint32_t times_x(uint32_t r) { return (r >> 1) ^ ((r & 1u) ? kPolyReflected : 0u); }

// x^n mod P, bit-reflected: x^0 is bit 31.
constexpr uint32_t xpow_mod(unsigned n) {
  uint32_t r = 0x80000000u;
  for (; n > 0; --n) r = times_x(r);
  return r;
}

// The constants of a fold by d bits. A 128-bit block X of the message (two little-endian 64-bit
// halves; the low half holds the earlier bytes, so X = H * x^64 + L with H the low half) is
// replaced by a 96-bit remainder congruent to X * x^d, which is added to the block that ends d
// bits later: X * x^d = H * x^(d+64) + L * x^d. A carry-less product of two bit-reflected 64-bit
// operands comes out multiplied by one extra x: bits i and j stand for x^(63-i) and x^(63-j),
// their product x^(126-i-j) lands on bit i + j, which the 128-bit reflected frame (bit k holds
// x^(127-k)) reads as x^(127-i-j). So the constant multiplying H is x^(d+63) mod P and the one
// multiplying L is x^(d-1) mod P, each a 32-bit reflected remainder placed in the upper half of
// a 64-bit operand (bit 63 - i holds x^i); the product has degree < 96 and fits the block.
// Fold<d>::high and ::low are compile-time constants (computing them takes thousands of steps).
template <unsigned d>
struct Fold {
  static_assert(d >= 64, "a fold moves a block at least past its own bits");
  static constexpr uint64_t high = static_cast<uint64_t>(xpow_mod(d + 63)) << 32;
  static constexpr uint64_t low = static_cast<uint64_t>(xpow_mod(d - 1)) << 32;
};

// The register after n more bytes on the path npukit_crc32c runs (chosen once per process).
uint32_t update(uint32_t state, const uint8_t* p, size_t n);

// a * b mod P for bit-reflected remainders a and b.
uint32_t multiply(uint32_t a, uint32_t b);

// x^(8 length) mod P. The CRC32C (the value, not the register) of A followed by B is
// multiply(crc_a, shift_factor(|B|)) ^ crc_b: the complements at both ends cancel in the sum.
uint32_t shift_factor(uint64_t length);

// Any processor: byte tables, eight bytes per step (slice-by-8).
uint32_t update_portable(uint32_t state, const uint8_t* p, size_t n);

#if defined(__x86_64__)
// x86-64-v2 (the baseline build): the SSE4.2 CRC32 instruction, eight bytes at a time.
uint32_t update_sse42(uint32_t state, const uint8_t* p, size_t n);
#endif

#if defined(NPUKIT_HAVE_AVX2_PATH)
// PCLMULQDQ on 128-bit registers (the AVX2 path; needs PCLMULQDQ besides AVX2).
uint32_t update_pclmul(uint32_t state, const uint8_t* p, size_t n);
// VPCLMULQDQ on 512-bit registers (the AVX-512 path; needs VPCLMULQDQ besides AVX-512F).
uint32_t update_vpclmul(uint32_t state, const uint8_t* p, size_t n);
#endif

}  // namespace crc32c
}  // namespace npukit

#endif
