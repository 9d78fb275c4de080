// npukit_read_checksummed (npukit/checksum.h): a chunk-store entry file read into its caller's
// buffers on the kernels' thread pool. The payload is cut into pieces; each thread reads a piece
// with one system call and checksums it while the bytes are still in its own cache, so the copies
// out of the page cache and the checksums of the two cores overlap (docs/chunk-store.md, Tiers).
#include <fcntl.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "crc32c_impl.h"
#include "npukit/checksum.h"
#include "status.h"
#include "thread_pool.h"

namespace npukit {
namespace {

// A piece's payload bytes: a piece and its checksum stay within a core's L2 (1 MiB on the
// processors measured), and a 320 KiB payload makes two pieces, one per core.
constexpr int64_t kPieceBytes = 160 * 1024;
constexpr int64_t kPage = 4096;

// One read: up to three destinations, filled in file order from file offset `at`.
struct Piece {
  int64_t at = 0;
  iovec iov[3] = {};
  int count = 0;
  int64_t want = 0;     // bytes asked for
  int64_t checked = 0;  // of them, the checksummed ones (header and payload, not the trailer)
  int64_t got = 0;      // bytes read: less than want where the file ended
  int error = 0;        // errno of a failed read
  uint32_t crc = 0;     // CRC32C of the checksummed bytes read
};

void add(Piece& p, void* base, int64_t bytes, bool checked) {
  if (bytes == 0) return;
  p.iov[p.count++] = iovec{base, static_cast<size_t>(bytes)};
  p.want += bytes;
  if (checked) p.checked += bytes;
}

// Reads the piece until it is full, the file ends or a read fails; then its CRC32C.
void read_piece(int fd, Piece& p) {
  iovec iov[3];
  std::memcpy(iov, p.iov, sizeof(iov));
  int first = 0;
  while (first < p.count) {
    const ssize_t n = preadv(fd, iov + first, p.count - first, p.at + p.got);
    if (n < 0) {
      if (errno == EINTR) continue;
      p.error = errno;
      return;
    }
    if (n == 0) break;  // the file ends here
    p.got += n;
    for (size_t left = static_cast<size_t>(n); left > 0 && first < p.count;) {
      const size_t take = std::min(left, iov[first].iov_len);
      iov[first].iov_base = static_cast<uint8_t*>(iov[first].iov_base) + take;
      iov[first].iov_len -= take;
      left -= take;
      if (iov[first].iov_len == 0) first++;
    }
  }
  uint32_t state = ~0u;
  int64_t left = std::min(p.got, p.checked);
  for (int i = 0; i < p.count && left > 0; i++) {
    const auto take = static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(p.iov[i].iov_len)));
    state = crc32c::update(state, static_cast<const uint8_t*>(p.iov[i].iov_base), take);
    left -= static_cast<int64_t>(take);
  }
  p.crc = ~state;
}

// The pieces of an entry: the payload in equal runs of whole pages, at most kPieceBytes each,
// the header read with the first and the trailer with the last.
std::vector<Piece> pieces_of(void* header, int64_t header_bytes, void* payload, int64_t payload_bytes, void* trailer,
                             int64_t trailer_bytes) {
  const int64_t count = std::max<int64_t>(1, (payload_bytes + kPieceBytes - 1) / kPieceBytes);
  const int64_t run = std::max<int64_t>(kPage, ((payload_bytes + count - 1) / count + kPage - 1) / kPage * kPage);
  std::vector<Piece> pieces;
  for (int64_t from = 0; from < payload_bytes || pieces.empty(); from += run) {
    Piece p;
    p.at = from == 0 ? 0 : header_bytes + from;
    if (from == 0) add(p, header, header_bytes, true);
    const int64_t bytes = std::min(run, payload_bytes - from);
    add(p, static_cast<uint8_t*>(payload) + from, bytes, true);
    if (from + bytes == payload_bytes) add(p, trailer, trailer_bytes, false);
    pieces.push_back(p);
  }
  return pieces;
}

}  // namespace
}  // namespace npukit

extern "C" int64_t npukit_read_checksummed(const char* path, void* header, int64_t header_bytes, void* payload,
                                           int64_t payload_bytes, void* trailer, int64_t trailer_bytes,
                                           uint32_t* crc) {
  using npukit::fail;
  constexpr int64_t kMaxBytes = int64_t{1} << 40;
  if (path == nullptr) return -fail(NPUKIT_ERR_ARGUMENT, "read_checksummed: path is NULL");
  if (crc == nullptr) return -fail(NPUKIT_ERR_ARGUMENT, "read_checksummed: crc is NULL");
  const struct {
    const char* name;
    const void* data;
    int64_t bytes;
  } parts[] = {{"header", header, header_bytes},
               {"payload", payload, payload_bytes},
               {"trailer", trailer, trailer_bytes}};
  for (const auto& part : parts) {
    if (part.bytes < 0 || part.bytes > kMaxBytes) {
      return -fail(NPUKIT_ERR_ARGUMENT, "read_checksummed: %s_bytes is %lld, must be in [0, 2^40]", part.name,
                   static_cast<long long>(part.bytes));
    }
    if (part.data == nullptr && part.bytes > 0) {
      return -fail(NPUKIT_ERR_ARGUMENT, "read_checksummed: %s is NULL with %s_bytes %lld", part.name, part.name,
                   static_cast<long long>(part.bytes));
    }
  }
  std::vector<npukit::Piece> pieces;
  try {
    pieces = npukit::pieces_of(header, header_bytes, payload, payload_bytes, trailer, trailer_bytes);
  } catch (const std::bad_alloc&) {
    return -fail(NPUKIT_ERR_INTERNAL, "read_checksummed: out of memory");
  }
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -fail(NPUKIT_ERR_IO, "cannot open %s: %s", path, std::strerror(errno));
  npukit::parallel_for(static_cast<int64_t>(pieces.size()),
                       [&](int64_t i) { npukit::read_piece(fd, pieces[static_cast<size_t>(i)]); });
  close(fd);
  // The bytes read are those up to the first piece the file ended in; the CRC covers them.
  // The pieces but the first and last have one length: its shift factor is computed once.
  int64_t got = 0;
  uint32_t value = 0;
  int64_t factor_length = -1;
  uint32_t factor = 0;
  for (const npukit::Piece& p : pieces) {
    if (p.error != 0) return -fail(NPUKIT_ERR_IO, "cannot read %s: %s", path, std::strerror(p.error));
  }
  for (const npukit::Piece& p : pieces) {
    const int64_t checked = std::min(p.got, p.checked);
    if (checked != factor_length) {
      factor_length = checked;
      factor = npukit::crc32c::shift_factor(static_cast<uint64_t>(checked));
    }
    value = npukit::crc32c::multiply(value, factor) ^ p.crc;
    got += p.got;
    if (p.got < p.want) break;
  }
  *crc = value;
  return got;
}
