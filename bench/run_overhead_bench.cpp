// The C++ side of issue #22's overhead measurement: the run that the Python
// package's net.run(x) / q.run(x) makes, through the C++ API alone. For an
// artifact folder (float: rate or LIF; or a quantized one) it takes the task's
// first evaluation trial(s) and, per repeat, does what the binding does after
// numpy hands it the inputs (python/src/models.cpp and quantize.cpp, run()):
// a copy of the trials' batch into evaluation_trials (the random draws of the
// seed), then models::float_trajectories (a float64 record of every signal)
// or quantize::integer_trajectories (the golden trace as [T, B, C] codes),
// scored by a task without a criterion, models::unscored_task, as the binding.
// What the Python layer adds on top (numpy in, the [T, B, C] checks and copy
// into the batch, the dict of numpy views out, the GIL) is the overhead
// bench/python_overhead.py measures against this program's figure.
//
//   bench_run_overhead <dir> [--trials B] [--steps T] [--repeats R] [--seed S] [--json]
//
// --steps T keeps the trials' first T steps (default: all), e.g. T = 1 for
// the fixed cost of a call.
//
// Prints the median, min and max wall time of one run in microseconds over R
// timed repeats (after 10 % warm-up repeats, at least 3), one thread.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/models/trajectories.hpp"
#include "neurofab/quantize/integer_trajectories.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

using namespace nf;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string dir;
  int trials = 1;
  int steps = 0;  // 0: the task's
  int repeats = 2000;
  std::uint64_t seed = 1;
  bool json = false;
};

struct Timing {
  double median_us, min_us, max_us;
  int steps;
  std::int64_t bytes;
};


// `run` is one call of the path under test; returns the bytes of its arrays (kept so nothing is optimised away).
template <typename Run>
Timing time_runs(const Options& o, int steps, Run run) {
  const int warmup = std::max(3, o.repeats / 10);
  std::int64_t bytes = 0;
  for (int i = 0; i < warmup; ++i) bytes += run();
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(o.repeats));
  for (int i = 0; i < o.repeats; ++i) {
    const auto start = Clock::now();
    bytes += run();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us.front(), us.back(), steps, bytes / (warmup + o.repeats)};
}

// The task's evaluation trials of `seed` (what net.task_trials() gives Python), as a batch.
template <typename Config>
models::Batch task_batch(const std::string& task_name, const std::map<std::string, double>& params,
                         const Config& config, int trials, int steps, std::uint64_t seed) {
  const auto task = models::make_task(task_name, params);
  models::Batch batch = models::evaluation_trials(*task, config, trials, seed).batch;
  if (steps > 0 && steps < batch.n_steps) {  // columns t·B + b: the first T steps are the first T·B columns
    const Eigen::Index columns = Eigen::Index{steps} * batch.batch_size;
    batch.n_steps = steps;
    batch.inputs = batch.inputs.leftCols(columns).eval();
    batch.targets = batch.targets.leftCols(columns).eval();
    batch.mask = batch.mask.leftCols(columns).eval();
  }
  return batch;
}

Timing run_float(const Options& o, std::string& what) {
  const models::Artifact artifact = models::load_artifact(o.dir);
  return std::visit(
      [&](const auto& a) {
        const auto& config = a.network.config();
        const models::Batch batch = task_batch(a.task_name, a.task_params, config, o.trials, o.steps, o.seed);
        const auto task = models::unscored_task(config.n_in, config.n_out, batch.n_steps);
        what = fmt::format("float {} N={} T={} B={}", models::model_type(artifact), config.n_rec, batch.n_steps,
                           o.trials);
        return time_runs(o, batch.n_steps, [&] {
          models::Batch copy = batch;  // the binding builds its batch from the numpy inputs every call
          const models::NamedArrays arrays =
              models::float_trajectories(a.network, models::evaluation_trials(std::move(copy), config, o.seed), *task);
          return arrays.bytes();
        });
      },
      artifact);
}

Timing run_integer(const Options& o, std::string& what) {
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  return std::visit(
      [&](const auto& network) {
        const auto& config = network.config();
        const models::Batch batch = task_batch(q.task_name, q.task_params, config, o.trials, o.steps, o.seed);
        const auto task = models::unscored_task(config.n_in, config.n_out, batch.n_steps);
        what = fmt::format("integer {} N={} T={} B={}", q.family() == models::Family::kLif ? "lif_rnn" : "rate_rnn",
                           config.n_rec, batch.n_steps, o.trials);
        return time_runs(o, batch.n_steps, [&] {
          models::Batch copy = batch;
          const models::NamedArrays arrays =
              quantize::integer_trajectories(network, models::evaluation_trials(std::move(copy), config, o.seed), *task);
          return arrays.bytes();
        });
      },
      q.network);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"C++ time of the run behind the Python package's net.run / q.run (issue #22)"};
  Options o;
  app.add_option("dir", o.dir, "Artifact folder (float) or quantized folder")->required();
  app.add_option("--trials", o.trials, "Trials B of the run");
  app.add_option("--steps", o.steps, "Keep the trials' first T steps (0: all)");
  app.add_option("--repeats", o.repeats, "Timed repeats");
  app.add_option("--seed", o.seed, "Seed of the evaluation trials and draws");
  app.add_flag("--json", o.json, "Print one JSON line");
  CLI11_PARSE(app, argc, argv);
  try {
    std::string what;
    const Timing t = quantize::is_quantized_artifact(o.dir) ? run_integer(o, what) : run_float(o, what);
    if (o.json) {
      fmt::print("{{\"what\": \"{}\", \"steps\": {}, \"repeats\": {}, \"median_us\": {:.3f}, \"min_us\": {:.3f}, "
                 "\"max_us\": {:.3f}, \"bytes\": {}}}\n",
                 what, t.steps, o.repeats, t.median_us, t.min_us, t.max_us, t.bytes);
    } else {
      fmt::print("{}: {:.2f} us per run (median of {}; min {:.2f}, max {:.2f}), {} bytes of arrays\n", what,
                 t.median_us, o.repeats, t.min_us, t.max_us, t.bytes);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_run_overhead: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
