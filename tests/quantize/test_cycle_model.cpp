// The cycle model of nf_rate_core, against hand-counted schedules.
#include <catch2/catch.hpp>

#include "neurofab/common/error.hpp"
#include "neurofab/quantize/cycle_model.hpp"

using namespace nf::quantize;

TEST_CASE("rate core cycles per step follow the phase schedule", "[quantize][cycles]") {
  // N = 50, P = 1, 2 inputs, 1 output: 50 groups of (3 + 51 + 2), one output group of (51 + 1).
  CHECK(rate_step_cycles({50, 2, 1, 1}) == 50 * (3 + 51 + 2) + 52);
  // N = 7, P = 3: 3 groups (the last one padded), 3 outputs in 1 group.
  CHECK(rate_step_cycles({7, 3, 3, 3}) == 3 * (4 + 8 + 4) + (8 + 1));
  // 3 outputs on 2 lanes: 2 output groups.
  CHECK(rate_step_cycles({24, 3, 3, 2}) == 12 * (4 + 25 + 3) + 2 * (25 + 1));
  // Doubling the lanes when they divide N: fewer cycles (not in general: padded groups cost).
  for (int p = 1; p < 64; p *= 2) CHECK(rate_step_cycles({64, 2, 1, 2 * p}) < rate_step_cycles({64, 2, 1, p}));
  CHECK(clear_cycles(50) == 50);
  CHECK_THROWS_AS(rate_step_cycles({8, 2, 1, 0}), nf::InputError);
}
