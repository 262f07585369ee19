// The linear assignment solver against brute force over every permutation
// (n ≤ 7) and every injection (rectangular), on many random matrices — real
// costs, integer costs with many ties, negative costs — plus its refusals.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include "neurofab/analysis/linear_assignment.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"

using nf::analysis::assignment_cost;
using nf::analysis::solve_linear_assignment;
using nf::analysis::solve_linear_assignment_max;

namespace {

// Minimum of Σ_i K(i, σ(i)) over every injection σ of the rows into the columns.
double brute_force(const Eigen::MatrixXd& cost) {
  const int n = int(cost.rows()), m = int(cost.cols());
  std::vector<int> columns(static_cast<std::size_t>(m));
  std::iota(columns.begin(), columns.end(), 0);
  double best = std::numeric_limits<double>::infinity();
  // Every permutation of the columns; its first n entries are an injection (each repeated (m-n)! times).
  do {
    double total = 0.0;
    for (int i = 0; i < n; ++i) total += cost(i, columns[std::size_t(i)]);
    best = std::min(best, total);
  } while (std::next_permutation(columns.begin(), columns.end()));
  return best;
}

bool is_injection(const std::vector<int>& assignment, int n, int m) {
  if (int(assignment.size()) != n) return false;
  std::set<int> used;
  for (const int j : assignment)
    if (j < 0 || j >= m || !used.insert(j).second) return false;
  return true;
}

Eigen::MatrixXd random_cost(int n, int m, int kind, nf::Rng& rng) {
  Eigen::MatrixXd cost(n, m);
  for (int j = 0; j < m; ++j)
    for (int i = 0; i < n; ++i) {
      switch (kind) {
        case 0: cost(i, j) = rng.uniform(); break;                       // real, no ties
        case 1: cost(i, j) = double(rng.below(4)); break;                // integers 0..3: many ties
        default: cost(i, j) = rng.normal(0.0, 100.0); break;             // negative and large
      }
    }
  return cost;
}

}  // namespace

TEST_CASE("linear assignment equals brute force on square matrices up to 7x7", "[linear_assignment]") {
  const std::uint64_t seed = 8101;
  fmt::print("linear assignment brute-force test: seed {}\n", seed);
  nf::Rng rng(seed);
  int checked = 0;
  for (int n = 1; n <= 7; ++n) {
    const int repeats = n <= 5 ? 300 : 60;
    for (int r = 0; r < repeats; ++r) {
      const int kind = r % 3;
      const Eigen::MatrixXd cost = random_cost(n, n, kind, rng);
      const std::vector<int> assignment = solve_linear_assignment(cost);
      INFO("seed " << seed << ", n " << n << ", repeat " << r << ", kind " << kind << "\n" << cost);
      REQUIRE(is_injection(assignment, n, n));
      REQUIRE(assignment_cost(cost, assignment) == Approx(brute_force(cost)).margin(1e-9));
      ++checked;
    }
  }
  CHECK(checked == 5 * 300 + 2 * 60);
}

TEST_CASE("linear assignment equals brute force on rectangular matrices", "[linear_assignment]") {
  const std::uint64_t seed = 8102;
  fmt::print("linear assignment rectangular test: seed {}\n", seed);
  nf::Rng rng(seed);
  for (int n = 1; n <= 4; ++n) {
    for (int m = n + 1; m <= 6; ++m) {
      for (int r = 0; r < 50; ++r) {
        const Eigen::MatrixXd cost = random_cost(n, m, r % 3, rng);
        const std::vector<int> assignment = solve_linear_assignment(cost);
        INFO("seed " << seed << ", " << n << "x" << m << ", repeat " << r << "\n" << cost);
        REQUIRE(is_injection(assignment, n, m));
        REQUIRE(assignment_cost(cost, assignment) == Approx(brute_force(cost)).margin(1e-9));
      }
    }
  }
}

TEST_CASE("maximising linear assignment finds a planted permutation", "[linear_assignment]") {
  // A permutation matrix plus small noise: the maximum is the permutation itself.
  const std::uint64_t seed = 8103;
  fmt::print("linear assignment planted test: seed {}\n", seed);
  nf::Rng rng(seed);
  const int n = 50;
  std::vector<int> planted(n);
  std::iota(planted.begin(), planted.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(planted[std::size_t(i)], planted[rng.below(std::uint64_t(i + 1))]);
  Eigen::MatrixXd weight(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) weight(i, j) = 0.1 * rng.uniform() + (planted[std::size_t(i)] == j ? 1.0 : 0.0);
  CHECK(solve_linear_assignment_max(weight) == planted);
}

TEST_CASE("linear assignment refuses more rows than columns and non-finite costs", "[linear_assignment]") {
  CHECK_THROWS_AS(solve_linear_assignment(Eigen::MatrixXd::Zero(3, 2)), nf::InputError);
  Eigen::MatrixXd cost = Eigen::MatrixXd::Zero(2, 2);
  cost(1, 0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(solve_linear_assignment(cost), nf::InputError);
  CHECK(solve_linear_assignment(Eigen::MatrixXd(0, 0)).empty());
}
