#pragma once
// A Verilated executable built once per configuration and cached (internal to
// nf_sim; used by the lock-step testbenches and the virtual board). The build
// folder under <cache>/verilator is named by a hash of everything the
// executable is made of — the parameter package, every SystemVerilog and C++
// source, the arguments and the Verilator version — so only a new shape,
// width, rounding or top parameter rebuilds; memory images are read at run
// time, so other weights reuse a build. A file lock makes parallel builds of
// one key safe.

#include <filesystem>
#include <string>
#include <vector>

namespace nf::sim::detail {

struct VerilatorBuild {
  std::string name;                  // the cache folder's prefix, e.g. "rate_rnn-verilator"
  std::string executable;            // the binary's name under obj_dir
  std::string top_module;
  std::filesystem::path package;     // nf_config_pkg.sv of the configuration (copied into the build); empty: none (a netlist)
  std::vector<std::filesystem::path> rtl_sources;       // after the package, in compile order
  std::vector<std::filesystem::path> cpp_sources;       // the harness main first
  std::vector<std::filesystem::path> key_only_sources;  // headers the C++ includes (hashed, not compiled)
  std::vector<std::string> arguments;  // extra Verilator arguments (--cc/--sc, -G…, -CFLAGS …)
};

// The executable of `build` (built, or found in the cache); *built tells which.
// Throws nf::IoError with Verilator's last lines when the build fails.
std::filesystem::path build_cached(const VerilatorBuild& build, const std::filesystem::path& cache_dir,
                                   bool* built = nullptr);

// The -CFLAGS include folders every harness needs (the nf_golden_trace target's, sim/harness).
std::string harness_include_flags();

}  // namespace nf::sim::detail
