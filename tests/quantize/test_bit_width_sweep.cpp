// The bit-width sweep: one row per width, the float baseline repeated, the
// three levels evaluated on the same trials, and its CSV and markdown tables.
#include <catch2/catch.hpp>

#include "neurofab/models/init.hpp"
#include "neurofab/quantize/fine_tuning.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/bit_width_sweep.hpp"

using namespace nf;
using namespace nf::quantize;

TEST_CASE("the sweep evaluates float, quantized-weight and integer models per width", "[quantize][sweep]") {
  const auto task = models::make_task("xor");
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 16;
  c.n_out = task->n_out();
  c.tau_ms = 4;
  const models::Artifact artifact =
      models::RateRnnArtifact{models::make_rate_rnn(c, {}, 2), {}, task->name(), task->param_values(), 2, {}, {}};
  QuantizeOptions base;
  base.state_bits = 16;
  const auto rows = bit_width_sweep(artifact, base, {16, 3}, 16);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].weight_bits == 16);
  CHECK(rows[1].weight_bits == 3);
  CHECK(rows[0].state_bits == 16);
  CHECK(rows[0].float_mse == rows[1].float_mse);  // the same baseline on the same trials
  // At 16 bits both quantized levels are within a small fraction of the float MSE; at 3 bits the weights are coarse.
  CHECK(std::abs(rows[0].quantized_weights_mse - rows[0].float_mse) < 1e-3 * rows[0].float_mse);
  CHECK(std::abs(rows[0].integer_mse - rows[0].float_mse) < 1e-2 * rows[0].float_mse);
  CHECK(std::abs(rows[1].quantized_weights_mse - rows[1].float_mse) > 1e-2 * rows[1].float_mse);

  const std::string csv = sweep_csv(rows);
  CHECK_THAT(csv, Catch::StartsWith("weight_bits,state_bits,float_success,float_mse,"));
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);
  const std::string md = sweep_markdown(rows);
  CHECK_THAT(md, Catch::Contains("| 16 | 16 |") && Catch::Contains("| 3 | 16 |"));
}

TEST_CASE("with fine-tuning options the sweep adds a fine-tuned integer column", "[quantize][sweep][qat]") {
  const auto task = models::make_task("xor");
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 8;
  c.n_out = task->n_out();
  const models::Artifact artifact =
      models::RateRnnArtifact{models::make_rate_rnn(c, {}, 3), {}, task->name(), task->param_values(), 3, {}, {}};
  FineTuneOptions ft;
  ft.epochs = 2;
  ft.steps_per_epoch = 1;
  ft.selection_trials = 8;
  ft.learning_rate = 2e-2;  // large enough to move 4-bit weights to other codes in one step
  const auto rows = bit_width_sweep(artifact, {}, {4}, 8, ft);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].fine_tuned_success.has_value());
  REQUIRE(rows[0].fine_tuned_mse.has_value());
  // The column is fine_tune() at that width, quantized with the options it
  // returns and run by the integer golden model on the sweep's trials (the
  // artifact's seed): the same computation, so the same numbers exactly.
  QuantizeOptions at_4_bits;
  at_4_bits.weight_bits = 4;
  const FineTuned tuned = fine_tune(artifact, at_4_bits, ft);
  const auto& tuned_artifact = std::get<models::RateRnnArtifact>(tuned.artifact);
  const auto expected =
      evaluate_integer(quantize_network(tuned_artifact, tuned.options).network, *task, 8, tuned_artifact.seed);
  CHECK(*rows[0].fine_tuned_success == expected.success_rate);
  CHECK(*rows[0].fine_tuned_mse == expected.mse);
  // Fine-tuning kept a later epoch than 0 (plain quantization, the integer
  // column), so a column copied from the integer one would differ.
  REQUIRE(tuned.best_epoch > 0);
  CHECK(*rows[0].fine_tuned_mse != rows[0].integer_mse);
  CHECK_THAT(sweep_csv(rows), Catch::Contains(",fine_tuned_success,fine_tuned_mse\n"));
  CHECK_THAT(sweep_markdown(rows), Catch::Contains("integer, fine-tuned"));
  // Without fine-tuning the columns stay empty.
  const auto plain = bit_width_sweep(artifact, {}, {4}, 8);
  CHECK(!plain[0].fine_tuned_success.has_value());
  CHECK_THAT(sweep_csv(plain), Catch::EndsWith(",,\n"));
  CHECK_THAT(sweep_markdown(plain), !Catch::Contains("fine-tuned"));
}
