// The integer model's trajectories (quantize/integer_trajectories.hpp): every
// signal of the golden trace, step-major [T, B, width], code for code, with
// its fractional bits; the trials' arrays and success as the evaluation's;
// the bytes announced before running.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "neurofab/models/init.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/integer_trajectories.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/quantize/trial_run.hpp"
#include "test_seed.hpp"

using namespace nf;
using namespace nf::quantize;

namespace {

models::Artifact float_artifact(bool lif, models::InputEncoding encoding, std::uint64_t seed) {
  const auto task = models::make_task("xor");
  if (lif) {
    models::LifRnnConfig c;
    c.n_in = task->n_in();
    c.n_rec = 10;
    c.n_out = task->n_out();
    c.encoding = encoding;
    c.refractory_steps = 1;
    auto net = models::make_lif_rnn(c, {}, seed);
    net.weights().w_in *= 6.0f;  // spikes to record
    return models::LifRnnArtifact{std::move(net), {}, task->name(), task->param_values(), seed, {}, {}};
  }
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 10;
  c.n_out = task->n_out();
  c.tau_ms = 4;
  return models::RateRnnArtifact{models::make_rate_rnn(c, {}, seed), {}, task->name(), task->param_values(), seed,
                                 {}, {}};
}

}  // namespace

TEST_CASE("integer trajectories are the golden trace, step-major, with each signal's fractional bits",
          "[quantize][trajectories]") {
  const std::uint64_t seed = test::test_seed(31);
  struct Case {
    const char* name;
    bool lif;
    models::InputEncoding encoding;
  };
  for (const Case& k : {Case{"rate", false, models::InputEncoding::kCurrent},
                        Case{"LIF, current", true, models::InputEncoding::kCurrent},
                        Case{"LIF, poisson", true, models::InputEncoding::kPoisson}}) {
    INFO(k.name);
    const QuantizedArtifact q = quantize_artifact(float_artifact(k.lif, k.encoding, seed), "float-run", {});
    const auto task = models::make_task(q.task_name, q.task_params);
    std::visit(
        [&](const auto& net) {
          const int trials = 5;
          const models::EvaluationTrials data = models::evaluation_trials(*task, net.config(), trials, seed);
          const models::NamedArrays a = integer_trajectories(net, data, *task);
          const golden::GoldenTrace trace = run_trials(net, data);
          const int steps = trace.steps();
          CHECK(a.bytes() == integer_trajectory_bytes(net, steps, trials));

          std::int64_t spikes = 0;
          for (const golden::Signal& s : trace.signals()) {
            const std::string name = dump_array_name(s.name);
            INFO(s.name << " as " << name);
            REQUIRE(a.has(name));
            REQUIRE(a.at(name).shape == std::vector<std::int64_t>{steps, trials, s.width});
            const std::int64_t frac = s.format.is_object() ? s.format["frac_bits"].get<std::int64_t>() : 0;
            REQUIRE(a.at(name + "_frac_bits").shape.empty());
            CHECK(*a.data<std::int64_t>(name + "_frac_bits") == frac);
            int mismatches = 0;
            for (int t = 0; t < steps; ++t)
              for (int b = 0; b < trials; ++b)
                for (int i = 0; i < s.width; ++i) {
                  const std::size_t at = (static_cast<std::size_t>(t) * trials + b) * s.width + i;
                  const std::int64_t dumped = s.is_int64() ? a.data<std::int64_t>(name)[at]
                                                           : std::int64_t{a.data<std::int32_t>(name)[at]};
                  mismatches += dumped != trace.value<std::int64_t>(s.name, b, t, i);
                  if (s.name == "spikes") spikes += dumped;
                }
            CHECK(mismatches == 0);
          }
          if (k.lif) CHECK(spikes > 0);

          // Success and the real outputs: those of the evaluation.
          const IntegerEvaluation evaluation = evaluate_integer(net, *task, trials, seed);
          const std::uint8_t* success = a.data<std::uint8_t>("success");
          double succeeded = 0;
          for (int b = 0; b < trials; ++b) succeeded += success[b];
          CHECK(succeeded / trials == evaluation.success_rate);
          const Eigen::MatrixXd outputs = output_values(trace, data.batch, net.spec().output);
          const double scale = std::ldexp(1.0, -static_cast<int>(*a.data<std::int64_t>("outputs_frac_bits")));
          int bad_output = 0;
          for (int t = 0; t < steps; ++t)
            for (int b = 0; b < trials; ++b)
              for (int m = 0; m < net.config().n_out; ++m)
                bad_output += a.data<std::int32_t>("outputs")[(t * trials + b) * net.config().n_out + m] * scale !=
                              outputs(m, data.batch.column(t, b));
          CHECK(bad_output == 0);
          CHECK(a.data<double>("inputs")[0] == data.batch.inputs(0, 0));
        },
        q.network);
  }
}
