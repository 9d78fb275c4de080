// Checksums of host memory. The chunk KV store (java dev.npukit.serving.store) checks every stored
// entry with a CRC32C; this computes it on the fastest path the processor has (carry-less
// multiplication where available, docs/chunk-store.md).
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
// multiplication, the avx512 ISA path), "pclmulqdq" (128-bit, the avx2 path), "sse4.2" (the
// CRC32 instruction, x86-64 baseline) or "portable" (tables). NPUKIT_CPU_ISA caps it as it caps
// the kernels.
const char* npukit_crc32c_path(void);

#ifdef __cplusplus
}
#endif

#endif
