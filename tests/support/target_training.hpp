#pragma once
// The training settings the long target suites share (models/ and quantize/):
// networks trained to the issues' success targets in CI time.
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"

namespace nf::test {

// Rate RNN: orthogonal W_rec (as Jarne & Laje), a faster learning rate than
// their 1e-4, a patient schedule, and a loss threshold well below the task's
// 1e-3 so the strict per-step criterion is met with a margin. The margin
// matters because the weights depend on the CPU (-march=native, BLIS's
// run-time kernels): at lr 2e-3 and 5e-4 the flip-flop of seed 1 reached
// 98.8 % on one machine and 94.9 % on an AVX-512 one; at 1e-3 and 3e-4 it
// reaches 100 % there (332 epochs).
inline models::TrainingConfig rate_target_training() {
  models::TrainingConfig t;
  t.learning_rate = 1e-3;
  t.plateau_patience = 50;
  t.max_epochs = 800;
  t.loss_threshold = 3e-4;
  return t;
}

// LIF (docs/lif-rnn.md): the default CUBA unit (τ_mem 20, τ_syn 5, τ_out 20 ms,
// fast-sigmoid surrogate) and a loss on the steps the success criterion
// scores: with every step scored, the MSE-optimal output crosses 0.5 right at
// a target switch and spike jitter makes it early by one step in about half
// the trials.
inline models::TrainingConfig lif_target_training() {
  models::TrainingConfig t;
  t.learning_rate = 2e-3;
  t.plateau_patience = 50;
  t.max_epochs = 300;
  t.loss_threshold = 5e-4;
  t.loss_on_scored_steps = true;
  return t;
}

// A network of `n` units trained on `task_name` (orthogonal W_rec, `seed`), as an artifact.
template <typename Network>
models::TrainedArtifact<Network> train_target_network(const std::string& task_name,
                                                      const std::map<std::string, double>& params, int n,
                                                      const models::TrainingConfig& training, std::uint64_t seed,
                                                      typename Network::Config config = {}) {
  const auto task = models::make_task(task_name, params);
  config.n_in = task->n_in();
  config.n_rec = n;
  config.n_out = task->n_out();
  models::NetworkInit init;
  init.w_rec.scheme = models::InitScheme::kOrthogonal;
  auto network = [&] {
    if constexpr (std::is_same_v<Network, models::RateRnn<float>>) {
      return models::make_rate_rnn(config, init, seed);
    } else {
      return models::make_lif_rnn(config, init, seed);
    }
  }();
  models::TrainedArtifact<Network> artifact{std::move(network), init, task->name(), task->param_values(), seed, training, {}};
  models::train(artifact.network, *task, training, seed, artifact.state);
  return artifact;
}

}  // namespace nf::test
