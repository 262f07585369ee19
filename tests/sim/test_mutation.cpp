// Mutation checks: the lock-step verification must catch a deliberately broken
// core. Each test copies rtl/sv, injects one fault into the copy, and runs
// `verify` on that copy (VerifyOptions::rtl_sources): the unmodified sources
// pass on the same network and seed, the mutant must fail with a MISMATCH.
//   - a wrong rounding mode: half-up rounding turned into round-half-down
//     (differs only on exact ties) in nf_shift_round, and ties-to-even
//     turned into ties-away in nf_decay's run-time shift (the LIF decay);
//   - an off-by-one in the cycle count: one more drain cycle in nf_rate_core;
//   - a dropped spike: nf_lif_core does not append the third spike of a step
//     to the spike list (the spike itself is still reported);
//   - miscounted activity (the values all right): the rate core's readout
//     counter also counts the b_out load as MACs, the LIF core's spike-list
//     read counter also counts the readout's bias-load cycle.
#include <catch2/catch.hpp>

#include "neurofab/models/init.hpp"
#include "neurofab/rtl/rtl_generator.hpp"
#include "neurofab/sim/lockstep.hpp"
#include "rtl_mutation.hpp"
#include "temp_dir.hpp"

using namespace nf;
namespace fs = std::filesystem;

namespace {

using test::Mutation;
using test::write_mutant;

quantize::QuantizedArtifact rate_network() {
  const auto task = models::make_task("xor");
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 12;
  c.n_out = task->n_out();
  c.tau_ms = 3;  // a general leak multiplier: many products to round
  const models::RateRnnArtifact a{models::make_rate_rnn(c, {}, 21), {}, task->name(), task->param_values(), 21, {}, {}};
  return quantize::quantize_artifact(a, "mutation-test", {});
}

quantize::QuantizedArtifact lif_network(quantize::QuantizeOptions options = {}) {
  const auto task = models::make_task("xor");
  models::LifRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 12;
  c.n_out = task->n_out();
  auto network = models::make_lif_rnn(c, {}, 21);
  network.weights().b_rec.setConstant(0.1f);  // active: several spikes per step
  const models::LifRnnArtifact a{std::move(network), {}, task->name(), task->param_values(), 21, {}, {}};
  return quantize::quantize_artifact(a, "mutation-test", options);
}

// Runs the original and the mutant; returns the mutant's log.
std::string mutant_log(const quantize::QuantizedArtifact& network, const Mutation& m) {
  nf::test::TempDir tmp;
  sim::VerifyOptions v;
  v.lanes = 2;
  v.trials = 3;
  v.seed = 77;
  v.cache_dir = NF_TEST_CACHE_DIR;
  const sim::VerifyResult original = sim::verify(network, v);
  INFO(original.log);
  REQUIRE(original.passed);

  write_mutant(m, tmp / "sv");
  v.rtl_sources = tmp / "sv";
  const sim::VerifyResult mutant = sim::verify(network, v);
  INFO(mutant.log);
  CHECK(!mutant.passed);
  CHECK(mutant.testbench != original.testbench);  // its own build, not the cached original
  return mutant.log;
}

}  // namespace

TEST_CASE("mutation: a wrong rounding mode is caught", "[sim][rtl][mutation]") {
  const std::string log = mutant_log(rate_network(), {"nf_shift_round.sv", "1:       round_up = half_bit;",
                                                      "1:       round_up = half_bit & rest_bits;"});
  CHECK_THAT(log, Catch::Contains("MISMATCH trial 0"));
}

TEST_CASE("mutation: a wrong rounding mode in the LIF decay is caught", "[sim][rtl][mutation]") {
  quantize::QuantizeOptions q;
  q.rounding = quantize::Rounding::kConvergent;
  q.decay.form = quantize::DecayForm::kShift;
  const std::string log =
      mutant_log(lif_network(q), {"nf_decay.sv", "round_up = (remainder > half) || ((remainder == half) && floor_value[0]);",
                                  "round_up = (remainder >= half);"});
  CHECK_THAT(log, Catch::Contains("MISMATCH trial 0"));
}

TEST_CASE("mutation: an off-by-one in the cycle count is caught", "[sim][rtl][mutation]") {
  const std::string log = mutant_log(rate_network(), {"nf_rate_core.sv", "DrainCycles = Lanes + 3;",
                                                      "DrainCycles = Lanes + 4;"});
  CHECK_THAT(log, Catch::Contains("MISMATCH trial 0 timestep 0: cycles (cycle model)"));
}

TEST_CASE("mutation: a dropped spike is caught", "[sim][rtl][mutation]") {
  const std::string log =
      mutant_log(lif_network(), {"nf_lif_core.sv", "assign list_write       = update_consume && spike;",
                                 "assign list_write       = update_consume && spike && new_spikes_q != 2;"});
  CHECK_THAT(log, Catch::Contains("MISMATCH trial 0"));
}

TEST_CASE("mutation: a readout MAC counter that counts the bias load is caught", "[sim][rtl][mutation][activity]") {
  const std::string log =
      mutant_log(rate_network(), {"nf_rate_core.sv", "if (b_valid_q) activity_d[2] = activity_q[2] + 64'(NumOutputs);",
                                  "if (b_valid_q || in_fire) activity_d[2] = activity_q[2] + 64'(NumOutputs);"});
  CHECK_THAT(log, Catch::Contains("MISMATCH trial 0 timestep 0: activity mac_readout"));
}

TEST_CASE("mutation: a spike-list read counter that counts the bias load is caught", "[sim][rtl][mutation][activity]") {
  const std::string log = mutant_log(
      lif_network(), {"nf_lif_core.sv", "if ((phase_q == PhaseRecurrent || phase_q == PhaseReadout) && lane_enable && !lane_load) begin",
                      "if ((phase_q == PhaseRecurrent || phase_q == PhaseReadout) && lane_enable) begin"});
  CHECK_THAT(log, Catch::Contains("MISMATCH trial 0 timestep 0: activity spike_list reads"));
}
