// Native test of the cpu kernels' thread pool (thread_pool.h), run by CTest with the default
// thread count and with more threads than cores: every item runs exactly once, a throwing item
// makes the call return false without stopping the others, calls from two threads are
// serialized, and no worker touches a call after it returned. That last case is the one a pause
// between calls provokes: the workers fall asleep, and one that wakes late must find the call
// closed (the caller may already have freed what the task refers to).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "thread_pool.h"

namespace {

int failures = 0;

void Expect(bool ok, const char* what, int64_t detail) {
  if (!ok && failures++ < 20) std::printf("FAIL: %s (%lld)\n", what, static_cast<long long>(detail));
}

// Calls of random sizes, some after a pause long enough for the workers to sleep. Each call's
// counters are checked right after it returns and again before the next call: a late worker
// that ran an item of a finished call would raise a count in between.
void ItemsRunOnceAndNothingAfterReturn(std::mt19937& rng) {
  std::vector<std::atomic<int>> counts(512);
  std::uniform_int_distribution<int> size(1, 512);
  std::uniform_int_distribution<int> pause_us(0, 3);
  int64_t last_n = 0;
  for (int call = 0; call < 1500; call++) {
    for (int64_t i = 0; i < last_n; i++) Expect(counts[i].load() == 1, "item counted again after its call returned", i);
    for (auto& c : counts) c.store(0);
    const int p = pause_us(rng);
    if (p > 0) std::this_thread::sleep_for(std::chrono::microseconds(p == 3 ? 2000 : 100 * p));
    const int64_t n = size(rng);
    const bool ok = npukit::parallel_for(n, [&](int64_t i) { counts[i].fetch_add(1); });
    Expect(ok, "parallel_for returned false without a throwing item", n);
    for (int64_t i = 0; i < n; i++) Expect(counts[i].load() == 1, "item not run exactly once", i);
    last_n = n;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (int64_t i = 0; i < last_n; i++) Expect(counts[i].load() == 1, "item counted again after its call returned", i);
}

// A task whose state is freed as soon as the call returns: a worker still running it afterwards
// would write to freed memory (a crash, or a report under AddressSanitizer).
void TaskStateFreedAfterReturn() {
  for (int call = 0; call < 300; call++) {
    if (call % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
    auto state = std::make_unique<std::vector<int>>(64, 0);
    const bool ok = npukit::parallel_for(64, [&](int64_t i) { (*state)[static_cast<size_t>(i)] += 1; });
    Expect(ok, "parallel_for returned false", call);
    int sum = 0;
    for (int v : *state) sum += v;
    Expect(sum == 64, "not every item ran once", sum);
  }
}

void ThrowingItemFailsTheCallOnly() {
  for (int call = 0; call < 50; call++) {
    std::vector<std::atomic<int>> counts(100);
    const bool ok = npukit::parallel_for(100, [&](int64_t i) {
      counts[i].fetch_add(1);
      if (i == 37) throw std::runtime_error("item 37");
    });
    Expect(!ok, "a throwing item did not make parallel_for return false", call);
    for (int64_t i = 0; i < 100; i++) Expect(counts[i].load() == 1, "items around a throwing one not run once", i);
    std::atomic<int> after{0};
    Expect(npukit::parallel_for(10, [&](int64_t) { after.fetch_add(1); }) && after.load() == 10,
           "the call after a failed one did not run normally", after.load());
  }
}

void TwoCallersAreSerialized() {
  std::atomic<int> wrong{0};
  auto caller = [&](unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> size(1, 300);
    for (int call = 0; call < 400; call++) {
      const int n = size(rng);
      std::vector<std::atomic<int>> counts(static_cast<size_t>(n));
      if (!npukit::parallel_for(n, [&](int64_t i) { counts[i].fetch_add(1); })) wrong.fetch_add(1);
      for (auto& c : counts) {
        if (c.load() != 1) wrong.fetch_add(1);
      }
    }
  };
  std::thread a(caller, 1u), b(caller, 2u);
  a.join();
  b.join();
  Expect(wrong.load() == 0, "concurrent callers saw items run other than once", wrong.load());
}

}  // namespace

int main() {
  std::mt19937 rng(7);
  ItemsRunOnceAndNothingAfterReturn(rng);
  TaskStateFreedAfterReturn();
  ThrowingItemFailsTheCallOnly();
  TwoCallersAreSerialized();
  std::printf("thread pool (%d threads): %s\n", npukit::num_threads(), failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
