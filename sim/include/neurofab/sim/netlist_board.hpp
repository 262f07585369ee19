#pragma once
// The netlists a board build produces, on the virtual board: what is
// flashed, simulated with the vendor's primitive models and driven through
// its UART pin by the same host code as a board (`neurofab verify --level
// synth|routed`, `neurofab build --verify routed`; docs/rtl.md).
//
//   synth   the netlist Yosys's synth_ice40 wrote (<build>/<top>.json)
//   routed  the design nextpnr-ice40 placed and routed and icepack packed
//           (<build>/<top>_routed.json, nextpnr --write of the same run as
//           the .asc), unpacked into the same primitives (ice40_unpack.hpp)
//
// Both become Verilog (Yosys write_verilog) and run under Verilator with
// Yosys's iCE40 simulation library (share/yosys/ice40/cells_sim.v:
// SB_LUT4, SB_CARRY, SB_DFF*, SB_RAM40_4K, SB_MAC16, …) inside the virtual
// board's harness (sim/board/nf_board_sim.cpp), from the FPGA's power-on
// state: every flip-flop 0 (the models' initial values), every block RAM
// its INIT contents, no simulator reset.
#include <filesystem>
#include <string>
#include <string_view>

#include "neurofab/models/family.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/sim/hil.hpp"

namespace nf::sim {

enum class NetlistLevel { kSynth, kRouted };
NetlistLevel netlist_level_from_string(const std::string& name);  // "synth" or "routed"; nf::InputError otherwise
std::string_view netlist_level_name(NetlistLevel level);

// A deliberately wrong synthesis result, for the tests that prove the
// netlist levels catch one (tests/sim/test_netlist_board.cpp).
enum class NetlistFault {
  kNone,
  kWrongMemoryImage,  // a block RAM of the recurrent weights gets two neighbouring 256-bit rows swapped
  kDroppedClockEnable,  // the flip-flops of the most used clock-enable net load every cycle
};

// What a build folder says about its netlists (report.json).
struct BuildNetlists {
  std::filesystem::path dir;
  std::string top;            // nf_rate_system or nf_lif_system
  models::Family family;
  std::string device_family;  // "ice40" (the only one simulated so far)
  int clocks_per_bit = 0, quiet_cycles = 0;
  std::filesystem::path netlist(NetlistLevel level) const;  // the JSON the level starts from
};
// Throws nf::InputError naming the file and what would fix it.
BuildNetlists read_build_netlists(const std::filesystem::path& build_dir);

struct NetlistBoardOptions {
  NetlistLevel level = NetlistLevel::kRouted;
  NetlistFault fault = NetlistFault::kNone;
  std::filesystem::path cache_dir;  // empty: default_cache_dir()
};

// The Verilated board simulation of the build's netlist at `level` (built,
// or found in the cache: the key is the netlist's Verilog, the models and
// the harness). Throws nf::IoError with the tool's last lines on failure.
std::filesystem::path build_netlist_board(const BuildNetlists& build, const NetlistBoardOptions& options,
                                          bool* built = nullptr);

// Hardware in the loop against the netlist: `run_hil` over the simulated
// serial pin. A request may take long at gate level, so the host's timeout
// is generous (a hang is still reported, not waited out forever).
HilResult run_netlist_hil(const quantize::QuantizedArtifact& artifact, const BuildNetlists& build,
                          const NetlistBoardOptions& board, const HilOptions& hil);

}  // namespace nf::sim
