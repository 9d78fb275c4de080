// CRC32C on the AVX-512 path (compiled with AVX-512 + VPCLMULQDQ flags, run only when
// has_avx512_vpclmulqdq()). Two engines run side by side: folding with VPCLMULQDQ on 512-bit
// registers and independent streams of the CRC32 instruction. Each alone is held to the rate of
// its own instruction (one 512-bit carry-less product every other cycle on the processor measured;
// a CRC32 stream waits on its previous result), and the pair, in one loop, goes faster than
// either. A long message is cut into 10 KiB blocks; in each block the first 4 KiB are folded and
// the rest is shared out among eight streams, one contiguous stretch each, all advanced in the same
// loop. The parts' CRCs are then combined by shifting each over the bytes after it
// (crc32c_impl.h says why the constants are right).
#include <immintrin.h>

#include <cstring>

#include "crc32c_impl.h"

namespace npukit {
namespace crc32c {
namespace {

constexpr size_t kRegs = 4;
constexpr size_t kStep = kRegs * 64;  // bytes folded per step

// The constants of a fold by d bits in every 128-bit lane.
template <unsigned d>
__m512i constants() {
  constexpr auto high = static_cast<long long>(Fold<d>::high);
  constexpr auto low = static_cast<long long>(Fold<d>::low);
  return _mm512_set_epi64(low, high, low, high, low, high, low, high);
}

__m128i lane(__m512i x, int i) { return _mm512_maskz_extracti32x4_epi32(0xF, x, i); }

__m512i load(const uint8_t* p) { return _mm512_loadu_si512(p); }

// Each lane: x * x^d + next, reduced to 96 bits (k = constants<d>()).
__m512i fold(__m512i x, __m512i k, __m512i next) {
  return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, k, 0x00), _mm512_clmulepi64_epi128(x, k, 0x11), next,
                                   0x96);  // a ^ b ^ c
}

__m128i fold128(__m128i x, __m128i k, __m128i next) {
  return _mm_ternarylogic_epi64(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11), next, 0x96);
}

// The 128-bit remainder R congruent to the four registers x (each 64 bytes, in message order).
__m128i fold_registers(const __m512i* x) {
  const __m512i reg = constants<512>();
  __m512i r = x[0];
  for (size_t i = 1; i < kRegs; ++i) r = fold(r, reg, x[i]);
  // Lanes 0, 1 and 2 end 384, 256 and 128 bits before lane 3: fold each onto lane 3 (lane 3's
  // own constants are zero, so its product vanishes and it is added as it is).
  const __m512i lanes = _mm512_set_epi64(
      0, 0, static_cast<long long>(Fold<128>::low), static_cast<long long>(Fold<128>::high),
      static_cast<long long>(Fold<256>::low), static_cast<long long>(Fold<256>::high),
      static_cast<long long>(Fold<384>::low), static_cast<long long>(Fold<384>::high));
  const __m512i t = fold(r, lanes, _mm512_maskz_mov_epi64(0xC0, r));
  return _mm_xor_si128(_mm_ternarylogic_epi64(lane(t, 0), lane(t, 1), lane(t, 2), 0x96), lane(t, 3));
}

// The CRC32 instruction from a zero register turns a 128-bit remainder R into R * x^32 mod P.
uint32_t reduce(__m128i r) {
  const uint64_t s = _mm_crc32_u64(0, static_cast<uint64_t>(_mm_cvtsi128_si64(r)));
  return static_cast<uint32_t>(_mm_crc32_u64(s, static_cast<uint64_t>(_mm_extract_epi64(r, 1))));
}

// The carry-less product of a 32-bit register and k = x^(8n-33) mod P (both in the low 32 bits of
// their operands): its low 64 bits are state * k * x in the CRC32 instruction's frame, so the
// instruction from a zero register turns them into state * x^(8n) mod P, the register shifted
// over n more bytes. Products of several registers are added before that one reduction.
__m128i shift_product(uint64_t state, uint32_t k) {
  return _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(state)), _mm_cvtsi32_si128(static_cast<int>(k)),
                              0x00);
}

// Blocks of kSteps steps: kStep * kSteps bytes folded, then kStreams stretches of kStretch bytes,
// each advanced kWords words per step.
constexpr size_t kSteps = 16;
constexpr size_t kStreams = 8;
constexpr size_t kWords = 6;
constexpr size_t kStretch = kSteps * kWords * 8;
constexpr size_t kFolded = kSteps * kStep;
constexpr size_t kBlock = kFolded + kStreams * kStretch;
static_assert(kFolded == 4096 && kBlock == 10240, "the blocks the comments and docs describe");

// k[i]: x^(8n-33) mod P for n the bytes after part i of a block (part 0 folded, part i > 0
// stream i - 1); the last stream's CRC needs no shift.
struct Shifts {
  uint32_t k[kStreams];
};

constexpr Shifts make_shifts() {
  Shifts s{};
  for (size_t i = 0; i < kStreams; ++i) s.k[i] = xpow_mod(static_cast<unsigned>(8 * (kStreams - i) * kStretch - 33));
  return s;
}

constexpr Shifts kShifts = make_shifts();

uint32_t block(uint32_t state, const uint8_t* p) {
  __m512i x[kRegs];
  for (size_t i = 0; i < kRegs; ++i) x[i] = load(p + 64 * i);
  x[0] = _mm512_xor_si512(x[0], _mm512_zextsi128_si512(_mm_cvtsi32_si128(static_cast<int>(state))));
  uint64_t s[kStreams] = {};
  const uint8_t* q = p + kFolded;
  const __m512i step = constants<8 * kStep>();
  for (size_t i = 0; i < kSteps; ++i) {
    if (i > 0) {
      for (size_t r = 0; r < kRegs; ++r) x[r] = fold(x[r], step, load(p + kStep * i + 64 * r));
    }
    for (size_t w = 0; w < kWords; ++w) {
      for (size_t j = 0; j < kStreams; ++j) {
        uint64_t word;
        std::memcpy(&word, q + j * kStretch + 8 * (kWords * i + w), 8);
        s[j] = _mm_crc32_u64(s[j], word);
      }
    }
  }
  __m128i sum = shift_product(reduce(fold_registers(x)), kShifts.k[0]);
  for (size_t j = 0; j + 1 < kStreams; ++j) sum = _mm_xor_si128(sum, shift_product(s[j], kShifts.k[j + 1]));
  return static_cast<uint32_t>(_mm_crc32_u64(0, static_cast<uint64_t>(_mm_cvtsi128_si64(sum)))) ^
         static_cast<uint32_t>(s[kStreams - 1]);
}

}  // namespace

uint32_t update_vpclmul(uint32_t state, const uint8_t* p, size_t n) {
  for (; n >= kBlock; p += kBlock, n -= kBlock) state = block(state, p);
  if (n < 2 * kStep) return update_sse42(state, p, n);
  __m512i x[kRegs];
  for (size_t i = 0; i < kRegs; ++i) x[i] = load(p + 64 * i);
  // The register's bits multiply x^(8n), as the message's first 32 bits do (crc32c_impl.h).
  x[0] = _mm512_xor_si512(x[0], _mm512_zextsi128_si512(_mm_cvtsi32_si128(static_cast<int>(state))));
  p += kStep;
  n -= kStep;
  const __m512i step = constants<8 * kStep>();
  for (; n >= kStep; p += kStep, n -= kStep) {
    for (size_t i = 0; i < kRegs; ++i) x[i] = fold(x[i], step, load(p + 64 * i));
  }
  __m128i b = fold_registers(x);
  const __m128i block128 =
      _mm_set_epi64x(static_cast<long long>(Fold<128>::low), static_cast<long long>(Fold<128>::high));
  for (; n >= 16; p += 16, n -= 16) b = fold128(b, block128, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return update_sse42(reduce(b), p, n);
}

}  // namespace crc32c
}  // namespace npukit
