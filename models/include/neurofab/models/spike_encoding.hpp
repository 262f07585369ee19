#pragma once
// Input encodings of the LIF network: task inputs x (n_in x T·B, column t·B + b)
// to the network's input X (n_in_encoded x T·B).
//
//   current  X_t = x_t                                   direct current injection
//   poisson  X_t[2k]   = [u < min(1, g·max(x_t[k], 0))]   ON channel, u ~ U[0,1) fresh per step
//            X_t[2k+1] = [u' < min(1, g·max(-x_t[k], 0))] OFF channel (g = encoding_gain)
//   delta    per trial and input k, a reference level r (r = 0 before step 1):
//            x_t[k] - r ≥ δ  →  X_t[2k] = 1,   r ← r + δ
//            r - x_t[k] ≥ δ  →  X_t[2k+1] = 1, r ← r - δ     (δ = delta_threshold)
//            at most one event per channel and step, so a jump of several δ is
//            sent over consecutive steps (a send-on-delta / sigma-delta encoder).
// Spike encodings give binary events (0/1) on an ON and an OFF channel per input.

#include <Eigen/Core>

#include "neurofab/models/lif_rnn.hpp"

namespace nf::models {

// `uniforms` (n_in_encoded x T·B) is required for Poisson encoding and ignored otherwise.
template <typename Scalar>
void encode_inputs(const LifRnnConfig& config, const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& inputs,
                   int batch_size, const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>* uniforms,
                   Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& encoded);

}  // namespace nf::models
