// Milliseconds per training step (forward + BPTT + Adam) of the issue's
// reference problem: N = 100, T = 100, batch 64, tanh, α = 0.1, 3-bit
// flip-flop, one thread. Batches are generated before timing, so the figure
// is the step itself; generating a batch is reported separately.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <vector>

#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"

using namespace nf::models;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  CLI::App app{"Training-step benchmark"};
  int n = 100, steps = 100, batch = 64, repeats = 200, warmup = 20;
  double alpha = 0.1;
  app.add_option("--n", n);
  app.add_option("--steps", steps, "Trial length T");
  app.add_option("--batch", batch);
  app.add_option("--alpha", alpha);
  app.add_option("--repeats", repeats, "Timed steps");
  app.add_option("--warmup", warmup, "Untimed steps first");
  CLI11_PARSE(app, argc, argv);

  const auto task = make_task("nbit_flipflop", {{"bits", 3}, {"trial_length", steps}});
  RateRnnConfig config;
  config.n_in = task->n_in();
  config.n_rec = n;
  config.n_out = task->n_out();
  config.tau_ms = 1.0 / alpha;
  RateRnn<float> network = make_rate_rnn(config, {}, 1);
  TrainingConfig training;
  training.batch_size = batch;
  Adam adam(training.adam);
  TrainingStep<RateRnn<float>> step;

  std::vector<Batch> batches;
  const auto generate_start = Clock::now();
  for (int k = 0; k < 16; ++k) {
    nf::Rng rng = nf::Rng::derive(1, {static_cast<std::uint64_t>(k)});
    batches.push_back(task->generate(batch, rng));
  }
  const double generate_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - generate_start).count() / 16;

  std::vector<double> times;
  double loss = 0;
  for (int k = 0; k < warmup + repeats; ++k) {
    const auto start = Clock::now();
    loss = step.run(network, batches[k % batches.size()], nullptr, training, 1e-3, adam).task;
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (k >= warmup) times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const double p10 = times[times.size() / 10], p90 = times[times.size() * 9 / 10];
  fmt::print("train step  N={} T={} B={} alpha={} tanh, 3-bit flip-flop, 1 thread\n", n, steps, batch, alpha);
  fmt::print("  median {:.2f} ms/step   (p10 {:.2f}, p90 {:.2f}; {} timed steps)\n", median, p10, p90, repeats);
  fmt::print("  batch generation {:.2f} ms (not included)   final loss {:.4f}\n", generate_ms, loss);
  return 0;
}
