#pragma once
// Matrix kernels and penalty terms shared by the model families' forward and
// BPTT passes (private to nf_models). Layout: one column per (step, trial).

#include <fmt/format.h>

#include <Eigen/Core>
#include <string>

#include "neurofab/common/error.hpp"

#include "neurofab/models/loss.hpp"
#include "neurofab/models/synapses.hpp"

namespace nf::models::detail {

// Throws nf::InputError when tensor `name` is not rows x cols.
template <typename Matrix>
void check_tensor_shape(const char* name, const Matrix& m, int rows, int cols) {
  if (m.rows() != rows || m.cols() != cols) {
    throw InputError(fmt::format("tensor '{}' has shape [{}, {}], the model needs [{}, {}]", name, m.rows(), m.cols(),
                                 rows, cols));
  }
}

// dst = lhs · rhs for a tiny inner size k (n_in, n_out), one pass over dst:
// each column is a combination of k columns of lhs, vectorised down the
// column. GEMM (zero-fills dst and packs the large operand) and a lazy
// product (scalar dot products of length k) are several times slower here.
template <typename Dst, typename Lhs, typename Rhs>
void product_with_small_inner_size(Dst& dst, const Lhs& lhs, const Rhs& rhs) {
  for (Eigen::Index j = 0; j < rhs.cols(); ++j) {
    auto column = dst.col(j);
    column.noalias() = rhs(0, j) * lhs.col(0);
    for (Eigen::Index k = 1; k < lhs.cols(); ++k) column.noalias() += rhs(k, j) * lhs.col(k);
  }
}

// dst = large · small^T where `small` has few rows (n_in, n_out): one
// matrix–vector product over `large` per row of `small`. GEMM would pack all of
// `large` for little work. `dst` may be a transposed view.
template <typename Dst, typename Large, typename Small>
void product_with_small_transposed(Dst&& dst, const Large& large, const Small& small) {
  for (Eigen::Index k = 0; k < small.rows(); ++k) {
    dst.col(k).noalias() = large * small.row(k).transpose();
  }
}

template <typename Matrix>
double mean_abs(const Matrix& m) {
  return m.size() ? static_cast<double>(m.cwiseAbs().sum()) / static_cast<double>(m.size()) : 0.0;
}
template <typename Matrix>
double mean_square(const Matrix& m) {
  return m.size() ? static_cast<double>(m.squaredNorm()) / static_cast<double>(m.size()) : 0.0;
}
// d/dx of λ1 mean|x| + λ2 mean x², added to `grad`.
template <typename Matrix, typename Source>
void add_penalty_gradient(Matrix& grad, const Source& x, double l1, double l2) {
  using Scalar = typename Matrix::Scalar;
  const double count = static_cast<double>(x.size());
  if (l2 != 0) grad.array() += static_cast<Scalar>(2.0 * l2 / count) * x.array();
  if (l1 != 0) grad.array() += static_cast<Scalar>(l1 / count) * x.array().sign();
}

// Σ m (y - ŷ)², the masked MSE's numerator; its gradient 2 m (y - ŷ) / Σ m
// with the whole batch's Σ m (BatchTotals), and a divisor that is never 0.
inline double nonzero(double count) { return count > 0 ? count : 1.0; }
template <typename Matrix>
double masked_squared_error(const Matrix& outputs, const Matrix& targets, const Matrix& mask) {
  return static_cast<double>(((outputs - targets).array().square() * mask.array()).sum());
}
template <typename Matrix>
Matrix masked_mse_gradient(const Matrix& outputs, const Matrix& targets, const Matrix& mask, double mask_sum) {
  using Scalar = typename Matrix::Scalar;
  return static_cast<Scalar>(2.0 / nonzero(mask_sum)) * (outputs - targets).cwiseProduct(mask);
}

// λ_w2 Σ mean(W²) + λ_w1 Σ mean(|W|) over the three weight matrices, and its gradient.
template <typename Matrix>
double weight_penalty(const Matrix& w_in, const Matrix& w_rec, const Matrix& w_out, double l1, double l2) {
  double sum = 0;
  for (const Matrix* w : {&w_in, &w_rec, &w_out}) sum += l2 * mean_square(*w) + l1 * mean_abs(*w);
  return sum;
}
template <typename Tensors>
void add_weight_penalty_gradient(Tensors& g, const Tensors& w, double l1, double l2) {
  add_penalty_gradient(g.w_in, w.w_in, l1, l2);
  add_penalty_gradient(g.w_rec, w.w_rec, l1, l2);
  add_penalty_gradient(g.w_out, w.w_out, l1, l2);
}

// A whole batch taken as its only part (loss.hpp): its totals into `totals`,
// and its loss with the batch terms.
template <typename Network, typename Matrix, typename Trajectory>
LossTerms whole_batch_loss(const Network& network, const Matrix& targets, const Matrix& mask,
                           const Regularization& reg, const Trajectory& traj, BatchTotals& totals) {
  network.add_to_totals(mask, traj, totals);
  LossTerms loss = network.part_loss(targets, mask, reg, traj, totals);
  loss += network.batch_loss(reg, totals);
  return loss;
}

// The last steps of every family's gradient: the weight penalties, then zero
// for absent synapses and for tensors the configuration does not train.
template <typename Tensors, typename Config>
void finish_gradient(Tensors& g, const Tensors& weights, const Regularization& reg,
                     const SynapseConstraints& constraints, const Config& config) {
  add_weight_penalty_gradient(g, weights, reg.l1_weights, reg.l2_weights);
  constraints.mask_gradients(g.w_in, g.w_rec, g.w_out);
  g.for_each([&](const std::string& name, auto& m) {
    if (!config.trainable(name)) m.setZero();
  });
}

}  // namespace nf::models::detail
