#pragma once
// Replay quality of one cycle of the ELiSe network: how close the visible
// neurons' rates r (n_visible x T) come to the target pattern y (same shape).
//
//   mse               = mean over i, t of (r_i(t) - y_i(t))^2, no shift.
//   corr_sum(s)       = sum_i pearson(r_i(t + s mod T), y_i(t)) over t = 0..T-1,
//                       one circular shift s (in steps) for all neurons: the
//                       replay of a whole network runs early or late together.
//   corr_sum          = max over |s - c| <= max_shift of corr_sum(s), c the
//                       centre of the search (0 unless given; the replay
//                       tracks its phase with it, schedule.hpp); the best
//                       shift is best_shift_steps (s > 0: the replay lags the
//                       target by s steps). Ties go to the smaller |s - c|,
//                       then to the smaller s.
//   mse_at_best_shift = the mse of the shifted replay.
//   corr_max          = the number of target rows that are not constant: the
//                       corr_sum of a perfect replay (13 for fur_elise).
//
// Pearson's r of a constant row (replay or target) is undefined; it counts as
// 0 here, so a silent replay scores 0 and a target neuron that never sounds
// cannot be matched (it is left out of corr_max). A row counts as constant
// when its standard deviation is below kConstantRowStd.
//
// The default shift bound is +-25 ms (kDefaultMaxShiftMs): a tenth of the
// 250 ms melody — enough for a replay that drifts by a note or two, not so
// much that a replay one note off would look perfect.

#include <Eigen/Core>
#include <vector>

namespace nf::models {

inline constexpr double kDefaultMaxShiftMs = 25.0;
inline constexpr double kConstantRowStd = 1e-9;

struct EliseCycleMetrics {
  double mse = 0;
  double corr_sum = 0;
  double corr_max = 0;
  int best_shift_steps = 0;
  double mse_at_best_shift = 0;
};

// Pearson's r of two equally long rows; 0 when either is constant.
double pearson_or_zero(const Eigen::Ref<const Eigen::RowVectorXd>& a, const Eigen::Ref<const Eigen::RowVectorXd>& b);

// The metrics above; max_shift_steps is capped at (T - 1) / 2 so no shift is
// counted twice (a cap that searches every circular shift: kAnyShift).
// Throws std::invalid_argument if the shapes differ or are empty.
inline constexpr int kAnyShift = 1 << 30;
EliseCycleMetrics cycle_metrics(const Eigen::MatrixXd& rates, const Eigen::MatrixXd& target, int max_shift_steps,
                                int centre_shift_steps = 0);

// Shift bound in steps for a bound in ms at step dt (rounded to the nearest step).
int max_shift_steps(double max_shift_ms, double dt_ms);

// Mean of each field over several cycles (best_shift_steps: the rounded mean).
EliseCycleMetrics mean_metrics(const std::vector<EliseCycleMetrics>& cycles);

}  // namespace nf::models
