// GCC 12 reports -Wmaybe-uninitialized inside Eigen's AVX-512 packet code
// (the reductions over blocks below); a false positive, silenced for this file
// only, as in network.cpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "neurofab/models/elise/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace nf::models {

namespace {

struct CenteredRow {
  Eigen::RowVectorXd values;  // row minus its mean
  double norm = 0;            // ||values||; 0 for a constant row
};

CenteredRow centered(const Eigen::Ref<const Eigen::RowVectorXd>& row) {
  CenteredRow c;
  c.values = row.array() - row.mean();
  const double n = static_cast<double>(row.size());
  const double sd = std::sqrt(c.values.squaredNorm() / n);
  c.norm = sd < kConstantRowStd ? 0.0 : c.values.norm();
  return c;
}

// sum_t a(t + s mod T) b(t), without building the shifted copy.
double circular_dot(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b, int shift) {
  const Eigen::Index T = a.size();
  const Eigen::Index s = ((shift % T) + T) % T;
  // t + s < T for t < T - s; the rest wraps to the start of a.
  return a.segment(s, T - s).dot(b.segment(0, T - s)) + a.segment(0, s).dot(b.segment(T - s, s));
}

double shifted_mse(const Eigen::MatrixXd& rates, const Eigen::MatrixXd& target, int shift) {
  const Eigen::Index T = rates.cols();
  const Eigen::Index s = ((shift % T) + T) % T;
  const double head = (rates.middleCols(s, T - s) - target.leftCols(T - s)).squaredNorm();
  const double tail = (rates.leftCols(s) - target.rightCols(s)).squaredNorm();
  return (head + tail) / static_cast<double>(rates.size());
}

}  // namespace

double pearson_or_zero(const Eigen::Ref<const Eigen::RowVectorXd>& a, const Eigen::Ref<const Eigen::RowVectorXd>& b) {
  if (a.size() != b.size() || a.size() == 0) throw std::invalid_argument("pearson_or_zero: rows of different length");
  const CenteredRow ca = centered(a);
  const CenteredRow cb = centered(b);
  if (ca.norm == 0 || cb.norm == 0) return 0.0;
  return ca.values.dot(cb.values) / (ca.norm * cb.norm);
}

EliseCycleMetrics cycle_metrics(const Eigen::MatrixXd& rates, const Eigen::MatrixXd& target, int max_shift,
                                int centre) {
  if (rates.rows() != target.rows() || rates.cols() != target.cols() || rates.size() == 0) {
    throw std::invalid_argument(fmt::format("cycle_metrics: rates are {}x{}, target {}x{}", rates.rows(), rates.cols(),
                                            target.rows(), target.cols()));
  }
  const int T = static_cast<int>(rates.cols());
  const int bound = std::max(0, std::min(max_shift, (T - 1) / 2));
  std::vector<CenteredRow> replay, goal;
  EliseCycleMetrics m;
  for (Eigen::Index i = 0; i < rates.rows(); ++i) {
    replay.push_back(centered(rates.row(i)));
    goal.push_back(centered(target.row(i)));
    if (goal.back().norm > 0) m.corr_max += 1;
  }
  m.mse = (rates - target).squaredNorm() / static_cast<double>(rates.size());

  // Shifts in the order c, c-1, c+1, c-2, c+2, ... so that a strict '>' keeps the tie rule.
  m.corr_sum = -std::numeric_limits<double>::infinity();
  for (int k = 0; k <= 2 * bound; ++k) {
    const int shift = centre + ((k % 2 == 1) ? -(k + 1) / 2 : k / 2);
    double sum = 0;
    for (std::size_t i = 0; i < replay.size(); ++i) {
      if (replay[i].norm == 0 || goal[i].norm == 0) continue;
      sum += circular_dot(replay[i].values, goal[i].values, shift) / (replay[i].norm * goal[i].norm);
    }
    if (sum > m.corr_sum) {
      m.corr_sum = sum;
      m.best_shift_steps = shift;
    }
  }
  m.mse_at_best_shift = shifted_mse(rates, target, m.best_shift_steps);
  return m;
}

int max_shift_steps(double max_shift_ms, double dt_ms) { return static_cast<int>(std::lround(max_shift_ms / dt_ms)); }

EliseCycleMetrics mean_metrics(const std::vector<EliseCycleMetrics>& cycles) {
  EliseCycleMetrics mean;
  if (cycles.empty()) return mean;
  double shift = 0;
  for (const auto& c : cycles) {
    mean.mse += c.mse;
    mean.corr_sum += c.corr_sum;
    mean.corr_max += c.corr_max;
    mean.mse_at_best_shift += c.mse_at_best_shift;
    shift += c.best_shift_steps;
  }
  const double n = static_cast<double>(cycles.size());
  mean.mse /= n;
  mean.corr_sum /= n;
  mean.corr_max /= n;
  mean.mse_at_best_shift /= n;
  mean.best_shift_steps = static_cast<int>(std::lround(shift / n));
  return mean;
}

}  // namespace nf::models
