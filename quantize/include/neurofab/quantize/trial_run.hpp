#pragma once
// run_trials: the one trial loop of the integer golden model. It runs K
// evaluation trials (models::evaluation_trials: the batch and noise `neurofab
// eval` uses) with the stimulus quantized offline (or spike-encoded exactly as
// the float model sees it), and records every step as a golden::GoldenTrace.
// Evaluation, golden vectors, degradation, cycle statistics, HLS test data,
// HIL and compare all read that trace (docs/architecture.md).
//
// The signals and their order are those of golden_vectors.hpp:
//   rate: input, accumulator, state, output, macs, table_lookups, overflow_events
//   LIF:  input, current, membrane, spikes, refractory, output,
//         input_macs, synaptic_events, decays, spike_count, overflow_events
// TraceContent::kOutputs records only what scoring reads (output, the step
// counts, overflow_events): evaluation over thousands of trials stays small.

#include <cstdint>

#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/integer_lif_rnn.hpp"
#include "neurofab/quantize/integer_rate_rnn.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::quantize {

enum class TraceContent { kEverySignal, kOutputs };

// Task inputs x (n_in x T·B) as codes of `format` (offline stimulus preparation).
IntMatrix quantize_stimulus(const Eigen::MatrixXd& inputs, const FixedFormat& format, Rounding rounding);

// The trials of `data` through `network`. The header holds model_type, model,
// fixed_point, trials, steps and overflow_events_per_trial.
golden::GoldenTrace run_trials(const IntegerRateRnn& network, const models::EvaluationTrials& data,
                               TraceContent content = TraceContent::kEverySignal);
golden::GoldenTrace run_trials(const IntegerLifRnn& network, const models::EvaluationTrials& data,
                               TraceContent content = TraceContent::kEverySignal);

// `trials` evaluation trials of `seed` of the artifact's task; the header also
// names the task and seed and the float artifact it was quantized from.
// Throws nf::InputError for trials < 1.
golden::GoldenTrace run_trials(const QuantizedArtifact& artifact, int trials, std::uint64_t seed,
                               TraceContent content = TraceContent::kEverySignal);

// The trace's output codes as reals, n_out x T·B in the batch's column order
// (column batch.column(t, b)), for the task's loss and success criterion.
Eigen::MatrixXd output_values(const golden::GoldenTrace& trace, const models::Batch& batch,
                              const FixedFormat& output_format);

}  // namespace nf::quantize
