// Eigen-spectra (analysis/spectrum.hpp): eigenvalues of hand-built matrices
// against closed forms, the circular-law radius and outlier rule, the linearised
// rate map, and the rebuilt initial W_rec against the weights training really
// started from.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <complex>
#include <numbers>

#include <Eigen/QR>

#include "neurofab/analysis/spectrum.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/init.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using nf::analysis::eigenvalues;
using Complex = std::complex<double>;

namespace {

constexpr double kPi = std::numbers::pi;

// Dynamic-size throughout: gcc 12 warns falsely about Eigen's AVX-512 paths of fixed-size types.
Eigen::MatrixXd rotation(double radius, double angle) {
  Eigen::MatrixXd r(2, 2);
  r << std::cos(angle), -std::sin(angle), std::sin(angle), std::cos(angle);
  return radius * r;
}

Eigen::MatrixXd gaussian(int n, double sd, std::uint64_t seed) {
  nf::Rng rng(seed);
  Eigen::MatrixXd w(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) w(i, j) = sd * rng.normal();
  return w;
}

void train(const fs::path& dir, const std::string& options) {
  const auto r = nf::test::run_command(fmt::format("{} train {} -q -o {} 2>&1", NF_CLI_PATH, options, dir.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("eigenvalues of a diagonal matrix are its entries, largest modulus first", "[spectrum]") {
  Eigen::VectorXd diagonal(4);
  diagonal << 0.5, -3.0, 2.0, 0.0;
  const Eigen::MatrixXd d = diagonal.asDiagonal();
  const auto values = eigenvalues(d);
  REQUIRE(values.size() == 4);
  CHECK(values[0] == Complex(-3.0, 0.0));
  CHECK(values[1] == Complex(2.0, 0.0));
  CHECK(values[2] == Complex(0.5, 0.0));
  CHECK(values[3] == Complex(0.0, 0.0));
  CHECK_THROWS_AS(eigenvalues(Eigen::MatrixXd(2, 3)), nf::InputError);
}

TEST_CASE("a rotation block gives r e^{±iθ} and the frequency θ/(2π dt)", "[spectrum]") {
  // 25 Hz at dt = 1 ms: θ = 2π · 0.025 per step, a period of 40 steps.
  const double dt_ms = 1.0;
  const double angle = 2 * kPi * 25.0 * dt_ms * 1e-3;
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(3, 3);
  m.topLeftCorner(2, 2) = rotation(1.2, angle);
  m(2, 2) = 0.3;
  const auto values = eigenvalues(m);
  REQUIRE(values.size() == 3);
  CHECK(std::abs(values[0] - std::polar(1.2, angle)) < 1e-12);
  CHECK(values[1] == std::conj(values[0]));  // the pair stays adjacent, positive imaginary part first
  CHECK(std::abs(values[2] - Complex(0.3, 0)) < 1e-12);

  const auto o = nf::analysis::oscillation(values[0], dt_ms);
  CHECK(o.angle_rad == Approx(angle).epsilon(1e-12));
  CHECK(o.frequency_hz == Approx(25.0).epsilon(1e-12));
  REQUIRE(o.period_steps);
  CHECK(*o.period_steps == Approx(40.0).epsilon(1e-12));
  CHECK(nf::analysis::oscillation(std::conj(values[0]), dt_ms).frequency_hz == Approx(25.0).epsilon(1e-12));
  // dt = 10 ms: the same rotation per step is 2.5 Hz.
  CHECK(nf::analysis::oscillation(values[0], 10.0).frequency_hz == Approx(2.5).epsilon(1e-12));
  // Real eigenvalues: none (λ > 0) or the 2-step alternation (λ < 0) at the Nyquist frequency.
  CHECK(!nf::analysis::oscillation(values[2], dt_ms).period_steps);
  CHECK(nf::analysis::oscillation(values[2], dt_ms).frequency_hz == 0.0);
  CHECK(*nf::analysis::oscillation(Complex(-0.7, 0), dt_ms).period_steps == Approx(2.0));
  CHECK(nf::analysis::oscillation(Complex(-0.7, 0), dt_ms).frequency_hz == Approx(500.0));
}

TEST_CASE("the circular-law radius is ||W - mean||_F / sqrt(N)", "[spectrum]") {
  Eigen::MatrixXd w(2, 2);
  w << 1, 2, 3, 4;  // mean 2.5, centred entries ±1.5, ±0.5: ||·||_F² = 5
  CHECK(nf::analysis::circular_law_radius(w) == Approx(std::sqrt(5.0 / 2.0)).epsilon(1e-15));

  // g·Q, Q orthogonal: every |λ| = g, and the estimate is g up to the small mean.
  nf::Rng rng(7);
  const Eigen::MatrixXd q = nf::models::initialise(100, 100, {nf::models::InitScheme::kOrthogonal, 1.3, 0.1}, rng);
  const auto spectrum = nf::analysis::matrix_spectrum("init", "W_rec", q, 0.0,
                                                      nf::analysis::circular_law_radius(q), 0.05);
  CHECK(spectrum.bulk_radius == Approx(1.3).epsilon(0.01));
  for (const auto lambda : spectrum.eigenvalues) CHECK(std::abs(lambda) == Approx(1.3).epsilon(1e-9));
  CHECK(spectrum.outlier_count() == 0);
  CHECK(spectrum.spectral_radius == Approx(1.3).epsilon(1e-9));
}

TEST_CASE("a planted rotation outside the random bulk is the only outlier", "[spectrum]") {
  const std::uint64_t seed = 20261205;
  INFO("seed " << seed);
  const int n = 200;
  Eigen::MatrixXd w = gaussian(n, 0.5 / std::sqrt(double(n)), seed);  // bulk radius ≈ 0.5
  // A rank-2 rotation of modulus 1.5 at 1/8 turn per step in the span of two orthonormal vectors.
  const Eigen::MatrixXd basis = Eigen::HouseholderQR<Eigen::MatrixXd>(gaussian(n, 1.0, seed + 1))
                                    .householderQ() * Eigen::MatrixXd::Identity(n, 2);
  w += basis * rotation(1.5, kPi / 4) * basis.transpose();
  const double radius = nf::analysis::circular_law_radius(w);
  const nf::analysis::SpectrumOptions options;
  const auto s = nf::analysis::matrix_spectrum("trained", "W_rec", w, 0.0, radius, options.margin(n));
  CHECK(radius == Approx(0.5).epsilon(0.05));  // the rank-2 part adds 2·1.5²/N to R²
  REQUIRE(s.outlier_count() == 2);
  CHECK(s.outlier[0]);
  CHECK(s.outlier[1]);
  // A low-rank perturbation of a random bulk moves its eigenvalue by O(1/√N).
  CHECK(std::abs(s.eigenvalues[0] - std::polar(1.5, kPi / 4)) < 0.1);
  CHECK(nf::analysis::oscillation(s.eigenvalues[0], 1.0).period_steps.value() == Approx(8.0).epsilon(0.05));
  const std::string csv = nf::analysis::outliers_csv({nf::analysis::NetworkSpectrum{
      "net", "rate_rnn", "flipflop", 1, "normal", 1.0, n, 1.0, 1.0, 0, {s}}});
  // Header + one row for the pair.
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 2);
  CHECK(csv.find(",pair,") != std::string::npos);
}

TEST_CASE("the default outlier margin is sqrt(ln N / N)", "[spectrum]") {
  nf::analysis::SpectrumOptions options;
  CHECK(options.margin(50) == Approx(std::sqrt(std::log(50.0) / 50.0)));
  options.outlier_margin = 0.25;
  CHECK(options.margin(50) == 0.25);
  options.outlier_margin = -1;
  CHECK_THROWS_WITH(options.validate(), Catch::Contains("--outlier-margin"));
}

TEST_CASE("rebuilt initial W_rec equals the weights training started from", "[spectrum]") {
  // W_rec frozen: the trained artifact still holds exactly the initial W_rec of
  // `neurofab train`, through the whole path (options → config → model.json →
  // make_rate_rnn / make_lif_rnn), with masks, Dale's law and the LIF scaling.
  nf::test::TempDir tmp;
  const std::string tiny =
      "--task flipflop --task-param trial_length=120 --n 16 --epochs 1 --steps-per-epoch 1 --batch 4 "
      "--validation-trials 4 --eval-trials 4";
  struct Case {
    std::string name, options;
  };
  const std::vector<Case> cases = {
      {"rate-normal", "--init normal --gain 1.4 --seed 11"},
      {"rate-dale-sparse", "--init orthogonal --dale-ratio 0.8 --rec-density 0.5 --alpha 0.2 --seed 5"},
      {"lif", "--model lif --init normal --tau-syn 5 --seed 3"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const fs::path frozen = tmp / (c.name + "-frozen");
      train(frozen, fmt::format("{} {} --freeze W_rec", tiny, c.options));
      const auto artifact = nf::models::load_artifact(frozen);
      const Eigen::MatrixXf rebuilt = nf::analysis::initial_w_rec(artifact);
      const Eigen::MatrixXf trained =
          std::visit([](const auto& a) -> Eigen::MatrixXf { return a.network.weights().w_rec; }, artifact);
      REQUIRE(rebuilt.rows() == 16);
      CHECK(rebuilt == trained);  // bit for bit

      // Not frozen: training moved W_rec, the rebuilt start is the same as above.
      const fs::path moving = tmp / (c.name + "-trained");
      train(moving, fmt::format("{} {} --lr 0.01", tiny, c.options));
      const auto moved = nf::models::load_artifact(moving);
      CHECK(nf::analysis::initial_w_rec(moved) == rebuilt);
      const Eigen::MatrixXf moved_w =
          std::visit([](const auto& a) -> Eigen::MatrixXf { return a.network.weights().w_rec; }, moved);
      CHECK(moved_w != rebuilt);

      // The spectrum's init stage is the spectrum of exactly this matrix.
      const auto s = nf::analysis::network_spectrum(moved, moving.string(), {});
      REQUIRE(s.spectra.size() == 4);
      CHECK(s.spectra[0].stage == "init");
      CHECK(s.spectra[0].matrix == "W_rec");
      CHECK(s.spectra[0].eigenvalues == eigenvalues(rebuilt.cast<double>()));
      CHECK(s.spectra[2].stage == "trained");
      CHECK(s.spectra[2].eigenvalues == eigenvalues(moved_w.cast<double>()));
    }
  }
}

TEST_CASE("J0 of a rate network is (1-α)I + αW_rec, W_eff of a LIF network diag(1/(1-α_s))W_rec", "[spectrum]") {
  nf::models::RateRnnConfig config;
  config.n_in = 2;
  config.n_rec = 30;
  config.n_out = 1;
  config.dt_ms = 2.0;
  config.tau_ms = 8.0;  // α = 0.25
  const nf::models::NetworkInit init;
  nf::models::RateRnnArtifact artifact{nf::models::make_rate_rnn(config, init, 4), init, "flipflop", {}, 4, {}, {}};
  artifact.network.weights().w_rec *= 1.5f;  // "trained" ≠ init
  const auto s = nf::analysis::network_spectrum(artifact, "r", {});
  REQUIRE(s.alpha);
  CHECK(*s.alpha == 0.25);
  const auto& w = s.spectra[2];
  const auto& j0 = s.spectra[3];
  REQUIRE(j0.matrix == "J0");
  REQUIRE(j0.eigenvalues.size() == w.eigenvalues.size());
  // Eigenvalues of J0, computed on the matrix itself, are the affine image of W_rec's.
  // (Both lists are sorted by modulus, and the shift by 1-α reorders them: match by nearest.)
  for (std::size_t k = 0; k < w.eigenvalues.size(); ++k) {
    const Complex image = 0.75 + 0.25 * w.eigenvalues[k];
    std::size_t nearest = 0;
    for (std::size_t j = 1; j < j0.eigenvalues.size(); ++j)
      if (std::abs(j0.eigenvalues[j] - image) < std::abs(j0.eigenvalues[nearest] - image)) nearest = j;
    CHECK(std::abs(j0.eigenvalues[nearest] - image) < 1e-12);
    CHECK(j0.outlier[nearest] == w.outlier[k]);
  }
  CHECK(j0.outlier_count() == w.outlier_count());
  CHECK(j0.bulk_centre == Complex(0.75, 0));
  CHECK(j0.bulk_radius == Approx(0.25 * w.bulk_radius).epsilon(1e-14));

  nf::models::LifRnnConfig lif;
  lif.n_in = 2;
  lif.n_rec = 20;
  lif.tau_syn_ms = 5.0;
  const nf::models::LifRnnArtifact spiking{nf::models::make_lif_rnn(lif, init, 9), init, "flipflop", {}, 9, {}, {}};
  const auto ls = nf::analysis::network_spectrum(spiking, "l", {});
  CHECK(!ls.alpha);
  REQUIRE(ls.spectra[1].matrix == "W_eff");
  // make_lif_rnn scaled the draw by (1-α_s); W_eff is the draw itself.
  nf::models::RateRnnConfig same_draw;
  same_draw.n_in = 2;
  same_draw.n_rec = 20;
  const Eigen::MatrixXd draw = nf::models::make_rate_rnn(same_draw, init, 9).weights().w_rec.cast<double>();
  const auto expected = eigenvalues(draw);
  for (std::size_t k = 0; k < expected.size(); ++k) CHECK(std::abs(ls.spectra[1].eigenvalues[k] - expected[k]) < 1e-5);
}
