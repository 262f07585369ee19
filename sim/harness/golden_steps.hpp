#pragma once
// What a lock-step harness expects of a core at every timestep, from a
// golden-vector folder and the cycle model (docs/rtl.md, "Verification").
// Shared by the Verilator C++ testbench (sim/verilator) and the SystemC
// harness (sim/systemc), so both check exactly the same things:
//   - the input codes to drive and the outputs y to expect;
//   - the step's overflow events;
//   - the step's cycles (quantize/cycle_model.hpp; for LIF cores from the
//     spike counts of the step and the one before);
//   - every internal state value, as debug-port reads (select, address).
// Header-only, C++17: the harnesses are built by Verilator's own makefiles.
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "neurofab/quantize/cycle_model.hpp"
#include "neurofab/quantize/golden_vector_reader.hpp"

namespace nf::sim {

// Debug-port selects of the cores (rtl/sv/nf_rate_core.sv, nf_lif_core.sv).
enum DebugSelect : int {
  kDebugState = 0,       // rate: h[i]; LIF: current I[i]
  kDebugOutput = 1,      // y[m]
  kDebugMembrane = 2,    // LIF: v[i]
  kDebugSpike = 3,       // LIF: s[i] (0/1)
  kDebugRefractory = 4,  // LIF: c[i]
};

struct DebugRead {
  int select = 0;
  int address = 0;
  const char* what = "";
  std::int64_t expected = 0;
};

class GoldenSteps {
 public:
  // `rtl_json`: the rtl.json `neurofab rtl` wrote beside the package.
  GoldenSteps(const golden::Vectors& vectors, const std::string& rtl_json) : v_(vectors) {
    std::ifstream in(rtl_json);
    if (!in) throw std::runtime_error(rtl_json + ": missing (run in the folder `neurofab rtl` wrote)");
    const auto rtl = nlohmann::json::parse(in);
    lanes_ = rtl.at("lanes").get<int>();
    lif_ = v_.header().at("model_type").get<std::string>() == "lif_rnn";
    if (rtl.at("model_type").get<std::string>() != v_.header().at("model_type").get<std::string>()) {
      throw std::runtime_error("rtl.json and the vectors are for different model types");
    }
    units_ = v_.signal(lif_ ? "current" : "state").width;
    inputs_ = v_.signal("input").width;
    outputs_ = v_.signal("output").width;
    if (rtl.at("units").get<int>() != units_) throw std::runtime_error("rtl.json and the vectors disagree on N");
    input_bits_ = bits("input");  // LIF spike inputs are the codes 0/1 of Q2.0
    output_bits_ = bits("output");
    if (!lif_) rate_cycles_ = quantize::rate_step_cycles({units_, inputs_, outputs_, lanes_});
  }

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
    return quantize::lif_step_cycles({units_, inputs_, outputs_, lanes_}, previous, spikes(trial, t));
  }
  std::int64_t clear_cycles() const { return quantize::clear_cycles(units_); }

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
  int bits(const std::string& signal) const { return v_.signal(signal).format.at("total_bits").get<int>(); }
  std::int64_t spikes(int trial, int t) const { return v_.value<std::int64_t>("spike_count", trial, t, 0); }

  const golden::Vectors& v_;
  bool lif_ = false;
  int lanes_ = 1, units_ = 0, inputs_ = 0, outputs_ = 0, input_bits_ = 0, output_bits_ = 0;
  std::int64_t rate_cycles_ = 0;
};

}  // namespace nf::sim
