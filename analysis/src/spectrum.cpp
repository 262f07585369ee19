#include "neurofab/analysis/spectrum.hpp"
#include "neurofab/analysis/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include <Eigen/Eigenvalues>

#include "neurofab/common/error.hpp"
#include "neurofab/models/init.hpp"

namespace nf::analysis {

namespace {

constexpr double kPi = std::numbers::pi;

// Shortest round-trip text of a double for CSV and JSON ("nan" never occurs:
// eigenvalues of a finite matrix are finite).
std::string num(double value) { return fmt::format("{}", value); }

// The rate map's matrix J0 = (1-α) I + α W (φ'(0) = 1, see the header).
Eigen::MatrixXd linearised_rate_map(const Eigen::MatrixXd& w_rec, double alpha) {
  const Eigen::Index n = w_rec.rows();
  return (1.0 - alpha) * Eigen::MatrixXd::Identity(n, n) + alpha * w_rec;
}

// diag(1/(1-α_s)) W_rec; α_s = 1 (a lossless synapse) has no DC gain, refused.
Eigen::MatrixXd lif_effective_matrix(const Eigen::MatrixXd& w_rec, const Eigen::MatrixXf& alpha_syn,
                                     const std::string& run) {
  Eigen::MatrixXd w = w_rec;
  for (Eigen::Index i = 0; i < w.rows(); ++i) {
    const double a = alpha_syn(i, 0);
    if (!(a < 1.0))
      throw InputError(fmt::format("{}: alpha_syn[{}] = {} has no DC gain 1/(1-alpha_syn); W_eff is undefined", run,
                                   i, a));
    w.row(i) /= (1.0 - a);
  }
  return w;
}

template <typename Network>
Network fresh_network(const models::TrainedArtifact<Network>& artifact) {
  if constexpr (std::is_same_v<Network, models::RateRnn<float>>) {
    return models::make_rate_rnn(artifact.network.config(), artifact.init, artifact.seed);
  } else {
    return models::make_lif_rnn(artifact.network.config(), artifact.init, artifact.seed);
  }
}

void add_stage(NetworkSpectrum& out, const std::string& stage, const Eigen::MatrixXd& w_rec,
               const std::optional<double>& alpha, const Eigen::MatrixXf* alpha_syn, double margin) {
  const double radius = circular_law_radius(w_rec);
  out.spectra.push_back(matrix_spectrum(stage, "W_rec", w_rec, 0.0, radius, margin));
  if (alpha) {
    out.spectra.push_back(
        matrix_spectrum(stage, "J0", linearised_rate_map(w_rec, *alpha), 1.0 - *alpha, *alpha * radius, margin));
  } else {
    const Eigen::MatrixXd w_eff = lif_effective_matrix(w_rec, *alpha_syn, out.run);
    out.spectra.push_back(matrix_spectrum(stage, "W_eff", w_eff, 0.0, circular_law_radius(w_eff), margin));
  }
}

nlohmann::json complex_json(std::complex<double> z) { return nlohmann::json::array({z.real(), z.imag()}); }

}  // namespace

std::vector<std::complex<double>> eigenvalues(const Eigen::MatrixXd& matrix) {
  if (matrix.rows() != matrix.cols() || matrix.rows() == 0)
    throw InputError(fmt::format("eigenvalues: the matrix is {}x{}, not square", matrix.rows(), matrix.cols()));
  Eigen::EigenSolver<Eigen::MatrixXd> solver(matrix, /*computeEigenvectors=*/false);
  if (solver.info() != Eigen::Success) throw InputError("eigenvalues: the QR iteration did not converge");
  // EigenSolver emits a conjugate pair as adjacent entries; keep each pair
  // together as one unit (positive imaginary part first), then order the
  // units by modulus with a plain comparison (a strict weak order).
  const auto& raw = solver.eigenvalues();
  std::vector<std::vector<std::complex<double>>> units;
  for (Eigen::Index k = 0; k < raw.size(); ++k) {
    if (raw[k].imag() != 0 && k + 1 < raw.size() && raw[k + 1] == std::conj(raw[k])) {
      const auto upper = raw[k].imag() > 0 ? raw[k] : raw[k + 1];
      units.push_back({upper, std::conj(upper)});
      ++k;
    } else {
      units.push_back({raw[k]});
    }
  }
  std::stable_sort(units.begin(), units.end(), [](const auto& a, const auto& b) {
    const double ma = std::abs(a.front()), mb = std::abs(b.front());
    if (ma != mb) return ma > mb;
    return a.front().real() > b.front().real();
  });
  std::vector<std::complex<double>> values;
  values.reserve(static_cast<std::size_t>(raw.size()));
  for (const auto& unit : units) values.insert(values.end(), unit.begin(), unit.end());
  return values;
}

double circular_law_radius(const Eigen::MatrixXd& matrix) {
  if (matrix.rows() != matrix.cols() || matrix.rows() == 0)
    throw InputError(fmt::format("circular_law_radius: the matrix is {}x{}, not square", matrix.rows(), matrix.cols()));
  const double mean = matrix.mean();
  return (matrix.array() - mean).matrix().norm() / std::sqrt(static_cast<double>(matrix.rows()));
}

bool is_real(std::complex<double> lambda) {
  return std::abs(lambda.imag()) <= 1e-9 * std::max(1.0, std::abs(lambda));
}

Oscillation oscillation(std::complex<double> lambda, double dt_ms) {
  Oscillation o;
  if (is_real(lambda)) {
    o.angle_rad = lambda.real() < 0 ? kPi : 0.0;
  } else {
    o.angle_rad = std::abs(std::arg(lambda));
  }
  o.frequency_hz = o.angle_rad / (2.0 * kPi * dt_ms * 1e-3);
  if (o.angle_rad > 0) o.period_steps = 2.0 * kPi / o.angle_rad;
  return o;
}

int MatrixSpectrum::outlier_count() const {
  return static_cast<int>(std::count(outlier.begin(), outlier.end(), true));
}

MatrixSpectrum matrix_spectrum(const std::string& stage, const std::string& name, const Eigen::MatrixXd& matrix,
                               std::complex<double> centre, double radius, double margin) {
  MatrixSpectrum s;
  s.stage = stage;
  s.matrix = name;
  s.eigenvalues = eigenvalues(matrix);
  s.bulk_centre = centre;
  s.bulk_radius = radius;
  s.margin = margin;
  for (const auto lambda : s.eigenvalues) {
    s.outlier.push_back(std::abs(lambda - centre) > (1.0 + margin) * radius);
    s.spectral_radius = std::max(s.spectral_radius, std::abs(lambda));
  }
  return s;
}

double SpectrumOptions::margin(int n) const {
  if (outlier_margin) return *outlier_margin;
  return n > 1 ? std::sqrt(std::log(static_cast<double>(n)) / n) : 0.0;
}

void SpectrumOptions::validate() const {
  if (outlier_margin && !(*outlier_margin >= 0 && std::isfinite(*outlier_margin)))
    throw InputError(fmt::format("--outlier-margin must be a finite number >= 0 (got {})", *outlier_margin));
}

Eigen::MatrixXf initial_w_rec(const models::Artifact& artifact) {
  return std::visit([](const auto& a) -> Eigen::MatrixXf { return fresh_network(a).weights().w_rec; }, artifact);
}

NetworkSpectrum network_spectrum(const models::Artifact& artifact, const std::string& run,
                                 const SpectrumOptions& options) {
  options.validate();
  NetworkSpectrum out;
  out.run = run;
  out.model_type = models::model_type(artifact);
  std::visit(
      [&](const auto& a) {
        using Network = std::decay_t<decltype(a.network)>;
        const auto& config = a.network.config();
        out.task = a.task_name;
        out.seed = a.seed;
        out.init_scheme = models::to_string(a.init.w_rec.scheme);
        out.gain = a.init.w_rec.gain;
        out.n_rec = config.n_rec;
        out.dt_ms = config.dt_ms;
        out.epochs_done = a.state.epochs_done;
        const Network fresh = fresh_network(a);
        const double margin = options.margin(config.n_rec);
        const Eigen::MatrixXd w_init = fresh.weights().w_rec.template cast<double>();
        const Eigen::MatrixXd w_trained = a.network.weights().w_rec.template cast<double>();
        if constexpr (std::is_same_v<Network, models::RateRnn<float>>) {
          out.alpha = config.alpha();
          add_stage(out, "init", w_init, out.alpha, nullptr, margin);
          add_stage(out, "trained", w_trained, out.alpha, nullptr, margin);
        } else {
          add_stage(out, "init", w_init, std::nullopt, &fresh.weights().alpha_syn, margin);
          add_stage(out, "trained", w_trained, std::nullopt, &a.network.weights().alpha_syn, margin);
        }
      },
      artifact);
  return out;
}

std::string spectrum_csv(const std::vector<NetworkSpectrum>& networks) {
  std::string csv = "run,stage,matrix,index,re,im,modulus,arg_rad,outlier\n";
  for (const auto& network : networks) {
    for (const auto& s : network.spectra) {
      for (std::size_t k = 0; k < s.eigenvalues.size(); ++k) {
        const auto lambda = s.eigenvalues[k];
        csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_field(network.run), s.stage, s.matrix, k,
                           num(lambda.real()), num(lambda.imag()), num(std::abs(lambda)), num(std::arg(lambda)),
                           s.outlier[k] ? 1 : 0);
      }
    }
  }
  return csv;
}

namespace {

// The outliers of one spectrum, one per real eigenvalue or conjugate pair.
std::vector<std::complex<double>> listed_outliers(const MatrixSpectrum& s) {
  std::vector<std::complex<double>> listed;
  for (std::size_t k = 0; k < s.eigenvalues.size(); ++k) {
    if (!s.outlier[k]) continue;
    const auto lambda = s.eigenvalues[k];
    // Real eigenvalues come with Im λ = 0 exactly (1x1 Schur blocks); of a
    // pair, even a nearly real one, only the member with Im λ > 0 is listed.
    if (lambda.imag() >= 0) listed.push_back(lambda);
  }
  return listed;
}

}  // namespace

std::string outliers_csv(const std::vector<NetworkSpectrum>& networks) {
  std::string csv = "run,stage,matrix,kind,re,im,modulus,arg_rad,frequency_hz,period_steps,bulk_radius\n";
  for (const auto& network : networks) {
    for (const auto& s : network.spectra) {
      for (const auto lambda : listed_outliers(s)) {
        const Oscillation o = oscillation(lambda, network.dt_ms);
        csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(network.run), s.stage, s.matrix,
                           is_real(lambda) ? "real" : "pair", num(lambda.real()), num(lambda.imag()),
                           num(std::abs(lambda)), num(std::arg(lambda)), num(o.frequency_hz),
                           o.period_steps ? num(*o.period_steps) : std::string(), num(s.bulk_radius));
      }
    }
  }
  return csv;
}

nlohmann::json spectrum_json(const std::vector<NetworkSpectrum>& networks, const SpectrumOptions& options) {
  nlohmann::json out;
  out["outlier_rule"] = "|lambda - c| > (1 + margin) * r, r = ||W - mean||_F / sqrt(N) (circular law)";
  out["outlier_margin"] = options.outlier_margin ? nlohmann::json(*options.outlier_margin)
                                                 : nlohmann::json("sqrt(ln N / N)");
  out["networks"] = nlohmann::json::array();
  for (const auto& network : networks) {
    nlohmann::json n = {{"run", network.run},
                        {"model_type", network.model_type},
                        {"task", network.task},
                        {"seed", network.seed},
                        {"init", network.init_scheme},
                        {"gain", network.gain},
                        {"n_rec", network.n_rec},
                        {"dt_ms", network.dt_ms},
                        {"epochs_done", network.epochs_done}};
    if (network.alpha) n["alpha"] = *network.alpha;
    nlohmann::json spectra = nlohmann::json::object();
    for (const auto& s : network.spectra) {
      nlohmann::json outliers = nlohmann::json::array();
      for (const auto lambda : listed_outliers(s)) {
        const Oscillation o = oscillation(lambda, network.dt_ms);
        nlohmann::json entry = {{"lambda", complex_json(lambda)},
                                {"modulus", std::abs(lambda)},
                                {"arg_rad", std::arg(lambda)},
                                {"kind", is_real(lambda) ? "real" : "pair"},
                                {"frequency_hz", o.frequency_hz}};
        entry["period_steps"] = o.period_steps ? nlohmann::json(*o.period_steps) : nlohmann::json(nullptr);
        outliers.push_back(entry);
      }
      nlohmann::json values = nlohmann::json::array();
      for (const auto lambda : s.eigenvalues) values.push_back(complex_json(lambda));
      spectra[s.stage][s.matrix] = {{"spectral_radius", s.spectral_radius},
                                    {"bulk_centre", complex_json(s.bulk_centre)},
                                    {"bulk_radius", s.bulk_radius},
                                    {"margin", s.margin},
                                    {"outlier_count", s.outlier_count()},
                                    {"outliers", outliers},
                                    {"eigenvalues", values}};
    }
    n["spectra"] = spectra;
    out["networks"].push_back(n);
  }
  return out;
}

}  // namespace nf::analysis
