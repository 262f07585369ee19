// `neurofab eval --dump` and `--data` end to end through the real binary, on
// the trained networks of tests/data: numpy reads every archive
// (tests/cli/check_dump.py), the float LIF and rate trajectories satisfy the
// documented update equations step by step, the dumped success reproduces
// eval's success rate (the task's criterion and a data file's), the integer
// dump equals the golden vectors `neurofab vectors` writes for the same trials
// and seed, and bad requests get one line and leave nothing behind.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "python_script.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"
#include "test_seed.hpp"

namespace fs = std::filesystem;

namespace {

using Result = nf::test::CommandResult;

Result run(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} {} 2>&1", NF_CLI_PATH, arguments));
}

// One of check_dump.py's checks; it prints one line and exits 1 at the first difference.
Result check(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} -E {} {} 2>&1", NF_PYTHON, NF_CHECK_DUMP_SCRIPT, arguments));
}

std::string data(const std::string& name) { return (nf::test::test_data_dir() / name).string(); }

void require_ok(const Result& r) {
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

// The JSON eval prints with --json (the last '{' ... '}' of the output; a warning may precede it).
nlohmann::json eval_json(const std::string& arguments) {
  const Result r = run("eval --json " + arguments);
  require_ok(r);
  return nlohmann::json::parse(r.output.substr(r.output.find('{')));
}

std::set<std::string> entries(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

}  // namespace

TEST_CASE("eval --dump: a float LIF network's trajectories satisfy the update equations step by step in numpy",
          "[cli][dump]") {
  const std::uint64_t seed = nf::test::test_seed(7);
  nf::test::TempDir tmp;
  for (const std::string network : {"lif-xor-n24", "lif-xor-n24-zero-reset-refractory-1"}) {
    INFO(network);
    const fs::path dump = tmp / (network + ".npz");
    const Result r = run(fmt::format("eval {} --trials 8 --seed {} --dump {}", data(network), seed, dump.string()));
    require_ok(r);
    CHECK_THAT(r.output, Catch::Contains(fmt::format("trajectories      8 trials x 200 steps, float64 run → {}",
                                                     dump.string())));
    const Result equations = check(fmt::format("lif {} {}", data(network), dump.string()));
    INFO(equations.output);
    CHECK(equations.exit_code == 0);
    CHECK_THAT(equations.output, Catch::Contains("lif: 200 steps x 8 trials x 24 units"));
    CHECK_THAT(equations.output, Catch::Contains("all equations hold"));
  }
  // The check has teeth: one spike flipped in the archive is found.
  const fs::path bad = tmp / "flipped.npz";
  nf::test::run_python_script(tmp.path(), "x = dict(np.load(d + '/lif-xor-n24.npz'))\n"
                                          "x['spikes'][50, 3, 7] ^= 1\n"
                                          "np.savez(d + '/flipped.npz', **x)");
  const Result caught = check(fmt::format("lif {} {}", data("lif-xor-n24"), bad.string()));
  INFO(caught.output);
  CHECK(caught.exit_code == 1);
  CHECK_THAT(caught.output, Catch::Contains("at step 51"));
}

TEST_CASE("eval --dump: a float rate network's trajectories satisfy the update equations step by step in numpy",
          "[cli][dump]") {
  const std::uint64_t seed = nf::test::test_seed(3);
  nf::test::TempDir tmp;
  const fs::path dump = tmp / "rate.npz";
  require_ok(run(fmt::format("eval {} --trials 6 --seed {} --dump {}", data("rate-xor-n32"), seed, dump.string())));
  const Result equations = check(fmt::format("rate {} {}", data("rate-xor-n32"), dump.string()));
  INFO(equations.output);
  CHECK(equations.exit_code == 0);
  CHECK_THAT(equations.output, Catch::Contains("rate: 200 steps x 6 trials x 32 units, all equations hold"));
}

TEST_CASE("eval --dump: the dumped success reproduces eval's success rate, by the task's and by a data file's "
          "criterion",
          "[cli][dump]") {
  const std::uint64_t seed = nf::test::test_seed(11);
  nf::test::TempDir tmp;
  // The task's criterion: the float64 record's success against the float32 evaluation's, and numpy's mean.
  for (const std::string network : {"lif-flipflop-n32", "rate-flipflop-n24"}) {
    INFO(network);
    const fs::path dump = tmp / (network + ".npz");
    const nlohmann::json j =
        eval_json(fmt::format("{} --trials 24 --seed {} --dump {}", data(network), seed, dump.string()));
    CHECK(j["dump"]["success_rate"] == j["success_rate"]);
    CHECK(j["dump"]["trials"] == 24);
    CHECK(j["dump"]["steps"] == 1010);
    const Result mean = check("success-rate " + dump.string());
    require_ok(mean);
    CHECK(std::stod(mean.output) == Approx(j["success_rate"].get<double>()).margin(1e-12));
  }
  // A data file's trials: numpy recomputes success as masked MSE per trial < success_mse, the file's
  // (0.02) or --success-mse's, chosen so that some trials succeed and some fail.
  const fs::path file = tmp / "xor.npz";
  require_ok(run(fmt::format("data --task xor --trials 40 --seed {} --success-mse 0.02 -o {}", seed, file.string())));
  struct Case {
    std::string network, criterion_option;
    double success_mse;
  };
  for (const Case& k : {Case{"rate-xor-n32", "", 0.02}, Case{"lif-xor-n24", "--success-mse 0.005", 0.005}}) {
    INFO(k.network);
    const fs::path dump = tmp / (k.network + "-data.npz");
    const Result text = run(fmt::format("eval {} --data {} {} --dump {}", data(k.network), file.string(),
                                        k.criterion_option, dump.string()));
    require_ok(text);
    CHECK_THAT(text.output, Catch::Contains(fmt::format("on {}, N = ", file.string())));
    CHECK_THAT(text.output, Catch::Contains(fmt::format("40 trials (seed ")));
    CHECK_THAT(text.output,
               Catch::Contains(fmt::format("(masked MSE per trial < {:g}, the data's criterion)", k.success_mse)));
    CHECK_THAT(text.output, !Catch::Contains("OOD"));
    const nlohmann::json j = eval_json(fmt::format("{} --data {} {} --trials 30 --dump {}", data(k.network),
                                                   file.string(), k.criterion_option, dump.string()));
    CHECK(j["trials"] == 30);
    CHECK(j["task"] == "data");
    CHECK(j["success_mse"] == k.success_mse);
    CHECK(j["dump"]["success_rate"] == j["success_rate"]);
    const double rate = j["success_rate"].get<double>();
    CHECK(rate > 0.1);  // both verdicts occur, so the per-trial comparison below can tell them apart
    CHECK(rate < 0.9);
    const Result criterion = check(fmt::format("data-success {} {}", dump.string(), k.success_mse));
    INFO(criterion.output);
    CHECK(criterion.exit_code == 0);
    const Result mean = check("success-rate " + dump.string());
    require_ok(mean);
    CHECK(std::stod(mean.output) == Approx(rate).margin(1e-12));
  }
}

TEST_CASE("eval --dump of a quantized network: the integer codes equal the golden vectors of the same trials and seed",
          "[cli][dump]") {
  const std::uint64_t seed = nf::test::test_seed(9);
  nf::test::TempDir tmp;
  for (const std::string network : {"lif-xor-n24-zero-reset-refractory-1", "rate-xor-n32"}) {
    INFO(network);
    const fs::path q = tmp / (network + "-q"), v = tmp / (network + "-v"), dump = tmp / (network + "-q.npz");
    require_ok(run(fmt::format("quantize {} --bits 8 -o {}", data(network), q.string())));
    const Result r = run(fmt::format("eval {} --trials 6 --seed {} --dump {}", q.string(), seed, dump.string()));
    require_ok(r);
    CHECK_THAT(r.output, Catch::Contains("trajectories      6 trials x 200 steps, integer codes"));
    require_ok(run(fmt::format("vectors {} --trials 6 --seed {} -o {}", q.string(), seed, v.string())));
    const Result golden = check(fmt::format("golden {} {}", dump.string(), v.string()));
    INFO(golden.output);
    CHECK(golden.exit_code == 0);
    CHECK_THAT(golden.output, Catch::Contains("signals of 6 trials x 200 steps equal"));
  }
}

TEST_CASE("eval --dump and --data: bad requests get one line and leave nothing behind", "[cli][dump]") {
  nf::test::TempDir tmp;
  const std::string lif = data("lif-xor-n24");
  auto refused = [&](const std::string& arguments, const std::string& message) {
    const std::set<std::string> before = entries(tmp.path());
    const Result r = run("eval " + arguments);
    INFO(arguments << "\n" << r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains(message));
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
    CHECK(entries(tmp.path()) == before);  // no archive, no temporary file
  };
  refused(fmt::format("{} --dump {}", lif, (tmp / "missing" / "x.npz").string()),
          fmt::format("the folder '{}' does not exist", (tmp / "missing").string()));
  refused(fmt::format("{} --dump {}", lif, tmp.path().string()), "is a folder; give a file name");
  refused(fmt::format("{} --trials 0 --dump {}", lif, (tmp / "x.npz").string()),
          "--trials 0: evaluation needs at least 1 trial");
  refused(fmt::format("{} --trials -2", lif), "--trials -2: evaluation needs at least 1 trial");
  refused(fmt::format("{} --trials 100000 --dump {}", lif, (tmp / "x.npz").string()),
          "100000 trials x 200 steps of this network take ");  // ... "12.2 GiB (limit 1.0 GiB); dump fewer trials"
  refused(fmt::format("{} --success-mse 0.1", lif), "--success-mse applies with --data only");

  const fs::path not_file = tmp / "not.npz";  // NOT: 1 input, the network takes 2
  require_ok(run(fmt::format("data --task not --trials 4 -o {}", not_file.string())));
  refused(fmt::format("{} --data {} --dump {}", lif, not_file.string(), (tmp / "x.npz").string()),
          fmt::format("{}: its trials have 1 inputs and 1 outputs per step, the network 2 and 1", not_file.string()));
  const fs::path xor_file = tmp / "xor.npz";
  require_ok(run(fmt::format("data --task xor --trials 4 -o {}", xor_file.string())));
  refused(fmt::format("{} --data {} --trials 5", lif, xor_file.string()),
          fmt::format("--trials 5: {} holds 4 trials", xor_file.string()));

  const fs::path elise = tmp / "elise";
  require_ok(run(fmt::format("train --model elise --pattern random --bin-ms 4 --latent 5 --cycles 2 -q -o {}",
                             elise.string())));
  refused(fmt::format("{} --dump {}", elise.string(), (tmp / "x.npz").string()),
          "--dump applies to rate and LIF artifacts, not to an ELiSe network");
  refused(fmt::format("{} --data {}", elise.string(), not_file.string()),
          "--data applies to rate and LIF artifacts, not to an ELiSe network");
}
