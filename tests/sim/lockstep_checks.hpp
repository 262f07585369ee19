#pragma once
// The check every lock-step test ends with: the run passed, every timestep
// was checked, and the log names the back-pressure seed (to reproduce it).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <regex>

#include "neurofab/sim/lockstep.hpp"

namespace nf::test {

inline void check_lockstep_pass(const sim::VerifyResult& r, std::uint64_t seed, long long timesteps) {
  INFO(r.log);
  REQUIRE(r.passed);
  std::smatch m;
  REQUIRE(std::regex_search(r.log, m, std::regex("PASS: (\\d+) timesteps")));
  CHECK(std::stoll(m[1].str()) == timesteps);
  CHECK_THAT(r.log, Catch::Contains(fmt::format("seed {} ", seed)));
}

}  // namespace nf::test
