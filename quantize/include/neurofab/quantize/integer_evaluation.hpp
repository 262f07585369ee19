#pragma once
// Running the integer golden models on task trials: the stimulus is quantized
// (or spike-encoded) offline, every step is integer-only, and the output codes
// are read back as reals for the task's loss and success criterion — on
// exactly the trials models::evaluate() uses, so float and integer compare
// like for like.

#include <cstdint>

#include "neurofab/models/task.hpp"
#include "neurofab/quantize/integer_lif_rnn.hpp"
#include "neurofab/quantize/integer_rate_rnn.hpp"

namespace nf::quantize {

struct IntegerEvaluation {
  double mse = 0;
  double success_rate = 0;
  int trials = 0;
  std::int64_t overflow_events = 0;  // values saturated or wrapped, over all trials
  double spikes_per_step = 0;        // LIF only
  double synaptic_events_per_step = 0;
};

// Task inputs x (n_in x T·B) as codes of `format` (offline stimulus preparation).
IntMatrix quantize_stimulus(const Eigen::MatrixXd& inputs, const FixedFormat& format, Rounding rounding);

// Outputs (n_out x T·B, as reals) of `trials` evaluation trials of `seed`.
IntegerEvaluation evaluate_integer(const IntegerRateRnn& network, const models::Task& task, int trials,
                                   std::uint64_t seed);
IntegerEvaluation evaluate_integer(const IntegerLifRnn& network, const models::Task& task, int trials,
                                   std::uint64_t seed);

}  // namespace nf::quantize
