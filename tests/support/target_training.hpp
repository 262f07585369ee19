#pragma once
#include <catch2/catch.hpp>
#include <fmt/format.h>

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
// (the flip-flop of seed 1 once stopped at 94.9 % without them); the network
// kept is the best on the validation batch (training.hpp). Training longer to a lower loss (lr 1e-3 to 3e-4)
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

// Targets are asserted on one stated seed: the same seed trains the same
// network on every x86-64 CPU (docs/determinism.md), so a target met here is
// met everywhere. `attempt(seed)` trains and checks one network and returns
// what it missed ("" when it met the target); the result is printed either way.
template <typename Attempt>
void require_target_on_seed(Attempt attempt, std::uint64_t seed = 1) {
  const std::string missed = attempt(seed);
  fmt::print("seed {}: {}\n", seed, missed.empty() ? "target met" : missed);
  if (!missed.empty()) FAIL("seed " << seed << " missed the target: " << missed);
}

// Where one seed is not enough (a target that is a property of the training
// recipe rather than of one network): at least 2 of seeds 1-3 must meet it,
// and every seed's result is printed.
template <typename Attempt>
void require_two_of_three_seeds(Attempt attempt) {
  int met = 0;
  std::string report;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const std::string missed = attempt(seed);
    met += missed.empty() ? 1 : 0;
    report += fmt::format("\n  seed {}: {}", seed, missed.empty() ? "target met" : missed);
  }
  fmt::print("{} of 3 seeds met the target:{}\n", met, report);
  if (met < 2) FAIL(met << " of 3 seeds met the target (2 needed):" << report);
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
