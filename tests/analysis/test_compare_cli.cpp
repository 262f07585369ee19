// `neurofab compare` end to end on small networks: every level, the RTL's
// activity counters equal to the golden model's counts, energy totals equal
// to the sum of counts x table entries, a board build, and bad input.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "neurofab/common/resources.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace nf;

const std::string kCli = NF_CLI_PATH;
const std::string kCache = NF_TEST_CACHE_DIR;

// Small random networks on XOR (not trained: compare reports whatever they score).
void save_networks(const fs::path& dir) {
  const auto task = models::make_task("xor");
  models::RateRnnConfig rate;
  rate.n_in = task->n_in();
  rate.n_rec = 6;
  rate.n_out = task->n_out();
  models::save_artifact(dir / "rate", models::RateRnnArtifact{models::make_rate_rnn(rate, {}, 41), {}, task->name(),
                                                              task->param_values(), 41, {}, {}});
  models::LifRnnConfig lif;
  lif.n_in = task->n_in();
  lif.n_rec = 6;
  lif.n_out = task->n_out();
  auto network = models::make_lif_rnn(lif, {}, 41);
  network.weights().b_rec.setConstant(0.15f);  // spikes, so the event counts are not all zero
  models::save_artifact(dir / "lif", models::LifRnnArtifact{std::move(network), {}, task->name(),
                                                            task->param_values(), 41, {}, {}});
}

nlohmann::json read_json(const fs::path& file) { return nlohmann::json::parse(std::ifstream(file)); }

std::string compare_command(const test::TempDir& tmp, const std::string& arguments) {
  return fmt::format("{} compare {} {} --trials 32 --vector-trials 2 --lanes 2 --cache {} -q {} 2>&1", kCli,
                     (tmp / "rate").string(), (tmp / "lif").string(), kCache, arguments);
}

// An estimate's items are count x the energy of one, and add up to its total.
void check_energy_sums(const nlohmann::json& row) {
  const nlohmann::json& e = row.at("energy_breakdown");
  double sum = 0;
  for (const auto& item : e.at("items")) {
    CHECK(item.at("pj_per_step").get<double>() ==
          Approx(item.at("count_per_step").get<double>() * item.at("pj_each").get<double>()).epsilon(1e-12));
    sum += item.at("pj_per_step").get<double>();
  }
  CHECK(sum == Approx(e.at("total_pj_per_step").get<double>()).epsilon(1e-12));
  CHECK(row.at("energy_nj_per_trial").get<double>() ==
        Approx(row.at("energy_pj_per_step").get<double>() * row.at("steps_per_trial").get<int>() / 1000).epsilon(1e-12));
}

}  // namespace

TEST_CASE("compare runs every level and the RTL's counts equal the golden model's", "[compare][cli]") {
  test::TempDir tmp;
  save_networks(tmp.path());
  const auto r = test::run_command(compare_command(tmp, "--levels float,integer,rtl --weight-bits 6,8 -o " +
                                                            (tmp / "cmp").string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json j = read_json(tmp / "cmp" / "compare.json");
  const nlohmann::json& rows = j.at("rows");
  REQUIRE(rows.size() == 10);  // per network: float, then integer and rtl per width
  for (const auto& row : rows) {
    INFO(row.at("run").get<std::string>() << " " << row.at("level").get<std::string>() << " w"
                                          << row.at("weight_bits").get<int>());
    REQUIRE(row.at("status") == "ok");
    check_energy_sums(row);
    CHECK(row.at("energy_pj_per_step").get<double>() > 0);
    if (row.at("level") != "rtl-verilator") {  // CPU levels: single-trial latency and batched throughput
      CHECK(row.at("cpu_us_per_step").get<double>() > 0);
      CHECK(row.at("cpu_batched_us_per_step").get<double>() > 0);
      CHECK(row.at("steps_per_second").get<double>() == Approx(1e6 / row.at("cpu_us_per_step").get<double>()));
    }
  }
  // Rows of one network and width: integer (lanes 1: the sequential count) then rtl (P = 2).
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto& row = rows[k];
    if (row.at("level") != "rtl-verilator") continue;
    const auto& integer = rows[k - 1];
    REQUIRE(integer.at("level") == "integer-cpu");
    CHECK(row.at("counts_match_golden") == true);
    CHECK(row.at("success_rate") == integer.at("success_rate"));
    CHECK(row.at("cycles_per_step").get<double>() > 0);
    // Operations do not depend on the lanes; only the shared state / spike-list reads do.
    CHECK(row.at("counts_per_step").at("operations") == integer.at("counts_per_step").at("operations"));
    const auto& memories = row.at("counts_per_step").at("memories");
    const auto& sequential = integer.at("counts_per_step").at("memories");
    CHECK(memories.at("w_rec") == sequential.at("w_rec"));
    CHECK(memories.at("state").at("reads").get<double>() <= sequential.at("state").at("reads").get<double>());
  }
  // The float level prices the same dataflow in fp32: dearer than the integer one.
  CHECK(rows[0].at("level") == "float-cpu");
  CHECK(rows[0].at("energy_pj_per_step").get<double>() > rows[1].at("energy_pj_per_step").get<double>());
  // Wider weights cost more energy for the same operations.
  CHECK(rows[3].at("energy_pj_per_step").get<double>() > rows[1].at("energy_pj_per_step").get<double>());

  std::ifstream csv(tmp / "cmp" / "compare.csv");
  int lines = 0;
  for (std::string line; std::getline(csv, line);) ++lines;
  CHECK(lines == 11);
  std::ifstream summary_file(tmp / "cmp" / "summary.md");
  const std::string summary((std::istreambuf_iterator<char>(summary_file)), std::istreambuf_iterator<char>());
  CHECK_THAT(summary, Catch::Contains("Rate vs spiking at equal accuracy") && Catch::Contains("ODIN"));
  for (const char* figure : {"accuracy_energy.png", "latency_vs_n.png", "energy_vs_bits.png"}) {
    CHECK(fs::file_size(tmp / "cmp" / figure) > 1000);
  }
}

TEST_CASE("compare adds a board build with Fmax, latency and the FPGA energy estimate", "[compare][cli][board]") {
  test::TempDir tmp;
  save_networks(tmp.path());
  const auto r = test::run_command(fmt::format("{} compare {} --levels integer --boards icebreaker --weight-bits 8 "
                                               "--trials 16 --vector-trials 2 --lanes 2 -q -o {} 2>&1",
                                               kCli, (tmp / "rate").string(), (tmp / "cmp").string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json rows = read_json(tmp / "cmp" / "compare.json").at("rows");
  REQUIRE(rows.size() == 2);
  const auto& board = rows[1];
  REQUIRE(board.at("level") == "board:icebreaker");
  REQUIRE(board.at("status") == "ok");
  const double cycles = board.at("cycles_per_step").get<double>(), fmax = board.at("fmax_mhz").get<double>();
  CHECK(fmax > 0);
  CHECK(board.at("latency_us_per_step").get<double>() == Approx(cycles / fmax));
  CHECK(board.at("clock_mhz").get<double>() == Approx(12.0));
  // FPGA estimate = dynamic gap x the counted operations' energy + static power x time at the board clock.
  const auto& detail = board.at("detail");
  CHECK(board.at("energy_pj_per_step").get<double>() ==
        Approx(detail.at("fpga_dynamic_pj_per_step").get<double>() + detail.at("fpga_static_pj_per_step").get<double>()));
  CHECK(detail.at("fpga_static_pj_per_step").get<double>() == Approx(0.09e-3 * cycles / 12.0e6 * 1e12));
  CHECK(detail.at("fpga_dynamic_pj_per_step").get<double>() ==
        Approx(7.1 * board.at("energy_breakdown").at("total_pj_per_step").get<double>()));
}

TEST_CASE("a network that does not fit a board is an error row; the other levels still run", "[compare][cli][board]") {
  test::TempDir tmp;
  const auto task = models::make_task("xor");
  models::RateRnnConfig config;
  config.n_in = task->n_in();
  config.n_rec = 64;  // far more logic than the iCEstick's 1280 cells
  config.n_out = task->n_out();
  models::save_artifact(tmp / "big", models::RateRnnArtifact{models::make_rate_rnn(config, {}, 41), {}, task->name(),
                                                             task->param_values(), 41, {}, {}});
  const auto r = test::run_command(fmt::format("{} compare {} --levels float,integer --boards icestick --weight-bits 8 "
                                               "--trials 16 --vector-trials 1 --lanes 4 -q -o {} 2>&1",
                                               kCli, (tmp / "big").string(), (tmp / "cmp").string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);  // the report is written; the failed level is in it
  CHECK_THAT(r.output, Catch::Contains("1 failed"));
  const nlohmann::json rows = read_json(tmp / "cmp" / "compare.json").at("rows");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].at("status") == "ok");
  CHECK(rows[1].at("status") == "ok");
  CHECK(rows[2].at("level") == "board:icestick");
  CHECK(rows[2].at("status") == "error");
  CHECK_THAT(rows[2].at("error").get<std::string>(), Catch::Contains("logic cells"));
  std::ifstream summary_file(tmp / "cmp" / "summary.md");
  const std::string summary((std::istreambuf_iterator<char>(summary_file)), std::istreambuf_iterator<char>());
  CHECK_THAT(summary, Catch::Contains("error:"));
}

TEST_CASE("compare refuses bad input with one clear error and writes nothing", "[compare][cli]") {
  test::TempDir tmp;
  save_networks(tmp.path());
  nlohmann::json table = read_json(nf::resource_path("energy/horowitz-isscc2014-45nm.json"));
  table["arithmetic"]["integer_add"]["points"] = {{8, 0.03}, {8, 0.1}};
  std::ofstream(tmp / "bad-table.json") << table.dump(2);

  const auto bad_table = test::run_command(compare_command(
      tmp, "--levels integer --energy-table " + (tmp / "bad-table.json").string() + " -o " + (tmp / "out").string()));
  CHECK(bad_table.exit_code == 1);
  CHECK_THAT(bad_table.output,
             Catch::Contains("bad-table.json") && Catch::Contains("arithmetic.integer_add.points[1]"));
  CHECK_FALSE(fs::exists(tmp / "out"));

  const auto unknown_level = test::run_command(compare_command(tmp, "--levels integer,gpu -o " + (tmp / "out").string()));
  CHECK(unknown_level.exit_code == 1);
  CHECK_THAT(unknown_level.output, Catch::Contains("--levels") && Catch::Contains("gpu"));
  const auto rtl_alone = test::run_command(compare_command(tmp, "--levels rtl -o " + (tmp / "out").string()));
  CHECK(rtl_alone.exit_code == 1);
  CHECK_THAT(rtl_alone.output, Catch::Contains("integer"));
  const auto bits = test::run_command(compare_command(tmp, "--weight-bits 1 -o " + (tmp / "out").string()));
  CHECK(bits.exit_code == 1);
  CHECK_THAT(bits.output, Catch::Contains("--weight-bits"));
  const auto board = test::run_command(compare_command(tmp, "--boards nosuchboard -o " + (tmp / "out").string()));
  CHECK(board.exit_code == 1);
  CHECK_THAT(board.output, Catch::Contains("nosuchboard"));
  const auto not_a_run = test::run_command(fmt::format("{} compare {} -o {} 2>&1", kCli, tmp.path().string(),
                                                       (tmp / "out").string()));
  CHECK(not_a_run.exit_code == 1);
  CHECK_FALSE(fs::exists(tmp / "out"));

  fs::create_directories(tmp / "existing");
  const auto existing = test::run_command(compare_command(tmp, "--levels float -o " + (tmp / "existing").string()));
  CHECK(existing.exit_code == 1);
  CHECK_THAT(existing.output, Catch::Contains("already exists"));
}
