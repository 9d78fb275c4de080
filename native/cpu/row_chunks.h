// Splitting a kernel's rows over the thread pool, for the element-wise kernels.
#ifndef NPUKIT_CPU_ROW_CHUNKS_H
#define NPUKIT_CPU_ROW_CHUNKS_H

#include <cstdint>
#include <functional>

namespace npukit {

// Calls rows_fn(r0, r1) over [0, rows) in chunks of at least ~16K elements, on the thread pool
// when there is more than one chunk (a decode step's rows are too small to be worth waking it).
// Returns false if a worker failed.
bool for_row_chunks(int rows, int64_t row_elements, const std::function<void(int, int)>& rows_fn);

}  // namespace npukit

#endif
