// The integer model's trajectories (quantize/integer_trajectories.hpp), of
// trained networks (tests/data) and a Poisson-input one: every signal of the
// golden trace, step-major [T, B, width], code for code, with its fractional
// bits; the trials' arrays and success as the evaluation's; the bytes
// announced before running.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "neurofab/models/init.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/integer_trajectories.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/quantize/trial_run.hpp"
#include "test_data.hpp"
#include "test_seed.hpp"

using namespace nf;
using namespace nf::quantize;

namespace {

// The trained LIF network with Poisson input: its recurrent part drawn afresh for the wider W_in.
models::Artifact poisson_variant(const models::LifRnnArtifact& trained) {
  models::LifRnnConfig c = trained.network.config();
  c.encoding = models::InputEncoding::kPoisson;
  c.encoding_gain = 0.5;
  auto net = models::make_lif_rnn(c, {}, trained.seed);
  net.weights().w_in *= 6.0f;  // spikes to record
  return models::LifRnnArtifact{std::move(net), {}, trained.task_name, trained.task_params, trained.seed, {}, {}};
}

}  // namespace

TEST_CASE("integer trajectories are the golden trace, step-major, with each signal's fractional bits",
          "[quantize][trajectories]") {
  const std::uint64_t seed = test::test_seed(31);
  const models::LifRnnArtifact lif = test::trained_lif_network("lif-xor-n24-zero-reset-refractory-1");
  struct Case {
    const char* name;
    bool lif;
    models::Artifact float_artifact;
  };
  for (const Case& k : {Case{"rate", false, test::trained_rate_network("rate-xor-n32")},
                        Case{"LIF, current, zero reset, refractory 1", true, lif},
                        Case{"LIF, poisson", true, poisson_variant(lif)}}) {
    INFO(k.name);
    const QuantizedArtifact q = quantize_artifact(k.float_artifact, "float-run", {});
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
