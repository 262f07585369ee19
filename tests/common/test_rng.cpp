#include <catch2/catch.hpp>
#include <cmath>

#include "neurofab/common/rng.hpp"

TEST_CASE("the engine is the standard's mt19937_64", "[rng]") {
  // The C++ standard fixes the 10000th output of a default-seeded mt19937_64.
  nf::Rng rng(5489u);
  std::uint64_t x = 0;
  for (int i = 0; i < 10000; ++i) x = rng.next_u64();
  CHECK(x == 9981545732273789042ULL);
}

TEST_CASE("same seed gives the same numbers, and derived streams differ", "[rng]") {
  nf::Rng a(17), b(17), c(18);
  for (int i = 0; i < 5; ++i) {
    const double x = a.normal();
    CHECK(x == b.normal());
    CHECK(x != c.normal());
  }
  CHECK(nf::Rng::derive(1, {2, 3}).next_u64() == nf::Rng::derive(1, {2, 3}).next_u64());
  CHECK(nf::Rng::derive(1, {2, 3}).next_u64() != nf::Rng::derive(1, {3, 2}).next_u64());
  CHECK(nf::Rng::derive(1, {2}).next_u64() != nf::Rng::derive(2, {2}).next_u64());
}

TEST_CASE("distributions have the right moments and ranges", "[rng]") {
  const std::uint64_t seed = 123;
  INFO("seed " << seed);
  nf::Rng rng(seed);
  const int n = 200000;
  double sum = 0, sum_sq = 0, u_sum = 0;
  int below_counts[5] = {};
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    sum += z;
    sum_sq += z * z;
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    u_sum += u;
    const auto k = rng.below(5);
    REQUIRE(k < 5);
    ++below_counts[k];
  }
  CHECK(std::abs(sum / n) < 0.01);
  CHECK(sum_sq / n == Approx(1.0).epsilon(0.01));
  CHECK(u_sum / n == Approx(0.5).epsilon(0.01));
  for (int count : below_counts) CHECK(count == Approx(n / 5.0).epsilon(0.02));
}
