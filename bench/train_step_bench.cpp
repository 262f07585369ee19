// Milliseconds per training step (forward + BPTT + Adam) of the issues'
// reference problem: N = 100, T = 100, batch 64, 3-bit flip-flop, one thread
// (--threads: the batch's parts on more threads, with the same result).
//   --model rate: tanh, α = 0.1 (issue #2)
//   --model lif:  CUBA LIF, fast-sigmoid surrogate, subtractive reset, leaky
//                 readout (issue #3)
// Batches are generated before timing, so the figure is the step itself;
// generating a batch is reported separately.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <type_traits>
#include <chrono>
#include <vector>

#include "neurofab/common/matrix_kernels.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"

using namespace nf::models;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string model = "rate";
  int n = 100, steps = 100, batch = 64, repeats = 200, warmup = 20, threads = 1;
  double alpha = 0.1;
};

template <typename Network>
void time_steps(Network network, const std::vector<Batch>& batches, const Options& o, const std::string& what) {
  TrainingConfig training;
  training.batch_size = o.batch;
  training.threads = o.threads;
  Adam adam(training.adam);
  TrainingStep<Network> step;
  std::vector<double> times;
  double loss = 0;
  for (int k = 0; k < o.warmup + o.repeats; ++k) {
    const auto start = Clock::now();
    loss = step.run(network, batches[static_cast<std::size_t>(k) % batches.size()], nullptr, training, 1e-3, adam).task;
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (k >= o.warmup) times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const double p10 = times[times.size() / 10], p90 = times[times.size() * 9 / 10];
  fmt::print("train step  {}  N={} T={} B={}, 3-bit flip-flop, {} thread{}\n", what, o.n, o.steps, o.batch, o.threads,
             o.threads == 1 ? "" : "s");
  fmt::print("  median {:.2f} ms/step   (p10 {:.2f}, p90 {:.2f}; {} timed steps)   final loss {:.4f}\n", median, p10,
             p90, o.repeats, loss);
  fmt::print("  matrix kernels: {}; {}\n", nf::matrix_kernels().describe(), training_products());
  if constexpr (std::is_same_v<Network, LifRnn<float>>) {
    typename Network::Trajectory trajectory;
    const Batch& batch = batches.front();
    network.forward(batch.inputs.cast<float>(), batch.batch_size, nullptr, trajectory);
    fmt::print("  activity after the timed steps: {:.1f} % of units spike per step\n",
               100 * network.activity(trajectory).mean_rate);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Training-step benchmark"};
  Options o;
  app.add_option("--model", o.model, "rate or lif")->check(CLI::IsMember({"rate", "lif"}));
  app.add_option("--n", o.n);
  app.add_option("--steps", o.steps, "Trial length T");
  app.add_option("--batch", o.batch);
  app.add_option("--alpha", o.alpha, "Leak of the rate RNN");
  app.add_option("--repeats", o.repeats, "Timed steps");
  app.add_option("--warmup", o.warmup, "Untimed steps first");
  app.add_option("--threads", o.threads, "Threads of the step (the batch's parts)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  const auto task = make_task("nbit_flipflop", {{"bits", 3}, {"trial_length", o.steps}});
  std::vector<Batch> batches;
  const auto generate_start = Clock::now();
  for (int k = 0; k < 16; ++k) {
    nf::Rng rng = nf::Rng::derive(1, {static_cast<std::uint64_t>(k)});
    batches.push_back(task->generate(o.batch, rng));
  }
  const double generate_ms = std::chrono::duration<double, std::milli>(Clock::now() - generate_start).count() / 16;

  if (o.model == "rate") {
    RateRnnConfig config;
    config.n_in = task->n_in();
    config.n_rec = o.n;
    config.n_out = task->n_out();
    config.tau_ms = 1.0 / o.alpha;
    time_steps(make_rate_rnn(config, {}, 1), batches, o, fmt::format("rate RNN, tanh, alpha={}", o.alpha));
  } else {
    LifRnnConfig config;  // defaults: τ_mem 20, τ_syn 5, τ_out 20 ms, θ = 1, subtract, fast sigmoid
    config.n_in = task->n_in();
    config.n_rec = o.n;
    config.n_out = task->n_out();
    time_steps(make_lif_rnn(config, {}, 1), batches, o, "LIF RNN, CUBA, fast sigmoid, subtract reset, LI readout");
  }
  fmt::print("  batch generation {:.2f} ms (not included)\n", generate_ms);
  return 0;
}
