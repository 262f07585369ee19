#include "neurofab/quantize/integer_evaluation.hpp"

#include <numeric>

#include "neurofab/models/output_scores.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/trial_run.hpp"

namespace nf::quantize {
namespace {

std::int64_t sum(const std::vector<std::int64_t>& values) {
  return std::accumulate(values.begin(), values.end(), std::int64_t{0});
}

template <typename Network>
IntegerOutputs outputs_of(const Network& network, models::EvaluationTrials data) {
  golden::GoldenTrace trace = run_trials(network, data, TraceContent::kOutputs);
  IntegerOutputs run;
  run.outputs = output_values(trace, data.batch, network.spec().output);
  run.overflow_events = sum(trace.values<std::int64_t>("overflow_events"));
  run.batch = std::move(data.batch);
  run.trace = std::move(trace);
  return run;
}

template <typename Network>
IntegerOutputs outputs_of(const Network& network, const models::Task& task, int trials, std::uint64_t seed) {
  return outputs_of(network, models::evaluation_trials(task, network.config(), trials, seed));
}

template <typename Network>
IntegerEvaluation score_run(const Network& network, const models::EvaluationTrials& trials,
                            const models::Task& task) {
  const IntegerOutputs run = outputs_of(network, trials);
  const models::OutputScores scores = models::score_outputs(task, run.batch, run.outputs);
  IntegerEvaluation result;
  result.trials = scores.trials;
  result.mse = scores.mse;
  result.success_rate = scores.success_rate;
  result.distance = scores.distance;
  result.overflow_events = run.overflow_events;
  if constexpr (std::is_same_v<Network, IntegerLifRnn>) {
    const double steps = static_cast<double>(run.batch.inputs.cols());
    result.spikes_per_step = static_cast<double>(sum(run.trace.values<std::int64_t>("spike_count"))) / steps;
    result.synaptic_events_per_step =
        static_cast<double>(sum(run.trace.values<std::int64_t>("synaptic_events"))) / steps;
  }
  return result;
}

template <typename Network>
IntegerEvaluation score_run(const Network& network, const models::Task& task, int trials, std::uint64_t seed) {
  return score_run(network, models::evaluation_trials(task, network.config(), trials, seed), task);
}

}  // namespace

IntegerOutputs integer_outputs(const IntegerRateRnn& network, const models::Task& task, int trials,
                               std::uint64_t seed) {
  return outputs_of(network, task, trials, seed);
}
IntegerOutputs integer_outputs(const IntegerLifRnn& network, const models::Task& task, int trials,
                               std::uint64_t seed) {
  return outputs_of(network, task, trials, seed);
}

IntegerEvaluation evaluate_integer(const IntegerRateRnn& network, const models::Task& task, int trials,
                                   std::uint64_t seed) {
  return score_run(network, task, trials, seed);
}
IntegerEvaluation evaluate_integer(const IntegerLifRnn& network, const models::Task& task, int trials,
                                   std::uint64_t seed) {
  return score_run(network, task, trials, seed);
}
IntegerEvaluation evaluate_integer(const IntegerRateRnn& network, const models::EvaluationTrials& trials,
                                   const models::Task& task) {
  return score_run(network, trials, task);
}
IntegerEvaluation evaluate_integer(const IntegerLifRnn& network, const models::EvaluationTrials& trials,
                                   const models::Task& task) {
  return score_run(network, trials, task);
}

}  // namespace nf::quantize
