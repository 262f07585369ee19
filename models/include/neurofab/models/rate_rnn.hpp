#pragma once
// Continuous-time rate RNN, Euler-discretised — the float reference for rate
// networks.
//
// Update equations (one step t = 1..T, α = dt/τ):
//
//   a_t = W_rec h_{t-1} + W_in x_t + b_rec + σ ξ_t        ξ_t ~ N(0, I), fresh each step
//   h_t = (1 - α) h_{t-1} + α φ(a_t)                        φ ∈ {tanh, relu}, h_0 = 0
//   y_t = W_out h_t + b_out
//
// α = 1 is the Keras SimpleRNN of Jarne & Laje (h_t = φ(W_rec h_{t-1} + W_in x_t)).
//
// Constraints (what PsychRNN users expect): fixed connectivity masks and
// Dale's law as in synapses.hpp; per-tensor frozen flags (frozen tensors get
// no gradient and no update).
//
// Loss: loss.hpp, with activity a = h (the firing-rate target is LIF's only).
//
// BPTT (exact gradient of L for a fixed noise realisation ξ): with
// g_t = ∂L/∂h_t (total) and δ_t = ∂L/∂a_t,
//   δ_t = g_t ⊙ α φ'(a_t),  g_{t-1} = ∂L/∂h_{t-1}|direct + (1 - α) g_t + W_rec^T δ_t,
//   ∂L/∂W_rec = Σ_t δ_t h_{t-1}^T,  ∂L/∂W_in = Σ_t δ_t x_t^T,  ∂L/∂b_rec = Σ_t δ_t.
// Sums over t are single matrix products over all T·B columns; only the
// recurrence itself runs step by step.

#include <Eigen/Core>
#include <set>
#include <string>
#include <vector>

#include "neurofab/models/loss.hpp"
#include "neurofab/models/synapses.hpp"

namespace nf::models {

enum class Activation { kTanh, kRelu };

std::string to_string(Activation activation);
Activation activation_from_string(const std::string& name);  // throws nf::InputError

// Hyper-parameters in user units (NEST's "Parameters").
struct RateRnnConfig {
  int n_in = 1;
  int n_rec = 50;
  int n_out = 1;
  Activation activation = Activation::kTanh;
  double dt_ms = 1.0;
  double tau_ms = 1.0;
  double noise_sd = 0.0;    // σ
  double dale_ratio = 0.0;  // fraction of excitatory units; 0 disables Dale's law
  std::set<std::string> frozen;  // names of tensors not trained (see kTensorNames)

  // Derived constant (NEST's "Derived"): the leak, α = dt/τ.
  double alpha() const { return dt_ms / tau_ms; }
  int n_excitatory() const { return excitatory_count(dale_ratio, n_rec); }
  bool dale() const { return dale_ratio > 0.0; }
  bool trainable(const std::string& tensor) const { return frozen.count(tensor) == 0; }

  // Throws nf::InputError naming the field for impossible values.
  void validate() const;
};

// The tensors of the model in a fixed order; names are also their file names.
inline const std::vector<std::string> kTensorNames = {"W_in", "W_rec", "b_rec", "W_out", "b_out"};

// One matrix per tensor: weights, or their gradients, or optimiser moments.
// Biases are column vectors (n x 1).
template <typename Scalar>
struct RateRnnTensors {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  Matrix w_in;   // n_rec x n_in
  Matrix w_rec;  // n_rec x n_rec, row = postsynaptic unit
  Matrix b_rec;  // n_rec x 1
  Matrix w_out;  // n_out x n_rec
  Matrix b_out;  // n_out x 1

  static RateRnnTensors zeros(const RateRnnConfig& config);

  // Calls f(name, matrix) for every tensor in kTensorNames order.
  template <typename F>
  void for_each(F&& f) {
    f("W_in", w_in);
    f("W_rec", w_rec);
    f("b_rec", b_rec);
    f("W_out", w_out);
    f("b_out", b_out);
  }
  template <typename F>
  void for_each(F&& f) const {
    f("W_in", w_in);
    f("W_rec", w_rec);
    f("b_rec", b_rec);
    f("W_out", w_out);
    f("b_out", b_out);
  }
  Matrix& at(const std::string& name);
  const Matrix& at(const std::string& name) const;

  template <typename Other>
  RateRnnTensors<Other> cast() const {
    return {w_in.template cast<Other>(), w_rec.template cast<Other>(), b_rec.template cast<Other>(),
            w_out.template cast<Other>(), b_out.template cast<Other>()};
  }
};

// Everything the forward pass keeps for BPTT, plus BPTT's workspace. Reused
// across calls so the training loop does not reallocate.
template <typename Scalar>
struct RateRnnTrajectory {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  int n_steps = 0;
  int batch_size = 0;
  Matrix states;   // n_rec x (T+1)·B: h_0 .. h_T, column t·B + b holds h_t of trial b
  Matrix rates;    // n_rec x T·B: φ(a_t) for t = 1..T (column (t-1)·B + b); δ_t after BPTT
  Matrix outputs;  // n_out x T·B: y_t for t = 1..T
  Matrix total_gradient;     // workspace: ∂L/∂h_t of one step
  // Set before forward() to keep the pre-activations a_t (n_rec x T·B) as φ
  // receives them (a trajectory dump); training leaves it off.
  bool record_preactivations = false;
  Matrix preactivations;
};

template <typename Scalar>
class RateRnn {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Config = RateRnnConfig;
  using Tensors = RateRnnTensors<Scalar>;
  using Trajectory = RateRnnTrajectory<Scalar>;

  RateRnn(RateRnnConfig config, Connectivity connectivity, Tensors weights);

  const RateRnnConfig& config() const { return config_; }
  const Connectivity& connectivity() const { return constraints_.connectivity(); }
  const Tensors& weights() const { return weights_; }
  Tensors& weights() { return weights_; }

  // Runs T steps on `inputs` (n_in x T·B, column t·B + b). `noise` is ξ
  // (n_rec x T·B), required when noise_sd > 0 and ignored otherwise.
  void forward(const Matrix& inputs, int batch_size, const Matrix* noise,
               RateRnnTrajectory<Scalar>& trajectory) const;

  // Loss of a finished forward pass.
  LossTerms loss(const Matrix& targets, const Matrix& mask, const Regularization& regularization,
                 const RateRnnTrajectory<Scalar>& trajectory) const;

  // Loss and its exact gradient by BPTT into `gradient` (shapes as the
  // weights). Frozen tensors and masked weights get exactly zero. Consumes the
  // trajectory: its `rates` are overwritten with δ_t.
  LossTerms loss_and_gradient(const Matrix& inputs, const Matrix& targets, const Matrix& mask,
                              const Regularization& regularization, RateRnnTrajectory<Scalar>& trajectory,
                              Tensors& gradient) const;

  // The same for a batch evaluated in parts (loss.hpp, training.hpp): the
  // totals are added over the parts first; part_loss and part_gradient then
  // normalise a part's sums by them. batch_loss holds the terms of the whole
  // batch (weight penalties), finish_gradient adds their gradient to the sum
  // of the parts' and zeroes absent synapses and frozen tensors.
  void add_to_totals(const Matrix& mask, const RateRnnTrajectory<Scalar>& trajectory, BatchTotals& totals) const;
  LossTerms part_loss(const Matrix& targets, const Matrix& mask, const Regularization& regularization,
                      const RateRnnTrajectory<Scalar>& trajectory, const BatchTotals& totals) const;
  LossTerms batch_loss(const Regularization& regularization, const BatchTotals& totals) const;
  void part_gradient(const Matrix& inputs, const Matrix& targets, const Matrix& mask,
                     const Regularization& regularization, const BatchTotals& totals,
                     RateRnnTrajectory<Scalar>& trajectory, Tensors& gradient) const;
  void finish_gradient(const Regularization& regularization, Tensors& gradient) const;

  // Re-imposes the masks and Dale's law on the weights (after an optimiser step).
  void apply_constraints();
  // Describes the first weight that breaks a mask or Dale's law, or "" if none.
  std::string constraint_violation() const;

 private:
  RateRnnConfig config_;
  SynapseConstraints constraints_;
  Tensors weights_;
};

extern template struct RateRnnTensors<float>;
extern template struct RateRnnTensors<double>;
extern template class RateRnn<float>;
extern template class RateRnn<double>;

}  // namespace nf::models
