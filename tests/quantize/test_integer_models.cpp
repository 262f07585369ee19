// The integer golden models: single steps against hand computation from the
// specification (integer_rate_rnn.hpp, integer_lif_rnn.hpp), the decay forms,
// the activation table, and the quantized model against the float model it
// came from.
#include <catch2/catch.hpp>
#include <cmath>

#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantizer.hpp"

using namespace nf;
using namespace nf::quantize;

TEST_CASE("decay forms compute the specification's integer expressions", "[quantize][lif]") {
  const DecaySpec shift{DecayForm::kShift, 0};
  const DecaySpec loihi{DecayForm::kMultiplier, 12};
  // shift, k = 4: x - round(x / 16).  1000/16 = 62.5, a tie.
  CHECK(apply_decay(1000, 4, shift, Rounding::kHalfUp) == 1000 - 63);
  CHECK(apply_decay(1000, 4, shift, Rounding::kFloor) == 1000 - 62);
  CHECK(apply_decay(1000, 4, shift, Rounding::kConvergent) == 1000 - 62);
  CHECK(apply_decay(-1000, 4, shift, Rounding::kFloor) == -1000 + 63);  // floor(-62.5) = -63
  // Loihi: (x · d_q) >> 12 with d_q = round(0.95 · 4096) = 3891: 1000 · 3891 / 4096 = 949.95...
  CHECK(decay_parameter(0.95, loihi) == 3891);
  CHECK(apply_decay(1000, 3891, loihi, Rounding::kHalfUp) == 950);
  CHECK(apply_decay(1000, 3891, loihi, Rounding::kFloor) == 949);
  // The parameters and the decays they realise.
  CHECK(decay_parameter(std::exp(-1.0 / 20), shift) == 4);  // 1 - β = 0.0488 ≈ 2^-4.36
  CHECK(realised_decay(4, shift) == 1.0 - 1.0 / 16);
  CHECK(decay_parameter(0.0, shift) == 0);
  CHECK(apply_decay(777, 0, shift, Rounding::kHalfUp) == 0);  // decay 0: nothing left
  CHECK(decay_parameter(0.0, loihi) == 0);
  CHECK(decay_parameter(1.0, loihi) == 4096);
  CHECK(apply_decay(-1234, 4096, loihi, Rounding::kHalfUp) == -1234);  // decay 1: unchanged
  CHECK_THROWS_WITH(decay_parameter(1.5, loihi), Catch::Contains("outside [0, 1]"));
}

TEST_CASE("one integer rate step equals the hand computation", "[quantize][rate]") {
  models::RateRnnConfig c;
  c.n_in = 1;
  c.n_rec = 2;
  c.n_out = 1;
  c.activation = models::Activation::kRelu;
  c.tau_ms = 2.0;  // α = 1/2
  RateRnnFixedPoint s;
  s.rounding = Rounding::kHalfUp;
  s.input = {8, 4};
  s.w_in = {8, 6};
  s.w_rec = {8, 6};
  s.b_rec = {8, 5};
  s.state = {12, 8};
  s.w_out = {8, 6};
  s.b_out = {8, 6};
  s.output = {12, 8};
  s.activation.function = models::Activation::kRelu;
  s.leak_bits = 4;
  s.leak_multiplier = 8;  // α = 8/16
  IntegerRateRnnTensors t;
  t.w_in = IntMatrix{{32}, {-64}};        // 0.5, -1.0
  t.w_rec = IntMatrix{{64, 0}, {16, 32}}; // [[1, 0], [0.25, 0.5]]
  t.b_rec = IntVector{{4, 2}};            // 0.125, 0.0625
  t.w_out = IntMatrix{{64, -32}};         // [1, -0.5]
  t.b_out = IntVector{{16}};              // 0.25
  const IntegerRateRnn net(c, s, t);
  REQUIRE(s.accumulator_frac() == 14);  // max(6+4, 6+8, 5)
  auto state = net.initial_state();
  state.h = IntVector{{128, 64}};  // h = [0.5, 0.25] in Q12.8
  const std::int32_t x = 24;       // 1.5 in Q8.4
  std::int32_t y = 0;
  std::int64_t a[2];
  net.step(&x, state, &y, a);
  // Unit 0: a = 32·24·2^4 + (64·128 + 0·64) + 4·2^9 = 12288 + 8192 + 2048 = 22528 (1.375 at F = 14)
  CHECK(a[0] == 22528);
  // relu → Q12.8: 22528 / 2^6 = 352; leak: (16 - 8)·128 + 8·352 = 3840, / 16 = 240
  CHECK(state.h(0) == 240);
  // Unit 1: a = -64·24·16 + (16·128 + 32·64) + 2·512 = -24576 + 4096 + 1024 = -19456 → relu 0;
  // leak: (8·64 + 0) / 16 = 32
  CHECK(a[1] == -19456);
  CHECK(state.h(1) == 32);
  // y = (64·240 - 32·32) · 2^0 + 16 · 2^8 at F_o = 14, → Q12.8: (15360 - 1024 + 4096) / 64 = 288.0
  CHECK(y == 288);
  CHECK(state.overflow.events == 0);
  CHECK(net.counts_per_step().macs == 2 * (1 + 2) + 2);
}

TEST_CASE("the tanh table and its piecewise-linear form follow the specification", "[quantize][rate]") {
  const FixedFormat state{16, 14};
  ActivationTable table;
  table.index_bits = 6;
  table.input_frac_bits = 3;  // step 1/8, domain ±4
  table.entries = make_activation_table(table, state, Rounding::kHalfUp);
  REQUIRE(table.entries.size() == 64);
  CHECK(table.entries[32] == 0);  // tanh(0)
  CHECK(table.entries[40] == quantize_real(std::tanh(1.0), state, Rounding::kHalfUp));
  CHECK(table.entries[0] == quantize_real(std::tanh(-4.0), state, Rounding::kHalfUp));

  ActivationTable pwl = table;
  pwl.piecewise_linear = true;
  pwl.interpolation_bits = 2;
  pwl.entries = make_activation_table(pwl, state, Rounding::kHalfUp);
  REQUIRE(pwl.entries.size() == 65);
  CHECK(pwl.entries[64] == quantize_real(std::tanh(4.0), state, Rounding::kHalfUp));

  // An activation through a network with these tables: a = 1.0 + 3/32 at F_a = 8.
  models::RateRnnConfig c;
  c.n_in = 1;
  c.n_rec = 1;
  c.n_out = 1;
  RateRnnFixedPoint s;
  s.input = {8, 0};
  s.w_in = {8, 0};
  s.w_rec = {8, 0};
  s.b_rec = {16, 8};
  s.state = state;
  s.w_out = {8, 0};
  s.b_out = {8, 0};
  s.output = {16, 8};
  s.leak_bits = 1;
  s.leak_multiplier = 2;
  s.activation = table;
  s.w_rec = {8, -6};  // so that F_a = max(0, 8, 8) = 8 with state F = 14: -6 + 14 = 8
  IntegerRateRnnTensors t{IntMatrix::Zero(1, 1), IntMatrix::Zero(1, 1), IntMatrix::Zero(1, 1), IntVector::Zero(1),
                          IntVector::Zero(1)};
  REQUIRE(s.accumulator_frac() == 8);
  const std::int64_t a = 256 + 24;  // 1.09375
  {
    const IntegerRateRnn net(c, s, t);
    // index = round(a / 2^(8-3)) + 32 = round(8.75) + 32 = 41
    CHECK(net.activate(a) == table.entries[41]);
  }
  {
    s.activation = pwl;
    const IntegerRateRnn net(c, s, t);
    // z = floor(a / 2^(8-3-2)) = 35, j = 8 + 32 = 40, f = 3: T[40] + round((T[41] - T[40]) · 3 / 4)
    const std::int64_t low = pwl.entries[40], high = pwl.entries[41];
    CHECK(net.activate(a) == low + shift_round((high - low) * 3, 2, Rounding::kHalfUp));
    CHECK(net.activate(-100000) == pwl.entries.front());
    CHECK(net.activate(100000) == pwl.entries.back());
  }
}

TEST_CASE("one integer LIF step: current, membrane, spike, reset, refractory, readout", "[quantize][lif]") {
  models::LifRnnConfig c;
  c.n_in = 1;
  c.n_rec = 2;
  c.n_out = 1;
  c.refractory_steps = 1;
  LifRnnFixedPoint s;
  s.rounding = Rounding::kHalfUp;
  s.input = {8, 4};
  s.w_in = {8, 6};
  s.w_rec = {8, 6};
  s.b_rec = {8, 6};
  s.current = {16, 8};
  s.membrane = {16, 8};
  s.w_out = {8, 6};
  s.b_out = {8, 6};
  s.output = {16, 8};
  s.decay = {DecayForm::kMultiplier, 4};
  s.threshold = 256;  // 1.0 in Q16.8
  IntegerLifRnnTensors t;
  t.w_in = IntMatrix{{64}, {0}};        // unit 0 driven by the input, weight 1
  t.w_rec = IntMatrix{{0, 0}, {96, 0}}; // unit 0 → unit 1, weight 1.5
  t.b_rec = IntVector{{0, 0}};
  t.w_out = IntMatrix{{64, 0}};
  t.b_out = IntVector{{0}};
  t.beta = IntVector{{8, 8}};       // 8/16 = 0.5
  t.alpha_syn = IntVector{{0, 0}};  // current-free
  t.kappa = 8;
  const IntegerLifRnn net(c, s, t);
  auto state = net.initial_state();
  LifStepCounts counts;

  const std::int32_t x = 32;  // 2.0 in Q8.4
  net.step(&x, state, &counts);
  // S_0 = 64·32 at F_s = 10 → I_0 = 2048 / 4 = 512 (2.0); u_0 = 0.5·0 + 512 ≥ 256: spike, v = 512 - 256.
  CHECK(state.current(0) == 512);
  CHECK(state.spikes(0) == 1);
  CHECK(state.membrane(0) == 256);
  CHECK(state.spikes(1) == 0);
  // y = 0.5·0 + W_out s = 64 at F_o = 6 → Q16.8: 256
  CHECK(state.output(0) == 256);

  const std::int32_t quiet = 0;
  net.step(&quiet, state, &counts);
  // Unit 0 is refractory: no integration, no spike, membrane held.
  CHECK(state.spikes(0) == 0);
  CHECK(state.membrane(0) == 256);
  CHECK(state.current(0) == 0);
  // Unit 1 got W_rec[1,0] = 96 (1.5) from unit 0's spike → I = 96·4 = 384, u = 384 ≥ 256: spike.
  CHECK(state.current(1) == 384);
  CHECK(state.spikes(1) == 1);
  CHECK(state.membrane(1) == 128);
  // y = 0.5 · 256 + 0 = 128
  CHECK(state.output(0) == 128);
  CHECK(counts.spikes == 2);
  CHECK(counts.input_macs == 2 * 2);
  CHECK(counts.synaptic_events == 1 + (2 + 1));  // step 1: unit 0 to the readout; step 2: its fan-out, unit 1 to the readout
}

TEST_CASE("a quantized random network tracks its float model closely at 16 bits", "[quantize]") {
  const auto task = models::make_task("xor");
  SECTION("rate RNN") {
    models::RateRnnConfig c;
    c.n_in = task->n_in();
    c.n_rec = 20;
    c.n_out = task->n_out();
    c.tau_ms = 4;
    models::RateRnnArtifact a{models::make_rate_rnn(c, {}, 3), {}, task->name(), task->param_values(), 3, {}, {}};
    QuantizeOptions o;
    o.weight_bits = 16;
    const auto q = quantize_rate(a, o);
    const auto result = evaluate_integer(q.network, *task, 4, 9);
    CHECK(result.overflow_events == 0);
    const auto float_eval = models::evaluate(a.network, *task, 4, 9);
    INFO("float MSE " << float_eval.mse << ", integer MSE " << result.mse);
    CHECK(std::abs(result.mse - float_eval.mse) < 1e-3 * std::max(1.0, float_eval.mse));
  }
  SECTION("LIF RNN") {
    models::LifRnnConfig c;
    c.n_in = task->n_in();
    c.n_rec = 20;
    c.n_out = task->n_out();
    models::LifRnnArtifact a{models::make_lif_rnn(c, {}, 4), {}, task->name(), task->param_values(), 4, {}, {}};
    QuantizeOptions o;
    o.weight_bits = 16;
    const auto q = quantize_lif(a, o);
    const auto result = evaluate_integer(q.network, *task, 4, 9);
    const auto float_eval = models::evaluate(a.network, *task, 4, 9);
    INFO("float MSE " << float_eval.mse << " spikes/step " << float_eval.activity->spikes_per_step
                      << ", integer MSE " << result.mse << " spikes/step " << result.spikes_per_step);
    CHECK(result.overflow_events == 0);
    REQUIRE(float_eval.activity->spikes_per_step > 0);
    CHECK(std::abs(result.spikes_per_step - float_eval.activity->spikes_per_step) <
          0.05 * float_eval.activity->spikes_per_step);
  }
}

TEST_CASE("impossible quantization requests give a clear error", "[quantize]") {
  CHECK_THROWS_WITH(parse_format("33.4"), Catch::Contains("[2, 32]"));
  CHECK_THROWS_WITH(parse_format("8.9"), Catch::Contains("exceed"));
  CHECK_THROWS_WITH(rounding_from_string("nearest"), Catch::Contains("nearest"));
  QuantizeOptions o;
  o.weight_bits = 40;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("weight bits"));
  o = {};
  o.overrides["W_hidden"] = {8, 4};
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("W_hidden"));
  o = {};
  o.overrides["W_rec"] = {8, 12};
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("W_rec"));
  CHECK(frac_bits_for_range(1.0, 8) == 6);   // Q8.6 reaches 1.98
  CHECK(frac_bits_for_range(0.9, 8) == 7);   // Q8.7 reaches 0.99
  CHECK(frac_bits_for_range(3.0, 16) == 13);
  CHECK(frac_bits_for_range(0.0, 8) == 7);
}
