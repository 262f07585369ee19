// The SystemC harness (sim/systemc/nf_core_sc_tb.cpp): the core Verilated
// with --sc between a stream initiator and a stream target, checked in lock
// step like the Verilator testbench. Rate networks of two configurations
// pass, ports wider than 64 bits (sc_bv) work, the LIF core passes with the
// same event-driven cycle counts as in the Verilator testbench, and a
// changed golden value is caught with its place and a waveform.
//
// Test names contain "systemc": `ctest -R systemc` runs them.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "neurofab/common/process.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "lockstep_checks.hpp"
#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/golden/step_operations.hpp"
#include "neurofab/sim/lockstep.hpp"
#include "temp_dir.hpp"

using namespace nf;
namespace fs = std::filesystem;

namespace {

struct RateCase {
  const char* task;
  std::map<std::string, double> task_params;
  int units, lanes, weight_bits, state_bits;
  quantize::Rounding rounding;
  double tau_ms;  // α = dt / τ: 1 → α = 1, 3 → a general multiplier
  int trials, steps_per_trial;
};

// Random weights and biases (the shapes and formats are what matter here).
models::RateRnnArtifact make_rate_network(const RateCase& c) {
  const auto task = models::make_task(c.task, c.task_params);
  models::RateRnnConfig config;
  config.tau_ms = c.tau_ms;
  config.n_in = task->n_in();
  config.n_rec = c.units;
  config.n_out = task->n_out();
  models::NetworkInit init;
  init.w_rec.gain = 1.5;
  auto network = models::make_rate_rnn(config, init, 11);
  Rng rng(static_cast<std::uint64_t>(c.units) * 131 + static_cast<std::uint64_t>(c.weight_bits));
  for (Eigen::Index i = 0; i < network.weights().b_rec.size(); ++i) {
    network.weights().b_rec(i) = static_cast<float>(rng.normal() * 0.3);
  }
  for (Eigen::Index m = 0; m < network.weights().b_out.size(); ++m) {
    network.weights().b_out(m) = static_cast<float>(rng.normal() * 0.1);
  }
  return {std::move(network), init, task->name(), task->param_values(), 11, {}, {}};
}

quantize::QuantizedArtifact quantize_rate(const RateCase& c) {
  quantize::QuantizeOptions q;
  q.weight_bits = c.weight_bits;
  q.state_bits = c.state_bits;
  q.rounding = c.rounding;
  return quantize::quantize_artifact(make_rate_network(c), "systemc-test", q);
}

sim::VerifyOptions systemc_options(int lanes, int trials, std::uint64_t seed) {
  sim::VerifyOptions v;
  v.harness = sim::Harness::kSystemC;
  v.lanes = lanes;
  v.trials = trials;
  v.seed = seed;
  v.max_stall = 3;
  v.cache_dir = NF_TEST_CACHE_DIR;
  return v;
}

// The log of a passing run: its first line, the seed, and every timestep checked.
void check_pass_log(const sim::VerifyResult& r, std::uint64_t seed, long long timesteps) {
  test::check_lockstep_pass(r, seed, timesteps);
  CHECK(r.testbench.filename() == "nf_core_sc_tb");
  CHECK(r.log.rfind(fmt::format("nf_core_sc_tb: seed {} (back-pressure up to 3 cycles)", seed), 0) == 0);
}

void run_rate_case(const RateCase& c, std::uint64_t seed) {
  const sim::VerifyResult r = sim::verify(quantize_rate(c), systemc_options(c.lanes, c.trials, seed));
  check_pass_log(r, seed, static_cast<long long>(c.trials) * c.steps_per_trial);
}

const RateCase kSmall{"xor", {}, 16, 2, 8, 16, quantize::Rounding::kHalfUp, 1, 6, 200};
const RateCase kLarger{"xor", {}, 40, 4, 6, 12, quantize::Rounding::kConvergent, 3, 4, 200};
// Five channels of 16 bits: input and output ports of 80 bits, sc_bv<80> in SystemC.
const RateCase kWide{"nbit_flipflop", {{"bits", 5}}, 12, 3, 8, 16, quantize::Rounding::kHalfUp, 1, 3, 100};

}  // namespace

TEST_CASE("systemc harness: rate core N16 P2 w8 s16 half_up", "[sim][rtl][systemc]") { run_rate_case(kSmall, 31); }

TEST_CASE("systemc harness: rate core N40 P4 w6 s12 convergent alpha 1/3", "[sim][rtl][systemc]") {
  run_rate_case(kLarger, 32);
}

TEST_CASE("systemc harness: rate core with 80-bit stream ports (sc_bv)", "[sim][rtl][systemc]") {
  run_rate_case(kWide, 33);
}

TEST_CASE("systemc harness: LIF core, its event-driven cycles checked every step", "[sim][rtl][systemc][lif]") {
  const auto task = models::make_task("xor");
  models::LifRnnConfig config;
  config.n_in = task->n_in();
  config.n_rec = 16;
  config.n_out = task->n_out();
  models::NetworkInit init;
  init.w_in.gain = 3.0;
  auto network = models::make_lif_rnn(config, init, 11);
  Rng rng(29);
  for (Eigen::Index i = 0; i < network.weights().b_rec.size(); ++i) {
    network.weights().b_rec(i) = static_cast<float>(0.1 + rng.normal() * 0.3);  // some units spike, not all
  }
  const models::LifRnnArtifact artifact{std::move(network), init, task->name(), task->param_values(), 11, {}, {}};
  const auto quantized = quantize::quantize_artifact(artifact, "systemc-test", {});
  const int trials = 5;
  const auto golden = quantize::evaluate_integer(std::get<quantize::IntegerLifRnn>(quantized.network), *task, trials,
                                                 quantized.seed);
  INFO("golden: " << golden.spikes_per_step << " spikes per step");
  REQUIRE(golden.spikes_per_step > 0.5);  // else the cycles would not depend on the spikes

  nf::test::TempDir tmp;
  sim::VerifyOptions v = systemc_options(2, trials, 34);
  v.keep_dir = tmp / "work";
  const sim::VerifyResult systemc = sim::verify(quantized, v);
  check_pass_log(systemc, 34, trials * 200LL);
  // The operation counts were equal every step; the totals are their sum.
  const auto vectors = golden::GoldenTrace::load((tmp / "work" / "vectors").string());
  const nlohmann::json expected = golden::to_json(golden::total_operations(vectors, 2));
  REQUIRE(systemc.activity.is_object());
  CHECK(systemc.activity.at("harness") == "systemc");
  CHECK(systemc.activity.at("timesteps") == trials * 200);
  CHECK(systemc.activity.at("operations") == expected.at("operations"));
  CHECK(systemc.activity.at("memories") == expected.at("memories"));
}

TEST_CASE("systemc harness: a changed golden value is caught with its place and a waveform", "[sim][rtl][systemc]") {
  nf::test::TempDir tmp;
  RateCase c = kSmall;
  c.trials = 1;
  sim::VerifyOptions v = systemc_options(c.lanes, c.trials, 35);
  v.keep_dir = tmp / "work";
  const sim::VerifyResult passed = sim::verify(quantize_rate(c), v);
  INFO(passed.log);
  REQUIRE(passed.passed);

  // Unit 4's state at timestep 37, one code off.
  const fs::path state = tmp / "work" / "vectors" / "state.bin";
  std::fstream file(state, std::ios::in | std::ios::out | std::ios::binary);
  const std::streamoff at = (37 * c.units + 4) * 4;
  std::int32_t value = 0;
  file.seekg(at);
  file.read(reinterpret_cast<char*>(&value), 4);
  const std::int32_t expected = value + 1;
  file.seekp(at);
  file.write(reinterpret_cast<const char*>(&expected), 4);
  file.close();

  const ProcessResult r = run_process({passed.testbench.string(), "--vectors", (tmp / "work" / "vectors").string(),
                                       "--seed", "35", "--fst", (tmp / "window.fst").string()},
                                      tmp / "tb.log", tmp / "work" / "rtl");
  const std::string log = last_lines(tmp / "tb.log", 5);
  INFO(log);
  CHECK(r.exited);
  CHECK(r.exit_code == 1);
  CHECK_THAT(log, Catch::Contains("MISMATCH trial 0 timestep 37: state h [4] expected " + std::to_string(expected) +
                                  ", actual " + std::to_string(value)));
  CHECK_THAT(log, Catch::Contains("waveform of trial 0, timesteps 35 to 37: " + (tmp / "window.fst").string()));
  CHECK_THAT(log, !Catch::Contains("replay did not"));
  REQUIRE(fs::exists(tmp / "window.fst"));
  CHECK(fs::file_size(tmp / "window.fst") > 0);
}
