// BPTT gradients against central finite differences, in double, for every
// loss and regulariser term, both activations, α < 1 and α = 1, with noise.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "neurofab/common/rng.hpp"
#include "neurofab/models/rate_rnn.hpp"

using namespace nf::models;
using Matrix = Eigen::MatrixXd;

namespace {

struct Problem {
  RateRnnConfig config;
  Connectivity connectivity;
  RateRnnTensors<double> weights;
  Matrix inputs, targets, mask, noise;
  int batch = 4;
};

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, double sd, nf::Rng& rng) {
  Matrix m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = sd * rng.normal();
  return m;
}

Problem make_problem(Activation activation, double alpha, double noise_sd, std::uint64_t seed) {
  nf::Rng rng(seed);
  Problem p;
  p.config.n_in = 3;
  p.config.n_rec = 6;
  p.config.n_out = 2;
  p.config.activation = activation;
  p.config.dt_ms = alpha;
  p.config.tau_ms = 1.0;
  p.config.noise_sd = noise_sd;
  const int steps = 7;
  const Eigen::Index columns = steps * p.batch;
  p.connectivity = Connectivity::full(p.config.n_in, p.config.n_rec, p.config.n_out);
  p.weights.w_in = random_matrix(6, 3, 0.8, rng);
  p.weights.w_rec = random_matrix(6, 6, 0.6, rng);
  p.weights.b_rec = random_matrix(6, 1, 0.3, rng);
  p.weights.w_out = random_matrix(2, 6, 0.8, rng);
  p.weights.b_out = random_matrix(2, 1, 0.3, rng);
  p.inputs = random_matrix(3, columns, 1.0, rng);
  p.targets = random_matrix(2, columns, 1.0, rng);
  p.mask = Matrix(2, columns);
  for (Eigen::Index k = 0; k < p.mask.size(); ++k) p.mask.data()[k] = rng.bernoulli(0.7) ? 1.0 : 0.0;
  p.noise = random_matrix(6, columns, 1.0, rng);
  return p;
}

double total_loss(const RateRnn<double>& net, const Problem& p, const Regularization& reg) {
  RateRnnTrajectory<double> traj;
  net.forward(p.inputs, p.batch, &p.noise, traj);
  return net.loss(p.targets, p.mask, reg, traj).total();
}

// Compares BPTT with central differences on every free entry; masked or
// frozen entries must have a gradient of exactly zero.
void check_gradient(const Problem& p, const Regularization& reg) {
  RateRnn<double> net(p.config, p.connectivity, p.weights);
  RateRnnTrajectory<double> traj;
  net.forward(p.inputs, p.batch, &p.noise, traj);
  RateRnnTensors<double> grad = RateRnnTensors<double>::zeros(p.config);
  net.loss_and_gradient(p.inputs, p.targets, p.mask, reg, traj, grad);

  const double eps = 1e-6;
  for (const auto& name : kTensorNames) {
    const Matrix& analytic = grad.at(name);
    Matrix numeric = Matrix::Zero(analytic.rows(), analytic.cols());
    const Eigen::MatrixXf* mask = name == "W_in"    ? &p.connectivity.mask_in
                                  : name == "W_rec" ? &p.connectivity.mask_rec
                                  : name == "W_out" ? &net.connectivity().mask_out
                                                    : nullptr;
    for (Eigen::Index i = 0; i < analytic.rows(); ++i) {
      for (Eigen::Index j = 0; j < analytic.cols(); ++j) {
        const bool free = p.config.trainable(name) && (mask == nullptr || (*mask)(i, j) != 0);
        if (!free) {
          INFO(name << "[" << i << "," << j << "] is fixed");
          REQUIRE(analytic(i, j) == 0.0);
          continue;
        }
        RateRnn<double> plus = net, minus = net;
        plus.weights().at(name)(i, j) += eps;
        minus.weights().at(name)(i, j) -= eps;
        numeric(i, j) = (total_loss(plus, p, reg) - total_loss(minus, p, reg)) / (2 * eps);
      }
    }
    const double scale = std::max({analytic.norm(), numeric.norm(), 1e-12});
    const double relative_error = (analytic - numeric).norm() / scale;
    INFO("tensor " << name << ": |analytic| " << analytic.norm() << ", |numeric| " << numeric.norm()
                   << ", relative error " << relative_error);
    CHECK(relative_error < 1e-5);
  }
}

}  // namespace

TEST_CASE("BPTT matches finite differences for each loss term", "[gradients]") {
  const std::uint64_t seed = GENERATE(11u, 12u);
  const auto activation = GENERATE(Activation::kTanh, Activation::kRelu);
  const double alpha = GENERATE(1.0, 0.3);
  INFO("seed " << seed << ", activation " << to_string(activation) << ", alpha " << alpha);
  const Problem p = make_problem(activation, alpha, 0.2, seed);

  SECTION("task MSE") { check_gradient(p, {}); }
  SECTION("L2 weight penalty") { check_gradient(p, {.l2_weights = 0.7}); }
  SECTION("L1 weight penalty") { check_gradient(p, {.l1_weights = 0.4}); }
  SECTION("L2 rate penalty") { check_gradient(p, {.l2_rates = 0.9}); }
  SECTION("L1 rate penalty") { check_gradient(p, {.l1_rates = 0.5}); }
  SECTION("all terms together") { check_gradient(p, {0.3, 0.2, 0.4, 0.1}); }
}

TEST_CASE("masked, frozen and Dale-excluded entries get zero gradient", "[gradients]") {
  Problem p = make_problem(Activation::kTanh, 0.5, 0.0, 21);
  nf::Rng rng(99);
  for (Eigen::Index k = 0; k < p.connectivity.mask_rec.size(); ++k)
    p.connectivity.mask_rec.data()[k] = rng.bernoulli(0.5) ? 1.0f : 0.0f;
  p.connectivity.mask_in(2, 1) = 0;
  p.config.frozen = {"b_out"};
  p.config.dale_ratio = 0.5;  // units 3..5 inhibitory: no readout from them
  p.weights.w_rec.array() *= p.connectivity.mask_rec.cast<double>().array();
  p.weights.w_in(2, 1) = 0;
  p.weights.w_out.rightCols(3).setZero();
  check_gradient(p, {0.1, 0.1, 0.1, 0.1});
}

TEST_CASE("the loss of a perfect output is zero and matches a hand computation", "[gradients]") {
  Problem p = make_problem(Activation::kTanh, 1.0, 0.0, 5);
  RateRnn<double> net(p.config, p.connectivity, p.weights);
  RateRnnTrajectory<double> traj;
  net.forward(p.inputs, p.batch, nullptr, traj);
  CHECK(net.loss(traj.outputs, p.mask, {}, traj).task == 0.0);

  const Matrix shifted = traj.outputs.array() + 0.5;  // every error 0.5 → MSE 0.25
  CHECK(net.loss(shifted, p.mask, {}, traj).task == Approx(0.25).epsilon(1e-12));
}
