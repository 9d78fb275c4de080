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
// the workers before it sleeps: waking a sleeping thread costs 30-50 us on the development VM,
// more than a whole small kernel call, and kernels are called back to back (every decode step).
constexpr int kSpinRounds = 2000;

class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; i++) {
      std::thread(&ThreadPool::worker_loop, this).detach();
    }
    workers_ = threads - 1;
  }

  bool run(int64_t n, const std::function<void(int64_t)>& task) {
    std::lock_guard<std::mutex> call_lock(call_mu_);
    failed_ = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      task_ = &task;
      n_ = n;
      next_.store(0);
      busy_.store(workers_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    work_cv_.notify_all();
    drain();
    // Every worker must have seen this generation and left drain() before task_ goes away.
    for (int i = 0; i < kSpinRounds && busy_.load(std::memory_order_acquire) != 0; i++) cpu_relax();
    if (busy_.load(std::memory_order_acquire) != 0) {
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait(lock, [this] { return busy_.load(std::memory_order_acquire) == 0; });
    }
    task_ = nullptr;
    return !failed_.load();
  }

 private:
  void drain() {
    for (int64_t i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) {
      try {
        (*task_)(i);
      } catch (...) {
        failed_ = true;
      }
    }
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      for (int i = 0; i < kSpinRounds && generation_.load(std::memory_order_acquire) == seen; i++) cpu_relax();
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      }
      seen = generation_.load(std::memory_order_acquire);
      drain();
      if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
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
  int workers_ = 0;
  std::atomic<int> busy_{0};
  std::atomic<uint64_t> generation_{0};
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
