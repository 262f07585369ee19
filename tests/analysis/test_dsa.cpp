// DSA: the Cayley map, the orthogonal solver on exact constructions
// (A_y = Cᵀ A_x C), the delay-embedded DMD on linear systems (eigenvalues of
// A = those of the system), and on networks: ≈ 0 for a permuted copy,
// growing with the size of a weight perturbation.
// GCC 12 reports -Wmaybe-uninitialized inside Eigen's AVX-512 packet code
// (reductions, with -march=native): false positives in a system header,
// silenced for this file only (before any include, where the warnings are located).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <algorithm>
#include <catch2/catch.hpp>

#include "random_matrix.hpp"
#include <complex>
#include <numeric>

#include "neurofab/analysis/degeneracy.hpp"
#include "neurofab/analysis/dsa.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/task.hpp"

using namespace nf::analysis;
using Eigen::MatrixXd;
using nf::test::gaussian_matrix;

namespace {

MatrixXd skew(const MatrixXd& m) { return 0.5 * (m - m.transpose()); }

// Sorted eigenvalues (by real part, then imaginary) for comparisons.
std::vector<std::complex<double>> eigenvalues(const MatrixXd& m) {
  const Eigen::EigenSolver<MatrixXd> solver(m, false);
  std::vector<std::complex<double>> values(solver.eigenvalues().data(),
                                           solver.eigenvalues().data() + solver.eigenvalues().size());
  std::sort(values.begin(), values.end(), [](auto a, auto b) {
    return a.real() != b.real() ? a.real() < b.real() : a.imag() < b.imag();
  });
  return values;
}

// A rate RNN with random weights (tanh, α = 1), for the flip-flop with short trials.
nf::models::RateRnn<float> random_rate_network(int n, std::uint64_t seed, double gain) {
  nf::Rng rng(seed);
  nf::models::RateRnnConfig config;
  config.n_in = 2;
  config.n_out = 1;
  config.n_rec = n;
  auto w = nf::models::RateRnnTensors<float>::zeros(config);
  w.w_in = gaussian_matrix(n, 2, rng).cast<float>();
  w.w_rec = gaussian_matrix(n, n, rng, gain / std::sqrt(double(n))).cast<float>();
  w.b_rec = gaussian_matrix(n, 1, rng, 0.1).cast<float>();
  w.w_out = gaussian_matrix(1, n, rng, 1.0 / std::sqrt(double(n))).cast<float>();
  return {config, nf::models::Connectivity::full(2, n, 1), w};
}

// The same network with its units relabelled: unit i of the copy is unit p[i] of the original.
nf::models::RateRnn<float> permuted_copy(const nf::models::RateRnn<float>& network, const std::vector<int>& p) {
  auto w = network.weights();
  const auto& o = network.weights();
  for (int i = 0; i < int(p.size()); ++i) {
    w.w_in.row(i) = o.w_in.row(p[std::size_t(i)]);
    w.b_rec(i) = o.b_rec(p[std::size_t(i)]);
    w.w_out.col(i) = o.w_out.col(p[std::size_t(i)]);
    for (int j = 0; j < int(p.size()); ++j) w.w_rec(i, j) = o.w_rec(p[std::size_t(i)], p[std::size_t(j)]);
  }
  return {network.config(), network.connectivity(), w};
}

constexpr int kDelays = 4;
constexpr int kRank = 8;

MatrixXd operator_of(const nf::models::RateRnn<float>& network, const nf::models::Task& task, std::uint64_t seed) {
  return fit_delay_dmd(hidden_trajectories(network, task, 8, seed), kDelays, kRank).a;
}

}  // namespace

TEST_CASE("the Cayley map gives rotations", "[dsa]") {
  const std::uint64_t seed = 7301;
  fmt::print("Cayley test: seed {}\n", seed);
  nf::Rng rng(seed);
  for (const int r : {1, 3, 8}) {
    const MatrixXd s = skew(gaussian_matrix(r, r, rng, 2.0));
    const MatrixXd c = cayley(s);
    CHECK((c.transpose() * c - MatrixXd::Identity(r, r)).norm() < 1e-12);
    CHECK(c.determinant() == Approx(1.0).epsilon(1e-12));
    // Inverse of the map: S = (I − C)(I + C)⁻¹.
    const MatrixXd identity = MatrixXd::Identity(r, r);
    CHECK(((identity + c).partialPivLu().solve(identity - c) - s).norm() < 1e-10 * (1.0 + s.norm()));
  }
}

TEST_CASE("the DSA solver finds C for A_y = C^T A_x C", "[dsa]") {
  const std::uint64_t seed = 7302;
  fmt::print("DSA exact-construction test: seed {}\n", seed);
  nf::Rng rng(seed);
  for (const int r : {2, 5, 10, 14}) {
    for (int repeat = 0; repeat < 4; ++repeat) {
      const MatrixXd a_x = gaussian_matrix(r, r, rng, 1.0 / std::sqrt(double(r)));
      MatrixXd c = random_orthogonal(r, seed * 100 + std::uint64_t(r * 10 + repeat));
      if (repeat % 2 == 1) c.col(0) *= -1.0;  // both determinants
      const MatrixXd a_y = c.transpose() * a_x * c;
      const OrthogonalMatch match = dsa_distance(a_x, a_y);
      INFO("seed " << seed << ", r " << r << ", repeat " << repeat << ", start " << match.start);
      CHECK(match.distance < 1e-9 * a_x.norm());
      CHECK((match.c.transpose() * match.c - MatrixXd::Identity(r, r)).norm() < 1e-10);
      // A generic A commutes with no orthogonal matrix but ±I, so C is recovered up to sign.
      CHECK(std::min((match.c - c).norm(), (match.c + c).norm()) < 1e-6);
    }
  }
}

TEST_CASE("Cayley gradient descent converges from a perturbed start", "[dsa]") {
  const std::uint64_t seed = 7303;
  fmt::print("Cayley descent test: seed {}\n", seed);
  nf::Rng rng(seed);
  const int r = 8;
  const MatrixXd a_x = gaussian_matrix(r, r, rng, 1.0 / std::sqrt(double(r)));
  const MatrixXd c = random_orthogonal(r, seed);
  const MatrixXd a_y = c.transpose() * a_x * c;
  const MatrixXd start = c * cayley(skew(gaussian_matrix(r, r, rng, 0.1)));
  const double before = (a_x - start * a_y * start.transpose()).norm();
  const OrthogonalMatch match = descend_orthogonal(a_x, a_y, start);
  INFO("distance before " << before << ", after " << match.distance << " in " << match.iterations << " iterations");
  CHECK(before > 0.05);
  CHECK(match.distance < 1e-9 * a_x.norm());
  // Not an exact match: the descent ends at a stationary point no worse than its start.
  const MatrixXd a_z = gaussian_matrix(r, r, rng, 1.0 / std::sqrt(double(r)));
  const OrthogonalMatch other = descend_orthogonal(a_x, a_z, MatrixXd::Identity(r, r));
  CHECK(other.distance <= (a_x - a_z).norm());
  CHECK(other.distance > 0.1);
}

TEST_CASE("delay-embedded DMD recovers the eigenvalues of a linear system", "[dsa]") {
  // x_{t+1} = M x_t: the embedding is a linear image of x_t, so A is similar to M.
  const std::uint64_t seed = 7304;
  fmt::print("DMD linear-system test: seed {}\n", seed);
  nf::Rng rng(seed);
  const int n = 3;
  MatrixXd m = gaussian_matrix(n, n, rng);
  m = 0.95 * m /  // spectral radius 0.95: the trajectories neither vanish nor blow up
       std::abs(Eigen::EigenSolver<MatrixXd>(m, false).eigenvalues().cwiseAbs().maxCoeff());
  std::vector<MatrixXd> trials;
  for (int k = 0; k < 5; ++k) {
    MatrixXd trial(n, 40);
    trial.col(0) = gaussian_matrix(n, 1, rng);
    for (int t = 1; t < 40; ++t) trial.col(t) = m * trial.col(t - 1);
    trials.push_back(trial);
  }
  for (const int delays : {1, 3}) {
    const DelayDmd fit = fit_delay_dmd(trials, delays, n);
    CHECK(fit.samples == 5 * (40 - delays + 1));
    CHECK(fit.transitions == 5 * (40 - delays));
    const auto expected = eigenvalues(m), got = eigenvalues(fit.a);
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(std::abs(got[i] - expected[i]) < 1e-8);
  }
  // The embedding of a 3-d linear system has rank 3: rank 4 is refused, naming the rank available.
  CHECK_THROWS_WITH(fit_delay_dmd(trials, 3, 4), Catch::Contains("numerical rank 3"));
  CHECK_THROWS_AS(fit_delay_dmd(trials, 40, 2), nf::InputError);  // trials too short
  CHECK_THROWS_AS(fit_delay_dmd(trials, 1, 0), nf::InputError);
}

TEST_CASE("delay-embedded DMD with more embedding dimensions than samples", "[dsa]") {
  // The same 3-d linear system seen through 60 random read-outs, 3 delays:
  // 180 embedding dimensions against 76 samples, the Gram-matrix branch.
  const std::uint64_t seed = 7310;
  fmt::print("DMD wide-embedding test: seed {}\n", seed);
  nf::Rng rng(seed);
  const int n = 3;
  MatrixXd m = gaussian_matrix(n, n, rng);
  m = 0.95 * m / std::abs(Eigen::EigenSolver<MatrixXd>(m, false).eigenvalues().cwiseAbs().maxCoeff());
  const MatrixXd readout = gaussian_matrix(60, n, rng);
  std::vector<MatrixXd> trials;
  for (int k = 0; k < 2; ++k) {
    MatrixXd state(n, 40);
    state.col(0) = gaussian_matrix(n, 1, rng);
    for (int t = 1; t < 40; ++t) state.col(t) = m * state.col(t - 1);
    trials.push_back(readout * state);
  }
  const DelayDmd fit = fit_delay_dmd(trials, 3, n);
  REQUIRE(fit.samples == 76);
  CHECK(fit.singular_values.size() == 76);  // min(dimensions, samples), no more
  CHECK(fit.singular_values.allFinite());
  const auto expected = eigenvalues(m), got = eigenvalues(fit.a);
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(std::abs(got[i] - expected[i]) < 1e-6);
}

TEST_CASE("DSA between a network and its permuted copy is ~0 and grows with a weight perturbation", "[dsa]") {
  const std::uint64_t seed = 7305;
  fmt::print("DSA network test: seed {}\n", seed);
  nf::Rng rng(seed);
  const int n = 24;
  const auto task = nf::models::make_task("flipflop", {{"trial_length", 300}});
  const auto network = random_rate_network(n, seed, 1.3);
  std::vector<int> p(n);
  std::iota(p.begin(), p.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(p[std::size_t(i)], p[rng.below(std::uint64_t(i + 1))]);
  const auto copy = permuted_copy(network, p);

  const MatrixXd a = operator_of(network, *task, 1);
  const OrthogonalMatch same = dsa_distance(a, operator_of(copy, *task, 1));
  // The states are float32 and the permuted products sum in another order
  // (relative error ~1e-7 per step); the fit carries that error, amplified by
  // the conditioning of the rank-r subspace, so "0" is ~1e-6 relative.
  fmt::print("DSA permuted copy: {:.3e} (normalised {:.3e}, start {})\n", same.distance, same.normalised, same.start);
  CHECK(same.normalised < 1e-4);

  // Perturb W_rec by ε·G, G fixed with ||G||_F = ||W_rec||_F, ε growing.
  const MatrixXd g = gaussian_matrix(n, n, rng);
  const double w_norm = network.weights().w_rec.cast<double>().norm();
  std::vector<double> distances;
  for (const double epsilon : {0.01, 0.03, 0.1, 0.3}) {
    auto weights = network.weights();
    weights.w_rec += (epsilon * w_norm / g.norm() * g).cast<float>();
    const nf::models::RateRnn<float> perturbed(network.config(), network.connectivity(), weights);
    const OrthogonalMatch d = dsa_distance(a, operator_of(perturbed, *task, 1));
    fmt::print("DSA at perturbation {:.2f}: {:.3e} (normalised {:.3e})\n", epsilon, d.distance, d.normalised);
    distances.push_back(d.normalised);
  }
  CHECK(distances.front() > 100.0 * same.normalised);
  for (std::size_t i = 1; i < distances.size(); ++i) CHECK(distances[i] > distances[i - 1]);
}
