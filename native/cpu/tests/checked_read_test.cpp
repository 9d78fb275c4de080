// npukit_read_checksummed against the file's bytes and a bitwise CRC32C: files of one piece and of
// many, headers of odd lengths, empty payloads, files shorter and longer than asked for, a missing
// file, a directory, and the refusal of bad arguments. ctest runs it with the default thread count
// and with one thread (the pieces read in turn on the calling thread).
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "crc32c_impl.h"
#include "npukit/checksum.h"

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  if (!ok && failures++ < 20) std::fprintf(stderr, "FAIL %s\n", what.c_str());
}

uint32_t reference(const uint8_t* p, size_t n) {
  uint32_t state = ~0u;
  for (size_t i = 0; i < n; ++i) {
    state ^= p[i];
    for (int bit = 0; bit < 8; ++bit) state = (state >> 1) ^ ((state & 1u) ? npukit::crc32c::kPolyReflected : 0u);
  }
  return ~state;
}

std::string temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/npukit-read-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (mkdtemp(name.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(2);
  }
  return name.data();
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::exit(2);
  }
}

// Reads a file of file_bytes random bytes asking for header, payload and trailer bytes, and checks
// the count, every byte read and the CRC.
void check(const std::string& dir, std::mt19937_64& rng, int64_t header, int64_t payload, int64_t trailer,
           int64_t file_bytes) {
  std::vector<uint8_t> bytes(static_cast<size_t>(file_bytes));
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  const std::string path = dir + "/entry.kv";
  write_file(path, bytes);
  // One guard byte past each buffer: a read must not touch it.
  std::vector<uint8_t> h(static_cast<size_t>(header) + 1, 0xA5), p(static_cast<size_t>(payload) + 1, 0xA5),
      t(static_cast<size_t>(trailer) + 1, 0xA5);
  uint32_t crc = 0xDEADBEEFu;
  const int64_t got =
      npukit_read_checksummed(path.c_str(), h.data(), header, p.data(), payload, t.data(), trailer, &crc);
  const std::string what = "header " + std::to_string(header) + ", payload " + std::to_string(payload) + ", trailer " +
                           std::to_string(trailer) + ", file " + std::to_string(file_bytes);
  const int64_t asked = header + payload + trailer;
  expect(got == std::min(asked, file_bytes), what + ": bytes read " + std::to_string(got));
  const int64_t in = std::min(asked, file_bytes);
  bool same = true;
  for (int64_t i = 0; i < in; ++i) {
    const uint8_t b = i < header ? h[i] : i < header + payload ? p[i - header] : t[i - header - payload];
    same = same && b == bytes[static_cast<size_t>(i)];
  }
  expect(same, what + ": the bytes read");
  expect(h[header] == 0xA5 && p[payload] == 0xA5 && t[trailer] == 0xA5, what + ": a byte past a buffer");
  const int64_t checked = std::min(header + payload, file_bytes);
  expect(crc == reference(bytes.data(), static_cast<size_t>(checked)), what + ": CRC32C");
}

}  // namespace

int main() {
  std::mt19937_64 rng(20261205);
  const std::string dir = temp_dir();
  const int64_t kib = 1024;
  // Whole entries: one piece, two, many, with page and odd headers, empty and tiny payloads.
  for (int64_t header : {int64_t{0}, int64_t{100}, 4 * kib}) {
    for (int64_t payload : {int64_t{0}, int64_t{1}, 4095 * int64_t{1}, 4 * kib, 160 * kib, 320 * kib,
                            320 * kib + 13, 1024 * kib + 7, 5 * 1024 * kib}) {
      check(dir, rng, header, payload, 5, header + payload + 4);  // the trailer's spare byte stays unread
    }
  }
  // Files that end early (in the header, in any piece, in the trailer) or go on past the trailer.
  for (int i = 0; i < 40; ++i) {
    const int64_t header = 4 * kib, payload = 1024 * kib + static_cast<int64_t>(rng() % 4096);
    const int64_t whole = header + payload + 5;
    check(dir, rng, header, payload, 5, static_cast<int64_t>(rng() % static_cast<uint64_t>(whole)));
  }
  check(dir, rng, 4 * kib, 320 * kib, 5, 4 * kib + 320 * kib + 64);

  uint8_t buf[16];
  uint32_t crc = 7;
  const std::string missing = dir + "/missing.kv";
  expect(npukit_read_checksummed(missing.c_str(), buf, 4, buf + 4, 4, buf + 8, 4, &crc) == -NPUKIT_ERR_IO,
         "a missing file is an I/O error");
  expect(std::strstr(npukit_last_error(), "missing.kv") != nullptr, "the message names the file");
  expect(crc == 7, "a failed read leaves the CRC alone");
  expect(npukit_read_checksummed(dir.c_str(), buf, 4, buf + 4, 4, buf + 8, 4, &crc) == -NPUKIT_ERR_IO,
         "a directory is an I/O error");
  expect(npukit_read_checksummed(nullptr, buf, 4, buf + 4, 4, buf + 8, 4, &crc) == -NPUKIT_ERR_ARGUMENT, "NULL path");
  expect(npukit_read_checksummed(missing.c_str(), buf, 4, buf + 4, 4, buf + 8, 4, nullptr) == -NPUKIT_ERR_ARGUMENT,
         "NULL crc");
  expect(npukit_read_checksummed(missing.c_str(), buf, -1, buf + 4, 4, buf + 8, 4, &crc) == -NPUKIT_ERR_ARGUMENT,
         "negative header_bytes");
  expect(npukit_read_checksummed(missing.c_str(), buf, 4, nullptr, 4, buf + 8, 4, &crc) == -NPUKIT_ERR_ARGUMENT,
         "NULL payload with bytes");
  expect(npukit_read_checksummed(missing.c_str(), buf, 4, buf + 4, int64_t{1} << 41, buf + 8, 4, &crc) ==
             -NPUKIT_ERR_ARGUMENT,
         "payload_bytes past 2^40");

  std::remove((dir + "/entry.kv").c_str());
  rmdir(dir.c_str());
  if (failures > 0) {
    std::fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  std::printf("checked reads agree with the files and their CRC32C\n");
  return 0;
}
