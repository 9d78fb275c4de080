// Helpers for benchmarks: the machine's memory read bandwidth, measured the way the kernels
// read memory (all worker threads, streaming through a buffer larger than the caches).
#ifndef NPUKIT_BENCH_H
#define NPUKIT_BENCH_H

#include "npukit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

// Reads bytes bytes at buf with every worker thread and returns a checksum (so the reads cannot
// be optimized away). Time it from the caller. Returns 0 for a null buffer.
double npukit_read_bandwidth_probe(const void* buf, int64_t bytes);

#ifdef __cplusplus
}
#endif

#endif
