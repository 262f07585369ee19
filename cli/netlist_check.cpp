#include "netlist_check.hpp"

#include <fmt/format.h>

#include "neurofab/common/error.hpp"

namespace nf::cli {

nlohmann::json check_build_netlist(const quantize::QuantizedArtifact& q, const std::string& qdir,
                                   const std::filesystem::path& build_dir, const NetlistCheckRequest& request) {
  const sim::BuildNetlists build = sim::read_build_netlists(build_dir);
  sim::require_netlist_level(build, request.level);  // before anything is built
  sim::NetlistBoardOptions board;
  board.level = request.level;
  board.cache_dir = request.cache;
  sim::HilOptions hil;
  hil.trials = request.trials;
  hil.state = sim::StateCheck::kLast;
  const std::string level(sim::netlist_level_name(request.level));
  fmt::print("{} netlist of {} ({}, {} clocks per UART bit) against the golden model of {}\n", level, build.top,
             build.device_family, build.clocks_per_bit, qdir);
  const sim::HilResult r = sim::run_netlist_hil(q, build, board, hil);
  fmt::print("  {} trial(s) x {} timesteps: {} values compared (outputs, step cycles, overflow counts, state: last), "
             "{} mismatches; {:.1f} timesteps/s\n",
             r.trials, r.steps_per_trial, r.values_compared, r.mismatches, r.timesteps_per_second);
  for (const auto& m : r.first_mismatches) fmt::print("  MISMATCH {}\n", sim::describe(m));
  if (r.mismatches > 0) {
    throw VerificationError(fmt::format("{}: the {} netlist of {} differs from the integer golden model in {} of {} "
                                        "values",
                                        qdir, level, build_dir.string(), r.mismatches, r.values_compared));
  }
  return {{"level", level},
          {"command", fmt::format("neurofab verify {} --level {} --build <this folder> --trials {}", qdir, level,
                                  request.trials)},
          {"trials", r.trials},
          {"steps_per_trial", r.steps_per_trial},
          {"values_compared", r.values_compared},
          {"mismatches", r.mismatches},
          {"board_success_rate", r.board_success_rate},
          {"seconds", r.seconds},
          {"timesteps_per_second", r.timesteps_per_second}};
}

}  // namespace nf::cli
