#pragma once
// A fixed set of threads that run the items of one job at a time. The caller
// is one of the threads, so a pool of 1 runs everything inline, with no thread
// started. Idle threads poll for a moment before they sleep (see kPollFor). Which thread runs an item never changes its result: callers give
// every item its own output and combine the outputs in item order.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace nf {

class WorkerPool {
 public:
  // `threads` >= 1, counting the caller; throws nf::InputError otherwise.
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs item(0) .. item(count-1) and returns when all are done. Thread k
  // takes items k, k + threads, …; the first exception is rethrown here.
  void run(int count, const std::function<void(int)>& item);

 private:
  void work(int thread);
  void run_share(int thread);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(int)>* item_ = nullptr;
  int count_ = 0;
  std::atomic<long> generation_{0};  // one more per job
  std::atomic<int> busy_{0};         // workers still on the current job
  std::atomic<bool> stopping_{false};
  std::exception_ptr error_;
};

// The thread count a `--threads` option asks for: 0 means every core.
int resolve_thread_count(int requested);

}  // namespace nf
