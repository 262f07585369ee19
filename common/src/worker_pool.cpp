#include "neurofab/common/worker_pool.hpp"

#include <fmt/format.h>

#include <chrono>

#include "neurofab/common/error.hpp"

namespace nf {
namespace {

// How long a thread polls before it sleeps on the condition variable. A
// training step hands its threads two jobs a few hundred microseconds apart,
// and waking a sleeping thread can take longer than that under a hypervisor;
// a pool of one thread never waits at all.
constexpr auto kPollFor = std::chrono::microseconds(200);

// Polls `ready` until it holds or kPollFor has passed; true when it held.
template <typename Ready>
bool poll(Ready ready) {
  const auto until = std::chrono::steady_clock::now() + kPollFor;
  for (int k = 0;; ++k) {
    if (ready()) return true;
    if ((k & 63) == 63 && std::chrono::steady_clock::now() > until) return false;
    __builtin_ia32_pause();
  }
}

}  // namespace

WorkerPool::WorkerPool(int threads) {
  if (threads < 1) throw InputError(fmt::format("threads must be >= 1 (got {})", threads));
  workers_.reserve(static_cast<std::size_t>(threads - 1));
  for (int k = 1; k < threads; ++k) workers_.emplace_back([this, k] { work(k); });
}

WorkerPool::~WorkerPool() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void WorkerPool::run_share(int thread) {
  for (int i = thread; i < count_; i += threads()) {
    try {
      (*item_)(i);
    } catch (...) {
      const std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

void WorkerPool::run(int count, const std::function<void(int)>& item) {
  if (workers_.empty() || count <= 1) {
    for (int i = 0; i < count; ++i) item(i);
    return;
  }
  {
    const std::lock_guard lock(mutex_);
    item_ = &item;
    count_ = count;
    busy_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    error_ = nullptr;
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_.notify_all();
  run_share(0);
  if (!poll([&] { return busy_.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return busy_.load(std::memory_order_acquire) == 0; });
  }
  const std::lock_guard lock(mutex_);
  item_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

void WorkerPool::work(int thread) {
  long seen = 0;
  for (;;) {
    const auto news = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    if (!poll([&] { return news() || stopping_.load(std::memory_order_relaxed); })) {
      std::unique_lock lock(mutex_);
      start_.wait(lock, [&] { return news() || stopping_.load(std::memory_order_relaxed); });
    }
    if (stopping_.load(std::memory_order_relaxed) && !news()) return;
    seen = generation_.load(std::memory_order_acquire);
    run_share(thread);
    if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      const std::lock_guard lock(mutex_);  // the caller may be about to wait: no lost wake-up
      done_.notify_one();
    }
  }
}

int resolve_thread_count(int requested) {
  if (requested < 0) throw InputError(fmt::format("--threads must be >= 0 (got {}; 0 uses every core)", requested));
  if (requested > 0) return requested;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? static_cast<int>(cores) : 1;
}

}  // namespace nf
