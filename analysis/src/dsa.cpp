// GCC 12 reports -Wmaybe-uninitialized inside Eigen's AVX-512 packet code
// (reductions, JacobiSVD, with -march=native): false positives in a system
// header, silenced for this file only (before any include, as the warnings are
// located in the intrinsics headers).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "neurofab/analysis/dsa.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>

#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"

namespace nf::analysis {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// Below this ratio σ_r / σ_1 the Gram route no longer gives the singular vectors reliably.
constexpr double kRankTolerance = 1e-6;
// Exhaustive sign search of the Procrustes start up to this rank (2^(r-1) candidates).
constexpr int kExhaustiveSignRank = 10;

double mismatch(const MatrixXd& a_x, const MatrixXd& a_y, const MatrixXd& c) {
  return (a_x - c * a_y * c.transpose()).squaredNorm();
}

// The orthogonal factor of the polar decomposition: the nearest orthogonal matrix.
MatrixXd polar(const MatrixXd& m) {
  const Eigen::JacobiSVD<MatrixXd> svd(m, Eigen::ComputeFullU | Eigen::ComputeFullV);
  return svd.matrixU() * svd.matrixV().transpose();
}

}  // namespace

DelayDmd fit_delay_dmd(const std::vector<MatrixXd>& trials, int delays, int rank) {
  if (trials.empty()) throw InputError("DSA: no trajectories to embed");
  if (delays < 1) throw InputError(fmt::format("DSA: --delays must be 1 or more (got {})", delays));
  if (rank < 1) throw InputError(fmt::format("DSA: --rank must be 1 or more (got {})", rank));
  const Eigen::Index n = trials.front().rows();
  Eigen::Index samples = 0, transitions = 0;
  for (const MatrixXd& trial : trials) {
    if (trial.rows() != n) throw InputError("DSA: trajectories of different state sizes");
    if (trial.cols() < delays + 1)
      throw InputError(fmt::format("DSA: a trial of {} steps is too short for {} delays (needs ≥ delays + 1 steps)",
                                   trial.cols(), delays));
    if (!trial.allFinite()) throw InputError("DSA: a trajectory holds a non-finite state (the network diverged)");
    samples += trial.cols() - delays + 1;
    transitions += trial.cols() - delays;
  }
  const Eigen::Index dim = n * delays;
  if (rank > dim)
    throw InputError(fmt::format("DSA: --rank {} exceeds the embedding dimension {} (units × delays)", rank, dim));
  if (transitions < rank)
    throw InputError(fmt::format("DSA: only {} transitions to fit a rank-{} operator; use more or longer trials",
                                 transitions, rank));

  // Hankel matrix, and whether column k has a successor k + 1 in its trial.
  MatrixXd hankel(dim, samples);
  std::vector<char> has_next(static_cast<std::size_t>(samples), 0);
  Eigen::Index column = 0;
  for (const MatrixXd& trial : trials) {
    for (Eigen::Index t = delays - 1; t < trial.cols(); ++t, ++column) {
      for (int k = 0; k < delays; ++k) hankel.block(k * n, column, n, 1) = trial.col(t - k);
      has_next[std::size_t(column)] = t + 1 < trial.cols();
    }
  }

  // Leading singular values and right singular vectors through the smaller Gram matrix.
  MatrixXd v_r;
  VectorXd sigma;
  const auto check_rank = [&] {
    if (sigma(0) > 0.0 && sigma(rank - 1) >= kRankTolerance * sigma(0)) return;
    Eigen::Index available = 0;
    while (available < sigma.size() && sigma(0) > 0.0 && sigma(available) >= kRankTolerance * sigma(0)) ++available;
    throw InputError(fmt::format("DSA: --rank {} exceeds the numerical rank {} of the delay embedding "
                                 "(singular values below 1e-6 of the largest); use --rank {} or fewer",
                                 rank, available, std::max<Eigen::Index>(available, 1)));
  };
  if (dim <= samples) {
    const Eigen::SelfAdjointEigenSolver<MatrixXd> eig(hankel * hankel.transpose());
    const VectorXd lambda = eig.eigenvalues().reverse().cwiseMax(0.0);
    sigma = lambda.cwiseSqrt();
    const MatrixXd u_r = eig.eigenvectors().rowwise().reverse().leftCols(rank);
    check_rank();
    v_r = hankel.transpose() * u_r * sigma.head(rank).cwiseInverse().asDiagonal();
  } else {
    const Eigen::SelfAdjointEigenSolver<MatrixXd> eig(hankel.transpose() * hankel);
    const VectorXd lambda = eig.eigenvalues().reverse().cwiseMax(0.0);
    sigma = lambda.cwiseSqrt();  // `samples` of them: fewer than dim here
    check_rank();
    v_r = eig.eigenvectors().rowwise().reverse().leftCols(rank);
  }

  MatrixXd x(rank, transitions), y(rank, transitions);
  Eigen::Index pair = 0;
  for (Eigen::Index k = 0; k < samples; ++k) {
    if (!has_next[std::size_t(k)]) continue;
    x.col(pair) = v_r.row(k).transpose();
    y.col(pair) = v_r.row(k + 1).transpose();
    ++pair;
  }
  // min ||Y − A X||_F  ⇔  Xᵀ Aᵀ = Yᵀ in the least-squares sense.
  DelayDmd fit;
  fit.a = x.transpose().colPivHouseholderQr().solve(y.transpose()).transpose();
  fit.singular_values = sigma;
  fit.samples = int(samples);
  fit.transitions = int(transitions);
  return fit;
}

MatrixXd cayley(const MatrixXd& s) {
  const MatrixXd identity = MatrixXd::Identity(s.rows(), s.cols());
  // (I − S)(I + S)⁻¹ = (I + S)⁻¹(I − S): the two factors commute. I + S is
  // invertible for skew S (its eigenvalues are 1 + iλ).
  return (identity + s).partialPivLu().solve(identity - s);
}

MatrixXd random_orthogonal(int n, std::uint64_t seed) {
  Rng rng(seed);
  MatrixXd g(n, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) g(i, j) = rng.normal();
  const Eigen::HouseholderQR<MatrixXd> qr(g);
  MatrixXd q = qr.householderQ() * MatrixXd::Identity(n, n);
  const MatrixXd r = qr.matrixQR().triangularView<Eigen::Upper>();
  for (Eigen::Index i = 0; i < n; ++i)
    if (r(i, i) < 0) q.col(i) *= -1.0;  // Haar measure (Mezzadri 2007)
  return q;
}

OrthogonalMatch descend_orthogonal(const MatrixXd& a_x, const MatrixXd& a_y, const MatrixXd& c0,
                                   const OrthogonalSolverOptions& options) {
  const double scale = a_x.squaredNorm() + a_y.squaredNorm();
  OrthogonalMatch match;
  match.c = c0;
  double f = mismatch(a_x, a_y, c0);
  if (scale > 0.0) {
    double eta = 1.0 / scale;
    MatrixXd previous_c, previous_grad;  // C and its Riemannian gradient C Ω at the last iterate
    for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
      if (f <= 1e-30 * scale) break;  // an exact match, to rounding
      const MatrixXd& c = match.c;
      const MatrixXd e = c * a_y * c.transpose() - a_x;
      const MatrixXd g = 2.0 * (e * c * a_y.transpose() + e.transpose() * c * a_y);
      const MatrixXd m = c.transpose() * g;
      const MatrixXd omega = 0.5 * (m - m.transpose());
      const double g2 = omega.squaredNorm();
      if (std::sqrt(g2) <= options.gradient_tolerance * scale) break;
      // Barzilai–Borwein step (Wen & Yin 2013): a step S = ηΩ moves C by about
      // −2η C Ω, so α = 2η is the step along the Riemannian gradient C Ω, and
      // α = ⟨s, s⟩ / ⟨s, y⟩ (odd iterations ⟨s, y⟩ / ⟨y, y⟩) with s, y the last
      // changes of C and of C Ω. Without curvature information: twice the last step.
      const MatrixXd grad = c * omega;
      if (iteration > 0) {
        const MatrixXd step = c - previous_c, change = grad - previous_grad;
        const double sy = std::abs((step.array() * change.array()).sum());
        const double alpha = iteration % 2 == 1 ? step.squaredNorm() / sy : sy / change.squaredNorm();
        eta = sy > 0.0 && std::isfinite(alpha) && alpha > 0.0 ? std::clamp(0.5 * alpha, 1e-12 / scale, 1e12 / scale)
                                                              : 2.0 * eta;
      }
      bool accepted = false;
      MatrixXd next;
      double f_next = 0.0;
      for (int halving = 0; halving < 60; ++halving, eta *= 0.5) {
        next = c * cayley(eta * omega);
        f_next = mismatch(a_x, a_y, next);
        if (f_next <= f - 1e-4 * 2.0 * eta * g2) {
          accepted = true;
          break;
        }
      }
      if (!accepted) break;
      previous_c = c;
      previous_grad = grad;
      match.c = (iteration + 1) % 50 == 0 ? polar(next) : next;  // drop accumulated rounding
      f = mismatch(a_x, a_y, match.c);
      match.iterations = iteration + 1;
    }
  }
  match.distance = std::sqrt(f);
  const double mean_norm = 0.5 * (a_x.norm() + a_y.norm());
  match.normalised = mean_norm > 0.0 ? match.distance / mean_norm : 0.0;
  return match;
}

MatrixXd procrustes_start(const MatrixXd& a_x, const MatrixXd& a_y) {
  const Eigen::Index r = a_x.rows();
  const Eigen::JacobiSVD<MatrixXd> sx(a_x, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::JacobiSVD<MatrixXd> sy(a_y, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const VectorXd weight = sx.singularValues().cwiseProduct(sy.singularValues());
  // Per-component terms σ_xk σ_yk (u_xk u_ykᵀ + v_xk v_ykᵀ); a sign set d sums them with ±.
  std::vector<MatrixXd> terms;
  for (Eigen::Index k = 0; k < r; ++k)
    terms.push_back(weight(k) * (sx.matrixU().col(k) * sy.matrixU().col(k).transpose() +
                                 sx.matrixV().col(k) * sy.matrixV().col(k).transpose()));
  const auto candidate = [&](const std::vector<int>& signs) {
    MatrixXd m = MatrixXd::Zero(r, r);
    for (Eigen::Index k = 0; k < r; ++k) m += double(signs[std::size_t(k)]) * terms[std::size_t(k)];
    return polar(m);
  };
  // Spectral guess of the signs: with an exact match, U_xᵀV_x = D (U_yᵀV_y) D,
  // so Q = P + Pᵀ, P = (U_xᵀV_x) ∘ (U_yᵀV_y), is D S D with S ≥ 0 entrywise, and
  // the signs of Q's leading eigenvector (D times S's Perron vector) are D.
  const MatrixXd p = (sx.matrixU().transpose() * sx.matrixV()).cwiseProduct(sy.matrixU().transpose() * sy.matrixV());
  const Eigen::SelfAdjointEigenSolver<MatrixXd> eig(p + p.transpose());
  const VectorXd leading = eig.eigenvectors().col(r - 1);
  std::vector<int> signs(std::size_t(r), 1);
  for (Eigen::Index k = 1; k < r; ++k) signs[std::size_t(k)] = leading(k) * leading(0) < 0.0 ? -1 : 1;
  MatrixXd best = candidate(signs);
  double best_f = mismatch(a_x, a_y, best);
  if (r <= kExhaustiveSignRank) {
    // Component 0 keeps +1: flipping every sign flips C, and C A Cᵀ stays the same.
    for (unsigned long mask = 1; mask < (1ul << (r - 1)); ++mask) {
      for (Eigen::Index k = 1; k < r; ++k) signs[std::size_t(k)] = (mask >> (k - 1)) & 1ul ? -1 : 1;
      const MatrixXd c = candidate(signs);
      const double f = mismatch(a_x, a_y, c);
      if (f < best_f) {
        best_f = f;
        best = c;
      }
    }
  } else {
    // Greedy single flips from the spectral guess.
    bool improved = true;
    while (improved) {
      improved = false;
      for (Eigen::Index k = 1; k < r; ++k) {
        signs[std::size_t(k)] *= -1;
        const MatrixXd c = candidate(signs);
        const double f = mismatch(a_x, a_y, c);
        if (f < best_f) {
          best_f = f;
          best = c;
          improved = true;
        } else {
          signs[std::size_t(k)] *= -1;
        }
      }
    }
  }
  return best;
}

OrthogonalMatch dsa_distance(const MatrixXd& a_x, const MatrixXd& a_y, const OrthogonalSolverOptions& options) {
  if (a_x.rows() != a_x.cols() || a_y.rows() != a_y.cols() || a_x.rows() != a_y.rows() || a_x.rows() == 0)
    throw InputError(fmt::format("DSA: operators must be square and of one size (got {}x{} and {}x{})", a_x.rows(),
                                 a_x.cols(), a_y.rows(), a_y.cols()));
  if (!a_x.allFinite() || !a_y.allFinite()) throw InputError("DSA: an operator has a non-finite entry");
  const int r = int(a_x.rows());
  struct Start {
    std::string name;
    MatrixXd c;
  };
  std::vector<Start> starts;
  starts.push_back({"identity", MatrixXd::Identity(r, r)});
  MatrixXd reflection = MatrixXd::Identity(r, r);
  reflection(0, 0) = -1.0;
  starts.push_back({"reflection", reflection});
  starts.push_back({"procrustes", procrustes_start(a_x, a_y)});
  for (int k = 0; k < options.random_starts; ++k) {
    MatrixXd c = random_orthogonal(r, options.seed + std::uint64_t(k));
    // Alternate the determinant so both components of O(r) get random starts.
    if ((c.determinant() > 0) != (k % 2 == 0)) c.col(0) *= -1.0;
    starts.push_back({fmt::format("random-{}", k), c});
  }
  OrthogonalMatch best;
  best.distance = std::numeric_limits<double>::infinity();
  for (const Start& start : starts) {
    OrthogonalMatch match = descend_orthogonal(a_x, a_y, start.c, options);
    if (match.distance < best.distance) {
      best = std::move(match);
      best.start = start.name;
    }
  }
  return best;
}

}  // namespace nf::analysis
