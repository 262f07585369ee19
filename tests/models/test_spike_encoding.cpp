// Input encodings of the LIF network: direct current, Poisson (ON/OFF rates
// against the binomial expectation) and delta (exact event sequence).
#include <catch2/catch.hpp>
#include <cmath>

#include "neurofab/common/rng.hpp"
#include "neurofab/models/spike_encoding.hpp"

using namespace nf::models;
using Matrix = Eigen::MatrixXd;

TEST_CASE("current encoding passes the inputs through", "[encoding]") {
  LifRnnConfig c;
  c.n_in = 2;
  Matrix x(2, 6);
  x << 0.5, -1, 2, 0, 0.1, 3, 1, 2, 3, 4, 5, 6;
  Matrix encoded;
  encode_inputs<double>(c, x, 2, nullptr, encoded);
  CHECK(encoded == x);
}

TEST_CASE("Poisson encoding fires ON and OFF channels at rate min(1, gain |x|)", "[encoding]") {
  LifRnnConfig c;
  c.n_in = 3;
  c.encoding = InputEncoding::kPoisson;
  c.encoding_gain = 0.5;
  const std::uint64_t seed = 2024;
  INFO("seed " << seed);
  nf::Rng rng(seed);
  const int columns = 20000;
  Matrix x(3, columns);
  x.row(0).setConstant(0.8);   // ON at 0.4
  x.row(1).setConstant(-0.3);  // OFF at 0.15
  x.row(2).setConstant(5.0);   // ON saturates at 1
  const Eigen::MatrixXf uniforms = sample_noise(c, columns, rng);
  REQUIRE(uniforms.rows() == 6);
  const Matrix u = uniforms.cast<double>();
  Matrix encoded;
  encode_inputs(c, x, 4, &u, encoded);
  REQUIRE(encoded.rows() == 6);
  CHECK(((encoded.array() == 0) || (encoded.array() == 1)).all());
  const auto rate = [&](int row) { return encoded.row(row).sum() / columns; };
  // 5 standard deviations of a binomial proportion.
  const auto tolerance = [&](double p) { return 5 * std::sqrt(p * (1 - p) / columns); };
  CHECK(std::abs(rate(0) - 0.4) < tolerance(0.4));
  CHECK(rate(1) == 0.0);
  CHECK(rate(2) == 0.0);
  CHECK(std::abs(rate(3) - 0.15) < tolerance(0.15));
  CHECK(rate(4) == 1.0);
  CHECK(rate(5) == 0.0);
  CHECK_THROWS_WITH(encode_inputs(c, x, 4, static_cast<const Matrix*>(nullptr), encoded), Catch::Contains("Poisson"));
}

TEST_CASE("delta encoding sends one event per threshold crossing, per trial", "[encoding]") {
  LifRnnConfig c;
  c.n_in = 1;
  c.encoding = InputEncoding::kDelta;
  c.delta_threshold = 0.5;
  // Trial 0: 0 → 1.2 (two crossings up, sent over two steps), hold, back to 0
  // (two down). Trial 1: constant 0.4 (never crosses). Layout: column t·B + b.
  const std::vector<double> trial0 = {0.0, 1.2, 1.2, 1.2, 0.0, 0.0, 0.0};
  const int steps = static_cast<int>(trial0.size());
  Matrix x(1, steps * 2);
  for (int t = 0; t < steps; ++t) {
    x(0, t * 2) = trial0[static_cast<std::size_t>(t)];
    x(0, t * 2 + 1) = 0.4;
  }
  Matrix encoded;
  encode_inputs<double>(c, x, 2, nullptr, encoded);
  REQUIRE(encoded.rows() == 2);
  const std::vector<double> on = {0, 1, 1, 0, 0, 0, 0};
  const std::vector<double> off = {0, 0, 0, 0, 1, 1, 0};
  for (int t = 0; t < steps; ++t) {
    INFO("step " << t);
    CHECK(encoded(0, t * 2) == on[static_cast<std::size_t>(t)]);
    CHECK(encoded(1, t * 2) == off[static_cast<std::size_t>(t)]);
    CHECK(encoded(0, t * 2 + 1) == 0.0);
    CHECK(encoded(1, t * 2 + 1) == 0.0);
  }
}
