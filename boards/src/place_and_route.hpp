#pragma once
// The nextpnr-ice40 step of `neurofab build`: place and route <top>.json with
// the board's pins (<board>.pcf) at the board clock into <top>.asc, with its
// --report JSON (utilisation per BEL type, Fmax per clock). A failed run is
// read back from its log: a device it ran out of is refused as a FitError
// (boards/src/fit_advice.hpp), a missed clock is a ToolError naming the path.

#include <string>

#include "build_context.hpp"
#include "neurofab/boards/utilisation.hpp"
#include "tool_runner.hpp"

namespace nf::boards {

// `pcf` the constraints file's name in the output folder. Returns nextpnr_report.json, read.
PnrReport place_and_route(const BuildContext& c, ToolRunner& tools, const std::string& pcf);

// `nextpnr-ice40 --version`'s line.
std::string nextpnr_version();

}  // namespace nf::boards
