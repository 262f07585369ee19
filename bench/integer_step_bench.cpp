// Throughput of the integer golden model (issue #4): one network, batch 1, one
// thread, stepped over a long stream of quantized random input codes.
//   --model rate: IntegerRateRnn, tanh table, α = 0.1; MAC/s counts
//                 counts_per_step().macs (input + recurrent + readout)
//   --model lif:  IntegerLifRnn, current input (input MACs), event-driven
//                 recurrent and readout; synaptic events/s and input MAC/s.
//                 A random network at θ = 1 barely spikes; --threshold sets
//                 the activity (and so the events per step). At full
//                 recurrence the activity jumps from ~0 to ~30 % as θ falls;
//                 --rec-scale < 1 (W_rec scaled before quantization) makes the
//                 network input-driven, so θ sets any activity. --decay,
//                 --rounding, --reset, --refractory, --tau-syn choose the
//                 step's variant (defaults: the quantizer's and the model's)
// The network is a random (untrained) float network of the 3-bit flip-flop
// shape quantized with --weight-bits / --state-bits; the task is only used for
// calibration and for the default stimulus (its random trials back to back;
// --stimulus uniform: dense uniform values in [-1, 1]), quantized to Q_x and
// generated before timing. Each repeat starts from the initial state; the
// median over repeats is printed, with the min and max as the spread. The
// checksum (of all outputs and the final state) shows that two builds compute
// the same thing. For LIF the warm-up repeat also hashes every state vector
// (I, v, s, c, y), the overflow count and the step counts at every step:
// the "state checksum", untimed.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/quantize/quantizer.hpp"

using namespace nf;
using namespace nf::quantize;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string model = "rate";
  std::string stimulus = "task";
  int n = 256, steps = 20000, weight_bits = 8, state_bits = 16, repeats = 7;
  double threshold = 1.0;  // LIF θ: lower it for a more active network (more synaptic events)
  // LIF variants (the defaults are the quantizer's and the model's).
  std::string decay = "multiplier", rounding = "half_up", reset = "subtract";
  int refractory = 0;
  double tau_syn_ms = 5.0;
  double rec_scale = 1.0;  // LIF: W_rec × this before quantization (< 1: activity follows θ smoothly)
};

struct Spread {
  double median, min, max;
};

Spread spread(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

// FNV-1a over 32-bit codes.
void mix(std::uint64_t& hash, std::int32_t code) {
  hash ^= static_cast<std::uint32_t>(code);
  hash *= 0x100000001b3ULL;
}

// Codes of `o.steps` input vectors of width `width` (contiguous per step), in Q_x:
//   task:    the calibration task's random trials, back to back (the signal
//            ranges the formats were calibrated for)
//   uniform: independent uniform values in [-1, 1] on every input, every step
std::vector<std::int32_t> input_stream(const Options& o, const models::Task& task, int width,
                                       const FixedFormat& format, Rounding rounding) {
  std::vector<std::int32_t> x(static_cast<std::size_t>(width) * static_cast<std::size_t>(o.steps));
  Rng rng = Rng::derive(7, {static_cast<std::uint64_t>(width)});
  if (o.stimulus == "uniform") {
    for (auto& code : x) code = static_cast<std::int32_t>(quantize_real(rng.uniform(-1.0, 1.0), format, rounding));
    return x;
  }
  const int trial_length = task.n_steps();
  const int trials = (o.steps + trial_length - 1) / trial_length;
  const models::Batch batch = task.generate(trials, rng);
  for (int step = 0; step < o.steps; ++step) {
    const int column = batch.column(step % trial_length, step / trial_length);
    for (int k = 0; k < width; ++k) {
      x[static_cast<std::size_t>(step) * static_cast<std::size_t>(width) + static_cast<std::size_t>(k)] =
          static_cast<std::int32_t>(quantize_real(batch.inputs(k, column), format, rounding));
    }
  }
  return x;
}

void print_header(const Options& o, const std::string& what, const std::string& formats) {
  fmt::print("integer step  {}  N={}, batch 1, 1 thread, {} steps x {} repeats, {} stimulus\n", what, o.n, o.steps,
             o.repeats, o.stimulus);
  fmt::print("  formats: {}\n", formats);
}

void bench_rate(const Options& o, const models::Task& task) {
  models::RateRnnConfig config;
  config.n_in = task.n_in();
  config.n_rec = o.n;
  config.n_out = task.n_out();
  config.tau_ms = 10.0;  // α = 0.1
  models::RateRnnArtifact artifact{models::make_rate_rnn(config, {}, 1), {}, task.name(), task.param_values(), 1,
                                   {}, {}};
  QuantizeOptions q;
  q.weight_bits = o.weight_bits;
  q.state_bits = o.state_bits;
  const IntegerRateRnn net = quantize_rate(artifact, q).network;
  const auto& s = net.spec();
  const auto x = input_stream(o, task, config.n_in, s.input, s.rounding);
  std::vector<std::int32_t> y(static_cast<std::size_t>(config.n_out));

  std::vector<double> ns_per_step;
  std::uint64_t checksum = 0;
  std::int64_t overflow = 0;
  for (int r = 0; r < o.repeats + 1; ++r) {  // the first repeat warms up, untimed
    auto state = net.initial_state();
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    const auto start = Clock::now();
    for (int t = 0; t < o.steps; ++t) {
      net.step(x.data() + static_cast<std::size_t>(t) * static_cast<std::size_t>(config.n_in), state, y.data());
      mix(hash, y[0]);
    }
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    for (Eigen::Index i = 0; i < state.h.size(); ++i) mix(hash, state.h(i));
    for (const auto code : y) mix(hash, code);
    if (r > 0) ns_per_step.push_back(ns / o.steps);
    checksum = hash;
    overflow = state.overflow.events;
  }
  const Spread t = spread(ns_per_step);
  const double macs = static_cast<double>(net.counts_per_step().macs);
  print_header(o, fmt::format("rate RNN, tanh table (L={}), alpha=0.1", s.activation.index_bits),
               fmt::format("W_in {} W_rec {} W_out {} h {} x {}; accumulator {} bits", s.w_in.to_string(),
                           s.w_rec.to_string(), s.w_out.to_string(), s.state.to_string(), s.input.to_string(),
                           s.accumulator_bits));
  fmt::print("  {:.1f} ns/step (min {:.1f}, max {:.1f})\n", t.median, t.min, t.max);
  fmt::print("  {:.4g} timesteps/s   {:.4g} MAC/s ({} MAC/step)   (median; min..max {:.4g}..{:.4g} MAC/s)\n",
             1e9 / t.median, macs * 1e9 / t.median, static_cast<std::int64_t>(macs), macs * 1e9 / t.max,
             macs * 1e9 / t.min);
  fmt::print("  checksum {:016x}   overflow events in the last repeat {}\n", checksum, overflow);
}

void bench_lif(const Options& o, const models::Task& task) {
  models::LifRnnConfig config;  // current input, τ_mem 20, τ_syn 5, τ_out 20 ms, subtract reset
  config.n_in = task.n_in();
  config.n_rec = o.n;
  config.n_out = task.n_out();
  config.threshold = o.threshold;
  config.reset = models::reset_mode_from_string(o.reset);
  config.refractory_steps = o.refractory;
  config.tau_syn_ms = o.tau_syn_ms;
  models::LifRnn<float> network = models::make_lif_rnn(config, {}, 1);
  network.weights().w_rec *= static_cast<float>(o.rec_scale);
  models::LifRnnArtifact artifact{std::move(network), {}, task.name(), task.param_values(), 1, {}, {}};
  QuantizeOptions q;
  q.weight_bits = o.weight_bits;
  q.state_bits = o.state_bits;
  q.rounding = rounding_from_string(o.rounding);
  q.decay.form = decay_form_from_string(o.decay);
  const IntegerLifRnn net = quantize_lif(artifact, q).network;
  const auto& s = net.spec();
  const int width = config.n_in_encoded();
  const auto x = input_stream(o, task, width, s.input, s.rounding);

  std::vector<double> ns_per_step;
  LifStepCounts counts;
  std::uint64_t checksum = 0, state_checksum = 0xcbf29ce484222325ULL;
  std::int64_t overflow = 0;
  for (int r = 0; r < o.repeats + 1; ++r) {
    auto state = net.initial_state();
    LifStepCounts run;
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    if (r == 0) {  // the untimed warm-up: the state checksum
      for (int t = 0; t < o.steps; ++t) {
        LifStepCounts c;
        net.step(x.data() + static_cast<std::size_t>(t) * static_cast<std::size_t>(width), state, &c);
        for (const IntVector* v : {&state.current, &state.membrane, &state.spikes, &state.refractory, &state.output}) {
          for (Eigen::Index i = 0; i < v->size(); ++i) mix(state_checksum, (*v)(i));
        }
        for (const std::int64_t count : {c.input_macs, c.synaptic_events, c.decays, c.spikes, state.overflow.events}) {
          mix(state_checksum, static_cast<std::int32_t>(count));
          mix(state_checksum, static_cast<std::int32_t>(count >> 32));
        }
      }
      continue;
    }
    const auto start = Clock::now();
    for (int t = 0; t < o.steps; ++t) {
      net.step(x.data() + static_cast<std::size_t>(t) * static_cast<std::size_t>(width), state, &run);
      mix(hash, state.output(0));
    }
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    for (Eigen::Index i = 0; i < state.membrane.size(); ++i) mix(hash, state.membrane(i));
    ns_per_step.push_back(ns / o.steps);
    counts = run;
    checksum = hash;
    overflow = state.overflow.events;
  }
  const Spread t = spread(ns_per_step);
  const double steps = o.steps;
  const double events = static_cast<double>(counts.synaptic_events) / steps;
  const double input_macs = static_cast<double>(counts.input_macs) / steps;
  const double spikes = static_cast<double>(counts.spikes) / steps;
  print_header(o,
               fmt::format("LIF RNN, current input, {} decay, {} rounding, {} reset, R={}, tau_syn={} ms, "
                           "threshold {}, W_rec x {}",
                           o.decay, o.rounding, o.reset, o.refractory, o.tau_syn_ms, o.threshold, o.rec_scale),
               fmt::format("W_in {} W_rec {} W_out {} I {} v {} x {}", s.w_in.to_string(), s.w_rec.to_string(),
                           s.w_out.to_string(), s.current.to_string(), s.membrane.to_string(),
                           s.input.to_string()));
  fmt::print("  int32 lanes: {} (current inputs up to |X| = {})\n", net.int32_lanes() ? "yes" : "no",
             net.int32_input_limit());
  fmt::print("  {:.1f} ns/step (min {:.1f}, max {:.1f})   {:.2f} spikes/step ({:.1f}% of units)\n", t.median, t.min,
             t.max, spikes, 100.0 * spikes / o.n);
  fmt::print("  {:.4g} timesteps/s   {:.4g} synaptic events/s ({:.0f} events/step)   {:.4g} input MAC/s ({:.0f} "
             "MAC/step)\n",
             1e9 / t.median, events * 1e9 / t.median, events, input_macs * 1e9 / t.median, input_macs);
  fmt::print("  checksum {:016x}   overflow events in the last repeat {}\n", checksum, overflow);
  fmt::print("  state checksum {:016x} (every I, v, s, c, y, count and overflow count of every step)\n",
             state_checksum);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Integer golden-model step benchmark (batch 1, one thread)"};
  Options o;
  app.add_option("--model", o.model, "rate or lif")->check(CLI::IsMember({"rate", "lif"}));
  app.add_option("--stimulus", o.stimulus, "task (the flip-flop trials) or uniform (dense random inputs)")
      ->check(CLI::IsMember({"task", "uniform"}));
  app.add_option("--n", o.n, "Recurrent units N")->check(CLI::PositiveNumber);
  app.add_option("--steps", o.steps, "Timesteps per repeat")->check(CLI::PositiveNumber);
  app.add_option("--weight-bits", o.weight_bits, "Weight and bias width");
  app.add_option("--state-bits", o.state_bits, "State / current / membrane / output width");
  app.add_option("--threshold", o.threshold, "LIF firing threshold θ (activity)")->check(CLI::PositiveNumber);
  app.add_option("--decay", o.decay, "LIF decay form")->check(CLI::IsMember({"shift", "multiplier"}));
  app.add_option("--rounding", o.rounding, "LIF rounding mode")
      ->check(CLI::IsMember({"floor", "half_up", "convergent"}));
  app.add_option("--reset", o.reset, "LIF reset")->check(CLI::IsMember({"subtract", "zero"}));
  app.add_option("--refractory", o.refractory, "LIF refractory steps R")->check(CLI::NonNegativeNumber);
  app.add_option("--tau-syn", o.tau_syn_ms, "LIF synaptic time constant (ms); 0: no synaptic current")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--rec-scale", o.rec_scale, "LIF: scale of the float W_rec before quantization")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--repeats", o.repeats, "Timed repeats (one more runs first, untimed)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  try {
    const auto task = models::make_task("nbit_flipflop", {{"bits", 3}});
    if (o.model == "rate") {
      bench_rate(o, *task);
    } else {
      bench_lif(o, *task);
    }
  } catch (const InputError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
