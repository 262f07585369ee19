#pragma once
// The Yosys step of `neurofab build`: a script in the output folder (read the
// sources of rtl/, set the UART generics, synthesise, `stat -json` into
// synth_stat.json), run in rtl/ as $readmemh opens the images there; the cell
// counts it returns feed the fit check (boards/src/fit_advice.hpp).

#include <cstdint>
#include <map>
#include <string>

#include "build_context.hpp"
#include "tool_runner.hpp"

namespace nf::boards {

// iCE40: synth.ys with synth_ice40 (-dsp and -spram when the device has them;
// -abc9 -device hx|lp|u with BuildOptions::abc9), the netlist in <top>.json.
std::map<std::string, std::int64_t> synthesise_ice40(const BuildContext& c, ToolRunner& tools);

// Xilinx 7-series: estimate.ys with synth_xilinx -family xc7 -flatten, for the
// utilisation estimate and the synth netlist level; the netlist in <top>.json.
std::map<std::string, std::int64_t> estimate_xc7(const BuildContext& c, ToolRunner& tools);

// `yosys -V`'s line.
std::string yosys_version();

}  // namespace nf::boards
