#pragma once
// Eigen-spectra of trained networks (`neurofab analyze spectrum`,
// docs/analysis.md): the eigenvalues of W_rec at initialisation and after
// training, and of the linear map that sets the dynamics near the origin.
//
// Matrices analysed, per network and stage (init, trained):
//   W_rec                      both families
//   J0 = (1-α) I + α φ'(0) W_rec   rate: the update h_t = (1-α)h + αφ(W_rec h + …)
//                              linearised at h = 0 without input or bias; φ'(0) is
//                              taken as 1 for tanh and for relu (the slope of the
//                              active regime — the model's relu'(0) = 0 would hide
//                              W_rec entirely). Its eigenvalues are (1-α) + α λ(W_rec):
//                              with α < 1 they, not λ(W_rec), give the frequency.
//   W_eff = diag(1/(1-α_s)) W_rec  LIF: the DC gain from a presynaptic spike rate
//                              to the postsynaptic current (the synaptic filter
//                              I_t = α_s I_{t-1} + W_rec s_{t-1} sums to 1/(1-α_s));
//                              make_lif_rnn scales the initial W_rec by (1-α_s), so
//                              at init W_eff is the unscaled draw and its radius
//                              compares with the rate model's g. The spiking
//                              threshold has no linearisation, so LIF angles are
//                              a property of the weights, not a measured rhythm.
//
// Bulk and outliers. For a matrix with i.i.d. entries of variance σ² the
// eigenvalues fill the disc of radius σ√N (circular law); a mean μ of the
// entries adds one outlier near Nμ. We estimate the bulk radius from the
// matrix itself,
//   R = ||W − μ 1 1ᵀ||_F / √N,    μ = mean of the N² entries,
// which is exact for the `normal`, `sparse` and `orthogonal` initialisations
// (gQ: every |λ| = g = R). An eigenvalue is an outlier when
//   |λ − c| > (1 + margin) · r
// with (c, r) = (0, R) for W_rec and W_eff and (1-α, α R(W_rec)) for J0 (the
// affine image of W_rec's disc, so J0's outliers are W_rec's). The default
// margin is √(ln N / N), the order of the finite-size spread of the edge: for
// Gaussian W it flags a bulk eigenvalue in < 3 % of matrices at N = 20–400
// (measured with numpy, 200 seeds), where a fixed 0.1 flags 20 % at N = 50.
//
// Oscillation of an eigenvalue λ = |λ| e^{iθ}, θ = arg λ ∈ (−π, π]: the linear
// map rotates by |θ| per step, so
//   f = |θ| / (2π dt)   (Hz, dt in seconds),   period = 2π / |θ| steps
// (no period for θ = 0; θ = π is the 2-step alternation of a negative real λ).

#include <complex>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurofab/models/artifact.hpp"

namespace nf::analysis {

// Eigenvalues of a real square matrix (Eigen::EigenSolver), sorted by modulus,
// largest first, conjugate pairs adjacent (positive imaginary part first).
std::vector<std::complex<double>> eigenvalues(const Eigen::MatrixXd& matrix);

// R = ||W − μ||_F / √N (see above). Throws nf::InputError for a non-square or empty matrix.
double circular_law_radius(const Eigen::MatrixXd& matrix);

struct Oscillation {
  double angle_rad = 0;     // |arg λ|
  double frequency_hz = 0;  // |arg λ| / (2π dt)
  std::optional<double> period_steps;  // 2π / |arg λ|; none for a positive real λ
};
Oscillation oscillation(std::complex<double> lambda, double dt_ms);

// True when λ is real up to rounding (|Im λ| ≤ 1e-9 · max(1, |λ|)).
bool is_real(std::complex<double> lambda);

struct MatrixSpectrum {
  std::string stage;   // "init" or "trained"
  std::string matrix;  // "W_rec", "J0" or "W_eff"
  std::vector<std::complex<double>> eigenvalues;  // sorted as eigenvalues()
  std::vector<bool> outlier;                      // one flag per eigenvalue
  std::complex<double> bulk_centre;               // c
  double bulk_radius = 0;                         // r
  double margin = 0;
  double spectral_radius = 0;                     // max |λ|
  int outlier_count() const;
};

// The spectrum of `matrix` with outliers beyond (1 + margin)·radius of `centre`.
MatrixSpectrum matrix_spectrum(const std::string& stage, const std::string& name, const Eigen::MatrixXd& matrix,
                               std::complex<double> centre, double radius, double margin);

struct SpectrumOptions {
  std::optional<double> outlier_margin;  // none: √(ln N / N); else ≥ 0
  double margin(int n) const;
  void validate() const;  // throws nf::InputError naming --outlier-margin
};

struct NetworkSpectrum {
  std::string run;         // the artifact folder as given
  std::string model_type;  // "rate_rnn" or "lif_rnn"
  std::string task;
  std::uint64_t seed = 0;
  std::string init_scheme;
  double gain = 0;
  int n_rec = 0;
  double dt_ms = 0;
  std::optional<double> alpha;  // rate only
  int epochs_done = 0;
  std::vector<MatrixSpectrum> spectra;  // init then trained, each in the order W_rec, J0 | W_eff
};

// W_rec of the network the artifact's training started from, rebuilt exactly
// as `neurofab train` builds a fresh network: make_rate_rnn / make_lif_rnn of
// the artifact's config, init spec and seed (masks and Dale's law applied).
Eigen::MatrixXf initial_w_rec(const models::Artifact& artifact);

NetworkSpectrum network_spectrum(const models::Artifact& artifact, const std::string& run,
                                 const SpectrumOptions& options);

// spectrum.csv: run,stage,matrix,index,re,im,modulus,arg_rad,outlier — one row per eigenvalue.
std::string spectrum_csv(const std::vector<NetworkSpectrum>& networks);
// outliers.csv: run,stage,matrix,kind,re,im,modulus,arg_rad,frequency_hz,period_steps,bulk_radius —
// one row per real outlier or conjugate pair (kind "real" or "pair"; a pair is
// listed by its member with Im λ > 0); period_steps empty for a positive real λ.
std::string outliers_csv(const std::vector<NetworkSpectrum>& networks);
// spectrum.json: per network its settings and, per stage and matrix, spectral
// radius, bulk centre and radius, outliers with frequencies, and every eigenvalue.
nlohmann::json spectrum_json(const std::vector<NetworkSpectrum>& networks, const SpectrumOptions& options);

}  // namespace nf::analysis
