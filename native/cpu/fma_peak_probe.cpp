// FMA peak probe for the benchmarks (see native/bench/bench.h): independent FMA chains on every
// worker thread, with the instruction set the attention kernel dispatches to on this processor
// (attention.cpp makes the same choice), so that a kernel's FLOP/s can be set against what the
// same instructions reach.
#include <atomic>
#include <cstdint>

#include "bench.h"
#include "cpu_features.h"
#include "thread_pool.h"

namespace npukit {
double fma_chains_avx2(int64_t iterations, int64_t* flops);
double fma_chains_avx512(int64_t iterations, int64_t* flops);
double fma_chains_avx512_wide(int64_t iterations, int64_t* flops);

namespace {

// Baseline ISA (no FMA instruction): a multiply and an add per element, 8 lanes the compiler
// keeps in vector registers; counted as 2 flops per lane like an FMA.
double chains_baseline(int64_t iterations, int64_t* flops) {
  constexpr int kChains = 8;
  constexpr int kLanes = 8;
  float acc[kChains][kLanes];
  for (int c = 0; c < kChains; c++) {
    for (int l = 0; l < kLanes; l++) acc[c][l] = 0.5f + 0.01f * static_cast<float>(c + l);
  }
  for (int64_t i = 0; i < iterations; i++) {
    for (int c = 0; c < kChains; c++) {
      for (int l = 0; l < kLanes; l++) acc[c][l] = acc[c][l] * 0.9999f + 0.0001f;
    }
  }
  double sum = 0.0;
  for (int c = 0; c < kChains; c++) {
    for (int l = 0; l < kLanes; l++) sum += acc[c][l];
  }
  *flops = iterations * kChains * kLanes * 2;
  return sum;
}

}  // namespace
}  // namespace npukit

extern "C" int npukit_fma_peak_isa(void) {
  return NPUKIT_IF_SIMD(npukit::has_full_width_avx512(), 3,
                        NPUKIT_IF_SIMD(npukit::has_avx512vl(), 2, NPUKIT_IF_SIMD(npukit::has_avx2_fma_f16c(), 1, 0)));
}

extern "C" double npukit_fma_peak_probe(int64_t iterations, int64_t* flops) {
  if (flops == nullptr) return 0.0;
  *flops = 0;
  if (iterations <= 0) return 0.0;
  // Many small items, claimed dynamically: a worker that wakes late still gets its share, so the
  // call's time is the work over all threads, not one thread's work done twice.
  const int64_t items = 16 * static_cast<int64_t>(npukit::num_threads());
  const int64_t per_item = (iterations + 15) / 16;
  const int isa = npukit_fma_peak_isa();
  std::atomic<int64_t> total{0};
  std::atomic<int64_t> sink{0};
  const bool done = npukit::parallel_for(items, [&](int64_t) {
    int64_t f = 0;
    const double s = NPUKIT_IF_SIMD(
        isa == 3, npukit::fma_chains_avx512_wide(per_item, &f),
        NPUKIT_IF_SIMD(isa == 2, npukit::fma_chains_avx512(per_item, &f),
                       NPUKIT_IF_SIMD(isa == 1, npukit::fma_chains_avx2(per_item, &f),
                                      npukit::chains_baseline(per_item, &f))));
    total.fetch_add(f, std::memory_order_relaxed);
    sink.fetch_add(static_cast<int64_t>(s), std::memory_order_relaxed);
  });
  if (!done) return 0.0;
  *flops = total.load();
  return static_cast<double>(sink.load());
}
