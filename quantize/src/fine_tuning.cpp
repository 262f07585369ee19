#include "neurofab/quantize/fine_tuning.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/training.hpp"

namespace nf::quantize {
namespace {

// The stream of an artifact's seed that fine-tuning draws its batches and selection trials from.
constexpr std::uint64_t kFineTuneStream = 301;

// Success (higher first), then MSE (lower first).
bool better(const models::Evaluation& a, const models::Evaluation& b) {
  return a.success_rate > b.success_rate || (a.success_rate == b.success_rate && a.mse < b.mse);
}

}  // namespace

template <typename Spec>
std::map<std::string, FixedFormat> weight_formats(const Spec& s) {
  return {{"W_in", s.w_in}, {"W_rec", s.w_rec}, {"b_rec", s.b_rec}, {"W_out", s.w_out}, {"b_out", s.b_out}};
}
template std::map<std::string, FixedFormat> weight_formats(const RateRnnFixedPoint&);
template std::map<std::string, FixedFormat> weight_formats(const LifRnnFixedPoint&);

void FineTuneOptions::validate() const {
  if (epochs < 1) throw InputError(fmt::format("--fine-tune-epochs: must be >= 1 (got {})", epochs));
  if (!(learning_rate > 0)) throw InputError(fmt::format("--fine-tune-lr: must be > 0 (got {})", learning_rate));
  if (steps_per_epoch < 1) {
    throw InputError(fmt::format("fine-tuning steps per epoch: must be >= 1 (got {})", steps_per_epoch));
  }
  if (selection_trials < 1) {
    throw InputError(fmt::format("fine-tuning selection trials: must be >= 1 (got {})", selection_trials));
  }
}

models::WeightProjection fixed_point_projection(const std::map<std::string, FixedFormat>& formats, Rounding rounding) {
  models::WeightProjection projection;
  projection.project = [formats, rounding](const std::string& name, Eigen::MatrixXf& values) {
    const auto it = formats.find(name);
    if (it == formats.end()) return;
    for (Eigen::Index k = 0; k < values.size(); ++k) {
      values.data()[k] = static_cast<float>(dequantize(quantize_real(values.data()[k], it->second, rounding), it->second));
    }
  };
  projection.clamp = [formats](const std::string& name, Eigen::MatrixXf& values) {
    const auto it = formats.find(name);
    if (it == formats.end()) return;
    const auto high = static_cast<float>(it->second.max_value());
    const auto low = static_cast<float>(dequantize(it->second.min_code(), it->second));
    values = values.cwiseMax(low).cwiseMin(high);
  };
  return projection;
}

FineTuned fine_tune(const models::Artifact& artifact, const QuantizeOptions& options, const FineTuneOptions& ft) {
  options.validate();
  ft.validate();
  return std::visit(
      [&](const auto& a) -> FineTuned {
        const auto formats = weight_formats(quantize_network(a, options).network.spec());
        auto tuned = a;
        models::TrainingConfig config = a.training;
        config.learning_rate = ft.learning_rate;
        config.max_epochs = ft.epochs;
        config.steps_per_epoch = ft.steps_per_epoch;
        config.loss_threshold = 0;  // never "converged": exactly ft.epochs epochs
        config.extra_epochs = 0;
        config.checkpoint_every = 0;
        const auto task = models::make_task(a.task_name, a.task_params);
        const std::uint64_t seed = Rng::derive(a.seed, {kFineTuneStream}).next_u64();
        models::TrainingHooks hooks;
        hooks.projection = fixed_point_projection(formats, options.rounding);

        // The rounded network on the selection trials; the best one so far is kept.
        FineTuned result{tuned, options, {}, 0, 0, {}};
        auto rounded = tuned.network;
        models::Evaluation best;
        const auto consider = [&](int epoch) {
          rounded.weights() = tuned.network.weights();
          hooks.projection.project_all(rounded.weights());
          const models::Evaluation e = models::evaluate(rounded, *task, ft.selection_trials, seed);
          result.epoch_success.push_back(e.success_rate);
          if (epoch == 0 || better(e, best)) {
            best = e;
            result.best_epoch = epoch;
            std::get<std::decay_t<decltype(a)>>(result.artifact).network.weights() = rounded.weights();
          }
        };
        consider(0);
        hooks.on_epoch = [&](const models::TrainingState& state) { consider(state.epochs_done); };
        models::TrainingState state;
        models::train(tuned.network, *task, config, seed, state, hooks);

        for (const auto& [name, format] : formats) result.options.overrides.try_emplace(name, format);
        result.log = state.log;
        result.selection_success = best.success_rate;
        return result;
      },
      artifact);
}

}  // namespace nf::quantize
