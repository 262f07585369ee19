#pragma once
// ELiSe (Kriener et al. 2024, "Efficient Learning of Sequences in Structured
// Recurrent Networks"): parameters in user units, the constants derived from
// them, and the network configuration (sizes, variant, connectivity).
// The normative equations are in ../shared/spec/elise.md and network.hpp.
//
// Units: potentials in mV, time in ms, conductances dimensionless (C = 1, so a
// conductance g is a rate in 1/ms), rates r = phi(u) in (0, 1).

#include <cstdint>
#include <string>

namespace nf::models {

// Which dendritic weights learn (see docs/elise.md, "Variants"):
//   elise      every existing dendritic synapse is plastic (the model of the paper);
//   soma_only  the latent neurons have no dendritic input at all: they are driven
//              only by the somatic scaffold, and only the weights onto visible
//              neurons exist and learn (the scaffold without latent dendritic
//              learning; our reading — see docs/elise.md for why);
//   reservoir  latent dendrites keep their random initial weights (fixed
//              recurrent reservoir); only the rows of visible neurons learn.
enum class EliseVariant { elise, soma_only, reservoir };

// Which dendritic synapses exist (no self-connections in any of them):
//   all_to_all every pair i != j;
//   limited    every neuron's dendrite receives from exactly
//              EliseConfig::limited_in_degree presynaptic neurons, drawn
//              uniformly without replacement;
//   sparse     each synapse i != j exists independently with probability
//              EliseConfig::sparse_density (Bernoulli).
enum class EliseConnectivity { all_to_all, limited, sparse };

std::string to_string(EliseVariant variant);
std::string to_string(EliseConnectivity connectivity);
// Accept the names to_string writes ("soma_only", "all_to_all", ...), and the
// same with '-' for '_'. Throw nf::InputError listing the valid names.
EliseVariant elise_variant_from_string(const std::string& name);
EliseConnectivity elise_connectivity_from_string(const std::string& name);

// NEST's "Parameters": user units, defaults of the spec / the original code.
struct EliseParameters {
  // Membranes
  double e_l_mv = -70.0;    // leak reversal E_l
  double e_exc_mv = 0.0;    // excitatory reversal E_exc
  double e_inh_mv = -75.0;  // inhibitory reversal E_inh
  double g_l = 0.1;         // leak conductance of soma and dendrite (1/ms)
  double g_den = 2.0;       // dendro-somatic coupling conductance (1/ms)
  // Transfer function phi(u) = 1 / (1 + exp(phi_slope (phi_midpoint - u)))
  double phi_slope_per_mv = 0.3;
  double phi_midpoint_mv = -58.0;
  // Somatic scaffold: conductance per active parent, excitatory and (through an
  // interneuron, extra delay) inhibitory.
  double scaffold_g_exc = 0.3;
  double scaffold_g_inh = 6.0;
  double inhibitory_delay_ms = 25.0;
  // Per-presynaptic-neuron axonal delay, uniform in [min, max] (rounded to steps).
  double delay_min_ms = 5.0;
  double delay_max_ms = 15.0;
  // Teacher: nudging strength lambda = G_T / (G_T + g_l + g_den) of visible somata.
  double teacher_lambda = 0.6;
  // Plasticity (Urbanczik–Senn), per ms.
  double eta_visible_to_visible = 1e-4;
  double eta_other = 1e-3;
  // Dendritic weights at initialisation ~ N(0, sd^2). The spec writes N(0, 0.5);
  // we read 0.5 as the standard deviation (the usual numpy normal(0, 0.5)).
  double dendritic_init_sd = 0.5;
  // Euler step
  double dt_ms = 0.1;
  // Scaffold recruitment rule (scaffold.hpp)
  double scaffold_p0 = 0.04;    // a teacher has no outputs with this probability
  double scaffold_p = 0.2;      // P(another output | k so far) = p^k
  double scaffold_q = 0.15;     // a target with m scaffold inputs accepts with q^m
  int scaffold_max_inputs = 5;  // never more scaffold inputs per latent neuron

  double phi(double u_mv) const;          // rate of potential u
  double phi_inverse(double rate) const;  // potential of rate; +-inf at 1 and 0

  // Throws nf::InputError naming the field ("elise.g_den: must be > 0").
  void validate() const;
};

// NEST's "Derived": constants computed once from the parameters.
struct EliseDerived {
  double rate_at_rest = 0.0;        // phi(E_l), the floor of scaffold input rates
  double teacher_conductance = 0.0; // G_T = lambda (g_l + g_den) / (1 - lambda)
  double v_star_dendrite_weight = 0.0;  // g_den / (g_l + g_den): v* = E_l + w (v - E_l)
  double rbar_input_gain = 0.0;     // g_l g_den / (g_l + g_den)
  int delay_min_steps = 0;          // round(delay_min_ms / dt)
  int delay_max_steps = 0;          // round(delay_max_ms / dt)
  int inhibitory_delay_steps = 0;   // round(inhibitory_delay_ms / dt)
  // Columns of the rate history ring buffer: the longest delay + 1.
  int history_length() const { return delay_max_steps + inhibitory_delay_steps + 1; }
};
EliseDerived derive(const EliseParameters& params);

// The whole configuration of one network.
struct EliseConfig {
  int n_visible = 13;
  int n_latent = 50;
  EliseParameters params;
  EliseVariant variant = EliseVariant::elise;
  EliseConnectivity connectivity = EliseConnectivity::all_to_all;
  // Connectivity parameters (each used only by its connectivity kind). The
  // defaults give the same mean in-degree (~10) so that limited and sparse
  // differ only in how the in-degree is distributed.
  int limited_in_degree = 10;    // limited: presynaptic neurons per dendrite
  double sparse_density = 0.16;  // sparse: probability of each synapse i != j

  int n_total() const { return n_visible + n_latent; }
  // Throws nf::InputError naming the field for impossible values (including
  // those of params).
  void validate() const;
};

}  // namespace nf::models
