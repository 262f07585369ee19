// GCC 12 reports -Wmaybe-uninitialized inside Eigen's AVX-512 packet code
// (reductions, JacobiSVD, with -march=native): false positives in a system
// header, silenced for this file only (before any include, as the warnings are
// located in the intrinsics headers).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "neurofab/analysis/permutation_distance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "neurofab/analysis/linear_assignment.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"

namespace nf::analysis {

namespace {

using Eigen::MatrixXd;

MatrixXd permutation_matrix(const std::vector<int>& permutation) {
  const Eigen::Index n = Eigen::Index(permutation.size());
  MatrixXd x = MatrixXd::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) x(i, permutation[std::size_t(i)]) = 1.0;
  return x;
}

// f(π) = Σ_ij W1(i,j) W2(π(i), π(j)).
double objective(const MatrixXd& w1, const MatrixXd& w2, const std::vector<int>& p) {
  double f = 0.0;
  const Eigen::Index n = w1.rows();
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) f += w1(i, j) * w2(p[std::size_t(i)], p[std::size_t(j)]);
  return f;
}

// ∇f(X) = W1 X W2ᵀ + W1ᵀ X W2.
MatrixXd gradient(const MatrixXd& w1, const MatrixXd& w2, const MatrixXd& x) {
  return w1 * x * w2.transpose() + w1.transpose() * x * w2;
}

// FAQ: Frank–Wolfe over doubly stochastic matrices from x, projected to a permutation.
std::vector<int> frank_wolfe(const MatrixXd& w1, const MatrixXd& w2, MatrixXd x,
                             const PermutationSolverOptions& options) {
  const double n = double(w1.rows());
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    const MatrixXd grad = gradient(w1, w2, x);
    const MatrixXd q = permutation_matrix(solve_linear_assignment_max(grad));
    const MatrixXd d = q - x;
    // f(X + αD) = f(X) + α b + α² a: exact line search on [0, 1].
    const double a = (w1.array() * (d * w2 * d.transpose()).array()).sum();
    const double b = (grad.array() * d.array()).sum();
    double alpha = 0.0;
    if (a < 0.0)
      alpha = std::clamp(-b / (2.0 * a), 0.0, 1.0);
    else
      alpha = a + b > 0.0 ? 1.0 : 0.0;
    if (alpha == 0.0) break;
    x += alpha * d;
    if (alpha * d.norm() / std::sqrt(n) < options.tolerance) break;
  }
  return solve_linear_assignment_max(x);
}

// Linear-assignment steps and 2-swaps from a permutation until neither improves f.
void refine(const MatrixXd& w1, const MatrixXd& w2, std::vector<int>& p, const PermutationSolverOptions& options) {
  const int n = int(w1.rows());
  // Improvements below this are rounding: the products in f are of size |W1||W2|.
  const double eps = 1e-12 * (w1.norm() * w2.norm() + std::numeric_limits<double>::min());
  double f = objective(w1, w2, p);
  for (int round = 0; round < options.max_refine_rounds; ++round) {
    bool improved = false;
    // Linear-assignment step: the vertex that maximises the linearisation of f at π.
    for (;;) {
      const std::vector<int> q = solve_linear_assignment_max(gradient(w1, w2, permutation_matrix(p)));
      const double fq = objective(w1, w2, q);
      if (fq <= f + eps) break;
      p = q;
      f = fq;
      improved = true;
    }
    // 2-swap local search, first improvement.
    bool swapped = true;
    while (swapped) {
      swapped = false;
      for (int i = 0; i < n; ++i) {
        for (int j = i + 1; j < n; ++j) {
          const double gain = swap_gain(w1, w2, p, i, j);
          if (gain > eps) {
            std::swap(p[std::size_t(i)], p[std::size_t(j)]);
            f += gain;
            swapped = improved = true;
          }
        }
      }
    }
    if (!improved) break;
    f = objective(w1, w2, p);  // drop the rounding accumulated by the increments
  }
}

// Per-unit features a relabelling does not change: self-weight, sorted
// incoming (row) and sorted outgoing (column) weights without the diagonal.
MatrixXd unit_features(const MatrixXd& w) {
  const Eigen::Index n = w.rows();
  MatrixXd features(n, n > 0 ? 2 * n - 1 : 0);
  std::vector<double> row, column;
  for (Eigen::Index i = 0; i < n; ++i) {
    row.clear();
    column.clear();
    for (Eigen::Index k = 0; k < n; ++k) {
      if (k == i) continue;
      row.push_back(w(i, k));
      column.push_back(w(k, i));
    }
    std::sort(row.begin(), row.end());
    std::sort(column.begin(), column.end());
    features(i, 0) = w(i, i);
    for (Eigen::Index k = 0; k + 1 < n; ++k) {
      features(i, 1 + k) = row[std::size_t(k)];
      features(i, n + k) = column[std::size_t(k)];
    }
  }
  return features;
}

std::vector<int> sorted_feature_start(const MatrixXd& w1, const MatrixXd& w2) {
  const MatrixXd f1 = unit_features(w1);
  const MatrixXd f2 = unit_features(w2);
  // ||a − b||² = ||a||² + ||b||² − 2 a·b for every pair at once.
  MatrixXd cost = -2.0 * f1 * f2.transpose();
  cost.colwise() += f1.rowwise().squaredNorm();
  cost.rowwise() += f2.rowwise().squaredNorm().transpose();
  return solve_linear_assignment(cost);
}

MatrixXd zero_padded(const MatrixXd& w, Eigen::Index n) {
  MatrixXd padded = MatrixXd::Zero(n, n);
  padded.topLeftCorner(w.rows(), w.cols()) = w;
  return padded;
}

}  // namespace

MatrixXd permute_units(const MatrixXd& w, const std::vector<int>& p) {
  const Eigen::Index n = w.rows();
  MatrixXd out(n, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) out(i, j) = w(p[std::size_t(i)], p[std::size_t(j)]);
  return out;
}

double permuted_distance(const MatrixXd& w1, const MatrixXd& w2, const std::vector<int>& permutation) {
  return (w1 - permute_units(w2, permutation)).norm();
}

double swap_gain(const MatrixXd& w1, const MatrixXd& w2, const std::vector<int>& p, int i, int j) {
  const int n = int(w1.rows());
  const int pi = p[std::size_t(i)], pj = p[std::size_t(j)];
  const auto q = [&](int a) { return a == i ? pj : a == j ? pi : p[std::size_t(a)]; };  // π after the swap
  // Only rows i, j and columns i, j of Σ W1(a,b) W2(π(a), π(b)) change.
  double delta = 0.0;
  for (int k = 0; k < n; ++k) {
    const int pk = p[std::size_t(k)], qk = q(k);
    for (const int r : {i, j}) {
      const int pr = p[std::size_t(r)], qr = q(r);
      delta += w1(r, k) * (w2(qr, qk) - w2(pr, pk));
      if (k != i && k != j) delta += w1(k, r) * (w2(qk, qr) - w2(pk, pr));
    }
  }
  return delta;
}

PermutationMatch permutation_distance(const MatrixXd& w1_in, const MatrixXd& w2_in,
                                      const PermutationSolverOptions& options) {
  if (w1_in.rows() != w1_in.cols() || w2_in.rows() != w2_in.cols())
    throw InputError(fmt::format("permutation distance: W_rec must be square (got {}x{} and {}x{})", w1_in.rows(),
                                 w1_in.cols(), w2_in.rows(), w2_in.cols()));
  if (!w1_in.allFinite() || !w2_in.allFinite())
    throw InputError("permutation distance: a recurrent matrix has a non-finite weight");
  const Eigen::Index n = std::max(w1_in.rows(), w2_in.rows());
  const MatrixXd w1 = zero_padded(w1_in, n);
  const MatrixXd w2 = zero_padded(w2_in, n);

  PermutationMatch best;
  best.size = int(n);
  best.distance = std::numeric_limits<double>::infinity();
  if (n == 0) {
    best.distance = 0.0;
    best.start = "identity";
    return best;
  }

  struct Start {
    std::string name;
    std::vector<int> permutation;
  };
  std::vector<Start> starts;
  starts.push_back({"barycentre", frank_wolfe(w1, w2, MatrixXd::Constant(n, n, 1.0 / double(n)), options)});
  starts.push_back({"identity", frank_wolfe(w1, w2, MatrixXd::Identity(n, n), options)});
  starts.push_back({"sorted-features", frank_wolfe(w1, w2, permutation_matrix(sorted_feature_start(w1, w2)), options)});
  Rng rng(options.seed);
  for (int k = 0; k < options.random_starts; ++k) {
    std::vector<int> p(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), 0);
    for (Eigen::Index i = n - 1; i > 0; --i) std::swap(p[std::size_t(i)], p[rng.below(std::uint64_t(i + 1))]);
    // Refined as drawn, without Frank–Wolfe, which would pull it into the basin of the other starts.
    starts.push_back({fmt::format("random-{}", k), p});
  }
  for (Start& start : starts) {
    refine(w1, w2, start.permutation, options);
    const double distance = permuted_distance(w1, w2, start.permutation);
    if (distance < best.distance) {
      best.distance = distance;
      best.permutation = start.permutation;
      best.start = start.name;
    }
  }
  best.normalised = best.distance / double(n * n);
  best.rms = best.distance / double(n);
  return best;
}

}  // namespace nf::analysis
