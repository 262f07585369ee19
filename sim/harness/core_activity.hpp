#pragma once
// The simulation-only activity counters of the core under test (activity_q in
// rtl/sv/nf_rate_core.sv / nf_lif_core.sv, inside `ifndef SYNTHESIS`; docs/rtl.md,
// "Activity counters"), read from the Verilated model, and their totals over
// a run. Shared by both harnesses; include it after the model's header
// (NF_TOP_RATE: Vnf_rate_top, NF_TOP_LIF: Vnf_lif_top).
//
// Why public_flat_rd and not a port, the debug port or DPI: a port or a debug
// select would exist in synthesis too (the debug address is only
// ceil(log2 N) bits wide, too narrow for the counters of a small core), and a
// DPI import would oblige every other simulation of the cores (virtual board,
// HIL) to define the function. A public signal costs nothing outside this
// harness, keeps Verilator -Wall clean and Yosys never sees it. The price is
// the hierarchical name below, fixed by the tops (u_core in nf_*_top.sv).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "golden_steps.hpp"
#include "neurofab/golden/step_operations.hpp"

#if defined(NF_TOP_RATE)
#include "Vnf_rate_top___024root.h"
#elif defined(NF_TOP_LIF)
#include "Vnf_lif_top___024root.h"
#endif

namespace nf::sim {

// Every counter's value now (cumulative since reset).
template <typename Model>
std::vector<std::int64_t> read_activity(const Model& model) {
#if defined(NF_TOP_RATE)
  const auto& counters = model.rootp->nf_rate_top__DOT__u_core__DOT__activity_q;
#elif defined(NF_TOP_LIF)
  const auto& counters = model.rootp->nf_lif_top__DOT__u_core__DOT__activity_q;
#endif
  std::vector<std::int64_t> values;
  for (const auto value : counters.m_storage) values.push_back(static_cast<std::int64_t>(value));
  return values;
}

// The growth of the counters over one step: start() after reset or clear (the
// clear counts nothing, the counters may hold earlier trials' counts), then
// step() after each step's output.
class ActivityMeter {
 public:
  void start(std::vector<std::int64_t> counters) { last_ = std::move(counters); }
  std::vector<std::int64_t> step(const std::vector<std::int64_t>& counters) {
    if (counters.size() != last_.size()) throw std::runtime_error("activity counters read before start()");
    std::vector<std::int64_t> delta(counters.size());
    for (std::size_t k = 0; k < counters.size(); ++k) delta[k] = counters[k] - last_[k];
    last_ = counters;
    return delta;
  }

 private:
  std::vector<std::int64_t> last_;
};

// The measured counts summed over the checked steps, written as JSON:
//   {"format": "neurofab-activity", "format_version": 1, "harness", "model_type",
//    "lanes", "trials", "steps" (per trial), "timesteps" (checked), "source":
//    "RTL activity counters, each step equal to step_operations",
//    "operations": [...], "memories": [...]}   (golden/step_operations.hpp, to_json)
class ActivityTotals {
 public:
  void add(const golden::StepOperations& measured) {
    total_ += measured;
    ++timesteps_;
  }

  nlohmann::json to_json(const GoldenSteps& golden, const std::string& harness) const {
    nlohmann::json j = {{"format", "neurofab-activity"},
                        {"format_version", 1},
                        {"harness", harness},
                        {"model_type", golden.lif() ? "lif_rnn" : "rate_rnn"},
                        {"lanes", golden.lanes()},
                        {"trials", golden.trials()},
                        {"steps", golden.steps()},
                        {"timesteps", timesteps_},
                        {"source", "RTL activity counters, each step equal to step_operations"}};
    const nlohmann::json counts = golden::to_json(total_);
    j["operations"] = counts.at("operations");
    j["memories"] = counts.at("memories");
    return j;
  }

  // Written beside and renamed into place, so a reader never sees half a file.
  void write(const std::string& path, const GoldenSteps& golden, const std::string& harness) const {
    const std::string staging = path + ".partial";
    {
      std::ofstream out(staging, std::ios::trunc);
      out << to_json(golden, harness).dump(2) << "\n";
      if (!out) throw std::runtime_error(staging + ": cannot write the activity totals");
    }
    std::filesystem::rename(staging, path);
  }

 private:
  golden::StepOperations total_;
  std::int64_t timesteps_ = 0;
};

}  // namespace nf::sim
