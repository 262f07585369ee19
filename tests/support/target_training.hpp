#pragma once
#include <catch2/catch.hpp>
#include <string>

// The training settings the long target suites share (models/ and quantize/):
// networks trained to the issues' success targets in CI time.
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"

namespace nf::test {

// Rate RNN: orthogonal W_rec (as Jarne & Laje), a faster learning rate than
// their 1e-4, a patient schedule, a loss threshold below the task's 1e-3 so
// the strict per-step criterion is met, and 30 epochs more once it is reached
// (on an AVX-512 machine the flip-flop of seed 1 stopped at 94.9 % without
// them, 99.2 % with them). Training longer to a lower loss (lr 1e-3 to 3e-4)
// gives 100 % in float but a network that loses 15 points at 8-bit weights.
inline models::TrainingConfig rate_target_training() {
  models::TrainingConfig t;
  t.learning_rate = 2e-3;
  t.plateau_patience = 50;
  t.max_epochs = 400;
  t.loss_threshold = 5e-4;
  t.extra_epochs = 30;
  return t;
}

// The trained networks depend on the CPU (-march=native, BLIS's run-time
// kernels), so a seed that meets a target on one machine can miss it on
// another. A target counts as met when the network of one of the first
// `seeds` seeds meets it — what a user who trains a few seeds finds — and
// every seed tried is reported. `attempt(seed)` trains and checks one
// network and returns what it missed ("" when it met the target).
template <typename Attempt>
void require_one_seed_meets(Attempt attempt, int seeds = 3) {
  std::string misses;
  for (int seed = 1; seed <= seeds; ++seed) {
    const std::string missed = attempt(static_cast<std::uint64_t>(seed));
    if (missed.empty()) {
      SUCCEED("target met by seed " << seed << (misses.empty() ? "" : "; before it:" + misses));
      return;
    }
    misses += "\n  seed " + std::to_string(seed) + ": " + missed;
  }
  FAIL("no seed met the target:" << misses);
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
