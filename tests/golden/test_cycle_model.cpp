// The cycle models of nf_rate_core and nf_lif_core, against hand-counted schedules.
#include <catch2/catch.hpp>
#include <cmath>

#include "neurofab/common/error.hpp"
#include "neurofab/golden/cycle_model.hpp"

using namespace nf::golden;

TEST_CASE("rate core cycles per step follow the pipelined schedule", "[golden][cycles]") {
  // N = 50, P = 1, 2 inputs: 50 groups of 52 MAC items, then the last unit's update (1 + 4).
  CHECK(rate_step_cycles({50, 2, 1, 1}) == 50 * 52 + 5);
  // N = 7, P = 3: 3 groups (the last one padded); the outputs cost nothing extra.
  CHECK(rate_step_cycles({7, 3, 3, 3}) == 3 * 10 + 7);
  CHECK(rate_step_cycles({7, 3, 1, 3}) == rate_step_cycles({7, 3, 3, 3}));
  // Doubling the lanes when they divide N: fewer cycles (not in general: padded groups cost).
  for (int p = 1; p < 64; p *= 2) CHECK(rate_step_cycles({64, 2, 1, 2 * p}) < rate_step_cycles({64, 2, 1, p}));
  // The target: within 5 % of the MAC bound ⌈N (n_in + N) / P⌉ for N ≥ 64, P ∈ {1, 2, 4, 8}.
  for (const int n : {64, 128, 256}) {
    for (const int p : {1, 2, 4, 8}) {
      const double bound = std::ceil(static_cast<double>(n) * (2 + n) / p);
      INFO("N " << n << " P " << p);
      CHECK(static_cast<double>(rate_step_cycles({n, 2, 1, p})) <= 1.05 * bound);
    }
  }
  CHECK(clear_cycles(50) == 50);
  CHECK_THROWS_AS(rate_step_cycles({8, 2, 1, 0}), std::invalid_argument);
}

TEST_CASE("LIF core cycles per step grow with the spikes, not with N squared", "[golden][cycles]") {
  // N = 50, P = 4, 4 encoded inputs, 1 output: 13 groups of (5 + (S_{t-1} + 2) + 5), then (S_t + 2) + 1.
  CHECK(lif_step_cycles({50, 4, 1, 4}, 0, 0) == 13 * (5 + 2 + 5) + 3);
  CHECK(lif_step_cycles({50, 4, 1, 4}, 7, 3) == 13 * (5 + 9 + 5) + 6);
  // One more spike last step costs one cycle per group; one more this step, one per output group.
  CHECK(lif_step_cycles({50, 4, 1, 4}, 8, 3) - lif_step_cycles({50, 4, 1, 4}, 7, 3) == 13);
  CHECK(lif_step_cycles({50, 4, 3, 2}, 7, 4) - lif_step_cycles({50, 4, 3, 2}, 7, 3) == 2);
  CHECK_THROWS_AS(lif_step_cycles({50, 4, 1, 4}, 51, 0), std::invalid_argument);
  CHECK_THROWS_AS(lif_step_cycles({50, 4, 1, 0}, 0, 0), std::invalid_argument);
}
