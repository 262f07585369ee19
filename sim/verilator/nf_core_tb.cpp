// Lock-step testbench of an RTL core against the integer golden model
// (docs/rtl.md, "Verification"). Built by Verilator with the core's top
// (NF_TOP_RATE: nf_rate_top, NF_TOP_LIF: nf_lif_top), run in the folder of `neurofab rtl` (the memory
// images are read from the working directory):
//
//   nf_core_tb --vectors <vdir> --seed S [--max-stall K] [--fst <file>] [--activity <json>]
//
// For every trial the state is cleared; every timestep is driven through the
// valid/ready input stream and taken from the output stream, both with
// random back-pressure (seeded per trial from S; the seed is printed). After
// each step every state value (read back through the debug port), every
// output, the step's overflow count, its cycle count and its operation and
// memory counts (the core's activity counters) are compared with `==` against
// the golden vectors, the cycle model and golden/step_operations.hpp. With
// --activity, the totals of the measured counts are written there on a pass. On the first mismatch
// it prints trial, timestep, what, index, expected and actual, re-runs that
// trial with an FST trace of the window, and exits 1. All equal: exits 0.
#include <verilated.h>
#include <verilated_fst_c.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <type_traits>

#include "golden_steps.hpp"
#include "harness_cli.hpp"
#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/golden/port_bits.hpp"

#if defined(NF_TOP_RATE)
#include "Vnf_rate_top.h"
using Top = Vnf_rate_top;
#elif defined(NF_TOP_LIF)
#include "Vnf_lif_top.h"
using Top = Vnf_lif_top;
#else
#error "define the core under test (NF_TOP_RATE or NF_TOP_LIF)"
#endif
#include "core_activity.hpp"

namespace {

using Options = nf::sim::HarnessOptions;
using nf::sim::Mismatch;

class Bench {
 public:
  Bench(const Options& options, const nf::golden::GoldenTrace& vectors)
      : options_(options), golden_(vectors, "rtl.json"), context_(std::make_unique<VerilatedContext>()) {
    context_->traceEverOn(true);
    top_ = std::make_unique<Top>(context_.get());
  }

  ~Bench() {
    if (tracer_) tracer_->close();  // a replay stops at the mismatch, with the trace still open
    // The model's scopes (its public activity counters) unregister from the
    // thread's current context, not their own (Verilator 5.006); with a replay
    // bench destroyed first that context is gone and the exit deadlocks.
    Verilated::threadContextp(context_.get());
    top_.reset();
  }
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;

  std::uint64_t cycles() const { return cycles_; }
  std::uint64_t compute_cycles() const { return compute_cycles_; }

  // Runs one trial; stops at the first mismatch (returned). With `trace`, dumps an FST.
  std::optional<Mismatch> run_trial(int trial, bool trace, int trace_until_step) {
    std::mt19937_64 rng(options_.seed * 1000003ULL + static_cast<std::uint64_t>(trial));
    std::uniform_int_distribution<int> stall(0, options_.max_stall);
    if (trace) {
      tracer_ = std::make_unique<VerilatedFstC>();
      top_->trace(tracer_.get(), 99);
      tracer_->open(options_.fst.c_str());
    }
    // The first trial starts from reset, the others from clear_i (both paths are checked).
    if (trial == 0 || trace) {
      reset();
    } else {
      clear();
    }
    activity_.start(nf::sim::read_activity(*top_));
    const int inputs = golden_.inputs(), input_bits = golden_.input_bits();
    for (int t = 0; t < golden_.steps(); ++t) {
      if (trace && t > trace_until_step) break;
      // The window: the failing step and the two before it.
      dumping_ = trace && t + kWindowSteps > trace_until_step;
      // Input stream: idle for a random number of cycles, then valid until taken.
      for (int k = stall(rng); k > 0; --k) tick();
      const std::int32_t* x = golden_.input(trial, t);
      for (int k = 0; k < inputs; ++k) nf::golden::set_field(top_->in_data_i, k * input_bits, input_bits, x[k]);
      top_->in_valid_i = 1;
      for (;;) {
        top_->eval();
        const bool fire = top_->in_ready_o;
        tick();
        if (fire) break;
      }
      top_->in_valid_i = 0;
      // Compute: count the cycles until the output is valid.
      const std::int64_t want_cycles = golden_.cycles(trial, t);
      std::int64_t counted = 0;
      while (!top_->out_valid_o) {
        tick();
        if (++counted > 100 * want_cycles + 1000) return Mismatch{trial, t, 0, "hang: no output", want_cycles, counted};
      }
      compute_cycles_ += static_cast<std::uint64_t>(counted);
      if (counted != want_cycles) return Mismatch{trial, t, 0, "cycles (cycle model)", want_cycles, counted};
      if (top_->step_cycles_o != want_cycles) {
        return Mismatch{trial, t, 0, "step_cycles_o (cycle model)", want_cycles, top_->step_cycles_o};
      }
      // Output stream: not ready for a random number of cycles.
      for (int k = stall(rng); k > 0; --k) tick();
      top_->out_ready_i = 1;
      for (int m = 0; m < golden_.outputs(); ++m) {
        const int bits = golden_.output_bits();
        const std::int64_t got = nf::golden::get_field(top_->out_data_o, m * bits, bits);
        const std::int64_t want = golden_.output(trial, t, m);
        if (got != want) return Mismatch{trial, t, m, "output y", want, got};
      }
      tick();
      top_->out_ready_i = 0;
      const std::int64_t overflow = golden_.overflow_events(trial, t);
      if (top_->overflow_count_o != overflow) {
        return Mismatch{trial, t, 0, "overflow events", overflow, top_->overflow_count_o};
      }
      // Every state value, through the debug port (one cycle of latency).
      for (const nf::sim::DebugRead& read : golden_.state_reads(trial, t)) {
        top_->dbg_sel_i = static_cast<std::remove_reference_t<decltype(top_->dbg_sel_i)>>(read.select);
        top_->dbg_addr_i = static_cast<std::remove_reference_t<decltype(top_->dbg_addr_i)>>(read.address);
        tick();
        const std::int64_t got = static_cast<std::int32_t>(top_->dbg_data_o);
        if (got != read.expected) return Mismatch{trial, t, read.address, read.what, read.expected, got};
      }
      // Operations and memory traffic: the activity counters' growth over the step.
      const nf::golden::StepOperations expected = golden_.operations(trial, t);
      const nf::golden::StepOperations measured = golden_.measured(activity_.step(nf::sim::read_activity(*top_)), expected);
      if (const auto d = nf::sim::first_difference(expected, measured)) {
        return Mismatch{trial, t, 0, d->what, d->expected, d->actual};
      }
      totals_.add(measured);
      ++checked_steps_;
    }
    dumping_ = false;
    if (tracer_) {
      tracer_->close();
      tracer_.reset();
    }
    return std::nullopt;
  }

  std::uint64_t checked_steps() const { return checked_steps_; }
  void write_activity(const std::string& path) const { totals_.write(path, golden_, "verilator"); }

 private:
  void tick() {
    top_->clk_i = 1;
    top_->eval();
    context_->timeInc(1);
    if (dumping_) tracer_->dump(context_->time());
    top_->clk_i = 0;
    top_->eval();
    context_->timeInc(1);
    if (dumping_) tracer_->dump(context_->time());
    ++cycles_;
  }

  // clear_i while idle: taken in one cycle, then the clear takes the modelled cycles.
  void clear() {
    top_->clear_i = 1;
    tick();
    top_->clear_i = 0;
    wait_for_clear();
  }

  // Reset, then wait for the core's own clear to finish (it clears after reset).
  void reset() {
    top_->rst_ni = 0;
    top_->clear_i = 0;
    top_->in_valid_i = 0;
    top_->out_ready_i = 0;
    tick();
    top_->rst_ni = 1;
    wait_for_clear();
  }

  void wait_for_clear() {
    std::int64_t waited = 0;
    while (!top_->idle_o) {
      tick();
      ++waited;
    }
    if (waited != golden_.clear_cycles()) {
      throw std::runtime_error("clear took " + std::to_string(waited) + " cycles, the cycle model says " +
                               std::to_string(golden_.clear_cycles()));
    }
  }

  const Options& options_;
  nf::sim::GoldenSteps golden_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Top> top_;
  std::unique_ptr<VerilatedFstC> tracer_;
  nf::sim::ActivityMeter activity_;
  nf::sim::ActivityTotals totals_;
  bool dumping_ = false;
  static constexpr int kWindowSteps = 3;
  std::uint64_t cycles_ = 0, compute_cycles_ = 0, checked_steps_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = nf::sim::parse_harness_options(argc, argv);
    const nf::golden::GoldenTrace vectors = nf::golden::GoldenTrace::load(options.vectors);
    std::printf("nf_core_tb: seed %llu (back-pressure up to %d cycles), %d trials x %d steps\n",
                static_cast<unsigned long long>(options.seed), options.max_stall, vectors.trials(), vectors.steps());
    const auto start = std::chrono::steady_clock::now();
    Bench bench(options, vectors);
    for (int trial = 0; trial < vectors.trials(); ++trial) {
      if (const auto m = bench.run_trial(trial, false, 0)) {
        nf::sim::print_mismatch(*m);
        Bench replay(options, vectors);
        replay.run_trial(m->trial, true, m->step);
        std::printf("waveform of trial %d, timesteps %d to %d: %s\n", m->trial, std::max(0, m->step - 2), m->step,
                    options.fst.c_str());
        return 1;
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    nf::sim::print_pass(bench.checked_steps(), bench.compute_cycles(), bench.cycles(), seconds);
    if (!options.activity.empty()) bench.write_activity(options.activity);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nf_core_tb: %s\n", e.what());
    return 2;
  }
}
