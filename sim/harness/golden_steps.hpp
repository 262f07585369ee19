#pragma once
// What a lock-step harness expects of a core at every timestep, from a
// golden trace and the cycle model (docs/rtl.md, "Verification").
// Shared by the Verilator C++ testbench (sim/verilator) and the SystemC
// harness (sim/systemc), so both check exactly the same things:
//   - the input codes to drive and the outputs y to expect;
//   - the step's overflow events;
//   - the step's cycles (golden/cycle_model.hpp; for LIF cores from the
//     spike counts of the step and the one before);
//   - every internal state value, as debug-port reads (select, address);
//   - the step's operations and memory traffic (golden/step_operations.hpp),
//     against the cores' simulation-only activity counters (docs/rtl.md,
//     "Activity counters"; read by core_activity.hpp).
// Header-only, C++17: the harnesses are built by Verilator's own makefiles.
#include <cstdint>
#include <fstream>
#include <optional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "neurofab/golden/cycle_model.hpp"
#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/golden/step_operations.hpp"

namespace nf::sim {

// Debug-port selects of the cores (rtl/sv/nf_rate_core.sv, nf_lif_core.sv).
enum DebugSelect : int {
  kDebugState = 0,       // rate: h[i]; LIF: current I[i]
  kDebugOutput = 1,      // y[m]
  kDebugMembrane = 2,    // LIF: v[i]
  kDebugSpike = 3,       // LIF: s[i] (0/1)
  kDebugRefractory = 4,  // LIF: c[i]
};

// The activity counters of the cores (activity_q in rtl/sv/nf_rate_core.sv and
// nf_lif_core.sv, whose comments say what each counts), by index.
enum RateActivity : int {
  kRateMacInput = 0, kRateMacRecurrent, kRateMacReadout, kRateLeak, kRateTableLookup, kRateActivation,
  kRateBiasReads, kRateOutputBiasReads, kRateStateReads, kRateStateWrites,
  kRateActivityCounters
};
enum LifActivity : int {
  kLifInputMacs = 0, kLifInputEvents, kLifSynopRecurrent, kLifSynopReadout, kLifDecay, kLifThreshold, kLifSpike,
  kLifBiasReads, kLifOutputBiasReads, kLifBetaReads, kLifAlphaReads, kLifStateReads, kLifStateWrites,
  kLifListReads, kLifListWrites,
  kLifActivityCounters
};

// An operation or memory count the RTL measured differently from step_operations.
struct ActivityDifference {
  std::string what;  // "activity <operation>" or "activity <memory> reads|writes"
  std::int64_t expected = 0, actual = 0;
};

inline std::optional<ActivityDifference> first_difference(const golden::StepOperations& expected,
                                                          const golden::StepOperations& measured) {
  for (std::size_t k = 0; k < expected.operations.size(); ++k) {
    const auto& e = expected.operations[k];
    const auto& m = measured.operations[k];
    if (e.count != m.count) return ActivityDifference{"activity " + e.name, e.count, m.count};
  }
  for (std::size_t k = 0; k < expected.memories.size(); ++k) {
    const auto& e = expected.memories[k];
    const auto& m = measured.memories[k];
    if (e.reads != m.reads) return ActivityDifference{"activity " + e.memory + " reads", e.reads, m.reads};
    if (e.writes != m.writes) return ActivityDifference{"activity " + e.memory + " writes", e.writes, m.writes};
  }
  return std::nullopt;
}

struct DebugRead {
  int select = 0;
  int address = 0;
  const char* what = "";
  std::int64_t expected = 0;
};

class GoldenSteps {
 public:
  // For a core of `lanes` MAC lanes (HIL: the lanes the board reports).
  GoldenSteps(const golden::GoldenTrace& trace, int lanes) : v_(trace), lanes_(lanes) {
    lif_ = v_.header().at("model_type").get<std::string>() == "lif_rnn";
    units_ = v_.signal(lif_ ? "current" : "state").width;
    inputs_ = v_.signal("input").width;
    outputs_ = v_.signal("output").width;
    input_bits_ = bits("input");  // LIF spike inputs are the codes 0/1 of Q2.0
    output_bits_ = bits("output");
    if (!lif_) rate_cycles_ = golden::rate_step_cycles({units_, inputs_, outputs_, lanes_});
    if (lif_) spike_input_ = v_.header().at("model").at("input_encoding").get<std::string>() != "current";
  }
  // For the package in `rtl_json`'s folder (the rtl.json `neurofab rtl` wrote), checked against the trace.
  GoldenSteps(const golden::GoldenTrace& trace, const std::string& rtl_json)
      : GoldenSteps(trace, read_package(rtl_json)) {}

  bool lif() const { return lif_; }
  int lanes() const { return lanes_; }
  int units() const { return units_; }
  int inputs() const { return inputs_; }
  int outputs() const { return outputs_; }
  int input_bits() const { return input_bits_; }
  int output_bits() const { return output_bits_; }
  int trials() const { return v_.trials(); }
  int steps() const { return v_.steps(); }

  const std::int32_t* input(int trial, int t) const { return v_.step_values<std::int32_t>("input", trial, t); }
  std::int64_t output(int trial, int t, int m) const { return v_.value<std::int64_t>("output", trial, t, m); }
  std::int64_t overflow_events(int trial, int t) const {
    return v_.value<std::int64_t>("overflow_events", trial, t, 0);
  }

  // Cycles of step t from the input handshake to a valid output (the cycle model).
  std::int64_t cycles(int trial, int t) const {
    if (!lif_) return rate_cycles_;
    const std::int64_t previous = t == 0 ? 0 : spikes(trial, t - 1);
    return golden::lif_step_cycles({units_, inputs_, outputs_, lanes_}, previous, spikes(trial, t));
  }
  std::int64_t clear_cycles() const { return golden::clear_cycles(units_); }

  // Operations and memory traffic of step t (golden/step_operations.hpp, for this core's lanes).
  golden::StepOperations operations(int trial, int t) const { return golden::step_operations(v_, trial, t, lanes_); }

  // The same counts as the core measured them: `delta` holds how much each
  // activity counter grew over the step. Names and widths are taken from
  // `expected` (widths are not measured); a weight element read is the event
  // of the lane that uses it (docs/rtl.md), so w_in/w_rec/w_out reads are the
  // lane counters of their MACs or synaptic adds.
  golden::StepOperations measured(const std::vector<std::int64_t>& delta, const golden::StepOperations& expected) const {
    const auto counters = static_cast<std::size_t>(lif_ ? static_cast<int>(kLifActivityCounters) : static_cast<int>(kRateActivityCounters));
    if (delta.size() != counters) {
      throw std::runtime_error("the core has " + std::to_string(delta.size()) + " activity counters, the harness knows " +
                               std::to_string(counters));
    }
    golden::StepOperations m = expected;
    const auto c = [&](int index) { return delta[static_cast<std::size_t>(index)]; };
    const auto op = [&](const char* name, std::int64_t value) { find_operation(m, name).count = value; };
    const auto mem = [&](const char* name, std::int64_t reads, std::int64_t writes) {
      golden::MemoryTraffic& t = find_memory(m, name);
      t.reads = reads;
      t.writes = writes;
    };
    if (!lif_) {
      op("mac_input", c(kRateMacInput));
      op("mac_recurrent", c(kRateMacRecurrent));
      op("mac_readout", c(kRateMacReadout));
      op("leak", c(kRateLeak));
      op("table_lookup", c(kRateTableLookup));
      op("activation", c(kRateActivation));
      mem("w_in", c(kRateMacInput), 0);
      mem("w_rec", c(kRateMacRecurrent), 0);
      mem("b_rec", c(kRateBiasReads), 0);
      mem("w_out", c(kRateMacReadout), 0);
      mem("b_out", c(kRateOutputBiasReads), 0);
      mem("act_table", c(kRateTableLookup), 0);
      mem("state", c(kRateStateReads), c(kRateStateWrites));
    } else {
      // Current input: every input lane enable is a MAC. Spike input: only the
      // enables with an event operand add a weight (the others multiply by 0).
      const std::int64_t input = spike_input_ ? c(kLifInputEvents) : c(kLifInputMacs);
      op("mac_input", spike_input_ ? 0 : input);
      op("synop_input", spike_input_ ? input : 0);
      op("synop_recurrent", c(kLifSynopRecurrent));
      op("synop_readout", c(kLifSynopReadout));
      op("decay", c(kLifDecay));
      op("threshold", c(kLifThreshold));
      op("spike", c(kLifSpike));
      mem("w_in", input, 0);
      mem("w_rec", c(kLifSynopRecurrent), 0);
      mem("b_rec", c(kLifBiasReads), 0);
      mem("w_out", c(kLifSynopReadout), 0);
      mem("b_out", c(kLifOutputBiasReads), 0);
      mem("beta", c(kLifBetaReads), 0);
      mem("alpha_syn", c(kLifAlphaReads), 0);
      mem("state", c(kLifStateReads), c(kLifStateWrites));
      mem("spike_list", c(kLifListReads), c(kLifListWrites));
    }
    return m;
  }

  // Every internal state value after step t, and y through the debug port too, as debug reads.
  std::vector<DebugRead> state_reads(int trial, int t) const {
    std::vector<DebugRead> reads;
    const auto add = [&](int select, const char* what, const char* signal) {
      for (int i = 0; i < units_; ++i) reads.push_back({select, i, what, v_.value<std::int64_t>(signal, trial, t, i)});
    };
    if (!lif_) {
      add(kDebugState, "state h", "state");
    } else {
      add(kDebugState, "current I", "current");
      add(kDebugMembrane, "membrane v", "membrane");
      add(kDebugSpike, "spike s", "spikes");
      add(kDebugRefractory, "refractory c", "refractory");
    }
    for (int m = 0; m < outputs_; ++m) reads.push_back({kDebugOutput, m, "debug y", output(trial, t, m)});
    return reads;
  }

 private:
  // What the harness needs of rtl.json.
  struct Package {
    std::string model_type;
    int lanes = 1, units = 0;
  };
  static Package read_package(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": missing (run in the folder `neurofab rtl` wrote)");
    const auto rtl = nlohmann::json::parse(in);
    return {rtl.at("model_type").get<std::string>(), rtl.at("lanes").get<int>(), rtl.at("units").get<int>()};
  }
  GoldenSteps(const golden::GoldenTrace& trace, const Package& package) : GoldenSteps(trace, package.lanes) {
    if (package.model_type != v_.header().at("model_type").get<std::string>()) {
      throw std::runtime_error("rtl.json and the vectors are for different model types");
    }
    if (package.units != units_) throw std::runtime_error("rtl.json and the vectors disagree on N");
  }
  static golden::OperationCount& find_operation(golden::StepOperations& ops, const std::string& name) {
    for (auto& o : ops.operations)
      if (o.name == name) return o;
    throw std::runtime_error("step_operations has no operation '" + name + "' (harness out of date?)");
  }
  static golden::MemoryTraffic& find_memory(golden::StepOperations& ops, const std::string& name) {
    for (auto& t : ops.memories)
      if (t.memory == name) return t;
    throw std::runtime_error("step_operations has no memory '" + name + "' (harness out of date?)");
  }

  int bits(const std::string& signal) const { return v_.signal(signal).format.at("total_bits").get<int>(); }
  std::int64_t spikes(int trial, int t) const { return v_.value<std::int64_t>("spike_count", trial, t, 0); }

  const golden::GoldenTrace& v_;
  bool lif_ = false, spike_input_ = false;
  int lanes_ = 1, units_ = 0, inputs_ = 0, outputs_ = 0, input_bits_ = 0, output_bits_ = 0;
  std::int64_t rate_cycles_ = 0;
};

}  // namespace nf::sim
