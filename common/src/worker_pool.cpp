#include "neurofab/common/worker_pool.hpp"

#include <fmt/format.h>

#include "neurofab/common/error.hpp"

namespace nf {

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
    busy_ = static_cast<int>(workers_.size());
    error_ = nullptr;
    ++generation_;
  }
  start_.notify_all();
  run_share(0);
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return busy_ == 0; });
  item_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

void WorkerPool::work(int thread) {
  long seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    run_share(thread);
    {
      const std::lock_guard lock(mutex_);
      --busy_;
    }
    done_.notify_one();
  }
}

int resolve_thread_count(int requested) {
  if (requested < 0) throw InputError(fmt::format("--threads must be >= 0 (got {}; 0 uses every core)", requested));
  if (requested > 0) return requested;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? static_cast<int>(cores) : 1;
}

}  // namespace nf
