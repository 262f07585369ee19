#include "neurofab/models/training.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "neurofab/common/error.hpp"
#include "dense_kernels.hpp"
#include "dense_products.hpp"

namespace nf::models {
namespace {

// Random-number streams of a run's seed (see Rng::derive).
enum Stream : std::uint64_t {
  kTrainBatch = 101,
  kTrainNoise = 102,
  kValidationBatch = 103,
  kValidationNoise = 104,
  kEvalBatch = 201,
  kEvalNoise = 202,
};

void check_task_fits(const Task& task, int n_in, int n_out) {
  if (task.n_in() != n_in || task.n_out() != n_out) {
    throw InputError(fmt::format("task '{}' has {} inputs and {} outputs, the network {} and {}", task.name(),
                                 task.n_in(), task.n_out(), n_in, n_out));
  }
}

// While alive, `network` runs its projected weights; the float ones come back
// (moved, not copied) when it ends.
template <typename Network>
class ProjectedWeights {
 public:
  ProjectedWeights(Network& network, const WeightProjection& projection, typename Network::Tensors& float_weights)
      : network_(network), float_weights_(float_weights), active_(projection.active()) {
    if (!active_) return;
    float_weights_ = network.weights();
    projection.project_all(network.weights());
  }
  ~ProjectedWeights() {
    if (active_) std::swap(network_.weights(), float_weights_);
  }
  ProjectedWeights(const ProjectedWeights&) = delete;
  ProjectedWeights& operator=(const ProjectedWeights&) = delete;

 private:
  Network& network_;
  typename Network::Tensors& float_weights_;
  bool active_;
};

}  // namespace

void TrainingConfig::validate() const {
  auto require = [](bool ok, const char* field, const std::string& message) {
    if (!ok) throw InputError(fmt::format("training field '{}': {}", field, message));
  };
  require(batch_size >= 1, "batch_size", fmt::format("must be >= 1 (got {})", batch_size));
  require(threads >= 0, "threads", fmt::format("must be >= 0, 0 meaning every core (got {})", threads));
  require(max_epochs >= 1, "max_epochs", fmt::format("must be >= 1 (got {})", max_epochs));
  require(steps_per_epoch >= 1, "steps_per_epoch", fmt::format("must be >= 1 (got {})", steps_per_epoch));
  require(std::isfinite(learning_rate) && learning_rate > 0, "learning_rate",
          fmt::format("must be > 0 (got {})", learning_rate));
  require(adam.beta1 >= 0 && adam.beta1 < 1, "adam_beta1", "must be in [0, 1)");
  require(adam.beta2 >= 0 && adam.beta2 < 1, "adam_beta2", "must be in [0, 1)");
  require(adam.epsilon > 0, "adam_epsilon", "must be > 0");
  require(std::isfinite(clip_norm) && clip_norm >= 0, "clip_norm", "must be >= 0");
  const auto& r = regularization;
  require(r.l2_weights >= 0 && r.l1_weights >= 0 && r.l2_rates >= 0 && r.l1_rates >= 0, "regularization",
          "coefficients must be >= 0");
  require(std::isfinite(loss_threshold), "loss_threshold", "must be finite");
  require(extra_epochs >= 0, "extra_epochs", "must be >= 0");
  require(plateau_patience >= 1, "plateau_patience", "must be >= 1");
  require(plateau_factor > 0 && plateau_factor <= 1, "plateau_factor", "must be in (0, 1]");
  require(min_learning_rate > 0, "min_learning_rate", "must be > 0");
  require(validation_trials >= 1, "validation_trials", "must be >= 1");
  require(checkpoint_every >= 0, "checkpoint_every", "must be >= 0");
  require(std::isfinite(divergence_factor) && (divergence_factor == 0 || divergence_factor > 1), "divergence_factor",
          fmt::format("must be 0 (off) or > 1 (got {})", divergence_factor));
  require(max_rollbacks >= 1, "max_rollbacks", fmt::format("must be >= 1 (got {})", max_rollbacks));
  require(rollback_lr_factor > 0 && rollback_lr_factor < 1, "rollback_lr_factor",
          fmt::format("must be in (0, 1) (got {})", rollback_lr_factor));
}

Eigen::MatrixXf sample_noise(const RateRnnConfig& config, int columns, Rng& rng) {
  if (config.noise_sd <= 0) return {};
  Eigen::MatrixXf noise(config.n_rec, columns);
  for (Eigen::Index k = 0; k < noise.size(); ++k) noise.data()[k] = static_cast<float>(rng.normal());
  return noise;
}

std::string training_products() {
  return fmt::format("recurrent products: neurofab's fixed-order kernels, {}", to_string(detail::fastest_product_isa()));
}

template <typename Network>
WorkerPool& TrainingStep<Network>::pool(int threads) {
  if (!pool_ || pool_->threads() != threads) pool_ = std::make_unique<WorkerPool>(threads);
  return *pool_;
}

// Copies trials [first, first + count) of every step into part `p`: column
// t·B + b of the batch becomes column t·count + (b - first).
template <typename Network>
void TrainingStep<Network>::split(const Batch& batch, const Eigen::MatrixXf* noise) {
  const int trials = batch.batch_size;
  const Eigen::Index steps = batch.inputs.cols() / trials;
  const int part_count = (trials + kTrialsPerPart - 1) / kTrialsPerPart;
  parts_.resize(static_cast<std::size_t>(part_count));
  const bool noisy = noise != nullptr && noise->size() > 0;
  for (int p = 0; p < part_count; ++p) {
    Part& part = parts_[static_cast<std::size_t>(p)];
    const int first = p * kTrialsPerPart, count = std::min(kTrialsPerPart, trials - first);
    part.trials = count;
    part.inputs.resize(batch.inputs.rows(), steps * count);
    part.targets.resize(batch.targets.rows(), steps * count);
    part.mask.resize(batch.mask.rows(), steps * count);
    if (noisy) part.noise.resize(noise->rows(), steps * count);
    for (Eigen::Index t = 0; t < steps; ++t) {
      const Eigen::Index from = t * trials + first, to = t * count;
      part.inputs.middleCols(to, count) = batch.inputs.middleCols(from, count).template cast<float>();
      part.targets.middleCols(to, count) = batch.targets.middleCols(from, count).template cast<float>();
      part.mask.middleCols(to, count) = batch.mask.middleCols(from, count).template cast<float>();
      if (noisy) part.noise.middleCols(to, count) = noise->middleCols(from, count);
    }
    if (!noisy) part.noise.resize(0, 0);
  }
}

// Forward passes of the parts, the batch's totals and loss, then the parts'
// gradients, added in part order (kTrialsPerPart says why).
template <typename Network>
LossTerms TrainingStep<Network>::loss_and_gradient(const Network& network, const Regularization& regularization) {
  // Everything that reads a part's trajectory runs on the threads; only the
  // totals, losses and gradients of the parts are added here, in part order.
  const int part_count = static_cast<int>(parts_.size());
  pool_->run(part_count, [&](int p) {
    Part& part = parts_[static_cast<std::size_t>(p)];
    network.forward(part.inputs, part.trials, part.noise.size() ? &part.noise : nullptr, part.trajectory);
    part.totals = {};
    network.add_to_totals(part.mask, part.trajectory, part.totals);
  });
  BatchTotals totals;
  for (const Part& part : parts_) totals += part.totals;

  pool_->run(part_count, [&](int p) {
    Part& part = parts_[static_cast<std::size_t>(p)];
    part.loss = network.part_loss(part.targets, part.mask, regularization, part.trajectory, totals);
    if (!std::isfinite(part.loss.total())) return;  // the step is dropped: no gradient needed
    if (part.gradient.w_in.size() == 0) part.gradient = Network::Tensors::zeros(network.config());
    network.part_gradient(part.inputs, part.targets, part.mask, regularization, totals, part.trajectory,
                          part.gradient);
  });
  LossTerms loss;
  for (const Part& part : parts_) loss += part.loss;
  loss += network.batch_loss(regularization, totals);
  if (!std::isfinite(loss.total())) return loss;
  gradient_.for_each([&](const std::string& name, Eigen::MatrixXf& sum) {
    sum = parts_.front().gradient.at(name);
    for (std::size_t p = 1; p < parts_.size(); ++p) sum += parts_[p].gradient.at(name);
  });
  network.finish_gradient(regularization, gradient_);
  return loss;
}

template <typename Network>
typename TrainingStep<Network>::Scored TrainingStep<Network>::score(const Network& network, const Batch& batch,
                                                                    const Eigen::MatrixXf* noise, int threads) {
  split(batch, noise);
  pool(resolve_thread_count(threads)).run(static_cast<int>(parts_.size()), [&](int p) {
    Part& part = parts_[static_cast<std::size_t>(p)];
    network.forward(part.inputs, part.trials, part.noise.size() ? &part.noise : nullptr, part.trajectory);
  });
  Scored scored;
  const Eigen::Index steps = batch.inputs.cols() / batch.batch_size;
  scored.outputs.resize(network.config().n_out, batch.inputs.cols());
  double squared_error = 0, mask_sum = 0;
  int first = 0;
  for (const Part& part : parts_) {
    const Eigen::MatrixXf& outputs = part.trajectory.outputs;
    for (Eigen::Index t = 0; t < steps; ++t) {
      scored.outputs.middleCols(t * batch.batch_size + first, part.trials) = outputs.middleCols(t * part.trials, part.trials);
    }
    squared_error += detail::masked_squared_error(outputs, part.targets, part.mask);
    mask_sum += static_cast<double>(part.mask.sum());
    first += part.trials;
  }
  scored.task_loss = squared_error / detail::nonzero(mask_sum);
  return scored;
}

template <typename Network>
LossTerms TrainingStep<Network>::run(Network& network, const Batch& batch, const Eigen::MatrixXf* noise,
                                     const TrainingConfig& config, double learning_rate, Adam& optimizer,
                                     const WeightProjection& projection) {
  split(batch, noise);
  pool(resolve_thread_count(config.threads));
  if (gradient_.w_in.size() == 0) gradient_ = Network::Tensors::zeros(network.config());

  const LossTerms loss = [&] {
    const ProjectedWeights<Network> projected(network, projection, float_weights_);
    return loss_and_gradient(network, config.regularization);
  }();
  if (!std::isfinite(loss.total())) return loss;  // the caller rolls back (train) or reports it
  clip_global_norm(gradient_, config.clip_norm);
  optimizer.begin_step();
  network.weights().for_each([&](const std::string& name, Eigen::MatrixXf& value) {
    if (network.config().trainable(name)) optimizer.update(name, value, gradient_.at(name), learning_rate);
  });
  network.apply_constraints();
  if (projection.clamp) {
    network.weights().for_each([&](const std::string& name, Eigen::MatrixXf& value) { projection.clamp(name, value); });
  }
  return loss;
}

namespace {

template <typename Tensors>
NamedTensors named_copy(const Tensors& tensors) {
  NamedTensors copy;
  tensors.for_each([&](const std::string& name, const Eigen::MatrixXf& value) { copy.emplace(name, value); });
  return copy;
}

template <typename Tensors>
void assign_named(Tensors& tensors, const NamedTensors& values) {
  tensors.for_each([&](const std::string& name, Eigen::MatrixXf& value) { value = values.at(name); });
}

template <typename Tensors>
bool all_finite(const Tensors& tensors) {
  bool finite = true;
  tensors.for_each([&](const std::string&, const Eigen::MatrixXf& value) { finite = finite && value.allFinite(); });
  return finite;
}

// What the divergence guard rolls back to: the state after the last good epoch.
struct GoodState {
  NamedTensors weights;
  Adam optimizer;
};

// The lowest task loss of the epochs so far (those rolled back are not lower).
double lowest_task_loss(const std::vector<EpochRecord>& log) {
  double lowest = std::numeric_limits<double>::infinity();
  for (const auto& r : log) {
    if (std::isfinite(r.task_loss)) lowest = std::min(lowest, r.task_loss);
  }
  return lowest;
}

// Why the epoch just trained must be undone; "" when it is good.
template <typename Network>
std::string divergence(const Network& network, const EpochRecord& record, const TrainingState& state,
                       const TrainingConfig& config) {
  if (!std::isfinite(record.loss)) return "non-finite loss";
  if (!all_finite(network.weights())) return "non-finite weights";
  if (config.divergence_factor > 0 && state.converged_epoch >= 0) {
    const double lowest = lowest_task_loss(state.log);
    if (record.task_loss > config.divergence_factor * lowest) {
      return fmt::format("task loss {:.3g} > {:g} x lowest {:.3g}", record.task_loss, config.divergence_factor,
                         lowest);
    }
  }
  return "";
}

// The state as train() hands it out: the network holds the best weights and
// state.training_weights those training stands at (take_up_training undoes it).
template <typename Network>
void hand_out_best(Network& network, TrainingState& state) {
  if (state.best.epoch == 0) return;
  state.training_weights = named_copy(network.weights());
  assign_named(network.weights(), state.best.weights);
}

// For the span of a checkpoint the network holds the best weights and
// state.training_weights those training stands at (TrainingState's contract).
template <typename Network>
class BestWeightsShown {
 public:
  BestWeightsShown(Network& network, TrainingState& state) : network_(network), state_(state) {
    hand_out_best(network_, state_);
  }
  ~BestWeightsShown() {
    if (state_.training_weights.empty()) return;
    assign_named(network_.weights(), state_.training_weights);
    state_.training_weights.clear();
  }
  BestWeightsShown(const BestWeightsShown&) = delete;
  BestWeightsShown& operator=(const BestWeightsShown&) = delete;

 private:
  Network& network_;
  TrainingState& state_;
};

// A state as train() hands it out (or an artifact stores it) becomes one to
// train on: the network goes back to where training stands.
template <typename Network>
void take_up_training(Network& network, TrainingState& state) {
  if (state.best.epoch > 0) state.best.weights = named_copy(network.weights());
  if (!state.training_weights.empty()) {
    assign_named(network.weights(), state.training_weights);
    state.training_weights.clear();
  }
}

}  // namespace

template <typename Network>
void train(Network& network, const Task& task, const TrainingConfig& config, std::uint64_t seed,
           TrainingState& state, const TrainingHooks& hooks) {
  config.validate();
  check_task_fits(task, network.config().n_in, network.config().n_out);
  if (state.epochs_done == 0 && state.learning_rate <= 0) state.learning_rate = config.learning_rate;
  const double threshold = config.loss_threshold >= 0 ? config.loss_threshold : task.loss_threshold();
  take_up_training(network, state);

  Rng validation_rng = Rng::derive(seed, {kValidationBatch});
  const Batch validation = task.generate(config.validation_trials, validation_rng);
  const Batch validation_scored = [&] {  // the validation MSE scores what the training loss scores
    Batch scored = validation;
    if (config.loss_on_scored_steps) task.mask_unscored_steps(scored);
    return scored;
  }();
  Rng validation_noise_rng = Rng::derive(seed, {kValidationNoise});
  const Eigen::MatrixXf validation_noise = sample_noise(
      network.config(), validation.n_steps * validation.batch_size, validation_noise_rng);
  TrainingStep<Network> step;
  typename Network::Tensors validation_weights;  // the float weights while validation runs projected ones
  GoodState good{named_copy(network.weights()), state.optimizer};
  const auto done = [&] {
    return !state.stopped.empty() ||
           (state.converged_epoch >= 0 && state.epochs_done >= state.converged_epoch + config.extra_epochs) ||
           state.epochs_done >= config.max_epochs;
  };

  while (!done()) {
    const auto start = std::chrono::steady_clock::now();
    EpochRecord record;
    record.epoch = state.epochs_done + 1;
    record.learning_rate = state.learning_rate;
    for (int s = 0; s < config.steps_per_epoch; ++s) {
      const auto global_step = static_cast<std::uint64_t>(state.epochs_done) * config.steps_per_epoch + s;
      Rng batch_rng = Rng::derive(seed, {kTrainBatch, global_step});
      Rng noise_rng = Rng::derive(seed, {kTrainNoise, global_step});
      Batch batch = task.generate(config.batch_size, batch_rng);
      if (config.loss_on_scored_steps) task.mask_unscored_steps(batch);
      const Eigen::MatrixXf noise =
          sample_noise(network.config(), batch.n_steps * batch.batch_size, noise_rng);
      const LossTerms loss =
          step.run(network, batch, noise.size() ? &noise : nullptr, config, state.learning_rate, state.optimizer,
                   hooks.projection);
      record.loss += loss.total() / config.steps_per_epoch;
      record.task_loss += loss.task / config.steps_per_epoch;
      if (!std::isfinite(loss.total())) break;  // the rest of the epoch is rolled back anyway
    }
    record.validation_loss = std::numeric_limits<double>::quiet_NaN();
    const std::string diverged = divergence(network, record, state, config);
    if (diverged.empty()) {
      const ProjectedWeights<Network> projected(network, hooks.projection, validation_weights);
      const auto scored = step.score(network, validation_scored, validation_noise.size() ? &validation_noise : nullptr,
                                     config.threads);
      record.validation_success = success_rate(task, validation, scored.outputs.template cast<double>());
      record.validation_loss = scored.task_loss;
    }
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.log.push_back(record);
    state.epochs_done = record.epoch;

    if (!diverged.empty()) {
      // Back to the last good epoch, slower; the next epoch draws new batches.
      assign_named(network.weights(), good.weights);
      state.optimizer = good.optimizer;
      state.learning_rate = std::max(state.learning_rate * config.rollback_lr_factor, config.min_learning_rate);
      state.rollbacks.push_back({record.epoch, record.loss, diverged, state.learning_rate});
      state.epochs_since_best = 0;
      if (static_cast<int>(state.rollbacks.size()) >= config.max_rollbacks) {
        state.stopped = fmt::format("training stopped at epoch {}: {} rollbacks (the limit) after divergence, the "
                                    "last for {}",
                                    record.epoch, state.rollbacks.size(), diverged);
      }
    } else {
      good = {named_copy(network.weights()), state.optimizer};
      if (state.best.beaten_by(record.validation_success, record.validation_loss)) {
        state.best = {record.epoch, record.validation_success, record.validation_loss, good.weights};
      }
      // Plateau schedule on the epoch's total loss.
      if (record.loss < state.best_loss * (1.0 - 1e-3)) {
        state.best_loss = record.loss;
        state.epochs_since_best = 0;
      } else if (++state.epochs_since_best >= config.plateau_patience) {
        state.learning_rate = std::max(state.learning_rate * config.plateau_factor, config.min_learning_rate);
        state.epochs_since_best = 0;
      }
      if (state.converged_epoch < 0 && record.task_loss < threshold) state.converged_epoch = record.epoch;
    }

    if (hooks.on_epoch) hooks.on_epoch(state);
    if (!done() && hooks.on_checkpoint && config.checkpoint_every > 0 &&
        state.epochs_done % config.checkpoint_every == 0) {
      const BestWeightsShown shown(network, state);
      hooks.on_checkpoint(state);
    }
  }
  state.finished = true;
  hand_out_best(network, state);
  if (hooks.on_checkpoint) hooks.on_checkpoint(state);
}

template <typename Config>
EvaluationTrials evaluation_trials(const Task& task, const Config& config, int trials, std::uint64_t seed) {
  if (trials < 1) throw InputError(fmt::format("evaluation needs at least 1 trial (got {})", trials));
  check_task_fits(task, config.n_in, config.n_out);
  Rng batch_rng = Rng::derive(seed, {kEvalBatch});
  return evaluation_trials(task.generate(trials, batch_rng), config, seed);
}

template <typename Config>
EvaluationTrials evaluation_trials(Batch batch, const Config& config, std::uint64_t seed) {
  if (batch.inputs.rows() != config.n_in || batch.targets.rows() != config.n_out) {
    throw InputError(fmt::format("trials of {} inputs and {} outputs do not fit a network of {} inputs and {} outputs",
                                 batch.inputs.rows(), batch.targets.rows(), config.n_in, config.n_out));
  }
  EvaluationTrials result{std::move(batch), {}};
  Rng noise_rng = Rng::derive(seed, {kEvalNoise});
  result.noise = sample_noise(config, static_cast<int>(result.batch.inputs.cols()), noise_rng);
  return result;
}

template <typename Network>
RecordedTrials<Network> record_trials(const Network& network, const EvaluationTrials& trials) {
  RecordedTrials<Network> recorded{trials.batch, {}};
  const Eigen::MatrixXf inputs = recorded.batch.inputs.template cast<float>();
  const Eigen::MatrixXf& noise = trials.noise;
  network.forward(inputs, recorded.batch.batch_size, noise.size() ? &noise : nullptr, recorded.trajectory);
  return recorded;
}

template <typename Network>
RecordedTrials<Network> record_trials(const Network& network, const Task& task, int trials, std::uint64_t seed) {
  return record_trials(network, evaluation_trials(task, network.config(), trials, seed));
}

template <typename Network>
Evaluation evaluate(const Network& network, const EvaluationTrials& trials, const Task& task) {
  const RecordedTrials<Network> recorded = record_trials(network, trials);
  const Batch& batch = recorded.batch;
  Evaluation result;
  result.trials = batch.batch_size;
  result.mse = network.loss(batch.targets.cast<float>(), batch.mask.cast<float>(), {}, recorded.trajectory).task;
  result.success_rate = success_rate(task, batch, recorded.trajectory.outputs.template cast<double>());
  if constexpr (std::is_same_v<Network, LifRnn<float>>) result.activity = network.activity(recorded.trajectory);
  return result;
}

template <typename Network>
Evaluation evaluate(const Network& network, const Task& task, int trials, std::uint64_t seed) {
  return evaluate(network, evaluation_trials(task, network.config(), trials, seed), task);
}

#define NF_INSTANTIATE_TRAINING(Network)                                                                       \
  template class TrainingStep<Network>;                                                                        \
  template void train<Network>(Network&, const Task&, const TrainingConfig&, std::uint64_t, TrainingState&,   \
                               const TrainingHooks&);                                                          \
  template Evaluation evaluate<Network>(const Network&, const Task&, int, std::uint64_t);                     \
  template RecordedTrials<Network> record_trials<Network>(const Network&, const Task&, int, std::uint64_t);     \
  template RecordedTrials<Network> record_trials<Network>(const Network&, const EvaluationTrials&);           \
  template Evaluation evaluate<Network>(const Network&, const EvaluationTrials&, const Task&);
NF_INSTANTIATE_TRAINING(RateRnn<float>)
NF_INSTANTIATE_TRAINING(LifRnn<float>)
#undef NF_INSTANTIATE_TRAINING
template EvaluationTrials evaluation_trials<RateRnnConfig>(const Task&, const RateRnnConfig&, int, std::uint64_t);
template EvaluationTrials evaluation_trials<LifRnnConfig>(const Task&, const LifRnnConfig&, int, std::uint64_t);
template EvaluationTrials evaluation_trials<RateRnnConfig>(Batch, const RateRnnConfig&, std::uint64_t);
template EvaluationTrials evaluation_trials<LifRnnConfig>(Batch, const LifRnnConfig&, std::uint64_t);

}  // namespace nf::models
