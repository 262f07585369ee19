#pragma once
// The ELiSe network: rate-based two-compartment neurons (dendrite v, soma u),
// a fixed somatic scaffold onto the latent neurons, a teacher that nudges the
// visible neurons, per-presynaptic-neuron delays and Urbanczik–Senn dendritic
// prediction plasticity that is always on. Spec: ../shared/spec/elise.md.
//
// Neurons 0..n_visible-1 are visible, n_visible..n-1 latent (n = n_visible +
// n_latent). Parameters, derived constants: parameters.hpp. Scaffold: scaffold.hpp.
//
// ---------------------------------------------------------------- equations
// Time is counted in steps of dt; r[s] = phi(u after s steps) is the rate of
// step s (r[s] = phi(E_l) for s <= 0 after reset_state()). Delays d_j (steps,
// per presynaptic neuron j, drawn uniformly in [round(5/dt), round(15/dt)]),
// D_I = round(25/dt) the extra delay of the scaffold's inhibition.
// Step n -> n+1 (explicit Euler: every right-hand side uses the values after
// step n):
//
//   x_j     = r_j[n - d_j]                       delayed presynaptic rate
//   x^I_j   = r_j[n - d_j - D_I]                 delayed through the interneuron
//   v_i    += dt ( -g_l (v_i - E_l) + sum_j W_ij x_j )
//   g_E,i   = g_E^s sum_{k in parents(i)} max(x_k,   phi(E_l))      latent i
//   g_I,i   = g_I^s sum_{k in parents(i)} max(x^I_k, phi(E_l))      latent i
//   g_E,i   = G_T (u_tgt,i - E_inh)/(E_exc - E_inh),  g_I,i = G_T - g_E,i
//                                               visible i, teacher on
//             with u_tgt,i = phi^-1(target_i[n]) clipped into [E_inh, E_exc]
//             and G_T = lambda (g_l + g_den)/(1 - lambda);  0 when teacher off
//   u_i    += dt ( -g_l (u_i - E_l) + g_den (v_i - u_i)
//                  + g_E,i (E_exc - u_i) + g_I,i (E_inh - u_i) )
//   v*_i    = (g_l E_l + g_den v_i)/(g_l + g_den)         (old v_i)
//   W_ij   += dt eta_ij (phi(u_i) - phi(v*_i)) rbar_j     (old u_i, rbar_j;
//                                                         plastic synapses only)
//   rbar_j += dt ( -g_l rbar_j + g_l g_den/(g_l + g_den) x_j )
//   clamp:  u_i = clamp_mv for visible i, if the step is clamped
//   r[n+1]  = phi(u)
//
// eta_ij = eta_visible_to_visible when i and j are both visible, else
// eta_other; 0 where the synapse does not exist or is not plastic (variant).
// Closed forms the tests check: with constant input I the dendrite settles at
// v = E_l + I/g_l; with v fixed and no teacher the soma settles at v*; with the
// teacher at u* = (1 - lambda) v* + lambda u_tgt, lambda = (g_E + g_I)/(g_E +
// g_I + g_l + g_den); rbar settles at g_den/(g_l + g_den) x.
//
// A "cycle" is one pass over the target pattern: target.cols() steps. State
// (potentials, traces, histories, the step counter) carries over from cycle to
// cycle; nothing is reset between cycles.
//
// Randomness: the scaffold, the delays, the connectivity mask and the initial
// weights are drawn from independent streams Rng::derive(seed, {kind}), so
// e.g. changing the connectivity does not change the scaffold. Simulation
// itself is deterministic.

#include <cstdint>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "neurofab/models/elise/parameters.hpp"
#include "neurofab/models/elise/scaffold.hpp"

namespace nf::models {

// NEST's "State": everything that evolves, and all that is needed to continue
// a simulation exactly (the artifact saves all of it).
struct EliseState {
  Eigen::VectorXd u;     // somatic potentials (mV), n
  Eigen::VectorXd v;     // dendritic potentials (mV), n
  Eigen::VectorXd rbar;  // filtered delayed presynaptic rates, n
  // Ring buffer of rates: column s mod history_length() holds r[s].
  Eigen::MatrixXd rate_history;  // n x history_length()
  std::int64_t step = 0;         // steps since reset_state()
  // Somatic conductances of the last step (scaffold on latent, teacher on
  // visible neurons); kept for inspection and tests, recomputed every step.
  Eigen::VectorXd g_exc;  // n
  Eigen::VectorXd g_inh;  // n
};

struct EliseCycleOptions {
  bool teacher = true;     // nudge the visible somata toward the target
  bool plasticity = true;  // false only for evaluation replays
  // Clamp visible somata to clamp_mv in the steps clamp_begin <= t < clamp_end
  // of this cycle (t counted from 0 at the start of the cycle).
  std::optional<double> clamp_mv;
  int clamp_begin = 0;
  int clamp_end = 0;
};

// Visible neurons' teacher conductances for one target rate.
struct EliseTeacherConductances {
  double u_target_mv = 0.0;  // phi^-1(rate) clipped into [E_inh, E_exc]
  double g_exc = 0.0;
  double g_inh = 0.0;
};

class EliseNetwork {
 public:
  // Draws scaffold, delays, connectivity and weights from `seed`; state reset.
  EliseNetwork(const EliseConfig& config, std::uint64_t seed);

  // Restores a network from its parts (used by load_elise_artifact). Throws
  // nf::InputError (prefixed with `where`) on inconsistent shapes or values.
  // The plastic mask and learning rates are recomputed from config and mask.
  EliseNetwork(const EliseConfig& config, EliseScaffold scaffold, std::vector<int> delay_steps,
               Eigen::MatrixXd connection_mask, Eigen::MatrixXd weights, EliseState state,
               const std::string& where);

  const EliseConfig& config() const { return config_; }
  const EliseParameters& params() const { return config_.params; }
  const EliseDerived& derived() const { return derived_; }
  const EliseScaffold& scaffold() const { return scaffold_; }
  int n_visible() const { return config_.n_visible; }
  int n_latent() const { return config_.n_latent; }
  int n_total() const { return config_.n_total(); }

  // Dendritic weights W(post, pre), n x n; zero where no synapse exists.
  const Eigen::MatrixXd& weights() const { return weights_; }
  Eigen::MatrixXd& weights() { return weights_; }  // for tests and analyses
  // 1 where a dendritic synapse exists (connectivity, variant), else 0.
  const Eigen::MatrixXd& connection_mask() const { return connection_mask_; }
  // 1 where the synapse exists and learns (variant), else 0.
  const Eigen::MatrixXd& plastic_mask() const { return plastic_mask_; }
  // eta_ij (per ms) of each synapse, 0 where not plastic.
  const Eigen::MatrixXd& learning_rates() const { return learning_rates_; }
  // Delay of each presynaptic neuron, in steps.
  const std::vector<int>& delay_steps() const { return delay_steps_; }
  // 0/1 scaffold matrix S(latent, presynaptic global index), n_latent x n.
  const Eigen::MatrixXd& scaffold_matrix() const { return scaffold_matrix_; }

  const EliseState& state() const { return state_; }
  EliseState& state() { return state_; }  // for tests: set potentials, traces, histories
  // u = v = E_l, rbar at its steady state for rates phi(E_l), history phi(E_l), step 0.
  void reset_state();

  // One Euler step (equations above). `target_rates` (n_visible) switches the
  // teacher on; nullptr = teacher off. A clamp value fixes the visible somata.
  void step(const Eigen::VectorXd* target_rates, bool plasticity, std::optional<double> clamp_mv = std::nullopt);

  // Runs target.cols() steps (one cycle; target(i, t) = target rate of visible
  // neuron i at step t, in [0, 1]; with options.teacher false only its size is
  // used). Returns the visible rates phi(u) after each step, n_visible x steps.
  Eigen::MatrixXd run_cycle(const Eigen::MatrixXd& target, const EliseCycleOptions& options);
  // Teacher off: `steps` steps of free run.
  Eigen::MatrixXd run_free(int steps, bool plasticity = false);

  // Latent rates after each step of the last run_cycle/run_free, n_latent x steps.
  const Eigen::MatrixXd& latent_rates_of_last_cycle() const { return latent_rates_; }

  // All rates phi(u) now, n.
  Eigen::VectorXd rates() const;
  // Teacher conductances for a target rate (checks rate in [0, 1]).
  EliseTeacherConductances teacher_conductances(double target_rate) const;

 private:
  void build_derived_tables();
  Eigen::MatrixXd run(int steps, const Eigen::MatrixXd* target, const EliseCycleOptions& options);

  EliseConfig config_;
  EliseDerived derived_;
  EliseScaffold scaffold_;
  std::vector<int> delay_steps_;
  Eigen::MatrixXd connection_mask_;
  Eigen::MatrixXd plastic_mask_;
  Eigen::MatrixXd learning_rates_;
  Eigen::MatrixXd scaffold_matrix_;
  Eigen::MatrixXd weights_;
  EliseState state_;
  Eigen::MatrixXd latent_rates_;
  // Workspace reused by step() so the inner loop does not allocate.
  Eigen::VectorXd delayed_, delayed_inh_, error_, target_column_, dendritic_input_;
};

}  // namespace nf::models
