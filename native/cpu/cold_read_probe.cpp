// Memory read bandwidth probe for `npukit bench contrastive`: the ceiling the fused kernel's
// logits reads are compared with. Reads the buffer once with every worker thread (the kernels
// use the same pool) and returns a checksum so the compiler cannot drop the loads.
#include <atomic>
#include <cstring>

#include "npukit/contrastive.h"
#include "thread_pool.h"

extern "C" int64_t npukit_cold_read_probe(const void* buf, int64_t byte_count) {
  if (buf == nullptr || byte_count <= 0) return 0;
  constexpr int64_t kChunk = int64_t{1} << 20;
  const int64_t words = byte_count / 8;
  const int64_t chunks = (words * 8 + kChunk - 1) / kChunk;
  std::atomic<uint64_t> total{0};
  npukit::parallel_for(chunks, [&](int64_t c) {
    const uint64_t* p = static_cast<const uint64_t*>(buf);
    const int64_t begin = c * (kChunk / 8);
    const int64_t end = begin + kChunk / 8 < words ? begin + kChunk / 8 : words;
    // Four independent sums so the loop is bound by loads, not by one add chain.
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = begin;
    for (; i + 4 <= end; i += 4) {
      s0 += p[i];
      s1 += p[i + 1];
      s2 += p[i + 2];
      s3 += p[i + 3];
    }
    for (; i < end; i++) s0 += p[i];
    total.fetch_add(s0 + s1 + s2 + s3, std::memory_order_relaxed);
  });
  return static_cast<int64_t>(total.load());
}
