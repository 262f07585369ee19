// Replay metrics against hand-computed values: Pearson's r, MSE, a perfect
// replay (13 and 0 for the melody), a known circular shift recovered, the
// shift bound, constant rows counted as r = 0.
#include <catch2/catch.hpp>
#include <cmath>

#include "neurofab/models/elise/metrics.hpp"
#include "neurofab/models/elise/pattern.hpp"

using namespace nf::models;

namespace {

// Column t of the result is column (t - shift) mod T of m: the replay lags by `shift`.
Eigen::MatrixXd lag(const Eigen::MatrixXd& m, int shift) {
  const Eigen::Index T = m.cols();
  Eigen::MatrixXd out(m.rows(), T);
  for (Eigen::Index t = 0; t < T; ++t) out.col(t) = m.col(((t - shift) % T + T) % T);
  return out;
}

ElisePattern melody() {
  ElisePatternOptions o;
  o.levels = {0.0266, 0.9168};
  return make_elise_pattern("fur_elise", o);
}

}  // namespace

TEST_CASE("Pearson r by hand, constant rows give 0", "[elise][metrics]") {
  Eigen::RowVectorXd a(4), b(4), c(4);
  a << 1, 2, 3, 4;
  b << 1, 3, 2, 4;  // centred: (-1.5 -0.5 0.5 1.5)·(-1.5 0.5 -0.5 1.5) = 4, norms^2 = 5: r = 0.8
  c << 2, 2, 2, 2;
  CHECK(pearson_or_zero(a, b) == Approx(0.8).epsilon(1e-14));
  CHECK(pearson_or_zero(a, -a) == Approx(-1.0).epsilon(1e-14));
  CHECK(pearson_or_zero(a, c) == 0.0);
  CHECK(pearson_or_zero(c, c) == 0.0);
}

TEST_CASE("MSE and summed r of a small replay by hand", "[elise][metrics]") {
  Eigen::MatrixXd target(2, 4), rates(2, 4);
  target << 1, 2, 3, 4,  //
      0, 0, 1, 1;
  rates << 1, 3, 2, 4,  //
      5, 5, 5, 5;       // constant: r = 0
  const EliseCycleMetrics m = cycle_metrics(rates, target, 0);
  // squared errors: row 0: 0 1 1 0, row 1: 25 25 16 16 -> 84 / 8
  CHECK(m.mse == Approx(84.0 / 8.0).epsilon(1e-14));
  CHECK(m.corr_sum == Approx(0.8).epsilon(1e-14));
  CHECK(m.corr_max == 2.0);
  CHECK(m.best_shift_steps == 0);
  CHECK(m.mse_at_best_shift == m.mse);
}

TEST_CASE("A perfect replay of the melody scores 13 and MSE 0", "[elise][metrics]") {
  const ElisePattern p = melody();
  const EliseCycleMetrics m = cycle_metrics(p.rates, p.rates, max_shift_steps(kDefaultMaxShiftMs, p.dt_ms));
  CHECK(m.corr_sum == Approx(13.0).epsilon(1e-12));
  CHECK(m.corr_max == 13.0);
  CHECK(m.mse == 0.0);
  CHECK(m.best_shift_steps == 0);
  CHECK(m.mse_at_best_shift == 0.0);
}

TEST_CASE("A known circular shift is recovered within the bound", "[elise][metrics]") {
  const ElisePattern p = melody();
  const int bound = max_shift_steps(25.0, p.dt_ms);
  REQUIRE(bound == 250);
  for (const int shift : {37, -37, 250, -250, 1}) {
    INFO("shift " << shift);
    const EliseCycleMetrics m = cycle_metrics(lag(p.rates, shift), p.rates, bound);
    CHECK(m.best_shift_steps == shift);
    CHECK(m.corr_sum == Approx(13.0).epsilon(1e-12));
    CHECK(m.mse > 0.0);  // unshifted it is off
    CHECK(m.mse_at_best_shift == Approx(0.0).margin(1e-24));
  }
  // Beyond the bound the exact shift is not searched: less than 13.
  const EliseCycleMetrics far = cycle_metrics(lag(p.rates, 400), p.rates, bound);
  CHECK(far.corr_sum < 12.0);
  CHECK(std::abs(far.best_shift_steps) <= bound);
}

TEST_CASE("A silent replay scores 0, a scaled one still 13", "[elise][metrics]") {
  const ElisePattern p = melody();
  const Eigen::MatrixXd silent = Eigen::MatrixXd::Constant(p.n_visible(), p.steps(), 0.0266);
  const EliseCycleMetrics s = cycle_metrics(silent, p.rates, 250);
  CHECK(s.corr_sum == 0.0);
  CHECK(s.best_shift_steps == 0);  // ties go to the smallest shift
  const Eigen::MatrixXd scaled = (0.5 * p.rates.array() + 0.1).matrix();
  CHECK(cycle_metrics(scaled, p.rates, 250).corr_sum == Approx(13.0).epsilon(1e-12));
}

TEST_CASE("Target rows that never change are left out of corr_max", "[elise][metrics]") {
  Eigen::MatrixXd target = Eigen::MatrixXd::Zero(3, 10);
  target(0, 2) = 1;
  target(1, 7) = 1;
  const EliseCycleMetrics m = cycle_metrics(target, target, 2);
  CHECK(m.corr_max == 2.0);
  CHECK(m.corr_sum == Approx(2.0).epsilon(1e-14));
}

TEST_CASE("Mean over cycles", "[elise][metrics]") {
  EliseCycleMetrics a, b;
  a.mse = 1;
  a.corr_sum = 10;
  a.best_shift_steps = 2;
  b.mse = 3;
  b.corr_sum = 12;
  b.best_shift_steps = 5;
  const EliseCycleMetrics m = mean_metrics({a, b});
  CHECK(m.mse == 2.0);
  CHECK(m.corr_sum == 11.0);
  CHECK(m.best_shift_steps == 4);  // 3.5 rounded away from 0
}

TEST_CASE("The search window can be centred elsewhere, or cover every shift", "[elise][metrics]") {
  const ElisePattern p = melody();
  const Eigen::MatrixXd late = lag(p.rates, 400);
  const EliseCycleMetrics centred = cycle_metrics(late, p.rates, 25, 390);
  CHECK(centred.best_shift_steps == 400);
  CHECK(centred.corr_sum == Approx(13.0).epsilon(1e-12));
  // Unwrapped: a centre one cycle further on finds the same alignment one cycle further on.
  CHECK(cycle_metrics(late, p.rates, 25, 2500 + 410).best_shift_steps == 2900);
  const EliseCycleMetrics any = cycle_metrics(lag(p.rates, 1100), p.rates, kAnyShift);
  CHECK(any.best_shift_steps == 1100);
  CHECK(any.corr_sum == Approx(13.0).epsilon(1e-12));
}
