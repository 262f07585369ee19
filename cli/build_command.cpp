#include <fmt/format.h>

#include <filesystem>

#include "commands.hpp"
#include "netlist_check.hpp"
#include "neurofab/boards/board.hpp"
#include "neurofab/boards/build_flow.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::cli {
namespace fs = std::filesystem;

namespace {

struct BuildCommandOptions {
  std::string dir;
  std::string board;
  std::string out;
  boards::BuildOptions build;
  std::string rtl_dir;
  std::string verify;  // empty, synth or routed
  std::string cache;
  bool list = false;
};

std::string resources_text(const boards::Board& b) {
  if (b.family == boards::Family::kIce40) {
    return fmt::format("{} LC, {} BRAM 4K, {} SPRAM, {} DSP", b.ice40.logic_cells, b.ice40.bram_4k, b.ice40.spram_256k,
                       b.ice40.dsp);
  }
  return fmt::format("{} LUT, {} FF, {} BRAM 36K, {} DSP", b.xc7.luts, b.xc7.flip_flops, b.xc7.bram_36k, b.xc7.dsp);
}

void list_boards() {
  const std::vector<boards::Board> all = boards::list_boards();
  if (all.empty()) {
    fmt::print("no board files in {}\n", boards::board_data_dir().string());
    return;
  }
  fmt::print("{:<12} {:<6} {:<18} {:<7} {:>8}  {:<34} {}\n", "board", "family", "device", "package", "clock", "flow",
             "resources");
  for (const auto& b : all) {
    fmt::print("{:<12} {:<6} {:<18} {:<7} {:>4} MHz  {:<34} {}\n", b.name, boards::family_name(b.family), b.device,
               b.package, b.clock_mhz(),
               b.family == boards::Family::kIce40 ? "bitstream (Yosys, nextpnr, icepack)" : "Vivado project (not run)",
               resources_text(b));
  }
  fmt::print("(board files in {}; --board also takes the path of a .json file)\n", boards::board_data_dir().string());
}

void run_build(const BuildCommandOptions& o, bool baud_given) {
  if (o.list) {
    list_boards();
    return;
  }
  if (o.board.empty()) throw CLI::RequiredError("--board");
  if (o.dir.empty()) throw CLI::RequiredError("dir");
  if (o.out.empty()) throw CLI::RequiredError("--out");
  const boards::Board board = boards::find_board(o.board);
  boards::BuildOptions options = o.build;
  if (!baud_given) options.baud = 0;  // the board file's
  options.rtl_dir = o.rtl_dir;
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  options.trial_seed = q.seed;  // the trials of `neurofab eval` and `neurofab vectors`
  if (!o.verify.empty()) {
    NetlistCheckRequest request;
    request.level = sim::netlist_level_from_string(o.verify);
    if (board.family != boards::Family::kIce40 && request.level == sim::NetlistLevel::kRouted) {
      throw InputError(fmt::format("--verify routed: the routed level simulates iCE40 builds; {} is a {} board, whose "
                                   "place and route needs Vivado (not run here): use --verify synth",
                                   board.name, boards::family_name(board.family)));
    }
    request.cache = o.cache;
    options.verify = [&q, &o, request](const fs::path& build_dir) {
      return check_build_netlist(q, o.dir, build_dir, request);
    };
  }
  const boards::BuildResult r = boards::build(q, o.dir, board, options, o.out);
  fmt::print("{}", r.summary);
  fmt::print("  → {}: report.md, report.json{}\n", o.out,
             r.bitstream.empty() ? ", build.tcl (vivado -mode batch -source build.tcl), README.md" : ", build.sh, logs/");
}

}  // namespace

void add_build_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "build", "Build a quantized network for an FPGA board: bitstream (iCE40: Yosys, nextpnr, icepack) or Vivado "
               "project (Xilinx), with a utilisation, timing and speed report");
  auto o = std::make_shared<BuildCommandOptions>();
  cmd->add_option("dir", o->dir, "Quantized artifact folder");
  cmd->add_option("--board", o->board, "Board name (see --list-boards) or path of a board .json file");
  cmd->add_option("-o,--out", o->out, "Build folder to write");
  cmd->add_option("--lanes", o->build.lanes, "Parallel MAC lanes P")->capture_default_str();
  cmd->add_option("--baud", o->build.baud, "UART baud rate (default: the board file's)");
  cmd->add_option("--seed", o->build.seed, "Placer seed of nextpnr-ice40")->capture_default_str();
  cmd->add_option("--trials", o->build.trials, "LIF: evaluation trials for the cycles-per-timestep statistics")
      ->capture_default_str();
  cmd->add_option("--rtl-dir", o->rtl_dir, "Folder of the SystemVerilog sources (default: the installed rtl/sv, share/neurofab/rtl)");
  cmd->add_flag("--force", o->build.force, "Replace an existing --out folder");
  cmd->add_flag("!--no-abc9", o->build.abc9, "iCE40: synthesise with plain ABC instead of ABC9 (lower Fmax)");
  cmd->add_option("--verify", o->verify,
                  "Before the folder is written, run its synth (iCE40, Xilinx) or routed (iCE40) netlist (one trial) "
                  "in lock step with the golden model; the result goes into report.md");
  cmd->add_option("--cache", o->cache, "--verify: cache of Verilated builds (default $NEUROFAB_CACHE or ~/.cache/neurofab)");
  cmd->add_flag("--list-boards", o->list, "List the known boards and exit");
  cmd->callback([o, cmd] { run_build(*o, cmd->count("--baud") > 0); });

  auto* boards_cmd = app.add_subcommand("boards", "List the known FPGA boards (as build --list-boards)");
  boards_cmd->callback([] { list_boards(); });
}

}  // namespace nf::cli
