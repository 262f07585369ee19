#pragma once
// Networks for the stress matrices of the later stages (RTL lock step, HLS
// C-simulation): random-weight networks whose activity and saturation are set
// by the recurrent gain and the biases, and briefly trained task networks.
#include <cstdint>
#include <string>
#include <utility>

#include "neurofab/common/rng.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "target_training.hpp"

namespace nf::test {

// Random W_in, W_rec (gain `gain`, seed 11) and biases b_rec ~ N(0, 0.3²),
// b_out ~ N(0, 0.1²) from `bias_seed`; sizes from the task and `units`.
inline models::RateRnnArtifact random_rate_network(const std::string& task_name, int units,
                                                   models::RateRnnConfig config, double gain,
                                                   std::uint64_t bias_seed) {
  const auto task = models::make_task(task_name);
  config.n_in = task->n_in();
  config.n_rec = units;
  config.n_out = task->n_out();
  models::NetworkInit init;
  init.w_rec.gain = gain;
  auto network = models::make_rate_rnn(config, init, 11);
  Rng rng(bias_seed);
  for (Eigen::Index i = 0; i < network.weights().b_rec.size(); ++i) {
    network.weights().b_rec(i) = static_cast<float>(rng.normal() * 0.3);
  }
  for (Eigen::Index m = 0; m < network.weights().b_out.size(); ++m) {
    network.weights().b_out(m) = static_cast<float>(rng.normal() * 0.1);
  }
  return {std::move(network), init, task->name(), task->param_values(), 11, {}, {}};
}

// Random W_in (gain 3), W_rec (gain `gain`, seed 11), b_rec ~ N(bias_mean, 0.3²)
// (the activity), b_out ~ N(0, 0.1²) from `bias_seed`.
inline models::LifRnnArtifact random_lif_network(const std::string& task_name, int units,
                                                 models::LifRnnConfig config, double gain, double bias_mean,
                                                 std::uint64_t bias_seed) {
  const auto task = models::make_task(task_name);
  config.n_in = task->n_in();
  config.n_rec = units;
  config.n_out = task->n_out();
  models::NetworkInit init;
  init.w_rec.gain = gain;
  init.w_in.gain = 3.0;
  auto network = models::make_lif_rnn(config, init, 11);
  Rng rng(bias_seed);
  auto& w = network.weights();
  for (Eigen::Index i = 0; i < w.b_rec.size(); ++i) w.b_rec(i) = static_cast<float>(bias_mean + rng.normal() * 0.3);
  for (Eigen::Index m = 0; m < w.b_out.size(); ++m) w.b_out(m) = static_cast<float>(rng.normal() * 0.1);
  return {std::move(network), init, task->name(), task->param_values(), 11, {}, {}};
}

// A network trained on the task for `epochs` epochs (seed 7): real trained
// weights, not a converged solution (CI time).
template <typename Network>
models::TrainedArtifact<Network> briefly_trained_network(const std::string& task_name, int units,
                                                         typename Network::Config config, int epochs) {
  models::TrainingConfig training;
  if constexpr (std::is_same_v<Network, models::RateRnn<float>>) {
    training = rate_target_training();
  } else {
    training = lif_target_training();
  }
  training.max_epochs = epochs;
  return train_target_network<Network>(task_name, {}, units, training, 7, config);
}

}  // namespace nf::test
