// ELiSe learning, in CI time: always-on plasticity shrinks the visible
// neurons' dendritic prediction error phi(u) - phi(v*) under the teacher, and
// the free-running network comes to follow the pattern. (The replay targets
// of the issue are H2's tests: tests/models/elise/, nf_elise_tests.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // Eigen AVX-512 false positives (GCC 12)
#endif

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "neurofab/models/elise/network.hpp"

using namespace nf::models;

namespace {

// Mean squared dendritic prediction error of the visible neurons over one
// teacher cycle (plasticity on, as in training).
double prediction_error_of_cycle(EliseNetwork& net, const Eigen::MatrixXd& target) {
  const EliseParameters& p = net.params();
  const int nv = net.n_visible();
  Eigen::VectorXd column(nv);
  double sum = 0.0;
  for (Eigen::Index t = 0; t < target.cols(); ++t) {
    column = target.col(t);
    net.step(&column, true);
    for (int i = 0; i < nv; ++i) {
      const double v_star = (p.g_l * p.e_l_mv + p.g_den * net.state().v(i)) / (p.g_l + p.g_den);
      const double e = p.phi(net.state().u(i)) - p.phi(v_star);
      sum += e * e;
    }
  }
  return sum / static_cast<double>(nv * target.cols());
}

double summed_correlation(const Eigen::MatrixXd& out, const Eigen::MatrixXd& target) {
  double total = 0.0;
  for (Eigen::Index i = 0; i < out.rows(); ++i) {
    Eigen::VectorXd a = out.row(i).transpose(), b = target.row(i).transpose();
    a.array() -= a.mean();
    b.array() -= b.mean();
    const double norm = a.norm() * b.norm();
    total += norm > 0 ? a.dot(b) / norm : 0.0;
  }
  return total;
}

}  // namespace

TEST_CASE("elise: always-on plasticity shrinks the dendritic prediction error", "[elise][learning]") {
  EliseConfig c;
  c.n_visible = 4;
  c.n_latent = 12;
  // Ten times the spec's learning rates, so that the loop is learned in CI time
  // (at the spec's rates the error first grows for ~2000 cycles while the mean
  // dendritic potential rises toward the pattern's mean, then falls).
  c.params.eta_other *= 10;
  c.params.eta_visible_to_visible *= 10;
  const std::uint64_t seed = 3;
  fmt::print("elise learning test: seed {}\n", seed);
  EliseNetwork net(c, seed);
  // Four notes of 10 ms, one per neuron: a 40 ms loop.
  Eigen::MatrixXd target = Eigen::MatrixXd::Constant(4, 400, 0.02);
  for (int k = 0; k < 4; ++k) target.block(k, 100 * k, 1, 100).setConstant(0.9);

  const double before = prediction_error_of_cycle(net, target);
  for (int k = 0; k < 1500; ++k) net.run_cycle(target, {});
  const double after = prediction_error_of_cycle(net, target);
  EliseCycleOptions replay;
  replay.teacher = false;
  replay.plasticity = false;
  net.run_cycle(target, replay);  // let the teacher's trace fade
  const double correlation = summed_correlation(net.run_cycle(target, replay), target);
  INFO(fmt::format("prediction error {:.4g} -> {:.4g}; free-run summed r {:.2f} of 4", before, after, correlation));
  CHECK(after < before / 3);  // measured: 4.0 times smaller
  CHECK(correlation > 3.0);  // measured: 3.54
}
