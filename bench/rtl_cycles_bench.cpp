// RTL cores in Verilator (issue #5): cycles per timestep against the MAC
// bound (rate core), cycles against the spike count (LIF core), and the
// simulation speed of the lock-step testbench. Every figure is measured in a
// passing lock-step run (`sim::verify`, the same path as `neurofab verify`),
// so each step's cycles are also checked against the cycle model.
//
//   ./build/bench/bench_rtl_cycles [--trials 4] [--cache <dir>]
//
// Prints two markdown tables (docs/benchmarks.md).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <regex>

#include "neurofab/models/init.hpp"
#include "neurofab/golden/cycle_model.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/sim/lockstep.hpp"

using namespace nf;

namespace {

struct Run {
  double timesteps = 0, cycles = 0, cycles_per_step = 0, seconds = 0;
};

// The figures of the testbench's PASS line.
Run parse_pass(const std::string& log) {
  std::smatch m;
  const std::regex pass(R"(PASS: (\d+) timesteps .*, ([0-9.]+) compute cycles per step, (\d+) cycles simulated in ([0-9.]+) s)");
  if (!std::regex_search(log, m, pass)) throw std::runtime_error("the lock-step run did not pass:\n" + log);
  return {std::stod(m[1].str()), std::stod(m[3].str()), std::stod(m[2].str()), std::stod(m[4].str())};
}

Run verify(const quantize::QuantizedArtifact& q, int lanes, int trials, const std::string& cache) {
  sim::VerifyOptions v;
  v.lanes = lanes;
  v.trials = trials;
  v.max_stall = 0;  // no back-pressure: the simulation speed of the core itself
  v.cache_dir = cache;
  return parse_pass(sim::verify(q, v).log);
}

quantize::QuantizedArtifact rate_network(int n) {
  const auto task = models::make_task("xor");
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = n;
  c.n_out = task->n_out();
  const models::RateRnnArtifact a{models::make_rate_rnn(c, {}, 5), {}, task->name(), task->param_values(), 5, {}, {}};
  return quantize::quantize_artifact(a, "bench", {});
}

quantize::QuantizedArtifact lif_network(int n, double bias) {
  const auto task = models::make_task("xor");
  models::LifRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = n;
  c.n_out = task->n_out();
  auto network = models::make_lif_rnn(c, {}, 5);
  network.weights().b_rec.setConstant(static_cast<float>(bias));
  const models::LifRnnArtifact a{std::move(network), {}, task->name(), task->param_values(), 5, {}, {}};
  return quantize::quantize_artifact(a, "bench", {});
}

void rate_table(int trials, const std::string& cache) {
  fmt::print("| N | P | cycles/step (measured) | MAC bound ⌈N(n_in+N)/P⌉ | overhead | sim Mcycles/s | timesteps/s |\n");
  fmt::print("|---|---|---|---|---|---|---|\n");
  for (const int n : {64, 128, 256}) {
    const auto q = rate_network(n);
    for (const int p : {1, 2, 4, 8}) {
      const Run r = verify(q, p, trials, cache);
      const double bound = std::ceil(static_cast<double>(n) * (2 + n) / p);
      fmt::print("| {} | {} | {:.0f} | {:.0f} | {:.1f} % | {:.2f} | {:.0f} |\n", n, p, r.cycles_per_step, bound,
                 100.0 * (r.cycles_per_step / bound - 1.0), r.cycles / r.seconds / 1e6, r.timesteps / r.seconds);
    }
  }
}

void lif_table(int trials, const std::string& cache) {
  const int n = 128, p = 4;
  const golden::LifCoreShape shape{n, 2, 1, p};
  fmt::print("\nLIF core, N = {}, P = {}, current input (2 channels), 1 output: silent step {} cycles, every unit "
             "spiking {} cycles; a dense schedule (every W_rec column every step) would take {} + update.\n\n",
             n, p, golden::lif_step_cycles(shape, 0, 0), golden::lif_step_cycles(shape, n, n),
             (n / p) * (2 + n));
  fmt::print("| b_rec | spikes/step | cycles/step (measured) | cycles per spike | sim Mcycles/s | timesteps/s |\n");
  fmt::print("|---|---|---|---|---|---|\n");
  const double silent = static_cast<double>(golden::lif_step_cycles(shape, 0, 0));
  for (const double bias : {0.0, 0.02, 0.05, 0.1, 0.2, 0.5}) {
    const auto q = lif_network(n, bias);
    const auto task = models::make_task(q.task_name, q.task_params);
    const auto golden =
        quantize::evaluate_integer(std::get<quantize::IntegerLifRnn>(q.network), *task, trials, q.seed);
    const Run r = verify(q, p, trials, cache);
    const double per_spike =
        golden.spikes_per_step > 0 ? (r.cycles_per_step - silent) / golden.spikes_per_step : 0.0;
    fmt::print("| {} | {:.1f} | {:.1f} | {:.1f} | {:.2f} | {:.0f} |\n", bias, golden.spikes_per_step,
               r.cycles_per_step, per_spike, r.cycles / r.seconds / 1e6, r.timesteps / r.seconds);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Cycles per timestep of the RTL cores and Verilator simulation speed"};
  int trials = 4;
  std::string cache = sim::default_cache_dir().string();
  app.add_option("--trials", trials, "Task trials per configuration (xor: 200 steps each)");
  app.add_option("--cache", cache, "Cache of Verilated builds");
  CLI11_PARSE(app, argc, argv);
  try {
    rate_table(trials, cache);
    lif_table(trials, cache);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_rtl_cycles: {}\n", e.what());
    return 1;
  }
  return 0;
}
