#pragma once
// The cycle model of the RTL cores (rtl/sv/, docs/rtl.md): how many clock
// cycles one timestep takes, from the cycle after the input handshake to the
// cycle the output becomes valid. The Verilator testbench checks every
// timestep against it (sim/), so it is exact, not an estimate.
//
// nf_rate_core, N units in G = ⌈N/P⌉ groups of P lanes, n_in inputs: one
// MAC item (an input or an old h_j) per cycle, group after group; the update
// of a group and the readout overlap the next group's MACs, so only the last
// group's update shows, with the pipeline's latency (last consume, hand-over
// to the update unit, table read, emit):
//
//   cycles = G · (n_in + N) + P + 4
//
// against the MAC bound ⌈N (n_in + N) / P⌉: equal when P divides N, plus P + 4.
//
// nf_lif_core, n_x encoded inputs, S_{t-1} and S_t the spikes of the last
// and the current step (event-driven: only the weight columns of units that
// spiked are read). The recurrent and readout phases read a spike list, then
// the weights it points to: two cycles of latency.
//
//   cycles = G · ((n_x + 1) + (S_{t-1} + 2) + (P + 1))  input, recurrent, update
//          + G_o · ((S_t + 2) + 1)                       readout, emit
//
// Clearing the state (after reset, or on clear) takes N cycles.
//
// Header-only, C++17, the standard library alone: the lock-step harnesses
// (sim/) include it as they are, and a bad shape throws std::invalid_argument
// naming the sizes (the CLI turns it into an error line).

#include <cstdint>
#include <stdexcept>
#include <string>

namespace nf::golden {

struct RateCoreShape {
  int units = 0;    // N
  int inputs = 0;   // n_in
  int outputs = 0;  // n_out
  int lanes = 1;    // P
};

namespace detail {

inline std::int64_t groups(int items, int lanes) { return (items + lanes - 1) / lanes; }

inline void check_shape(const char* core, int units, int inputs, int outputs, int lanes) {
  if (units < 1 || inputs < 1 || outputs < 1 || lanes < 1) {
    throw std::invalid_argument(std::string(core) + " core shape: units " + std::to_string(units) + ", inputs " +
                                std::to_string(inputs) + ", outputs " + std::to_string(outputs) + ", lanes " +
                                std::to_string(lanes) + " must all be >= 1");
  }
}

}  // namespace detail

inline std::int64_t rate_step_cycles(const RateCoreShape& s) {
  detail::check_shape("rate", s.units, s.inputs, s.outputs, s.lanes);
  return detail::groups(s.units, s.lanes) * (s.inputs + s.units) + s.lanes + 4;
}

struct LifCoreShape {
  int units = 0;    // N
  int inputs = 0;   // n_x, encoded inputs (2·n_in for spike encodings)
  int outputs = 0;  // n_out
  int lanes = 1;    // P
};

// `previous_spikes` S_{t-1} (0 at the first step after a clear), `spikes` S_t.
inline std::int64_t lif_step_cycles(const LifCoreShape& s, std::int64_t previous_spikes, std::int64_t spikes) {
  detail::check_shape("LIF", s.units, s.inputs, s.outputs, s.lanes);
  if (previous_spikes < 0 || previous_spikes > s.units || spikes < 0 || spikes > s.units) {
    throw std::invalid_argument("LIF cycle model: spike counts " + std::to_string(previous_spikes) + " and " +
                                std::to_string(spikes) + " must be in [0, " + std::to_string(s.units) + "]");
  }
  const std::int64_t p = s.lanes;
  return detail::groups(s.units, s.lanes) * ((s.inputs + 1) + (previous_spikes + 2) + (p + 1)) +
         detail::groups(s.outputs, s.lanes) * ((spikes + 2) + 1);
}

inline std::int64_t clear_cycles(int units) { return units; }

}  // namespace nf::golden
