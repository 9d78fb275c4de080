#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace npukit {
namespace {

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
      busy_ = workers_;
      generation_++;
    }
    work_cv_.notify_all();
    drain();
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return busy_ == 0; });
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
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
      }
      drain();
      std::lock_guard<std::mutex> lock(mu_);
      if (--busy_ == 0) done_cv_.notify_one();
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
  int busy_ = 0;
  uint64_t generation_ = 0;
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
