#include "neurofab/models/lif_rnn.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <numbers>
#include <utility>

#include "dense_kernels.hpp"
#include "products.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/spike_encoding.hpp"

namespace nf::models {
namespace {

template <typename E>
struct NamedValue {
  E value;
  const char* name;
};
constexpr std::array<NamedValue<ResetMode>, 2> kResetNames{{{ResetMode::kSubtract, "subtract"},
                                                            {ResetMode::kZero, "zero"}}};
constexpr std::array<NamedValue<Surrogate>, 3> kSurrogateNames{
    {{Surrogate::kFastSigmoid, "fast_sigmoid"}, {Surrogate::kAtan, "atan"}, {Surrogate::kTriangle, "triangle"}}};
constexpr std::array<NamedValue<InputEncoding>, 3> kEncodingNames{
    {{InputEncoding::kCurrent, "current"}, {InputEncoding::kPoisson, "poisson"}, {InputEncoding::kDelta, "delta"}}};

template <typename E, std::size_t N>
std::string name_of(const std::array<NamedValue<E>, N>& table, E value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  return "?";
}

template <typename E, std::size_t N>
E value_of(const std::array<NamedValue<E>, N>& table, const std::string& name, const char* what) {
  std::string names;
  for (const auto& entry : table) {
    if (name == entry.name) return entry.value;
    names += (names.empty() ? "" : ", ") + std::string(entry.name);
  }
  throw InputError(fmt::format("unknown {} '{}' (expected one of: {})", what, name, names));
}

double decay(double dt_ms, double tau_ms) { return tau_ms > 0 ? std::exp(-dt_ms / tau_ms) : 0.0; }

// σ'(z) for an N x B block, peak 1 at z = 0 (see the header).
template <typename Array>
auto surrogate_derivative(Surrogate surrogate, typename Array::Scalar slope, const Array& z) {
  using Scalar = typename Array::Scalar;
  Array result(z.rows(), z.cols());
  switch (surrogate) {
    case Surrogate::kFastSigmoid:
      result = (Scalar(1) + slope * z.abs()).square().inverse();
      break;
    case Surrogate::kAtan:
      result = (Scalar(1) + (static_cast<Scalar>(std::numbers::pi / 2) * slope * z).square()).inverse();
      break;
    case Surrogate::kTriangle:
      result = (Scalar(1) - slope * z.abs()).max(Scalar(0));
      break;
  }
  return result;
}

// S(z) = 1/2 + ∫_0^z σ' — the smooth spike function of the test mode.
template <typename Scalar>
Scalar surrogate_primitive(Surrogate surrogate, Scalar slope, Scalar z) {
  switch (surrogate) {
    case Surrogate::kFastSigmoid:
      return Scalar(0.5) + z / (Scalar(1) + slope * std::abs(z));
    case Surrogate::kAtan: {
      const auto c = static_cast<Scalar>(std::numbers::pi / 2) * slope;
      return Scalar(0.5) + std::atan(c * z) / c;
    }
    case Surrogate::kTriangle:
      if (std::abs(z) >= Scalar(1) / slope) return Scalar(0.5) + std::copysign(Scalar(0.5) / slope, z);
      return Scalar(0.5) + z - slope * z * std::abs(z) / Scalar(2);
  }
  return Scalar(0);
}

}  // namespace

std::string to_string(ResetMode mode) { return name_of(kResetNames, mode); }
std::string to_string(Surrogate surrogate) { return name_of(kSurrogateNames, surrogate); }
std::string to_string(InputEncoding encoding) { return name_of(kEncodingNames, encoding); }
ResetMode reset_mode_from_string(const std::string& name) { return value_of(kResetNames, name, "reset mode"); }
Surrogate surrogate_from_string(const std::string& name) { return value_of(kSurrogateNames, name, "surrogate"); }
InputEncoding input_encoding_from_string(const std::string& name) {
  return value_of(kEncodingNames, name, "input encoding");
}

double LifRnnConfig::beta() const { return decay(dt_ms, tau_mem_ms); }
double LifRnnConfig::alpha_syn() const { return decay(dt_ms, tau_syn_ms); }
double LifRnnConfig::kappa() const { return decay(dt_ms, tau_out_ms); }

bool LifRnnConfig::trainable(const std::string& tensor) const {
  if (frozen.count(tensor) != 0) return false;
  if (tensor == "beta") return train_tau;
  if (tensor == "alpha_syn") return train_tau && tau_syn_ms > 0;  // a current-free unit stays current-free
  return true;
}

void LifRnnConfig::validate() const {
  auto require = [](bool ok, const std::string& field, const std::string& message) {
    if (!ok) throw InputError(fmt::format("model field '{}': {}", field, message));
  };
  const auto positive = [&](double value, const char* field) {
    require(std::isfinite(value) && value > 0, field, fmt::format("must be > 0 (got {})", value));
  };
  const auto non_negative = [&](double value, const char* field) {
    require(std::isfinite(value) && value >= 0, field, fmt::format("must be >= 0 (got {})", value));
  };
  require(n_in >= 1, "n_in", fmt::format("must be >= 1 (got {})", n_in));
  require(n_rec >= 1, "n_rec", fmt::format("must be >= 1 (got {})", n_rec));
  require(n_out >= 1, "n_out", fmt::format("must be >= 1 (got {})", n_out));
  positive(dt_ms, "dt_ms");
  positive(tau_mem_ms, "tau_mem_ms");
  non_negative(tau_syn_ms, "tau_syn_ms");
  non_negative(tau_out_ms, "tau_out_ms");
  positive(threshold, "threshold");
  require(refractory_steps >= 0, "refractory_steps", fmt::format("must be >= 0 (got {})", refractory_steps));
  positive(encoding_gain, "encoding_gain");
  positive(delta_threshold, "delta_threshold");
  positive(surrogate_slope, "surrogate_slope");
  require(std::isfinite(dale_ratio) && dale_ratio >= 0 && dale_ratio <= 1, "dale_ratio",
          fmt::format("must be in [0, 1] (got {})", dale_ratio));
  for (const auto& name : frozen) {
    bool known = false;
    for (const auto& t : kLifTensorNames) known = known || t == name;
    require(known, "frozen",
            fmt::format("unknown tensor '{}' (tensors: {})", name, fmt::join(kLifTensorNames, ", ")));
  }
}

template <typename Scalar>
LifRnnTensors<Scalar> LifRnnTensors<Scalar>::zeros(const LifRnnConfig& c) {
  return {Matrix::Zero(c.n_rec, c.n_in_encoded()), Matrix::Zero(c.n_rec, c.n_rec), Matrix::Zero(c.n_rec, 1),
          Matrix::Zero(c.n_out, c.n_rec),          Matrix::Zero(c.n_out, 1),       Matrix::Zero(c.n_rec, 1),
          Matrix::Zero(c.n_rec, 1)};
}

template <typename Scalar>
typename LifRnnTensors<Scalar>::Matrix& LifRnnTensors<Scalar>::at(const std::string& name) {
  return const_cast<Matrix&>(std::as_const(*this).at(name));
}

template <typename Scalar>
const typename LifRnnTensors<Scalar>::Matrix& LifRnnTensors<Scalar>::at(const std::string& name) const {
  const Matrix* found = nullptr;
  const_cast<LifRnnTensors*>(this)->for_each([&](const std::string& n, Matrix& m) {
    if (n == name) found = &m;
  });
  if (found == nullptr) throw InputError(fmt::format("unknown tensor '{}'", name));
  return *found;
}

template <typename Scalar>
LifRnn<Scalar>::LifRnn(LifRnnConfig config, Connectivity connectivity, Tensors weights)
    : config_(std::move(config)), weights_(std::move(weights)) {
  config_.validate();
  const auto& c = config_;
  const auto check = detail::check_tensor_shape<Matrix>;
  check("W_in", weights_.w_in, c.n_rec, c.n_in_encoded());
  check("W_rec", weights_.w_rec, c.n_rec, c.n_rec);
  check("b_rec", weights_.b_rec, c.n_rec, 1);
  check("W_out", weights_.w_out, c.n_out, c.n_rec);
  check("b_out", weights_.b_out, c.n_out, 1);
  check("beta", weights_.beta, c.n_rec, 1);
  check("alpha_syn", weights_.alpha_syn, c.n_rec, 1);
  connectivity.check_shapes(c.n_in_encoded(), c.n_rec, c.n_out);
  constraints_ = SynapseConstraints(std::move(connectivity), c.dale_ratio);
}

template <typename Scalar>
void LifRnn<Scalar>::forward(const Matrix& task_inputs, int batch_size, const Matrix* noise,
                             Trajectory& traj) const {
  const Eigen::Index columns = task_inputs.cols();
  if (batch_size < 1 || columns % batch_size != 0 || task_inputs.rows() != config_.n_in) {
    throw InputError(fmt::format("forward: inputs of shape [{}, {}] do not match n_in {} and batch {}",
                                 task_inputs.rows(), columns, config_.n_in, batch_size));
  }
  const int n = config_.n_rec;
  const int batch = batch_size;
  const int steps = static_cast<int>(columns / batch);
  const auto theta = static_cast<Scalar>(config_.threshold);
  const auto slope = static_cast<Scalar>(config_.surrogate_slope);
  const int refractory_steps = config_.refractory_steps;
  const bool subtract = config_.reset == ResetMode::kSubtract;

  traj.n_steps = steps;
  traj.batch_size = batch;
  encode_inputs(config_, task_inputs, batch, noise, traj.inputs);
  traj.currents.resize(n, columns + batch);
  traj.membranes.resize(n, columns + batch);
  traj.spikes.resize(n, columns + batch);
  traj.currents.leftCols(batch).setZero();
  traj.membranes.leftCols(batch).setZero();
  traj.spikes.leftCols(batch).setZero();
  if (refractory_steps > 0) {
    traj.refractory.resize(n, columns);
  } else {
    traj.refractory.resize(0, 0);
  }

  traj.potentials.resize(n, columns);
  SpikeEvents& events = traj.events;
  events.clear();
  detail::append_spike_events(traj.spikes.leftCols(batch), events);  // s_0

  const auto beta = weights_.beta.col(0).array();
  const auto alpha = weights_.alpha_syn.col(0).array();
  Eigen::Array<Scalar, Eigen::Dynamic, Eigen::Dynamic> counter;  // refractory steps left
  if (refractory_steps > 0) counter.setZero(n, batch);

  for (int t = 0; t < steps; ++t) {
    const Eigen::Index previous = Eigen::Index(t) * batch, current = previous + batch;
    auto current_in = traj.currents.middleCols(current, batch);
    auto u = traj.potentials.middleCols(previous, batch);
    auto s = traj.spikes.middleCols(current, batch);
    auto v = traj.membranes.middleCols(current, batch);
    const auto v_previous = traj.membranes.middleCols(previous, batch).array();

    // The input drive W_in X_t + b first; u_t overwrites it below.
    detail::product_with_small_inner_size(u, weights_.w_in, traj.inputs.middleCols(previous, batch));
    u.colwise() += weights_.b_rec.col(0);
    detail::multiply_spikes(current_in, weights_.w_rec, traj.spikes.middleCols(previous, batch), events, previous);
    current_in.array() += u.array() + traj.currents.middleCols(previous, batch).array().colwise() * alpha;
    u.array() = v_previous.colwise() * beta + current_in.array();

    if (refractory_steps > 0) {
      auto q = traj.refractory.middleCols(previous, batch).array();
      q = (counter > Scalar(0)).template cast<Scalar>();
      u.array() = q * v_previous + (Scalar(1) - q) * u.array();
      const auto fired = ((u.array() >= theta).template cast<Scalar>() * (Scalar(1) - q)).eval();
      counter = (fired > Scalar(0)).select(Scalar(refractory_steps), (counter - Scalar(1)).max(Scalar(0)));
      s.array() = config_.smooth_forward
                      ? ((u.array() - theta).unaryExpr([&](Scalar z) {
                          return surrogate_primitive(config_.surrogate, slope, z);
                        }) * (Scalar(1) - q)).eval()
                      : fired;
    } else if (config_.smooth_forward) {
      s.array() = (u.array() - theta).unaryExpr([&](Scalar z) { return surrogate_primitive(config_.surrogate, slope, z); });
    } else {
      s.array() = (u.array() >= theta).template cast<Scalar>();
    }
    if (subtract) {
      v.array() = u.array() - theta * s.array();
    } else {
      v.array() = u.array() * (Scalar(1) - s.array());
    }
    detail::append_spike_events(s, events);
  }

  // Readout: W_out s_t + b_out for all steps, then the leak step by step.
  traj.outputs.resize(config_.n_out, columns);
  detail::multiply_spikes(traj.outputs, weights_.w_out, traj.spikes.rightCols(columns), events, batch);
  traj.outputs.colwise() += weights_.b_out.col(0);
  const auto kappa = static_cast<Scalar>(config_.kappa());
  if (kappa != Scalar(0)) {
    for (int t = 1; t < steps; ++t) {
      traj.outputs.middleCols(Eigen::Index(t) * batch, batch) +=
          kappa * traj.outputs.middleCols(Eigen::Index(t - 1) * batch, batch);
    }
  }
}

template <typename Scalar>
void LifRnn<Scalar>::add_to_totals(const Matrix& mask, const Trajectory& traj, BatchTotals& totals) const {
  const Eigen::Index columns = traj.outputs.cols();
  totals.mask_sum += static_cast<double>(mask.sum());
  totals.columns += static_cast<double>(columns);
  totals.activity_count += static_cast<double>(columns) * config_.n_rec;
  // Summed in Scalar first (exact for spikes below 2^24 steps·trials): a sum
  // cast on the fly would be evaluated row by row.
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> sums = traj.spikes.rightCols(columns).rowwise().sum();
  const Eigen::VectorXd spike_sums = sums.template cast<double>();
  if (totals.spike_sums.size() == 0) totals.spike_sums = Eigen::VectorXd::Zero(config_.n_rec);
  totals.spike_sums += spike_sums;
}

template <typename Scalar>
LossTerms LifRnn<Scalar>::part_loss(const Matrix& targets, const Matrix& mask, const Regularization& reg,
                                    const Trajectory& traj, const BatchTotals& totals) const {
  const Eigen::Index columns = traj.outputs.cols();
  if (targets.rows() != config_.n_out || targets.cols() != columns || mask.rows() != targets.rows() ||
      mask.cols() != columns) {
    throw InputError("loss: targets and mask must have shape [n_out, T*B] of the forward pass");
  }
  LossTerms loss;
  loss.task = detail::masked_squared_error(traj.outputs, targets, mask) / detail::nonzero(totals.mask_sum);
  const auto spikes = traj.spikes.rightCols(columns);  // s_1 .. s_T, all >= 0
  const double count = detail::nonzero(totals.activity_count);
  if (reg.l2_rates != 0) loss.rates += reg.l2_rates * static_cast<double>(spikes.squaredNorm()) / count;
  if (reg.l1_rates != 0) loss.rates += reg.l1_rates * static_cast<double>(spikes.sum()) / count;
  return loss;
}

template <typename Scalar>
LossTerms LifRnn<Scalar>::batch_loss(const Regularization& reg, const BatchTotals& totals) const {
  LossTerms loss;
  loss.weights = detail::weight_penalty(weights_.w_in, weights_.w_rec, weights_.w_out, reg.l1_weights, reg.l2_weights);
  if (reg.target_rate_weight != 0) {
    const Eigen::VectorXd rates = totals.spike_sums / detail::nonzero(totals.columns);
    loss.rates += reg.target_rate_weight * (rates.array() - reg.target_rate).square().mean();
  }
  return loss;
}

template <typename Scalar>
LossTerms LifRnn<Scalar>::loss(const Matrix& targets, const Matrix& mask, const Regularization& reg,
                               const Trajectory& traj) const {
  BatchTotals totals;
  return detail::whole_batch_loss(*this, targets, mask, reg, traj, totals);
}

template <typename Scalar>
void LifRnn<Scalar>::part_gradient(const Matrix& /*inputs*/, const Matrix& targets, const Matrix& mask,
                                   const Regularization& reg, const BatchTotals& totals, Trajectory& traj,
                                   Tensors& g) const {
  const Eigen::Index columns = traj.outputs.cols();
  const int batch = traj.batch_size;
  const int n = config_.n_rec;
  const auto spikes = traj.spikes.rightCols(columns);  // s_1 .. s_T
  const SpikeEvents& events = traj.events;

  // Readout: gy_t = ∂L/∂y_t|direct + κ gy_{t+1}.
  Matrix d_outputs = detail::masked_mse_gradient(traj.outputs, targets, mask, totals.mask_sum);
  const auto kappa = static_cast<Scalar>(config_.kappa());
  if (kappa != Scalar(0)) {
    for (int t = traj.n_steps - 2; t >= 0; --t) {
      d_outputs.middleCols(Eigen::Index(t) * batch, batch) +=
          kappa * d_outputs.middleCols(Eigen::Index(t + 1) * batch, batch);
    }
  }
  detail::multiply_by_spikes_transposed(g.w_out, d_outputs, spikes, detail::Accumulate::kAssign, events, batch,
                                        traj.events_by_unit);
  g.b_out = d_outputs.rowwise().sum();

  // ∂L/∂s_t's parts that do not come from the recurrence: the activity
  // penalties (a constant and a multiple of s_t) and the firing-rate term (per unit).
  const double count = detail::nonzero(totals.activity_count);
  const auto l1 = static_cast<Scalar>(reg.l1_rates / count), l2 = static_cast<Scalar>(2.0 * reg.l2_rates / count);
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> per_unit = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>::Constant(n, l1);
  if (reg.target_rate_weight != 0) {
    const Eigen::VectorXd rates = totals.spike_sums / detail::nonzero(totals.columns);
    per_unit += (2.0 * reg.target_rate_weight / (n * detail::nonzero(totals.columns)) *
                 (rates.array() - reg.target_rate))
                    .matrix()
                    .template cast<Scalar>();
  }
  const bool per_unit_term = reg.l1_rates != 0 || reg.target_rate_weight != 0;

  // Backward through time (see the header for the equations).
  const auto theta = static_cast<Scalar>(config_.threshold);
  const auto slope = static_cast<Scalar>(config_.surrogate_slope);
  const bool subtract = config_.reset == ResetMode::kSubtract;
  const bool refractory = config_.refractory_steps > 0;
  const bool detach = config_.detach_reset;
  const auto beta = weights_.beta.col(0).array();
  const auto alpha = weights_.alpha_syn.col(0).array();
  using Array = Eigen::Array<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  Array g_current_next = Array::Zero(n, batch);  // gI_{t+1}
  Array g_membrane = Array::Zero(n, batch);      // gv_t, from step t+1
  Array g_u(n, batch), surrogate(n, batch);
  Matrix running = Matrix::Zero(n, batch);       // W_rec^T gI_{t+1}
  Matrix& g_s = traj.spike_gradient;             // gs_t
  g_s.resize(n, batch);
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> g_beta = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>::Zero(n);
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> g_alpha = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>::Zero(n);
  // The decays' gradients read v_{t-1} and I_{t-1} of every step: skipped
  // when they are not trained (finish_gradient would zero them anyway).
  const bool beta_gradient = config_.trainable("beta"), alpha_gradient = config_.trainable("alpha_syn");
  const Matrix w_out_transposed = weights_.w_out.transpose();
  const Matrix w_rec_transposed = weights_.w_rec.transpose();  // a plain operand multiplies faster

  for (int t = traj.n_steps - 1; t >= 0; --t) {
    const Eigen::Index previous = Eigen::Index(t) * batch, current = previous + batch;
    auto u_then_g_current = traj.potentials.middleCols(previous, batch);  // u_t in, gI_t out
    const auto u = u_then_g_current.array();
    const auto s = traj.spikes.middleCols(current, batch).array();
    detail::product_with_small_inner_size(g_s, w_out_transposed, d_outputs.middleCols(previous, batch));
    g_s += running;
    if (per_unit_term) g_s.colwise() += per_unit;
    if (l2 != 0) g_s.array() += l2 * s;
    surrogate = surrogate_derivative(config_.surrogate, slope, (u - theta).eval());
    if (refractory) surrogate *= Scalar(1) - traj.refractory.middleCols(previous, batch).array();
    const auto gs = g_s.array();
    if (subtract) {
      g_u = detach ? (g_membrane + surrogate * gs).eval() : (g_membrane + surrogate * (gs - theta * g_membrane)).eval();
    } else {
      g_u = detach ? (g_membrane * (Scalar(1) - s) + surrogate * gs).eval()
                   : (g_membrane * (Scalar(1) - s) + surrogate * (gs - u * g_membrane)).eval();
    }
    const auto v_previous = traj.membranes.middleCols(previous, batch).array();
    if (refractory) {
      const auto q = traj.refractory.middleCols(previous, batch).array();
      const Array integrating = (Scalar(1) - q) * g_u;
      if (beta_gradient) g_beta += (integrating * v_previous).rowwise().sum().matrix();
      g_membrane = integrating.colwise() * beta + q * g_u;
      u_then_g_current.array() = integrating + g_current_next.colwise() * alpha;
    } else {
      if (beta_gradient) g_beta += (g_u * v_previous).rowwise().sum().matrix();
      g_membrane = g_u.colwise() * beta;
      u_then_g_current.array() = g_u + g_current_next.colwise() * alpha;
    }
    if (alpha_gradient) {
      g_alpha +=
          (u_then_g_current.array() * traj.currents.middleCols(previous, batch).array()).rowwise().sum().matrix();
    }
    g_current_next = u_then_g_current.array();
    if (t > 0) detail::multiply(running, w_rec_transposed, u_then_g_current, detail::Accumulate::kAssign);
  }

  const Matrix& g_currents = traj.potentials;
  detail::multiply_by_spikes_transposed(g.w_rec, g_currents, traj.spikes.leftCols(columns),
                                        detail::Accumulate::kAssign, events, 0,
                                        traj.events_by_unit);  // Σ_t gI_t s_{t-1}^T
  detail::multiply_by_transpose(g.w_in, g_currents, traj.inputs, detail::Accumulate::kAssign);  // Σ_t gI_t X_t^T
  g.b_rec = g_currents.rowwise().sum();
  g.beta = g_beta;
  g.alpha_syn = g_alpha;
}

template <typename Scalar>
void LifRnn<Scalar>::finish_gradient(const Regularization& reg, Tensors& g) const {
  detail::finish_gradient(g, weights_, reg, constraints_, config_);
}

template <typename Scalar>
LossTerms LifRnn<Scalar>::loss_and_gradient(const Matrix& inputs, const Matrix& targets, const Matrix& mask,
                                            const Regularization& reg, Trajectory& traj, Tensors& g) const {
  BatchTotals totals;
  const LossTerms result = detail::whole_batch_loss(*this, targets, mask, reg, traj, totals);
  part_gradient(inputs, targets, mask, reg, totals, traj, g);
  finish_gradient(reg, g);
  return result;
}

template <typename Scalar>
void LifRnn<Scalar>::apply_constraints() {
  constraints_.apply(weights_.w_in, weights_.w_rec, weights_.w_out);
  weights_.beta = weights_.beta.cwiseMax(Scalar(0)).cwiseMin(Scalar(1));
  weights_.alpha_syn = weights_.alpha_syn.cwiseMax(Scalar(0)).cwiseMin(Scalar(1));
}

template <typename Scalar>
std::string LifRnn<Scalar>::constraint_violation() const {
  if (auto message = constraints_.violation(weights_.w_in, weights_.w_rec, weights_.w_out); !message.empty()) {
    return message;
  }
  const auto check_decay = [&](const char* name, const Matrix& decay, double configured,
                               bool trained) -> std::string {
    for (Eigen::Index i = 0; i < decay.rows(); ++i) {
      const Scalar d = decay(i, 0);
      if (!(d >= Scalar(0) && d <= Scalar(1))) {
        return fmt::format("tensor '{}' is {} at [{}], outside [0, 1]", name, d, i);
      }
      if (!trained && d != static_cast<Scalar>(configured)) {
        return fmt::format("tensor '{}' is {} at [{}], but its time constant is not trained, so it must be the "
                           "configured decay {}",
                           name, d, i, static_cast<Scalar>(configured));
      }
    }
    return "";
  };
  if (auto message = check_decay("beta", weights_.beta, config_.beta(), config_.train_tau); !message.empty()) {
    return message;
  }
  return check_decay("alpha_syn", weights_.alpha_syn, config_.alpha_syn(), config_.train_tau && config_.tau_syn_ms > 0);
}

template <typename Scalar>
SpikeActivity LifRnn<Scalar>::activity(const Trajectory& traj) const {
  const Eigen::Index columns = Eigen::Index(traj.n_steps) * traj.batch_size;
  const auto spikes = traj.spikes.rightCols(columns).template cast<double>();
  const Eigen::VectorXd spikes_per_unit = spikes.rowwise().sum();
  const Connectivity& k = constraints_.connectivity();
  // Fan-out of unit j: the synapses present in column j of W_rec and W_out.
  const Eigen::VectorXd fan_out = (k.mask_rec.colwise().sum() + k.mask_out.colwise().sum()).transpose().cast<double>();
  double events = spikes_per_unit.dot(fan_out);
  SpikeActivity a;
  if (config_.encoding != InputEncoding::kCurrent) {
    const Eigen::VectorXd input_events = traj.inputs.rowwise().sum().template cast<double>();
    events += input_events.dot(k.mask_in.colwise().sum().transpose().cast<double>());
  } else {
    a.input_macs_per_step = static_cast<double>(k.mask_in.sum());
  }
  const double steps = static_cast<double>(columns);
  a.spikes_per_step = spikes_per_unit.sum() / steps;
  a.mean_rate = a.spikes_per_step / config_.n_rec;
  a.mean_rate_hz = a.mean_rate / (config_.dt_ms * 1e-3);
  a.synops_per_step = events / steps;
  return a;
}

Eigen::MatrixXf sample_noise(const LifRnnConfig& config, int columns, Rng& rng) {
  if (config.encoding != InputEncoding::kPoisson) return {};
  Eigen::MatrixXf uniforms(config.n_in_encoded(), columns);
  for (Eigen::Index k = 0; k < uniforms.size(); ++k) uniforms.data()[k] = static_cast<float>(rng.uniform());
  return uniforms;
}

template struct LifRnnTensors<float>;
template struct LifRnnTensors<double>;
template class LifRnn<float>;
template class LifRnn<double>;

}  // namespace nf::models
