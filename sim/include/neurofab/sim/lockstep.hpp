#pragma once
// `neurofab verify <qdir>`: the RTL core of a quantized network in lock step
// with its integer golden model (docs/rtl.md, "Verification").
//
// 1. `neurofab rtl` output for the network and --lanes goes to a work folder.
// 2. Golden vectors of --trials evaluation trials are written beside it.
// 3. The Verilator testbench (sim/verilator/nf_core_tb.cpp + the core) is
//    built once per configuration: the build folder under the cache is named
//    by a hash of the parameter package, every SystemVerilog and testbench
//    source and the Verilator version, so only a new shape, width or
//    rounding rebuilds. Memory images are read at run time, so other weights
//    reuse the build. A file lock makes parallel builds of one key safe.
// 4. The testbench runs in the work folder; its log is returned, and on a pass
//    the operation and memory counts its activity counters measured, summed
//    over every checked step (activity.json in the work folder; each step was
//    equal to golden/step_operations.hpp's count).

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "neurofab/common/progress.hpp"
#include "neurofab/models/family.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::sim {

// The harness a core is checked in: the Verilator C++ testbench
// (sim/verilator/nf_core_tb.cpp) or the SystemC one (sim/systemc/, the core
// Verilated with --sc). Both check the same things (sim/harness/golden_steps.hpp).
enum class Harness { kVerilator, kSystemC };
std::string to_string(Harness harness);
Harness harness_from_string(const std::string& name);  // throws nf::InputError

// What to build: a family's core in a harness. `rtl_sources` replaces rtl/sv
// (same file names), so a test can build a deliberately broken copy.
struct TestbenchSpec {
  models::Family family = models::Family::kRate;
  Harness harness = Harness::kVerilator;
  std::filesystem::path rtl_sources;  // empty: rtl/sv (rtl::rtl_source_dir())
};

struct VerifyOptions {
  int lanes = 1;
  int trials = 4;
  std::uint64_t seed = 1;   // back-pressure seed (printed by the testbench)
  int max_stall = 3;        // longest random stall of either stream, cycles
  std::filesystem::path cache_dir;  // empty: $NEUROFAB_CACHE or ~/.cache/neurofab
  std::filesystem::path keep_dir;   // non-empty: the work folder (RTL, vectors, waveform) is kept here
  Harness harness = Harness::kVerilator;
  std::filesystem::path rtl_sources;  // empty: rtl/sv (see TestbenchSpec)
  // Optional: called at each step boundary (RTL, golden vectors, testbench
  // build or cache, lock-step run; kVerifySteps steps). The lock-step run is
  // one step: the testbench is a process of its own that reports only at its end.
  ProgressCallback progress;
};

inline constexpr int kVerifySteps = 4;

struct VerifyResult {
  bool passed = false;
  std::string log;                     // the testbench's output
  std::filesystem::path testbench;     // the cached executable
  bool built = false;                  // false: taken from the cache
  // On a pass: the RTL-measured totals over all checked steps, as the
  // harness's activity.json (sim/harness/core_activity.hpp): format,
  // harness, model_type, lanes, trials, steps, timesteps, operations
  // [{name, count, operand_bits, second_operand_bits, accumulator_bits}],
  // memories [{memory, width_bits, reads, writes}]. Null otherwise.
  nlohmann::json activity;
};

std::filesystem::path default_cache_dir();

// Builds (or finds) the testbench of the configuration in `rtl_dir`.
// Throws nf::IoError with Verilator's last lines when the build fails.
std::filesystem::path build_testbench(const std::filesystem::path& rtl_dir, const TestbenchSpec& spec,
                                      const std::filesystem::path& cache_dir, bool* built = nullptr);

VerifyResult verify(const quantize::QuantizedArtifact& artifact, const VerifyOptions& options);

}  // namespace nf::sim
