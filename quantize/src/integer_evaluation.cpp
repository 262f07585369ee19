#include "neurofab/quantize/integer_evaluation.hpp"

#include "neurofab/models/spike_encoding.hpp"
#include "neurofab/models/training.hpp"

namespace nf::quantize {
namespace {

IntegerEvaluation score(const models::Task& task, const models::Batch& batch, const Eigen::MatrixXd& outputs) {
  IntegerEvaluation result;
  result.trials = batch.batch_size;
  const double mask_sum = batch.mask.sum();
  result.mse = ((outputs - batch.targets).array().square() * batch.mask.array()).sum() / (mask_sum > 0 ? mask_sum : 1.0);
  result.success_rate = models::success_rate(task, batch, outputs);
  return result;
}

}  // namespace

IntMatrix quantize_stimulus(const Eigen::MatrixXd& inputs, const FixedFormat& format, Rounding rounding) {
  IntMatrix codes(inputs.rows(), inputs.cols());
  for (Eigen::Index i = 0; i < inputs.rows(); ++i)
    for (Eigen::Index j = 0; j < inputs.cols(); ++j)
      codes(i, j) = static_cast<std::int32_t>(quantize_real(inputs(i, j), format, rounding));
  return codes;
}

IntegerEvaluation evaluate_integer(const IntegerRateRnn& network, const models::Task& task, int trials,
                                   std::uint64_t seed) {
  const auto& c = network.config();
  const models::EvaluationTrials data = models::evaluation_trials(task, c, trials, seed);
  const models::Batch& batch = data.batch;
  // Column-major codes: the inputs of step t, trial b are contiguous.
  const Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic> x =
      quantize_stimulus(batch.inputs, network.spec().input, network.spec().rounding);
  Eigen::MatrixXd outputs(c.n_out, batch.inputs.cols());
  std::vector<std::int32_t> y(static_cast<std::size_t>(c.n_out));
  std::int64_t overflow = 0;
  for (int b = 0; b < batch.batch_size; ++b) {
    auto state = network.initial_state();
    for (int t = 0; t < batch.n_steps; ++t) {
      const int col = batch.column(t, b);
      network.step(x.col(col).data(), state, y.data());
      for (int m = 0; m < c.n_out; ++m) outputs(m, col) = dequantize(y[static_cast<std::size_t>(m)], network.spec().output);
    }
    overflow += state.overflow.events;
  }
  IntegerEvaluation result = score(task, batch, outputs);
  result.overflow_events = overflow;
  return result;
}

IntegerEvaluation evaluate_integer(const IntegerLifRnn& network, const models::Task& task, int trials,
                                   std::uint64_t seed) {
  const auto& c = network.config();
  const models::EvaluationTrials data = models::evaluation_trials(task, c, trials, seed);
  const models::Batch& batch = data.batch;
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic> x;
  if (c.encoding == models::InputEncoding::kCurrent) {
    x = quantize_stimulus(batch.inputs, network.spec().input, network.spec().rounding);
  } else {
    // Spike encoding is stimulus preparation: the same events the float model sees.
    Eigen::MatrixXd encoded;
    const Eigen::MatrixXd uniforms = data.noise.cast<double>();
    models::encode_inputs<double>(c, batch.inputs, batch.batch_size, uniforms.size() ? &uniforms : nullptr, encoded);
    x = encoded.cast<std::int32_t>();
  }
  Eigen::MatrixXd outputs(c.n_out, batch.inputs.cols());
  std::int64_t overflow = 0;
  LifStepCounts counts;
  for (int b = 0; b < batch.batch_size; ++b) {
    auto state = network.initial_state();
    for (int t = 0; t < batch.n_steps; ++t) {
      const int col = batch.column(t, b);
      network.step(x.col(col).data(), state, &counts);
      for (int m = 0; m < c.n_out; ++m) outputs(m, col) = dequantize(state.output(m), network.spec().output);
    }
    overflow += state.overflow.events;
  }
  IntegerEvaluation result = score(task, batch, outputs);
  result.overflow_events = overflow;
  const double steps = static_cast<double>(batch.inputs.cols());
  result.spikes_per_step = static_cast<double>(counts.spikes) / steps;
  result.synaptic_events_per_step = static_cast<double>(counts.synaptic_events) / steps;
  return result;
}

}  // namespace nf::quantize
