// The neurofab command end to end: exit codes, messages, and a tiny train →
// eval → resume cycle through the real binary.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>

#include <nlohmann/json.hpp>

#include "neurofab/models/artifact.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

using Result = nf::test::CommandResult;

Result run(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} {} 2>&1", NF_CLI_PATH, arguments));  // stdout and stderr together
}

// One line of error, no crash, no stack trace.
void check_clean_error(const Result& r, int code, const std::string& fragment) {
  INFO(r.output);
  CHECK(r.exit_code == code);
  CHECK_THAT(r.output, Catch::Contains(fragment));
}

std::string tiny_training(int epochs) {
  return fmt::format("--n 8 --epochs {} --steps-per-epoch 2 --batch 8 --validation-trials 16 --eval-trials 16 -q",
                     epochs);
}
const std::string kTinyTraining = tiny_training(2);

std::string bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json model_json(const fs::path& dir) { return nlohmann::json::parse(bytes(dir / "model.json")); }

// Every .npy of an artifact folder (the kept network's tensors, and under
// optimizer/ the weights training stands at and the Adam moments): relative
// path -> bytes.
std::map<std::string, std::string> npy_files(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".npy")
      files[fs::relative(entry.path(), dir).generic_string()] = bytes(entry.path());
  }
  return files;
}

// A run of `total` epochs resumed from `out` (trained for fewer) ends exactly
// where the uninterrupted run `straight` of `total` epochs ends, having
// trained only the epochs that were left:
//   - every .npy byte for byte: the kept best network (state.best_network) and
//     optimizer/ (weights_* where training stands, the Adam moments);
//   - state.log has `total` entries equal to the straight run's except for the
//     wall time; the epochs done before the resume keep a sentinel written
//     into their wall time here (a retrain from scratch would overwrite it);
//   - the resumed process says where it resumed and that it ended at `total`.
void check_resume_matches_straight_run(const fs::path& out, const fs::path& straight, int total) {
  constexpr double kSentinelSeconds = 12345.25;  // no epoch of a tiny run takes that long
  nlohmann::json before = model_json(out);
  const int done = before["state"]["epochs_done"].get<int>();
  REQUIRE(done > 0);
  REQUIRE(done < total);
  REQUIRE(before["state"]["log"].size() == static_cast<std::size_t>(done));
  for (auto& record : before["state"]["log"]) record["seconds"] = kSentinelSeconds;
  std::ofstream(out / "model.json", std::ios::trunc) << before.dump(2);

  // Not quiet: the resumed process reports the epoch it resumes at and its last epoch.
  const Result resumed = run(fmt::format("train --resume --epochs {} --eval-trials 16 -o {}", total, out.string()));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Catch::Contains(fmt::format("resuming {} at epoch {} ", out.string(), done)));
  CHECK_THAT(resumed.output, Catch::Contains(fmt::format("epoch {}/{} ", total, total)));
  CHECK_THAT(resumed.output, Catch::Contains(fmt::format("): {} epochs, ", total)));

  const auto expected = npy_files(straight);
  const auto got = npy_files(out);
  REQUIRE(expected.count("W_rec.npy") == 1);
  REQUIRE(expected.count("optimizer/weights_W_rec.npy") == 1);
  REQUIRE(expected.count("optimizer/adam_m_W_rec.npy") == 1);
  CHECK(got.size() == expected.size());
  for (const auto& [name, content] : expected) {
    INFO(name);
    REQUIRE(got.count(name) == 1);
    CHECK(got.at(name) == content);
  }

  const nlohmann::json a = model_json(out)["state"], b = model_json(straight)["state"];
  CHECK(a["epochs_done"] == total);
  CHECK(a["best_network"] == b["best_network"]);
  CHECK(a["optimizer_step"] == b["optimizer_step"]);
  REQUIRE(a["log"].size() == static_cast<std::size_t>(total));
  REQUIRE(b["log"].size() == static_cast<std::size_t>(total));
  for (int i = 0; i < total; ++i) {
    INFO("log entry " << i);
    nlohmann::json x = a["log"][i], y = b["log"][i];
    CHECK((x["seconds"] == kSentinelSeconds) == (i < done));  // only the epochs after the resume ran again
    x.erase("seconds");
    y.erase("seconds");
    CHECK(x == y);
  }
}

}  // namespace

TEST_CASE("--help works for the app and every sub-command", "[cli]") {
  for (const std::string sub : {"", "train", "eval", "tasks", "raster"}) {
    const Result r = run(sub + " --help");
    INFO(sub << ": " << r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("Usage"));
  }
}

TEST_CASE("`neurofab tasks` lists every task with its parameters", "[cli]") {
  const Result r = run("tasks");
  REQUIRE(r.exit_code == 0);
  for (const auto& name : nf::models::task_names()) CHECK_THAT(r.output, Catch::Contains(name));
  CHECK_THAT(r.output, Catch::Contains("--task-param mem_gap="));
  check_clean_error(run("tasks nope"), 1, "unknown task 'nope'");
}

TEST_CASE("bad arguments give a clear error and a non-zero exit", "[cli]") {
  nf::test::TempDir tmp;
  const std::string out = (tmp / "run").string();
  check_clean_error(run("frobnicate"), 2, "subcommand");
  check_clean_error(run("train --task xor"), 2, "--out is required");
  check_clean_error(run("train -o " + out), 1, "--task is required");
  check_clean_error(run("train --task nope -o " + out), 1, "unknown task 'nope'");
  check_clean_error(run("train --task xor --n -3 -o " + out), 2, "--n");
  check_clean_error(run("train --task xor --init he -o " + out), 1, "unknown initialisation 'he'");
  check_clean_error(run("train --task xor --task-param mem_gap=abc -o " + out), 1, "not a number");
  check_clean_error(run("train --task xor --task-param colour=3 -o " + out), 1, "colour");
  check_clean_error(run("train --task xor --tau 0.5 -o " + out), 1, "tau");
  check_clean_error(run("train --task xor --threshold 2 -o " + out), 1, "--threshold is an option of the lif model");
  check_clean_error(run("train --task xor --model lif --activation relu -o " + out), 1,
                    "--activation is an option of the rate model");
  check_clean_error(run("train --task xor --model lif --reset soft -o " + out), 1, "unknown reset mode 'soft'");
  check_clean_error(run("eval " + (tmp / "missing").string()), 1, "missing");
  CHECK(!fs::exists(out));
}

TEST_CASE("train, eval, refuse to overwrite, resume", "[cli]") {
  nf::test::TempDir tmp;
  const std::string out = (tmp / "run").string();
  const Result trained = run(fmt::format("train --task xor {} --seed 4 -o {}", kTinyTraining, out));
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  CHECK_THAT(trained.output, Catch::Contains("success"));
  CHECK(fs::exists(fs::path(out) / "model.json"));
  CHECK(fs::exists(fs::path(out) / "W_rec.npy"));

  const Result evaluated = run("eval --json " + out);
  INFO(evaluated.output);
  REQUIRE(evaluated.exit_code == 0);
  const auto j = nlohmann::json::parse(evaluated.output);
  CHECK(j["task"] == "xor");
  // The scores are models::evaluate of the saved network on the default 512
  // trials of the artifact's seed, recomputed here (JSON keeps doubles exactly).
  {
    const auto artifact = std::get<nf::models::RateRnnArtifact>(nf::models::load_artifact(out));
    const auto task = nf::models::make_task(artifact.task_name, artifact.task_params);
    const auto expected = nf::models::evaluate(artifact.network, *task, 512, artifact.seed);
    const auto ood = nf::models::evaluate(artifact.network, *nf::models::make_ood_task(*task), 512, artifact.seed);
    CHECK(j["trials"] == 512);
    CHECK(j["seed"] == artifact.seed);
    CHECK(j["success_rate"].get<double>() == expected.success_rate);
    CHECK(j["loss"].get<double>() == expected.mse);
    CHECK(j["ood_success_rate"].get<double>() == ood.success_rate);
    CHECK(j["ood_loss"].get<double>() == ood.mse);
  }

  check_clean_error(run(fmt::format("train --task xor {} -o {}", kTinyTraining, out)), 1, "already exists");
  check_clean_error(run(fmt::format("train --resume --lr 0.1 -o {}", out)), 1, "--lr cannot be combined with --resume");
  const fs::path straight = tmp / "straight";
  REQUIRE(run(fmt::format("train --task xor {} --seed 4 -o {}", tiny_training(3), straight.string())).exit_code == 0);
  check_resume_matches_straight_run(out, straight, 3);

  // A corrupted artifact: one line naming the file, exit 1.
  std::ofstream(fs::path(out) / "W_rec.npy", std::ios::trunc) << "garbage";
  check_clean_error(run("eval " + out), 1, "W_rec.npy");
}

TEST_CASE("train --model lif, eval with activity, resume", "[cli][lif]") {
  nf::test::TempDir tmp;
  const std::string out = (tmp / "run").string();
  const std::string lif_options =
      "train --model lif --task flipflop --task-param trial_length=150 --tau-mem 10 --tau-syn 0 --reset zero "
      "--refractory 1 --encoding delta --surrogate triangle --surrogate-slope 3 --detach-reset --train-tau "
      "--spike-penalty 0.1 --target-rate 0.05 --target-rate-weight 1 --loss-on-scored-steps --seed 2";
  const Result trained = run(fmt::format("{} {} -o {}", lif_options, kTinyTraining, out));
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  CHECK_THAT(trained.output, Catch::Contains("LIF RNN") && Catch::Contains("spikes/unit/step"));
  CHECK(fs::exists(fs::path(out) / "beta.npy"));

  const auto model = nlohmann::json::parse(std::ifstream(fs::path(out) / "model.json"));
  CHECK(model["model_type"] == "lif_rnn");
  CHECK(model["model"]["reset"] == "zero");
  CHECK(model["model"]["input_encoding"] == "delta");
  CHECK(model["model"]["n_in_encoded"] == 4);
  CHECK(model["model"]["alpha_syn"] == 0.0);
  CHECK(model["training"]["l1_rates"] == 0.1);
  CHECK(model["training"]["loss_on_scored_steps"] == true);

  const Result evaluated = run("eval --json " + out);
  INFO(evaluated.output);
  REQUIRE(evaluated.exit_code == 0);
  const auto j = nlohmann::json::parse(evaluated.output);
  CHECK(j["model_type"] == "LIF RNN");
  // The activity is models::evaluate's of the saved network on the default 512
  // trials of the artifact's seed, recomputed here (JSON keeps doubles exactly).
  const auto artifact = std::get<nf::models::LifRnnArtifact>(nf::models::load_artifact(out));
  const auto task = nf::models::make_task(artifact.task_name, artifact.task_params);
  const auto expected = nf::models::evaluate(artifact.network, *task, 512, artifact.seed);
  REQUIRE(expected.activity.has_value());
  CHECK(j["success_rate"].get<double>() == expected.success_rate);
  CHECK(j["loss"].get<double>() == expected.mse);
  const double rate = j["mean_rate"].get<double>();
  CHECK(rate == expected.activity->mean_rate);
  CHECK(j["mean_rate_hz"].get<double>() == expected.activity->mean_rate_hz);
  CHECK(j["spikes_per_step"].get<double>() == expected.activity->spikes_per_step);
  CHECK(j["synops_per_step"].get<double>() == expected.activity->synops_per_step);
  CHECK(j["input_macs_per_step"].get<double>() == expected.activity->input_macs_per_step);
  // ... and they relate as docs/lif-rnn.md says: dt = 1 ms, N = 8.
  CHECK(j["mean_rate_hz"].get<double>() == Approx(rate * 1000.0));
  CHECK(j["spikes_per_step"].get<double>() == Approx(rate * 8));
  CHECK(j["synops_per_step"].get<double>() >= j["spikes_per_step"].get<double>());
  CHECK(j["input_macs_per_step"] == 0.0);  // spike-encoded input: events, not MACs

  const Result text = run("eval " + out);
  CHECK_THAT(text.output, Catch::Contains("SynOps per step") && Catch::Contains("mean firing rate"));

  const fs::path straight = tmp / "straight";
  REQUIRE(run(fmt::format("{} {} -o {}", lif_options, tiny_training(3), straight.string())).exit_code == 0);
  check_resume_matches_straight_run(out, straight, 3);
  CHECK(model_json(out)["model_type"] == "lif_rnn");
}

TEST_CASE("quantize a trained artifact, evaluate the integer model, refuse bad requests", "[cli][quantize]") {
  nf::test::TempDir tmp;
  const std::string run_dir = (tmp / "run").string(), q = (tmp / "q").string();
  REQUIRE(run(fmt::format("train --task xor {} --seed 4 -o {}", kTinyTraining, run_dir)).exit_code == 0);

  const Result quantized = run(fmt::format("quantize {} --bits 8 --format W_rec=8.6 --eval-trials 16 -o {}", run_dir, q));
  INFO(quantized.output);
  REQUIRE(quantized.exit_code == 0);
  CHECK_THAT(quantized.output, Catch::Contains("W_rec Q8.6") && Catch::Contains("integer success"));
  const auto model = nlohmann::json::parse(std::ifstream(fs::path(q) / "model.json"));
  CHECK(model["format"] == "neurofab-quantized");
  CHECK(model["fixed_point"]["formats"]["W_rec"]["q"] == "Q8.6");

  const Result evaluated = run("eval --json --trials 16 " + q);
  INFO(evaluated.output);
  REQUIRE(evaluated.exit_code == 0);
  const auto j = nlohmann::json::parse(evaluated.output);
  CHECK(j["model_type"] == "integer rate RNN");
  CHECK(j["overflow_events"].get<std::int64_t>() >= 0);

  check_clean_error(run(fmt::format("quantize {} -o {}", run_dir, q)), 1, "already exists");
  check_clean_error(run(fmt::format("quantize {} --bits 40 --force -o {}", run_dir, q)), 1, "weight bits = 40");
  check_clean_error(run(fmt::format("quantize {} --format W_rec=8.9 --force -o {}", run_dir, q)), 1, "exceed");
  check_clean_error(run(fmt::format("quantize {} --rounding nearest --force -o {}", run_dir, q)), 1, "nearest");
  check_clean_error(run(fmt::format("quantize {} -o {}", (tmp / "missing").string(), (tmp / "q2").string())), 1,
                    "missing");
  CHECK(!fs::exists(tmp / "q2"));
  std::ofstream(tmp / "formats.json") << "{\"W_hidden\": \"8.4\"}";
  check_clean_error(run(fmt::format("quantize {} --formats {} --force -o {}", run_dir, (tmp / "formats.json").string(), q)),
                    1, "W_hidden");
}

TEST_CASE("quantize --fine-tune-epochs fine-tunes, records it and refuses bad values", "[cli][quantize][qat]") {
  nf::test::TempDir tmp;
  const std::string run_dir = (tmp / "run").string(), q = (tmp / "q").string();
  REQUIRE(run(fmt::format("train --task xor {} --seed 4 -o {}", kTinyTraining, run_dir)).exit_code == 0);
  const Result tuned = run(fmt::format("quantize {} --bits 4 --fine-tune-epochs 2 --fine-tune-lr 1e-3 "
                                       "--eval-trials 16 -o {}", run_dir, q));
  INFO(tuned.output);
  REQUIRE(tuned.exit_code == 0);
  CHECK_THAT(tuned.output, Catch::Contains("fine-tuned 2 epochs: kept epoch") && Catch::Contains("integer success"));
  const auto model = nlohmann::json::parse(std::ifstream(fs::path(q) / "model.json"));
  CHECK(model["fine_tuning"]["method"] == "straight_through_estimator");
  CHECK(model["fine_tuning"]["epochs"] == 2);
  CHECK(model["fine_tuning"]["learning_rate"] == 1e-3);
  CHECK(run("eval --trials 16 " + q).exit_code == 0);
  check_clean_error(run(fmt::format("quantize {} --fine-tune-epochs -1 --force -o {}", run_dir, q)), 2,
                    "--fine-tune-epochs");
  check_clean_error(run(fmt::format("quantize {} --fine-tune-epochs 2 --fine-tune-lr 0 --force -o {}", run_dir, q)),
                    1, "--fine-tune-lr");
}

TEST_CASE("vectors: golden vectors of a quantized artifact, refused for a float one", "[cli][quantize][vectors]") {
  nf::test::TempDir tmp;
  const std::string run_dir = (tmp / "run").string(), q = (tmp / "q").string(), v = (tmp / "v").string();
  REQUIRE(run(fmt::format("train --task xor {} --seed 4 -o {}", kTinyTraining, run_dir)).exit_code == 0);
  REQUIRE(run(fmt::format("quantize {} --eval-trials 16 -o {}", run_dir, q)).exit_code == 0);

  const Result written = run(fmt::format("vectors {} --trials 2 -o {}", q, v));
  INFO(written.output);
  REQUIRE(written.exit_code == 0);
  CHECK_THAT(written.output, Catch::Contains("2 trials"));
  const auto header = nlohmann::json::parse(std::ifstream(fs::path(v) / "vectors.json"));
  CHECK(header["format"] == "neurofab-golden-vectors");
  CHECK(header["trials"] == 2);
  CHECK(header["model_type"] == "rate_rnn");
  CHECK(header["quantized_artifact"] == q);
  const auto model = nlohmann::json::parse(std::ifstream(fs::path(q) / "model.json"));
  CHECK(header["seed"] == model["seed"]);  // the artifact's seed, as `neurofab eval`
  REQUIRE(header["signals"].size() >= 4);
  for (const auto& s : header["signals"]) {
    const fs::path file = fs::path(v) / s["file"].get<std::string>();
    INFO(file);
    REQUIRE(fs::exists(file));
    const std::uintmax_t bytes = s["dtype"] == "int64" ? 8 : 4;
    CHECK(fs::file_size(file) == 2 * header["steps"].get<std::uintmax_t>() * s["width"].get<std::uintmax_t>() * bytes);
  }

  check_clean_error(run(fmt::format("vectors {} --trials 2 -o {}", q, v)), 1, "already exists");
  CHECK(run(fmt::format("vectors {} --trials 1 --seed 7 --force -o {}", q, v)).exit_code == 0);
  CHECK(nlohmann::json::parse(std::ifstream(fs::path(v) / "vectors.json"))["seed"] == 7);
  const std::string v2 = (tmp / "v2").string();
  check_clean_error(run(fmt::format("vectors {} --trials 2 -o {}", run_dir, v2)), 1, "quantize");
  check_clean_error(run(fmt::format("vectors {} --trials 0 -o {}", q, v2)), 1, "--trials");
  check_clean_error(run(fmt::format("vectors {} --trials 2 -o {}", (tmp / "missing").string(), v2)), 1, "missing");
  CHECK(!fs::exists(v2));
  const Result float_refused = run(fmt::format("vectors {} --trials 2 -o {}", run_dir, v2));
  CHECK(std::count(float_refused.output.begin(), float_refused.output.end(), '\n') == 1);  // one line
  const Result help = run("vectors --help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.output, Catch::Contains("--trials"));
}

TEST_CASE("rtl writes the configuration, verify runs it in lock step, both refuse bad input", "[cli][rtl]") {
  nf::test::TempDir tmp;
  const std::string run_dir = (tmp / "run").string(), q = (tmp / "q").string(), r = (tmp / "rtl").string();
  REQUIRE(run(fmt::format("train --task xor {} --seed 4 -o {}", kTinyTraining, run_dir)).exit_code == 0);
  REQUIRE(run(fmt::format("quantize {} --eval-trials 16 -o {}", run_dir, q)).exit_code == 0);

  const Result written = run(fmt::format("rtl {} --lanes 2 -o {}", q, r));
  INFO(written.output);
  REQUIRE(written.exit_code == 0);
  for (const char* f : {"nf_config_pkg.sv", "w_rec.mem", "act_table.mem", "files.f", "rtl.json"}) {
    CHECK(fs::exists(fs::path(r) / f));
  }
  const auto summary = nlohmann::json::parse(std::ifstream(fs::path(r) / "rtl.json"));
  CHECK(summary["lanes"] == 2);
  CHECK(summary["top"] == "nf_rate_top");
  check_clean_error(run(fmt::format("rtl {} -o {}", q, r)), 1, "already exists");
  check_clean_error(run(fmt::format("rtl {} --lanes 0 --force -o {}", q, r)), 1, "--lanes");
  check_clean_error(run(fmt::format("rtl {} -o {}", run_dir, (tmp / "r2").string())), 1, "quantize it first");
  CHECK(!fs::exists(tmp / "r2"));

  const Result verified =
      run(fmt::format("verify {} --lanes 2 --trials 1 --seed 9 --cache {}", q, (tmp / "cache").string()));
  INFO(verified.output);
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.output, Catch::Contains("seed 9") && Catch::Contains("PASS: 200 timesteps"));
  check_clean_error(run(fmt::format("verify {} --trials 0", q)), 1, "--trials");
  check_clean_error(run(fmt::format("verify {}", run_dir)), 1, "quantize it first");
}

TEST_CASE("quantize --sweep writes the table and the plot", "[cli][quantize]") {
  nf::test::TempDir tmp;
  const std::string run_dir = (tmp / "run").string(), sweep = (tmp / "sweep").string();
  REQUIRE(run(fmt::format("train --task xor {} --seed 4 -o {}", kTinyTraining, run_dir)).exit_code == 0);
  const Result r = run(fmt::format("quantize {} --sweep --sweep-bits 8,4 --eval-trials 16 -o {}", run_dir, sweep));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("| 8 | 16 |") && Catch::Contains("| 4 | 16 |"));
  std::ifstream csv(fs::path(sweep) / "sweep.csv");
  std::string header;
  std::getline(csv, header);
  CHECK_THAT(header, Catch::StartsWith("weight_bits,"));
  std::ifstream png(fs::path(sweep) / "sweep.png", std::ios::binary);
  char signature[8] = {};
  png.read(signature, 8);
  CHECK(std::string(signature + 1, 3) == "PNG");
  CHECK(fs::exists(fs::path(sweep) / "sweep.md"));
  check_clean_error(run(fmt::format("quantize {} --sweep --bits 8 --force -o {}", run_dir, sweep)), 1,
                    "--bits cannot be combined with --sweep");
  check_clean_error(run(fmt::format("quantize {} --sweep --sweep-bits 8,40 --force -o {}", run_dir, sweep)), 1,
                    "40 is outside");
}
