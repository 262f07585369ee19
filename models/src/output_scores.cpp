#include "neurofab/models/output_scores.hpp"

#include <fmt/format.h>

#include <cmath>

#include "neurofab/common/error.hpp"
#include "neurofab/models/training.hpp"

namespace nf::models {

double output_distance(const Batch& batch, const Eigen::MatrixXd& outputs) {
  if (outputs.rows() != batch.targets.rows() || outputs.cols() != batch.targets.cols())
    throw InputError(fmt::format("outputs of shape [{}, {}] do not match the targets' [{}, {}]", outputs.rows(),
                                 outputs.cols(), batch.targets.rows(), batch.targets.cols()));
  if (batch.batch_size < 1) return 0.0;
  double total = 0.0;
  for (int b = 0; b < batch.batch_size; ++b) {
    double squares = 0.0;
    for (int t = 0; t < batch.n_steps; ++t) {
      const int col = batch.column(t, b);
      squares += (outputs.col(col) - batch.targets.col(col)).squaredNorm();
    }
    total += std::sqrt(squares);
  }
  return total / batch.batch_size;
}

OutputScores score_outputs(const Task& task, const Batch& batch, const Eigen::MatrixXd& outputs) {
  OutputScores s;
  s.trials = batch.batch_size;
  s.distance = output_distance(batch, outputs);
  const double mask_sum = batch.mask.sum();
  s.mse = ((outputs - batch.targets).array().square() * batch.mask.array()).sum() / (mask_sum > 0 ? mask_sum : 1.0);
  s.success_rate = success_rate(task, batch, outputs);
  return s;
}

}  // namespace nf::models
