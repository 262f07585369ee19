#include "neurofab/quantize/cycle_model.hpp"

#include <fmt/format.h>

#include "neurofab/common/error.hpp"

namespace nf::quantize {
namespace {

std::int64_t groups(int items, int lanes) { return (items + lanes - 1) / lanes; }

}  // namespace

std::int64_t rate_step_cycles(const RateCoreShape& s) {
  if (s.units < 1 || s.inputs < 1 || s.outputs < 1 || s.lanes < 1) {
    throw InputError(fmt::format("rate core shape: units {}, inputs {}, outputs {}, lanes {} must all be >= 1",
                                 s.units, s.inputs, s.outputs, s.lanes));
  }
  return groups(s.units, s.lanes) * (s.inputs + s.units) + s.lanes + 4;
}

std::int64_t lif_step_cycles(const LifCoreShape& s, std::int64_t previous_spikes, std::int64_t spikes) {
  if (s.units < 1 || s.inputs < 1 || s.outputs < 1 || s.lanes < 1) {
    throw InputError(fmt::format("LIF core shape: units {}, inputs {}, outputs {}, lanes {} must all be >= 1",
                                 s.units, s.inputs, s.outputs, s.lanes));
  }
  if (previous_spikes < 0 || previous_spikes > s.units || spikes < 0 || spikes > s.units) {
    throw InputError(fmt::format("LIF cycle model: spike counts {} and {} must be in [0, {}]", previous_spikes, spikes,
                                 s.units));
  }
  const std::int64_t p = s.lanes;
  return groups(s.units, s.lanes) * ((s.inputs + 1) + (previous_spikes + 2) + (p + 1)) +
         groups(s.outputs, s.lanes) * ((spikes + 2) + 1);
}

std::int64_t clear_cycles(int units) { return units; }

}  // namespace nf::quantize
