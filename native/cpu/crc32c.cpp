// CRC32C entry point (npukit/checksum.h): the path chosen once per process, and the paths every
// processor of the architecture can run.
#include <array>
#include <cstring>

#include "cpu_features.h"
#include "crc32c_impl.h"
#include "npukit/checksum.h"
#include "status.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace npukit {
namespace crc32c {
namespace {

// table[s][b]: the register after byte b followed by s zero bytes, from a zero register.
struct Tables {
  uint32_t t[8][256];
};

constexpr Tables make_tables() {
  Tables k{};
  for (unsigned b = 0; b < 256; ++b) {
    uint32_t r = b;
    for (int bit = 0; bit < 8; ++bit) r = times_x(r);
    k.t[0][b] = r;
  }
  for (int s = 1; s < 8; ++s) {
    for (unsigned b = 0; b < 256; ++b) k.t[s][b] = (k.t[s - 1][b] >> 8) ^ k.t[0][k.t[s - 1][b] & 0xFFu];
  }
  return k;
}

constexpr Tables kTables = make_tables();

uint32_t update_bytes(uint32_t state, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) state = (state >> 8) ^ kTables.t[0][(state ^ p[i]) & 0xFFu];
  return state;
}

using Update = uint32_t (*)(uint32_t, const uint8_t*, size_t);

struct Path {
  Update update;
  const char* name;
};

Path choose() {
#if defined(NPUKIT_HAVE_AVX2_PATH)
  if (has_avx512_vpclmulqdq()) return {update_vpclmul, "vpclmulqdq"};
  if (has_avx2_pclmulqdq()) return {update_pclmul, "pclmulqdq"};
#endif
#if defined(__x86_64__)
  return {update_sse42, "sse4.2"};
#else
  return {update_portable, "portable"};
#endif
}

const Path& path() {
  static const Path chosen = choose();
  return chosen;
}

}  // namespace

uint32_t update(uint32_t state, const uint8_t* p, size_t n) { return path().update(state, p, n); }

uint32_t multiply(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (int i = 0; i < 32; ++i) {  // bit 31 - i of a holds x^i
    if (a & (0x80000000u >> i)) product ^= b;
    b = times_x(b);
  }
  return product;
}

uint32_t shift_factor(uint64_t length) {
  // x^(2^k) mod P for every bit k of a bit count below 2^64, squared from x^1.
  static const auto powers = [] {
    std::array<uint32_t, 64> x2n{};
    x2n[0] = xpow_mod(1);
    for (size_t k = 1; k < x2n.size(); ++k) x2n[k] = multiply(x2n[k - 1], x2n[k - 1]);
    return x2n;
  }();
  uint32_t factor = 0x80000000u;  // x^0
  uint64_t bits = length << 3;
  for (size_t k = 0; bits != 0; ++k, bits >>= 1) {
    if (bits & 1u) factor = multiply(factor, powers[k]);
  }
  return factor;
}

uint32_t update_portable(uint32_t state, const uint8_t* p, size_t n) {
  const auto& t = kTables.t;
  for (; n >= 8; p += 8, n -= 8) {
    // The eight bytes as a little-endian word on any byte order: the register takes the first
    // four; each byte's table entry accounts for the bytes after it.
    const uint32_t lo = state ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
    state = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^
            t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
  }
  return update_bytes(state, p, n);
}

#if defined(__x86_64__)
uint32_t update_sse42(uint32_t state, const uint8_t* p, size_t n) {
  uint64_t s = state;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    s = _mm_crc32_u64(s, w);
  }
  auto r = static_cast<uint32_t>(s);
  for (; n > 0; ++p, --n) r = _mm_crc32_u8(r, *p);
  return r;
}
#endif

}  // namespace crc32c
}  // namespace npukit

extern "C" int64_t npukit_crc32c(uint32_t crc, const void* data, int64_t bytes) {
  if (bytes < 0) return -npukit::fail(NPUKIT_ERR_ARGUMENT, "crc32c: bytes is %lld, must be >= 0", (long long)bytes);
  if (data == nullptr && bytes > 0) {
    return -npukit::fail(NPUKIT_ERR_ARGUMENT, "crc32c: data is NULL with bytes %lld", (long long)bytes);
  }
  if (bytes == 0) return crc;
  const auto* p = static_cast<const uint8_t*>(data);
  const uint32_t state = npukit::crc32c::path().update(~crc, p, static_cast<size_t>(bytes));
  return static_cast<uint32_t>(~state);
}

extern "C" const char* npukit_crc32c_path(void) { return npukit::crc32c::path().name; }
