#pragma once
// Scoring the integer golden models on task trials: quantize::run_trials
// (trial_run.hpp) runs them, with the stimulus quantized (or spike-encoded)
// offline and every step integer-only; the output codes are read back as reals
// for the task's loss and success criterion — on exactly the trials
// models::evaluate() uses, so float and integer compare like for like.

#include <cstdint>

#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/integer_lif_rnn.hpp"
#include "neurofab/quantize/integer_rate_rnn.hpp"

namespace nf::quantize {

// The scores of models/output_scores.hpp, and what only the integer model has.
struct IntegerEvaluation {
  double mse = 0;
  double success_rate = 0;
  double distance = 0;
  int trials = 0;
  std::int64_t overflow_events = 0;  // values saturated or wrapped, over all trials
  double spikes_per_step = 0;        // LIF only
  double synaptic_events_per_step = 0;
};

// The outputs of `trials` evaluation trials of `seed`, as reals, with the trials
// and the trace they came from (output, step counts and overflow events only).
struct IntegerOutputs {
  models::Batch batch;
  Eigen::MatrixXd outputs;  // n_out x T·B, column batch.column(t, b)
  std::int64_t overflow_events = 0;
  golden::GoldenTrace trace;
};
IntegerOutputs integer_outputs(const IntegerRateRnn& network, const models::Task& task, int trials,
                               std::uint64_t seed);
IntegerOutputs integer_outputs(const IntegerLifRnn& network, const models::Task& task, int trials,
                               std::uint64_t seed);

// Outputs (n_out x T·B, as reals) of `trials` evaluation trials of `seed`.
IntegerEvaluation evaluate_integer(const IntegerRateRnn& network, const models::Task& task, int trials,
                                   std::uint64_t seed);
IntegerEvaluation evaluate_integer(const IntegerLifRnn& network, const models::Task& task, int trials,
                                   std::uint64_t seed);
// The same on given trials (e.g. a data file's, in its order), scored by `task`'s criterion.
IntegerEvaluation evaluate_integer(const IntegerRateRnn& network, const models::EvaluationTrials& trials,
                                   const models::Task& task);
IntegerEvaluation evaluate_integer(const IntegerLifRnn& network, const models::EvaluationTrials& trials,
                                   const models::Task& task);

}  // namespace nf::quantize
