// ELiSe learning (label long): always-on plasticity shrinks the visible
// neurons' dendritic prediction error phi(u) - phi(v*) under the teacher, the
// free-running network comes to follow the pattern, and a short
// non-Markovian pattern is learned. Each threshold is asserted on seeds 1-3,
// and every seed's figure is printed; the margins below are from those runs.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // Eigen AVX-512 false positives (GCC 12)
#endif

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "neurofab/models/elise/network.hpp"
#include "neurofab/models/elise/schedule.hpp"

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

// Thresholds a little below the worst of seeds 1-3 (measured 2026-12-07; the
// same on every CPU, docs/determinism.md).
constexpr double kErrorShrink = 3.5;         // the prediction error falls this many times: 4.28, 3.79, 4.01
constexpr double kFreeRunCorrelation = 3.3;  // summed r of the free run, of 4: 3.61, 3.54, 3.54
constexpr double kPatternCorrSum = 4.7;      // summed r of the last free run, of 6: 5.36, 5.11, 4.97

}  // namespace

TEST_CASE("elise: always-on plasticity shrinks the dendritic prediction error", "[elise][learning][long]") {
  EliseConfig c;
  c.n_visible = 4;
  c.n_latent = 12;
  // Ten times the spec's learning rates, so that the loop is learned in CI time
  // (at the spec's rates the error first grows for ~2000 cycles while the mean
  // dendritic potential rises toward the pattern's mean, then falls).
  c.params.eta_other *= 10;
  c.params.eta_visible_to_visible *= 10;
  // Four notes of 10 ms, one per neuron: a 40 ms loop.
  Eigen::MatrixXd target = Eigen::MatrixXd::Constant(4, 400, 0.02);
  for (int k = 0; k < 4; ++k) target.block(k, 100 * k, 1, 100).setConstant(0.9);

  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    EliseNetwork net(c, seed);
    const double before = prediction_error_of_cycle(net, target);
    for (int k = 0; k < 1500; ++k) net.run_cycle(target, {});
    const double after = prediction_error_of_cycle(net, target);
    EliseCycleOptions replay;
    replay.teacher = false;
    replay.plasticity = false;
    net.run_cycle(target, replay);  // let the teacher's trace fade
    const double correlation = summed_correlation(net.run_cycle(target, replay), target);
    const std::string figures = fmt::format("seed {}: prediction error {:.4g} -> {:.4g} ({:.2f} times smaller); "
                                            "free-run summed r {:.2f} of 4",
                                            seed, before, after, before / after, correlation);
    fmt::print("elise plasticity: {}\n", figures);
    INFO(figures);
    CHECK(after < before / kErrorShrink);
    CHECK(correlation > kFreeRunCorrelation);
  }
}

// A repeated-subsequence pattern (6 visible neurons, 10 slots of 10 ms: the
// first 3 notes come again at slot 5 and go on differently), 30 latent
// neurons, the spec's parameters, 5000 cycles with a free run every 500th.
TEST_CASE("elise: a short non-Markovian pattern is learned to a high summed correlation", "[elise][learning][long]") {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    EliseConfig config;
    config.n_visible = 6;
    config.n_latent = 30;
    ElisePatternOptions po;
    po.n_visible = 6;
    po.slots = 10;
    po.seed = seed;
    po.levels = default_pattern_levels(config.params);
    const ElisePattern p = make_elise_pattern("repeated", po);
    EliseNetwork network(config, seed);
    EliseTrainingSchedule s;
    s.cycles = 5000;
    s.free_run_every = 500;
    EliseTrainingProgress progress;
    train_elise(network, p.rates, s, progress);
    REQUIRE(progress.curve.size() == 10);
    const EliseCycleMetrics first = progress.curve.front().metrics;
    const EliseCycleMetrics last = progress.curve.back().metrics;
    const std::string figures =
        fmt::format("seed {}: free-run corr_sum {:.2f} at cycle 500, {:.2f} of {} at cycle 5000 ({:.1f} s)", seed,
                    first.corr_sum, last.corr_sum, last.corr_max, progress.wall_seconds);
    fmt::print("elise pattern: {}\n", figures);
    INFO(figures);
    CHECK(last.corr_max == 6.0);
    CHECK(last.corr_sum >= kPatternCorrSum);
    CHECK(last.corr_sum > first.corr_sum + 2.0);
    CHECK(last.mse < first.mse);
  }
}
