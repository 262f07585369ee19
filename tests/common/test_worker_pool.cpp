// The worker pool: every item runs exactly once, on any thread count, job
// after job; an item's exception reaches the caller; bad counts are refused.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "neurofab/common/error.hpp"
#include "neurofab/common/worker_pool.hpp"

TEST_CASE("a worker pool runs every item once, job after job, on any thread count", "[worker_pool]") {
  for (const int threads : {1, 2, 3, 5}) {
    INFO(threads << " threads");
    nf::WorkerPool pool(threads);
    CHECK(pool.threads() == threads);
    for (int job = 0; job < 300; ++job) {  // many short jobs: the poll-then-sleep hand-over, both ways
      const int count = job % 7;
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(count));
      pool.run(count, [&](int i) { runs[static_cast<std::size_t>(i)].fetch_add(1); });
      for (int i = 0; i < count; ++i) REQUIRE(runs[static_cast<std::size_t>(i)].load() == 1);
    }
  }
}

TEST_CASE("a worker pool passes an item's exception to the caller and stays usable", "[worker_pool]") {
  nf::WorkerPool pool(2);
  CHECK_THROWS_WITH(pool.run(4, [](int i) {
                      if (i == 3) throw std::runtime_error("item 3 failed");
                    }),
                    "item 3 failed");
  std::atomic<int> done{0};
  pool.run(4, [&](int) { done.fetch_add(1); });
  CHECK(done.load() == 4);
}

TEST_CASE("thread counts: 0 means every core, a negative one is refused", "[worker_pool]") {
  CHECK(nf::resolve_thread_count(3) == 3);
  CHECK(nf::resolve_thread_count(0) >= 1);
  CHECK_THROWS_AS(nf::resolve_thread_count(-1), nf::InputError);
  CHECK_THROWS_AS(nf::WorkerPool(0), nf::InputError);
}
