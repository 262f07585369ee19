#pragma once
// The nextpnr-ice40 step of `neurofab build`: place and route <top>.json with
// the board's pins (<board>.pcf) at the board clock into <top>.asc, with its
// --report JSON (utilisation per BEL type, Fmax per clock). A failed run is
// read back from its log: a device it ran out of is refused as a FitError
// (boards/src/fit_advice.hpp), a missed clock is a ToolError naming the path.
// nextpnr also writes the routed delays as <top>.sdf, from which the paths
// through the SB_MAC16 blocks are timed (neurofab/boards/dsp_timing.hpp): a
// path through a DSP longer than the clock period is a ToolError too.

#include <string>

#include "build_context.hpp"
#include "neurofab/boards/dsp_timing.hpp"
#include "neurofab/boards/utilisation.hpp"
#include "tool_runner.hpp"

namespace nf::boards {

struct PlacedDesign {
  PnrReport report;      // nextpnr_report.json
  std::string clock;     // the system clock's name in it
  double nextpnr_fmax_mhz = 0;
  DspTiming dsp;         // the paths through the DSPs, from <top>.sdf
  double fmax_mhz = 0;   // trusted_fmax_mhz(dsp, nextpnr_fmax_mhz)
};

// `pcf` the constraints file's name in the output folder.
PlacedDesign place_and_route(const BuildContext& c, ToolRunner& tools, const std::string& pcf);

// `nextpnr-ice40 --version`'s line.
std::string nextpnr_version();

}  // namespace nf::boards
