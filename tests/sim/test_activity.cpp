// The RTL's activity counters against the golden model's operation counts
// (issue #9: "the operation counts of the golden model equal those counted
// independently in the RTL simulation"). Every lock-step run compares each
// step's counts with golden/step_operations.hpp (a difference is a
// MISMATCH); these cases cover the shapes the counting depends on — one lane,
// a lane count that does not divide N (padding lanes must not count), tanh
// table and relu, LIF current input and spike input with refractory units —
// and check that VerifyResult::activity holds the totals: the sum of
// step_operations over every step of the vectors.
#include <catch2/catch.hpp>

#include "lockstep_checks.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/golden/step_operations.hpp"
#include "neurofab/sim/lockstep.hpp"
#include "temp_dir.hpp"

using namespace nf;

namespace {

quantize::QuantizedArtifact rate_network(int units, models::Activation activation) {
  const auto task = models::make_task("xor");
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = units;
  c.n_out = task->n_out();
  c.activation = activation;
  const models::RateRnnArtifact a{models::make_rate_rnn(c, {}, 41), {}, task->name(), task->param_values(), 41, {}, {}};
  return quantize::quantize_artifact(a, "activity-test", {});
}

quantize::QuantizedArtifact lif_network(int units, models::InputEncoding encoding, int refractory_steps) {
  const auto task = models::make_task("xor");
  models::LifRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = units;
  c.n_out = task->n_out();
  c.encoding = encoding;
  c.refractory_steps = refractory_steps;
  auto network = models::make_lif_rnn(c, {}, 41);
  network.weights().b_rec.setConstant(0.15f);  // active: spikes, refractory units
  const models::LifRnnArtifact a{std::move(network), {}, task->name(), task->param_values(), 41, {}, {}};
  return quantize::quantize_artifact(a, "activity-test", {});
}

// Verifies `network` (every step's counts compared in the harness) and checks
// the totals in VerifyResult against step_operations summed over the vectors.
golden::StepOperations check_activity(const quantize::QuantizedArtifact& network, int lanes) {
  test::TempDir tmp;
  sim::VerifyOptions v;
  v.lanes = lanes;
  v.trials = 3;
  v.seed = 19;
  v.cache_dir = NF_TEST_CACHE_DIR;
  v.keep_dir = tmp / "work";
  const sim::VerifyResult r = sim::verify(network, v);
  const golden::GoldenTrace vectors = golden::GoldenTrace::load((tmp / "work" / "vectors").string());
  test::check_lockstep_pass(r, v.seed, static_cast<long long>(vectors.trials()) * vectors.steps());
  CHECK_THAT(r.log, Catch::Contains("operation count"));

  const golden::StepOperations total = golden::total_operations(vectors, lanes);
  const nlohmann::json expected = golden::to_json(total);
  REQUIRE(r.activity.is_object());
  CHECK(r.activity.at("format") == "neurofab-activity");
  CHECK(r.activity.at("harness") == "verilator");
  CHECK(r.activity.at("lanes") == lanes);
  CHECK(r.activity.at("trials") == vectors.trials());
  CHECK(r.activity.at("steps") == vectors.steps());
  CHECK(r.activity.at("timesteps") == static_cast<std::int64_t>(vectors.trials()) * vectors.steps());
  CHECK(r.activity.at("operations") == expected.at("operations"));
  CHECK(r.activity.at("memories") == expected.at("memories"));
  return total;
}

}  // namespace

TEST_CASE("activity: rate core, one lane, tanh table", "[sim][rtl][activity]") {
  const golden::StepOperations total = check_activity(rate_network(10, models::Activation::kTanh), 1);
  CHECK(total.count("table_lookup") == total.count("activation"));
  CHECK(total.memory("state").reads == 10 * total.memory("state").writes);  // 10 groups of one lane
}

TEST_CASE("activity: rate core, 3 lanes for 10 units, relu", "[sim][rtl][activity]") {
  const golden::StepOperations total = check_activity(rate_network(10, models::Activation::kRelu), 3);
  CHECK(total.count("table_lookup") == 0);
  CHECK(total.memory("state").reads == 4 * total.memory("state").writes);  // 4 groups, the last padded
}

TEST_CASE("activity: LIF core, one lane, current input", "[sim][rtl][activity][lif]") {
  const golden::StepOperations total = check_activity(lif_network(8, models::InputEncoding::kCurrent, 0), 1);
  CHECK(total.count("mac_input") > 0);
  CHECK(total.count("synop_input") == 0);
  CHECK(total.count("synop_recurrent") > 0);
}

TEST_CASE("activity: LIF core, 3 lanes for 10 units, Poisson input, refractory", "[sim][rtl][activity][lif]") {
  const golden::StepOperations total = check_activity(lif_network(10, models::InputEncoding::kPoisson, 2), 3);
  CHECK(total.count("mac_input") == 0);
  CHECK(total.count("synop_input") > 0);
  CHECK(total.count("spike") > 0);
  CHECK(total.count("threshold") < total.memory("state").reads);  // refractory units skip the compare
}
