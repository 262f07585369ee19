// nf_lif_core in lock step with the integer LIF golden model (Verilator): a
// matrix over sizes N = 8..256, lanes P ∈ {1, 2, 4, 8} (and ones that do not
// divide N), weight and state widths, every rounding mode, saturate and wrap,
// all three decay forms (shift 2^-k, multiplier with B = 8 and 16 bits, and
// Loihi's 12-bit multiplier), both resets, refractory periods, current,
// Poisson and delta input encodings and the current-free neuron, over
// random-weight stress networks (quiet to highly active) and trained task
// networks. Every timestep: every current, membrane, spike, refractory counter
// and output, the overflow count, and the cycle count of the event-driven
// schedule (which depends on the spikes) must be equal; random valid/ready
// back-pressure with the seed in the log.

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/sim/lockstep.hpp"
#include "lockstep_checks.hpp"
#include "stress_networks.hpp"
#include "test_data.hpp"

using namespace nf;

namespace {

using quantize::DecayForm;
using models::InputEncoding;
using models::ResetMode;

struct Case {
  const char* task;
  int units, lanes, weight_bits, state_bits;
  quantize::Rounding rounding;
  quantize::Overflow overflow;
  DecayForm decay;
  int multiplier_bits;  // B of the multiplier form
  ResetMode reset;
  int refractory;       // R steps
  InputEncoding encoding;
  double tau_syn_ms;    // 0: the current-free neuron
  double gain;          // of W_rec
  double bias_mean;     // of b_rec: drives the activity of random networks
  bool trained;         // trained on the task first (else random weights and biases)
  int trials, steps_per_trial;
  bool overflows;       // the golden model saturates or wraps in these trials
  double min_spikes_per_step;  // the stress must really be event-driven
};

constexpr quantize::Rounding kHalfUp = quantize::Rounding::kHalfUp;
constexpr quantize::Rounding kFloor = quantize::Rounding::kFloor;
constexpr quantize::Rounding kConvergent = quantize::Rounding::kConvergent;
constexpr quantize::Overflow kSaturate = quantize::Overflow::kSaturate;
constexpr quantize::Overflow kWrap = quantize::Overflow::kWrap;
constexpr DecayForm kShift = DecayForm::kShift;
constexpr DecayForm kMultiplier = DecayForm::kMultiplier;
constexpr ResetMode kSubtract = ResetMode::kSubtract;
constexpr ResetMode kZero = ResetMode::kZero;
constexpr InputEncoding kCurrent = InputEncoding::kCurrent;
constexpr InputEncoding kPoisson = InputEncoding::kPoisson;
constexpr InputEncoding kDelta = InputEncoding::kDelta;

// steps_per_trial is the task's trial length (xor 200, flipflop 1010, nbit_flipflop 100).
constexpr Case kCases[] = {
    /* 0 */ {"xor", 8, 1, 8, 16, kHalfUp, kSaturate, kMultiplier, 12, kSubtract, 0, kCurrent, 5, 1.5, 0.05, false, 60,
             200, false, 0.5},
    /* 1 */ {"xor", 16, 2, 6, 12, kConvergent, kWrap, kShift, 0, kZero, 2, kPoisson, 5, 2.0, 0.8, false, 50, 200, true,
             1.0},
    /* 2 */ {"flipflop", 32, 4, 8, 16, kFloor, kSaturate, kMultiplier, 8, kSubtract, 1, kDelta, 0, 1.0, 0.6, false, 8,
             1010, false, 1.0},
    /* 3 */ {"nbit_flipflop", 24, 2, 10, 16, kHalfUp, kSaturate, kMultiplier, 16, kZero, 0, kCurrent, 5, 1.2, 0.05,
             false, 80, 100, false, 1.0},
    /* 4 */ {"xor", 13, 4, 4, 8, kHalfUp, kWrap, kShift, 0, kSubtract, 0, kCurrent, 10, 3.0, 0.5, false, 50, 200, true,
             0.5},
    /* 5 */ {"xor", 64, 8, 8, 16, kHalfUp, kSaturate, kMultiplier, 12, kSubtract, 3, kPoisson, 5, 1.0, 2.0, false, 30,
             200, false, 8.0},
    /* 6 */ {"xor", 256, 8, 8, 16, kConvergent, kSaturate, kShift, 0, kSubtract, 0, kCurrent, 5, 1.0, 0.05, false, 6,
             200, false, 4.0},
    /* 7 */ {"flipflop", 32, 2, 8, 16, kHalfUp, kSaturate, kMultiplier, 12, kSubtract, 0, kCurrent, 5, 1.0, 0, true, 10,
             1010, false, 1.0},
    /* 8 */ {"xor", 24, 1, 8, 16, kHalfUp, kSaturate, kShift, 0, kZero, 1, kCurrent, 5, 1.0, 0, true, 40, 200, false,
             0.1},
};

constexpr long long total_timesteps() {
  long long sum = 0;
  for (const Case& c : kCases) sum += static_cast<long long>(c.trials) * c.steps_per_trial;
  return sum;
}
static_assert(total_timesteps() >= 50000, "the LIF lock-step matrix must check at least 5·10^4 timesteps per run");

models::LifRnnConfig network_config(const Case& c) {
  models::LifRnnConfig config;
  config.tau_syn_ms = c.tau_syn_ms;
  config.reset = c.reset;
  config.refractory_steps = c.refractory;
  config.encoding = c.encoding;
  return config;
}

models::LifRnnArtifact make_network(const Case& c) {
  const models::LifRnnConfig config = network_config(c);
  if (c.trained) {  // tests/data: trained as briefly_trained_network(task, units, this config, 30 epochs)
    REQUIRE(c.tau_syn_ms == 5);
    REQUIRE(c.encoding == kCurrent);
    const std::string name = c.reset == kZero ? fmt::format("lif-{}-n{}-zero-reset-refractory-{}", c.task, c.units,
                                                            c.refractory)
                                              : fmt::format("lif-{}-n{}", c.task, c.units);
    if (c.reset != kZero) REQUIRE(c.refractory == 0);
    const models::LifRnnArtifact a = test::trained_lif_network(name);
    REQUIRE(a.network.config().reset == c.reset);
    REQUIRE(a.network.config().refractory_steps == c.refractory);
    return a;
  }
  return test::random_lif_network(c.task, c.units, config, c.gain, c.bias_mean,
                                  static_cast<std::uint64_t>(c.units) * 131 + static_cast<std::uint64_t>(c.weight_bits));
}

void run_case(int index) {
  const Case& c = kCases[index];
  quantize::QuantizeOptions q;
  q.weight_bits = c.weight_bits;
  q.state_bits = c.state_bits;
  q.rounding = c.rounding;
  q.overflow = c.overflow;
  q.decay.form = c.decay;
  if (c.decay == kMultiplier) q.decay.multiplier_bits = c.multiplier_bits;
  if (c.overflows) {
    // Formats from the 10th percentile of |value|: larger values saturate or wrap.
    q.calibration = quantize::Calibration::kPercentile;
    q.percentile = 10;
  }
  const auto quantized = quantize::quantize_artifact(make_network(c), "lockstep-test", q);
  const auto task = models::make_task(quantized.task_name, quantized.task_params);
  const auto golden = quantize::evaluate_integer(std::get<quantize::IntegerLifRnn>(quantized.network), *task,
                                                 c.trials, quantized.seed);
  INFO("golden: " << golden.spikes_per_step << " spikes per step, " << golden.overflow_events << " overflow events");
  CHECK((golden.overflow_events > 0) == c.overflows);
  CHECK(golden.spikes_per_step >= c.min_spikes_per_step);
  sim::VerifyOptions v;
  v.lanes = c.lanes;
  v.trials = c.trials;
  v.seed = 2000 + static_cast<std::uint64_t>(index);
  v.max_stall = 2;
  v.cache_dir = NF_TEST_CACHE_DIR;
  test::check_lockstep_pass(sim::verify(quantized, v), v.seed, static_cast<long long>(c.trials) * c.steps_per_trial);
}

}  // namespace

// One test case per row of kCases (names: the row's configuration).
#define NF_LOCKSTEP(index, name) \
  TEST_CASE("LIF core lock step: " name, "[sim][rtl][lif]") { run_case(index); }
NF_LOCKSTEP(0, "N8 P1 w8 s16 half_up saturate Loihi 12-bit decay subtract current input")
NF_LOCKSTEP(1, "N16 P2 w6 s12 convergent wrap shift decay zero reset R2 Poisson, overflowing")
NF_LOCKSTEP(2, "N32 P4 w8 s16 floor saturate 8-bit multiplier R1 delta current-free")
NF_LOCKSTEP(3, "N24 P2 w10 s16 half_up 16-bit multiplier zero reset, 3 outputs in 2 groups")
NF_LOCKSTEP(4, "N13 P4 w4 s8 half_up wrap shift decay subtract, overflowing")
NF_LOCKSTEP(5, "N64 P8 w8 s16 Loihi decay R3 Poisson, highly active")
NF_LOCKSTEP(6, "N256 P8 w8 s16 convergent shift decay")
NF_LOCKSTEP(7, "trained flip-flop N32 P2 w8 s16")
NF_LOCKSTEP(8, "trained XOR N24 P1 w8 s16 shift decay zero reset R1")
