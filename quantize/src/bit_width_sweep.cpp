#include "neurofab/quantize/bit_width_sweep.hpp"

#include <fmt/format.h>

#include "neurofab/models/training.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"

namespace nf::quantize {
namespace {

Eigen::MatrixXf dequantized(const IntMatrix& codes, const FixedFormat& format) {
  return (codes.cast<double>() * format.resolution()).cast<float>();
}

template <typename FloatNetwork, typename IntegerNetwork>
FloatNetwork replace_weights(FloatNetwork network, const IntegerNetwork& q) {
  const auto& s = q.spec();
  const auto& t = q.tensors();
  auto& w = network.weights();
  w.w_in = dequantized(t.w_in, s.w_in);
  w.w_rec = dequantized(t.w_rec, s.w_rec);
  w.b_rec = dequantized(t.b_rec, s.b_rec);
  w.w_out = dequantized(t.w_out, s.w_out);
  w.b_out = dequantized(t.b_out, s.b_out);
  return network;
}

template <typename Network>
models::OutputScores float_scores(const Network& network, const models::Task& task, int trials, std::uint64_t seed) {
  const auto recorded = models::record_trials(network, task, trials, seed);
  return models::score_outputs(task, recorded.batch, recorded.trajectory.outputs.template cast<double>());
}

template <typename IntegerNetwork>
models::OutputScores integer_scores(const IntegerNetwork& network, const models::Task& task, int trials,
                                    std::uint64_t seed, std::int64_t* overflow_events = nullptr) {
  const IntegerOutputs run = integer_outputs(network, task, trials, seed);
  if (overflow_events != nullptr) *overflow_events = run.overflow_events;
  return models::score_outputs(task, run.batch, run.outputs);
}

}  // namespace

models::RateRnn<float> with_quantized_weights(models::RateRnn<float> network, const IntegerRateRnn& quantized) {
  return replace_weights(std::move(network), quantized);
}
models::LifRnn<float> with_quantized_weights(models::LifRnn<float> network, const IntegerLifRnn& quantized) {
  return replace_weights(std::move(network), quantized);
}

WidthSweep success_against_width(const models::Artifact& artifact, const QuantizeOptions& base,
                                 const std::vector<int>& weight_bits, int trials, std::uint64_t seed,
                                 const std::optional<FineTuneOptions>& fine_tuning) {
  WidthSweep sweep;
  std::visit(
      [&](const auto& a) {
        const auto task = models::make_task(a.task_name, a.task_params);
        sweep.float_reference = float_scores(a.network, *task, trials, seed);
        for (const int bits : weight_bits) {
          QuantizeOptions o = base;
          o.weight_bits = bits;
          const auto quantized = quantize_network(a, o);
          WidthPoint point;
          point.weight_bits = bits;
          point.state_bits = o.state_bits;
          point.quantized_weights =
              float_scores(with_quantized_weights(a.network, quantized.network), *task, trials, seed);
          point.integer = integer_scores(quantized.network, *task, trials, seed, &point.overflow_events);
          if (fine_tuning) {
            const FineTuned tuned = fine_tune(a, o, *fine_tuning);
            const auto& tuned_artifact = std::get<std::decay_t<decltype(a)>>(tuned.artifact);
            point.fine_tuned =
                integer_scores(quantize_network(tuned_artifact, tuned.options).network, *task, trials, seed);
          }
          sweep.points.push_back(point);
        }
      },
      artifact);
  return sweep;
}

std::vector<SweepRow> sweep_rows(const WidthSweep& sweep) {
  std::vector<SweepRow> rows;
  for (const WidthPoint& p : sweep.points) {
    SweepRow row{p.weight_bits,
                 p.state_bits,
                 sweep.float_reference.success_rate,
                 sweep.float_reference.mse,
                 p.quantized_weights.success_rate,
                 p.quantized_weights.mse,
                 p.integer.success_rate,
                 p.integer.mse,
                 p.overflow_events,
                 {},
                 {}};
    if (p.fine_tuned) {
      row.fine_tuned_success = p.fine_tuned->success_rate;
      row.fine_tuned_mse = p.fine_tuned->mse;
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<SweepRow> bit_width_sweep(const models::Artifact& artifact, const QuantizeOptions& base,
                                      const std::vector<int>& weight_bits, int trials,
                                      const std::optional<FineTuneOptions>& fine_tuning) {
  const std::uint64_t seed = std::visit([](const auto& a) { return a.seed; }, artifact);
  return sweep_rows(success_against_width(artifact, base, weight_bits, trials, seed, fine_tuning));
}

std::string sweep_csv(const std::vector<SweepRow>& rows) {
  std::string text =
      "weight_bits,state_bits,float_success,float_mse,quantized_weights_success,quantized_weights_mse,"
      "integer_success,integer_mse,overflow_events,fine_tuned_success,fine_tuned_mse\n";
  const auto optional = [](const std::optional<double>& value) { return value ? fmt::format("{}", *value) : ""; };
  for (const auto& r : rows) {
    text += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", r.weight_bits, r.state_bits, r.float_success,
                        r.float_mse, r.quantized_weights_success, r.quantized_weights_mse, r.integer_success,
                        r.integer_mse, r.overflow_events, optional(r.fine_tuned_success), optional(r.fine_tuned_mse));
  }
  return text;
}

std::string sweep_markdown(const std::vector<SweepRow>& rows) {
  const bool tuned = !rows.empty() && rows.front().fine_tuned_success.has_value();
  std::string text = fmt::format(
      "| weight bits | state bits | float | float, quantized weights | integer | integer MSE | overflow events |{}\n"
      "|---|---|---|---|---|---|---|{}\n",
      tuned ? " integer, fine-tuned |" : "", tuned ? "---|" : "");
  for (const auto& r : rows) {
    text += fmt::format("| {} | {} | {:.1f} % | {:.1f} % | {:.1f} % | {:.3e} | {} |", r.weight_bits, r.state_bits,
                        100 * r.float_success, 100 * r.quantized_weights_success, 100 * r.integer_success,
                        r.integer_mse, r.overflow_events);
    text += tuned ? fmt::format(" {:.1f} % |\n", 100 * r.fine_tuned_success.value_or(0)) : "\n";
  }
  return text;
}

}  // namespace nf::quantize
