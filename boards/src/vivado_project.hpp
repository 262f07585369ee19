#pragma once
// The Xilinx 7-series vendor flow of `neurofab build`: a Vivado project
// script (build.tcl, boards/include/neurofab/boards/build_flow.hpp's
// vivado_build_tcl) and a README.md that says how to run it. neurofab does
// not run Vivado.

#include <string>
#include <vector>

#include "build_context.hpp"
#include "neurofab/boards/utilisation.hpp"
#include "tool_runner.hpp"

namespace nf::boards {

// Writes build.tcl and README.md (with Yosys's `estimate`); `xdc` the
// constraints file's name. Returns whether Vivado is on PATH.
bool write_vivado_project(const BuildContext& c, const std::vector<ResourceUse>& estimate, const std::string& xdc);

}  // namespace nf::boards
