// The LIF network's forward pass against closed forms: the membrane under
// constant input (current-free and CUBA), the first spike time, both resets
// and the refractory period, the leaky readout, and the activity counts.
#include <catch2/catch.hpp>
#include <cmath>

#include "neurofab/models/init.hpp"
#include "neurofab/models/lif_rnn.hpp"

using namespace nf::models;
using Matrix = Eigen::MatrixXd;

namespace {

// One unit, one input of constant value 1 through W_in = drive, no recurrence.
LifRnn<double> single_unit(const LifRnnConfig& base, double drive) {
  LifRnnConfig c = base;
  c.n_in = 1;
  c.n_rec = 1;
  c.n_out = 1;
  LifRnnTensors<double> w = LifRnnTensors<double>::zeros(c);
  w.w_in(0, 0) = drive;
  w.w_out(0, 0) = 1.0;
  w.beta(0, 0) = c.beta();
  w.alpha_syn(0, 0) = c.alpha_syn();
  return LifRnn<double>(c, Connectivity::full(1, 1, 1), w);
}

LifRnnTrajectory<double> run_constant(const LifRnn<double>& net, int steps) {
  LifRnnTrajectory<double> traj;
  net.forward(Matrix::Ones(1, steps), 1, nullptr, traj);
  return traj;
}

// First step t ≥ 1 at which the current-free membrane I(1-β^t)/(1-β) reaches θ.
int first_spike_step(double drive, double beta, double theta) {
  return static_cast<int>(std::ceil(std::log(1.0 - theta * (1.0 - beta) / drive) / std::log(beta)));
}

}  // namespace

TEST_CASE("current-free LIF membrane under constant input follows the closed form up to the first spike", "[lif]") {
  LifRnnConfig c;
  c.tau_mem_ms = GENERATE(10.0, 20.0);
  c.tau_syn_ms = 0.0;
  c.threshold = 1.0;
  const double drive = 0.12;
  const double beta = c.beta();
  const int t_spike = first_spike_step(drive, beta, c.threshold);
  INFO("tau_mem " << c.tau_mem_ms << ", first spike at step " << t_spike);
  REQUIRE(t_spike > 5);

  const auto traj = run_constant(single_unit(c, drive), t_spike + 3);
  for (int t = 1; t < t_spike; ++t) {
    const double expected = drive * (1.0 - std::pow(beta, t)) / (1.0 - beta);
    INFO("step " << t);
    CHECK(traj.membranes(0, t) == Approx(expected).epsilon(1e-12));
    CHECK(traj.spikes(0, t) == 0.0);
  }
  CHECK(traj.spikes(0, t_spike) == 1.0);
  // Reset by subtraction: the membrane keeps what exceeded the threshold.
  const double u = drive * (1.0 - std::pow(beta, t_spike)) / (1.0 - beta);
  CHECK(traj.membranes(0, t_spike) == Approx(u - c.threshold).epsilon(1e-12));
}

TEST_CASE("CUBA LIF membrane under constant input follows the closed form", "[lif]") {
  LifRnnConfig c;
  c.tau_mem_ms = 20.0;
  c.tau_syn_ms = 5.0;
  c.threshold = 1e9;  // never spikes: the whole trajectory is the closed form
  const double drive = 0.3, a = c.alpha_syn(), b = c.beta();
  const auto traj = run_constant(single_unit(c, drive), 60);
  for (int t = 1; t <= 60; ++t) {
    // I_t = c(1-α^t)/(1-α);  v_t = Σ_k β^{t-k} I_k = c/(1-α) [(1-β^t)/(1-β) - α(β^t-α^t)/(β-α)]
    const double current = drive * (1 - std::pow(a, t)) / (1 - a);
    const double membrane =
        drive / (1 - a) * ((1 - std::pow(b, t)) / (1 - b) - a * (std::pow(b, t) - std::pow(a, t)) / (b - a));
    INFO("step " << t);
    CHECK(traj.currents(0, t) == Approx(current).epsilon(1e-12));
    CHECK(traj.membranes(0, t) == Approx(membrane).epsilon(1e-12));
  }
}

TEST_CASE("reset to zero with a refractory period fires periodically at the closed-form period", "[lif]") {
  LifRnnConfig c;
  c.tau_mem_ms = 15.0;
  c.tau_syn_ms = 0.0;
  c.reset = ResetMode::kZero;
  c.refractory_steps = GENERATE(0, 3);
  const double drive = 0.1;
  const int t_spike = first_spike_step(drive, c.beta(), c.threshold);
  const int period = t_spike + c.refractory_steps;  // after a reset the unit starts over from v = 0
  const int steps = t_spike + 4 * period;
  const auto traj = run_constant(single_unit(c, drive), steps);
  INFO("first spike " << t_spike << ", refractory " << c.refractory_steps);
  for (int t = 1; t <= steps; ++t) {
    const bool expected = t >= t_spike && (t - t_spike) % period == 0;
    INFO("step " << t);
    CHECK(traj.spikes(0, t) == (expected ? 1.0 : 0.0));
    if (expected) CHECK(traj.membranes(0, t) == 0.0);
  }
  // While refractory the membrane is held at its reset value.
  if (c.refractory_steps > 0) {
    for (int k = 1; k <= c.refractory_steps; ++k) CHECK(traj.membranes(0, t_spike + k) == 0.0);
  }
}

TEST_CASE("the leaky readout integrates the spikes with decay kappa", "[lif]") {
  LifRnnConfig c;
  c.tau_syn_ms = 0.0;
  c.tau_out_ms = 10.0;
  const double drive = 0.2;
  const auto net = single_unit(c, drive);
  const auto traj = run_constant(net, 40);
  const double kappa = c.kappa();
  double y = 0;
  for (int t = 1; t <= 40; ++t) {
    y = kappa * y + traj.spikes(0, t);  // W_out = 1, b_out = 0
    INFO("step " << t);
    CHECK(traj.outputs(0, t - 1) == Approx(y).epsilon(1e-12));
  }
  CHECK(traj.spikes.sum() > 2);
}

TEST_CASE("recurrent spikes arrive one step later through W_rec", "[lif]") {
  // Unit 0 is driven to spike at step 1; unit 1 gets only W_rec[1, 0] = 2 and
  // must spike at step 2 exactly.
  LifRnnConfig c;
  c.n_in = 1;
  c.n_rec = 2;
  c.tau_syn_ms = 0.0;
  LifRnnTensors<double> w = LifRnnTensors<double>::zeros(c);
  w.w_in(0, 0) = 1.5;
  w.w_rec(1, 0) = 2.0;
  w.beta.setConstant(c.beta());
  LifRnn<double> net(c, Connectivity::full(1, 2, 1), w);
  LifRnnTrajectory<double> traj;
  Matrix x = Matrix::Zero(1, 4);
  x(0, 0) = 1.0;  // a single input pulse at step 1
  net.forward(x, 1, nullptr, traj);
  CHECK(traj.spikes(0, 1) == 1.0);
  CHECK(traj.spikes(1, 1) == 0.0);
  CHECK(traj.spikes(1, 2) == 1.0);
  CHECK(traj.currents(1, 2) == 2.0);
}

TEST_CASE("activity counts spikes, rates and synaptic operations", "[lif]") {
  LifRnnConfig c;
  c.n_in = 1;
  c.n_rec = 3;
  c.n_out = 2;
  c.tau_syn_ms = 0.0;
  c.dt_ms = 0.5;
  LifRnnTensors<double> w = LifRnnTensors<double>::zeros(c);
  w.w_in(0, 0) = 1.0;  // only unit 0 is driven: it spikes at every step
  w.beta.setConstant(c.beta());
  Connectivity k = Connectivity::full(1, 3, 2);
  k.mask_rec(2, 0) = 0;  // unit 0 reaches units 1 only (and itself)
  k.mask_out(1, 0) = 0;  // and one readout
  w.w_rec(0, 0) = 0.0;
  LifRnn<float> net(c, k, w.cast<float>());
  LifRnnTrajectory<float> traj;
  net.forward(Eigen::MatrixXf::Ones(1, 10 * 2), 2, nullptr, traj);  // 10 steps, 2 trials
  const SpikeActivity a = net.activity(traj);
  CHECK(a.spikes_per_step == 1.0);
  CHECK(a.mean_rate == Approx(1.0 / 3));
  CHECK(a.mean_rate_hz == Approx(1.0 / 3 / 0.5e-3));
  CHECK(a.synops_per_step == 3.0);      // fan-out of unit 0: 2 recurrent + 1 readout
  CHECK(a.input_macs_per_step == 3.0);  // dense current input: 3 synapses
}

TEST_CASE("LIF configuration errors name the field", "[lif]") {
  const auto expect = [](auto edit, const std::string& field) {
    LifRnnConfig c;
    edit(c);
    CHECK_THROWS_WITH(c.validate(), Catch::Contains(field));
  };
  expect([](LifRnnConfig& c) { c.tau_mem_ms = 0; }, "tau_mem_ms");
  expect([](LifRnnConfig& c) { c.tau_syn_ms = -1; }, "tau_syn_ms");
  expect([](LifRnnConfig& c) { c.threshold = 0; }, "threshold");
  expect([](LifRnnConfig& c) { c.refractory_steps = -2; }, "refractory_steps");
  expect([](LifRnnConfig& c) { c.surrogate_slope = 0; }, "surrogate_slope");
  expect([](LifRnnConfig& c) { c.frozen = {"tau"}; }, "frozen");
  CHECK_THROWS_WITH(reset_mode_from_string("soft"), Catch::Contains("subtract"));
  CHECK_THROWS_WITH(surrogate_from_string("sigmoid"), Catch::Contains("fast_sigmoid"));
  CHECK_THROWS_WITH(input_encoding_from_string("rate"), Catch::Contains("poisson"));
}

TEST_CASE("a new LIF network has the configured decays and respects Dale's law", "[lif]") {
  LifRnnConfig c;
  c.n_in = 2;
  c.n_rec = 10;
  c.dale_ratio = 0.8;
  c.encoding = InputEncoding::kDelta;
  const LifRnn<float> net = make_lif_rnn(c, {}, 7);
  CHECK(net.weights().w_in.cols() == 4);  // ON and OFF channel per input
  CHECK((net.weights().beta.array() == static_cast<float>(c.beta())).all());
  CHECK((net.weights().alpha_syn.array() == static_cast<float>(c.alpha_syn())).all());
  CHECK(net.constraint_violation().empty());
  CHECK((net.weights().w_rec.leftCols(8).array() >= 0).all());
  CHECK((net.weights().w_rec.rightCols(2).array() <= 0).all());
  CHECK((net.weights().w_out.rightCols(2).array() == 0).all());
}
