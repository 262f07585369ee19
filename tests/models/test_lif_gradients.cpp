// Surrogate-gradient BPTT of the LIF network against central finite
// differences, in double, on the smooth forward pass (H replaced by the
// primitive of the surrogate, so the surrogate gradient is the exact
// gradient): every surrogate, both resets, refractory periods, trainable
// decays, spike encodings, and every loss and regulariser term.
#include <catch2/catch.hpp>

#include "neurofab/common/rng.hpp"
#include "neurofab/models/lif_rnn.hpp"

using namespace nf::models;
using Matrix = Eigen::MatrixXd;

namespace {

struct Problem {
  LifRnnConfig config;
  Connectivity connectivity;
  LifRnnTensors<double> weights;
  Matrix inputs, targets, mask, noise;
  int batch = 3;
};

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, double sd, nf::Rng& rng) {
  Matrix m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = sd * rng.normal();
  return m;
}

Problem make_problem(const LifRnnConfig& base, std::uint64_t seed) {
  nf::Rng rng(seed);
  Problem p;
  p.config = base;
  p.config.n_in = 2;
  p.config.n_rec = 5;
  p.config.n_out = 2;
  p.config.smooth_forward = true;
  const int n_enc = p.config.n_in_encoded();
  const int steps = 9;
  const Eigen::Index columns = steps * p.batch;
  p.connectivity = Connectivity::full(n_enc, 5, 2);
  p.weights = LifRnnTensors<double>::zeros(p.config);
  p.weights.w_in = random_matrix(5, n_enc, 0.9, rng);
  p.weights.w_rec = random_matrix(5, 5, 0.5, rng);
  p.weights.b_rec = random_matrix(5, 1, 0.2, rng);
  p.weights.w_out = random_matrix(2, 5, 0.8, rng);
  p.weights.b_out = random_matrix(2, 1, 0.3, rng);
  // Per-unit decays around the configured ones, so their gradients differ by unit.
  for (int i = 0; i < 5; ++i) {
    p.weights.beta(i, 0) = p.config.beta() * (0.9 + 0.02 * i);
    p.weights.alpha_syn(i, 0) = p.config.alpha_syn() * (0.9 + 0.02 * i);
  }
  p.inputs = random_matrix(2, columns, 1.0, rng);
  p.targets = random_matrix(2, columns, 1.0, rng);
  p.mask = Matrix(2, columns);
  for (Eigen::Index k = 0; k < p.mask.size(); ++k) p.mask.data()[k] = rng.bernoulli(0.7) ? 1.0 : 0.0;
  p.noise = Matrix(n_enc, columns);
  for (Eigen::Index k = 0; k < p.noise.size(); ++k) p.noise.data()[k] = rng.uniform();
  return p;
}

double total_loss(const LifRnn<double>& net, const Problem& p, const Regularization& reg) {
  LifRnnTrajectory<double> traj;
  net.forward(p.inputs, p.batch, &p.noise, traj);
  return net.loss(p.targets, p.mask, reg, traj).total();
}

// BPTT against central differences on every free entry; fixed entries
// (masked, frozen, untrained decays) must have a gradient of exactly zero.
void check_gradient(const Problem& p, const Regularization& reg) {
  LifRnn<double> net(p.config, p.connectivity, p.weights);
  LifRnnTrajectory<double> traj;
  net.forward(p.inputs, p.batch, &p.noise, traj);
  REQUIRE(traj.spikes.rightCols(traj.outputs.cols()).array().abs().sum() > 0);
  LifRnnTensors<double> grad = LifRnnTensors<double>::zeros(p.config);
  net.loss_and_gradient(p.inputs, p.targets, p.mask, reg, traj, grad);

  const double eps = 1e-6;
  for (const auto& name : kLifTensorNames) {
    const Matrix& analytic = grad.at(name);
    Matrix numeric = Matrix::Zero(analytic.rows(), analytic.cols());
    const Eigen::MatrixXf* mask = name == "W_in"    ? &net.connectivity().mask_in
                                  : name == "W_rec" ? &net.connectivity().mask_rec
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
        LifRnn<double> plus = net, minus = net;
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

TEST_CASE("LIF surrogate BPTT matches finite differences of the smooth forward pass", "[lif][gradients]") {
  const auto surrogate = GENERATE(Surrogate::kFastSigmoid, Surrogate::kAtan, Surrogate::kTriangle);
  const auto reset = GENERATE(ResetMode::kSubtract, ResetMode::kZero);
  const double tau_syn = GENERATE(0.0, 4.0);
  const std::uint64_t seed = 31;
  LifRnnConfig c;
  c.surrogate = surrogate;
  c.surrogate_slope = 2.0;
  c.reset = reset;
  c.tau_mem_ms = 6.0;
  c.tau_syn_ms = tau_syn;
  c.tau_out_ms = 3.0;
  c.threshold = 0.8;
  c.train_tau = true;
  INFO("seed " << seed << ", surrogate " << to_string(surrogate) << ", reset " << to_string(reset) << ", tau_syn "
               << tau_syn);
  const Problem p = make_problem(c, seed);

  SECTION("task MSE") { check_gradient(p, {}); }
  SECTION("weight penalties") { check_gradient(p, {.l2_weights = 0.6, .l1_weights = 0.3}); }
  SECTION("spike penalties") { check_gradient(p, {.l2_rates = 0.7, .l1_rates = 0.4}); }
  SECTION("firing-rate target") { check_gradient(p, {.target_rate = 0.2, .target_rate_weight = 0.9}); }
  SECTION("all terms together") { check_gradient(p, {0.2, 0.1, 0.3, 0.2, 0.3, 0.5}); }
}

TEST_CASE("LIF BPTT is exact with a refractory period, a memory-less readout and spike encodings",
          "[lif][gradients]") {
  LifRnnConfig c;
  c.tau_mem_ms = 5.0;
  c.tau_syn_ms = 3.0;
  c.tau_out_ms = 0.0;
  c.surrogate_slope = 1.5;
  c.threshold = 0.3;  // low, so the hard refractory flags are set often
  c.train_tau = true;
  SECTION("refractory period, subtract") {
    c.refractory_steps = 2;
    check_gradient(make_problem(c, 41), {.l1_rates = 0.2});
  }
  SECTION("refractory period, zero") {
    c.refractory_steps = 1;
    c.reset = ResetMode::kZero;
    check_gradient(make_problem(c, 42), {});
  }
  SECTION("Poisson encoding") {
    c.encoding = InputEncoding::kPoisson;
    c.encoding_gain = 0.7;
    check_gradient(make_problem(c, 43), {});
  }
  SECTION("delta encoding") {
    c.encoding = InputEncoding::kDelta;
    c.delta_threshold = 0.4;
    check_gradient(make_problem(c, 44), {});
  }
}

TEST_CASE("LIF masked, frozen, Dale-excluded and untrained-decay entries get zero gradient", "[lif][gradients]") {
  LifRnnConfig c;
  c.tau_syn_ms = 0.0;  // current-free: alpha_syn is never trained
  c.train_tau = true;
  c.surrogate_slope = 2.0;
  c.threshold = 0.5;
  c.dale_ratio = 0.6;  // units 3, 4 inhibitory
  c.frozen = {"b_out"};
  Problem p = make_problem(c, 51);
  nf::Rng rng(52);
  for (Eigen::Index k = 0; k < p.connectivity.mask_rec.size(); ++k)
    p.connectivity.mask_rec.data()[k] = rng.bernoulli(0.6) ? 1.0f : 0.0f;
  p.connectivity.mask_in(1, 0) = 0;
  p.weights.w_rec.array() *= p.connectivity.mask_rec.cast<double>().array();
  p.weights.w_rec.leftCols(3) = p.weights.w_rec.leftCols(3).cwiseAbs();
  p.weights.w_rec.rightCols(2) = -p.weights.w_rec.rightCols(2).cwiseAbs();
  p.weights.w_in(1, 0) = 0;
  p.weights.w_out = p.weights.w_out.cwiseAbs();
  p.weights.w_out.rightCols(2).setZero();
  p.weights.alpha_syn.setZero();
  check_gradient(p, {0.1, 0.1, 0.1, 0.1, 0.1, 0.1});
}

TEST_CASE("detaching the reset changes the gradient only through the reset path", "[lif][gradients]") {
  // With the reset detached, BPTT equals the exact gradient of a forward pass
  // whose reset term is a constant; for a network that never spikes the two
  // gradients coincide, and with spikes they differ.
  LifRnnConfig c;
  c.tau_syn_ms = 2.0;
  c.threshold = 0.5;
  c.surrogate_slope = 2.0;
  Problem p = make_problem(c, 61);
  p.config.smooth_forward = false;
  const auto gradient = [&](bool detach, const Problem& problem) {
    LifRnnConfig config = problem.config;
    config.detach_reset = detach;
    LifRnn<double> net(config, problem.connectivity, problem.weights);
    LifRnnTrajectory<double> traj;
    net.forward(problem.inputs, problem.batch, nullptr, traj);
    LifRnnTensors<double> g = LifRnnTensors<double>::zeros(config);
    net.loss_and_gradient(problem.inputs, problem.targets, problem.mask, {}, traj, g);
    return std::pair{g.w_rec, traj.spikes.sum()};
  };
  const auto [attached, spikes] = gradient(false, p);
  const auto [detached, same_spikes] = gradient(true, p);
  REQUIRE(spikes > 0);
  CHECK(spikes == same_spikes);
  CHECK((attached - detached).norm() > 1e-6 * attached.norm());

  Problem silent = p;
  silent.config.threshold = 1e6;
  silent.config.surrogate = Surrogate::kTriangle;  // exactly zero far from the threshold
  const auto [silent_attached, none] = gradient(false, silent);
  const auto [silent_detached, none_either] = gradient(true, silent);
  CHECK(none == 0);
  CHECK(silent_attached == silent_detached);
}
