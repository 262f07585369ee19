// Quantization-aware fine-tuning: the projection rounds exactly as the
// quantizer does, the straight-through estimator applies the gradient at the
// rounded weights to the float weights, and the fine-tuned network's codes are
// exactly the weights it ended with.
#include <catch2/catch.hpp>

#include <algorithm>

#include "neurofab/common/error.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/quantize/fine_tuning.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "temp_dir.hpp"

using namespace nf;
using namespace nf::quantize;

namespace {

models::RateRnnArtifact xor_rate_artifact(int n, std::uint64_t seed) {
  const auto task = models::make_task("xor");
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = n;
  c.n_out = task->n_out();
  c.tau_ms = 4;
  return {models::make_rate_rnn(c, {}, seed), {}, task->name(), task->param_values(), seed, {}, {}};
}

models::LifRnnArtifact xor_lif_artifact(int n, std::uint64_t seed) {
  const auto task = models::make_task("xor");
  models::LifRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = n;
  c.n_out = task->n_out();
  return {models::make_lif_rnn(c, {}, seed), {}, task->name(), task->param_values(), seed, {}, {}};
}

Eigen::MatrixXf projected(const Eigen::MatrixXf& values, const std::string& name,
                          const models::WeightProjection& projection) {
  Eigen::MatrixXf copy = values;
  projection.project(name, copy);
  return copy;
}

FineTuneOptions short_fine_tuning() {
  FineTuneOptions ft;
  ft.epochs = 2;
  ft.steps_per_epoch = 2;
  ft.selection_trials = 16;
  return ft;
}

}  // namespace

TEST_CASE("the fine-tuning projection rounds and saturates as the quantizer does, and clamps", "[quantize][qat]") {
  const FixedFormat format{4, 2};  // codes -8..7, values -2.0..1.75 in steps of 0.25
  const auto projection = fixed_point_projection({{"W_rec", format}}, Rounding::kHalfUp);
  Eigen::MatrixXf w(1, 6);
  w << 0.1f, 0.125f, -0.125f, 1.9f, -3.0f, 0.6f;
  Eigen::MatrixXf rounded = w;
  projection.project("W_rec", rounded);
  Eigen::MatrixXf expected(1, 6);
  expected << 0.0f, 0.25f, 0.0f, 1.75f, -2.0f, 0.5f;  // half up: 0.125 → 0.25, −0.125 → 0
  CHECK(rounded == expected);
  for (Eigen::Index k = 0; k < w.size(); ++k) {
    CHECK(rounded(0, k) == static_cast<float>(dequantize(quantize_real(w(0, k), format, Rounding::kHalfUp), format)));
  }
  Eigen::MatrixXf again = rounded;
  projection.project("W_rec", again);
  CHECK(again == rounded);  // idempotent: grid values stay put

  Eigen::MatrixXf clamped = w;
  projection.clamp("W_rec", clamped);
  Eigen::MatrixXf expected_clamp(1, 6);
  expected_clamp << 0.1f, 0.125f, -0.125f, 1.75f, -2.0f, 0.6f;
  CHECK(clamped == expected_clamp);

  Eigen::MatrixXf other = w;  // a tensor the projection has no format for
  projection.project("beta", other);
  projection.clamp("beta", other);
  CHECK(other == w);
}

TEST_CASE("the straight-through estimator applies the gradient at the rounded weights to the float weights",
          "[quantize][qat]") {
  const auto artifact = xor_rate_artifact(16, 3);
  const auto task = models::make_task("xor");
  Rng rng(11);
  const models::Batch batch = task->generate(8, rng);
  models::TrainingConfig config;
  config.clip_norm = 0;  // the Adam step then depends on this step's gradient only
  QuantizeOptions options;
  options.weight_bits = 5;
  const auto projection =
      fixed_point_projection(weight_formats(quantize_rate(artifact, options).network.spec()), options.rounding);

  // With the estimator: float weights w, the passes see P(w).
  auto ste = artifact.network;
  models::Adam ste_adam;
  models::TrainingStep<models::RateRnn<float>> ste_step;
  const auto ste_loss = ste_step.run(ste, batch, nullptr, config, 1e-3, ste_adam, projection);
  // Reference: plain training of a network whose weights are P(w).
  auto rounded = artifact.network;
  projection.project_all(rounded.weights());
  const auto rounded_start = rounded.weights();
  models::Adam plain_adam;
  models::TrainingStep<models::RateRnn<float>> plain_step;
  const auto plain_loss = plain_step.run(rounded, batch, nullptr, config, 1e-3, plain_adam);

  CHECK(ste_loss.total() == plain_loss.total());  // the same forward pass on the same weights
  // The same update, applied to w instead of P(w) (float rounding of the sums aside).
  const auto& w0 = artifact.network.weights();
  const auto& w1 = ste.weights();
  const auto& r1 = rounded.weights();
  const Eigen::MatrixXf ste_update = w1.w_rec - w0.w_rec;
  const Eigen::MatrixXf plain_update = r1.w_rec - rounded_start.w_rec;
  CHECK(ste_update.norm() > 0);
  CHECK((ste_update - plain_update).cwiseAbs().maxCoeff() < 1e-6);
  CHECK(w1.w_rec != projected(w1.w_rec, "W_rec", projection));  // the float weights are kept off the grid
}

TEST_CASE("fine-tuned weights lie on their grids and quantize to exactly those values", "[quantize][qat]") {
  const bool lif = GENERATE(false, true);
  INFO((lif ? "LIF" : "rate"));
  const models::Artifact artifact = lif ? models::Artifact(xor_lif_artifact(12, 4)) : xor_rate_artifact(12, 4);
  QuantizeOptions options;
  options.weight_bits = 4;
  const FineTuneOptions ft = short_fine_tuning();
  const FineTuned tuned = fine_tune(artifact, options, ft);

  REQUIRE(tuned.log.size() == 2);
  REQUIRE(tuned.epoch_success.size() == 3);  // before fine-tuning, then per epoch
  CHECK(tuned.best_epoch >= 0);
  CHECK(tuned.best_epoch <= 2);
  CHECK(tuned.selection_success == tuned.epoch_success[static_cast<std::size_t>(tuned.best_epoch)]);
  CHECK(tuned.selection_success == *std::max_element(tuned.epoch_success.begin(), tuned.epoch_success.end()));
  for (const char* name : {"W_in", "W_rec", "b_rec", "W_out", "b_out"}) CHECK(tuned.options.overrides.count(name));

  std::visit(
      [&](const auto& a) {
        const auto q = quantize_network(a, tuned.options).network;
        const auto& s = q.spec();
        const auto& t = q.tensors();
        const auto& w = a.network.weights();
        const auto values = [](const IntMatrix& codes, const FixedFormat& f) {
          return (codes.cast<double>() * f.resolution()).template cast<float>().eval();
        };
        CHECK(values(t.w_in, s.w_in) == w.w_in);
        CHECK(values(t.w_rec, s.w_rec) == w.w_rec);
        CHECK(values(t.b_rec, s.b_rec) == w.b_rec);
        CHECK(values(t.w_out, s.w_out) == w.w_out);
        CHECK(values(t.b_out, s.b_out) == w.b_out);
      },
      tuned.artifact);

  const FineTuned again = fine_tune(artifact, options, ft);  // deterministic
  CHECK(again.best_epoch == tuned.best_epoch);
  CHECK(again.epoch_success == tuned.epoch_success);
}

TEST_CASE("the fine-tuning record round-trips through the quantized artifact", "[quantize][qat]") {
  nf::test::TempDir tmp;
  const models::Artifact artifact = xor_rate_artifact(8, 2);
  QuantizedArtifact q = quantize_artifact(artifact, "float-run", {});
  save_quantized(tmp / "plain", q);
  CHECK(!load_quantized(tmp / "plain").fine_tuning.has_value());
  q.fine_tuning = FineTuneRecord{30, 5e-4, 10, 256, 17, 0.96875};
  save_quantized(tmp / "tuned", q);
  const auto back = load_quantized(tmp / "tuned").fine_tuning;
  REQUIRE(back.has_value());
  CHECK(back->epochs == 30);
  CHECK(back->learning_rate == 5e-4);
  CHECK(back->steps_per_epoch == 10);
  CHECK(back->selection_trials == 256);
  CHECK(back->best_epoch == 17);
  CHECK(back->selection_success == 0.96875);
}

TEST_CASE("bad fine-tuning options give a clear error", "[quantize][qat]") {
  const models::Artifact artifact = xor_rate_artifact(8, 2);
  FineTuneOptions ft = short_fine_tuning();
  ft.epochs = 0;
  CHECK_THROWS_WITH(fine_tune(artifact, {}, ft), Catch::Contains("--fine-tune-epochs"));
  ft = short_fine_tuning();
  ft.learning_rate = -1;
  CHECK_THROWS_WITH(fine_tune(artifact, {}, ft), Catch::Contains("--fine-tune-lr"));
  QuantizeOptions bad;
  bad.weight_bits = 40;
  CHECK_THROWS_AS(fine_tune(artifact, bad, short_fine_tuning()), InputError);
}
