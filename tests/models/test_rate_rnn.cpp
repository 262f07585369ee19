// The forward pass against closed forms and against a plain per-trial loop.
#include <catch2/catch.hpp>
#include <cmath>

#include "neurofab/common/rng.hpp"
#include "neurofab/models/rate_rnn.hpp"

using namespace nf::models;
using Matrix = Eigen::MatrixXd;

namespace {

RateRnnConfig small_config(double alpha, Activation activation = Activation::kTanh) {
  RateRnnConfig c;
  c.n_in = 2;
  c.n_rec = 5;
  c.n_out = 1;
  c.activation = activation;
  c.dt_ms = alpha;
  c.tau_ms = 1.0;
  return c;
}

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, nf::Rng& rng) {
  Matrix m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = rng.normal();
  return m;
}

}  // namespace

TEST_CASE("constant drive without recurrence relaxes exponentially", "[rate_rnn]") {
  // W_rec = 0 and constant input: a = W_in x + b is constant, so
  // h_t = (1 - (1-α)^t) φ(a) exactly in real arithmetic.
  const double alpha = GENERATE(1.0, 0.25, 0.1);
  const auto activation = GENERATE(Activation::kTanh, Activation::kRelu);
  const RateRnnConfig c = small_config(alpha, activation);
  auto w = RateRnnTensors<double>::zeros(c);
  w.w_in << 0.5, -0.2, 1.0, 0.3, -0.7, 0.1, 0.05, 0.9, -1.5, -0.4;
  w.b_rec << 0.1, -0.1, 0.2, 0.0, 0.3;
  w.w_out.setOnes();
  const RateRnn<double> net(c, Connectivity::full(c.n_in, c.n_rec, c.n_out), w);
  const int steps = 30;
  Matrix inputs(2, steps);
  inputs.row(0).setConstant(0.8);
  inputs.row(1).setConstant(-0.6);
  RateRnnTrajectory<double> traj;
  net.forward(inputs, 1, nullptr, traj);

  const Eigen::VectorXd drive = w.w_in * inputs.col(0) + w.b_rec;
  const Eigen::VectorXd steady =
      activation == Activation::kTanh ? Eigen::VectorXd(drive.array().tanh()) : Eigen::VectorXd(drive.cwiseMax(0.0));
  for (int t = 1; t <= steps; ++t) {
    const Eigen::VectorXd expected = (1.0 - std::pow(1.0 - alpha, t)) * steady;
    INFO("t = " << t << ", alpha " << alpha);
    CHECK((traj.states.col(t) - expected).cwiseAbs().maxCoeff() < 1e-14);
    CHECK(traj.outputs(0, t - 1) == Approx(expected.sum()).margin(1e-13));
  }
}

TEST_CASE("batched forward equals a per-trial loop of the update equation", "[rate_rnn]") {
  const std::uint64_t seed = 7;
  INFO("seed " << seed);
  nf::Rng rng(seed);
  const double alpha = GENERATE(1.0, 0.2);
  RateRnnConfig c = small_config(alpha);
  c.noise_sd = 0.1;
  RateRnnTensors<double> w{random_matrix(5, 2, rng), random_matrix(5, 5, rng), random_matrix(5, 1, rng),
                           random_matrix(1, 5, rng), random_matrix(1, 1, rng)};
  const RateRnn<double> net(c, Connectivity::full(c.n_in, c.n_rec, c.n_out), w);
  const int steps = 12, batch = 3;
  const Matrix inputs = random_matrix(2, steps * batch, rng);
  const Matrix noise = random_matrix(5, steps * batch, rng);
  RateRnnTrajectory<double> traj;
  net.forward(inputs, batch, &noise, traj);

  for (int b = 0; b < batch; ++b) {
    Eigen::VectorXd h = Eigen::VectorXd::Zero(5);
    for (int t = 0; t < steps; ++t) {
      const int col = t * batch + b;
      const Eigen::VectorXd a = w.w_rec * h + w.w_in * inputs.col(col) + w.b_rec + c.noise_sd * noise.col(col);
      h = (1 - alpha) * h + alpha * Eigen::VectorXd(a.array().tanh());
      const double y = (w.w_out * h + w.b_out)(0);
      INFO("trial " << b << " step " << t);
      CHECK((traj.states.col((t + 1) * batch + b) - h).cwiseAbs().maxCoeff() < 1e-12);
      CHECK(traj.outputs(0, col) == Approx(y).margin(1e-12));
    }
  }
}

TEST_CASE("invalid configurations are refused with the field named", "[rate_rnn]") {
  RateRnnConfig c = small_config(1.0);
  c.tau_ms = 0.5;  // α = 2
  CHECK_THROWS_WITH(c.validate(), Catch::Contains("tau_ms"));
  c = small_config(1.0);
  c.n_rec = 0;
  CHECK_THROWS_WITH(c.validate(), Catch::Contains("n_rec"));
  c = small_config(1.0);
  c.dale_ratio = 1.5;
  CHECK_THROWS_WITH(c.validate(), Catch::Contains("dale_ratio"));
  c = small_config(1.0);
  c.frozen = {"W_nope"};
  CHECK_THROWS_WITH(c.validate(), Catch::Contains("W_nope"));
  c = small_config(1.0);
  auto w = RateRnnTensors<double>::zeros(c);
  w.w_rec.resize(4, 5);
  CHECK_THROWS_WITH(RateRnn<double>(c, Connectivity::full(c.n_in, c.n_rec, c.n_out), w), Catch::Contains("W_rec"));
}

TEST_CASE("constraints: masked weights are zero and Dale's signs hold", "[rate_rnn]") {
  RateRnnConfig c = small_config(1.0);
  c.dale_ratio = 0.6;  // units 0..2 excitatory, 3..4 inhibitory
  REQUIRE(c.n_excitatory() == 3);
  nf::Rng rng(3);
  RateRnnTensors<double> w{random_matrix(5, 2, rng), random_matrix(5, 5, rng), random_matrix(5, 1, rng),
                           random_matrix(1, 5, rng), random_matrix(1, 1, rng)};
  Connectivity k = Connectivity::full(c.n_in, c.n_rec, c.n_out);
  k.mask_rec(1, 2) = 0;
  RateRnn<double> net(c, k, w);
  net.apply_constraints();
  const auto& r = net.weights().w_rec;
  CHECK(r(1, 2) == 0.0);
  CHECK((r.leftCols(3).array() >= 0).all());
  CHECK((r.rightCols(2).array() <= 0).all());
  CHECK((net.weights().w_out.leftCols(3).array() >= 0).all());
  CHECK((net.weights().w_out.rightCols(2).array() == 0).all());
}
