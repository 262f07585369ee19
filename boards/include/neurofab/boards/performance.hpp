#pragma once
// How fast a built network runs on a board, from the cycle model of the
// cores (golden/cycle_model.hpp, checked cycle for cycle against the RTL)
// and the host link's frame sizes (docs/host-link.md):
//   - compute: cycles per timestep → latency at the board clock and
//     timesteps per second (the core alone, inputs always ready);
//   - host in the loop: one STEP exchange per timestep over the UART,
//     request 5 + n_in·⌈InputWidth/8⌉ bytes, response 5 + n_out·⌈OutputWidth/8⌉ + 8
//     bytes, 10 bits per byte (8N1), and the step's compute in between.
//
// Rate cores take the same number of cycles every step. LIF cores are
// event-driven: a step costs more the more units spiked in it and in the one
// before, so the figures are the mean and the worst step over the evaluation
// trials of the integer golden model, beside the bounds of a silent and an
// all-spiking network.

#include <cstdint>
#include <filesystem>

#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::boards {

struct CycleStats {
  bool event_driven = false;    // LIF: mean/max over trials; rate: every value equal
  double mean = 0;              // cycles per timestep
  std::int64_t max = 0;         // the slowest step seen (rate: = mean)
  std::int64_t min = 0;
  std::int64_t silent = 0;      // LIF bound: no spikes in the step or the one before (rate: = mean)
  std::int64_t all_spiking = 0; // LIF bound: every unit spikes in both
  int trials = 0;               // LIF: evaluation trials measured, and their seed
  int steps = 0;
  std::uint64_t seed = 0;
  double spikes_per_step = 0;   // LIF: mean spikes per timestep over those trials
};

// `lanes` P of the build. LIF: runs `trials` evaluation trials of `seed`
// through the integer golden model (golden vectors in a temporary folder).
CycleStats cycle_stats(const quantize::QuantizedArtifact& q, int lanes, int trials, std::uint64_t seed);

struct StepExchange {
  std::int64_t request_bytes = 0;
  std::int64_t response_bytes = 0;
  double uart_seconds = 0;           // both frames on the line at `baud`
  double uart_steps_per_second = 0;  // 1 / uart_seconds: the line alone
};

// `inputs` n_in of the core (LIF spike encodings: the encoded inputs),
// `input_width`/`output_width` the package's InputWidth/OutputWidth.
StepExchange step_exchange(int inputs, int input_width, int outputs, int output_width, double baud);

}  // namespace nf::boards
