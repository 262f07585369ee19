// GCC 12 reports -Wmaybe-uninitialized inside Eigen's AVX-512 packet exp
// (phi over a vector, with -march=native): false positives in a system header,
// silenced for this file only, as analysis/src/degeneracy.cpp does.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "neurofab/models/elise/network.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "neurofab/common/error.hpp"

namespace nf::models {
namespace {

// Independent random streams per ingredient (Rng::derive(seed, {stream})).
constexpr std::uint64_t kScaffoldStream = 1;
constexpr std::uint64_t kDelayStream = 2;
constexpr std::uint64_t kConnectivityStream = 3;
constexpr std::uint64_t kWeightStream = 4;

std::vector<int> draw_delays(int n, const EliseDerived& d, Rng& rng) {
  std::vector<int> delays(static_cast<std::size_t>(n));
  const auto span = static_cast<std::uint64_t>(d.delay_max_steps - d.delay_min_steps + 1);
  for (int& delay : delays) delay = d.delay_min_steps + static_cast<int>(rng.below(span));
  return delays;
}

// Which synapses exist before the variant removes any: 1 = exists; never i == i.
Eigen::MatrixXd draw_connections(const EliseConfig& c, Rng& rng) {
  const int n = c.n_total();
  Eigen::MatrixXd mask = Eigen::MatrixXd::Zero(n, n);
  switch (c.connectivity) {
    case EliseConnectivity::all_to_all:
      mask.setOnes();
      break;
    case EliseConnectivity::sparse:
      for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) mask(i, j) = rng.bernoulli(c.sparse_density) ? 1.0 : 0.0;
      }
      break;
    case EliseConnectivity::limited: {
      std::vector<int> candidates(static_cast<std::size_t>(n - 1));
      for (int i = 0; i < n; ++i) {
        // The others, then a partial Fisher–Yates shuffle picks k of them.
        for (int j = 0, k = 0; j < n; ++j) {
          if (j != i) candidates[static_cast<std::size_t>(k++)] = j;
        }
        for (int k = 0; k < c.limited_in_degree; ++k) {
          const auto pick = static_cast<std::size_t>(k) + rng.below(static_cast<std::uint64_t>(n - 1 - k));
          std::swap(candidates[static_cast<std::size_t>(k)], candidates[pick]);
          mask(i, candidates[static_cast<std::size_t>(k)]) = 1.0;
        }
      }
      break;
    }
  }
  mask.diagonal().setZero();
  return mask;
}

// soma_only: latent dendrites receive nothing.
void apply_variant_to_connections(const EliseConfig& c, Eigen::MatrixXd& mask) {
  if (c.variant == EliseVariant::soma_only) mask.bottomRows(c.n_latent).setZero();
}

Eigen::MatrixXd draw_weights(const EliseConfig& c, const Eigen::MatrixXd& mask, Rng& rng) {
  const int n = c.n_total();
  Eigen::MatrixXd w(n, n);
  // Every entry is drawn, in row-major order, whether the synapse exists or not:
  // the weight of a synapse then does not depend on the connectivity.
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) w(i, j) = rng.normal(0.0, c.params.dendritic_init_sd);
  }
  return w.cwiseProduct(mask);
}

bool is_zero_one(const Eigen::MatrixXd& m) {
  return ((m.array() == 0.0) || (m.array() == 1.0)).all();
}

}  // namespace

EliseNetwork::EliseNetwork(const EliseConfig& config, std::uint64_t seed) : config_(config) {
  config_.validate();
  derived_ = derive(config_.params);
  Rng scaffold_rng = Rng::derive(seed, {kScaffoldStream});
  scaffold_ = build_scaffold(config_.n_visible, config_.n_latent, config_.params, scaffold_rng);
  Rng delay_rng = Rng::derive(seed, {kDelayStream});
  delay_steps_ = draw_delays(n_total(), derived_, delay_rng);
  Rng connectivity_rng = Rng::derive(seed, {kConnectivityStream});
  connection_mask_ = draw_connections(config_, connectivity_rng);
  apply_variant_to_connections(config_, connection_mask_);
  Rng weight_rng = Rng::derive(seed, {kWeightStream});
  weights_ = draw_weights(config_, connection_mask_, weight_rng);
  build_derived_tables();
  reset_state();
}

EliseNetwork::EliseNetwork(const EliseConfig& config, EliseScaffold scaffold, std::vector<int> delay_steps,
                           Eigen::MatrixXd connection_mask, Eigen::MatrixXd weights, EliseState state,
                           const std::string& where)
    : config_(config),
      scaffold_(std::move(scaffold)),
      delay_steps_(std::move(delay_steps)),
      connection_mask_(std::move(connection_mask)),
      weights_(std::move(weights)) {
  const auto fail = [&](const std::string& message) { throw InputError(fmt::format("{}: {}", where, message)); };
  try {
    config_.validate();
  } catch (const InputError& e) {
    fail(e.what());
  }
  derived_ = derive(config_.params);
  const int n = n_total();
  if (scaffold_.n_visible != config_.n_visible || scaffold_.n_latent != config_.n_latent) {
    fail(fmt::format("scaffold is for {} + {} neurons, the config says {} + {}", scaffold_.n_visible,
                     scaffold_.n_latent, config_.n_visible, config_.n_latent));
  }
  scaffold_.validate(config_.params.scaffold_max_inputs, where);
  if (scaffold_.outputs_drawn.size() != static_cast<std::size_t>(n)) scaffold_.outputs_drawn.assign(static_cast<std::size_t>(n), -1);
  if (static_cast<int>(delay_steps_.size()) != n) fail(fmt::format("{} delays for {} neurons", delay_steps_.size(), n));
  for (int j = 0; j < n; ++j) {
    const int d = delay_steps_[static_cast<std::size_t>(j)];
    if (d < derived_.delay_min_steps || d > derived_.delay_max_steps) {
      fail(fmt::format("delay of neuron {} is {} steps, outside [{}, {}]", j, d, derived_.delay_min_steps,
                       derived_.delay_max_steps));
    }
  }
  if (connection_mask_.rows() != n || connection_mask_.cols() != n) fail("connection mask is not n x n");
  if (!is_zero_one(connection_mask_)) fail("connection mask has values other than 0 and 1");
  if (connection_mask_.diagonal().any()) fail("connection mask has a self-connection");
  if (config_.variant == EliseVariant::soma_only && connection_mask_.bottomRows(config_.n_latent).any()) {
    fail("variant soma_only, but latent neurons have dendritic synapses");
  }
  if (weights_.rows() != n || weights_.cols() != n) fail("dendritic weights are not n x n");
  if (!weights_.allFinite()) fail("dendritic weights are not all finite");
  if ((weights_.array() != 0.0 && connection_mask_.array() == 0.0).any()) {
    fail("a dendritic weight is non-zero where the mask has no synapse");
  }
  const int h = derived_.history_length();
  const auto vector_ok = [n](const Eigen::VectorXd& x) { return x.size() == n && x.allFinite(); };
  if (!vector_ok(state.u) || !vector_ok(state.v) || !vector_ok(state.rbar) || !vector_ok(state.g_exc) ||
      !vector_ok(state.g_inh)) {
    fail(fmt::format("state vectors must have {} finite entries", n));
  }
  if (state.rate_history.rows() != n || state.rate_history.cols() != h || !state.rate_history.allFinite()) {
    fail(fmt::format("rate history must be {} x {} and finite", n, h));
  }
  if (state.step < 0) fail("state step is negative");
  build_derived_tables();
  state_ = std::move(state);
}

void EliseNetwork::build_derived_tables() {
  const int n = n_total();
  const int nv = config_.n_visible;
  plastic_mask_ = connection_mask_;
  if (config_.variant == EliseVariant::reservoir) plastic_mask_.bottomRows(config_.n_latent).setZero();
  learning_rates_ = plastic_mask_ * config_.params.eta_other;
  learning_rates_.topLeftCorner(nv, nv) = plastic_mask_.topLeftCorner(nv, nv) * config_.params.eta_visible_to_visible;

  scaffold_matrix_ = Eigen::MatrixXd::Zero(config_.n_latent, n);
  for (int l = 0; l < config_.n_latent; ++l) {
    for (int parent : scaffold_.parents[static_cast<std::size_t>(l)]) scaffold_matrix_(l, parent) = 1.0;
  }
  delayed_.resize(n);
  delayed_inh_.resize(n);
  error_.resize(n);
  target_column_.resize(config_.n_visible);
  dendritic_input_.resize(n);
  latent_rates_.resize(config_.n_latent, 0);
}

void EliseNetwork::reset_state() {
  const int n = n_total();
  const EliseParameters& p = config_.params;
  state_.u = Eigen::VectorXd::Constant(n, p.e_l_mv);
  state_.v = Eigen::VectorXd::Constant(n, p.e_l_mv);
  // The trace's steady state for presynaptic rates at rest.
  state_.rbar = Eigen::VectorXd::Constant(n, derived_.rbar_input_gain / p.g_l * derived_.rate_at_rest);
  state_.rate_history = Eigen::MatrixXd::Constant(n, derived_.history_length(), derived_.rate_at_rest);
  state_.step = 0;
  state_.g_exc = Eigen::VectorXd::Zero(n);
  state_.g_inh = Eigen::VectorXd::Zero(n);
}

EliseTeacherConductances EliseNetwork::teacher_conductances(double target_rate) const {
  const EliseParameters& p = config_.params;
  if (!(target_rate >= 0.0 && target_rate <= 1.0)) {
    throw InputError(fmt::format("ELiSe target rate {} is outside [0, 1]", target_rate));
  }
  EliseTeacherConductances t;
  t.u_target_mv = std::clamp(p.phi_inverse(target_rate), p.e_inh_mv, p.e_exc_mv);
  const double g_total = derived_.teacher_conductance;
  t.g_exc = g_total * (t.u_target_mv - p.e_inh_mv) / (p.e_exc_mv - p.e_inh_mv);
  t.g_inh = g_total - t.g_exc;
  return t;
}

Eigen::VectorXd EliseNetwork::rates() const {
  const EliseParameters& p = config_.params;
  return (1.0 + (p.phi_slope_per_mv * (p.phi_midpoint_mv - state_.u.array())).exp()).inverse().matrix();
}

void EliseNetwork::step(const Eigen::VectorXd* target_rates, bool plasticity, std::optional<double> clamp_mv) {
  const EliseParameters& p = config_.params;
  const int n = n_total();
  const int nv = config_.n_visible;
  const int nl = config_.n_latent;
  const int h = derived_.history_length();
  const double dt = p.dt_ms;
  EliseState& s = state_;
  if (target_rates != nullptr && target_rates->size() != nv) {
    throw InputError(fmt::format("ELiSe target has {} rates, the network has {} visible neurons", target_rates->size(), nv));
  }

  // Delayed presynaptic rates r_j[n - d_j] and r_j[n - d_j - D_I] from the ring buffer.
  const int now = static_cast<int>(s.step % h);
  for (int j = 0; j < n; ++j) {
    int column = now - delay_steps_[static_cast<std::size_t>(j)];
    if (column < 0) column += h;
    delayed_(j) = s.rate_history(j, column);
    column -= derived_.inhibitory_delay_steps;
    if (column < 0) column += h;
    delayed_inh_(j) = s.rate_history(j, column);
  }

  // Dendritic prediction error phi(u) - phi(v*), from the values before the step.
  const auto phi = [&p](const auto& x) {
    return (1.0 + (p.phi_slope_per_mv * (p.phi_midpoint_mv - x)).exp()).inverse();
  };
  if (plasticity) {
    const double w = derived_.v_star_dendrite_weight;
    error_.array() = phi(s.u.array()) - phi(p.e_l_mv + w * (s.v.array() - p.e_l_mv));
  }

  // Somatic conductances: teacher on visible, scaffold on latent neurons.
  for (int i = 0; i < nv; ++i) {
    if (target_rates != nullptr) {
      const EliseTeacherConductances t = teacher_conductances((*target_rates)(i));
      s.g_exc(i) = t.g_exc;
      s.g_inh(i) = t.g_inh;
    } else {
      s.g_exc(i) = 0.0;
      s.g_inh(i) = 0.0;
    }
  }
  // At most scaffold_max_inputs parents each: a loop over the lists beats a
  // dense product with the (mostly zero) scaffold matrix.
  for (int l = 0; l < nl; ++l) {
    double excitation = 0.0, inhibition = 0.0;
    for (int parent : scaffold_.parents[static_cast<std::size_t>(l)]) {
      excitation += std::max(delayed_(parent), derived_.rate_at_rest);
      inhibition += std::max(delayed_inh_(parent), derived_.rate_at_rest);
    }
    s.g_exc(nv + l) = p.scaffold_g_exc * excitation;
    s.g_inh(nv + l) = p.scaffold_g_inh * inhibition;
  }

  // Soma (uses the dendrite before the step), then dendrite.
  s.u.array() += dt * (-p.g_l * (s.u.array() - p.e_l_mv) + p.g_den * (s.v.array() - s.u.array()) +
                       s.g_exc.array() * (p.e_exc_mv - s.u.array()) + s.g_inh.array() * (p.e_inh_mv - s.u.array()));
  // lazyProduct: Eigen's own kernel; for n ~ 60 a BLAS call costs more than it saves.
  dendritic_input_.noalias() = weights_.lazyProduct(delayed_);
  s.v.array() += dt * (-p.g_l * (s.v.array() - p.e_l_mv) + dendritic_input_.array());

  // Urbanczik–Senn: W_ij += dt eta_ij (phi(u_i) - phi(v*_i)) rbar_j, column by column
  // (an outer product expression would allocate every step).
  if (plasticity) {
    for (int j = 0; j < n; ++j) {
      weights_.col(j) += (dt * s.rbar(j)) * learning_rates_.col(j).cwiseProduct(error_);
    }
  }
  s.rbar.array() += dt * (-p.g_l * s.rbar.array() + derived_.rbar_input_gain * delayed_.array());

  if (clamp_mv) s.u.head(nv).setConstant(*clamp_mv);
  ++s.step;
  s.rate_history.col(static_cast<Eigen::Index>(s.step % h)) = phi(s.u.array()).matrix();
}

Eigen::MatrixXd EliseNetwork::run(int steps, const Eigen::MatrixXd* target, const EliseCycleOptions& options) {
  const int nv = config_.n_visible;
  const int nl = config_.n_latent;
  if (steps < 0) throw InputError(fmt::format("ELiSe: a cycle cannot have {} steps", steps));
  if (target != nullptr) {
    if (target->rows() != nv) {
      throw InputError(fmt::format("ELiSe pattern has {} rows, the network has {} visible neurons", target->rows(), nv));
    }
    if (options.teacher && !(target->array() >= 0.0 && target->array() <= 1.0).all()) {
      throw InputError("ELiSe pattern: target rates must be in [0, 1]");
    }
  }
  if (options.clamp_mv) {
    if (!std::isfinite(*options.clamp_mv)) throw InputError("ELiSe clamp: the clamp potential must be finite");
    if (options.clamp_begin < 0 || options.clamp_end < options.clamp_begin) {
      throw InputError(fmt::format("ELiSe clamp: steps [{}, {}) are not a range inside the cycle", options.clamp_begin,
                                   options.clamp_end));
    }
  }
  const bool teacher = options.teacher && target != nullptr;
  const int h = derived_.history_length();
  Eigen::MatrixXd visible(nv, steps);
  latent_rates_.resize(nl, steps);
  for (int t = 0; t < steps; ++t) {
    if (teacher) target_column_ = target->col(t);
    const bool clamped = options.clamp_mv && t >= options.clamp_begin && t < options.clamp_end;
    step(teacher ? &target_column_ : nullptr, options.plasticity,
         clamped ? options.clamp_mv : std::optional<double>{});
    const auto rates_now = state_.rate_history.col(static_cast<Eigen::Index>(state_.step % h));
    visible.col(t) = rates_now.head(nv);
    latent_rates_.col(t) = rates_now.tail(nl);
  }
  return visible;
}

Eigen::MatrixXd EliseNetwork::run_cycle(const Eigen::MatrixXd& target, const EliseCycleOptions& options) {
  return run(static_cast<int>(target.cols()), &target, options);
}

Eigen::MatrixXd EliseNetwork::run_free(int steps, bool plasticity) {
  EliseCycleOptions options;
  options.teacher = false;
  options.plasticity = plasticity;
  return run(steps, nullptr, options);
}

}  // namespace nf::models
