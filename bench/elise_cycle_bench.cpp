// Cycles per second of the ELiSe network (issue #10): the 13 + 50 network of
// the birdsong mock-up, one cycle = 25 notes x 10 ms = 250 ms = 2500 Euler
// steps at dt = 0.1 ms, one thread.
//   training cycle: teacher on, plasticity on (every synapse of W updated every step)
//   free-run cycle: teacher off, plasticity off (a replay)
// The real-time factor is simulated ms / wall-clock ms (> 1: faster than real time).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <vector>

#include "neurofab/models/elise/network.hpp"

using namespace nf::models;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int n_visible = 13, n_latent = 50, notes = 25, note_steps = 100, repeats = 40, warmup = 5;
};

// One note at a time, neuron k mod n_visible, high rate 0.9 over a floor of 0.02.
Eigen::MatrixXd melody(const Options& o) {
  Eigen::MatrixXd target = Eigen::MatrixXd::Constant(o.n_visible, o.notes * o.note_steps, 0.02);
  for (int k = 0; k < o.notes; ++k) target.block((k * 5) % o.n_visible, k * o.note_steps, 1, o.note_steps).setConstant(0.9);
  return target;
}

void time_cycles(EliseNetwork& net, const Eigen::MatrixXd& target, const EliseCycleOptions& cycle, const Options& o,
                 const char* what) {
  std::vector<double> times;
  for (int k = 0; k < o.warmup + o.repeats; ++k) {
    const auto start = Clock::now();
    net.run_cycle(target, cycle);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (k >= o.warmup) times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const double simulated_ms = static_cast<double>(target.cols()) * net.params().dt_ms;
  fmt::print("  {:<14} median {:7.2f} ms/cycle (p10 {:.2f}, p90 {:.2f})  {:7.1f} cycles/s  real-time factor {:6.1f}\n",
             what, median, times[times.size() / 10], times[times.size() * 9 / 10], 1000.0 / median,
             simulated_ms / median);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ELiSe cycle benchmark"};
  Options o;
  app.add_option("--n-visible", o.n_visible);
  app.add_option("--n-latent", o.n_latent);
  app.add_option("--notes", o.notes, "Notes per cycle");
  app.add_option("--note-steps", o.note_steps, "Steps per note (100 = 10 ms at dt 0.1 ms)");
  app.add_option("--repeats", o.repeats, "Timed cycles");
  app.add_option("--warmup", o.warmup, "Untimed cycles first");
  CLI11_PARSE(app, argc, argv);

  EliseConfig config;
  config.n_visible = o.n_visible;
  config.n_latent = o.n_latent;
  EliseNetwork net(config, 1);
  const Eigen::MatrixXd target = melody(o);
  fmt::print("ELiSe {} + {} neurons, {} steps per cycle ({} ms at dt {} ms), 1 thread\n", o.n_visible, o.n_latent,
             target.cols(), static_cast<double>(target.cols()) * config.params.dt_ms, config.params.dt_ms);
  time_cycles(net, target, {}, o, "training");
  EliseCycleOptions free_run;
  free_run.teacher = false;
  free_run.plasticity = false;
  time_cycles(net, target, free_run, o, "free run");
  return 0;
}
