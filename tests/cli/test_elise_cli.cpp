// `neurofab train --model elise` and `neurofab eval` of ELiSe artifacts end to
// end through the real binary: a tiny network trained, replayed (text, JSON,
// clamp), drawn; --resume exact; bad pattern files and foreign options refused
// with exit 1 and the message; other commands refuse the folder; a p/q sweep
// of two tiny runs carries the replay metrics in results.csv.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/elise/schedule.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

using Result = nf::test::CommandResult;

Result run(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} {} 2>&1", NF_CLI_PATH, arguments));
}

// 4 visible neurons, 5 slots of 5 ms (25 ms cycles), 6 latent neurons.
const std::string kTiny =
    "--model elise --pattern random --visible 4 --slots 5 --bin-ms 5 --latent 6 --free-run-every 10 -q";

void train(const fs::path& dir, const std::string& extra = "--cycles 20") {
  const Result r = run(fmt::format("train {} {} -o {}", kTiny, extra, dir.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  REQUIRE(fs::exists(dir / "model.json"));
}

std::string bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool is_png(const fs::path& path) { return fs::exists(path) && bytes(path).rfind("\x89PNG\r\n\x1a\n", 0) == 0; }

}  // namespace

TEST_CASE("elise: train, eval (text and JSON), learning curve in the artifact", "[cli][elise]") {
  nf::test::TempDir tmp;
  const fs::path dir = tmp / "net";
  const Result trained = run(fmt::format("train {} --cycles 20 -o {}", kTiny, dir.string()));
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  CHECK_THAT(trained.output, Contains("trained ELiSe on 'random' (4 visible + 6 latent, variant elise"));
  CHECK_THAT(trained.output, Contains("20 cycles (a free run every 10 cycles)"));

  const nlohmann::json model = nlohmann::json::parse(bytes(dir / "model.json"));
  CHECK(model.at("model_type") == "elise");
  const auto& curve = model.at("training").at("learning_curve");
  REQUIRE(curve.size() == 2);
  CHECK(curve[0].at("cycle") == 10);
  CHECK(curve[1].at("cycle") == 20);
  CHECK(model.at("training").at("cycles_done") == 20);

  const Result text = run(fmt::format("eval {} --replay-cycles 4", dir.string()));
  INFO(text.output);
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.output, Contains("replay            4 cycles of 25 ms, teacher off, plasticity off"));
  CHECK_THAT(text.output, Contains("corr_sum          mean"));

  const Result json = run(fmt::format("eval {} --replay-cycles 4 --json", dir.string()));
  INFO(json.output);
  REQUIRE(json.exit_code == 0);
  const nlohmann::json j = nlohmann::json::parse(json.output);
  CHECK(j.at("model_type") == "elise");
  CHECK(j.at("replay_cycles") == 4);
  CHECK(j.at("cycles").size() == 4);
  CHECK(j.at("trained_cycles") == 20);
  // The metrics are models::replay_elise of the saved network (4 cycles,
  // teacher and plasticity off, the artifact's max shift), recomputed here
  // (JSON keeps doubles exactly).
  {
    nf::models::EliseArtifact a = nf::models::load_elise_artifact(dir);
    const nf::JsonFields training(a.training, (dir / "model.json").string(), "training");
    nf::models::EliseReplayOptions ro;
    ro.cycles = 4;
    ro.plasticity = false;
    ro.max_shift_ms = nf::models::schedule_from_json(training).max_shift_ms;
    const nf::models::EliseReplay replay = nf::models::replay_elise(a.network, a.pattern_rates, ro);
    REQUIRE(replay.cycles.size() == 4);
    const nf::models::EliseCycleMetrics mean = replay.mean();
    CHECK(j.at("mean").at("mse").get<double>() == mean.mse);
    CHECK(j.at("mean").at("corr_sum").get<double>() == mean.corr_sum);
    CHECK(j.at("mean").at("mse_at_best_shift").get<double>() == mean.mse_at_best_shift);
    for (std::size_t k = 0; k < replay.cycles.size(); ++k) {
      INFO("replay cycle " << k + 1);
      CHECK(j.at("cycles")[k].at("mse").get<double>() == replay.cycles[k].mse);
      CHECK(j.at("cycles")[k].at("corr_sum").get<double>() == replay.cycles[k].corr_sum);
    }
  }
  // Evaluating leaves the artifact as it was.
  const std::string weights = bytes(dir / "W_den.npy");
  REQUIRE(run(fmt::format("eval {} --replay-cycles 3 --replay-plasticity", dir.string())).exit_code == 0);
  CHECK(bytes(dir / "W_den.npy") == weights);
}

TEST_CASE("elise: clamp, recovery report and figures", "[cli][elise]") {
  nf::test::TempDir tmp;
  const fs::path dir = tmp / "net";
  train(dir);
  const Result r = run(fmt::format("eval {} --replay-cycles 6 --clamp-mv -55 --clamp-cycle 3 --clamp-from-ms 5 "
                                   "--clamp-to-ms 20 --json --plot --plot-dir {}",
                                   dir.string(), tmp.path().string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto json_end = r.output.rfind('}');
  const nlohmann::json j = nlohmann::json::parse(r.output.substr(0, json_end + 1));
  CHECK(j.at("clamp").at("cycle") == 3);
  CHECK(j.at("clamp").at("mv") == -55.0);
  CHECK(j.at("clamp").at("from_ms").get<double>() == Approx(5.0));
  CHECK(j.at("recovery").contains("recovered_cycle"));
  CHECK(is_png(tmp / "replay.png"));
  CHECK(is_png(tmp / "learning_curve.png"));

  const Result bad = run(fmt::format("eval {} --replay-cycles 6 --clamp-mv -70 --clamp-cycle 7", dir.string()));
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.output, Contains("--clamp-cycle 7 is outside the replay (cycles 1..6)"));
  const Result window = run(fmt::format("eval {} --clamp-mv -70 --clamp-to-ms 30", dir.string()));
  CHECK(window.exit_code == 1);
  CHECK_THAT(window.output, Contains("the clamp window [0, 30) ms must lie within the 25 ms cycle"));
}

TEST_CASE("elise: --resume continues exactly", "[cli][elise]") {
  nf::test::TempDir tmp;
  const fs::path straight = tmp / "straight", resumed = tmp / "resumed";
  train(straight, "--cycles 30");
  train(resumed, "--cycles 12");
  // A sentinel in the learning-curve point of cycle 10 (training never reads
  // the curve back): a resumed run keeps it, a run retrained from cycle 1 would
  // overwrite it with the measured value.
  constexpr double kSentinelMse = 12345.25;
  nlohmann::json before = nlohmann::json::parse(bytes(resumed / "model.json"));
  REQUIRE(before.at("training").at("cycles_done") == 12);
  REQUIRE(before.at("training").at("learning_curve").size() == 1);
  before["training"]["learning_curve"][0]["mse"] = kSentinelMse;
  std::ofstream(resumed / "model.json", std::ios::trunc) << before.dump(2);

  // Not quiet: the resumed process says where it resumes.
  const Result r = run(fmt::format("train --resume --cycles 30 -o {}", resumed.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains(fmt::format("resuming {} at cycle 12 of 30 ", resumed.string())));
  CHECK_THAT(r.output, Contains("cycle 30/30 "));
  CHECK_THAT(r.output, Contains(": 30 cycles (a free run every 10 cycles)"));

  // Every .npy (weights, delays, masks, the neuron state the next cycle starts from) byte for byte.
  std::size_t compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(straight)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".npy") continue;
    const fs::path name = fs::relative(entry.path(), straight);
    INFO(name.string());
    REQUIRE(fs::exists(resumed / name));
    CHECK(bytes(resumed / name) == bytes(entry.path()));
    ++compared;
  }
  CHECK(compared >= 2);
  CHECK(bytes(resumed / "W_den.npy") == bytes(straight / "W_den.npy"));
  CHECK(bytes(resumed / "state" / "u.npy") == bytes(straight / "state" / "u.npy"));

  // Only cycles 13..30 ran: the point of cycle 10 keeps the sentinel, those of 20 and 30 are the straight run's.
  const nlohmann::json a = nlohmann::json::parse(bytes(resumed / "model.json")).at("training");
  const nlohmann::json b = nlohmann::json::parse(bytes(straight / "model.json")).at("training");
  CHECK(a.at("cycles_done") == 30);
  REQUIRE(a.at("learning_curve").size() == 3);
  REQUIRE(b.at("learning_curve").size() == 3);
  CHECK(a.at("learning_curve")[0].at("cycle") == 10);
  CHECK(a.at("learning_curve")[0].at("mse") == kSentinelMse);
  CHECK(b.at("learning_curve")[0].at("mse") != kSentinelMse);
  CHECK(a.at("learning_curve")[1] == b.at("learning_curve")[1]);
  CHECK(a.at("learning_curve")[2] == b.at("learning_curve")[2]);

  const Result lower = run(fmt::format("train --resume --cycles 10 -o {}", (tmp / "resumed").string()));
  CHECK(lower.exit_code == 1);
  CHECK_THAT(lower.output, Contains("--cycles 10 is below the 30 cycles already trained"));
  const Result changed = run(fmt::format("train --resume --latent 9 -o {}", (tmp / "resumed").string()));
  CHECK(changed.exit_code == 1);
  CHECK_THAT(changed.output, Contains("--latent cannot be combined with --resume"));
}

TEST_CASE("elise: a user CSV pattern, and its defects as exit 1 with file, line and column", "[cli][elise]") {
  nf::test::TempDir tmp;
  const fs::path good = tmp / "good.csv";
  std::ofstream(good) << "a,b,c\n1,0,0\n0,1,0\n0,0,1\n";
  const Result ok = run(fmt::format("train --model elise --pattern {} --bin-ms 4 --latent 5 --cycles 4 -q -o {}",
                                    good.string(), (tmp / "net").string()));
  INFO(ok.output);
  REQUIRE(ok.exit_code == 0);
  const nlohmann::json model = nlohmann::json::parse(bytes(tmp / "net" / "model.json"));
  CHECK(model.at("training").at("pattern").at("labels") == nlohmann::json{"a", "b", "c"});

  const fs::path bad = tmp / "bad.csv";
  std::ofstream(bad) << "a,b\n0,1\n0.5,x\n";
  const Result r = run(fmt::format("train --model elise --pattern {} --cycles 2 -o {}", bad.string(),
                                   (tmp / "bad").string()));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains(fmt::format("neurofab: error: {}: line 3, column 2 ('b'): 'x' is not a number",
                                            bad.string())));
  CHECK_FALSE(fs::exists(tmp / "bad"));

  const Result unknown = run(fmt::format("train --model elise --pattern nope -o {}", (tmp / "x").string()));
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output, Contains("--pattern 'nope': neither a shipped pattern (fur_elise, random, repeated)"));
  const Result missing = run(fmt::format("train --model elise -o {}", (tmp / "x").string()));
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output, Contains("--pattern is required with --model elise"));
}

TEST_CASE("elise: options of other families refused both ways, other commands refuse the folder", "[cli][elise]") {
  nf::test::TempDir tmp;
  const Result task = run(fmt::format("train --model elise --pattern fur_elise --task flipflop -o {}",
                                      (tmp / "a").string()));
  CHECK(task.exit_code == 1);
  CHECK_THAT(task.output, Contains("--task is an option of the rate and lif models, not of --model elise"));
  const Result pattern = run(fmt::format("train --task flipflop --pattern fur_elise -o {}", (tmp / "b").string()));
  CHECK(pattern.exit_code == 1);
  CHECK_THAT(pattern.output, Contains("--pattern is an option of the elise model, not of --model rate"));
  const Result slots = run(fmt::format("train --model elise --pattern fur_elise --slots 9 -o {}", (tmp / "c").string()));
  CHECK(slots.exit_code == 1);
  CHECK_THAT(slots.output, Contains("--slots applies to the random and repeated patterns only"));
  const Result variant = run(fmt::format("train --model elise --pattern fur_elise --variant soma -o {}",
                                         (tmp / "d").string()));
  CHECK(variant.exit_code == 1);

  const fs::path dir = tmp / "net";
  train(dir, "--cycles 2");
  const Result trials = run(fmt::format("eval {} --trials 10", dir.string()));
  CHECK(trials.exit_code == 1);
  CHECK_THAT(trials.output, Contains("--trials does not apply to an ELiSe artifact"));
  const Result quantize = run(fmt::format("quantize {} -o {}", dir.string(), (tmp / "q").string()));
  CHECK(quantize.exit_code == 1);
  CHECK_THAT(quantize.output, Contains("model_type': 'elise': this command takes rate_rnn or lif_rnn artifacts only"));
}

TEST_CASE("elise: a sweep over p and q of two tiny runs", "[cli][elise][sweep]") {
  nf::test::TempDir tmp;
  const fs::path spec = tmp / "pq.toml";
  std::ofstream(spec) << "[sweep]\nname = \"elise-pq\"\nthreads = 1\n"
                         "[train]\nmodel = \"elise\"\npattern = \"random\"\nvisible = 4\nslots = 5\nbin-ms = 5\n"
                         "latent = 6\ncycles = 10\nfree-run-every = 5\n"
                         "[grid]\np = [0.2, 0.5]\nq = [0.3]\n";
  const Result r = run(fmt::format("sweep {} -o {} -q", spec.string(), (tmp / "sweep").string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const std::string csv = bytes(tmp / "sweep" / "results.csv");
  INFO(csv);
  CHECK_THAT(csv, Contains("replay_corr_sum,replay_corr_max,replay_mse,replay_mse_at_best_shift"));
  CHECK_THAT(csv, Contains("p=0.2_q=0.3,0.2,0.3,elise,random,elise,6,1,10,"));
  CHECK_THAT(csv, Contains("p=0.5_q=0.3,0.5,0.3,elise,random,elise,6,1,10,"));
  const nlohmann::json model = nlohmann::json::parse(bytes(tmp / "sweep" / "runs" / "p=0.5_q=0.3" / "model.json"));
  CHECK(model.at("config").dump().find("0.5") != std::string::npos);
}
