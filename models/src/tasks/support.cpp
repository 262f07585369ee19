// Checks, batch allocation, pulse shapes and the categorical success criterion
// shared by the task implementations.

#include "neurofab/models/tasks/support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include "neurofab/common/error.hpp"

namespace nf::models::tasks {

void fail_param(const Task& task, const std::string& param, const std::string& requirement) {
  throw InputError(fmt::format("task '{}': parameter '{}' must be {} (got {})", task.name(), param,
                               requirement, task.param(param)));
}

void require_at_least(const Task& task, const std::string& param, double min) {
  if (!(task.param(param) >= min)) fail_param(task, param, fmt::format(">= {}", min));
}

void require_above(const Task& task, const std::string& param, double bound) {
  if (!(task.param(param) > bound)) fail_param(task, param, fmt::format("> {}", bound));
}

void require_in_range(const Task& task, const std::string& param, double low, double high) {
  const double v = task.param(param);
  if (!(v >= low && v <= high)) fail_param(task, param, fmt::format("in [{}, {}]", low, high));
}

void require(bool ok, const Task& task, const std::string& message) {
  if (!ok) throw InputError(fmt::format("task '{}': {}", task.name(), message));
}

void require_trial_length(const Task& task, std::int64_t n_steps) {
  if (n_steps < 1 || n_steps > kMaxSteps) {
    throw InputError(fmt::format("task '{}': the trial length must be in [1, {}] steps (got {})",
                                 task.name(), kMaxSteps, n_steps));
  }
}

Batch make_zero_batch(const Task& task, int batch_size) {
  if (batch_size < 1) {
    throw InputError(
        fmt::format("task '{}': batch_size must be >= 1 (got {})", task.name(), batch_size));
  }
  const int n_steps = task.n_steps();
  const std::int64_t columns = std::int64_t{n_steps} * batch_size;
  if (columns > INT_MAX) {
    throw InputError(fmt::format(
        "task '{}': {} steps x batch_size {} is more columns than one batch can index",
        task.name(), n_steps, batch_size));
  }
  Batch batch;
  batch.n_steps = n_steps;
  batch.batch_size = batch_size;
  batch.inputs = Eigen::MatrixXd::Zero(task.n_in(), columns);
  batch.targets = Eigen::MatrixXd::Zero(task.n_out(), columns);
  batch.mask = Eigen::MatrixXd::Ones(task.n_out(), columns);
  return batch;
}

void add_input_noise(Batch& batch, double sd, Rng& rng) {
  if (sd == 0.0) return;
  // Column-major loop: the same order as the memory, fixed for reproducibility.
  for (Eigen::Index col = 0; col < batch.inputs.cols(); ++col) {
    for (Eigen::Index row = 0; row < batch.inputs.rows(); ++row) {
      batch.inputs(row, col) += sd * rng.normal();
    }
  }
}

void check_outputs(const Task& task, const Batch& batch, const Eigen::MatrixXd& outputs) {
  const Eigen::Index columns = Eigen::Index{batch.n_steps} * batch.batch_size;
  if (outputs.rows() != task.n_out() || outputs.cols() != columns ||
      batch.targets.rows() != task.n_out() || batch.targets.cols() != columns ||
      batch.mask.rows() != task.n_out() || batch.mask.cols() != columns) {
    throw InputError(fmt::format(
        "task '{}': outputs are {}x{} but the batch needs {}x{} (n_out x steps*batch)",
        task.name(), outputs.rows(), outputs.cols(), task.n_out(), columns));
  }
}

std::vector<double> hann_smoothed_pulse(int length, int window) {
  std::vector<double> pulse(static_cast<std::size_t>(std::max(length, 0)), 0.0);
  if (length <= 0 || window <= 0) return pulse;
  // scipy.signal.hann(M) is symmetric; hann(1) is [1].
  std::vector<double> w(static_cast<std::size_t>(window), 1.0);
  if (window > 1) {
    for (int n = 0; n < window; ++n) {
      w[n] = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * n / (window - 1));
    }
  }
  double sum = 0.0;
  for (double v : w) sum += v;
  // mode='same' keeps the full convolution from index (window-1)/2 onward.
  const int shift = (window - 1) / 2;
  for (int i = 0; i < length; ++i) {
    double acc = 0.0;
    for (int k = 0; k < window; ++k) {
      const int j = i + shift - k;
      if (j >= 0 && j < length) acc += w[k];
    }
    pulse[i] = acc / sum;
  }
  return pulse;
}

void mask_grace_steps(Batch& batch, int grace) {
  for (int b = 0; b < batch.batch_size; ++b) {
    for (Eigen::Index c = 0; c < batch.targets.rows(); ++c) {
      int last_change = -1;
      for (int t = 1; t < batch.n_steps; ++t) {
        if (batch.targets(c, batch.column(t, b)) != batch.targets(c, batch.column(t - 1, b))) last_change = t;
        if (last_change >= 0 && t - last_change < grace) batch.mask(c, batch.column(t, b)) = 0.0;
      }
    }
  }
}

std::vector<bool> level_success(const Batch& batch, const Eigen::MatrixXd& outputs,
                                const std::vector<double>& levels, int grace) {
  const int n_steps = batch.n_steps;
  std::vector<bool> ok(static_cast<std::size_t>(batch.batch_size), true);
  for (int b = 0; b < batch.batch_size; ++b) {
    for (Eigen::Index c = 0; c < batch.targets.rows() && ok[b]; ++c) {
      int last_change = -1;  // the target's value at t = 0 needs no switching time
      for (int t = 0; t < n_steps; ++t) {
        const int col = batch.column(t, b);
        const double target = batch.targets(c, col);
        if (t > 0 && target != batch.targets(c, batch.column(t - 1, b))) last_change = t;
        if (batch.mask(c, col) <= 0.0) continue;
        if (last_change >= 0 && t - last_change < grace) continue;
        // Nearest level; a tie decodes to nothing and so counts as wrong.
        const double out = outputs(c, col);
        double best = std::numeric_limits<double>::infinity();
        double decoded = std::numeric_limits<double>::quiet_NaN();
        for (double level : levels) {
          const double d = std::fabs(out - level);
          if (d < best) {
            best = d;
            decoded = level;
          } else if (d == best) {
            decoded = std::numeric_limits<double>::quiet_NaN();
          }
        }
        // NaN outputs compare false everywhere, so they fail too.
        if (!(decoded == target)) {
          ok[b] = false;
          break;
        }
      }
    }
  }
  return ok;
}

}  // namespace nf::models::tasks
