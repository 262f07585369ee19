// Lock-step harness of an RTL core in SystemC (docs/rtl.md, "Verification"):
// the core Verilated with --sc inside a SystemC top, fed by a valid/ready
// stream initiator and drained by a stream target, both behind sc_fifo
// channels — the base for system-level co-simulation. A checker thread makes
// exactly the checks of the Verilator C++ testbench (sim/verilator/nf_core_tb.cpp,
// expectations from sim/harness/golden_steps.hpp), with the same command line
// and output, run in the folder of `neurofab rtl` (the memory images are read
// from the working directory):
//
//   nf_core_sc_tb --vectors <vdir> --seed S [--max-stall K] [--fst <file>] [--activity <json>]
//
// Built by Verilator with --sc and the core's top (NF_TOP_RATE: nf_rate_top,
// NF_TOP_LIF: nf_lif_top); the port types are deduced from the Verilated
// model, so one source serves both cores.
//
// Timing convention: every testbench process acts at the rising clock edge.
// It sees signals as they were just before the edge (the core's outputs change
// one delta later) and what it writes reaches the core at the next edge, like
// a register. So a change made by edge e is seen by the testbench at edge e + 1.
#include <systemc.h>
#include <verilated.h>
#include <verilated_fst_sc.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

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

using sc_core::sc_fifo;
using sc_core::sc_fifo_in;
using sc_core::sc_fifo_out;
using sc_core::sc_in;
using sc_core::sc_module_name;
using sc_core::sc_out;
using sc_core::sc_signal;
using sc_core::sc_time;

// ---------------------------------------------------------------------------
// Command line and results (as nf_core_tb)
// ---------------------------------------------------------------------------

using Options = nf::sim::HarnessOptions;
using nf::sim::Mismatch;

// ---------------------------------------------------------------------------
// Ports of the Verilated top and the values they carry
// ---------------------------------------------------------------------------

// The Verilated top holds its ports as references to sc_in<T>/sc_out<T>; T
// depends on the width (bool, uint32_t, uint64_t, sc_bv<W>), so every signal
// type is taken from the model instead of being written down. That keeps this
// file valid for any core with the family's port list (the LIF core's select
// is wider, for example).
template <typename Port>
using PortValue = typename std::remove_reference_t<Port>::data_type;
template <typename Port>
using SignalFor = sc_signal<PortValue<Port>>;

using InData = PortValue<decltype(Top::in_data_i)>;
using OutData = PortValue<decltype(Top::out_data_o)>;
using DebugSelect = PortValue<decltype(Top::dbg_sel_i)>;
using DebugAddress = PortValue<decltype(Top::dbg_addr_i)>;
using DebugData = PortValue<decltype(Top::dbg_data_o)>;
using StepCycles = PortValue<decltype(Top::step_cycles_o)>;
using OverflowCount = PortValue<decltype(Top::overflow_count_o)>;

// port_bits.hpp packs fields into integers or arrays of 32-bit words. Ports of
// up to 64 bits are integers already; a bool (one bit) and an sc_bv<W> (more
// than 64) go through a word store.
template <typename Value>
struct WordStore {
  using Words = Value;
  static Words load(const Value& value) { return value; }
  static Value store(const Words& words) { return words; }
};
template <>
struct WordStore<bool> {
  using Words = std::uint32_t;
  static Words load(bool value) { return value ? 1U : 0U; }
  static bool store(Words words) { return (words & 1U) != 0; }
};
template <int W>
struct WordStore<sc_dt::sc_bv<W>> {
  using Words = std::array<std::uint32_t, (W + 31) / 32>;
  static Words load(const sc_dt::sc_bv<W>& value) {
    Words words{};
    for (int i = 0; i < static_cast<int>(words.size()); ++i) words[i] = value.get_word(i);
    return words;
  }
  static sc_dt::sc_bv<W> store(const Words& words) {
    sc_dt::sc_bv<W> value;
    for (int i = 0; i < static_cast<int>(words.size()); ++i) value.set_word(i, words[i]);
    return value;
  }
};

// Codes c_k into bits [k·bits +: bits] of a port value, and back (sign-extended).
template <typename Value>
Value pack_fields(const std::vector<std::int32_t>& codes, int bits) {
  typename WordStore<Value>::Words words{};
  for (std::size_t k = 0; k < codes.size(); ++k) {
    nf::golden::set_field(words, static_cast<int>(k) * bits, bits, codes[k]);
  }
  return WordStore<Value>::store(words);
}
template <typename Value>
std::vector<std::int64_t> unpack_fields(const Value& value, int count, int bits) {
  const typename WordStore<Value>::Words words = WordStore<Value>::load(value);
  std::vector<std::int64_t> fields(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) fields[static_cast<std::size_t>(k)] = nf::golden::get_field(words, k * bits, bits);
  return fields;
}

// ---------------------------------------------------------------------------
// Clock edges, stream items, back-pressure
// ---------------------------------------------------------------------------

sc_time clock_period() { return sc_time(10, sc_core::SC_NS); }

// The index of the current (last) rising edge: edge k is at k periods.
std::uint64_t edge_index() { return static_cast<std::uint64_t>(sc_core::sc_time_stamp() / clock_period()); }

// What goes through the fifos. sc_fifo can print its contents, so every item
// type needs an operator<<.
struct InputVector {
  std::vector<std::int32_t> codes;  // one timestep's input x, as codes
};
struct ReceivedOutput {
  std::vector<std::int64_t> values;  // the output y
  std::uint64_t valid_edge = 0;      // the edge that raised out_valid
  std::uint64_t taken_edge = 0;      // the edge of the handshake
};
std::ostream& operator<<(std::ostream& os, const InputVector& v) { return os << "input of " << v.codes.size(); }
std::ostream& operator<<(std::ostream& os, const ReceivedOutput& o) {
  return os << "output of " << o.values.size() << " valid at edge " << o.valid_edge;
}

// The random stalls of both streams, from one generator per trial drawn in
// the order nf_core_tb draws them (input gap of step t, output gap of step t,
// input gap of step t + 1, ...): the checker keeps one step in flight, so the
// initiator and the target alternate. One seed, the same stalls in both harnesses.
class BackPressure {
 public:
  BackPressure(std::uint64_t seed, int max_stall) : seed_(seed), stall_(0, max_stall) {}
  void start_trial(int trial) {
    rng_.seed(seed_ * 1000003ULL + static_cast<std::uint64_t>(trial));
    stall_.reset();
  }
  int next_stall() { return stall_(rng_); }

 private:
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::uniform_int_distribution<int> stall_;
};

// ---------------------------------------------------------------------------
// Stream endpoints
// ---------------------------------------------------------------------------

// What both stream endpoints share: a thread on the rising clock edge that is
// reset with the core (async_reset_signal_is: a reset drops a transfer in
// flight and restarts the thread at its top), and the random stalls.
class StreamEndpoint : public sc_core::sc_module {
 public:
  sc_in<bool> clk{"clk"};
  sc_in<bool> rst_n{"rst_n"};

 protected:
  StreamEndpoint(const sc_module_name& name, BackPressure& back_pressure)
      : sc_module(name), back_pressure_(back_pressure) {}

  void run_on_clock_with_reset() {
    sensitive << clk.pos();
    async_reset_signal_is(rst_n, false);
  }
  void stall_randomly() {
    for (int k = back_pressure_.next_stall(); k > 0; --k) wait();
  }
  // Waits edge by edge (one at least) until `signal` is seen high.
  void wait_until_high(const sc_in<bool>& signal) {
    do {
      wait();
    } while (!signal.read());
  }

 private:
  BackPressure& back_pressure_;
};

// The core's input stream: takes one vector per timestep from `vectors`,
// idles for a random number of cycles, then holds valid with the data until
// the core is ready. The edge of each handshake goes to `accepted` (compute
// cycles are counted from it).
class StreamInitiator : public StreamEndpoint {
 public:
  sc_out<bool> valid{"valid"};
  sc_in<bool> ready{"ready"};
  sc_out<InData> data{"data"};
  sc_fifo_in<InputVector> vectors{"vectors"};
  sc_fifo_out<std::uint64_t> accepted{"accepted"};

  SC_HAS_PROCESS(StreamInitiator);
  StreamInitiator(const sc_module_name& name, int field_bits, BackPressure& back_pressure)
      : StreamEndpoint(name, back_pressure), field_bits_(field_bits) {
    SC_THREAD(run);
    run_on_clock_with_reset();
  }

 private:
  void run() {
    valid.write(false);  // (re)starts here at reset
    wait();
    for (;;) {
      const InputVector next = vectors.read();
      stall_randomly();
      data.write(pack_fields<InData>(next.codes, field_bits_));
      valid.write(true);
      wait_until_high(ready);
      valid.write(false);
      accepted.write(edge_index());
    }
  }

  int field_bits_;
};

// The core's output stream: notes the edge an output becomes valid, stays not
// ready for a random number of cycles, takes it, and writes the output with
// both edges to `received`.
class StreamTarget : public StreamEndpoint {
 public:
  sc_in<bool> valid{"valid"};
  sc_out<bool> ready{"ready"};
  sc_in<OutData> data{"data"};
  sc_fifo_out<ReceivedOutput> received{"received"};

  SC_HAS_PROCESS(StreamTarget);
  StreamTarget(const sc_module_name& name, int fields, int field_bits, BackPressure& back_pressure)
      : StreamEndpoint(name, back_pressure), fields_(fields), field_bits_(field_bits) {
    SC_THREAD(run);
    run_on_clock_with_reset();
  }

 private:
  void run() {
    ready.write(false);  // (re)starts here at reset
    wait();
    for (;;) {
      // Waits an edge first: at the edge of the last handshake valid is still seen high.
      wait_until_high(valid);
      const std::uint64_t valid_edge = edge_index() - 1;  // seen one edge after the edge that raised it
      stall_randomly();
      ready.write(true);
      wait_until_high(valid);  // a valid output stays until taken: this edge is the handshake
      const OutData taken = data.read();
      ready.write(false);
      received.write({unpack_fields(taken, fields_, field_bits_), valid_edge, edge_index()});
    }
  }

  int fields_, field_bits_;
};

// ---------------------------------------------------------------------------
// Waveform of the replayed window
// ---------------------------------------------------------------------------

// VerilatedFstSc registers itself with the SystemC kernel, which dumps it at
// every time step, and it can only be opened once the simulation runs: it is
// created when the replay reaches the window. Never deleted here: the kernel
// keeps a pointer to it until the end.
class Waveform {
 public:
  Waveform(Top& top, std::string file) : top_(top), file_(std::move(file)) {}
  void start() {
    tracer_ = new VerilatedFstSc;
    top_.trace(tracer_, 99);
    tracer_->open(file_.c_str());
  }
  void stop() {
    if (tracer_ != nullptr) tracer_->close();
  }
  const std::string& file() const { return file_; }

 private:
  Top& top_;
  std::string file_;
  VerilatedFstSc* tracer_ = nullptr;
};

// ---------------------------------------------------------------------------
// Checker: the lock-step checks of nf_core_tb
// ---------------------------------------------------------------------------

// For every trial: reset (the clear must take the cycle model's cycles), then
// for every timestep push the input, take the output and compare output y,
// cycles, step_cycles_o, overflow_count_o, every state value (debug port)
// and the operation counts (the core's activity counters, core_activity.hpp)
// with `==`. On the first mismatch it reports, replays that trial with a
// waveform of the last steps, and stops the simulation.
class LockstepChecker : public sc_core::sc_module {
 public:
  sc_in<bool> clk{"clk"};
  sc_out<bool> rst_n{"rst_n"};
  sc_out<bool> clear{"clear"};
  sc_in<bool> idle{"idle"};
  sc_in<StepCycles> step_cycles{"step_cycles"};
  sc_in<OverflowCount> overflow_count{"overflow_count"};
  sc_out<DebugSelect> dbg_sel{"dbg_sel"};
  sc_out<DebugAddress> dbg_addr{"dbg_addr"};
  sc_in<DebugData> dbg_data{"dbg_data"};
  sc_fifo_out<InputVector> inputs{"inputs"};
  sc_fifo_in<std::uint64_t> accepted{"accepted"};
  sc_fifo_in<ReceivedOutput> outputs{"outputs"};

  SC_HAS_PROCESS(LockstepChecker);
  LockstepChecker(const sc_module_name& name, const Options& options, const nf::sim::GoldenSteps& golden,
                  BackPressure& back_pressure, Waveform& waveform, const Top& core)
      : sc_module(name),
        options_(options),
        golden_(golden),
        back_pressure_(back_pressure),
        waveform_(waveform),
        core_(core) {
    SC_THREAD(run);
  }

  int exit_code() const { return exit_code_; }

 private:
  static constexpr int kWindowSteps = 3;  // the waveform: the failing step and the two before it

  void run() {
    const auto start = std::chrono::steady_clock::now();
    try {
      for (int trial = 0; trial < golden_.trials(); ++trial) {
        if (const auto m = run_trial(trial, golden_.steps() - 1, -1)) {
          report_mismatch(*m);
          replay_with_waveform(*m);
          finish(1);
          return;
        }
      }
      report_pass(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      finish(0);
    } catch (const sc_core::sc_unwind_exception&) {
      throw;  // the kernel ending this thread, not an error
    } catch (const std::exception& e) {
      std::fprintf(stderr, "nf_core_sc_tb: %s\n", e.what());
      finish(2);
    }
  }

  void finish(int exit_code) {
    std::fflush(stdout);
    exit_code_ = exit_code;
    sc_core::sc_stop();
  }

  // Steps 0..last_step of a trial from a freshly reset core, the waveform
  // from step `waveform_from` (-1: none); stops at the first mismatch.
  std::optional<Mismatch> run_trial(int trial, int last_step, int waveform_from) {
    back_pressure_.start_trial(trial);
    reset_core();
    activity_.start(nf::sim::read_activity(core_));
    for (int t = 0; t <= last_step; ++t) {
      if (t == waveform_from) waveform_.start();
      if (auto m = check_step(trial, t)) return m;
      if (auto m = check_activity(trial, t)) return m;
      ++checked_steps_;
    }
    return std::nullopt;
  }

  // Same trial, same stalls, so the same mismatch, this time recorded.
  void replay_with_waveform(const Mismatch& m) {
    const int first = std::max(0, m.step - (kWindowSteps - 1));
    const std::optional<Mismatch> again = run_trial(m.trial, m.step, first);
    waveform_.stop();
    if (!again || again->step != m.step || again->what != m.what || again->index != m.index) {
      std::fprintf(stderr, "nf_core_sc_tb: the replay did not end in the same mismatch (not deterministic?)\n");
    }
    std::printf("waveform of trial %d, timesteps %d to %d: %s\n", m.trial, first, m.step, waveform_.file().c_str());
  }

  void wait_edge() { wait(clk.posedge_event()); }

  // Reset, then wait for the clear the core runs by itself after reset; it must
  // take the cycle model's clear cycles. Results the stream target or initiator
  // wrote before the reset are dropped.
  void reset_core() {
    rst_n.write(false);
    clear.write(false);
    wait_edge();
    const std::uint64_t reset_edge = edge_index();
    rst_n.write(true);
    const std::int64_t patience = 100 * golden_.clear_cycles() + 1000;
    do {
      wait_edge();
      if (static_cast<std::int64_t>(edge_index() - reset_edge) > patience) {
        throw std::runtime_error("the core is not idle " + std::to_string(patience) + " cycles after reset");
      }
    } while (!idle.read());
    const auto waited = static_cast<std::int64_t>(edge_index() - 1 - reset_edge);
    if (waited != golden_.clear_cycles()) {
      throw std::runtime_error("clear took " + std::to_string(waited) + " cycles, the cycle model says " +
                               std::to_string(golden_.clear_cycles()));
    }
    drop_stale_results();
  }

  void drop_stale_results() {
    std::uint64_t edge = 0;
    while (accepted.nb_read(edge)) {
    }
    ReceivedOutput output;
    while (outputs.nb_read(output)) {
    }
  }

  // One timestep through both streams, then every check of nf_core_tb in its order.
  std::optional<Mismatch> check_step(int trial, int t) {
    const std::int64_t want_cycles = golden_.cycles(trial, t);
    const auto patience = static_cast<std::uint64_t>(100 * want_cycles + 1000 + options_.max_stall);
    const std::int32_t* x = golden_.input(trial, t);
    inputs.write(InputVector{std::vector<std::int32_t>(x, x + golden_.inputs())});
    const std::uint64_t pushed_edge = edge_index();
    const std::optional<std::uint64_t> accepted_edge = read_within(accepted, patience);
    if (!accepted_edge) {  // an idle core takes an input by the edge after the stall
      return Mismatch{trial, t, 0, "hang: input not taken", options_.max_stall + 1,
                      static_cast<std::int64_t>(edge_index() - pushed_edge)};
    }
    const std::optional<ReceivedOutput> output = read_within(outputs, patience);
    if (!output) {
      return Mismatch{trial, t, 0, "hang: no output", want_cycles,
                      static_cast<std::int64_t>(edge_index() - *accepted_edge)};
    }
    const auto counted = static_cast<std::int64_t>(output->valid_edge - *accepted_edge);
    compute_cycles_ += static_cast<std::uint64_t>(counted);
    if (counted != want_cycles) return Mismatch{trial, t, 0, "cycles (cycle model)", want_cycles, counted};
    if (const auto reported = static_cast<std::int64_t>(step_cycles.read()); reported != want_cycles) {
      return Mismatch{trial, t, 0, "step_cycles_o (cycle model)", want_cycles, reported};
    }
    for (int m = 0; m < golden_.outputs(); ++m) {
      const std::int64_t want = golden_.output(trial, t, m);
      const std::int64_t got = output->values[static_cast<std::size_t>(m)];
      if (got != want) return Mismatch{trial, t, m, "output y", want, got};
    }
    const std::int64_t overflow = golden_.overflow_events(trial, t);
    if (const auto reported = static_cast<std::int64_t>(overflow_count.read()); reported != overflow) {
      return Mismatch{trial, t, 0, "overflow events", overflow, reported};
    }
    return check_state(trial, t);
  }

  // Every state value through the debug port while the core is idle. An
  // address written now is registered at the next edge and its data seen one
  // edge later, so the reads are pipelined: one per cycle, plus one cycle.
  std::optional<Mismatch> check_state(int trial, int t) {
    const std::vector<nf::sim::DebugRead> reads = golden_.state_reads(trial, t);
    for (std::size_t k = 0; k <= reads.size(); ++k) {
      if (k < reads.size()) {
        dbg_sel.write(static_cast<DebugSelect>(reads[k].select));
        dbg_addr.write(static_cast<DebugAddress>(reads[k].address));
      }
      wait_edge();
      if (k == 0) continue;
      const nf::sim::DebugRead& read = reads[k - 1];  // the one registered at the edge before
      const std::int64_t got = static_cast<std::int32_t>(dbg_data.read());
      if (got != read.expected) return Mismatch{trial, t, read.address, read.what, read.expected, got};
    }
    return std::nullopt;
  }

  // Operations and memory traffic: the activity counters' growth over the step
  // (they count only while the core computes, so reading them now is exact).
  std::optional<Mismatch> check_activity(int trial, int t) {
    const nf::golden::StepOperations expected = golden_.operations(trial, t);
    const nf::golden::StepOperations measured = golden_.measured(activity_.step(nf::sim::read_activity(core_)), expected);
    if (const auto d = nf::sim::first_difference(expected, measured)) {
      return Mismatch{trial, t, 0, d->what, d->expected, d->actual};
    }
    totals_.add(measured);
    return std::nullopt;
  }

  // The next item of a fifo, or nothing if none arrives within `cycles` clock periods.
  template <typename Item>
  std::optional<Item> read_within(sc_fifo_in<Item>& fifo, std::uint64_t cycles) {
    const sc_time deadline = sc_core::sc_time_stamp() + clock_period() * static_cast<double>(cycles);
    Item item;
    while (!fifo.nb_read(item)) {
      if (sc_core::sc_time_stamp() >= deadline) return std::nullopt;
      wait(deadline - sc_core::sc_time_stamp(), fifo.data_written_event());
    }
    return item;
  }

  void report_mismatch(const Mismatch& m) {
    nf::sim::print_mismatch(m);
    std::fflush(stdout);  // before the replay, which may fail
  }

  void report_pass(double seconds) const {
    nf::sim::print_pass(checked_steps_, compute_cycles_, edge_index(), seconds);
    if (!options_.activity.empty()) totals_.write(options_.activity, golden_, "systemc");
  }

  const Options& options_;
  const nf::sim::GoldenSteps& golden_;
  BackPressure& back_pressure_;
  Waveform& waveform_;
  const Top& core_;
  nf::sim::ActivityMeter activity_;
  nf::sim::ActivityTotals totals_;
  int exit_code_ = 2;  // until the checker finishes
  std::uint64_t checked_steps_ = 0, compute_cycles_ = 0;
};

// ---------------------------------------------------------------------------
// Top: clock, core, streams, checker
// ---------------------------------------------------------------------------

// Wires the core's ports to signals shared with the endpoints and the checker.
// Members are built in declaration order: the core before the waveform that
// traces it, the back-pressure before the endpoints that draw from it.
class Testbench : public sc_core::sc_module {
 public:
  Testbench(const sc_module_name& name, const Options& options, const nf::sim::GoldenSteps& golden)
      : sc_module(name),
        back_pressure_(options.seed, options.max_stall),
        waveform_(core_, options.fst),
        initiator_("initiator", golden.input_bits(), back_pressure_),
        target_("target", golden.outputs(), golden.output_bits(), back_pressure_),
        checker_("checker", options, golden, back_pressure_, waveform_, core_) {
    bind_core();
    bind_initiator();
    bind_target();
    bind_checker();
  }

  int exit_code() const { return checker_.exit_code(); }

 private:
  void bind_core() {
    core_.clk_i(clock_);
    core_.rst_ni(rst_n_);
    core_.clear_i(clear_);
    core_.in_valid_i(in_valid_);
    core_.in_ready_o(in_ready_);
    core_.in_data_i(in_data_);
    core_.out_valid_o(out_valid_);
    core_.out_ready_i(out_ready_);
    core_.out_data_o(out_data_);
    core_.idle_o(idle_);
    core_.cycle_count_o(cycle_count_);
    core_.step_cycles_o(step_cycles_);
    core_.overflow_count_o(overflow_count_);
    core_.dbg_sel_i(dbg_sel_);
    core_.dbg_addr_i(dbg_addr_);
    core_.dbg_data_o(dbg_data_);
  }
  void bind_initiator() {
    initiator_.clk(clock_);
    initiator_.rst_n(rst_n_);
    initiator_.valid(in_valid_);
    initiator_.ready(in_ready_);
    initiator_.data(in_data_);
    initiator_.vectors(inputs_);
    initiator_.accepted(accepted_);
  }
  void bind_target() {
    target_.clk(clock_);
    target_.rst_n(rst_n_);
    target_.valid(out_valid_);
    target_.ready(out_ready_);
    target_.data(out_data_);
    target_.received(outputs_);
  }
  void bind_checker() {
    checker_.clk(clock_);
    checker_.rst_n(rst_n_);
    checker_.clear(clear_);
    checker_.idle(idle_);
    checker_.step_cycles(step_cycles_);
    checker_.overflow_count(overflow_count_);
    checker_.dbg_sel(dbg_sel_);
    checker_.dbg_addr(dbg_addr_);
    checker_.dbg_data(dbg_data_);
    checker_.inputs(inputs_);
    checker_.accepted(accepted_);
    checker_.outputs(outputs_);
  }

  sc_core::sc_clock clock_{"clock", clock_period()};
  SignalFor<decltype(Top::rst_ni)> rst_n_{"rst_n"};
  SignalFor<decltype(Top::clear_i)> clear_{"clear"};
  SignalFor<decltype(Top::in_valid_i)> in_valid_{"in_valid"};
  SignalFor<decltype(Top::in_ready_o)> in_ready_{"in_ready"};
  SignalFor<decltype(Top::in_data_i)> in_data_{"in_data"};
  SignalFor<decltype(Top::out_valid_o)> out_valid_{"out_valid"};
  SignalFor<decltype(Top::out_ready_i)> out_ready_{"out_ready"};
  SignalFor<decltype(Top::out_data_o)> out_data_{"out_data"};
  SignalFor<decltype(Top::idle_o)> idle_{"idle"};
  SignalFor<decltype(Top::cycle_count_o)> cycle_count_{"cycle_count"};
  SignalFor<decltype(Top::step_cycles_o)> step_cycles_{"step_cycles"};
  SignalFor<decltype(Top::overflow_count_o)> overflow_count_{"overflow_count"};
  SignalFor<decltype(Top::dbg_sel_i)> dbg_sel_{"dbg_sel"};
  SignalFor<decltype(Top::dbg_addr_i)> dbg_addr_{"dbg_addr"};
  SignalFor<decltype(Top::dbg_data_o)> dbg_data_{"dbg_data"};
  sc_fifo<InputVector> inputs_{"inputs"};
  sc_fifo<std::uint64_t> accepted_{"accepted"};
  sc_fifo<ReceivedOutput> outputs_{"outputs"};

  Top core_{"core"};
  BackPressure back_pressure_;
  Waveform waveform_;
  StreamInitiator initiator_;
  StreamTarget target_;
  LockstepChecker checker_;
};

// Keeps the output to the lines of nf_core_tb. The kernel prints its
// copyright banner before sc_main unless this variable is set, so it is set
// while the program's statics are initialised.
const bool kNoSystemCBanner = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0;

// No "Simulation stopped by user." (an info of the kernel's own message type) from sc_stop.
void quiet_systemc() {
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
}

}  // namespace

int sc_main(int argc, char** argv) {
  try {
    quiet_systemc();
    Verilated::commandArgs(argc, argv);
    const Options options = nf::sim::parse_harness_options(argc, argv);
    const nf::golden::GoldenTrace vectors = nf::golden::GoldenTrace::load(options.vectors);
    std::printf("nf_core_sc_tb: seed %llu (back-pressure up to %d cycles), %d trials x %d steps\n",
                static_cast<unsigned long long>(options.seed), options.max_stall, vectors.trials(), vectors.steps());
    std::fflush(stdout);
    const nf::sim::GoldenSteps golden(vectors, "rtl.json");
    Verilated::traceEverOn(true);  // before the model is built: the waveform of a replay
    Testbench bench("bench", options, golden);
    sc_core::sc_start();
    return bench.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nf_core_sc_tb: %s\n", e.what());
    return 2;
  }
}
