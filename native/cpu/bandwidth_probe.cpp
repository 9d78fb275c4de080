// Memory read bandwidth probe for the benchmarks (see native/bench/bench.h). Sums 64-bit words with
// several independent accumulators so the loop is limited by memory, not by the adder.
#include <algorithm>
#include <atomic>
#include <cstring>

#include "bench.h"
#include "thread_pool.h"

extern "C" double npukit_read_bandwidth_probe(const void* buf, int64_t bytes) {
  if (buf == nullptr || bytes <= 0) return 0.0;
  const int64_t words = bytes / 8;
  const int64_t chunk = int64_t{1} << 20;  // 8 MiB per work item
  const int64_t items = (words + chunk - 1) / chunk;
  std::atomic<uint64_t> total{0};
  npukit::parallel_for(items, [&](int64_t item) {
    const uint64_t* p = static_cast<const uint64_t*>(buf) + item * chunk;
    const int64_t n = std::min(chunk, words - item * chunk);
    uint64_t a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int k = 0; k < 8; k++) a[k] += p[i + k];
    }
    for (; i < n; i++) a[0] += p[i];
    uint64_t s = 0;
    for (uint64_t v : a) s += v;
    total.fetch_add(s, std::memory_order_relaxed);
  });
  return static_cast<double>(total.load());
}
