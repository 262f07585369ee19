// The RTL cores in lock step with the integer golden model (Verilator): a
// matrix of configurations — sizes N = 8..256, lanes P ∈ {1, 2, 4, 8} (and
// ones that do not divide N), weight and state widths, every rounding mode,
// saturate and wrap, tanh table and relu, leak α = 1, 2^-k and general —
// over random-weight stress networks and trained task networks. Every
// timestep, state value, output, overflow count, cycle count and operation
// count (the activity counters, test_activity.cpp) must be equal;
// random valid/ready back-pressure with the seed in the log.
//
// Each configuration is its own test case so ctest -j2 spreads them; the
// table's timesteps add up to at least 10^5 (checked at compile time).

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

struct Case {
  const char* task;
  int units, lanes, weight_bits, state_bits;
  quantize::Rounding rounding;
  quantize::Overflow overflow;
  models::Activation activation;
  double tau_ms;   // α = dt / τ: 1 → α = 1, 4 → 2^-2, 3 → a general multiplier
  double gain;     // of W_rec: large gains drive states into saturation
  bool trained;    // trained on the task first (else random weights and biases)
  int trials, steps_per_trial;
  bool overflows;  // the golden model saturates or wraps in these trials (the counting is checked too)
};

constexpr quantize::Rounding kHalfUp = quantize::Rounding::kHalfUp;
constexpr quantize::Rounding kFloor = quantize::Rounding::kFloor;
constexpr quantize::Rounding kConvergent = quantize::Rounding::kConvergent;
constexpr quantize::Overflow kSaturate = quantize::Overflow::kSaturate;
constexpr quantize::Overflow kWrap = quantize::Overflow::kWrap;
constexpr models::Activation kTanh = models::Activation::kTanh;
constexpr models::Activation kRelu = models::Activation::kRelu;

// steps_per_trial is the task's trial length (xor 200, flipflop 1010, nbit_flipflop 100).
constexpr Case kCases[] = {
    /* 0 */ {"xor", 8, 1, 8, 16, kHalfUp, kSaturate, kTanh, 1, 1.5, false, 100, 200, false},
    /* 1 */ {"xor", 16, 2, 6, 12, kConvergent, kWrap, kTanh, 3, 6.0, false, 40, 200, true},
    /* 2 */ {"flipflop", 32, 4, 10, 16, kFloor, kSaturate, kRelu, 4, 0.9, false, 12, 1010, false},
    /* 3 */ {"xor", 13, 4, 4, 8, kHalfUp, kWrap, kRelu, 1, 3.0, false, 100, 200, true},
    /* 4 */ {"nbit_flipflop", 24, 2, 8, 16, kConvergent, kSaturate, kTanh, 3, 1.2, false, 150, 100, false},
    /* 5 */ {"xor", 64, 8, 12, 16, kHalfUp, kSaturate, kTanh, 4, 1.0, false, 30, 200, false},
    /* 6 */ {"xor", 256, 8, 8, 16, kHalfUp, kSaturate, kTanh, 1, 1.0, false, 6, 200, false},
    /* 7 */ {"flipflop", 24, 2, 8, 16, kHalfUp, kSaturate, kTanh, 1, 1.0, true, 16, 1010, false},
    /* 8 */ {"xor", 32, 1, 8, 16, kFloor, kSaturate, kTanh, 1, 1.0, true, 60, 200, false},
};

constexpr long long total_timesteps() {
  long long sum = 0;
  for (const Case& c : kCases) sum += static_cast<long long>(c.trials) * c.steps_per_trial;
  return sum;
}
static_assert(total_timesteps() >= 100000, "the lock-step matrix must check at least 10^5 timesteps per run");

models::RateRnnArtifact make_network(const Case& c) {
  models::RateRnnConfig config;
  config.tau_ms = c.tau_ms;
  config.activation = c.activation;
  if (c.trained) {  // tests/data: trained as briefly_trained_network(task, units, default config, 30 epochs)
    REQUIRE(c.tau_ms == 1.0);
    REQUIRE(c.activation == kTanh);
    return test::trained_rate_network(fmt::format("rate-{}-n{}", c.task, c.units));
  }
  return test::random_rate_network(c.task, c.units, config, c.gain,
                                   static_cast<std::uint64_t>(c.units) * 131 + static_cast<std::uint64_t>(c.weight_bits));
}

void run_case(int index) {
  const Case& c = kCases[index];
  quantize::QuantizeOptions q;
  q.weight_bits = c.weight_bits;
  q.state_bits = c.state_bits;
  q.rounding = c.rounding;
  q.overflow = c.overflow;
  if (c.overflows && c.activation == kTanh) {
    // tanh states cannot overflow; the output can when its format comes from the
    // 10th percentile of |y| (values beyond twice that range saturate or wrap).
    q.calibration = quantize::Calibration::kPercentile;
    q.percentile = 10;
  }
  const auto quantized = quantize::quantize_artifact(make_network(c), "lockstep-test", q);
  const auto task = models::make_task(quantized.task_name, quantized.task_params);
  const auto golden = quantize::evaluate_integer(std::get<quantize::IntegerRateRnn>(quantized.network), *task,
                                                 c.trials, quantized.seed);
  CHECK((golden.overflow_events > 0) == c.overflows);
  sim::VerifyOptions v;
  v.lanes = c.lanes;
  v.trials = c.trials;
  v.seed = 1000 + static_cast<std::uint64_t>(index);
  v.max_stall = 2;
  v.cache_dir = NF_TEST_CACHE_DIR;
  test::check_lockstep_pass(sim::verify(quantized, v), v.seed, static_cast<long long>(c.trials) * c.steps_per_trial);
}

}  // namespace

// One test case per row of kCases (names: the row's configuration).
#define NF_LOCKSTEP(index, name) \
  TEST_CASE("rate core lock step: " name, "[sim][rtl][rate]") { run_case(index); }
NF_LOCKSTEP(0, "N8 P1 w8 s16 half_up saturate tanh")
NF_LOCKSTEP(1, "N16 P2 w6 s12 convergent wrap tanh alpha 1/3, overflowing")
NF_LOCKSTEP(2, "N32 P4 w10 s16 floor saturate relu alpha 1/4")
NF_LOCKSTEP(3, "N13 P4 w4 s8 half_up wrap relu, overflowing")
NF_LOCKSTEP(4, "N24 P2 w8 s16 convergent saturate tanh alpha 1/3, 3 outputs in 2 groups")
NF_LOCKSTEP(5, "N64 P8 w12 s16 half_up saturate tanh alpha 1/4")
NF_LOCKSTEP(6, "N256 P8 w8 s16 half_up saturate tanh")
NF_LOCKSTEP(7, "trained flip-flop N24 P2 w8 s16")
NF_LOCKSTEP(8, "trained XOR N32 P1 w8 s16 floor")
