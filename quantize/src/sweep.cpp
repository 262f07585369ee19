#include "neurofab/quantize/sweep.hpp"

#include <fmt/format.h>

#include "neurofab/models/training.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"

namespace nf::quantize {
namespace {

Eigen::MatrixXf dequantized(const IntMatrix& codes, const FixedFormat& format) {
  return (codes.cast<double>() * format.resolution()).cast<float>();
}

// The float network with W_in, W_rec, b, W_out, b_out replaced by the values of their codes.
template <typename FloatNetwork, typename IntegerNetwork>
FloatNetwork with_quantized_weights(FloatNetwork network, const IntegerNetwork& q) {
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

}  // namespace

std::vector<SweepRow> bit_width_sweep(const models::Artifact& artifact, const QuantizeOptions& base,
                                      const std::vector<int>& weight_bits, int trials,
                                      const std::optional<FineTuneOptions>& fine_tuning) {
  std::vector<SweepRow> rows;
  std::visit(
      [&](const auto& a) {
        const auto task = models::make_task(a.task_name, a.task_params);
        const auto float_eval = models::evaluate(a.network, *task, trials, a.seed);
        for (const int bits : weight_bits) {
          QuantizeOptions o = base;
          o.weight_bits = bits;
          const auto quantized = quantize_network(a, o);
          const auto weights_only =
              models::evaluate(with_quantized_weights(a.network, quantized.network), *task, trials, a.seed);
          const auto integer = evaluate_integer(quantized.network, *task, trials, a.seed);
          SweepRow row{bits, o.state_bits, float_eval.success_rate, float_eval.mse, weights_only.success_rate,
                       weights_only.mse, integer.success_rate, integer.mse, integer.overflow_events, {}, {}};
          if (fine_tuning) {
            const FineTuned tuned = fine_tune(a, o, *fine_tuning);
            const auto& tuned_artifact = std::get<std::decay_t<decltype(a)>>(tuned.artifact);
            const auto tuned_eval =
                evaluate_integer(quantize_network(tuned_artifact, tuned.options).network, *task, trials, a.seed);
            row.fine_tuned_success = tuned_eval.success_rate;
            row.fine_tuned_mse = tuned_eval.mse;
          }
          rows.push_back(row);
        }
      },
      artifact);
  return rows;
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
