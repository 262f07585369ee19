#include "fit_advice.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "neurofab/models/family.hpp"
#include "number_text.hpp"

namespace nf::boards {

namespace {

std::string model_phrase(const BuildContext& c) {
  const int lanes = c.options.lanes;
  return fmt::format("the {} of {} (N = {}, n_in {}, n_out {}, {} lane{})", models::display_name(c.rtl.family), c.qdir,
                     c.rtl.units, c.rtl.inputs, c.rtl.outputs, lanes, lanes == 1 ? "" : "s");
}

std::string weight_phrase(const BuildContext& c) {
  return fmt::format("now {}-bit weights, {}-bit {}", c.rtl.weight_width, c.rtl.state_width,
                     c.rtl.family == models::Family::kLif ? "membrane" : "state");
}

}  // namespace

std::vector<std::string> fit_advice(const BuildContext& c, const std::string& resource) {
  std::vector<std::string> a;
  const Board& board = c.board;
  const int lanes = c.options.lanes;
  const bool no_dsp = board.family == Family::kIce40 ? board.ice40.dsp == 0 : board.xc7.dsp == 0;
  const bool logic = resource.find("logic") != std::string::npos || resource.find("LUT") != std::string::npos ||
                     resource.find("flip-flop") != std::string::npos;
  const std::string smaller_lanes =
      lanes > 1 ? fmt::format("fewer MAC lanes (--lanes {}; now {})", lanes / 2, lanes) : "";
  if (logic) {
    if (!smaller_lanes.empty()) {
      a.push_back(smaller_lanes + (no_dsp ? ": this device has no DSP blocks, so every lane's multiplier is built "
                                            "from logic"
                                          : ""));
    }
    a.push_back(fmt::format("fewer bits at `neurofab quantize` (--bits; {})", weight_phrase(c)));
    a.push_back(fmt::format("a smaller network (now N = {})", c.rtl.units));
  } else if (resource.find("BRAM") != std::string::npos || resource.find("SPRAM") != std::string::npos) {
    const std::int64_t units = c.rtl.units;
    a.push_back(fmt::format("fewer bits at `neurofab quantize` (--bits; {}: W_rec alone is N² = {} weights)",
                            weight_phrase(c), units * units));
    a.push_back(fmt::format("a smaller network (now N = {})", c.rtl.units));
  } else if (resource.find("DSP") != std::string::npos) {
    if (!smaller_lanes.empty()) a.push_back(smaller_lanes + ": one multiplier per lane, plus the readout's");
    a.push_back(fmt::format("fewer bits at `neurofab quantize` (--bits; {})", weight_phrase(c)));
  }
  a.push_back("a board with a larger FPGA");
  return a;
}

void refuse(const BuildContext& c, const std::vector<ResourceUse>& over, const std::string& when) {
  std::string text = fmt::format("{} does not fit {} ({} {}), {}:", model_phrase(c), c.board.title,
                                 family_name(c.board.family), c.board.device, when);
  for (const auto& r : over) {
    text += fmt::format("\n  {}: {} needed, {} available ({})", r.resource, format_count(r.used), r.available, r.detail);
  }
  std::vector<std::string> changes;
  for (const auto& r : over) {
    for (auto& a : fit_advice(c, r.resource)) {
      if (std::find(changes.begin(), changes.end(), a) == changes.end()) changes.push_back(a);
    }
  }
  text += fmt::format("\nTo fit, use {}.", fmt::join(changes, ", or "));
  throw FitError(text);
}

void check_fit(const BuildContext& c, const std::vector<ResourceUse>& rows, const std::string& when) {
  std::vector<ResourceUse> over;
  for (const auto& r : rows) {
    if (!r.fits()) over.push_back(r);
  }
  if (!over.empty()) refuse(c, over, when);
}

}  // namespace nf::boards
