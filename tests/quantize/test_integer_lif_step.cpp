// IntegerLifRnn::step() against a reference step written here, term by term,
// from docs/fixed-point.md ("LIF RNN": decay forms, "One step", the overflow
// counter, "Counted per step"), on random integer networks: every rounding,
// overflow mode, decay form (B = 1..30), reset, refractory period (0, 1, 3),
// τ_syn = 0 (α_s = 0), current and spike input, format widths 2..32, with
// saturation and wrap-around happening. Every state vector, spike, output,
// overflow count and step count is compared at every step, by exact equality.
//
// step() runs in int32 lanes when its bounds allow and in int64 lanes
// otherwise; the cases below reach both (checked), including steps whose
// current input is beyond the int32 input limit and states outside their
// formats. The seed is printed; NF_LIF_STEP_SEED=<n> replays another.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "neurofab/quantize/integer_lif_rnn.hpp"

using namespace nf;
using namespace nf::quantize;

namespace {

// ---------------------------------------------------------------- the reference
struct RefState {
  std::vector<std::int64_t> current, membrane, spikes, refractory, output;
  std::int64_t overflow = 0;
};

RefState ref_initial(const IntegerLifRnn& net) {
  const auto n = static_cast<std::size_t>(net.config().n_rec);
  const auto n_out = static_cast<std::size_t>(net.config().n_out);
  return {std::vector<std::int64_t>(n, 0), std::vector<std::int64_t>(n, 0), std::vector<std::int64_t>(n, 0),
          std::vector<std::int64_t>(n, 0), std::vector<std::int64_t>(n_out, 0), 0};
}

// fit(x, W, o), counting what it changed.
std::int64_t ref_fit(std::int64_t x, const FixedFormat& f, Overflow o, RefState& state) {
  const std::int64_t y = fit(x, f.total_bits, o);
  if (y != x) ++state.overflow;
  return y;
}

// D_d(x): shift, x - shift_round(x, k, r); multiplier, shift_round(x · d_q, B, r).
std::int64_t ref_decay(std::int64_t x, std::int64_t parameter, const DecaySpec& d, Rounding r) {
  if (d.form == DecayForm::kShift) return x - shift_round(x, static_cast<int>(parameter), r);
  return shift_round(x * parameter, d.multiplier_bits, r);
}

void ref_step(const IntegerLifRnn& net, const std::int32_t* x, RefState& st, LifStepCounts& counts) {
  const auto& c = net.config();
  const auto& s = net.spec();
  const auto& t = net.tensors();
  const int n = c.n_rec, n_in = c.n_in_encoded(), n_out = c.n_out;
  const bool spike_input = c.encoding != models::InputEncoding::kCurrent;
  const Rounding r = s.rounding;
  const Overflow o = s.overflow;
  const int fs = spike_input ? std::max({s.w_in.frac_bits, s.w_rec.frac_bits, s.b_rec.frac_bits})
                             : std::max({s.w_in.frac_bits + s.input.frac_bits, s.w_rec.frac_bits, s.b_rec.frac_bits});
  const std::vector<std::int64_t> previous = st.spikes;  // s(t-1)
  std::int64_t spikes_before = 0;
  for (const auto v : previous) spikes_before += v;
  std::int64_t input_events = 0;
  for (int k = 0; k < n_in; ++k) input_events += spike_input && x[k] != 0 ? 1 : 0;  // current input: MACs

  for (int i = 0; i < n; ++i) {
    std::int64_t sum = std::int64_t{t.b_rec(i)} << (fs - s.b_rec.frac_bits);
    for (int k = 0; k < n_in; ++k) {
      if (spike_input) {
        if (x[k] != 0) sum += std::int64_t{t.w_in(i, k)} << (fs - s.w_in.frac_bits);
      } else {
        sum += (std::int64_t{t.w_in(i, k)} * x[k]) << (fs - s.w_in.frac_bits - s.input.frac_bits);
      }
    }
    for (int j = 0; j < n; ++j) {
      if (previous[static_cast<std::size_t>(j)] == 1) sum += std::int64_t{t.w_rec(i, j)} << (fs - s.w_rec.frac_bits);
    }
    const auto u = static_cast<std::size_t>(i);
    st.current[u] = ref_fit(ref_decay(st.current[u], t.alpha_syn(i), s.decay, r) +
                                shift_round(sum, fs - s.current.frac_bits, r),
                            s.current, o, st);
    if (st.refractory[u] > 0) {
      st.spikes[u] = 0;
      st.refractory[u] -= 1;
      continue;
    }
    const std::int64_t v = ref_fit(ref_decay(st.membrane[u], t.beta(i), s.decay, r) +
                                       shift_round(st.current[u], s.current.frac_bits - s.membrane.frac_bits, r),
                                   s.membrane, o, st);
    const bool spike = v >= s.threshold;
    st.spikes[u] = spike ? 1 : 0;
    st.refractory[u] = spike ? c.refractory_steps : 0;
    if (!spike) {
      st.membrane[u] = v;
    } else {
      st.membrane[u] = c.reset == models::ResetMode::kSubtract ? ref_fit(v - s.threshold, s.membrane, o, st) : 0;
    }
  }
  std::int64_t spikes_now = 0;
  for (const auto v : st.spikes) spikes_now += v;

  const int fo = std::max(s.w_out.frac_bits, s.b_out.frac_bits);
  for (int m = 0; m < n_out; ++m) {
    std::int64_t sum = std::int64_t{t.b_out(m)} << (fo - s.b_out.frac_bits);
    for (int j = 0; j < n; ++j) {
      if (st.spikes[static_cast<std::size_t>(j)] == 1) sum += std::int64_t{t.w_out(m, j)} << (fo - s.w_out.frac_bits);
    }
    const auto u = static_cast<std::size_t>(m);
    st.output[u] = ref_fit(ref_decay(st.output[u], t.kappa, s.decay, r) + shift_round(sum, fo - s.output.frac_bits, r),
                           s.output, o, st);
  }
  counts.input_macs += spike_input ? 0 : std::int64_t{n} * n_in;
  counts.synaptic_events += n * input_events + n * spikes_before + n_out * spikes_now;
  counts.decays += 2 * n + n_out;
  counts.spikes += spikes_now;
}

// ---------------------------------------------------------------- random networks
struct Random {
  std::mt19937_64 engine;
  std::int64_t between(std::int64_t low, std::int64_t high) {  // [low, high]
    return std::uniform_int_distribution<std::int64_t>(low, high)(engine);
  }
  bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(engine) < p; }
  template <typename T>
  T pick(std::initializer_list<T> values) {
    return *(values.begin() + between(0, static_cast<std::int64_t>(values.size()) - 1));
  }
};

FixedFormat random_format(Random& rnd, int low_bits, int high_bits) {
  const int w = static_cast<int>(rnd.between(low_bits, high_bits));
  return {w, static_cast<int>(rnd.between(std::max(-4, -w), w))};
}

// A code of `f`, at most `scale` of its range: a few extremes, mostly spread.
std::int32_t random_code(Random& rnd, const FixedFormat& f, double scale) {
  if (rnd.chance(0.02)) return static_cast<std::int32_t>(rnd.pick({f.min_code(), f.max_code()}));
  const auto limit = std::max<std::int64_t>(1, static_cast<std::int64_t>(static_cast<double>(f.max_code()) * scale));
  return static_cast<std::int32_t>(rnd.between(-limit, limit));
}

int bits(std::int64_t magnitude) {
  int b = 0;
  while (b < 63 && (magnitude >> b) != 0) ++b;
  return b;
}

// A random network whose reference arithmetic stays inside int64 (the
// quantizer refuses the others), or nothing: draw again.
std::optional<IntegerLifRnn> random_network(Random& rnd, bool narrow) {
  models::LifRnnConfig c;
  c.n_rec = static_cast<int>(rnd.pick<std::int64_t>({1, 3, 7, 8, 17, 31, 33, 64, 100}));
  c.n_in = static_cast<int>(rnd.between(1, 6));
  c.n_out = static_cast<int>(rnd.between(1, 6));
  c.encoding = rnd.chance(0.3) ? models::InputEncoding::kDelta : models::InputEncoding::kCurrent;
  c.reset = rnd.chance(0.5) ? models::ResetMode::kSubtract : models::ResetMode::kZero;
  c.refractory_steps = static_cast<int>(rnd.pick<std::int64_t>({0, 0, 1, 3}));
  const bool spike_input = c.encoding != models::InputEncoding::kCurrent;

  LifRnnFixedPoint s;
  s.rounding = rnd.pick({Rounding::kFloor, Rounding::kHalfUp, Rounding::kConvergent});
  s.overflow = rnd.chance(0.5) ? Overflow::kSaturate : Overflow::kWrap;
  const int weight_high = narrow ? 12 : 32, state_low = narrow ? 6 : 2, state_high = narrow ? 20 : 32;
  s.input = spike_input ? FixedFormat{2, 0} : random_format(rnd, 2, narrow ? 16 : 32);
  s.w_in = random_format(rnd, 2, weight_high);
  s.w_rec = random_format(rnd, 2, weight_high);
  s.b_rec = random_format(rnd, 2, weight_high);
  s.w_out = random_format(rnd, 2, weight_high);
  s.b_out = random_format(rnd, 2, weight_high);
  s.current = random_format(rnd, state_low, state_high);
  s.membrane = random_format(rnd, std::max(state_low, 3), state_high);
  s.output = random_format(rnd, state_low, state_high);
  s.decay.form = rnd.chance(0.5) ? DecayForm::kShift : DecayForm::kMultiplier;
  s.decay.multiplier_bits = static_cast<int>(rnd.chance(0.5) ? 12 : rnd.between(1, 30));
  // θ_q ∈ [1, max_v] as the loader requires, low values for activity; now and
  // then 0 or below (the constructor takes them: the int64 lanes handle them).
  const std::int64_t max_v = s.membrane.max_code();
  s.threshold = rnd.between(1, std::max<std::int64_t>(1, max_v / rnd.pick<std::int64_t>({1, 4, 32, 256})));
  if (rnd.chance(0.05)) s.threshold = rnd.chance(0.5) ? 0 : -s.threshold;

  const int n = c.n_rec, n_in = c.n_in_encoded();
  const double scale = rnd.pick({1.0, 0.1, 0.01});
  IntegerLifRnnTensors t;
  t.w_in.resize(n, n_in);
  t.w_rec.resize(n, n);
  t.w_out.resize(c.n_out, n);
  t.b_rec.resize(n);
  t.b_out.resize(c.n_out);
  t.alpha_syn.resize(n);
  t.beta.resize(n);
  for (Eigen::Index i = 0; i < t.w_in.size(); ++i) t.w_in.data()[i] = random_code(rnd, s.w_in, scale);
  for (Eigen::Index i = 0; i < t.w_rec.size(); ++i) t.w_rec.data()[i] = random_code(rnd, s.w_rec, scale);
  for (Eigen::Index i = 0; i < t.w_out.size(); ++i) t.w_out.data()[i] = random_code(rnd, s.w_out, scale);
  for (Eigen::Index i = 0; i < n; ++i) t.b_rec(i) = random_code(rnd, s.b_rec, scale);
  for (Eigen::Index i = 0; i < c.n_out; ++i) t.b_out(i) = random_code(rnd, s.b_out, scale);
  const bool tau_syn_zero = rnd.chance(0.15);  // τ_syn = 0: α_s = 0, a current-free neuron
  const auto decay = [&](bool zero) -> std::int32_t {
    if (s.decay.form == DecayForm::kShift) {
      if (zero) return 0;
      return static_cast<std::int32_t>(rnd.chance(0.1) ? rnd.pick<std::int64_t>({0, 62, 40}) : rnd.between(1, 8));
    }
    const std::int64_t one = std::int64_t{1} << s.decay.multiplier_bits;
    if (zero) return 0;
    return static_cast<std::int32_t>(rnd.chance(0.1) ? rnd.pick<std::int64_t>({0, one}) : rnd.between(one / 2, one));
  };
  for (Eigen::Index i = 0; i < n; ++i) {
    t.alpha_syn(i) = decay(tau_syn_zero);
    t.beta(i) = decay(false);
  }
  t.kappa = decay(rnd.chance(0.1));

  // The reference's int64 must not overflow: shifts ≤ 62, sums ≤ 2^62.
  const int fs = spike_input ? std::max({s.w_in.frac_bits, s.w_rec.frac_bits, s.b_rec.frac_bits})
                             : std::max({s.w_in.frac_bits + s.input.frac_bits, s.w_rec.frac_bits, s.b_rec.frac_bits});
  const int fo = std::max(s.w_out.frac_bits, s.b_out.frac_bits);
  const int x_bits = spike_input ? 1 : s.input.total_bits;
  const int sum_bits = std::max({bits(n_in) + s.w_in.total_bits + x_bits + fs - s.w_in.frac_bits -
                                     (spike_input ? 0 : s.input.frac_bits),
                                 bits(n) + s.w_rec.total_bits + fs - s.w_rec.frac_bits,
                                 s.b_rec.total_bits + fs - s.b_rec.frac_bits}) + 2;
  const int out_bits = std::max(bits(n) + s.w_out.total_bits + fo - s.w_out.frac_bits,
                                s.b_out.total_bits + fo - s.b_out.frac_bits) + 1;
  const int shift_i = s.current.frac_bits - fs, shift_v = s.membrane.frac_bits - s.current.frac_bits,
            shift_y = s.output.frac_bits - fo;
  if (sum_bits > 61 || out_bits > 61 || sum_bits + std::max(0, shift_i) > 61 ||
      s.current.total_bits + std::max(0, shift_v) > 61 || out_bits + std::max(0, shift_y) > 61 ||
      std::abs(shift_i) > 62 || std::abs(shift_v) > 62 || std::abs(shift_y) > 62) {
    return std::nullopt;
  }
  return IntegerLifRnn(c, s, t);
}

std::uint64_t test_seed() {
  const char* env = std::getenv("NF_LIF_STEP_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261207;
}

template <typename A, typename B>
bool same(const A& model, const B& reference, std::string& where, const char* name, int step) {
  for (std::size_t i = 0; i < reference.size(); ++i) {
    if (static_cast<std::int64_t>(model(static_cast<Eigen::Index>(i))) != reference[i]) {
      where = fmt::format("step {}: {}[{}] = {}, the reference has {}", step, name, i,
                          static_cast<std::int64_t>(model(static_cast<Eigen::Index>(i))), reference[i]);
      return false;
    }
  }
  return true;
}

// One step of the network and of the reference on the same input; fails at
// the first state, spike, output or overflow count that differs.
void step_both(const IntegerLifRnn& net, const std::vector<std::int32_t>& x, IntegerLifRnn::State& state,
               RefState& ref, int t, LifStepCounts& counts, LifStepCounts& ref_counts) {
  net.step(x.data(), state, &counts);
  ref_step(net, x.data(), ref, ref_counts);
  std::string where;
  const bool equal = same(state.current, ref.current, where, "current", t) &&
                     same(state.membrane, ref.membrane, where, "membrane", t) &&
                     same(state.spikes, ref.spikes, where, "spikes", t) &&
                     same(state.refractory, ref.refractory, where, "refractory", t) &&
                     same(state.output, ref.output, where, "output", t);
  if (!equal) FAIL(where);
  REQUIRE(state.overflow.events == ref.overflow);
}

}  // namespace

TEST_CASE("the LIF step equals the reference step on random integer networks", "[quantize][lif][step]") {
  const std::uint64_t seed = test_seed();
  std::printf("test_integer_lif_step: seed %llu (NF_LIF_STEP_SEED replays another)\n",
              static_cast<unsigned long long>(seed));
  INFO("seed " << seed);
  Random rnd{std::mt19937_64(seed)};
  constexpr int kNetworks = 3000, kSteps = 60;
  std::int64_t int32_steps = 0, int64_steps = 0, spikes = 0, overflows = 0, refractory_steps = 0;
  for (int case_index = 0; case_index < kNetworks; ++case_index) {
    const bool narrow = case_index % 3 != 0;
    std::optional<IntegerLifRnn> drawn;
    while (!drawn) drawn = random_network(rnd, narrow);
    const IntegerLifRnn* net = &*drawn;
    const auto& c = net->config();
    const auto& s = net->spec();
    const bool spike_input = c.encoding != models::InputEncoding::kCurrent;
    INFO(fmt::format("network {}: N {}, n_in {}, n_out {}, {} input, {} reset, R {}, {} rounding, {}, {} decay (B {}), "
                     "x {} W_in {} W_rec {} b {} I {} v {} W_out {} b_out {} y {}, theta {}, int32 lanes {} (limit {})",
                     case_index, c.n_rec, c.n_in_encoded(), c.n_out, spike_input ? "spike" : "current",
                     models::to_string(c.reset), c.refractory_steps, to_string(s.rounding), to_string(s.overflow),
                     to_string(s.decay.form), s.decay.multiplier_bits, s.input.to_string(), s.w_in.to_string(),
                     s.w_rec.to_string(), s.b_rec.to_string(), s.current.to_string(), s.membrane.to_string(),
                     s.w_out.to_string(), s.b_out.to_string(), s.output.to_string(), s.threshold, net->int32_lanes(),
                     net->int32_input_limit()));
    auto state = net->initial_state();
    RefState ref = ref_initial(*net);
    // No allocation in a step: initial_state() sized the workspace, which stays where it is.
    const std::int64_t* synapse = state.workspace.synapse.data();
    const std::int32_t* synapse32 = state.workspace.synapse32.data();
    const Eigen::Index* spiking = state.spiking.data();
    const double input_scale = rnd.pick({1.0, 0.3, 0.05});
    const double spike_rate = rnd.pick({0.05, 0.3, 0.8});
    std::vector<std::int32_t> x(static_cast<std::size_t>(c.n_in_encoded()));
    for (int t = 0; t < kSteps; ++t) {
      const bool silent_input = rnd.chance(0.2);  // a step with X = 0 (step() skips zero inputs)
      for (auto& code : x) {
        if (silent_input) {
          code = 0;
        } else {
          code = spike_input ? (rnd.chance(spike_rate) ? 1 : 0) : random_code(rnd, s.input, input_scale);
        }
      }
      std::int64_t x_max = 0;
      for (const auto code : x) x_max = std::max(x_max, std::abs(std::int64_t{code}));
      const bool int32 = net->int32_lanes() && (spike_input || x_max <= net->int32_input_limit());
      (int32 ? int32_steps : int64_steps) += 1;
      LifStepCounts counts, ref_counts;
      step_both(*net, x, state, ref, t, counts, ref_counts);
      REQUIRE(counts.input_macs == ref_counts.input_macs);
      REQUIRE(counts.synaptic_events == ref_counts.synaptic_events);
      REQUIRE(counts.decays == ref_counts.decays);
      REQUIRE(counts.spikes == ref_counts.spikes);
      // The event list is this step's spikes, in unit order.
      std::vector<Eigen::Index> expected;
      for (Eigen::Index i = 0; i < c.n_rec; ++i) {
        if (ref.spikes[static_cast<std::size_t>(i)] == 1) expected.push_back(i);
      }
      REQUIRE(state.spiking == expected);
      REQUIRE(state.workspace.synapse.data() == synapse);
      REQUIRE(state.workspace.synapse32.data() == synapse32);
      REQUIRE(state.spiking.data() == spiking);
      spikes += counts.spikes;
      for (const auto v : ref.refractory) refractory_steps += v > 0 ? 1 : 0;
    }
    overflows += ref.overflow;
  }
  std::printf("test_integer_lif_step: %lld steps in int32 lanes, %lld in int64 lanes, %lld spikes, %lld overflow "
              "events, %lld refractory unit-steps\n",
              static_cast<long long>(int32_steps), static_cast<long long>(int64_steps), static_cast<long long>(spikes),
              static_cast<long long>(overflows), static_cast<long long>(refractory_steps));
  // The cases reach both lanes, spikes, refractory units and overflow.
  CHECK(int32_steps > kNetworks * kSteps / 4);
  CHECK(int64_steps > kNetworks * kSteps / 10);
  CHECK(spikes > 0);
  CHECK(overflows > 0);
  CHECK(refractory_steps > 0);
}

TEST_CASE("the LIF step equals the reference from states outside their formats", "[quantize][lif][step]") {
  // step() takes int32 lanes only for state codes inside their formats; codes
  // put there by hand (beyond what any step leaves) take int64 lanes, with the
  // reference's result.
  const std::uint64_t seed = test_seed() + 1;
  INFO("seed " << seed);
  Random rnd{std::mt19937_64(seed)};
  int tried = 0;
  for (int case_index = 0; case_index < 400 && tried < 40; ++case_index) {
    std::optional<IntegerLifRnn> drawn;
    while (!drawn) drawn = random_network(rnd, true);
    const IntegerLifRnn* net = &*drawn;
    const auto& s = net->spec();
    if (!net->int32_lanes() || s.current.total_bits > 24 || s.membrane.total_bits > 24) continue;
    ++tried;
    INFO("network " << case_index);
    auto state = net->initial_state();
    RefState ref = ref_initial(*net);
    std::vector<std::int32_t> x(static_cast<std::size_t>(net->config().n_in_encoded()), 0);
    const auto n = net->config().n_rec;
    for (int t = 0; t < 6; ++t) {
      if (t % 2 == 0) {  // out of format, by up to 2^7 times the range
        const auto i = static_cast<Eigen::Index>(rnd.between(0, n - 1));
        const std::int64_t out_v = (s.membrane.max_code() + 1) * rnd.between(1, 128) * rnd.pick<std::int64_t>({-1, 1});
        const std::int64_t out_i = (s.current.max_code() + 1) * rnd.between(1, 128) * rnd.pick<std::int64_t>({-1, 1});
        state.membrane(i) = static_cast<std::int32_t>(out_v);
        state.current(i) = static_cast<std::int32_t>(out_i);
        ref.membrane[static_cast<std::size_t>(i)] = out_v;
        ref.current[static_cast<std::size_t>(i)] = out_i;
      }
      const bool current_input = net->config().encoding == models::InputEncoding::kCurrent;
      for (auto& code : x) code = current_input ? random_code(rnd, s.input, 1.0) : 1;
      LifStepCounts counts, ref_counts;
      step_both(*net, x, state, ref, t, counts, ref_counts);
      REQUIRE(counts.synaptic_events == ref_counts.synaptic_events);
    }
  }
  CHECK(tried == 40);
}
