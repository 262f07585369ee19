// The HLS kernels in C-simulation against the integer golden model, bit for
// bit: `neurofab hls` exports a project, its testbench is built with g++ twice
// — with neurofab's stand-in types and with Xilinx's ap_types headers — and
// each build must compare every state value, output and overflow count at
// every timestep equal (the step kernel), and the top's output stream.
//
// Networks: one briefly trained network per task of the suite, rate and LIF;
// and random-weight stress over every rounding mode, saturate and wrap, relu /
// tanh table / piecewise-linear tanh, all leak and decay forms, both resets,
// refractory periods, current / Poisson / delta input, odd formats (no integer
// bits, integer bits above the width) and N up to 256 with lanes that do not
// divide N. Each row is its own test case so ctest -j2 spreads them. Every
// row also checks its kernel objects (csim_project.hpp, check_kernel_object).

#include <catch2/catch.hpp>

#include "csim_project.hpp"
#include "neurofab/hls/hls_export.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "stress_networks.hpp"
#include "temp_dir.hpp"

using namespace nf;

namespace {

using quantize::DecayForm;
using quantize::FixedFormat;
using quantize::Overflow;
using quantize::Rounding;

// Trials per network: 3 for the trained networks and the N = 256 stress rows
// (whose C-simulation at -O0 takes longest), 10 for the other stress rows.
constexpr int kTrials = 3;
int stress_trials(int units) { return units >= 256 ? 3 : 10; }

// Exports `q`, checks both C-simulation builds over `trials` trials and the
// kernel objects they linked (compiled alone, -fno-exceptions -Werror=vla).
void export_and_check(const quantize::QuantizedArtifact& q, int lanes, const std::string& family,
                      int trials = kTrials) {
  const auto task = models::make_task(q.task_name, q.task_params);
  test::TempDir dir;
  hls::HlsOptions options;
  options.lanes = lanes;
  options.trials = trials;
  options.seed = 5;
  hls::export_project(q, options, dir / "project", "csim-test");
  test::check_csim_both_types(dir / "project", family, static_cast<long long>(trials) * task->n_steps());
  // The objects the C-simulation linked: no heap, exceptions or I/O reachable from the tops.
  test::check_kernel_object(dir / "project", family);
}

// ---- Trained task networks: every task of the suite, both families.

void check_trained_task(const std::string& task_name) {
  SECTION("rate RNN") {
    const auto artifact = test::briefly_trained_network<models::RateRnn<float>>(task_name, 20, {}, 8);
    export_and_check(quantize::quantize_artifact(artifact, "trained", {}), 4, "rate");
  }
  SECTION("LIF RNN") {
    const auto artifact = test::briefly_trained_network<models::LifRnn<float>>(task_name, 20, {}, 4);
    export_and_check(quantize::quantize_artifact(artifact, "trained", {}), 3, "lif");
  }
}

// ---- Random-weight stress.

struct RateCase {
  const char* task;
  int units, lanes, weight_bits, state_bits;
  Rounding rounding;
  Overflow overflow;
  models::Activation activation;
  bool piecewise_linear;
  double tau_ms;   // α = dt / τ: 1 → α = 1, 4 → 2^-2, 3 → a general multiplier
  double gain;     // of W_rec
  bool overflows;  // formats from the 10th percentile: the golden model saturates or wraps
  std::map<std::string, FixedFormat> overrides;
};

void check_rate_case(const RateCase& c) {
  models::RateRnnConfig config;
  config.tau_ms = c.tau_ms;
  config.activation = c.activation;
  const auto artifact = test::random_rate_network(c.task, c.units, config, c.gain, 97 + static_cast<std::uint64_t>(c.units));
  quantize::QuantizeOptions q;
  q.weight_bits = c.weight_bits;
  q.state_bits = c.state_bits;
  q.rounding = c.rounding;
  q.overflow = c.overflow;
  q.piecewise_linear = c.piecewise_linear;
  q.overrides = c.overrides;
  if (c.overflows) {
    q.calibration = quantize::Calibration::kPercentile;
    q.percentile = 10;
  }
  const auto quantized = quantize::quantize_artifact(artifact, "stress", q);
  const auto task = models::make_task(quantized.task_name, quantized.task_params);
  const int trials = stress_trials(c.units);
  const auto golden = quantize::evaluate_integer(std::get<quantize::IntegerRateRnn>(quantized.network), *task,
                                                 trials, 5);
  INFO("golden model: " << golden.overflow_events << " overflow events");
  CHECK((golden.overflow_events > 0) == c.overflows);
  export_and_check(quantized, c.lanes, "rate", trials);
}

struct LifCase {
  const char* task;
  int units, lanes, weight_bits, state_bits;
  Rounding rounding;
  Overflow overflow;
  DecayForm decay;
  int multiplier_bits;
  models::ResetMode reset;
  int refractory;
  models::InputEncoding encoding;
  double tau_syn_ms;  // 0: the current-free neuron
  double gain, bias_mean;
  bool overflows;
  double min_spikes_per_step;
};

void check_lif_case(const LifCase& c) {
  models::LifRnnConfig config;
  config.tau_syn_ms = c.tau_syn_ms;
  config.reset = c.reset;
  config.refractory_steps = c.refractory;
  config.encoding = c.encoding;
  const auto artifact =
      test::random_lif_network(c.task, c.units, config, c.gain, c.bias_mean, 97 + static_cast<std::uint64_t>(c.units));
  quantize::QuantizeOptions q;
  q.weight_bits = c.weight_bits;
  q.state_bits = c.state_bits;
  q.rounding = c.rounding;
  q.overflow = c.overflow;
  q.decay.form = c.decay;
  if (c.decay == DecayForm::kMultiplier) q.decay.multiplier_bits = c.multiplier_bits;
  if (c.overflows) {
    q.calibration = quantize::Calibration::kPercentile;
    q.percentile = 10;
  }
  const auto quantized = quantize::quantize_artifact(artifact, "stress", q);
  const auto task = models::make_task(quantized.task_name, quantized.task_params);
  const int trials = stress_trials(c.units);
  const auto golden = quantize::evaluate_integer(std::get<quantize::IntegerLifRnn>(quantized.network), *task,
                                                 trials, 5);
  INFO("golden model: " << golden.spikes_per_step << " spikes per step, " << golden.overflow_events
                        << " overflow events");
  CHECK((golden.overflow_events > 0) == c.overflows);
  CHECK(golden.spikes_per_step >= c.min_spikes_per_step);
  export_and_check(quantized, c.lanes, "lif", trials);
}

using models::Activation;
using models::InputEncoding;
using models::ResetMode;

}  // namespace

#define NF_TRAINED(task) \
  TEST_CASE("HLS csim: trained " task, "[hls][csim][trained]") { check_trained_task(task); }
NF_TRAINED("and")
NF_TRAINED("or")
NF_TRAINED("xor")
NF_TRAINED("not")
NF_TRAINED("flipflop")
NF_TRAINED("oscillator")
NF_TRAINED("time_pulse")
NF_TRAINED("nbit_flipflop")
NF_TRAINED("delayed_discrimination")
NF_TRAINED("sine_wave")
NF_TRAINED("path_integration_2d")

TEST_CASE("HLS csim: rate stress: N8 P1 w8 s16 half_up saturate tanh table", "[hls][csim][rate]") {
  check_rate_case({"xor", 8, 1, 8, 16, Rounding::kHalfUp, Overflow::kSaturate, Activation::kTanh, false, 1, 1.5,
                   false, {}});
}
TEST_CASE("HLS csim: rate stress: N16 P2 w6 s12 convergent wrap tanh alpha 1/3, overflowing", "[hls][csim][rate]") {
  check_rate_case({"xor", 16, 2, 6, 12, Rounding::kConvergent, Overflow::kWrap, Activation::kTanh, false, 3, 6.0,
                   true, {}});
}
TEST_CASE("HLS csim: rate stress: N32 P4 w10 s16 floor saturate relu alpha 1/4", "[hls][csim][rate]") {
  check_rate_case({"flipflop", 32, 4, 10, 16, Rounding::kFloor, Overflow::kSaturate, Activation::kRelu, false, 4,
                   0.9, false, {}});
}
TEST_CASE("HLS csim: rate stress: N13 P4 w4 s8 half_up wrap relu, overflowing", "[hls][csim][rate]") {
  check_rate_case({"xor", 13, 4, 4, 8, Rounding::kHalfUp, Overflow::kWrap, Activation::kRelu, false, 1, 3.0, true,
                   {}});
}
TEST_CASE("HLS csim: rate stress: N24 P5 convergent piecewise-linear tanh, 3 outputs", "[hls][csim][rate]") {
  check_rate_case({"nbit_flipflop", 24, 5, 8, 16, Rounding::kConvergent, Overflow::kSaturate, Activation::kTanh, true,
                   3, 1.5, false, {}});
}
TEST_CASE("HLS csim: rate stress: N40 P8 floor piecewise-linear, formats with I = 0 and I > W", "[hls][csim][rate]") {
  // W_rec Q8.8 (ap_fixed<8, 0>), b_out Q6.-2 (ap_fixed<6, 8>: a grid of 4), output Q10.10 (saturates).
  check_rate_case({"xor", 40, 8, 8, 16, Rounding::kFloor, Overflow::kSaturate, Activation::kTanh, true, 4, 1.0, true,
                   {{"W_rec", {8, 8}}, {"b_out", {6, -2}}, {"output", {10, 10}}}});
}
TEST_CASE("HLS csim: rate stress: N256 P8 w8 s16 half_up saturate tanh", "[hls][csim][rate]") {
  check_rate_case({"xor", 256, 8, 8, 16, Rounding::kHalfUp, Overflow::kSaturate, Activation::kTanh, false, 1, 1.0,
                   false, {}});
}

TEST_CASE("HLS csim: LIF stress: N8 P1 Loihi 12-bit decay subtract current input", "[hls][csim][lif]") {
  check_lif_case({"xor", 8, 1, 8, 16, Rounding::kHalfUp, Overflow::kSaturate, DecayForm::kMultiplier, 12,
                  ResetMode::kSubtract, 0, InputEncoding::kCurrent, 5, 1.5, 0.05, false, 0.5});
}
TEST_CASE("HLS csim: LIF stress: N16 P2 w6 s12 convergent wrap shift decay zero reset R2 Poisson, overflowing",
          "[hls][csim][lif]") {
  check_lif_case({"xor", 16, 2, 6, 12, Rounding::kConvergent, Overflow::kWrap, DecayForm::kShift, 0, ResetMode::kZero,
                  2, InputEncoding::kPoisson, 5, 2.0, 0.8, true, 1.0});
}
TEST_CASE("HLS csim: LIF stress: N32 P4 floor 8-bit multiplier R1 delta current-free", "[hls][csim][lif]") {
  check_lif_case({"flipflop", 32, 4, 8, 16, Rounding::kFloor, Overflow::kSaturate, DecayForm::kMultiplier, 8,
                  ResetMode::kSubtract, 1, InputEncoding::kDelta, 0, 1.0, 0.6, false, 1.0});
}
TEST_CASE("HLS csim: LIF stress: N24 P5 w10 16-bit multiplier zero reset, 3 outputs", "[hls][csim][lif]") {
  check_lif_case({"nbit_flipflop", 24, 5, 10, 16, Rounding::kHalfUp, Overflow::kSaturate, DecayForm::kMultiplier, 16,
                  ResetMode::kZero, 0, InputEncoding::kCurrent, 5, 1.2, 0.05, false, 1.0});
}
TEST_CASE("HLS csim: LIF stress: N13 P4 w4 s8 wrap shift decay subtract, overflowing", "[hls][csim][lif]") {
  check_lif_case({"xor", 13, 4, 4, 8, Rounding::kHalfUp, Overflow::kWrap, DecayForm::kShift, 0, ResetMode::kSubtract,
                  0, InputEncoding::kCurrent, 10, 3.0, 0.5, true, 0.5});
}
TEST_CASE("HLS csim: LIF stress: N64 P8 Loihi decay R3 Poisson, highly active", "[hls][csim][lif]") {
  check_lif_case({"xor", 64, 8, 8, 16, Rounding::kHalfUp, Overflow::kSaturate, DecayForm::kMultiplier, 12,
                  ResetMode::kSubtract, 3, InputEncoding::kPoisson, 5, 1.0, 2.0, false, 8.0});
}
TEST_CASE("HLS csim: LIF stress: N256 P8 convergent shift decay", "[hls][csim][lif]") {
  check_lif_case({"xor", 256, 8, 8, 16, Rounding::kConvergent, Overflow::kSaturate, DecayForm::kShift, 0,
                  ResetMode::kSubtract, 0, InputEncoding::kCurrent, 5, 1.0, 0.05, false, 4.0});
}
