#include "neurofab/sim/netlist_board.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <map>
#include <nlohmann/json.hpp>

#include "../verilator_build.hpp"
#include "ice40_unpack.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/process.hpp"
#include "neurofab/common/resources.hpp"
#include "neurofab/common/temp_folder.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/sim/lockstep.hpp"
#include "neurofab/sim/serial_port.hpp"
#include "neurofab/sim/virtual_board.hpp"
#include "netlist_faults.hpp"
#include "xc7_netlist.hpp"

namespace nf::sim {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json read_json_file(const fs::path& path, const std::string& what) {
  if (!fs::is_regular_file(path)) throw InputError(fmt::format("{}: missing ({})", path.string(), what));
  try {
    return json::parse(read_text_file(path));
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON ({})", path.string(), e.what()));
  }
}

// Yosys's data folder (<prefix>/share/yosys beside <prefix>/bin/yosys, as
// `yosys-config --datdir` says; that script comes with Yosys's development
// package only), where its simulation libraries are: `library` is the
// folder of one (ice40, xilinx).
fs::path yosys_data_dir(const std::string& library) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "";
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const fs::path dir(std::string(rest.substr(0, colon)));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    std::error_code ec;
    const fs::path yosys = fs::canonical(dir / "yosys", ec);
    if (ec) continue;
    const fs::path share = yosys.parent_path().parent_path() / "share" / "yosys";
    if (fs::is_regular_file(share / library / "cells_sim.v")) return share;
  }
  throw IoError(fmt::format("no Yosys with its share/yosys/{}/cells_sim.v on PATH: install Yosys (Debian: apt install "
                            "yosys)",
                            library));
}

bool is_xc7(const BuildNetlists& build) { return build.device_family == "xc7"; }

// The level's netlist in cells_sim.v primitives, with the fault applied, as Yosys JSON.
json netlist_json(const BuildNetlists& build, NetlistLevel level, NetlistFault fault) {
  const fs::path source = build.netlist(level);
  json design = read_json_file(
      source, level == NetlistLevel::kRouted
                  ? "the placed-and-routed netlist nextpnr-ice40 --write makes; rebuild with this neurofab version"
                  : "the synthesized netlist; rebuild the board folder");
  if (level == NetlistLevel::kRouted) design = detail::unpack_ice40_routed(design, build.top);
  if (is_xc7(build)) {
    if (const auto cell = detail::find_xc7_sdp72_parity_bug(design, build.top)) {
      throw InputError(fmt::format(
          "{}: cell {} is a written 72-bit simple-dual-port RAMB36E1 whose DIPBDIP carries DIPADIP's bits: Yosys 0.23 "
          "maps such a memory wrongly (brams_xc6v_map.v tests PORT_W_WIDTH == 71; fixed in YosysHQ/yosys pull request "
          "#5833), so its netlist is not checked; Vivado maps the memory itself",
          source.string(), *cell));
    }
    detail::set_xc7_power_on_values(design, build.top);
  }
  detail::apply_netlist_fault(design, build.top, fault);
  return design;
}

}  // namespace

NetlistLevel netlist_level_from_string(const std::string& name) {
  if (name == "synth") return NetlistLevel::kSynth;
  if (name == "routed") return NetlistLevel::kRouted;
  throw InputError(fmt::format("--level: unknown '{}' (expected rtl, synth or routed)", name));
}

std::string_view netlist_level_name(NetlistLevel level) { return level == NetlistLevel::kSynth ? "synth" : "routed"; }

fs::path BuildNetlists::netlist(NetlistLevel level) const {
  return dir / (level == NetlistLevel::kSynth ? top + ".json" : top + "_routed.json");
}

BuildNetlists read_build_netlists(const fs::path& build_dir) {
  const fs::path report_path = build_dir / "report.json";
  const json report = read_json_file(report_path, "a `neurofab build` folder has one");
  BuildNetlists b;
  b.dir = build_dir;
  try {
    b.top = report.at("model").at("top").get<std::string>();
    b.family = models::family_from_model_type(report.at("model").at("model_type").get<std::string>(),
                                              report_path.string());
    b.device_family = report.at("board").at("family").get<std::string>();
    b.clocks_per_bit = report.at("uart").at("clocks_per_bit").get<int>();
    b.quiet_cycles = report.at("uart").at("quiet_cycles").get<int>();
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: not a build report this version reads ({})", report_path.string(), e.what()));
  }
  if (b.device_family != "ice40" && b.device_family != "xc7") {
    throw InputError(fmt::format("{}: a {} build; the netlist levels simulate iCE40 and Xilinx 7-series builds",
                                 build_dir.string(), b.device_family));
  }
  return b;
}

void require_netlist_level(const BuildNetlists& build, NetlistLevel level) {
  if (level == NetlistLevel::kRouted && is_xc7(build)) {
    throw InputError(fmt::format("{}: --level routed: a Xilinx build has no placed-and-routed netlist here (place and "
                                 "route needs Vivado, which neurofab does not run); --level synth checks Yosys's "
                                 "synth_xilinx netlist",
                                 build.dir.string()));
  }
}

fs::path build_netlist_board(const BuildNetlists& build, const NetlistBoardOptions& o, bool* built) {
  require_netlist_level(build, o.level);
  const TempFolder work("neurofab-netlist");
  write_file_atomically(work.path() / "netlist.json", netlist_json(build, o.level, o.fault).dump());
  const fs::path verilog = work.path() / "netlist.v";
  const fs::path log = work.path() / "yosys.log";
  // splitnets -ports: single-bit ports, so every pin of the top is a plain scalar for the harness.
  const ProcessResult r = run_process(
      {"yosys", "-q", "-p",
       fmt::format("read_json netlist.json; splitnets -ports -format __; write_verilog -noattr {}",
                   verilog.filename().string())},
      log, work.path());
  if (!r.ok() || !fs::is_regular_file(verilog)) {
    throw IoError(fmt::format("Yosys could not write the {} netlist of {} as Verilog ({}):{}",
                              netlist_level_name(o.level), build.dir.string(), r.describe(), last_lines(log, 8)));
  }
  detail::VerilatorBuild b;
  b.name = fmt::format("{}-{}{}-netlist", models::model_type_name(build.family), is_xc7(build) ? "xc7-" : "",
                       netlist_level_name(o.level));
  b.executable = "nf_board_sim";
  b.top_module = build.top;
  b.cpp_sources = {resource_path("sim") / "board" / "nf_board_sim.cpp"};
  // The vendor models and a generated netlist are not lint-clean SystemVerilog
  // (our own RTL is, under -Wall): their warnings are not ours to fix.
  b.arguments = {"--cc", "-Wno-fatal", "-Wno-lint", "-Wno-style"};
  if (is_xc7(build)) {
    // Yosys's Xilinx library without its RAMB18E1/RAMB36E1 (declared without
    // behaviour in Yosys 0.23), and neurofab's models of those two.
    const fs::path library = yosys_data_dir("xilinx") / "xilinx" / "cells_sim.v";
    int removed = 0;
    const std::string cells = detail::strip_xc7_block_ram_models(read_text_file(library), &removed);
    if (removed != 2) {
      throw IoError(fmt::format("{}: {} of the two block RAM modules RAMB18E1 and RAMB36E1 found (Yosys 0.23 "
                                "declares both, without behaviour, for sim/netlist/xc7_bram_sim.v to replace); not a "
                                "Xilinx library neurofab knows",
                                library.string(), removed));
    }
    write_file_atomically(work.path() / "xc7_cells_sim.v", cells);
    b.rtl_sources = {work.path() / "xc7_cells_sim.v", resource_path("sim") / "netlist" / "xc7_bram_sim.v", verilog};
    // Undefined constant bits (unused block RAM bits and data inputs) read 0,
    // whatever Verilator would find fastest.
    b.arguments.insert(b.arguments.end(), {"--x-assign", "0"});
  } else {
    b.rtl_sources = {yosys_data_dir("ice40") / "ice40" / "cells_sim.v", verilog};
    // NO_ICE40_DEFAULT_ASSIGNMENTS drops port default values, which Verilator
    // 5.006 rejects; every pin is connected in the netlists anyway.
    b.arguments.push_back("-DNO_ICE40_DEFAULT_ASSIGNMENTS");
  }
  b.arguments.insert(b.arguments.end(),
                     {"-CFLAGS", fmt::format("-std=c++17 -O2 {} -DNF_CLOCKS_PER_BIT={} -DNF_QUIET_CYCLES={}",
                                             build.family == models::Family::kLif ? "-DNF_TOP_LIF" : "-DNF_TOP_RATE",
                                             build.clocks_per_bit, build.quiet_cycles)});
  return detail::build_cached(b, fs::absolute(o.cache_dir.empty() ? default_cache_dir() : o.cache_dir), built);
}

HilResult run_netlist_hil(const quantize::QuantizedArtifact& artifact, const BuildNetlists& build,
                          const NetlistBoardOptions& board_options, const HilOptions& hil) {
  const fs::path executable = build_netlist_board(build, board_options);
  const VirtualBoard board(executable);
  SerialPort port(board.port(), 115200);
  // Gate-level simulation runs 0.1–0.4 M cycles/s: a request takes well under a
  // second even at 868 clocks per UART bit; two minutes only stop a hang.
  HostLink link(port, std::chrono::milliseconds(120'000));
  HilResult r = run_hil(artifact, link, hil);
  // A board straight from power-on answers the first INFO cleanly. `hil`
  // forgives stray bytes on a real line; here they are the design's own: a
  // UART that starts low (a lost preset) sends garbage the host drains and
  // would otherwise pass unnoticed.
  const bool framing_errors = board.log().find("framing error") != std::string::npos;
  if (r.stray_bytes > 0 || r.connect_attempts > 1 || framing_errors) {
    throw VerificationError(fmt::format(
        "the {} netlist of {}: its UART misbehaved from power-on ({} stray bytes, INFO answered at attempt {}{})",
        netlist_level_name(board_options.level), build.dir.string(), r.stray_bytes, r.connect_attempts,
        framing_errors ? ", framing errors on uart_tx_o" : ""));
  }
  return r;
}

}  // namespace nf::sim
