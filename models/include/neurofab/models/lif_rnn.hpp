#pragma once
// Recurrent leaky integrate-and-fire network (current-based synapses, CUBA),
// discrete time — the float reference for spiking networks.
//
// Update equations, one step t = 1..T of length dt, per unit i (⊙ element-wise):
//
//   X_t = encode(x_t)                          direct current, or spikes (spike_encoding.hpp)
//   I_t = α_s ⊙ I_{t-1} + W_in X_t + W_rec s_{t-1} + b          synaptic current, α_s = exp(-dt/τ_syn)
//   u_t = β ⊙ v_{t-1} + I_t                                      membrane before the spike, β = exp(-dt/τ_mem)
//   s_t = H(u_t - θ)                                             spike, H(z) = 1 for z ≥ 0, else 0
//   v_t = u_t - θ s_t          (reset by subtraction)            membrane after the reset
//   v_t = u_t (1 - s_t)        (reset to zero)
//   y_t = κ y_{t-1} + W_out s_t + b_out                          leaky-integrator readout, κ = exp(-dt/τ_out)
//
// with I_0 = v_0 = s_0 = y_0 = 0. τ_syn = 0 gives α_s = 0, the current-free
// neuron (I_t is the step's input alone); τ_out = 0 gives κ = 0 (y_t = W_out s_t + b_out).
//
// Refractory period of R steps (R = refractory_steps): after a spike at t the
// unit is refractory at t+1..t+R; a refractory unit neither integrates nor
// spikes (u_t = v_{t-1}, s_t = 0), while its current I_t evolves as usual.
// With q_t ∈ {0,1} the refractory flag: u_t = (1-q_t)(β v_{t-1} + I_t) + q_t v_{t-1}.
//
// Surrogate gradient (training only): BPTT replaces dH/dz by σ'(z), z = u - θ,
// each normalised to a peak of 1 at the threshold, slope k:
//   fast sigmoid (SuperSpike, Zenke & Ganguli 2018)  σ'(z) = 1 / (1 + k|z|)²
//   atan (Fang et al. 2021)                          σ'(z) = 1 / (1 + (π k z / 2)²)
//   triangle (Esser et al. 2016; Bellec et al. 2018) σ'(z) = max(0, 1 - k|z|)
// `detach_reset` treats s_t as a constant in the reset term (no gradient
// through the reset path). The smooth test mode (`smooth_forward`) replaces H
// in the forward pass by S(z) = 1/2 + ∫_0^z σ', whose exact derivative is the
// surrogate, so BPTT can be checked against finite differences.
//
// BPTT (exact for the smooth forward pass; for H it is the surrogate gradient).
// Totals: gy_t = ∂L/∂y_t, gs_t = ∂L/∂s_t, gv_t = ∂L/∂v_t, gu_t = ∂L/∂u_t, gI_t = ∂L/∂I_t.
//   gy_t = ∂L/∂y_t|direct + κ gy_{t+1}
//   gs_t = W_out^T gy_t + W_rec^T gI_{t+1} + ∂L/∂s_t|penalties
//   gv_t = gu_{t+1} ⊙ ((1-q_{t+1}) β + q_{t+1})
//   subtract: gu_t = gv_t + (1-q_t) σ'(u_t-θ) ⊙ (gs_t - θ gv_t)
//   zero:     gu_t = gv_t ⊙ (1-s_t) + (1-q_t) σ'(u_t-θ) ⊙ (gs_t - u_t ⊙ gv_t)
//             (with detach_reset the "- θ gv_t" and "- u_t ⊙ gv_t" terms are dropped)
//   gI_t = (1-q_t) gu_t + α_s ⊙ gI_{t+1}
//   ∂L/∂W_rec = Σ_t gI_t s_{t-1}^T,  ∂L/∂W_in = Σ_t gI_t X_t^T,  ∂L/∂b = Σ_t gI_t,
//   ∂L/∂W_out = Σ_t gy_t s_t^T,       ∂L/∂b_out = Σ_t gy_t,
//   ∂L/∂β = Σ_t (1-q_t) gu_t ⊙ v_{t-1},   ∂L/∂α_s = Σ_t gI_t ⊙ I_{t-1}.
// Sums over t are matrix products over all T·B columns (one column per step
// and trial, as in the rate RNN); only the recurrence runs step by step.
//
// Trainable time constants: with train_tau the per-unit decays β and α_s are
// trained directly and clipped to [0, 1] (snnTorch's learn_beta/learn_alpha);
// τ = -dt / ln(decay). The quantizer turns exactly these decays into fixed point.
//
// Mapping to other tools (per unit, one step = dt; docs/lif-rnn.md, docs/interop.md):
//   NIR (interop/, export-nir and import-nir): W_in, b and W_out, b_out are
//     Affine nodes, W_rec a Linear; the unit is CubaLIF(tau_syn = dt/(1-α_s),
//     tau_mem = dt/(1-β), w_in = 1/(1-α_s), r = 1/(1-β), v_leak = 0,
//     v_threshold = θ, v_reset = 0), LIF(tau, r, ...) when α_s = 0; the readout
//     LI(tau = dt/(1-κ), r = 1/(1-κ), v_leak = 0). NIR states τ dv/dt = (v_leak - v)
//     + r I; its forward Euler step (NIR's reference simulator, snnTorch) is
//     v_t = (1 - dt/τ) v_{t-1} + (dt/τ) r I_t = β v_{t-1} + I_t. The reset by
//     subtraction, the refractory period and dt have no NIR field: they are
//     in the graph's "neurofab" metadata.
//   snnTorch 1.0.0: RSynaptic(alpha = α_s, beta = β, reset_mechanism = "none",
//     all_to_all = True, linear_features = N) with its recurrent Linear = W_rec
//     and a zero bias, driven by Linear(W_in, b); the spike H(u - θ) with H(0) = 1
//     and the reset (and refractory period) applied by hand to the potential it
//     returns; the readout Leaky(beta = κ, reset_mechanism = "none") on
//     Linear(W_out, b_out), its membrane y_t. snnTorch's own resets give another
//     network (one step late, from the post-reset potential: issue #21), and
//     this mapping gives exactly our spikes (tests/interop).

#include <Eigen/Core>
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "neurofab/common/rng.hpp"
#include "neurofab/models/loss.hpp"
#include "neurofab/models/synapses.hpp"

namespace nf::models {

enum class ResetMode { kSubtract, kZero };
enum class Surrogate { kFastSigmoid, kAtan, kTriangle };
enum class InputEncoding { kCurrent, kPoisson, kDelta };

std::string to_string(ResetMode mode);
std::string to_string(Surrogate surrogate);
std::string to_string(InputEncoding encoding);
ResetMode reset_mode_from_string(const std::string& name);          // throws nf::InputError
Surrogate surrogate_from_string(const std::string& name);           // throws nf::InputError
InputEncoding input_encoding_from_string(const std::string& name);  // throws nf::InputError

// Hyper-parameters in user units (NEST's "Parameters").
struct LifRnnConfig {
  int n_in = 1;   // task inputs, before encoding
  int n_rec = 50;
  int n_out = 1;
  double dt_ms = 1.0;
  double tau_mem_ms = 20.0;
  double tau_syn_ms = 5.0;  // 0: current-free neuron
  double tau_out_ms = 20.0;  // 0: memory-less readout
  double threshold = 1.0;    // θ
  ResetMode reset = ResetMode::kSubtract;
  int refractory_steps = 0;  // R
  InputEncoding encoding = InputEncoding::kCurrent;
  double encoding_gain = 1.0;     // Poisson: spike probability per step = min(1, gain·|x|)
  double delta_threshold = 0.5;   // delta: one event per crossing of this step in x
  Surrogate surrogate = Surrogate::kFastSigmoid;
  double surrogate_slope = 5.0;   // k
  bool detach_reset = false;
  bool train_tau = false;     // train the per-unit decays β and α_s
  double dale_ratio = 0.0;    // fraction of excitatory units; 0 disables Dale's law
  std::set<std::string> frozen;  // names of tensors not trained (see kLifTensorNames)
  bool smooth_forward = false;   // test mode (see above); never saved in an artifact

  // Derived constants (NEST's "Derived"): the initial decays and the readout's.
  double beta() const;       // exp(-dt/τ_mem)
  double alpha_syn() const;  // exp(-dt/τ_syn), 0 for τ_syn = 0
  double kappa() const;      // exp(-dt/τ_out), 0 for τ_out = 0
  // Width of the encoded input X_t: n_in for currents, 2·n_in for spikes
  // (an ON and an OFF channel per input: channel 2k for x_k > 0, 2k+1 for x_k < 0).
  int n_in_encoded() const { return encoding == InputEncoding::kCurrent ? n_in : 2 * n_in; }
  int n_excitatory() const { return excitatory_count(dale_ratio, n_rec); }
  bool dale() const { return dale_ratio > 0.0; }
  bool trainable(const std::string& tensor) const;

  // Throws nf::InputError naming the field for impossible values.
  void validate() const;
};

// The tensors of the model in a fixed order; names are also their file names.
inline const std::vector<std::string> kLifTensorNames = {"W_in",  "W_rec", "b_rec",    "W_out",
                                                         "b_out", "beta",  "alpha_syn"};

// Weights (or their gradients, or optimiser moments). Vectors are n x 1.
template <typename Scalar>
struct LifRnnTensors {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  Matrix w_in;       // n_rec x n_in_encoded
  Matrix w_rec;      // n_rec x n_rec, row = postsynaptic unit
  Matrix b_rec;      // n_rec x 1, bias current b
  Matrix w_out;      // n_out x n_rec
  Matrix b_out;      // n_out x 1
  Matrix beta;       // n_rec x 1, membrane decay per unit
  Matrix alpha_syn;  // n_rec x 1, synaptic decay per unit

  static LifRnnTensors zeros(const LifRnnConfig& config);

  // Calls f(name, matrix) for every tensor in kLifTensorNames order.
  template <typename F>
  void for_each(F&& f) {
    f("W_in", w_in);
    f("W_rec", w_rec);
    f("b_rec", b_rec);
    f("W_out", w_out);
    f("b_out", b_out);
    f("beta", beta);
    f("alpha_syn", alpha_syn);
  }
  template <typename F>
  void for_each(F&& f) const {
    const_cast<LifRnnTensors*>(this)->for_each([&](const std::string& name, const Matrix& m) { f(name, m); });
  }
  Matrix& at(const std::string& name);
  const Matrix& at(const std::string& name) const;

  template <typename Other>
  LifRnnTensors<Other> cast() const {
    return {w_in.template cast<Other>(),  w_rec.template cast<Other>(), b_rec.template cast<Other>(),
            w_out.template cast<Other>(), b_out.template cast<Other>(), beta.template cast<Other>(),
            alpha_syn.template cast<Other>()};
  }
};

// Where the ones of a spike matrix are, column by column: the rows of column
// j's ones are rows[starts[j] .. starts[j+1]). `binary` is false once a column
// held a value other than 0 and 1 (the smooth test mode); products then take
// the dense path. `rows` may be longer than its used part, starts.back().
struct SpikeEvents {
  std::vector<int> rows;
  std::vector<std::ptrdiff_t> starts{0};
  bool binary = true;
  void clear() {
    starts.assign(1, 0);
    binary = true;
  }
};

// The forward pass's record (what BPTT needs, and what raster plots and
// activity counts read) plus BPTT's workspace. Column t·B + b holds step t of
// trial b; the (T+1)·B matrices start with the zero state of step 0.
template <typename Scalar>
struct LifRnnTrajectory {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  int n_steps = 0;
  int batch_size = 0;
  Matrix inputs;      // n_in_encoded x T·B: X_1 .. X_T
  Matrix currents;    // n_rec x (T+1)·B: I_0 .. I_T
  Matrix membranes;   // n_rec x (T+1)·B: v_0 .. v_T (after the reset)
  Matrix spikes;      // n_rec x (T+1)·B: s_0 .. s_T
  Matrix potentials;  // n_rec x T·B: u_1 .. u_T; ∂L/∂I_t after BPTT
  Matrix refractory;  // n_rec x T·B: q_1 .. q_T (empty without a refractory period)
  Matrix outputs;     // n_out x T·B: y_1 .. y_T
  Matrix spike_gradient;  // workspace: ∂L/∂s_t of one step
  SpikeEvents events;      // where the ones of `spikes` are, for the spike products
  SpikeEvents events_by_unit;  // workspace: the same by unit, for the weight gradients
};

// Spiking activity of a forward pass, per step of one trial.
struct SpikeActivity {
  double mean_rate = 0;        // spikes per unit per step
  double mean_rate_hz = 0;     // the same per second (dt in ms)
  double spikes_per_step = 0;  // recurrent spikes of the whole network
  double synops_per_step = 0;  // synaptic events: each spike (recurrent, and encoded input spikes)
                               // times its fan-out of present synapses, recurrent + readout
  double input_macs_per_step = 0;  // dense input multiply-accumulates (current encoding only)
};

template <typename Scalar>
class LifRnn {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Config = LifRnnConfig;
  using Tensors = LifRnnTensors<Scalar>;
  using Trajectory = LifRnnTrajectory<Scalar>;

  LifRnn(LifRnnConfig config, Connectivity connectivity, Tensors weights);

  const LifRnnConfig& config() const { return config_; }
  const Connectivity& connectivity() const { return constraints_.connectivity(); }
  const Tensors& weights() const { return weights_; }
  Tensors& weights() { return weights_; }

  // Runs T steps on task inputs (n_in x T·B, column t·B + b). `noise` holds
  // the uniform draws of Poisson encoding (sample_noise), ignored otherwise.
  void forward(const Matrix& inputs, int batch_size, const Matrix* noise, Trajectory& trajectory) const;

  LossTerms loss(const Matrix& targets, const Matrix& mask, const Regularization& regularization,
                 const Trajectory& trajectory) const;

  // Loss and its surrogate gradient by BPTT into `gradient` (shapes as the
  // weights); frozen tensors and masked weights get exactly zero. Consumes
  // the trajectory (`potentials` becomes ∂L/∂I_t). `inputs` is unused: the
  // encoded inputs are in the trajectory (the signature is the rate RNN's).
  LossTerms loss_and_gradient(const Matrix& inputs, const Matrix& targets, const Matrix& mask,
                              const Regularization& regularization, Trajectory& trajectory,
                              Tensors& gradient) const;

  // The same for a batch evaluated in parts, as RateRnn's (loss.hpp): the
  // firing-rate term needs every unit's spike count over the whole batch, so
  // it is a batch term, and each part's gradient of it reads the totals.
  void add_to_totals(const Matrix& mask, const Trajectory& trajectory, BatchTotals& totals) const;
  LossTerms part_loss(const Matrix& targets, const Matrix& mask, const Regularization& regularization,
                      const Trajectory& trajectory, const BatchTotals& totals) const;
  LossTerms batch_loss(const Regularization& regularization, const BatchTotals& totals) const;
  void part_gradient(const Matrix& inputs, const Matrix& targets, const Matrix& mask,
                     const Regularization& regularization, const BatchTotals& totals, Trajectory& trajectory,
                     Tensors& gradient) const;
  void finish_gradient(const Regularization& regularization, Tensors& gradient) const;

  // Re-imposes masks and Dale's law, and clips the decays to [0, 1].
  void apply_constraints();
  // Describes the first weight that breaks a mask, Dale's law or a decay range, or "" if none.
  std::string constraint_violation() const;

  SpikeActivity activity(const Trajectory& trajectory) const;

 private:
  LifRnnConfig config_;
  SynapseConstraints constraints_;
  Tensors weights_;
};

// The random draws one forward pass consumes for `columns` = T·B columns:
// uniforms for Poisson encoding (n_in_encoded x columns), else an empty matrix.
Eigen::MatrixXf sample_noise(const LifRnnConfig& config, int columns, Rng& rng);

extern template struct LifRnnTensors<float>;
extern template struct LifRnnTensors<double>;
extern template class LifRnn<float>;
extern template class LifRnn<double>;

}  // namespace nf::models
