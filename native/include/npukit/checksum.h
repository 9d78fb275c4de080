// Checksums of host memory. The chunk KV store (java dev.npukit.serving.store) checks every stored
// entry with a CRC32C; this computes it on the fastest path the processor has (carry-less
// multiplication where available, docs/chunk-store.md), and reads its disk tier's entry files
// with the checksum computed as they are read.
#ifndef NPUKIT_CHECKSUM_H
#define NPUKIT_CHECKSUM_H

#include "npukit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

// The CRC32C (Castagnoli) of the bytes [data, data + bytes) continued from crc, the CRC32C of the
// bytes before them (0 for none): the value java.util.zip.CRC32C gives for all of the bytes, so
// npukit_crc32c(npukit_crc32c(0, a, n), b, m) is the CRC32C of a's n bytes followed by b's m.
// Returns the CRC32C (0 .. 2^32 - 1), or -NPUKIT_ERR_ARGUMENT when bytes < 0 or data is NULL
// with bytes > 0 (message in npukit_last_error). data needs no alignment.
int64_t npukit_crc32c(uint32_t crc, const void* data, int64_t bytes);

// The code path npukit_crc32c runs on this processor: "vpclmulqdq" (512-bit carry-less
// multiplication, the avx512vl and avx512 ISA paths), "pclmulqdq" (128-bit, the avx2 path), "sse4.2" (the
// CRC32 instruction, x86-64 baseline) or "portable" (tables). NPUKIT_CPU_ISA caps it as it caps
// the kernels.
const char* npukit_crc32c_path(void);

// Reads the file at path (NUL-terminated, in the file system's encoding) from its first byte:
// header_bytes into header, then payload_bytes into payload, then at most trailer_bytes into
// trailer, and sets *crc to the CRC32C of the header and payload bytes read. The payload is read
// in pieces of whole pages on the kernels' thread pool (calls from several threads take turns
// with each other and with the kernels), each piece checksummed by the thread that read it.
// Returns the bytes read: header_bytes + payload_bytes + trailer_bytes, or fewer where the file
// ends first (a longer file leaves the rest unread; ask for a trailer byte more than expected to
// notice it). Negative status: -NPUKIT_ERR_ARGUMENT for a NULL path or crc, a size outside
// [0, 2^40] or a NULL buffer with bytes to take; -NPUKIT_ERR_IO when the file cannot be opened or
// read, with the system's reason in npukit_last_error; *crc is then untouched. The buffers must
// hold their sizes and not overlap; a failed read may have written any of their bytes.
int64_t npukit_read_checksummed(const char* path, void* header, int64_t header_bytes, void* payload,
                                int64_t payload_bytes, void* trailer, int64_t trailer_bytes, uint32_t* crc);

#ifdef __cplusplus
}
#endif

#endif
