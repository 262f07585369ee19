#pragma once
// The netlists a board build produces, on the virtual board: what is
// flashed, simulated with the vendor's primitive models and driven through
// its UART pin by the same host code as a board (`neurofab verify --level
// synth|routed`, `neurofab build --verify synth|routed`; docs/rtl.md).
//
// iCE40 builds:
//   synth   the netlist Yosys's synth_ice40 wrote (<build>/<top>.json)
//   routed  the design nextpnr-ice40 placed and routed and icepack packed
//           (<build>/<top>_routed.json, nextpnr --write of the same run as
//           the .asc), unpacked into the same primitives (ice40_unpack.hpp)
// Both run with Yosys's iCE40 simulation library (share/yosys/ice40/
// cells_sim.v: SB_LUT4, SB_CARRY, SB_DFF*, SB_RAM40_4K, SB_MAC16, …); every
// flip-flop powers up at 0 (the models' initial values).
//
// Xilinx 7-series builds (Arty A7-35, PYNQ-Z2):
//   synth   the netlist Yosys's synth_xilinx -flatten wrote (<build>/<top>.json)
//   (no routed level: place and route needs Vivado, which is not run here)
// It runs with Yosys's Xilinx library (share/yosys/xilinx/cells_sim.v: LUTs,
// CARRY4, MUXF7/8, FD*, RAM64M and the other LUT RAMs, DSP48E1, …) whose
// RAMB18E1/RAMB36E1, declared there without behaviour, are replaced by
// neurofab's models (sim/netlist/xc7_bram_sim.v); a flip-flop whose INIT
// Yosys left undefined powers up at its primitive's default (0 for FDRE/FDCE,
// 1 for FDSE/FDPE), and a netlist with a memory Yosys 0.23 maps wrongly is
// refused (xc7_netlist.hpp).
//
// The netlist becomes Verilog (Yosys write_verilog) and runs under Verilator
// inside the virtual board's harness (sim/board/nf_board_sim.cpp), from the
// FPGA's power-on state: flip-flops at their initial values, every block RAM
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
  kWrongMemoryImage,  // a block RAM of the recurrent weights (u_w_rec: SB_RAM40_4K, RAMB18E1 or RAMB36E1) gets
                      // two neighbouring 256-bit INIT rows swapped
  kDroppedClockEnable,  // the flip-flops of the most used clock-enable net load every cycle
};

// What a build folder says about its netlists (report.json).
struct BuildNetlists {
  std::filesystem::path dir;
  std::string top;            // nf_rate_system or nf_lif_system
  models::Family family;
  std::string device_family;  // "ice40" (synth and routed) or "xc7" (synth only)
  int clocks_per_bit = 0, quiet_cycles = 0;
  std::filesystem::path netlist(NetlistLevel level) const;  // the JSON the level starts from
};
// Throws nf::InputError naming the file and what would fix it.
BuildNetlists read_build_netlists(const std::filesystem::path& build_dir);

// Throws nf::InputError (one line) when the build has no netlist at `level`:
// `routed` of a Xilinx build.
void require_netlist_level(const BuildNetlists& build, NetlistLevel level);

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
