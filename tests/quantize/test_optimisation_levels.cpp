// "No floating point inside a step. Same results at -O0 and -O3": the integer
// model's codes, hashed over every step of several trials, are identical when
// its sources are compiled at -O0 and at -O3.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "neurofab/models/init.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

using namespace nf;

TEST_CASE("the integer model gives the same codes at -O0 and -O3", "[quantize][levels]") {
  const bool lif = GENERATE(false, true);
  const auto rounding = GENERATE(quantize::Rounding::kHalfUp, quantize::Rounding::kConvergent);
  INFO((lif ? "LIF" : "rate") << ", rounding " << quantize::to_string(rounding));
  nf::test::TempDir tmp;
  const auto task = models::make_task("flipflop", {{"trial_length", 200}});
  models::Artifact artifact = [&]() -> models::Artifact {
    if (lif) {
      models::LifRnnConfig c;
      c.n_in = task->n_in();
      c.n_rec = 24;
      c.n_out = task->n_out();
      c.refractory_steps = 2;
      auto net = models::make_lif_rnn(c, {}, 8);
      net.weights().b_out.setConstant(3.0f);  // beyond the output format below: wrap-around
      return models::LifRnnArtifact{std::move(net), {}, task->name(), task->param_values(), 8, {}, {}};
    }
    models::RateRnnConfig c;
    c.n_in = task->n_in();
    c.n_rec = 24;
    c.n_out = task->n_out();
    c.tau_ms = 4;
    auto net = models::make_rate_rnn(c, {}, 8);
    net.weights().b_out.setConstant(3.0f);
    return models::RateRnnArtifact{std::move(net), {}, task->name(), task->param_values(), 8, {}, {}};
  }();
  quantize::QuantizeOptions o;
  o.rounding = rounding;
  o.weight_bits = 6;
  o.state_bits = 10;  // coarse, so rounding and saturation happen often
  o.overflow = quantize::Overflow::kWrap;
  o.overrides = {{"output", {4, 2}}};  // range [-2, 1.75]: the readout wraps
  quantize::save_quantized(tmp / "q", quantize::quantize_artifact(artifact, "x", o));
  const auto o0 = nf::test::run_command(fmt::format("{} {} 8", NF_REPLAY_O0, (tmp / "q").string()));
  const auto o3 = nf::test::run_command(fmt::format("{} {} 8", NF_REPLAY_O3, (tmp / "q").string()));
  INFO("-O0: " << o0.output << "-O3: " << o3.output);
  REQUIRE(o0.exit_code == 0);
  REQUIRE(o3.exit_code == 0);
  CHECK_THAT(o0.output, Catch::Matches("[0-9a-f]{16} [0-9]+\n"));
  CHECK(o0.output == o3.output);
  CHECK_THAT(o0.output, !Catch::EndsWith(" 0\n"));  // some values wrapped
}
