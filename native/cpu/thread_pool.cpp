#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace npukit {
namespace {

// Idles a spinning thread politely (lets the sibling hyperthread or the hypervisor run).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#else
  std::this_thread::yield();
#endif
}

// Rounds of cpu_relax() a worker spins for new work before it sleeps, and the caller spins for
// the workers before it sleeps: waking a sleeping thread costs 30-50 us on a 2-core KVM guest,
// more than a whole small kernel call, and kernels are called back to back (every decode step).
constexpr int kSpinRounds = 2000;

// The pool's calls are published through one atomic word: the call's generation (high 32 bits),
// whether the call is closed (bit 31), and how many workers are inside it (low bits). A worker
// takes part in a call only by entering it while it is open; the caller, once it has run out of
// items, closes the call and waits only for the workers inside. A worker that wakes after that
// (a sleeping thread takes 30-50 us to wake on a 2-core KVM guest, longer than a small kernel
// call) finds the call closed and never touches it, so the caller does not wait for it.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; i++) {
      std::thread(&ThreadPool::worker_loop, this).detach();
    }
  }

  bool run(int64_t n, const std::function<void(int64_t)>& task) {
    std::lock_guard<std::mutex> call_lock(call_mu_);
    failed_ = false;
    task_ = &task;
    n_ = n;
    next_.store(0, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu_);
      generation_++;
      state_.store(static_cast<uint64_t>(generation_) << 32, std::memory_order_release);
    }
    work_cv_.notify_all();
    drain();
    state_.fetch_or(kClosed, std::memory_order_acq_rel);
    for (int i = 0; i < kSpinRounds && inside(state_.load(std::memory_order_acquire)) != 0; i++) cpu_relax();
    if (inside(state_.load(std::memory_order_acquire)) != 0) {
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait(lock, [this] { return inside(state_.load(std::memory_order_acquire)) == 0; });
    }
    task_ = nullptr;
    return !failed_.load();
  }

 private:
  static constexpr uint64_t kClosed = uint64_t{1} << 31;
  static constexpr uint64_t kInsideMask = kClosed - 1;
  static uint32_t generation_of(uint64_t state) { return static_cast<uint32_t>(state >> 32); }
  static uint64_t inside(uint64_t state) { return state & kInsideMask; }

  void drain() {
    for (int64_t i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) {
      try {
        (*task_)(i);
      } catch (...) {
        failed_ = true;
      }
    }
  }

  // Enters the call of generation `generation` if it is still open; false if it is closed or over.
  bool enter(uint32_t generation) {
    uint64_t s = state_.load(std::memory_order_acquire);
    while (generation_of(s) == generation && (s & kClosed) == 0) {
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) return true;
    }
    return false;
  }

  void worker_loop() {
    uint32_t seen = 0;
    const auto published = [&] { return generation_of(state_.load(std::memory_order_acquire)) != seen; };
    for (;;) {
      for (int i = 0; i < kSpinRounds && !published(); i++) cpu_relax();
      if (!published()) {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, published);
      }
      seen = generation_of(state_.load(std::memory_order_acquire));
      if (!enter(seen)) continue;
      drain();
      const uint64_t left = state_.fetch_sub(1, std::memory_order_acq_rel) - 1;
      if (inside(left) == 0 && (left & kClosed) != 0) {
        // The caller may be asleep on done_cv_: take the lock so the notify cannot slip between
        // its check and its wait.
        std::lock_guard<std::mutex> lock(mu_);
        done_cv_.notify_one();
      }
    }
  }

  std::mutex call_mu_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  const std::function<void(int64_t)>* task_ = nullptr;
  int64_t n_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<bool> failed_{false};
  uint32_t generation_ = 0;  // written by the caller only, under mu_
  std::atomic<uint64_t> state_{0};
};

int detect_threads() {
  if (const char* env = std::getenv("NPUKIT_NUM_THREADS")) {
    int v = std::atoi(env);
    if (v >= 1) return v;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

// Never destroyed: detached workers may still wait on it while the process exits.
ThreadPool& pool() {
  static ThreadPool* instance = new ThreadPool(num_threads());
  return *instance;
}

}  // namespace

int num_threads() {
  static const int n = detect_threads();
  return n;
}

bool parallel_for(int64_t n, const std::function<void(int64_t)>& task) {
  if (n <= 0) return true;
  if (n == 1 || num_threads() == 1) {
    try {
      for (int64_t i = 0; i < n; i++) task(i);
    } catch (...) {
      return false;
    }
    return true;
  }
  return pool().run(n, task);
}

}  // namespace npukit
