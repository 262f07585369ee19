#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "commands.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/sim/hil.hpp"
#include "neurofab/sim/serial_port.hpp"
#include "neurofab/sim/virtual_board.hpp"

namespace nf::cli {
namespace {

struct HilCommandOptions {
  std::string dir;
  std::string port;
  bool virtual_board = false;
  int baud = 115200;
  int timeout_ms = 2000;
  std::string state = "last";
  sim::HilOptions hil;
  sim::VirtualBoardOptions board;
  std::string cache;
  bool json = false;
};

void print_result(const HilCommandOptions& o, const std::string& port, const sim::HilResult& r) {
  if (o.json) {
    nlohmann::json mismatches = nlohmann::json::array();
    for (const auto& m : r.first_mismatches) {
      mismatches.push_back({{"trial", m.trial}, {"timestep", m.step}, {"what", m.what}, {"index", m.index},
                            {"expected", m.expected}, {"actual", m.actual}});
    }
    const nlohmann::json j = {{"artifact", o.dir}, {"port", port}, {"virtual", o.virtual_board},
                              {"board", {{"family", r.board.family_name()}, {"units", r.board.units},
                                         {"inputs", r.board.inputs}, {"outputs", r.board.outputs},
                                         {"lanes", r.board.lanes}, {"config_id", fmt::format("{:08x}", r.board.config_id)}}},
                              {"first_contact", {{"attempts", r.connect_attempts}, {"stray_bytes", r.stray_bytes}}},
                              {"trials", r.trials}, {"steps_per_trial", r.steps_per_trial},
                              {"timesteps", r.timesteps}, {"values_compared", r.values_compared},
                              {"mismatches", r.mismatches}, {"first_mismatches", mismatches},
                              {"board_success_rate", r.board_success_rate},
                              {"golden_success_rate", r.golden_success_rate}, {"seconds", r.seconds},
                              {"timesteps_per_second", r.timesteps_per_second}, {"bytes_sent", r.bytes_sent},
                              {"bytes_received", r.bytes_received}, {"state_check", o.state}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  fmt::print("HIL over {}{}: {} network, N = {}, {} lanes, config id {:08x}\n", port,
             o.virtual_board ? " (virtual board: the Verilated system top)" : "", r.board.family_name(),
             r.board.units, r.board.lanes, r.board.config_id);
  if (r.connect_attempts > 1 || r.stray_bytes > 0) {
    fmt::print("  first contact: {} stray bytes dropped, INFO answered at attempt {}\n", r.stray_bytes,
               r.connect_attempts);
  }
  fmt::print("  {} trials x {} timesteps: {} values compared (outputs, step cycles, overflow counts, state: {}), "
             "{} mismatches\n",
             r.trials, r.steps_per_trial, r.values_compared, o.state, r.mismatches);
  for (const auto& m : r.first_mismatches) fmt::print("  MISMATCH {}\n", sim::describe(m));
  fmt::print("  success rate: board {:.1f} %, golden model {:.1f} %\n", 100 * r.board_success_rate,
             100 * r.golden_success_rate);
  fmt::print("  {:.1f} timesteps/s ({} timesteps in {:.2f} s; {} bytes sent, {} received)\n", r.timesteps_per_second,
             r.timesteps, r.seconds, r.bytes_sent, r.bytes_received);
}

void run_hil(const HilCommandOptions& o) {
  if (o.port.empty() == !o.virtual_board) {
    throw InputError("give exactly one of --port <tty> (a board) and --virtual (the Verilated system top)");
  }
  if (o.timeout_ms < 1) throw InputError(fmt::format("--timeout-ms: must be >= 1 (got {})", o.timeout_ms));
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  sim::HilOptions options = o.hil;
  options.state = sim::state_check_from_string(o.state);
  std::optional<sim::VirtualBoard> board;
  std::string port = o.port;
  if (o.virtual_board) {
    sim::VirtualBoardOptions b = o.board;
    b.cache_dir = o.cache;
    board.emplace(q, b);
    port = board->port().string();
  }
  sim::SerialPort serial(port, o.baud);
  sim::HostLink link(serial, std::chrono::milliseconds(o.timeout_ms));
  const sim::HilResult r = sim::run_hil(q, link, options);
  print_result(o, port, r);
  if (r.mismatches > 0) {
    throw VerificationError(fmt::format("{}: {} of {} values differ from the integer golden model", o.dir,
                                        r.mismatches, r.values_compared));
  }
}

void run_board_sim(const HilCommandOptions& o) {
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  sim::VirtualBoardOptions b = o.board;
  b.cache_dir = o.cache;
  const sim::VirtualBoard board(q, b);
  fmt::print("virtual board of {} ({} lanes, {} clocks per bit): {}\n", o.dir, b.lanes, b.clocks_per_bit,
             board.port().string());
  fmt::print("talk to it with: neurofab hil {} --port {}   (Ctrl-D or Ctrl-C here stops it)\n", o.dir,
             board.port().string());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
}

void add_board_options(CLI::App* cmd, HilCommandOptions& o) {
  cmd->add_option("--lanes", o.board.lanes, "Virtual board: parallel MAC lanes P of the core");
  cmd->add_option("--clocks-per-bit", o.board.clocks_per_bit,
                  "Virtual board: UART bit period in clock cycles (104: 12 MHz at 115200 baud)");
  cmd->add_option("--cache", o.cache, "Cache of Verilated builds (default $NEUROFAB_CACHE or ~/.cache/neurofab)");
  cmd->add_option("--rtl-sources", o.board.rtl_sources,
                  "Virtual board: a folder of SystemVerilog files that replace rtl/sv's (a modified core)")
      ->check(CLI::ExistingDirectory);
}

}  // namespace

void add_hil_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("hil", "Hardware in the loop: run task trials on a board (or the virtual board) over "
                                        "the UART host link and compare every timestep with the golden model");
  auto o = std::make_shared<HilCommandOptions>();
  cmd->add_option("dir", o->dir, "Quantized artifact folder")->required();
  cmd->add_option("--port", o->port, "Serial port of the board (e.g. /dev/ttyUSB1 for the iCEBreaker)");
  cmd->add_flag("--virtual", o->virtual_board, "Start the virtual board (Verilated system top behind a pty) and use it");
  cmd->add_option("--baud", o->baud, "Baud rate (the bitstream's; neurofab build --baud)");
  cmd->add_option("--trials", o->hil.trials, "Evaluation trials to run");
  cmd->add_option("--seed", o->hil.seed, "Seed of the trials (default: the artifact's)");
  cmd->add_option("--state", o->state, "Compare every internal state value: none, last (each trial's last step), every");
  cmd->add_option("--timeout-ms", o->timeout_ms, "Response timeout per request");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  add_board_options(cmd, *o);
  cmd->callback([o] { run_hil(*o); });
}

void add_board_sim_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("board-sim", "Run a virtual board (the Verilated system top behind a pseudo-terminal) "
                                              "in the foreground and print its port");
  auto o = std::make_shared<HilCommandOptions>();
  cmd->add_option("dir", o->dir, "Quantized artifact folder")->required();
  add_board_options(cmd, *o);
  cmd->callback([o] { run_board_sim(*o); });
}

}  // namespace nf::cli
