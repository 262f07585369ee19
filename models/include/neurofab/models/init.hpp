#pragma once
// Weight initialisation schemes. `cols` is the fan-in (presynaptic count).
//
//   normal          W_ij ~ N(0, (g/√fan_in)²)              random normal with gain
//   orthogonal      W = g·Q, Q orthogonal (QR of a normal matrix, sign-fixed
//                   so Q is Haar-distributed); semi-orthogonal when not square
//   identity        W = g·I (square only)
//   uniform         W_ij ~ U(-g/√fan_in, g/√fan_in)
//   glorot_uniform  W_ij ~ U(-l, l), l = g·√(6/(fan_in + fan_out))
//   sparse          W_ij = 0 with probability 1 - p, else N(0, g²/(p·fan_in)),
//                   so the spectral radius is ≈ g as for `normal`
//   zeros           W = 0

#include <Eigen/Core>
#include <string>

#include "neurofab/common/rng.hpp"
#include "neurofab/models/lif_rnn.hpp"
#include "neurofab/models/rate_rnn.hpp"

namespace nf::models {

enum class InitScheme { kNormal, kOrthogonal, kIdentity, kUniform, kGlorotUniform, kSparse, kZeros };

struct InitSpec {
  InitScheme scheme = InitScheme::kNormal;
  double gain = 1.0;
  double density = 0.1;  // for kSparse
};

std::string to_string(InitScheme scheme);
InitScheme init_scheme_from_string(const std::string& name);  // throws nf::InputError
std::string init_scheme_names();                              // "normal, orthogonal, ..."

// Throws nf::InputError when the scheme cannot make a rows x cols matrix.
Eigen::MatrixXd initialise(int rows, int cols, const InitSpec& spec, Rng& rng);

// How a fresh network is made.
struct NetworkInit {
  InitSpec w_in{InitScheme::kGlorotUniform, 1.0, 0.1};
  InitSpec w_rec{InitScheme::kNormal, 1.0, 0.1};
  InitSpec w_out{InitScheme::kGlorotUniform, 1.0, 0.1};
  double rec_density = 1.0;  // fixed connectivity mask on W_rec: each synapse present with this probability
};

// The synapses of a new network, shared by every model family: connectivity
// mask, weights from `init`, Dale's law signs (the magnitudes of W_rec taken
// with the sign of the presynaptic unit, inhibitory columns scaled by n_E/n_I
// so that excitation and inhibition balance, and |W_out|). Deterministic in `seed`.
struct InitialSynapses {
  Connectivity connectivity;
  Eigen::MatrixXf w_in, w_rec, w_out;
};
InitialSynapses initial_synapses(int n_in, int n_rec, int n_out, double dale_ratio, const NetworkInit& init,
                                 std::uint64_t seed);

// A new rate RNN: initial_synapses() and zero biases.
RateRnn<float> make_rate_rnn(const RateRnnConfig& config, const NetworkInit& init, std::uint64_t seed);
// A new LIF RNN: initial_synapses() (W_in over the encoded inputs) with W_in
// and W_rec scaled by (1-α_s) and W_out by (1-κ), which cancels the DC gains of
// the synaptic current and of the leaky readout; zero biases; the configured
// decays β, α_s in every unit.
LifRnn<float> make_lif_rnn(const LifRnnConfig& config, const NetworkInit& init, std::uint64_t seed);

}  // namespace nf::models
