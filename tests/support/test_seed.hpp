#pragma once
// The seed of a randomised test: a fixed default, so every run draws the same
// and a failure replays, printed in the log; the environment variable
// NEUROFAB_TEST_SEED replaces it (to replay a logged seed, or to try others):
//
//   NEUROFAB_TEST_SEED=987 ctest -R host_link --output-on-failure

#include <fmt/format.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace nf::test {

inline constexpr const char* kTestSeedVariable = "NEUROFAB_TEST_SEED";

// NEUROFAB_TEST_SEED if set (a decimal integer; anything else throws, naming
// the variable), else `default_seed`; printed to stdout either way.
inline std::uint64_t test_seed(std::uint64_t default_seed) {
  std::uint64_t seed = default_seed;
  const char* text = std::getenv(kTestSeedVariable);
  if (text != nullptr) {
    const std::string value(text);
    char* end = nullptr;
    errno = 0;
    const unsigned long long parsed = std::strtoull(value.c_str(), &end, 10);
    if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || errno == ERANGE ||
        end != value.c_str() + value.size()) {
      throw std::invalid_argument(fmt::format("{}='{}': not a decimal seed", kTestSeedVariable, value));
    }
    seed = static_cast<std::uint64_t>(parsed);
    fmt::print("seed {} (from {}; unset it for the default {})\n", seed, kTestSeedVariable, default_seed);
  } else {
    fmt::print("seed {} (set {} to replay another)\n", seed, kTestSeedVariable);
  }
  std::fflush(stdout);
  return seed;
}

}  // namespace nf::test
