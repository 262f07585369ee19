#include "neurofab/analysis/linear_assignment.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "neurofab/common/error.hpp"

namespace nf::analysis {

std::vector<int> solve_linear_assignment(const Eigen::MatrixXd& cost) {
  const int n = static_cast<int>(cost.rows());
  const int m = static_cast<int>(cost.cols());
  if (n > m)
    throw InputError(fmt::format("linear assignment: {} rows but only {} columns (need rows ≤ columns)", n, m));
  if (!cost.allFinite()) throw InputError("linear assignment: the cost matrix has a non-finite entry");
  if (n == 0) return {};

  constexpr double kInf = std::numeric_limits<double>::infinity();
  // 1-based arrays; index 0 of the columns is the virtual column from which
  // each augmenting path starts. u: row potentials, v: column potentials,
  // owner[j]: the row assigned to column j (0 = free), way[j]: the previous
  // column on the shortest path to j.
  std::vector<double> u(n + 1, 0.0), v(m + 1, 0.0), min_reduced(m + 1);
  std::vector<int> owner(m + 1, 0), way(m + 1, 0);
  std::vector<char> visited(m + 1);
  for (int row = 1; row <= n; ++row) {
    owner[0] = row;
    int j0 = 0;
    std::fill(min_reduced.begin(), min_reduced.end(), kInf);
    std::fill(visited.begin(), visited.end(), 0);
    // Grow the shortest-path tree until it reaches a free column.
    do {
      visited[j0] = 1;
      const int i0 = owner[j0];
      double delta = kInf;
      int j1 = 0;
      for (int j = 1; j <= m; ++j) {
        if (visited[j]) continue;
        const double reduced = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (reduced < min_reduced[j]) {
          min_reduced[j] = reduced;
          way[j] = j0;
        }
        if (min_reduced[j] < delta) {
          delta = min_reduced[j];
          j1 = j;
        }
      }
      // Shift the potentials so the tree's edges stay tight (reduced cost 0).
      for (int j = 0; j <= m; ++j) {
        if (visited[j]) {
          u[owner[j]] += delta;
          v[j] -= delta;
        } else {
          min_reduced[j] -= delta;
        }
      }
      j0 = j1;
    } while (owner[j0] != 0);
    // Augment: flip the assignment along the path back to the virtual column.
    do {
      const int j1 = way[j0];
      owner[j0] = owner[j1];
      j0 = j1;
    } while (j0 != 0);
  }

  std::vector<int> assignment(n, -1);
  for (int j = 1; j <= m; ++j)
    if (owner[j] != 0) assignment[owner[j] - 1] = j - 1;
  return assignment;
}

std::vector<int> solve_linear_assignment_max(const Eigen::MatrixXd& weight) {
  return solve_linear_assignment(-weight);
}

double assignment_cost(const Eigen::MatrixXd& cost, const std::vector<int>& assignment) {
  double total = 0.0;
  for (std::size_t i = 0; i < assignment.size(); ++i) total += cost(Eigen::Index(i), assignment[i]);
  return total;
}

}  // namespace nf::analysis
