#pragma once
// The placed-and-routed iCE40 netlist as nextpnr-ice40 writes it (`--write`,
// the design the .asc is made from) rewritten in the primitives of Yosys's
// iCE40 simulation library (share/yosys/ice40/cells_sim.v), so Verilator can
// run it with the same models as the synthesized netlist.
//
// nextpnr packs the design into ICESTORM_LC (LUT, carry, flip-flop of one
// logic cell), ICESTORM_RAM and ICESTORM_DSP cells and adds SB_IO and SB_GB.
// cells_sim.v models ICESTORM_LC and ICESTORM_RAM with 4-state pull-up and
// pull-down tests (`pin === 1'bz`) that Verilator, a 2-state simulator,
// rejects, and has no ICESTORM_DSP. Each packed cell is therefore split back
// into the primitives its configuration selects, with what the silicon does
// for an unconnected pin made explicit (the cells' pull-ups: a logic cell's
// CEN, a RAM's RCLKE/WCLKE and a DSP's CE read 1, every other input 0):
//
//   ICESTORM_LC   SB_LUT4 (LUT_INIT); SB_CARRY when CARRY_ENABLE
//                 (CI = CIN_SET when CIN_CONST); when DFF_ENABLE the flip-flop
//                 its parameters select: SB_DFF[N][E][SR|SS|R|S] (NEG_CLK,
//                 CEN connected, SR connected with ASYNC_SR/SET_NORESET)
//   ICESTORM_RAM  SB_RAM40_4K[NR][NW] (NEG_CLK_R/W) with the INIT_0…F contents
//   ICESTORM_DSP  SB_MAC16 with the same parameters, single-bit ports regrouped
//   SB_IO         a wire (an SB_LUT4 passing I0), for the unregistered input and output pin types the
//                 system tops use (any other PIN_TYPE is refused)
//   SB_GB         kept (cells_sim.v's model is a wire)
//
// The rewrite is checked where it matters: the routed netlist then runs in
// lock step with the golden model like every other level.
#include <nlohmann/json.hpp>
#include <string>

namespace nf::sim::detail {

// The design of `nextpnr_json` (nextpnr-ice40 --write) in cells_sim.v
// primitives, as a Yosys JSON netlist whose one module is named `top_name`.
// Throws nf::InputError naming a cell nothing here models (e.g. SB_SPRAM
// packed as ICESTORM_SPRAM, a PLL, a registered I/O pin).
nlohmann::json unpack_ice40_routed(const nlohmann::json& nextpnr_json, const std::string& top_name);

}  // namespace nf::sim::detail
