#pragma once
// Small hand-built ELiSe networks for the closed-form tests: the scaffold,
// delays and weights are given, not drawn.
#include <vector>

#include <Eigen/Core>

#include "neurofab/models/elise/network.hpp"

namespace nf::test {

inline models::EliseConfig small_config(int n_visible, int n_latent) {
  models::EliseConfig c;
  c.n_visible = n_visible;
  c.n_latent = n_latent;
  return c;
}

// A network with the given scaffold parents, delays (steps) and weights; every
// synapse i != j exists (weights may be zero); state reset.
inline models::EliseNetwork hand_built(const models::EliseConfig& c, std::vector<std::vector<int>> parents,
                                       std::vector<int> delays, Eigen::MatrixXd weights) {
  const int n = c.n_total();
  models::EliseScaffold scaffold;
  scaffold.n_visible = c.n_visible;
  scaffold.n_latent = c.n_latent;
  scaffold.parents = std::move(parents);
  scaffold.outputs_drawn.assign(static_cast<std::size_t>(n), -1);
  Eigen::MatrixXd mask = Eigen::MatrixXd::Ones(n, n);
  mask.diagonal().setZero();
  if (c.variant == models::EliseVariant::soma_only) mask.bottomRows(c.n_latent).setZero();
  const models::EliseNetwork fresh(c, 1);  // only for a reset state of the right shape
  return models::EliseNetwork(c, std::move(scaffold), std::move(delays), mask, std::move(weights), fresh.state(),
                              "hand-built network");
}

}  // namespace nf::test
