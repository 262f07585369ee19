// Fixed and slow points (analysis/fixed_points.hpp) of hand-built rate
// networks whose fixed points are known in closed form or by bisection.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <complex>
#include <functional>

#include "neurofab/analysis/fixed_points.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/init.hpp"

using nf::analysis::FixedPointOptions;
using nf::analysis::RateMap;

namespace {

// Root of f on [lo, hi] (f(lo), f(hi) of opposite signs) to |hi - lo| < 1e-12.
double bisect(const std::function<double(double)>& f, double lo, double hi) {
  double f_lo = f(lo);
  REQUIRE(f_lo * f(hi) < 0);
  while (hi - lo > 1e-12) {
    const double mid = 0.5 * (lo + hi);
    const double f_mid = f(mid);
    if ((f_mid < 0) == (f_lo < 0)) {
      lo = mid;
      f_lo = f_mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

// h* > 0 with h* = tanh(w h*), w > 1.
double tanh_root(double w) {
  return bisect([w](double h) { return std::tanh(w * h) - h; }, 0.1, 1.0);
}

RateMap diagonal_map(const Eigen::VectorXd& weights, double alpha) {
  RateMap map;
  map.w_rec = weights.asDiagonal();
  map.drive = Eigen::VectorXd::Zero(weights.size());
  map.alpha = alpha;
  map.w_out = Eigen::MatrixXd::Constant(1, weights.size(), 2.0);
  map.b_out = Eigen::VectorXd::Constant(1, 0.5);
  return map;
}

// Evenly spaced starts on [-1.5, 1.5]^n (k per axis).
std::vector<Eigen::VectorXd> grid_starts(int n, int k) {
  std::vector<Eigen::VectorXd> starts;
  int total = 1;
  for (int i = 0; i < n; ++i) total *= k;
  for (int index = 0; index < total; ++index) {
    Eigen::VectorXd h(n);
    int rest = index;
    for (int i = 0; i < n; ++i) {
      h(i) = -1.5 + 3.0 * (rest % k) / (k - 1);
      rest /= k;
    }
    starts.push_back(h);
  }
  return starts;
}

}  // namespace

TEST_CASE("one unit h = tanh(2h): 0 unstable, ±h* stable, eigenvalues in closed form", "[fixed_points]") {
  const double alpha = GENERATE(1.0, 0.5, 0.1);
  INFO("alpha " << alpha);
  const double w = 2.0;
  const double h_star = tanh_root(w);
  const RateMap map = diagonal_map(Eigen::VectorXd::Constant(1, w), alpha);
  FixedPointOptions options;
  const auto starts = grid_starts(1, 31);  // includes h = 0 exactly (already a root) and ±1.5
  const auto search = nf::analysis::find_fixed_points(map, starts, options);
  REQUIRE(search.points.size() == 3);
  CHECK(search.discarded == 0);
  int total_starts = 0;
  for (const auto& p : search.points) total_starts += p.starts;
  CHECK(total_starts == 31);  // every start ended at one of the three

  int origin = 0, nonzero = 0;
  for (const auto& p : search.points) {
    REQUIRE(p.fixed);
    CHECK(p.q < 1e-24);
    REQUIRE(p.eigenvalues.size() == 1);
    const double h = p.h(0);
    const double a = w * h;
    // J = (1-α) + α w (1 - tanh²(w h)); at 0: 1 - α + 2α.
    const double lambda = 1 - alpha + alpha * w * (1 - std::tanh(a) * std::tanh(a));
    CHECK(std::abs(p.eigenvalues[0] - std::complex<double>(lambda, 0)) < 1e-12);
    CHECK(p.readout(0) == Approx(2 * h + 0.5).margin(1e-14));
    if (std::abs(h) < 1e-9) {
      ++origin;
      CHECK(p.eigenvalues[0].real() == Approx(1 + alpha).epsilon(1e-12));
      CHECK(!p.stable());
      CHECK(p.unstable_directions == 1);
      CHECK(p.stability() == "unstable");
    } else {
      ++nonzero;
      CHECK(std::abs(std::abs(h) - h_star) < 1e-11);
      CHECK(p.stable());
      CHECK(p.unstable_directions == 0);
      CHECK(p.stability() == "stable");
      CHECK(p.eigenvalues[0].real() < 1.0);
    }
  }
  CHECK(origin == 1);
  CHECK(nonzero == 2);
  // Both signs of h*.
  CHECK(std::abs(search.points[0].h(0) + search.points[1].h(0) + search.points[2].h(0)) < 1e-11);
}

TEST_CASE("two decoupled units: 9 fixed points, 4 stable, 4 saddles, 1 repeller", "[fixed_points]") {
  const double alpha = 0.5;
  const double h_star = tanh_root(2.0);
  const RateMap map = diagonal_map(Eigen::VectorXd::Constant(2, 2.0), alpha);
  const auto search = nf::analysis::find_fixed_points(map, grid_starts(2, 9), {});
  REQUIRE(search.points.size() == 9);
  int stable = 0, saddle = 0, unstable = 0;
  for (const auto& p : search.points) {
    REQUIRE(p.fixed);
    // Each coordinate is 0 or ±h*, and the eigenvalues are the 1-unit ones per coordinate.
    int zeros = 0;
    for (int i = 0; i < 2; ++i) {
      const double h = p.h(i);
      if (std::abs(h) < 1e-9) {
        ++zeros;
      } else {
        CHECK(std::abs(std::abs(h) - h_star) < 1e-11);
      }
    }
    CHECK(p.unstable_directions == zeros);
    const double at_zero = 1 - alpha + 2 * alpha;
    const double at_star = 1 - alpha + 2 * alpha * (1 - h_star * h_star);
    std::vector<double> expected(2);
    for (int i = 0; i < 2; ++i) expected[std::size_t(i)] = std::abs(p.h(i)) < 1e-9 ? at_zero : at_star;
    std::sort(expected.rbegin(), expected.rend());
    CHECK(std::abs(p.eigenvalues[0] - expected[0]) < 1e-12);
    CHECK(std::abs(p.eigenvalues[1] - expected[1]) < 1e-12);
    stable += p.stability() == "stable";
    saddle += p.stability() == "saddle";
    unstable += p.stability() == "unstable";
  }
  CHECK(stable == 4);
  CHECK(saddle == 4);
  CHECK(unstable == 1);
}

TEST_CASE("de-duplication merges solutions closer than the distance into the lowest-q one", "[fixed_points]") {
  const RateMap map = diagonal_map(Eigen::VectorXd::Constant(1, 2.0), 1.0);
  FixedPointOptions options;
  options.dedup_distance = 10.0;  // everything is one cluster
  const auto search = nf::analysis::find_fixed_points(map, grid_starts(1, 11), options);
  REQUIRE(search.points.size() == 1);
  CHECK(search.points[0].starts == 11);
  CHECK(search.points[0].fixed);
  // A start exactly on a root and one a hair away end on the same point: one entry.
  options.dedup_distance = 1e-3;
  const double h_star = tanh_root(2.0);
  const auto near = nf::analysis::find_fixed_points(
      map, {Eigen::VectorXd::Constant(1, h_star), Eigen::VectorXd::Constant(1, h_star + 1e-6)}, options);
  REQUIRE(near.points.size() == 1);
  CHECK(near.points[0].starts == 2);
}

TEST_CASE("a constant input moves the fixed point: relu h = relu(0.5 h + x) gives h = 2x", "[fixed_points]") {
  nf::models::RateRnnConfig config;
  config.n_in = 2;
  config.n_rec = 1;
  config.n_out = 1;
  config.activation = nf::models::Activation::kRelu;
  config.tau_ms = 4.0;  // α = 0.25
  nf::models::RateRnnTensors<float> w = nf::models::RateRnnTensors<float>::zeros(config);
  w.w_rec(0, 0) = 0.5f;
  w.w_in(0, 0) = 1.0f;
  w.w_in(0, 1) = -1.0f;
  w.w_out(0, 0) = 3.0f;
  const nf::models::RateRnn<float> network(config, nf::models::Connectivity::full(2, 1, 1), w);

  for (const double x : {0.1, 0.4, 1.5}) {
    INFO("x " << x);
    // Input x on channel 0 and 0.25x on channel 1: drive 0.75x, h = 0.75x / 0.5.
    const Eigen::VectorXd input = nf::analysis::parse_input(fmt::format("{},{}", x, 0.25 * x), 2);
    const RateMap map = nf::analysis::rate_map(network, input);
    const auto search = nf::analysis::find_fixed_points(map, grid_starts(1, 7), {});
    // Starts with a ≤ 0 sit on the flat part of relu (r' = -α, no other root), so one point.
    REQUIRE(search.points.size() == 1);
    const auto& p = search.points[0];
    CHECK(p.fixed);
    CHECK(p.h(0) == Approx(1.5 * x).epsilon(1e-12));
    // J = (1-α) + α·0.5 = 0.875.
    CHECK(std::abs(p.eigenvalues[0] - std::complex<double>(0.875, 0)) < 1e-12);
    CHECK(p.readout(0) == Approx(4.5 * x).epsilon(1e-12));
  }
  CHECK_THROWS_WITH(nf::analysis::parse_input("1", 2), Catch::Contains("--input") && Catch::Contains("2 inputs"));
  CHECK_THROWS_WITH(nf::analysis::parse_input("1,abc", 2), Catch::Contains("--input"));
  CHECK_THROWS_WITH(nf::analysis::parse_input("1,2,", 2), Catch::Contains("--input"));
  CHECK(nf::analysis::parse_input("", 2) == Eigen::VectorXd::Zero(2));
}

TEST_CASE("the ghost of a vanished fixed point is found as a slow point", "[fixed_points]") {
  // h = tanh(2h + b): the lower pair of fixed points is born at b_c = 2/√2 − atanh(1/√2)
  // ≈ 0.533; just above b_c only the upper one remains, with a slow region where
  // q' = r r' = 0, r' = 2 sech²(2h + b) − 1 = 0: h_ghost = (−atanh(1/√2) − b)/2.
  const double b = 0.55;
  RateMap map = diagonal_map(Eigen::VectorXd::Constant(1, 2.0), 1.0);
  map.drive(0) = b;
  const double h_ghost = (-std::atanh(1 / std::sqrt(2.0)) - b) / 2;
  const double h_upper = bisect([b](double h) { return std::tanh(2 * h + b) - h; }, 0.5, 1.0);
  FixedPointOptions options;
  options.slow_threshold = 1e-3;
  options.dedup_distance = 0.05;  // LM creeps into a minimum with r' = 0: its ends spread more
  const auto search = nf::analysis::find_fixed_points(map, grid_starts(1, 13), options);
  REQUIRE(search.points.size() == 2);
  const auto& fixed = search.points[0];  // fixed points first
  const auto& slow = search.points[1];
  CHECK(fixed.fixed);
  CHECK(fixed.h(0) == Approx(h_upper).epsilon(1e-11));
  CHECK(fixed.stable());
  CHECK(!slow.fixed);
  CHECK(slow.q > 1e-8);
  CHECK(slow.q < 1e-3);
  CHECK(std::abs(slow.h(0) - h_ghost) < 1e-4);
  CHECK(slow.q == Approx(map.speed(Eigen::VectorXd::Constant(1, h_ghost))).epsilon(1e-6));
}

TEST_CASE("fixed points refuse a LIF network and bad options", "[fixed_points]") {
  nf::models::LifRnnConfig lif;
  lif.n_in = 2;
  lif.n_rec = 8;
  const nf::models::NetworkInit init;
  const nf::models::LifRnnArtifact spiking{nf::models::make_lif_rnn(lif, init, 1), init, "flipflop", {}, 1, {}, {}};
  CHECK_THROWS_WITH(nf::analysis::analyse_fixed_points(spiking, "lif-net", "", {}),
                    Catch::Contains("lif-net") && Catch::Contains("rate network") && Catch::Contains("discontinuous"));
  FixedPointOptions options;
  options.starts = 0;
  CHECK_THROWS_WITH(options.validate(), Catch::Contains("--starts"));
  options = {};
  options.slow_threshold = 1e-30;  // below the fixed tolerance
  CHECK_THROWS_WITH(options.validate(), Catch::Contains("--fixed-tolerance"));
}

TEST_CASE("analyse_fixed_points on a small artifact: seeded starts, projections, outputs", "[fixed_points]") {
  // A fresh N = 12 network (orthogonal, g = 1.5) on a short flip-flop: the
  // search is reproducible in its seed and every point is a true minimum.
  nf::models::RateRnnConfig config;
  config.n_in = 2;
  config.n_rec = 12;
  config.n_out = 1;
  nf::models::NetworkInit init;
  init.w_rec = {nf::models::InitScheme::kOrthogonal, 1.5, 0.1};
  const nf::models::RateRnnArtifact artifact{nf::models::make_rate_rnn(config, init, 2), init, "flipflop",
                                             {{"trial_length", 150}}, 2, {}, {}};
  FixedPointOptions options;
  options.starts = 24;
  options.trials = 2;
  options.seed = 77;
  INFO("seed " << options.seed);
  const auto a = nf::analysis::analyse_fixed_points(artifact, "net", "", options);
  const auto b = nf::analysis::analyse_fixed_points(artifact, "net", "0,0", options);
  REQUIRE(!a.search.points.empty());
  REQUIRE(a.search.points.size() == b.search.points.size());
  for (std::size_t k = 0; k < a.search.points.size(); ++k) CHECK(a.search.points[k].h == b.search.points[k].h);
  CHECK(a.projection.axes.cols() == 3);
  CHECK((a.projection.axes.transpose() * a.projection.axes - Eigen::MatrixXd::Identity(3, 3)).norm() < 1e-12);
  CHECK(a.trajectories.size() == 2);
  CHECK(a.trajectories[0].cols() == 151);
  // Every point is what it claims: q as recomputed, F(h) = h for fixed points,
  // the saddle index the count of |λ| > 1.
  const auto map = nf::analysis::rate_map(artifact.network, Eigen::VectorXd::Zero(2));
  int starts = a.search.discarded;
  for (const auto& p : a.search.points) {
    starts += p.starts;
    CHECK(p.q == map.speed(p.h));
    CHECK(p.q < options.slow_threshold);
    if (p.fixed) CHECK((map.step(p.h) - p.h).norm() < 1e-9);
    int unstable = 0;
    for (const auto lambda : p.eigenvalues) unstable += std::abs(lambda) > 1.0;
    CHECK(p.unstable_directions == unstable);
  }
  CHECK(starts == options.starts);
  const std::string csv = nf::analysis::fixed_points_csv({a});
  CHECK(csv.rfind("run,point,kind,q,stability", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == static_cast<long>(a.search.points.size()) + 1);
  const auto json = nf::analysis::fixed_points_json({a});
  CHECK(json["networks"][0]["seed"] == 77);
  CHECK(json["networks"][0]["points"].size() == a.search.points.size());
  CHECK(json["networks"][0]["points"][0]["eigenvalues"].size() == 12);
}
