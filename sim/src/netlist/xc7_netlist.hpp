#pragma once
// The synthesized Xilinx 7-series netlist (Yosys synth_xilinx) made ready for
// simulation with Yosys's Xilinx cell library (share/yosys/xilinx/cells_sim.v)
// and neurofab's block RAM models (sim/netlist/xc7_bram_sim.v):
//
//   - cells_sim.v of Yosys 0.23 declares RAMB18E1 and RAMB36E1 with their
//     ports, parameters and timing only (no behaviour: their outputs would
//     never change); those two modules are dropped and xc7_bram_sim.v
//     defines them instead;
//   - a flip-flop whose INIT Yosys left undefined (x: the RTL gave it no
//     initial value) powers up as configuration sets it: at the primitive's
//     default INIT, 0 for FDRE/FDCE (and FDRSE/FDCPE, LDCE), 1 for FDSE/FDPE
//     (LDPE), the values Vivado gives such registers;
//   - a netlist Yosys 0.23 is known to map wrongly is refused: a RAMB36E1 in
//     72-bit simple dual port mode that is written, whose DIPBDIP carries the
//     same bits as DIPADIP (brams_xc6v_map.v line 278 tests PORT_W_WIDTH ==
//     71, so the upper four parity lanes of every written word get copies of
//     the lower four; fixed upstream in YosysHQ/yosys pull request #5833).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace nf::sim::detail {

// `cells_sim` (the text of xilinx/cells_sim.v) without its RAMB18E1 and
// RAMB36E1 module definitions. *removed (optional): how many were dropped.
std::string strip_xc7_block_ram_models(const std::string& cells_sim, int* removed = nullptr);

// Gives every flip-flop and latch of module `top` whose INIT is undefined
// (any x bit) its primitive's default INIT. Returns how many were changed.
int set_xc7_power_on_values(nlohmann::json& design, const std::string& top);

// The name of the first cell of module `top` hit by Yosys 0.23's 72-bit SDP
// parity mapping (above), if any.
std::optional<std::string> find_xc7_sdp72_parity_bug(const nlohmann::json& design, const std::string& top);

}  // namespace nf::sim::detail
