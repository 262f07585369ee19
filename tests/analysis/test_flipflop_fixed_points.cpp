// A trained 1-bit flip-flop (long: about 30 s of training) explained by its
// fixed points: with no input the network holds two stable states whose
// readouts are the task's two target levels, 0 (after a reset) and 1 (after a
// set; models/src/tasks/flipflop_task.cpp), with a saddle between them.
//
// Not every solution is of this kind: the same training with seed 1 holds 1
// in a stable fixed point but 0 by other means, with no fixed point at y = 0
// (docs/analysis-dynamics.md). Seed 2's network is the textbook two-attractor
// solution; it is committed as tests/data/rate-flipflop-n50-seed2
// (tests/data/regenerate.sh), so this test does not depend on the trainer.
#include <catch2/catch.hpp>

#include "neurofab/analysis/fixed_points.hpp"
#include "neurofab/analysis/spectrum.hpp"
#include "test_data.hpp"

TEST_CASE("a trained flip-flop has stable fixed points at readouts 0 and 1", "[fixed_points][long]") {
  const auto artifact = nf::test::trained_rate_network("rate-flipflop-n50-seed2");
  const std::uint64_t seed = artifact.seed;
  INFO("training seed " << seed);
  const auto task = nf::models::make_task("flipflop", {{"trial_length", 410}});
  const double success = nf::models::evaluate(artifact.network, *task, 256, seed).success_rate;
  INFO("success " << success);
  REQUIRE(success >= 0.9);

  nf::analysis::FixedPointOptions options;
  options.starts = 128;
  options.seed = 1;
  INFO("start seed " << options.seed);
  const auto analysis = nf::analysis::analyse_fixed_points(artifact, "flipflop", "", options);
  int stable = 0;
  bool low = false, high = false;
  for (const auto& p : analysis.search.points) {
    INFO("point q " << p.q << " " << p.stability() << " y " << p.readout(0));
    if (!(p.fixed && p.stable())) continue;
    ++stable;
    low |= std::abs(p.readout(0) - 0.0) < 0.1;
    high |= std::abs(p.readout(0) - 1.0) < 0.1;
  }
  CHECK(stable >= 2);
  CHECK(low);
  CHECK(high);
  // Two attractors need a boundary between them: at least one saddle.
  int saddles = 0;
  for (const auto& p : analysis.search.points) saddles += p.fixed && p.stability() == "saddle";
  CHECK(saddles >= 1);

  // The spectrum of the same network runs and its init stage is the orthogonal draw (every |λ| = 1).
  const auto s = nf::analysis::network_spectrum(artifact, "flipflop", {});
  for (const auto lambda : s.spectra[0].eigenvalues) CHECK(std::abs(lambda) == Approx(1.0).epsilon(1e-5));
}
