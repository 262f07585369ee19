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

PnrReport place_and_route(const BuildContext& c, ToolRunner& tools, const std::string& pcf) {
  const std::string freq = fmt::format("{}", c.board.clock_mhz());
  const ProcessResult pnr = tools.run(
      "place_and_route",
      {"nextpnr-ice40", "--" + c.board.device, "--package", c.board.package, "--json", c.top + ".json", "--pcf", pcf,
       "--asc", c.top + ".asc", "--write", c.top + "_routed.json", "--freq", freq, "--seed", std::to_string(c.options.seed), "--report",
       "nextpnr_report.json"},
      "", "logs/nextpnr.log");
  if (!pnr.ok()) nextpnr_failed(c, pnr);
  return read_pnr_report(nlohmann::json::parse(read_text_file(c.root / "nextpnr_report.json")), "nextpnr_report.json");
}

std::string nextpnr_version() { return tool_version({"nextpnr-ice40", "--version"}); }

}  // namespace nf::boards
