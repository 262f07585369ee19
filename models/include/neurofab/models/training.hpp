#pragma once
// Training a network on a task by BPTT + Adam, and evaluating it — one
// machinery for every model family (RateRnn<float>, LifRnn<float>).
//
// One training step: a fresh minibatch from the task generator, forward pass
// over the whole batch (matrix–matrix products), BPTT gradient (exact for the
// rate RNN, surrogate for LIF), global norm clipping, Adam update, re-imposing
// masks, Dale's law and the model's own constraints. An epoch is
// `steps_per_epoch` steps followed by a validation pass on a fixed batch.
//
// The network handed on is the best one seen, never merely the last: after
// every epoch the validation batch (its own seeded stream, never the test
// trials) scores the weights, and those of the best epoch (success rate;
// validation MSE breaks ties) are kept. train() returns with the network
// holding them, and so does every checkpoint's artifact.
//
// Divergence guard: an epoch whose loss is not finite, whose weights are not
// finite, or whose task loss jumps above `divergence_factor` × the lowest
// epoch task loss once the loss threshold was reached, is rolled back to the
// state after the last good epoch (weights and Adam moments), the learning
// rate is multiplied by `rollback_lr_factor`, and training goes on with the
// next epoch's batches. After `max_rollbacks` rollbacks training stops
// (TrainingState::stopped says why); the best network is still kept.
//
// What a model family provides: Config (n_in, n_out, n_rec, trainable(name)),
// Tensors (zeros(config), for_each, at), Trajectory, forward, loss,
// loss_and_gradient, apply_constraints, and sample_noise(config, columns, rng)
// for the random draws its forward pass consumes.
//
// Determinism: the batch and noise of step k depend only on (seed, k), never on
// the history of a random engine, so a run resumed from a checkpoint makes the
// same updates as one never interrupted: same seed + same build → the same
// weights, bit for bit.

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "neurofab/common/worker_pool.hpp"
#include "neurofab/models/adam.hpp"
#include "neurofab/models/lif_rnn.hpp"
#include "neurofab/models/rate_rnn.hpp"
#include "neurofab/models/task.hpp"

namespace nf::models {

struct TrainingConfig {
  int batch_size = 64;
  int max_epochs = 1000;
  int steps_per_epoch = 10;
  double learning_rate = 1e-3;
  AdamConfig adam;
  double clip_norm = 1.0;  // global gradient-norm limit; 0 disables clipping
  Regularization regularization;
  double loss_threshold = -1.0;  // stop once the epoch's task MSE is below; < 0 means the task's own
  int extra_epochs = 0;          // epochs trained after reaching the threshold (Huang et al. use 3)
  int plateau_patience = 20;     // epochs without a 0.1 % improvement before the rate drops
  double plateau_factor = 0.5;
  double min_learning_rate = 1e-6;
  int validation_trials = 256;
  int checkpoint_every = 10;  // epochs; 0 checkpoints only at the end
  // The divergence guard (see above); divergence_factor 0 turns the jump test off
  // (a non-finite loss or weight is always rolled back).
  double divergence_factor = 10.0;
  int max_rollbacks = 5;
  double rollback_lr_factor = 0.5;
  // Train on the steps the task's criterion scores only (Task::mask_unscored_steps):
  // the loss then leaves the switching time after a target change free, as
  // success() does. Off: every step is scored, as in the original studies.
  bool loss_on_scored_steps = false;
  // Threads of one training step; 0 means every core. The result does not
  // depend on it (see kTrialsPerPart), so it is a property of the run, not of
  // the network, and no artifact records it.
  int threads = 1;

  void validate() const;  // throws nf::InputError naming the field
};

struct EpochRecord {
  int epoch = 0;                  // 1-based
  double loss = 0;                // mean total loss over the epoch's steps
  double task_loss = 0;           // mean task MSE over the epoch's steps
  double validation_success = 0;  // success rate on the fixed validation batch
  double validation_loss = 0;     // task MSE on the fixed validation batch (NaN: not scored)
  double learning_rate = 0;
  double seconds = 0;             // wall time of the epoch (not part of determinism)
};

// Tensors by name (Network::Tensors::for_each order), family-independent.
using NamedTensors = std::map<std::string, Eigen::MatrixXf>;

// The best network seen: what train() and every checkpoint hand on.
struct BestNetwork {
  int epoch = 0;  // 1-based; 0 = none yet
  double validation_success = 0;
  double validation_loss = std::numeric_limits<double>::infinity();
  NamedTensors weights;  // in memory; an artifact stores them as its main tensors

  // Better: a higher success rate, or the same with a lower validation MSE.
  bool beaten_by(double success, double loss) const {
    return epoch == 0 || success > validation_success || (success == validation_success && loss < validation_loss);
  }
};

// One epoch undone by the divergence guard.
struct Rollback {
  int epoch = 0;           // the epoch rolled back (1-based)
  double loss = 0;         // its total loss (NaN or inf when not finite)
  std::string reason;      // e.g. "non-finite loss", "task loss 0.27 > 10 x lowest 6.6e-04"
  double learning_rate = 0;  // the learning rate training went on with
};

struct TrainingState {
  int epochs_done = 0;
  double learning_rate = 0;
  double best_loss = std::numeric_limits<double>::infinity();
  int epochs_since_best = 0;
  int converged_epoch = -1;  // first epoch whose task loss fell below the threshold
  bool finished = false;
  std::string stopped;  // why training stopped before its end (rollback limit); "" otherwise
  std::vector<EpochRecord> log;
  std::vector<Rollback> rollbacks;
  BestNetwork best;
  // Where the optimiser stands when it is not where the network is: whenever
  // train() hands the state out (hooks' checkpoints, its return) the network
  // holds the best weights, and these are the weights training goes on from.
  // Empty: they are the network's own. An artifact stores them with the Adam moments.
  NamedTensors training_weights;
  Adam optimizer;
};

// Quantization-aware training with the straight-through estimator (STE): the
// forward and backward passes see project(name, w) — e.g. w rounded to its
// fixed-point grid — and the gradient they give is applied to the float
// weights w themselves, as if d project / d w = 1. After each update w is
// clamped into the projection's range, so the float weights cannot drift where
// the projection saturates and the gradient no longer reaches them.
// Either function may be empty; tensors it does not know it leaves alone.
struct WeightProjection {
  std::function<void(const std::string& name, Eigen::MatrixXf& values)> project;
  std::function<void(const std::string& name, Eigen::MatrixXf& values)> clamp;

  bool active() const { return static_cast<bool>(project); }
  // Projects every tensor of `weights` in place.
  template <typename Tensors>
  void project_all(Tensors& weights) const {
    if (project) weights.for_each([&](const std::string& name, Eigen::MatrixXf& value) { project(name, value); });
  }
};

// Trials per part of a training step's batch. A batch of B trials is split
// into ceil(B / kTrialsPerPart) parts of consecutive trials, whatever the
// thread count; the parts run forward and backward on their own (on as many
// threads as asked), and their losses and gradients are added in part order.
// So a seed gives the same network, bit for bit, on 1 thread or on 8.
inline constexpr int kTrialsPerPart = 16;

// Which kernels run the training step's recurrent products on this CPU (for
// benchmark reports); their results are the same on every CPU.
std::string training_products();

// Reusable buffers for one step; the training loop and the benchmarks share it.
template <typename Network>
class TrainingStep {
 public:
  // One optimiser step on `batch`; `noise` as for Network::forward. Returns
  // the loss terms (of the projected weights, when `projection` is active).
  // A non-finite loss leaves the weights and the optimiser untouched.
  LossTerms run(Network& network, const Batch& batch, const Eigen::MatrixXf* noise, const TrainingConfig& config,
                double learning_rate, Adam& optimizer, const WeightProjection& projection = {});

  // The forward pass alone, in the same parts and on the same threads (the
  // validation pass): the outputs in the batch's column order, and the task
  // MSE against the batch's mask.
  struct Scored {
    Eigen::MatrixXf outputs;
    double task_loss = 0;
  };
  Scored score(const Network& network, const Batch& batch, const Eigen::MatrixXf* noise, int threads);

 private:
  struct Part {
    int trials = 0;
    Eigen::MatrixXf inputs, targets, mask, noise;
    typename Network::Trajectory trajectory;
    BatchTotals totals;
    LossTerms loss;
    typename Network::Tensors gradient;
  };
  void split(const Batch& batch, const Eigen::MatrixXf* noise);
  LossTerms loss_and_gradient(const Network& network, const Regularization& regularization);
  WorkerPool& pool(int threads);

  std::vector<Part> parts_;
  std::unique_ptr<WorkerPool> pool_;
  typename Network::Tensors gradient_;
  typename Network::Tensors float_weights_;  // the STE's latent weights while the projected ones run
};

struct TrainingHooks {
  // After every epoch; the network holds the weights training stands at.
  std::function<void(const TrainingState&)> on_epoch;
  // Every checkpoint_every epochs and at the end; the network then holds the
  // best weights and the state the weights training goes on from.
  std::function<void(const TrainingState&)> on_checkpoint;
  // Quantization-aware training (see WeightProjection); validation then runs
  // the projected weights too. Inactive: plain training.
  WeightProjection projection;
};

// Trains `network` from `state` (fresh: epochs_done = 0) until the loss
// threshold (+ extra epochs), max_epochs, or the rollback limit. Updates
// `state` as it goes; returns with `network` holding the best weights seen
// (state.best) and state.training_weights where training stands. A state
// loaded from an artifact carries both the same way.
template <typename Network>
void train(Network& network, const Task& task, const TrainingConfig& config, std::uint64_t seed,
           TrainingState& state, const TrainingHooks& hooks = {});

// Noise ξ for a batch (n_rec x T·B), or an empty matrix when noise_sd = 0.
Eigen::MatrixXf sample_noise(const RateRnnConfig& config, int columns, Rng& rng);

struct Evaluation {
  double mse = 0;           // masked task MSE
  double success_rate = 0;  // fraction of trials meeting the task's criterion
  int trials = 0;
  std::optional<SpikeActivity> activity;  // spiking models only
};

// Runs `trials` fresh trials (drawn from a stream of `seed` that training never uses).
template <typename Network>
Evaluation evaluate(const Network& network, const Task& task, int trials, std::uint64_t seed);

// The evaluation trials of `seed` and the random draws (noise, Poisson
// uniforms) of their forward pass: exactly what evaluate() runs, so other
// levels (the integer model) can run the same trials.
struct EvaluationTrials {
  Batch batch;
  Eigen::MatrixXf noise;  // empty when the model draws nothing
};
template <typename Config>
EvaluationTrials evaluation_trials(const Task& task, const Config& config, int trials, std::uint64_t seed);
// Given trials (a data file's, `neurofab eval --data`) with the random draws
// of `seed`'s evaluation stream for them. Throws nf::InputError when the
// batch's inputs or targets do not fit the network's n_in and n_out.
template <typename Config>
EvaluationTrials evaluation_trials(Batch batch, const Config& config, std::uint64_t seed);

// The scores of given trials (e.g. a data file's, in its order) by `task`'s
// criterion; evaluate(network, task, trials, seed) is this on evaluation_trials(task, ...).
template <typename Network>
Evaluation evaluate(const Network& network, const EvaluationTrials& trials, const Task& task);

// One evaluation trial, recorded: the task batch of `seed`'s evaluation stream
// (its first trial when trials = 1) and the forward pass on it — what a raster
// plot draws.
template <typename Network>
struct RecordedTrials {
  Batch batch;
  typename Network::Trajectory trajectory;
};
template <typename Network>
RecordedTrials<Network> record_trials(const Network& network, const Task& task, int trials, std::uint64_t seed);
// The forward pass on given trials.
template <typename Network>
RecordedTrials<Network> record_trials(const Network& network, const EvaluationTrials& trials);

extern template class TrainingStep<RateRnn<float>>;
extern template class TrainingStep<LifRnn<float>>;

}  // namespace nf::models
