// Degeneracy against a factor: a network's value of a factor (sweep grid
// axis first, then artifact properties, numbers normalised), grouping (sorted
// numeric axes, small groups refused by name), the rows equal to each group's
// analysis, and `neurofab analyze degeneracy --factor` end to end on a tiny
// real sweep (factor.csv equal to the groups' degeneracy.json, the errors,
// --force).
// GCC 12 reports -Wmaybe-uninitialized inside Eigen's AVX-512 packet code
// (with -march=native): false positives in a system header, silenced for this
// file only (before any include, where the warnings are located).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "neurofab/analysis/degeneracy.hpp"
#include "neurofab/analysis/degeneracy_factor.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "run_command.hpp"
#include "random_matrix.hpp"
#include "temp_dir.hpp"

using namespace nf::analysis;
using Eigen::MatrixXd;
namespace fs = std::filesystem;
using nf::test::gaussian_matrix;

namespace {

nf::models::RateRnnConfig flipflop_config(int n) {
  nf::models::RateRnnConfig config;
  config.n_in = 2;
  config.n_out = 1;
  config.n_rec = n;
  return config;
}

// A random flip-flop network (gain 0.9: not chaotic) at `path`.
NetworkInput random_network(const fs::path& path, std::map<std::string, double> params, int n, nf::Rng& rng) {
  const auto config = flipflop_config(n);
  auto w = nf::models::RateRnnTensors<float>::zeros(config);
  w.w_in = gaussian_matrix(n, config.n_in, rng).cast<float>();
  w.w_rec = gaussian_matrix(n, n, rng, 0.9 / std::sqrt(double(n))).cast<float>();
  w.b_rec = gaussian_matrix(n, 1, rng, 0.1).cast<float>();
  w.w_out = gaussian_matrix(config.n_out, n, rng, 1.0 / std::sqrt(double(n))).cast<float>();
  nf::models::RateRnn<float> network(config, nf::models::Connectivity::full(config.n_in, n, config.n_out), w);
  nf::models::RateRnnArtifact artifact{std::move(network), {}, "flipflop", std::move(params), 7, {}, {}};
  return {path.filename().string(), path, std::move(artifact)};
}

// A sweep run's record with these grid values (every field read_run_result checks).
void write_run_json(const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& grid) {
  fs::create_directories(dir);
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& [axis, value] : grid) pairs.push_back({axis, value});
  const nlohmann::json record = {{"converged_epoch", -1}, {"epochs", 1},     {"grid", pairs},
                                 {"id", dir.filename().string()},
                                 {"init", "normal"},      {"integer", nlohmann::json::object()},
                                 {"model", "rate_rnn"},   {"n_rec", 8},      {"ood", {{"mse", 0.1}, {"success", 0.5}}},
                                 {"seed", 1},             {"spikes_per_unit_step", nullptr},
                                 {"task", "flipflop"},    {"test", {{"mse", 0.1}, {"success", 0.5}}},
                                 {"train_seconds", 1.0}};
  std::ofstream(dir / "run.json") << record.dump(2);
}

DegeneracyOptions small_options() {
  DegeneracyOptions o;
  o.dsa_trials = 4;
  o.delays = 3;
  o.rank = 5;
  o.eval_trials = 8;
  return o;
}

}  // namespace

TEST_CASE("a network's value of a factor: artifact properties, defaults, grid axes", "[degeneracy][factor]") {
  nf::test::TempDir tmp;
  nf::Rng rng(6501);
  fmt::print("factor values test: seed 6501\n");
  const NetworkInput a = random_network(tmp / "a", {{"trial_length", 200}}, 12, rng);

  CHECK(factor_value(a, "n").text == "12");
  CHECK(factor_value(a, "n").number == 12.0);
  CHECK(factor_value(a, "model").text == "rate_rnn");
  CHECK(!factor_value(a, "model").number);
  CHECK(factor_value(a, "init").text == "normal");  // NetworkInit's default W_rec scheme
  CHECK(factor_value(a, "seed").text == "7");
  CHECK(factor_value(a, "task").text == "flipflop");
  CHECK(factor_value(a, "task-param.trial_length").text == "200");
  // A parameter the artifact omits has the task's default (docs/tasks.md: first_pulse = 50).
  CHECK(factor_value(a, "task-param.first_pulse").text == "50");
  CHECK_THROWS_WITH(factor_value(a, "task-param.bits"),
                    Catch::Contains("task-param.bits") && Catch::Contains((tmp / "a").string()) &&
                        Catch::Contains("no parameter 'bits'") && Catch::Contains("trial_length"));
  CHECK_THROWS_WITH(factor_value(a, "lr"), Catch::Contains("--factor lr") && Catch::Contains((tmp / "a").string()) &&
                                               Catch::Contains("not in a sweep"));

  // In a sweep: the grid value wins, numbers normalised ("1.0" is "1"), any axis is a factor.
  write_run_json(tmp / "a", {{"lr", "1.0e-2"}, {"init", "orthogonal"}, {"task-param.trial_length", "2.0e2"}});
  CHECK(factor_value(a, "lr").text == "0.01");
  CHECK(factor_value(a, "lr").number == 0.01);
  CHECK(factor_value(a, "init").text == "orthogonal");
  CHECK(factor_value(a, "task-param.trial_length").text == "200");
  CHECK(factor_value(a, "n").text == "12");  // not an axis: from the artifact
  CHECK_THROWS_WITH(factor_value(a, "batch"),
                    Catch::Contains("--factor batch") && Catch::Contains("grid axes are lr, init, task-param.trial_length"));
}

TEST_CASE("grouping by a factor: numeric axes sorted, small groups named", "[degeneracy][factor]") {
  nf::test::TempDir tmp;
  nf::Rng rng(6502);
  fmt::print("factor grouping test: seed 6502\n");
  std::vector<NetworkInput> networks;
  // Given in the order 300, 200, 300, 200: the numeric axis comes out sorted.
  networks.push_back(random_network(tmp / "t300a", {{"trial_length", 300}}, 8, rng));
  networks.push_back(random_network(tmp / "t200a", {{"trial_length", 200}}, 8, rng));
  networks.push_back(random_network(tmp / "t300b", {{"trial_length", 300}}, 10, rng));
  networks.push_back(random_network(tmp / "t200b", {{"trial_length", 200}}, 8, rng));

  const FactorGrouping by_length = group_by_factor(networks, "task-param.trial_length");
  CHECK(by_length.numeric);
  REQUIRE(by_length.groups.size() == 2);
  CHECK(by_length.groups[0].value.text == "200");
  CHECK(by_length.groups[1].value.text == "300");
  CHECK(by_length.groups[0].networks.size() == 2);
  CHECK(by_length.groups[0].networks[0].label == "t200a");
  CHECK(by_length.groups[0].networks[1].label == "t200b");
  CHECK(group_folder_name("task-param.trial_length", by_length.groups[1].value) == "task-param.trial_length=300");
  CHECK(group_folder_name("x", {"a/b c", std::nullopt}) == "x=a_b_c");

  // Categorical: n gives 8 (three networks) and 10 (one): the small group is named, with its network.
  CHECK_THROWS_WITH(group_by_factor(networks, "n"),
                    Catch::Contains("n=10: 1 network") && Catch::Contains((tmp / "t300b").string()) &&
                        !Catch::Contains("n=8:") && Catch::Contains("at least 2"));
  CHECK_THROWS_WITH(group_by_factor(networks, "colour"), Catch::Contains("--factor colour"));

  // Each group analysed on its own (the task parameters differ across groups, not within):
  // the rows are the groups' summaries.
  const DegeneracyOptions options = small_options();
  const FactorDegeneracy r = analyse_degeneracy_by_factor(by_length, options);
  REQUIRE(r.results.size() == 2);
  REQUIRE(r.rows.size() == 2);
  CHECK(r.results[0].task_params.at("trial_length") == 200.0);
  CHECK(r.results[1].task_params.at("trial_length") == 300.0);
  for (std::size_t g = 0; g < 2; ++g) {
    const DegeneracyResult& d = r.results[g];
    const FactorRow& row = r.rows[g];
    CHECK(row.networks == 2);
    CHECK(row.sigma_ood == d.sigma_ood);
    CHECK(row.dsa_mean == d.dsa(0, 1));  // one pair: mean = median = the distance
    CHECK(row.dsa_median == d.dsa(0, 1));
    CHECK(row.pif_mean == d.pif(0, 1));
    CHECK(row.pif_normalised_median == d.pif_normalised(0, 1));
    CHECK(row.null_dsa_mean == Approx((d.networks[0].null_dsa + d.networks[1].null_dsa) / 2).epsilon(1e-15));
    CHECK(row.test_mse_mean == Approx((d.networks[0].mse + d.networks[1].mse) / 2).epsilon(1e-15));
    CHECK(row.test_success_mean ==
          Approx((d.networks[0].success_rate + d.networks[1].success_rate) / 2).epsilon(1e-15));
    CHECK(row.sigma_ood == Approx(std::abs(d.networks[0].ood_mse - d.networks[1].ood_mse) / std::sqrt(2.0))
                               .epsilon(1e-12));
  }
  CHECK(r.rows[1].pif_normalised_mean == Approx(r.rows[1].pif_mean / 100.0).epsilon(1e-15));  // padded to 10
  const std::string csv = factor_csv(r);
  CHECK(csv.rfind("task-param.trial_length,folder,networks,sigma_ood,dsa_mean,", 0) == 0);
  CHECK(csv.find(fmt::format("\n200,task-param.trial_length=200,2,{},{},", r.rows[0].sigma_ood, r.rows[0].dsa_mean)) !=
        std::string::npos);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);

  // Grouping by a factor that puts different task parameters in one group: the analysis names the group.
  std::vector<NetworkInput> mixed;
  mixed.push_back(random_network(tmp / "m1", {{"trial_length", 200}}, 8, rng));
  mixed.push_back(random_network(tmp / "m2", {{"trial_length", 300}}, 8, rng));
  CHECK_THROWS_WITH(analyse_degeneracy_by_factor(group_by_factor(mixed, "model"), options),
                    Catch::Contains("group model=rate_rnn") && Catch::Contains("task parameters"));
}

// ---------------------------------------------------------------------------
// The command, end to end on a tiny real sweep.

namespace {

nf::test::CommandResult run_cli(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} {} 2>&1", NF_CLI_PATH, arguments));
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::vector<std::string>> read_csv(const fs::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream text(read_all(path));
  for (std::string line; std::getline(text, line);) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
    rows.push_back(fields);
  }
  return rows;
}

// Four AND networks (N = 8, 4 epochs, about a second each): seed 1..2 x mem_gap 10, 20.
const std::string kSweep = R"(
[sweep]
name = "tiny-gap"
eval_trials = 16

[train]
task = "and"
n = 8
epochs = 4
steps-per-epoch = 3
batch = 8
validation-trials = 16

[grid]
seed = { from = 1, to = 2 }
task-param.mem_gap = [10, 20]
)";

}  // namespace

TEST_CASE("neurofab analyze degeneracy --factor on a sweep", "[degeneracy][factor][cli]") {
  nf::test::TempDir tmp;
  const fs::path sweep = tmp / "sweep";
  std::ofstream(tmp / "sweep.toml") << kSweep;
  const auto trained = run_cli(fmt::format("sweep {} -o {} --threads 2 -q", (tmp / "sweep.toml").string(),
                                           sweep.string()));
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  const std::string settings = "--trials 4 --delays 3 --rank 5 --eval-trials 8";

  // By a task parameter that is a grid axis: two groups of two networks.
  const fs::path out = tmp / "by-gap";
  const auto r = run_cli(fmt::format("analyze degeneracy {} --factor task-param.mem_gap -o {} {}", sweep.string(),
                                     out.string(), settings));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("task-param.mem_gap=10: 2 networks") != std::string::npos);
  CHECK(fs::is_regular_file(out / "factor.png"));
  CHECK(read_all(out / "factor.png").rfind("\x89PNG", 0) == 0);
  const auto table = read_csv(out / "factor.csv");
  REQUIRE(table.size() == 3);
  const std::vector<std::string>& header = table[0];
  CHECK(header[0] == "task-param.mem_gap");
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return std::size_t(it - header.begin());
  };
  const std::vector<std::string> values = {"10", "20"};
  for (std::size_t g = 0; g < 2; ++g) {
    const auto& row = table[g + 1];
    CHECK(row[0] == values[g]);
    const fs::path group = out / row[column("folder")];
    CHECK(group.filename() == "task-param.mem_gap=" + values[g]);
    for (const char* name :
         {"degeneracy.json", "behaviour.csv", "pairwise_dsa.csv", "pairwise_pif.csv", "degeneracy.png"})
      CHECK(fs::is_regular_file(group / name));
    // The row is the group's degeneracy.json, to the last digit.
    const auto json = nlohmann::json::parse(read_all(group / "degeneracy.json"));
    CHECK(json.at("task_params").at("mem_gap").get<double>() == std::stod(values[g]));
    REQUIRE(json.at("networks").size() == 2);
    for (const auto& net : json.at("networks"))
      CHECK(net.at("path").get<std::string>().find("task-param.mem_gap=" + values[g]) != std::string::npos);
    const auto number = [&](const std::string& name) { return std::stod(row[column(name)]); };
    CHECK(std::stoi(row[column("networks")]) == 2);
    CHECK(number("sigma_ood") == json.at("behaviour").at("sigma_ood").get<double>());
    CHECK(number("dsa_mean") == json.at("dsa").at("summary").at("mean").get<double>());
    CHECK(number("dsa_median") == json.at("dsa").at("summary").at("median").get<double>());
    CHECK(number("dsa_normalised_mean") == json.at("dsa").at("normalised_summary").at("mean").get<double>());
    CHECK(number("null_dsa_mean") == json.at("dsa").at("null_summary").at("mean").get<double>());
    CHECK(number("pif_mean") == json.at("pif").at("summary").at("mean").get<double>());
    CHECK(number("pif_median") == json.at("pif").at("summary").at("median").get<double>());
    CHECK(number("pif_normalised_mean") == json.at("pif").at("normalised_summary").at("mean").get<double>());
    CHECK(number("ood_mse_mean") == json.at("behaviour").at("ood_mse").at("mean").get<double>());
    const auto& nets = json.at("networks");
    CHECK(number("test_mse_mean") ==
          Approx((nets[0].at("mse").get<double>() + nets[1].at("mse").get<double>()) / 2).epsilon(1e-14));
    CHECK(number("test_success_mean") ==
          Approx((nets[0].at("success_rate").get<double>() + nets[1].at("success_rate").get<double>()) / 2)
              .epsilon(1e-14));
    CHECK(number("dsa_mean") > 0.0);
  }

  // --force: an existing folder is refused (and left as it was), replaced with --force.
  const std::string before = read_all(out / "factor.csv");
  const auto again = run_cli(fmt::format("analyze degeneracy {} --factor task-param.mem_gap -o {} {}",
                                         sweep.string(), out.string(), settings));
  CHECK(again.exit_code == 1);
  CHECK(again.output.find("already exists (use --force to replace it)") != std::string::npos);
  CHECK(read_all(out / "factor.csv") == before);
  const auto forced = run_cli(fmt::format("analyze degeneracy {} --factor seed -o {} {} --force", sweep.string(),
                                          out.string(), settings));
  // By seed, each group mixes two mem_gaps: refused within the group, and the old folder stays.
  INFO(forced.output);
  CHECK(forced.exit_code == 1);
  CHECK(forced.output.find("group seed=1") != std::string::npos);
  CHECK(forced.output.find("task parameters") != std::string::npos);
  CHECK(read_all(out / "factor.csv") == before);
  // Replaced with --force: a plain analysis of one group's runs, into the same folder.
  const fs::path gap10a = sweep / "runs" / "seed=1_task-param.mem_gap=10";
  const fs::path gap10b = sweep / "runs" / "seed=2_task-param.mem_gap=10";
  const fs::path gap20a = sweep / "runs" / "seed=1_task-param.mem_gap=20";
  const auto replaced = run_cli(fmt::format("analyze degeneracy {} {} -o {} {} --force", gap10a.string(),
                                            gap10b.string(), out.string(), settings));
  INFO(replaced.output);
  CHECK(replaced.exit_code == 0);
  CHECK(fs::is_regular_file(out / "degeneracy.json"));
  CHECK(!fs::exists(out / "factor.csv"));

  // A group of one: named, nothing written.
  const fs::path small_out = tmp / "small";
  const auto small = run_cli(fmt::format("analyze degeneracy {} {} {} --factor task-param.mem_gap -o {} {}",
                                         gap10a.string(), gap10b.string(), gap20a.string(), small_out.string(),
                                         settings));
  CHECK(small.exit_code == 1);
  CHECK(small.output.find("task-param.mem_gap=20: 1 network") != std::string::npos);
  CHECK(small.output.find(gap20a.string()) != std::string::npos);
  CHECK(!fs::exists(small_out));
  // An unknown factor: named with the run, nothing written.
  const auto unknown = run_cli(fmt::format("analyze degeneracy {} --factor learning-rate -o {} {}", sweep.string(),
                                           small_out.string(), settings));
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.output.find("--factor learning-rate") != std::string::npos);
  CHECK(unknown.output.find("seed=1_task-param.mem_gap=10") != std::string::npos);
  CHECK(unknown.output.find("grid axes are seed, task-param.mem_gap") != std::string::npos);
  CHECK(!fs::exists(small_out));
}
