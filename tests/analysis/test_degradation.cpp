// The degradation analysis (analysis/degradation.hpp) and its command:
// the output distance against a hand computation, the float and integer
// runners against models::evaluate / quantize::evaluate_integer /
// quantize::bit_width_sweep (integer scores exactly; float MSE to float
// rounding, kFloatMseTolerance), the summary statistics on hand rows, each axis on
// small saved artifacts, and `neurofab analyze degradation` end to end.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neurofab/analysis/degradation.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/output_scores.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantizer.hpp"
#include "neurofab/quantize/bit_width_sweep.hpp"
#include "run_command.hpp"
#include "stress_networks.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using nf::analysis::Axis;
using nf::analysis::DegradationOptions;
using nf::analysis::DegradationRow;
using nf::analysis::run_degradation;

namespace {

constexpr int kTrialLength = 200;

// Relative tolerance between a float model's MSE from models::evaluate (and
// so quantize::bit_width_sweep's float and quantized-weights columns) and the
// analysis scores of the same outputs. Not the same computation:
// models::evaluate takes the masked MSE in float (Network::loss: float
// outputs and targets, squared and summed in float, widened at the end),
// score_outputs widens the outputs first and sums in double. Both see the same
// outputs; they differ by float rounding of a sum of trials x steps x outputs
// terms (here at most 12 trials x 200 steps x 1 output = 2400: a worst-case
// bound of 2400 x 2^-24 = 1.4e-4; under 1e-7 seen with Eigen's blocked sum),
// far below the changes the axes measure.
constexpr double kFloatMseTolerance = 1e-5;

nf::models::RateRnnArtifact small_rate(const std::string& task, int units, std::uint64_t bias_seed = 3) {
  nf::models::RateRnnConfig config;
  auto a = nf::test::random_rate_network(task, units, config, 1.1, bias_seed);
  if (task == "flipflop" || task == "nbit_flipflop") a.task_params["trial_length"] = kTrialLength;
  return a;
}

nf::models::LifRnnArtifact small_lif(int units) {
  nf::models::LifRnnConfig config;
  auto a = nf::test::random_lif_network("flipflop", units, config, 1.5, 0.06, 3);
  a.task_params["trial_length"] = kTrialLength;
  return a;
}

template <typename A>
fs::path saved(const nf::test::TempDir& tmp, const std::string& name, const A& artifact) {
  const fs::path dir = tmp / name;
  nf::models::save_artifact(dir, artifact);
  return dir;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int count_lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST_CASE("output distance is the trial-averaged Euclidean distance over every step", "[degradation]") {
  // 2 trials, 3 steps, 2 outputs; column t·B + b.
  nf::models::Batch batch;
  batch.n_steps = 3;
  batch.batch_size = 2;
  batch.targets = Eigen::MatrixXd::Zero(2, 6);
  batch.mask = Eigen::MatrixXd::Ones(2, 6);
  batch.mask(0, 0) = 0.0;  // masked steps still count in the distance
  batch.inputs = Eigen::MatrixXd::Zero(1, 6);
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(2, 6);
  // Trial 0: errors (3, 0) at t = 0 and (0, 4) at t = 2 → √(9 + 16) = 5.
  y(0, 0) = 3.0;
  y(1, 4) = 4.0;
  // Trial 1: errors 1, 2, 2 on output 0 → √(1 + 4 + 4) = 3.
  y(0, 1) = 1.0;
  y(0, 3) = -2.0;
  y(0, 5) = 2.0;
  CHECK(nf::models::output_distance(batch, y) == Approx(4.0).epsilon(1e-15));
  batch.targets.setConstant(1.0);
  y.setConstant(1.0);
  CHECK(nf::models::output_distance(batch, y) == 0.0);
  CHECK_THROWS_AS(nf::models::output_distance(batch, Eigen::MatrixXd::Zero(1, 6)), nf::InputError);
}

TEST_CASE("float runner matches models::evaluate (MSE to float rounding); integer runner equals quantize::evaluate_integer",
          "[degradation]") {
  const auto task = nf::models::make_task("flipflop", {{"trial_length", kTrialLength}});
  const auto rate = small_rate("flipflop", 16);
  const auto lif = small_lif(16);
  const auto rate_eval = nf::models::evaluate(rate.network, *task, 12, 9);
  const auto rate_scores = nf::analysis::evaluate_float(rate.network, *task, 12, 9);
  CHECK(rate_scores.success_rate == rate_eval.success_rate);  // the same outputs, the same criterion
  CHECK(rate_scores.mse == Approx(rate_eval.mse).epsilon(kFloatMseTolerance));
  CHECK(rate_scores.distance > 0.0);
  const auto lif_eval = nf::models::evaluate(lif.network, *task, 12, 9);
  const auto lif_scores = nf::analysis::evaluate_float(lif.network, *task, 12, 9);
  CHECK(lif_scores.success_rate == lif_eval.success_rate);
  CHECK(lif_scores.mse == Approx(lif_eval.mse).epsilon(kFloatMseTolerance));

  nf::quantize::QuantizeOptions q;
  q.calibration_trials = 4;
  const auto qrate = nf::quantize::quantize_rate(rate, q).network;
  const auto qlif = nf::quantize::quantize_lif(lif, q).network;
  const auto ri = nf::quantize::evaluate_integer(qrate, *task, 12, 9);
  const auto rs = nf::analysis::evaluate_integer_model(qrate, *task, 12, 9);
  CHECK(rs.success_rate == ri.success_rate);
  CHECK(rs.mse == ri.mse);  // the same expression on the same codes
  CHECK(rs.overflow_events == ri.overflow_events);
  const auto li = nf::quantize::evaluate_integer(qlif, *task, 12, 9);
  const auto ls = nf::analysis::evaluate_integer_model(qlif, *task, 12, 9);
  CHECK(ls.success_rate == li.success_rate);
  CHECK(ls.mse == li.mse);
  CHECK(ls.overflow_events == li.overflow_events);
}

TEST_CASE("summary: mean, sample sd and n per (mode, point) on hand rows", "[degradation]") {
  std::vector<DegradationRow> rows(4);
  const double success[] = {1.0, 0.5, 0.0, 0.25};
  const double distance[] = {2.0, 4.0, 6.0, 1.0};
  const std::string network[] = {"a", "b", "a", "a"};
  const std::string mode[] = {"magnitude", "magnitude", "magnitude", "random"};
  for (int i = 0; i < 4; ++i) {
    rows[i].network = network[i];
    rows[i].mode = mode[i];
    rows[i].model = "rate_rnn";
    rows[i].point = 0.5;
    rows[i].scores.success_rate = success[i];
    rows[i].scores.distance = distance[i];
  }
  const auto summary = nf::analysis::summarize(rows);
  REQUIRE(summary.size() == 2);
  CHECK(summary[0].mode == "magnitude");
  CHECK(summary[0].n == 3);
  CHECK(summary[0].networks == 2);
  CHECK(summary[0].success_mean == Approx(0.5));
  CHECK(*summary[0].success_sd == Approx(0.5));           // √((0.25 + 0 + 0.25) / 2)
  CHECK(summary[0].distance_mean == Approx(4.0));
  CHECK(*summary[0].distance_sd == Approx(2.0));          // √((4 + 0 + 4) / 2)
  CHECK(summary[1].n == 1);
  CHECK_FALSE(summary[1].success_sd.has_value());         // no sd from one row
  const std::string csv = nf::analysis::summary_csv(summary);
  CHECK(csv.find("rate_rnn,random,0.5,1,1,0.25,,1,,") != std::string::npos);
  // Another family at the same (mode, point) is summarised apart.
  rows[2].model = "lif_rnn";
  const auto apart = nf::analysis::summarize(rows);
  REQUIRE(apart.size() == 3);
  CHECK(apart[0].n == 2);
  CHECK(apart[1].model == "lif_rnn");  // groups in order of first appearance
  CHECK(apart[1].n == 1);
}

TEST_CASE("pruning axis: rows per mode, fraction and seed — 0 % equals the unpruned network", "[degradation]") {
  nf::test::TempDir tmp;
  const auto rate = small_rate("flipflop", 16);
  const fs::path dir = saved(tmp, "rate", rate);
  DegradationOptions o;
  o.axis = Axis::kPruning;
  o.trials = 6;
  o.seed = 4;
  o.fractions = {0.0, 0.5};
  o.draw_seeds = {1, 2};
  const auto result = run_degradation({dir}, o);
  // 3 deterministic modes × 2 fractions + random × 2 fractions × 2 seeds.
  REQUIRE(result.rows.size() == 10);
  const auto task = nf::models::make_task("flipflop", rate.task_params);
  const auto unpruned = nf::analysis::evaluate_float(rate.network, *task, 6, 4);
  const auto present = static_cast<std::int64_t>(rate.network.connectivity().mask_rec.sum());
  for (const auto& row : result.rows) {
    INFO(row.mode << " f " << *row.point);
    CHECK(row.model == "rate_rnn");
    CHECK(row.draw_seed.has_value() == (row.mode == "random"));
    if (*row.point == 0.0) {
      CHECK(row.changed == 0);
      CHECK(row.scores.success_rate == unpruned.success_rate);
      CHECK(row.scores.distance == unpruned.distance);  // bit-identical outputs
    }
    if (*row.point == 0.5 && (row.mode == "magnitude" || row.mode == "random")) {
      CHECK(row.changed == std::llround(0.5 * static_cast<double>(present)));
    }
    if (*row.point == 0.5 && row.mode == "magnitude") CHECK(row.scores.distance != unpruned.distance);
  }
  // Summary: the random rows at one fraction aggregate both seeds.
  const auto& s = result.summary;
  const auto random = std::find_if(s.begin(), s.end(), [](const auto& r) { return r.mode == "random" && *r.point == 0.5; });
  REQUIRE(random != s.end());
  CHECK(random->n == 2);
  CHECK(result.settings["seed"] == 4);
  CHECK(result.settings["draw_seeds"].size() == 2);
}

TEST_CASE("size axis groups networks by n_rec — LIF networks work too", "[degradation]") {
  nf::test::TempDir tmp;
  const fs::path a = saved(tmp, "a", small_rate("flipflop", 8, 1));
  const fs::path b = saved(tmp, "b", small_rate("flipflop", 8, 2));
  const fs::path c = saved(tmp, "c", small_rate("flipflop", 12, 1));
  const fs::path d = saved(tmp, "d", small_lif(12));
  DegradationOptions o;
  o.axis = Axis::kSize;
  o.trials = 4;
  const auto result = run_degradation({a, b, c, d}, o);
  REQUIRE(result.rows.size() == 4);
  REQUIRE(result.summary.size() == 3);  // rate N = 8 (2 networks), rate N = 12, LIF N = 12
  CHECK(*result.summary[0].point == 8);
  CHECK(result.summary[0].n == 2);
  CHECK(result.summary[0].networks == 2);
  CHECK(*result.summary[1].point == 12);
  CHECK(result.summary[1].model == "rate_rnn");
  CHECK(result.summary[2].model == "lif_rnn");
  CHECK(result.rows[3].model == "lif_rnn");
}

TEST_CASE("mem-gap axis: as trained, at other gaps, and a clear error for a task without one", "[degradation]") {
  nf::test::TempDir tmp;
  auto rate = small_rate("flipflop", 12);
  rate.task_params["mem_gap"] = 30;
  const fs::path dir = saved(tmp, "rate", rate);
  DegradationOptions o;
  o.axis = Axis::kMemGap;
  o.trials = 4;
  o.mem_gaps = {10, 30, 60};
  const auto result = run_degradation({dir}, o);
  REQUIRE(result.rows.size() == 4);
  CHECK(result.rows[0].mode == "as_trained");
  CHECK(*result.rows[0].point == 30);
  CHECK(result.rows[1].mode == "trained=30");
  CHECK(*result.rows[3].point == 60);
  // At its own gap the evaluation is the same trials on the same task.
  CHECK(result.rows[2].scores.distance == result.rows[0].scores.distance);
  CHECK(result.rows[1].scores.distance != result.rows[0].scores.distance);
  CHECK(result.settings["networks"][0]["trained_mem_gap"] == 30);

  const fs::path nbit = saved(tmp, "nbit", small_rate("nbit_flipflop", 12));
  try {
    run_degradation({dir, nbit}, o);
    FAIL("no error for a task without mem_gap");
  } catch (const nf::InputError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.find("nbit_flipflop") != std::string::npos);
    CHECK(message.find("mem_gap") != std::string::npos);
    CHECK(message.find(nbit.string()) != std::string::npos);
  }
  // A gap the task refuses is refused before anything runs.
  o.mem_gaps = {500};
  CHECK_THROWS_WITH(run_degradation({dir}, o), Catch::Contains(dir.string()) && Catch::Contains("--mem-gaps 500"));
}

TEST_CASE("bits axis matches quantize::bit_width_sweep on the same trials (float MSE to float rounding)",
          "[degradation]") {
  nf::test::TempDir tmp;
  for (const bool lif : {false, true}) {
    INFO((lif ? "lif" : "rate"));
    const nf::models::Artifact artifact = lif ? nf::models::Artifact(small_lif(12)) : nf::models::Artifact(small_rate("flipflop", 12));
    const fs::path dir = tmp / (lif ? "lif" : "rate");
    std::visit([&](const auto& a) { nf::models::save_artifact(dir, a); }, artifact);
    DegradationOptions o;
    o.axis = Axis::kBits;
    o.trials = 6;
    o.seed = 11;  // bit_width_sweep evaluates on the artifact's seed, which random_*_network sets to 11
    o.bits = {4, 8};
    const auto result = run_degradation({dir}, o);
    REQUIRE(result.rows.size() == 5);
    nf::quantize::QuantizeOptions q;
    const auto sweep = nf::quantize::bit_width_sweep(artifact, q, {4, 8}, 6);
    CHECK(result.rows[0].mode == "float");
    CHECK_FALSE(result.rows[0].point.has_value());
    CHECK(result.rows[0].scores.success_rate == sweep[0].float_success);
    CHECK(result.rows[0].scores.mse == Approx(sweep[0].float_mse).epsilon(kFloatMseTolerance));
    // The same computation as evaluate_float on the same trials: exactly equal.
    std::visit(
        [&](const auto& a) {
          const auto task = nf::models::make_task(a.task_name, a.task_params);
          const auto expected = nf::analysis::evaluate_float(a.network, *task, 6, 11);
          CHECK(result.rows[0].scores.mse == expected.mse);
          CHECK(result.rows[0].scores.distance == expected.distance);
        },
        artifact);
    for (int i = 0; i < 2; ++i) {
      const auto& weights_only = result.rows[1 + 2 * i];
      const auto& integer = result.rows[2 + 2 * i];
      CHECK(weights_only.mode == "quantized_weights");
      CHECK(integer.mode == "integer");
      CHECK(*integer.point == sweep[i].weight_bits);
      CHECK(weights_only.scores.success_rate == sweep[i].quantized_weights_success);
      CHECK(weights_only.scores.mse == Approx(sweep[i].quantized_weights_mse).epsilon(kFloatMseTolerance));
      CHECK(integer.scores.success_rate == sweep[i].integer_success);
      CHECK(integer.scores.mse == sweep[i].integer_mse);
      CHECK(integer.scores.overflow_events == sweep[i].overflow_events);
    }
  }
}

TEST_CASE("bit-flips axis: 0 flips equals the integer model, rows per k and seed", "[degradation]") {
  nf::test::TempDir tmp;
  const fs::path dir = saved(tmp, "rate", small_rate("flipflop", 12));
  DegradationOptions o;
  o.axis = Axis::kBitFlips;
  o.trials = 4;
  o.fault_bits = 8;
  o.flips = {0, 5, 1152};  // 1152 = every bit of the 12 x 12 8-bit W_rec
  o.draw_seeds = {1, 2};
  const auto result = run_degradation({dir}, o);
  REQUIRE(result.rows.size() == 6);
  DegradationOptions b = o;
  b.axis = Axis::kBits;
  b.bits = {8};
  const auto reference = run_degradation({dir}, b);  // float, quantized_weights@8, integer@8
  CHECK(result.rows[0].scores.distance == reference.rows[2].scores.distance);
  CHECK(result.rows[1].scores.distance == reference.rows[2].scores.distance);
  CHECK(result.rows[2].changed == 5);
  CHECK(result.rows[2].draw_seed == 1u);
  CHECK(result.rows[3].draw_seed == 2u);
  CHECK(result.rows[4].scores.distance != reference.rows[2].scores.distance);
  CHECK(result.settings["networks"][0]["memory_bits"] == 1152);
  o.flips = {1153};
  CHECK_THROWS_AS(run_degradation({dir}, o), nf::InputError);
  o.flips = {};
  o.bit_error_rates = {0.0, 0.01};
  const auto by_rate = run_degradation({dir}, o);
  CHECK(by_rate.rows.back().changed == 12);  // round(0.01 · 1152)
  CHECK(*by_rate.rows.back().point == 0.01);
}

TEST_CASE("bad options are refused naming the option", "[degradation]") {
  DegradationOptions o;
  o.fractions = {1.2};
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("--fractions"));
  o = {};
  o.axis = Axis::kBitFlips;
  o.fault_bits = 40;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("--bits"));
  o.fault_bits = 8;
  o.bit_error_rates = {1e-3};
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("--flips"));
  CHECK_THROWS_WITH(nf::analysis::axis_from_string("sideways"), Catch::Contains("pruning, size, mem-gap"));
}

// ---------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------

namespace {

nf::test::CommandResult cli(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} analyze degradation {} 2>&1", NF_CLI_PATH, arguments));
}

}  // namespace

TEST_CASE("neurofab analyze degradation writes CSVs, JSON and a PNG per axis", "[degradation][cli]") {
  nf::test::TempDir tmp;
  const fs::path a = saved(tmp, "a", small_rate("flipflop", 10, 1));
  const fs::path b = saved(tmp, "b", small_lif(10));
  const fs::path out = tmp / "out";
  const std::string runs = fmt::format("{} {}", a.string(), b.string());
  const auto r = cli(fmt::format("{} --axis pruning --fractions 0,0.5 --draw-seeds 3 --trials 4 --seed 2 -o {}", runs,
                                 out.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const char* name : {"degradation_pruning.csv", "degradation_pruning_summary.csv", "degradation_pruning.json",
                           "degradation_pruning.png"})
    CHECK(fs::file_size(out / name) > 0);
  // 2 networks × 4 modes × 2 fractions (1 random seed), plus the header.
  CHECK(count_lines(read_file(out / "degradation_pruning.csv")) == 1 + 16);
  CHECK(count_lines(read_file(out / "degradation_pruning_summary.csv")) == 1 + 16);  // rate and LIF apart
  const auto json = nlohmann::json::parse(read_file(out / "degradation_pruning.json"));
  CHECK(json["settings"]["seed"] == 2);
  CHECK(json["settings"]["trials"] == 4);
  CHECK(json["summary"].size() == 16);
  CHECK(r.output.find("seed 3") != std::string::npos);  // draw seeds are printed

  // An existing folder is replaced only with --force.
  const auto again = cli(fmt::format("{} --axis size -o {}", runs, out.string()));
  CHECK(again.exit_code == 1);
  CHECK(again.output.find("already exists (use --force to replace it)") != std::string::npos);
  CHECK(fs::exists(out / "degradation_pruning.csv"));
  REQUIRE(cli(fmt::format("{} --axis size --force -o {}", runs, out.string())).exit_code == 0);
  CHECK(fs::exists(out / "degradation_size.csv"));
  CHECK_FALSE(fs::exists(out / "degradation_pruning.csv"));

  const fs::path flips = tmp / "flips";
  const auto f = cli(fmt::format("{} --axis bit-flips --flips 0,3 --memories W_rec,W_out --draw-seeds 1,2 --trials 3 -o {}",
                                 a.string(), flips.string()));
  INFO(f.output);
  REQUIRE(f.exit_code == 0);
  CHECK(fs::file_size(flips / "degradation_bit-flips.png") > 0);
  CHECK(count_lines(read_file(flips / "degradation_bit-flips.csv")) == 1 + 4);
}

TEST_CASE("neurofab analyze degradation refuses bad input with one clear line", "[degradation][cli]") {
  nf::test::TempDir tmp;
  const fs::path a = saved(tmp, "a", small_rate("flipflop", 8));
  const fs::path nbit = saved(tmp, "nbit", small_rate("nbit_flipflop", 8));
  const fs::path out = tmp / "out";
  auto r = cli(fmt::format("{} --axis sideways -o {}", a.string(), out.string()));
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("sideways") != std::string::npos);
  r = cli(fmt::format("{} -o {}", a.string(), out.string()));
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("--axis") != std::string::npos);
  r = cli(fmt::format("{} --axis size", a.string()));
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("--out") != std::string::npos);
  r = cli(fmt::format("{} --axis bit-flips --bits 4,8 -o {}", a.string(), out.string()));
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("--bits") != std::string::npos);
  r = cli(fmt::format("{} --axis size --fractions 0.5 -o {}", a.string(), out.string()));
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("--fractions") != std::string::npos);
  r = cli(fmt::format("{} --axis mem-gap --mem-gaps 10 -o {}", nbit.string(), out.string()));
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("nbit_flipflop") != std::string::npos);
  CHECK(r.output.find("mem_gap") != std::string::npos);
  CHECK_FALSE(fs::exists(out));  // no half-written output
}
