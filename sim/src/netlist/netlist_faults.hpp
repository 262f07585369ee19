#pragma once
// Deliberately wrong synthesis results (NetlistFault), applied to a netlist in
// cells_sim.v primitives before it is simulated: the tests prove that the
// netlist levels catch what a wrong mapping would do.
#include <nlohmann/json.hpp>
#include <string>

#include "neurofab/sim/netlist_board.hpp"

namespace nf::sim::detail {

// Changes module `top` of the Yosys JSON `design` as `fault` says (a
// synthesized netlist also holds Yosys's helper and blackbox modules). Throws
// nf::InputError when the design has nothing the fault applies to.
void apply_netlist_fault(nlohmann::json& design, const std::string& top, NetlistFault fault);

}  // namespace nf::sim::detail
