// CRC32C: every code path this processor can run, and the C entry point, against a bitwise
// reference of the polynomial, on every length up to 1024 and random longer ones (up to 5 MiB,
// past several of the AVX-512 path's blocks), at random start alignments and from random
// registers. Also the known check value, the combination of two parts' CRCs and the entry point's
// refusal of bad arguments.
//
// With --bench it measures instead: each path's GB/s over a 320 KiB buffer (the demo chunk's
// payload, held in the cache as after the kernel's copy) and a 4 MiB one, median of 2000 runs.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "crc32c_impl.h"
#include "npukit/checksum.h"

namespace {

using npukit::crc32c::kPolyReflected;
using Update = uint32_t (*)(uint32_t, const uint8_t*, size_t);

uint32_t reference(uint32_t state, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    state ^= p[i];
    for (int bit = 0; bit < 8; ++bit) state = (state >> 1) ^ ((state & 1u) ? kPolyReflected : 0u);
  }
  return state;
}

int failures = 0;

void expect(bool ok, const char* what, const char* path, size_t n, size_t offset) {
  if (!ok && failures++ < 20) {
    std::fprintf(stderr, "FAIL %s: path %s, %zu bytes at offset %zu\n", what, path, n, offset);
  }
}

void check_path(const char* name, Update update, const std::vector<uint8_t>& data, std::mt19937_64& rng) {
  int cases = 0;
  auto one = [&](size_t n) {
    const size_t offset = rng() % 64;
    const auto state = static_cast<uint32_t>(rng());
    expect(update(state, data.data() + offset, n) == reference(state, data.data() + offset, n), "update", name, n,
           offset);
    ++cases;
  };
  for (size_t n = 0; n <= 1024; ++n) one(n);
  for (int i = 0; i < 300; ++i) one(1025 + rng() % (200 << 10));
  for (int i = 0; i < 12; ++i) one(rng() % (5 << 20));
  std::printf("%s: %d cases\n", name, cases);
}

struct Path {
  const char* name;
  Update update;
};

std::vector<Path> paths() {
  std::vector<Path> p = {{"portable", npukit::crc32c::update_portable}};
#if defined(__x86_64__)
  p.push_back({"sse4.2", npukit::crc32c::update_sse42});
#endif
#if defined(NPUKIT_HAVE_AVX2_PATH)
  __builtin_cpu_init();
  // The processor's own support, not the NPUKIT_CPU_ISA cap: every path it can run.
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul")) {
    p.push_back({"pclmulqdq", npukit::crc32c::update_pclmul});
  }
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("pclmul")) {
    p.push_back({"vpclmulqdq", npukit::crc32c::update_vpclmul});
  }
#endif
  return p;
}

int bench(const std::vector<uint8_t>& data) {
  for (const Path& path : paths()) {
    for (size_t n : {size_t{320} << 10, size_t{4} << 20}) {
      std::vector<double> us;
      uint32_t sink = 0;
      for (int run = 0; run < 2000; ++run) {
        const auto t0 = std::chrono::steady_clock::now();
        sink += path.update(static_cast<uint32_t>(run), data.data(), n);
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(us.begin(), us.end());
      std::printf("%-10s %7zu KiB: median %8.2f us, %6.1f GB/s (fastest run %6.1f GB/s) [%08x]\n", path.name, n >> 10,
                  us[us.size() / 2], n / us[us.size() / 2] / 1e3, n / us[0] / 1e3, sink);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::mt19937_64 rng(20261205);
  std::vector<uint8_t> data((5 << 20) + 64);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  if (argc > 1 && std::strcmp(argv[1], "--bench") == 0) return bench(data);

  const uint8_t nine[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  expect(npukit_crc32c(0, nine, 9) == 0xE3069283, "check value of \"123456789\"", "entry", 9, 0);

  for (const Path& path : paths()) check_path(path.name, path.update, data, rng);

  // The entry point: values in, values out, chained; 0 bytes give crc back.
  for (int i = 0; i < 200; ++i) {
    const size_t a = rng() % 70000, b = rng() % 70000, offset = rng() % 64;
    const uint8_t* p = data.data() + offset;
    const uint32_t whole = ~reference(~0u, p, a + b);
    const int64_t first = npukit_crc32c(0, p, static_cast<int64_t>(a));
    expect(first == ~reference(~0u, p, a), "entry point", npukit_crc32c_path(), a, offset);
    const int64_t chained = npukit_crc32c(static_cast<uint32_t>(first), p + a, static_cast<int64_t>(b));
    expect(chained == whole, "chained", npukit_crc32c_path(), a + b, offset);
  }
  // Combining the CRCs of two parts gives the CRC of the whole, for empty parts too.
  for (int i = 0; i < 200; ++i) {
    const size_t a = i == 0 ? 0 : rng() % 300000, b = i == 1 ? 0 : rng() % 300000, offset = rng() % 64;
    const uint8_t* p = data.data() + offset;
    const uint32_t crc_a = ~reference(~0u, p, a), crc_b = ~reference(~0u, p + a, b);
    const uint32_t joined = npukit::crc32c::multiply(crc_a, npukit::crc32c::shift_factor(b)) ^ crc_b;
    expect(joined == ~reference(~0u, p, a + b), "combine", "entry", a + b, offset);
  }
  expect(npukit_crc32c(0x12345678u, nullptr, 0) == 0x12345678, "no bytes", "entry", 0, 0);
  expect(npukit_crc32c(0, nullptr, 5) == -NPUKIT_ERR_ARGUMENT, "NULL data refused", "entry", 5, 0);
  expect(npukit_crc32c(0, data.data(), -1) == -NPUKIT_ERR_ARGUMENT, "negative length refused", "entry", 0, 0);
  std::printf("entry point runs %s\n", npukit_crc32c_path());

  if (failures > 0) {
    std::fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  std::printf("all CRC32C paths agree with the reference\n");
  return 0;
}
