// A small persistent thread pool for the CPU kernels. Kernels are called at a high rate
// (every decode step), so threads are created once and reused instead of spawned per call.
#ifndef NPUKIT_CPU_THREAD_POOL_H
#define NPUKIT_CPU_THREAD_POOL_H

#include <cstdint>
#include <functional>

namespace npukit {

// Number of threads parallel_for uses: NPUKIT_NUM_THREADS if set (>= 1), else the hardware count.
int num_threads();

// Calls task(i) for every i in [0, n) on the pool and the calling thread, and returns when all
// have finished. Items are claimed dynamically, so uneven items balance. Calls from several
// threads are serialized; a task must not call parallel_for itself. Returns false if a task threw.
bool parallel_for(int64_t n, const std::function<void(int64_t)>& task);

}  // namespace npukit

#endif
