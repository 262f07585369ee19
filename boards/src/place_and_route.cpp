#include "place_and_route.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "fit_advice.hpp"
#include "neurofab/common/text_file.hpp"

namespace nf::boards {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void nextpnr_failed(const BuildContext& c, const ProcessResult& r) {
  const fs::path log = c.root / "logs/nextpnr.log";
  const PnrLog failed = read_pnr_log(read_text_file(log));
  if (!failed.exhausted_bel.empty()) {
    std::vector<ResourceUse> over;
    for (const auto& [bel, use] : failed.utilisation) {
      if (use.first > use.second || bel == failed.exhausted_bel) {
        over.push_back({ice40_bel_name(bel), static_cast<double>(use.first), use.second,
                        "nextpnr-ice40 " + bel + " after packing"});
      }
    }
    if (over.empty()) over.push_back({ice40_bel_name(failed.exhausted_bel), 0, 0, "nextpnr-ice40 ran out of them"});
    refuse(c, over, "found by nextpnr-ice40's placer (the pre-check from Yosys's counts is a lower bound)");
  }
  if (failed.failed_fmax_mhz) {
    const std::string path =
        failed.critical_to.empty()
            ? ""
            : fmt::format(" Critical path ({:.1f} ns): {} → {}.", failed.critical_ns, failed.critical_from,
                          failed.critical_to);
    throw ToolError(fmt::format(
        "timing not met: {} reaches {:.2f} MHz after place and route, the {} clock is {} MHz, so no bitstream is "
        "written.{} Try another placer --seed (now {}), narrower numbers (`neurofab quantize --bits`), or fewer "
        "MAC lanes (--lanes, now {}).",
        c.top, *failed.failed_fmax_mhz, c.board.title, c.board.clock_mhz(), path, c.options.seed, c.options.lanes));
  }
  throw ToolError(fmt::format("nextpnr-ice40 failed ({}); last lines of its log:{}", r.describe(), last_lines(log, 15)));
}

}  // namespace

PlacedDesign place_and_route(const BuildContext& c, ToolRunner& tools, const std::string& pcf) {
  const std::string freq = fmt::format("{}", c.board.clock_mhz());
  const ProcessResult pnr = tools.run(
      "place_and_route",
      {"nextpnr-ice40", "--" + c.board.device, "--package", c.board.package, "--json", c.top + ".json", "--pcf", pcf,
       "--asc", c.top + ".asc", "--write", c.top + "_routed.json", "--freq", freq, "--seed", std::to_string(c.options.seed), "--report",
       "nextpnr_report.json", "--sdf", c.top + ".sdf"},
      "", "logs/nextpnr.log");
  if (!pnr.ok()) nextpnr_failed(c, pnr);
  PlacedDesign placed;
  placed.report =
      read_pnr_report(nlohmann::json::parse(read_text_file(c.root / "nextpnr_report.json")), "nextpnr_report.json");
  // The system top has one clock; take clk_i's entry (the only one).
  for (const auto& [clock, f] : placed.report.fmax) {
    if (placed.clock.empty() || clock.find("clk_i") != std::string::npos) {
      placed.clock = clock;
      placed.nextpnr_fmax_mhz = f.first;
    }
  }
  if (placed.clock.empty()) throw IoError("nextpnr_report.json: no Fmax for the clock");

  // The paths through the DSPs, which nextpnr does not time (dsp_timing.hpp).
  const auto configs = ice40_dsp_configs(nlohmann::json::parse(read_text_file(c.root / (c.top + ".json"))));
  placed.dsp = time_through_dsps(read_text_file(c.root / (c.top + ".sdf")), configs);
  placed.fmax_mhz = trusted_fmax_mhz(placed.dsp, placed.nextpnr_fmax_mhz);
  // Fewer lanes shorten only the paths through the lanes' DSPs (on the LIF
  // demo the worst path goes through a decay multiplier at 1 to 4 lanes).
  const std::string fewer_lanes =
      c.options.lanes > 1
          ? fmt::format(", or fewer MAC lanes when the DSP is a lane's (--lanes {}; now {})", c.options.lanes - 1,
                        c.options.lanes)
          : "";
  check_dsp_timing(placed.dsp, c.board.clock_mhz(), placed.nextpnr_fmax_mhz, c.top,
                   fmt::format("another placer --seed (now {}), a core with a register after the multiplier "
                               "(docs/boards.md, \"Timing through the DSPs\"){}",
                               c.options.seed, fewer_lanes));
  return placed;
}

std::string nextpnr_version() { return tool_version({"nextpnr-ice40", "--version"}); }

}  // namespace nf::boards
