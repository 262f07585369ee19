#pragma once
// report.json of `neurofab build` (format "neurofab-build-report"): the
// board, the model (sizes, widths and config id from the RTL configuration),
// the UART timing, Yosys's cells and the fit check, the performance from the
// cycle model and the host link, and per flow the utilisation, timing,
// bitstream, tools and the commands run. report_markdown() renders it.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "build_context.hpp"
#include "neurofab/boards/utilisation.hpp"
#include "place_and_route.hpp"
#include "tool_runner.hpp"

namespace nf::boards {

// iCE40: the utilisation nextpnr reported, the timing (nextpnr's and through
// the DSPs), the bitstream of `bitstream_bytes`.
nlohmann::json ice40_report(const BuildContext& c, const std::map<std::string, std::int64_t>& counts,
                            const std::vector<ResourceUse>& estimate, const PlacedDesign& placed,
                            std::uintmax_t bitstream_bytes, const ToolRunner& tools);

// Xilinx 7-series: Yosys's estimate, timing not analysed, the Vivado project (`vivado`: on PATH).
nlohmann::json xc7_report(const BuildContext& c, const std::map<std::string, std::int64_t>& counts,
                          const std::vector<ResourceUse>& estimate, bool vivado, const ToolRunner& tools);

}  // namespace nf::boards
