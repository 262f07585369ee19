// ELiSe single-neuron dynamics against closed forms: dendrite and soma steady
// states, the teacher's nudging strength and target, Euler relaxation toward
// them (exact discrete solution at dt, first-order convergence to the
// exponential), the rbar trace, delays, and one plasticity step by hand.
// GCC 12 -Wmaybe-uninitialized false positives in Eigen's AVX-512 packet code
// (reductions with -march=native), as in analysis/src/degeneracy.cpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "elise_test_networks.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/elise/network.hpp"

using namespace nf::models;
using nf::test::hand_built;
using nf::test::small_config;

namespace {

// One visible neuron (index 0) clamped at phi's midpoint, so it fires at
// exactly 0.5 from step 0 on, driving latent neuron 1 (no scaffold parents)
// through W(1, 0) = w after a delay of `delay` steps.
EliseNetwork constant_drive(double w, int delay) {
  const EliseConfig c = small_config(1, 1);
  Eigen::MatrixXd weights = Eigen::MatrixXd::Zero(2, 2);
  weights(1, 0) = w;
  EliseNetwork net = hand_built(c, {{}}, {delay, delay}, weights);
  net.state().rate_history.row(0).setConstant(0.5);  // as if clamped forever
  return net;
}

constexpr double kMidpoint = -58.0;  // phi(-58) = 0.5 exactly

}  // namespace

TEST_CASE("elise: phi and its inverse", "[elise][neuron]") {
  const EliseParameters p;
  CHECK(p.phi(-58.0) == 0.5);
  for (double u : {-75.0, -64.0, -58.0, -50.5, -10.0}) CHECK(p.phi_inverse(p.phi(u)) == Approx(u).margin(1e-9));
  CHECK(std::isinf(p.phi_inverse(0.0)));
  CHECK(std::isinf(p.phi_inverse(1.0)));
}

TEST_CASE("elise: the dendrite settles at E_l + I/g_l along the exact Euler path", "[elise][neuron]") {
  const double w = 2.0;
  EliseNetwork net = constant_drive(w, 50);
  const EliseParameters& p = net.params();
  const double input = w * 0.5;
  const double v_inf = p.e_l_mv + input / p.g_l;  // -60 mV
  const double decay = 1.0 - p.dt_ms * p.g_l;
  const double v0 = net.state().v(1);
  for (int n = 1; n <= 3000; ++n) {
    net.step(nullptr, false, kMidpoint);
    if (n % 500 == 0) {
      INFO("step " << n);
      CHECK(net.state().v(1) == Approx(v_inf + std::pow(decay, n) * (v0 - v_inf)).margin(1e-10));
    }
  }
  CHECK(net.state().v(1) == Approx(v_inf).margin(1e-9));
}

TEST_CASE("elise: with v fixed and no teacher the soma settles at v*", "[elise][neuron]") {
  EliseNetwork net = constant_drive(2.0, 50);
  const EliseParameters& p = net.params();
  for (int n = 0; n < 5000; ++n) net.step(nullptr, false, kMidpoint);
  const double v = net.state().v(1);
  const double v_star = (p.g_l * p.e_l_mv + p.g_den * v) / (p.g_l + p.g_den);
  CHECK(v == Approx(-60.0).margin(1e-9));
  CHECK(net.state().u(1) == Approx(v_star).margin(1e-9));
  // No scaffold parents, so no somatic conductances.
  CHECK(net.state().g_exc(1) == 0.0);
  CHECK(net.state().g_inh(1) == 0.0);
}

TEST_CASE("elise: the teacher's conductances give lambda and u* = (1 - lambda) v* + lambda u_tgt",
          "[elise][neuron]") {
  const EliseConfig c = small_config(1, 0);
  for (double target : {0.05, 0.3, 0.5, 0.9}) {
    for (double v_fixed : {-70.0, -62.0, -50.0}) {
      EliseNetwork net = hand_built(c, {}, {50}, Eigen::MatrixXd::Zero(1, 1));
      const EliseParameters& p = net.params();
      const Eigen::VectorXd rates = Eigen::VectorXd::Constant(1, target);
      for (int n = 0; n < 400; ++n) {
        net.state().v(0) = v_fixed;  // hold the dendrite
        net.step(&rates, false);
      }
      const double g_e = net.state().g_exc(0), g_i = net.state().g_inh(0);
      const double lambda = (g_e + g_i) / (g_e + g_i + p.g_l + p.g_den);
      const double u_tgt = p.phi_inverse(target);
      const double v_star = (p.g_l * p.e_l_mv + p.g_den * v_fixed) / (p.g_l + p.g_den);
      INFO(fmt::format("target {} v {}", target, v_fixed));
      CHECK(lambda == Approx(p.teacher_lambda).epsilon(1e-12));
      CHECK(g_e >= 0.0);
      CHECK(g_i >= 0.0);
      CHECK(net.teacher_conductances(target).u_target_mv == Approx(u_tgt).epsilon(1e-12));
      CHECK(net.state().u(0) == Approx((1 - lambda) * v_star + lambda * u_tgt).margin(1e-9));
    }
  }
}

TEST_CASE("elise: a target rate beyond phi's range is clipped into [E_inh, E_exc]", "[elise][neuron]") {
  const EliseNetwork net(small_config(1, 0), 3);
  CHECK(net.teacher_conductances(0.0).u_target_mv == -75.0);
  CHECK(net.teacher_conductances(0.0).g_exc == 0.0);
  CHECK(net.teacher_conductances(1.0).u_target_mv == 0.0);
  CHECK(net.teacher_conductances(1.0).g_inh == 0.0);
  CHECK_THROWS_AS(net.teacher_conductances(1.5), nf::InputError);
}

// u_n - u* = (1 - dt G)^n (u_0 - u*) exactly; against the exponential
// e^{-G t} the largest error over the path is first order in dt.
TEST_CASE("elise: Euler relaxation of the nudged soma is first-order accurate", "[elise][neuron]") {
  const auto max_error = [](double dt) {
    EliseConfig c = small_config(1, 0);
    c.params.dt_ms = dt;
    c.params.delay_min_ms = c.params.delay_max_ms = 5.0;
    EliseNetwork net = hand_built(c, {}, {static_cast<int>(std::lround(5.0 / dt))}, Eigen::MatrixXd::Zero(1, 1));
    const EliseParameters& p = net.params();
    const double v_fixed = -65.0, target = 0.8;
    const Eigen::VectorXd rates = Eigen::VectorXd::Constant(1, target);
    const double g = p.g_l + p.g_den + net.derived().teacher_conductance;
    const double lambda = p.teacher_lambda;
    const double v_star = (p.g_l * p.e_l_mv + p.g_den * v_fixed) / (p.g_l + p.g_den);
    const double u_star = (1 - lambda) * v_star + lambda * p.phi_inverse(target);
    const double u0 = net.state().u(0);
    double worst = 0.0, worst_discrete = 0.0;
    const int steps = static_cast<int>(std::lround(3.0 / dt));  // 3 ms, ~16 time constants
    for (int n = 1; n <= steps; ++n) {
      net.state().v(0) = v_fixed;
      net.step(&rates, false);
      const double exact = u_star + std::exp(-g * n * dt) * (u0 - u_star);
      const double discrete = u_star + std::pow(1 - dt * g, n) * (u0 - u_star);
      worst = std::max(worst, std::abs(net.state().u(0) - exact));
      worst_discrete = std::max(worst_discrete, std::abs(net.state().u(0) - discrete));
    }
    CHECK(worst_discrete < 1e-9);
    return worst;
  };
  const double e1 = max_error(0.01), e2 = max_error(0.005), e3 = max_error(0.0025);
  INFO(fmt::format("max |u - exact|: {} {} {}", e1, e2, e3));
  CHECK(e1 / e2 == Approx(2.0).epsilon(0.1));
  CHECK(e2 / e3 == Approx(2.0).epsilon(0.05));
  CHECK(max_error(0.1) > e1);  // the default dt is still in the first-order regime
}

TEST_CASE("elise: rbar settles at g_den/(g_l + g_den) times a constant delayed rate", "[elise][neuron]") {
  EliseNetwork net = constant_drive(0.0, 50);
  const EliseParameters& p = net.params();
  const double r_inf = p.g_den / (p.g_l + p.g_den) * 0.5;
  const double r0 = net.state().rbar(0);
  const double decay = 1.0 - p.dt_ms * p.g_l;
  for (int n = 1; n <= 3000; ++n) {
    net.step(nullptr, false, kMidpoint);
    if (n % 1000 == 0) CHECK(net.state().rbar(0) == Approx(r_inf + std::pow(decay, n) * (r0 - r_inf)).margin(1e-12));
  }
  CHECK(net.state().rbar(0) == Approx(r_inf).margin(1e-10));
  // At rest the trace starts at its steady state for phi(E_l).
  const EliseNetwork rest(small_config(2, 3), 4);
  CHECK(rest.state().rbar(1) == Approx(p.g_den / (p.g_l + p.g_den) * p.phi(p.e_l_mv)).epsilon(1e-14));
}

TEST_CASE("elise: a pulse in r_j reaches the dendrite, the scaffold excitation and inhibition exactly d_j and d_j + D_I steps later",
          "[elise][delay]") {
  const EliseConfig c = small_config(1, 1);
  for (int delay : {50, 77, 150}) {
    Eigen::MatrixXd weights = Eigen::MatrixXd::Zero(2, 2);
    weights(1, 0) = 1.0;
    EliseNetwork net = hand_built(c, {{0}}, {delay, 60}, weights);
    EliseNetwork reference = hand_built(c, {{0}}, {delay, 60}, weights);
    const int d_inh = net.derived().inhibitory_delay_steps;
    const double rest = net.derived().rate_at_rest;
    // r_0[0] = a pulse; neuron 0 otherwise sits at rest (no input, no teacher).
    net.state().rate_history(0, 0) = 0.9;
    int first_v = -1, first_ge = -1, first_gi = -1;
    for (int n = 0; n < delay + d_inh + 5; ++n) {  // update n reads r[n - d]
      net.step(nullptr, false);
      reference.step(nullptr, false);
      if (first_v < 0 && net.state().v(1) != reference.state().v(1)) first_v = n;
      if (first_ge < 0 && net.state().g_exc(1) != reference.state().g_exc(1)) first_ge = n;
      if (first_gi < 0 && net.state().g_inh(1) != reference.state().g_inh(1)) first_gi = n;
    }
    INFO("delay " << delay);
    CHECK(first_v == delay);
    CHECK(first_ge == delay);
    CHECK(first_gi == delay + d_inh);
    CHECK(reference.state().g_exc(1) == Approx(net.params().scaffold_g_exc * rest).epsilon(1e-14));
  }
}

TEST_CASE("elise: one plasticity step matches the hand-computed Urbanczik-Senn update", "[elise][plasticity]") {
  const EliseConfig c = small_config(2, 2);
  const int n = c.n_total();
  Eigen::MatrixXd w(n, n);
  w << 0.0, 0.3, -0.2, 0.1,  //
      0.5, 0.0, 0.4, -0.6,   //
      -0.1, 0.2, 0.0, 0.7,   //
      0.3, -0.4, 0.25, 0.0;
  EliseNetwork net = hand_built(c, {{0}, {1, 2}}, {50, 60, 70, 80}, w);
  EliseState& s = net.state();
  s.u << -62.0, -55.0, -70.0, -48.0;
  s.v << -60.0, -58.0, -66.0, -50.0;
  s.rbar << 0.2, 0.05, 0.6, 0.33;
  const Eigen::VectorXd target = (Eigen::VectorXd(2) << 0.2, 0.7).finished();
  const EliseParameters& p = net.params();

  // By hand, scalar by scalar.
  Eigen::MatrixXd expected = w;
  for (int i = 0; i < n; ++i) {
    const double v_star = (p.g_l * p.e_l_mv + p.g_den * s.v(i)) / (p.g_l + p.g_den);
    const double err = 1 / (1 + std::exp(0.3 * (-58 - s.u(i)))) - 1 / (1 + std::exp(0.3 * (-58 - v_star)));
    for (int j = 0; j < n; ++j) {
      if (i == j) continue;
      const double eta = (i < 2 && j < 2) ? 1e-4 : 1e-3;
      expected(i, j) += 0.1 * eta * err * s.rbar(j);
    }
  }
  net.step(&target, true);
  const double largest_change = (expected - w).cwiseAbs().maxCoeff();
  CHECK(largest_change > 1e-6);  // the step does something measurable
  CHECK((net.weights() - expected).cwiseAbs().maxCoeff() < 1e-15);
  CHECK(net.weights().diagonal().isZero(0.0));

  // plasticity = false leaves W alone.
  const Eigen::MatrixXd before = net.weights();
  net.step(&target, false);
  CHECK(net.weights() == before);
}

TEST_CASE("elise: a neuron whose soma follows its dendrite (u = v*) does not learn", "[elise][plasticity]") {
  EliseNetwork net = constant_drive(2.0, 50);
  for (int n = 0; n < 6000; ++n) net.step(nullptr, false, kMidpoint);
  const Eigen::MatrixXd before = net.weights();
  net.step(nullptr, true, kMidpoint);
  // The latent neuron is at u = v*: its row does not move (to rounding).
  CHECK((net.weights().row(1) - before.row(1)).cwiseAbs().maxCoeff() < 1e-15);
}
