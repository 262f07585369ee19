#include "neurofab/models/elise/parameters.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "neurofab/common/error.hpp"

namespace nf::models {
namespace {

// "soma-only" and "all-to-all" read as "soma_only" and "all_to_all".
std::string underscored(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

[[noreturn]] void field_error(const std::string& field, const std::string& message) {
  throw InputError(fmt::format("elise.{}: {}", field, message));
}

void require_positive(double value, const char* field) {
  if (!(value > 0.0) || !std::isfinite(value)) field_error(field, fmt::format("must be > 0, is {}", value));
}

void require_finite(double value, const char* field) {
  if (!std::isfinite(value)) field_error(field, fmt::format("must be finite, is {}", value));
}

void require_probability(double value, const char* field) {
  if (!(value >= 0.0 && value <= 1.0)) field_error(field, fmt::format("must be in [0, 1], is {}", value));
}

}  // namespace

std::string to_string(EliseVariant variant) {
  switch (variant) {
    case EliseVariant::elise: return "elise";
    case EliseVariant::soma_only: return "soma_only";
    case EliseVariant::reservoir: return "reservoir";
  }
  return "?";
}

std::string to_string(EliseConnectivity connectivity) {
  switch (connectivity) {
    case EliseConnectivity::all_to_all: return "all_to_all";
    case EliseConnectivity::limited: return "limited";
    case EliseConnectivity::sparse: return "sparse";
  }
  return "?";
}

EliseVariant elise_variant_from_string(const std::string& name) {
  const std::string n = underscored(name);
  for (auto v : {EliseVariant::elise, EliseVariant::soma_only, EliseVariant::reservoir}) {
    if (n == to_string(v)) return v;
  }
  throw InputError(fmt::format("unknown ELiSe variant '{}' (expected elise, soma_only or reservoir)", name));
}

EliseConnectivity elise_connectivity_from_string(const std::string& name) {
  const std::string n = underscored(name);
  for (auto c : {EliseConnectivity::all_to_all, EliseConnectivity::limited, EliseConnectivity::sparse}) {
    if (n == to_string(c)) return c;
  }
  throw InputError(fmt::format("unknown ELiSe connectivity '{}' (expected all_to_all, limited or sparse)", name));
}

double EliseParameters::phi(double u_mv) const {
  return 1.0 / (1.0 + std::exp(phi_slope_per_mv * (phi_midpoint_mv - u_mv)));
}

double EliseParameters::phi_inverse(double rate) const {
  if (rate <= 0.0) return -std::numeric_limits<double>::infinity();
  if (rate >= 1.0) return std::numeric_limits<double>::infinity();
  return phi_midpoint_mv + std::log(rate / (1.0 - rate)) / phi_slope_per_mv;
}

void EliseParameters::validate() const {
  require_finite(e_l_mv, "e_l_mv");
  require_finite(e_exc_mv, "e_exc_mv");
  require_finite(e_inh_mv, "e_inh_mv");
  if (!(e_inh_mv < e_exc_mv)) field_error("e_inh_mv", fmt::format("must be below e_exc_mv ({}), is {}", e_exc_mv, e_inh_mv));
  require_positive(g_l, "g_l");
  require_positive(g_den, "g_den");
  require_positive(phi_slope_per_mv, "phi_slope_per_mv");
  require_finite(phi_midpoint_mv, "phi_midpoint_mv");
  if (!(scaffold_g_exc >= 0.0) || !std::isfinite(scaffold_g_exc)) field_error("scaffold_g_exc", "must be >= 0");
  if (!(scaffold_g_inh >= 0.0) || !std::isfinite(scaffold_g_inh)) field_error("scaffold_g_inh", "must be >= 0");
  require_positive(dt_ms, "dt_ms");
  if (!(inhibitory_delay_ms >= 0.0) || !std::isfinite(inhibitory_delay_ms)) field_error("inhibitory_delay_ms", "must be >= 0");
  if (!(delay_min_ms >= 0.0) || !std::isfinite(delay_min_ms)) field_error("delay_min_ms", "must be >= 0");
  if (!(delay_max_ms >= delay_min_ms) || !std::isfinite(delay_max_ms)) {
    field_error("delay_max_ms", fmt::format("must be >= delay_min_ms ({}), is {}", delay_min_ms, delay_max_ms));
  }
  // A delay of 0 steps would read a rate not yet computed in an explicit step.
  if (std::lround(delay_min_ms / dt_ms) < 1) {
    field_error("delay_min_ms", fmt::format("must be at least one step (dt_ms = {}), is {}", dt_ms, delay_min_ms));
  }
  if (delay_max_ms / dt_ms + inhibitory_delay_ms / dt_ms > 1e7) {
    field_error("delay_max_ms", "delays of more than 10^7 steps are not supported");
  }
  if (!(teacher_lambda >= 0.0 && teacher_lambda < 1.0)) {
    field_error("teacher_lambda", fmt::format("must be in [0, 1), is {}", teacher_lambda));
  }
  if (!(eta_visible_to_visible >= 0.0) || !std::isfinite(eta_visible_to_visible)) field_error("eta_visible_to_visible", "must be >= 0");
  if (!(eta_other >= 0.0) || !std::isfinite(eta_other)) field_error("eta_other", "must be >= 0");
  if (!(dendritic_init_sd >= 0.0) || !std::isfinite(dendritic_init_sd)) field_error("dendritic_init_sd", "must be >= 0");
  require_probability(scaffold_p0, "scaffold_p0");
  // p = 1 would draw outputs forever.
  if (!(scaffold_p >= 0.0 && scaffold_p < 1.0)) field_error("scaffold_p", fmt::format("must be in [0, 1), is {}", scaffold_p));
  require_probability(scaffold_q, "scaffold_q");
  if (scaffold_max_inputs < 0) field_error("scaffold_max_inputs", fmt::format("must be >= 0, is {}", scaffold_max_inputs));
}

EliseDerived derive(const EliseParameters& p) {
  EliseDerived d;
  d.rate_at_rest = p.phi(p.e_l_mv);
  d.teacher_conductance = p.teacher_lambda * (p.g_l + p.g_den) / (1.0 - p.teacher_lambda);
  d.v_star_dendrite_weight = p.g_den / (p.g_l + p.g_den);
  d.rbar_input_gain = p.g_l * p.g_den / (p.g_l + p.g_den);
  d.delay_min_steps = static_cast<int>(std::lround(p.delay_min_ms / p.dt_ms));
  d.delay_max_steps = static_cast<int>(std::lround(p.delay_max_ms / p.dt_ms));
  d.inhibitory_delay_steps = static_cast<int>(std::lround(p.inhibitory_delay_ms / p.dt_ms));
  return d;
}

void EliseConfig::validate() const {
  if (n_visible < 1) field_error("n_visible", fmt::format("must be >= 1, is {}", n_visible));
  if (n_latent < 0) field_error("n_latent", fmt::format("must be >= 0, is {}", n_latent));
  if (n_visible > 100000 || n_latent > 100000) field_error("n_latent", "networks above 10^5 neurons are not supported");
  params.validate();
  if (connectivity == EliseConnectivity::limited) {
    // No self-connections: at most n - 1 presynaptic neurons.
    if (limited_in_degree < 0 || limited_in_degree > n_total() - 1) {
      field_error("limited_in_degree",
                  fmt::format("must be in [0, {}] (n - 1), is {}", n_total() - 1, limited_in_degree));
    }
  }
  if (connectivity == EliseConnectivity::sparse) require_probability(sparse_density, "sparse_density");
}

}  // namespace nf::models
