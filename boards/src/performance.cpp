#include "neurofab/boards/performance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "neurofab/common/error.hpp"
#include "neurofab/golden/cycle_model.hpp"
#include "neurofab/quantize/trial_run.hpp"

namespace nf::boards {

namespace {

CycleStats rate_stats(const quantize::IntegerRateRnn& net, int lanes) {
  const auto& c = net.config();
  const std::int64_t cycles = golden::rate_step_cycles({c.n_rec, c.n_in, c.n_out, lanes});
  CycleStats s;
  s.mean = static_cast<double>(cycles);
  s.max = s.min = s.silent = s.all_spiking = cycles;
  return s;
}

CycleStats lif_stats(const quantize::QuantizedArtifact& q, const quantize::IntegerLifRnn& net, int lanes, int trials,
                     std::uint64_t seed) {
  const auto& c = net.config();
  const golden::LifCoreShape shape{c.n_rec, c.n_in_encoded(), c.n_out, lanes};
  CycleStats s;
  s.event_driven = true;
  s.silent = golden::lif_step_cycles(shape, 0, 0);
  s.all_spiking = golden::lif_step_cycles(shape, c.n_rec, c.n_rec);
  s.trials = trials;
  s.seed = seed;
  const golden::GoldenTrace v = quantize::run_trials(q, trials, seed, quantize::TraceContent::kOutputs);
  s.steps = v.steps();
  double total = 0, spikes = 0;
  s.min = std::numeric_limits<std::int64_t>::max();
  for (int k = 0; k < v.trials(); ++k) {
    std::int64_t previous = 0;  // every trial starts from a cleared core
    for (int t = 0; t < v.steps(); ++t) {
      const std::int64_t now = v.value<std::int64_t>("spike_count", k, t, 0);
      const std::int64_t cycles = golden::lif_step_cycles(shape, previous, now);
      total += static_cast<double>(cycles);
      spikes += static_cast<double>(now);
      s.max = std::max(s.max, cycles);
      s.min = std::min(s.min, cycles);
      previous = now;
    }
  }
  const double n = static_cast<double>(v.trials()) * v.steps();
  s.mean = total / n;
  s.spikes_per_step = spikes / n;
  return s;
}

}  // namespace

CycleStats cycle_stats(const quantize::QuantizedArtifact& q, int lanes, int trials, std::uint64_t seed) {
  if (const auto* rate = std::get_if<quantize::IntegerRateRnn>(&q.network)) return rate_stats(*rate, lanes);
  if (trials < 1) throw InputError(fmt::format("--trials {}: the LIF cycle statistics need at least 1 trial", trials));
  return lif_stats(q, std::get<quantize::IntegerLifRnn>(q.network), lanes, trials, seed);
}

StepExchange step_exchange(int inputs, int input_width, int outputs, int output_width, double baud) {
  StepExchange e;
  // Frame: sync, command, length (2), payload, CRC → 5 bytes around the payload.
  e.request_bytes = 5 + static_cast<std::int64_t>(inputs) * ((input_width + 7) / 8);
  // Step report: y (n_out values), step cycles u32, overflow events u32.
  e.response_bytes = 5 + static_cast<std::int64_t>(outputs) * ((output_width + 7) / 8) + 8;
  e.uart_seconds = 10.0 * static_cast<double>(e.request_bytes + e.response_bytes) / baud;
  e.uart_steps_per_second = 1.0 / e.uart_seconds;
  return e;
}

}  // namespace nf::boards
