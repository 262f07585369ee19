#include "neurofab/models/rate_rnn.hpp"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "neurofab/common/error.hpp"
#include "dense_kernels.hpp"
#include "products.hpp"

namespace nf::models {

using detail::Accumulate;
using detail::multiply;
using detail::multiply_by_transpose;
using detail::product_with_small_inner_size;

std::string to_string(Activation activation) {
  return activation == Activation::kTanh ? "tanh" : "relu";
}

Activation activation_from_string(const std::string& name) {
  if (name == "tanh") return Activation::kTanh;
  if (name == "relu") return Activation::kRelu;
  throw InputError(fmt::format("unknown activation '{}' (expected tanh or relu)", name));
}

void RateRnnConfig::validate() const {
  auto require = [](bool ok, const std::string& field, const std::string& message) {
    if (!ok) throw InputError(fmt::format("model field '{}': {}", field, message));
  };
  require(n_in >= 1, "n_in", fmt::format("must be >= 1 (got {})", n_in));
  require(n_rec >= 1, "n_rec", fmt::format("must be >= 1 (got {})", n_rec));
  require(n_out >= 1, "n_out", fmt::format("must be >= 1 (got {})", n_out));
  require(std::isfinite(dt_ms) && dt_ms > 0, "dt_ms", fmt::format("must be > 0 (got {})", dt_ms));
  require(std::isfinite(tau_ms) && tau_ms > 0, "tau_ms", fmt::format("must be > 0 (got {})", tau_ms));
  require(alpha() <= 1.0, "tau_ms",
          fmt::format("alpha = dt/tau = {} must be <= 1 (tau must be >= dt)", alpha()));
  require(std::isfinite(noise_sd) && noise_sd >= 0, "noise_sd", fmt::format("must be >= 0 (got {})", noise_sd));
  require(std::isfinite(dale_ratio) && dale_ratio >= 0 && dale_ratio <= 1, "dale_ratio",
          fmt::format("must be in [0, 1] (got {})", dale_ratio));
  for (const auto& name : frozen) {
    bool known = false;
    for (const auto& t : kTensorNames) known = known || t == name;
    require(known, "frozen", fmt::format("unknown tensor '{}' (tensors: {})", name, fmt::join(kTensorNames, ", ")));
  }
}

template <typename Scalar>
RateRnnTensors<Scalar> RateRnnTensors<Scalar>::zeros(const RateRnnConfig& c) {
  return {Matrix::Zero(c.n_rec, c.n_in), Matrix::Zero(c.n_rec, c.n_rec), Matrix::Zero(c.n_rec, 1),
          Matrix::Zero(c.n_out, c.n_rec), Matrix::Zero(c.n_out, 1)};
}

template <typename Scalar>
typename RateRnnTensors<Scalar>::Matrix& RateRnnTensors<Scalar>::at(const std::string& name) {
  return const_cast<Matrix&>(std::as_const(*this).at(name));
}

template <typename Scalar>
const typename RateRnnTensors<Scalar>::Matrix& RateRnnTensors<Scalar>::at(const std::string& name) const {
  if (name == "W_in") return w_in;
  if (name == "W_rec") return w_rec;
  if (name == "b_rec") return b_rec;
  if (name == "W_out") return w_out;
  if (name == "b_out") return b_out;
  throw InputError(fmt::format("unknown tensor '{}'", name));
}

template <typename Scalar>
RateRnn<Scalar>::RateRnn(RateRnnConfig config, Connectivity connectivity, Tensors weights)
    : config_(std::move(config)), weights_(std::move(weights)) {
  config_.validate();
  const auto& c = config_;
  const auto check = detail::check_tensor_shape<Matrix>;
  check("W_in", weights_.w_in, c.n_rec, c.n_in);
  check("W_rec", weights_.w_rec, c.n_rec, c.n_rec);
  check("b_rec", weights_.b_rec, c.n_rec, 1);
  check("W_out", weights_.w_out, c.n_out, c.n_rec);
  check("b_out", weights_.b_out, c.n_out, 1);
  connectivity.check_shapes(c.n_in, c.n_rec, c.n_out);
  constraints_ = SynapseConstraints(std::move(connectivity), c.dale_ratio);
}

template <typename Scalar>
void RateRnn<Scalar>::forward(const Matrix& inputs, int batch_size, const Matrix* noise,
                              RateRnnTrajectory<Scalar>& traj) const {
  const int n = config_.n_rec;
  const Eigen::Index columns = inputs.cols();
  if (batch_size < 1 || columns % batch_size != 0 || inputs.rows() != config_.n_in) {
    throw InputError(fmt::format("forward: inputs of shape [{}, {}] do not match n_in {} and batch {}",
                                 inputs.rows(), columns, config_.n_in, batch_size));
  }
  const int steps = static_cast<int>(columns / batch_size);
  const bool noisy = config_.noise_sd > 0;
  if (noisy && (noise == nullptr || noise->rows() != n || noise->cols() != columns)) {
    throw InputError("forward: noise_sd > 0 needs a noise matrix of shape [n_rec, T*B]");
  }
  const Scalar alpha = static_cast<Scalar>(config_.alpha());
  const Scalar sigma = static_cast<Scalar>(config_.noise_sd);

  traj.n_steps = steps;
  traj.batch_size = batch_size;
  traj.states.resize(n, columns + batch_size);
  traj.states.leftCols(batch_size).setZero();
  traj.rates.resize(n, columns);
  if (traj.record_preactivations) traj.preactivations.resize(n, columns);

  // Step by step, so each step's block stays in cache: a_t = W_in x_t + b
  // (+ σ ξ_t) + W_rec h_{t-1}, φ(a_t), then the leak.
  for (int t = 0; t < steps; ++t) {
    const Eigen::Index first = Eigen::Index(t) * batch_size;
    auto previous = traj.states.middleCols(first, batch_size);
    auto current = traj.states.middleCols(first + batch_size, batch_size);
    auto pre = traj.rates.middleCols(first, batch_size);
    product_with_small_inner_size(pre, weights_.w_in, inputs.middleCols(first, batch_size));
    pre.colwise() += weights_.b_rec.col(0);
    if (noisy) pre.noalias() += sigma * noise->middleCols(first, batch_size);
    multiply(pre, weights_.w_rec, previous, Accumulate::kAddResult);
    if (traj.record_preactivations) traj.preactivations.middleCols(first, batch_size) = pre;
    if (config_.activation == Activation::kTanh) {
      pre = pre.array().tanh();
    } else {
      pre = pre.array().max(Scalar(0));
    }
    current = (Scalar(1) - alpha) * previous + alpha * pre;
  }
  traj.outputs.noalias() = weights_.w_out * traj.states.rightCols(columns);
  traj.outputs.colwise() += weights_.b_out.col(0);
}

template <typename Scalar>
void RateRnn<Scalar>::add_to_totals(const Matrix& mask, const RateRnnTrajectory<Scalar>& traj,
                                    BatchTotals& totals) const {
  const Eigen::Index columns = traj.outputs.cols();
  totals.mask_sum += static_cast<double>(mask.sum());
  totals.columns += static_cast<double>(columns);
  totals.activity_count += static_cast<double>(columns) * config_.n_rec;
}

template <typename Scalar>
LossTerms RateRnn<Scalar>::part_loss(const Matrix& targets, const Matrix& mask, const Regularization& reg,
                                     const RateRnnTrajectory<Scalar>& traj, const BatchTotals& totals) const {
  const Eigen::Index columns = traj.outputs.cols();
  if (targets.rows() != config_.n_out || targets.cols() != columns || mask.rows() != targets.rows() ||
      mask.cols() != columns) {
    throw InputError("loss: targets and mask must have shape [n_out, T*B] of the forward pass");
  }
  if (reg.target_rate_weight != 0) {
    throw InputError("the firing-rate target is a regulariser of LIF networks, not of rate RNNs");
  }
  LossTerms loss;
  loss.task = detail::masked_squared_error(traj.outputs, targets, mask) / detail::nonzero(totals.mask_sum);
  const auto states = traj.states.rightCols(columns);  // h_1 .. h_T
  const double count = detail::nonzero(totals.activity_count);
  if (reg.l2_rates != 0) loss.rates += reg.l2_rates * static_cast<double>(states.squaredNorm()) / count;
  if (reg.l1_rates != 0) loss.rates += reg.l1_rates * static_cast<double>(states.cwiseAbs().sum()) / count;
  return loss;
}

template <typename Scalar>
LossTerms RateRnn<Scalar>::batch_loss(const Regularization& reg, const BatchTotals& /*totals*/) const {
  LossTerms loss;
  loss.weights = detail::weight_penalty(weights_.w_in, weights_.w_rec, weights_.w_out, reg.l1_weights, reg.l2_weights);
  return loss;
}

template <typename Scalar>
LossTerms RateRnn<Scalar>::loss(const Matrix& targets, const Matrix& mask, const Regularization& reg,
                                const RateRnnTrajectory<Scalar>& traj) const {
  BatchTotals totals;
  return detail::whole_batch_loss(*this, targets, mask, reg, traj, totals);
}

template <typename Scalar>
void RateRnn<Scalar>::part_gradient(const Matrix& inputs, const Matrix& targets, const Matrix& mask,
                                    const Regularization& reg, const BatchTotals& totals,
                                    RateRnnTrajectory<Scalar>& traj, Tensors& g) const {
  const Eigen::Index columns = traj.outputs.cols();
  const int batch = traj.batch_size;
  const int n = config_.n_rec;
  const auto previous_states = traj.states.leftCols(columns);  // h_0 .. h_{T-1}
  const auto current = traj.states.rightCols(columns);         // h_1 .. h_T

  const Matrix d_outputs = detail::masked_mse_gradient(traj.outputs, targets, mask, totals.mask_sum);
  Matrix w_out_gradient_transposed(n, config_.n_out);
  multiply_by_transpose(w_out_gradient_transposed, current, d_outputs, Accumulate::kAssign);  // Σ_t h_t dY_t^T
  g.w_out = w_out_gradient_transposed.transpose();
  g.b_out = d_outputs.rowwise().sum();

  // Backward through time, step by step: ∂L/∂h_t = W_out^T dY_t + the rate
  // penalties' + `running`, which carries (1-α) ∂L/∂h_{t+1} + W_rec^T δ_{t+1};
  // δ_t overwrites φ(a_t) in `rates`, which is read for the last time here.
  const Scalar alpha = static_cast<Scalar>(config_.alpha());
  const bool tanh = config_.activation == Activation::kTanh;
  const double count = detail::nonzero(totals.activity_count);
  const auto l2 = static_cast<Scalar>(2.0 * reg.l2_rates / count), l1 = static_cast<Scalar>(reg.l1_rates / count);
  const Matrix w_out_transposed = weights_.w_out.transpose();
  const Matrix w_rec_transposed = weights_.w_rec.transpose();  // a plain operand multiplies faster
  Matrix& g_t = traj.total_gradient;
  g_t.resize(n, batch);
  Matrix running = Matrix::Zero(n, batch);
  for (int t = traj.n_steps - 1; t >= 0; --t) {
    const Eigen::Index first = Eigen::Index(t) * batch;
    const auto h_t = current.middleCols(first, batch);
    auto rates = traj.rates.middleCols(first, batch);
    product_with_small_inner_size(g_t, w_out_transposed, d_outputs.middleCols(first, batch));
    g_t += running;
    if (l2 != 0) g_t += l2 * h_t;
    if (l1 != 0) g_t.array() += l1 * h_t.array().sign();
    running = (Scalar(1) - alpha) * g_t;
    if (tanh) {
      rates.array() = alpha * g_t.array() * (Scalar(1) - rates.array().square());
    } else {
      rates.array() = (rates.array() > Scalar(0)).select(alpha * g_t.array(), Scalar(0));
    }
    if (t > 0) multiply(running, w_rec_transposed, rates, Accumulate::kAddResult);  // g_0 is not needed
  }
  const Matrix& deltas = traj.rates;
  multiply_by_transpose(g.w_rec, deltas, previous_states, Accumulate::kAssign);  // Σ_t δ_t h_{t-1}^T
  multiply_by_transpose(g.w_in, deltas, inputs, Accumulate::kAssign);            // Σ_t δ_t x_t^T
  g.b_rec = deltas.rowwise().sum();
}

template <typename Scalar>
void RateRnn<Scalar>::finish_gradient(const Regularization& reg, Tensors& g) const {
  detail::finish_gradient(g, weights_, reg, constraints_, config_);
}

template <typename Scalar>
LossTerms RateRnn<Scalar>::loss_and_gradient(const Matrix& inputs, const Matrix& targets, const Matrix& mask,
                                             const Regularization& reg, RateRnnTrajectory<Scalar>& traj,
                                             Tensors& g) const {
  BatchTotals totals;
  const LossTerms result = detail::whole_batch_loss(*this, targets, mask, reg, traj, totals);
  part_gradient(inputs, targets, mask, reg, totals, traj, g);
  finish_gradient(reg, g);
  return result;
}

template <typename Scalar>
void RateRnn<Scalar>::apply_constraints() {
  constraints_.apply(weights_.w_in, weights_.w_rec, weights_.w_out);
}

template <typename Scalar>
std::string RateRnn<Scalar>::constraint_violation() const {
  return constraints_.violation(weights_.w_in, weights_.w_rec, weights_.w_out);
}

template struct RateRnnTensors<float>;
template struct RateRnnTensors<double>;
template class RateRnn<float>;
template class RateRnn<double>;

}  // namespace nf::models
