#pragma once
// Synaptic structure shared by every recurrent model family (rate, LIF):
// fixed connectivity masks and Dale's law, and how both are imposed on the
// three weight matrices W_in [N, n_in], W_rec [N, N] and W_out [n_out, N].
//
//   - masks M_in, M_rec, M_out (1 = synapse present): weights where M = 0 are
//     exactly zero and stay so (gradients masked, weights re-masked after
//     every optimiser step);
//   - Dale's law (dale_ratio > 0): the first round(dale_ratio·N) units are
//     excitatory, the rest inhibitory; column j of W_rec carries the sign of
//     unit j (a weight that would cross zero stops at 0: projected gradient
//     descent), and only excitatory units feed the readout, with W_out ≥ 0.

#include <Eigen/Core>
#include <string>

namespace nf::models {

// Fixed structure that training never changes: connectivity masks (1 = present).
struct Connectivity {
  Eigen::MatrixXf mask_in;   // n_rec x n_in
  Eigen::MatrixXf mask_rec;  // n_rec x n_rec
  Eigen::MatrixXf mask_out;  // n_out x n_rec

  static Connectivity full(int n_in, int n_rec, int n_out);
  // Throws nf::InputError naming the mask whose shape is not the model's.
  void check_shapes(int n_in, int n_rec, int n_out) const;
};

// round(dale_ratio · n_rec); n_rec when Dale's law is off (dale_ratio = 0).
int excitatory_count(double dale_ratio, int n_rec);

// The masks plus Dale's law, applied to weights or their gradients.
class SynapseConstraints {
 public:
  SynapseConstraints() = default;
  // The readout mask loses its inhibitory columns when Dale's law is on.
  SynapseConstraints(Connectivity connectivity, double dale_ratio);

  const Connectivity& connectivity() const { return connectivity_; }
  bool dale() const { return dale_; }
  float dale_sign(Eigen::Index unit) const { return dale_sign_(unit); }

  // Zeroes the gradients of absent synapses.
  template <typename Matrix>
  void mask_gradients(Matrix& g_in, Matrix& g_rec, Matrix& g_out) const;
  // Re-imposes the masks and Dale's law on weights (after an optimiser step).
  template <typename Matrix>
  void apply(Matrix& w_in, Matrix& w_rec, Matrix& w_out) const;
  // Describes the first weight that breaks a mask or Dale's law, or "" if none.
  template <typename Matrix>
  std::string violation(const Matrix& w_in, const Matrix& w_rec, const Matrix& w_out) const;

 private:
  Connectivity connectivity_;
  bool dale_ = false;
  Eigen::VectorXf dale_sign_;  // +1 excitatory, -1 inhibitory
};

}  // namespace nf::models
