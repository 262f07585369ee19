#include <fmt/format.h>

#include <filesystem>

#include "commands.hpp"
#include "netlist_check.hpp"
#include "neurofab/boards/board.hpp"
#include "neurofab/boards/build_flow.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/temp_folder.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/rtl/rtl_generator.hpp"
#include "neurofab/sim/lockstep.hpp"

namespace nf::cli {
namespace fs = std::filesystem;

namespace {

struct RtlCommandOptions {
  std::string dir;
  std::string out;
  int lanes = 1;
  bool force = false;
};

void run_rtl(const RtlCommandOptions& o) {
  if (fs::exists(o.out) && !o.force) throw InputError(fmt::format("{}: already exists (use --force to replace it)", o.out));
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  rtl::generate_rtl(q, {o.lanes}, o.out);
  fmt::print("RTL configuration of {} ({} lanes) → {}: nf_config_pkg.sv, memory images, files.f, rtl.json\n", o.dir,
             o.lanes, o.out);
}

struct VerifyCommandOptions {
  std::string dir;
  std::string level = "rtl";
  std::string build_dir;            // --level synth|routed: an existing `neurofab build` folder
  std::string board = "icebreaker"; // otherwise: built here for this board
  std::int64_t baud = 0;            // and this baud rate (0: the board file's)
  sim::VerifyOptions verify;
  std::string cache;
  std::string keep;
  std::string harness = "verilator";
};

// --level synth|routed: the netlists of a board build (given, or made here in a temporary folder).
void run_netlist_verify(const VerifyCommandOptions& o, const quantize::QuantizedArtifact& q, bool trials_given) {
  NetlistCheckRequest request;
  request.level = sim::netlist_level_from_string(o.level);
  request.trials = trials_given ? o.verify.trials : 1;  // gate level is slow: one trial unless asked
  request.cache = o.cache;
  if (!o.build_dir.empty()) {
    check_build_netlist(q, o.dir, o.build_dir, request);
    return;
  }
  const boards::Board board = boards::find_board(o.board);
  if (board.family != boards::Family::kIce40 && request.level == sim::NetlistLevel::kRouted) {
    throw InputError(fmt::format("--level routed: the routed level simulates iCE40 builds; {} is a {} board, whose "
                                 "place and route needs Vivado (not run here): use --level synth",
                                 board.name, boards::family_name(board.family)));
  }
  boards::BuildOptions build;
  build.lanes = o.verify.lanes;
  build.baud = o.baud;
  build.trial_seed = q.seed;
  build.force = true;
  const TempFolder work("neurofab-verify-build");
  const std::filesystem::path out = work.path() / "build";
  fmt::print("building {} for {} ({} lanes) to get its netlists\n", o.dir, board.name, build.lanes);
  boards::build(q, o.dir, board, build, out);
  check_build_netlist(q, o.dir, out, request);
}

void run_verify(const VerifyCommandOptions& o, bool trials_given) {
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  if (o.level != "rtl") {
    run_netlist_verify(o, q, trials_given);
    return;
  }
  if (!o.build_dir.empty()) throw InputError("--build: only with --level synth or routed");
  sim::VerifyOptions options = o.verify;
  options.cache_dir = o.cache;
  options.keep_dir = o.keep;
  options.harness = sim::harness_from_string(o.harness);
  const sim::VerifyResult r = sim::verify(q, options);
  fmt::print("{}testbench {} ({})\n", r.log, r.testbench.string(), r.built ? "built" : "cached");
  if (!r.passed) {
    throw VerificationError(fmt::format("{}: the RTL differs from the integer golden model (see above{})", o.dir,
                                        o.keep.empty() ? "; --keep <dir> keeps the waveform" : ", waveform in " + o.keep));
  }
}

}  // namespace

void add_rtl_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("rtl", "Write the RTL configuration (parameter package, memory images) of a "
                                        "quantized network");
  auto o = std::make_shared<RtlCommandOptions>();
  cmd->add_option("dir", o->dir, "Quantized artifact folder")->required();
  cmd->add_option("--lanes", o->lanes, "Parallel MAC lanes P");
  cmd->add_option("-o,--out", o->out, "RTL folder to write")->required();
  cmd->add_flag("--force", o->force, "Replace an existing --out folder");
  cmd->callback([o] { run_rtl(*o); });
}

void add_verify_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("verify", "Run the RTL core (Verilator or SystemC) in lock step with the integer golden model");
  auto o = std::make_shared<VerifyCommandOptions>();
  cmd->add_option("dir", o->dir, "Quantized artifact folder")->required();
  cmd->add_option("--lanes", o->verify.lanes, "Parallel MAC lanes P");
  cmd->add_option("--trials", o->verify.trials, "Evaluation trials to run");
  cmd->add_option("--seed", o->verify.seed, "Seed of the random back-pressure");
  cmd->add_option("--max-stall", o->verify.max_stall, "Longest random stall of either stream, in cycles");
  cmd->add_option("--cache", o->cache, "Cache of Verilated builds (default $NEUROFAB_CACHE or ~/.cache/neurofab)");
  cmd->add_option("--harness", o->harness, "verilator (C++ testbench) or systemc (the core in a SystemC top)");
  cmd->add_option("--keep", o->keep, "Keep the work folder (RTL, vectors, log, mismatch waveform) here");
  cmd->add_option("--level", o->level,
                  "rtl (the cores, default), synth (the Yosys netlist) or routed (the placed-and-routed netlist, "
                  "iCE40 only) of a board build, simulated with the vendor cell models through the UART pin");
  cmd->add_option("--build", o->build_dir, "--level synth|routed: the `neurofab build` folder to check");
  cmd->add_option("--board", o->board, "--level synth|routed without --build: the board to build for")
      ->capture_default_str();
  cmd->add_option("--baud", o->baud, "--level synth|routed without --build: UART baud rate (default: the board's)");
  auto* trials = cmd->get_option("--trials");
  cmd->callback([o, trials] { run_verify(*o, trials->count() > 0); });
}

}  // namespace nf::cli
