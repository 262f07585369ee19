#include "neurofab/models/init.hpp"

#include <fmt/format.h>

#include <Eigen/QR>
#include <array>
#include <cmath>
#include <utility>

#include "neurofab/common/error.hpp"

namespace nf::models {
namespace {

constexpr std::array<std::pair<InitScheme, const char*>, 7> kSchemeNames = {{
    {InitScheme::kNormal, "normal"},
    {InitScheme::kOrthogonal, "orthogonal"},
    {InitScheme::kIdentity, "identity"},
    {InitScheme::kUniform, "uniform"},
    {InitScheme::kGlorotUniform, "glorot_uniform"},
    {InitScheme::kSparse, "sparse"},
    {InitScheme::kZeros, "zeros"},
}};

// Random-number streams of one seed, kept apart so adding a draw to one part
// never shifts another.
enum Stream : std::uint64_t { kStreamWIn = 1, kStreamWRec, kStreamWOut, kStreamMask };

Eigen::MatrixXd normal_matrix(int rows, int cols, double sd, Rng& rng) {
  Eigen::MatrixXd m(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) m(i, j) = sd * rng.normal();
  return m;
}

Eigen::MatrixXd orthogonal(int rows, int cols, Rng& rng) {
  // QR of a tall Gaussian matrix; multiplying Q's columns by sign(diag R)
  // makes Q Haar-distributed (Mezzadri 2007).
  const int big = std::max(rows, cols), small = std::min(rows, cols);
  const Eigen::MatrixXd a = normal_matrix(big, small, 1.0, rng);
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(big, small);
  const Eigen::MatrixXd r = qr.matrixQR().topRows(small).triangularView<Eigen::Upper>();
  for (int k = 0; k < small; ++k) {
    if (r(k, k) < 0) q.col(k) *= -1.0;
  }
  return rows >= cols ? q : Eigen::MatrixXd(q.transpose());
}

}  // namespace

std::string to_string(InitScheme scheme) {
  for (const auto& [s, name] : kSchemeNames)
    if (s == scheme) return name;
  return "?";
}

InitScheme init_scheme_from_string(const std::string& name) {
  for (const auto& [s, n] : kSchemeNames)
    if (name == n) return s;
  throw InputError(fmt::format("unknown initialisation '{}' (expected one of: {})", name, init_scheme_names()));
}

std::string init_scheme_names() {
  std::string names;
  for (const auto& [s, name] : kSchemeNames) names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

Eigen::MatrixXd initialise(int rows, int cols, const InitSpec& spec, Rng& rng) {
  if (!std::isfinite(spec.gain)) throw InputError("initialisation: gain must be finite");
  const double fan_in = cols;
  switch (spec.scheme) {
    case InitScheme::kNormal:
      return normal_matrix(rows, cols, spec.gain / std::sqrt(fan_in), rng);
    case InitScheme::kOrthogonal:
      return spec.gain * orthogonal(rows, cols, rng);
    case InitScheme::kIdentity:
      if (rows != cols) {
        throw InputError(fmt::format("initialisation 'identity' needs a square matrix, not {}x{}", rows, cols));
      }
      return spec.gain * Eigen::MatrixXd::Identity(rows, cols);
    case InitScheme::kUniform:
    case InitScheme::kGlorotUniform: {
      const double limit = spec.scheme == InitScheme::kUniform ? spec.gain / std::sqrt(fan_in)
                                                               : spec.gain * std::sqrt(6.0 / (rows + cols));
      Eigen::MatrixXd m(rows, cols);
      for (int j = 0; j < cols; ++j)
        for (int i = 0; i < rows; ++i) m(i, j) = rng.uniform(-limit, limit);
      return m;
    }
    case InitScheme::kSparse: {
      if (!(spec.density > 0 && spec.density <= 1)) {
        throw InputError(fmt::format("initialisation 'sparse': density must be in (0, 1] (got {})", spec.density));
      }
      const double sd = spec.gain / std::sqrt(spec.density * fan_in);
      Eigen::MatrixXd m(rows, cols);
      for (int j = 0; j < cols; ++j)
        for (int i = 0; i < rows; ++i) {
          const double value = sd * rng.normal();  // drawn always: the pattern does not shift values
          m(i, j) = rng.bernoulli(spec.density) ? value : 0.0;
        }
      return m;
    }
    case InitScheme::kZeros:
      return Eigen::MatrixXd::Zero(rows, cols);
  }
  throw InputError("initialisation: unknown scheme");
}

InitialSynapses initial_synapses(int n_in, int n_rec, int n_out, double dale_ratio, const NetworkInit& init,
                                 std::uint64_t seed) {
  if (!(init.rec_density > 0 && init.rec_density <= 1)) {
    throw InputError(fmt::format("rec_density must be in (0, 1] (got {})", init.rec_density));
  }
  Rng mask_rng = Rng::derive(seed, {kStreamMask});
  Connectivity connectivity = Connectivity::full(n_in, n_rec, n_out);
  if (init.rec_density < 1) {
    for (int j = 0; j < n_rec; ++j)
      for (int i = 0; i < n_rec; ++i)
        connectivity.mask_rec(i, j) = mask_rng.bernoulli(init.rec_density) ? 1.0f : 0.0f;
  }

  Rng rng_in = Rng::derive(seed, {kStreamWIn});
  Rng rng_rec = Rng::derive(seed, {kStreamWRec});
  Rng rng_out = Rng::derive(seed, {kStreamWOut});
  Eigen::MatrixXd w_rec = initialise(n_rec, n_rec, init.w_rec, rng_rec);
  Eigen::MatrixXd w_out = initialise(n_out, n_rec, init.w_out, rng_out);
  if (dale_ratio > 0) {
    const int n_exc = excitatory_count(dale_ratio, n_rec);
    const int n_inh = n_rec - n_exc;
    w_rec = w_rec.cwiseAbs();
    if (n_inh > 0) w_rec.rightCols(n_inh) *= -static_cast<double>(n_exc) / std::max(n_inh, 1);
    w_out = w_out.cwiseAbs();
  }
  return {std::move(connectivity), initialise(n_rec, n_in, init.w_in, rng_in).cast<float>(), w_rec.cast<float>(),
          w_out.cast<float>()};
}

RateRnn<float> make_rate_rnn(const RateRnnConfig& config, const NetworkInit& init, std::uint64_t seed) {
  config.validate();
  InitialSynapses synapses =
      initial_synapses(config.n_in, config.n_rec, config.n_out, config.dale_ratio, init, seed);
  RateRnnTensors<float> weights = RateRnnTensors<float>::zeros(config);
  weights.w_in = std::move(synapses.w_in);
  weights.w_rec = std::move(synapses.w_rec);
  weights.w_out = std::move(synapses.w_out);
  RateRnn<float> network(config, std::move(synapses.connectivity), std::move(weights));
  network.apply_constraints();
  return network;
}

LifRnn<float> make_lif_rnn(const LifRnnConfig& config, const NetworkInit& init, std::uint64_t seed) {
  config.validate();
  InitialSynapses synapses =
      initial_synapses(config.n_in_encoded(), config.n_rec, config.n_out, config.dale_ratio, init, seed);
  LifRnnTensors<float> weights = LifRnnTensors<float>::zeros(config);
  // Compensate the DC gains of the synapse, 1/(1-α_s), and of the readout,
  // 1/(1-κ): a constant drive w then gives a current w and a readout w, so the
  // schemes' scales mean the same as for the rate RNN.
  weights.w_in = static_cast<float>(1.0 - config.alpha_syn()) * synapses.w_in;
  weights.w_rec = static_cast<float>(1.0 - config.alpha_syn()) * synapses.w_rec;
  weights.w_out = static_cast<float>(1.0 - config.kappa()) * synapses.w_out;
  weights.beta.setConstant(static_cast<float>(config.beta()));
  weights.alpha_syn.setConstant(static_cast<float>(config.alpha_syn()));
  LifRnn<float> network(config, std::move(synapses.connectivity), std::move(weights));
  network.apply_constraints();
  return network;
}

}  // namespace nf::models
