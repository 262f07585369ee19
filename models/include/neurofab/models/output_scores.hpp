#pragma once
// Scores of a model's outputs on a batch of task trials, one computation for
// every level (float, float with quantized weights, integer golden model), so
// levels compare like for like:
//
//   success rate  S = (1/K) Σ_b [trial b meets the task's criterion]
//   distance      D = (1/K) Σ_b √( Σ_t Σ_m (y_{m,t,b} − z_{m,t,b})² )
//                 Jarne & Laje's performance measure: the Euclidean distance
//                 between output y and target z over the whole trial (every
//                 step, scored or not), averaged over trials
//   mse           Σ mask·(y − z)² / Σ mask, the masked task MSE in double
//                 (models::evaluate reports the float model's own loss instead)

#include <Eigen/Dense>

#include "neurofab/models/task.hpp"

namespace nf::models {

struct OutputScores {
  double success_rate = 0;
  double distance = 0;
  double mse = 0;
  int trials = 0;
};

// D for outputs (n_out x T·B, the batch's layout). Throws nf::InputError for a shape mismatch.
double output_distance(const Batch& batch, const Eigen::MatrixXd& outputs);
OutputScores score_outputs(const Task& task, const Batch& batch, const Eigen::MatrixXd& outputs);

}  // namespace nf::models
