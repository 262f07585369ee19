#pragma once
// Builds an exported HLS project's C-simulation testbench with g++, the way
// its README says, and runs it: with neurofab's stand-in types, or with
// Xilinx's ap_types headers (fetched into the build tree by cmake/ApTypes.cmake)
// first on the include path. Without those headers the Xilinx half fails,
// unless NEUROFAB_ALLOW_NO_AP_TYPES=1 (ap_types_required.hpp).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <string>

#include "ap_types_required.hpp"
#include "run_command.hpp"

namespace nf::test {

enum class HlsTypes { kStandins, kXilinx };

// The Xilinx headers' folder, or "" when the configure step could not fetch them.
inline std::string xilinx_ap_types_dir() { return NF_AP_TYPES_DIR; }

struct CsimRun {
  int build_exit = -1;
  std::string build_log;
  int exit_code = -1;
  std::string output;
};

// Build time is dominated by the static initialisers of the weight ROMs
// (65 536 ap_fixed constructions at N = 256): -O0 builds the N = 256 project
// with Xilinx's headers in 15 s instead of 70 s at -O1 (the short C-simulation
// runs slower, by far less), and GCC 12's access-warning pass, which also runs
// on those initialisers, is switched off by disabling the warnings it serves.
// None of this changes what is computed.
inline const char* kFastBuildFlags =
    "-Wno-stringop-overflow -Wno-stringop-overread -Wno-free-nonheap-object -Wno-mismatched-new-delete "
    "-Wno-mismatched-dealloc -Wno-dangling-pointer -Wno-use-after-free -Wno-array-bounds -Wno-vla-parameter "
    "-Wno-alloc-size-larger-than -Wno-nonnull";

inline CsimRun build_and_run_csim(const std::filesystem::path& project, const std::string& family, HlsTypes types) {
  const bool xilinx = types == HlsTypes::kXilinx;
  const std::string binary = xilinx ? "csim-xilinx" : "csim-standins";
  // The stand-in build must be warning-free; Xilinx's headers are not, so only
  // the kernels' own build is held to -Werror. Loop labels name loops for
  // Vitis HLS (reports, pragmas), so unused labels are expected.
  const std::string flags = xilinx ? fmt::format("-I'{}'", xilinx_ap_types_dir())
                                   : std::string("-DNF_HLS_STANDIN_TYPES -Wall -Wextra -pedantic -Werror -Wno-unused-label");
  const std::string build = fmt::format(
      "cd '{}' && g++ -std=c++14 -O0 -Wno-unknown-pragmas {} {} -Ifirmware -Itb tb/nf_{}_tb.cpp "
      "firmware/nf_{}_top.cpp -o {} 2>&1",
      project.string(), kFastBuildFlags, flags, family, family, binary);
  CsimRun run;
  const CommandResult built = run_command(build);
  run.build_exit = built.exit_code;
  run.build_log = built.output;
  if (built.exit_code != 0) return run;
  const CommandResult ran = run_command(fmt::format("cd '{}' && ./{} 2>&1", project.string(), binary));
  run.exit_code = ran.exit_code;
  run.output = ran.output;
  return run;
}

// The run built, passed, used the types asked for and compared every one of
// `timesteps` steps.
inline void check_csim_pass(const CsimRun& run, HlsTypes types, long long timesteps) {
  INFO(run.build_log);
  REQUIRE(run.build_exit == 0);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Catch::Contains("PASS: all"));
  CHECK_THAT(run.output, Catch::Contains(types == HlsTypes::kXilinx ? "types xilinx-ap_types"
                                                                    : "types neurofab-standins"));
  std::smatch m;
  REQUIRE(std::regex_search(run.output, m, std::regex("values \\([^)]*\\) at (\\d+) timesteps")));
  CHECK(std::stoll(m[1].str()) == timesteps);
}

// Both builds. Without the Xilinx headers the case fails after the stand-in
// build, unless NEUROFAB_ALLOW_NO_AP_TYPES=1 (then it says loudly that the
// Xilinx build was skipped).
inline void check_csim_both_types(const std::filesystem::path& project, const std::string& family,
                                  long long timesteps) {
  check_csim_pass(build_and_run_csim(project, family, HlsTypes::kStandins), HlsTypes::kStandins, timesteps);
  if (xilinx_ap_types_dir().empty()) {
    xilinx_half_missing(fmt::format("the C-simulation of {} with Xilinx's headers", project.string()));
    return;
  }
  check_csim_pass(build_and_run_csim(project, family, HlsTypes::kXilinx), HlsTypes::kXilinx, timesteps);
}

}  // namespace nf::test
