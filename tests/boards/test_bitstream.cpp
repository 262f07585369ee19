// Real iCEBreaker bitstreams (long: Yosys, nextpnr-ice40 and icepack run):
// small rate and LIF networks place, route and meet the 12 MHz board clock,
// paths through the DSPs included;
// the .bin has the UP5K's size; the report's numbers are nextpnr's and the
// cycle model's; build.sh reproduces the same bitstream byte for byte.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "board_networks.hpp"
#include "neurofab/boards/build_flow.hpp"
#include "neurofab/golden/cycle_model.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

using namespace nf;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json read_json(const fs::path& path) { return json::parse(read_bytes(path)); }

// The checks every iCEBreaker build must pass.
void check_icebreaker_build(const fs::path& out, const std::string& top) {
  const fs::path bin = out / (top + ".bin");
  REQUIRE(fs::is_regular_file(bin));
  // An iCE40 UP5K bitstream is about 104 KB (icepack writes 104 090 bytes, whatever the design).
  CHECK(fs::file_size(bin) > 100'000);
  CHECK(fs::file_size(bin) < 110'000);
  for (const char* file : {"icebreaker.pcf", "synth.ys", "nextpnr_report.json", "build.sh", "report.md",
                           "logs/yosys.log", "logs/nextpnr.log"}) {
    INFO(file);
    CHECK(fs::is_regular_file(out / file));
  }
  CHECK(fs::is_regular_file(out / (top + ".asc")));
  CHECK(fs::is_regular_file(out / (top + ".json")));

  const json r = read_json(out / "report.json");
  CHECK(r["bitstream"]["file"] == top + ".bin");
  CHECK(r["bitstream"]["bytes"] == fs::file_size(bin));
  // Timing at the board clock: nextpnr's, and through the DSPs (which nextpnr
  // takes as registered) from its SDF; the Fmax is the lower of the two.
  const json& t = r["timing"];
  CHECK(t["target_mhz"] == 12.0);
  CHECK(t["fmax_mhz"].get<double>() >= 12.0);
  CHECK(t["met"] == true);
  const json pnr = read_json(out / "nextpnr_report.json");
  CHECK(t["nextpnr_fmax_mhz"] == pnr["fmax"][t["clock"].get<std::string>()]["achieved"]);
  REQUIRE(t["dsp"].is_object());
  const json& dsp = t["dsp"];
  CHECK(t["fmax_mhz"].get<double>() ==
        std::min(t["nextpnr_fmax_mhz"].get<double>(), 1000.0 / dsp["worst_ns"].get<double>()));
  CHECK(dsp["met"] == true);
  CHECK(dsp["worst_ns"].get<double>() <= dsp["period_ns"].get<double>());
  CHECK(dsp["cells"].size() == pnr["utilization"]["ICESTORM_DSP"]["used"].get<std::size_t>());
  CHECK(fs::is_regular_file(out / (top + ".sdf")));
  // Re-timing the DSPs only lengthens paths: the SDF's worst is at least nextpnr's critical path.
  CHECK(dsp["design_worst_ns"].get<double>() >=
        1000.0 / t["nextpnr_fmax_mhz"].get<double>() - 1e-3);
  // ABC9 without &mfs (which asserts in Debian's ABC), and no ABC run failed.
  CHECK(read_bytes(out / "synth.ys").find("scratchpad -set abc9.nomfs 1\nsynth_ice40") != std::string::npos);
  CHECK(read_bytes(out / "logs/yosys.log").find("failed: return code") == std::string::npos);
  // Utilisation: nextpnr's numbers, within the device, and at least Yosys's lower bound.
  std::map<std::string, json> use;
  for (const auto& u : r["utilisation"]) use[u["resource"].get<std::string>()] = u;
  REQUIRE(use.count("logic cells") == 1);
  CHECK(use["logic cells"]["used"] == pnr["utilization"]["ICESTORM_LC"]["used"]);
  CHECK(use["logic cells"]["available"] == 5280);
  CHECK(use["logic cells"]["used"].get<double>() <= 5280);
  CHECK(use["logic cells"]["used"].get<double>() >= r["synthesis"]["fit_check"][0]["used"].get<double>());
  CHECK(use["BRAM (SB_RAM40_4K)"]["used"] == pnr["utilization"]["ICESTORM_RAM"]["used"]);
  CHECK(use["DSP (SB_MAC16)"]["used"].get<double>() <= 8);
  CHECK(use["I/O pins"]["used"] == 3);
  // The commands, the tools and the seed are recorded.
  REQUIRE(r["commands"].size() == 3);
  CHECK(r["commands"][0]["argv"][0] == "yosys");
  CHECK(r["commands"][1]["argv"][0] == "nextpnr-ice40");
  CHECK(r["commands"][2]["argv"][0] == "icepack");
  CHECK(r["tools"]["yosys"].get<std::string>().rfind("Yosys", 0) == 0);
  CHECK(r["tools"]["nextpnr-ice40"] != "unknown");
  CHECK(r["uart"]["clocks_per_bit"] == 104);
  CHECK(r["model"]["config_id"] == read_json(out / "rtl" / "rtl.json")["config_id"]);
}

}  // namespace

TEST_CASE("a rate network becomes an iCEBreaker bitstream that build.sh reproduces", "[boards][bitstream][long]") {
  nf::test::TempDir tmp;
  quantize::save_quantized(tmp / "q", test::board_rate_network(16));
  const fs::path out = tmp / "ib";
  const auto r = test::run_command(fmt::format("{} build --board icebreaker {} --lanes 2 --seed 3 -o {} 2>&1",
                                               NF_CLI_PATH, (tmp / "q").string(), out.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("Fmax ") != std::string::npos);
  check_icebreaker_build(out, "nf_rate_system");

  const json report = read_json(out / "report.json");
  CHECK(report["seed"] == 3);
  CHECK(report["commands"][1]["argv"].dump().find("\"--seed\",\"3\"") != std::string::npos);
  const std::int64_t cycles = golden::rate_step_cycles({16, 2, 1, 2});
  CHECK(report["performance"]["cycles_per_step"]["max"] == cycles);
  CHECK(report["performance"]["latency_us"]["mean"].get<double>() == Approx(static_cast<double>(cycles) / 12.0));
  CHECK(report["performance"]["steps_per_second"]["mean"].get<double>() ==
        Approx(12e6 / static_cast<double>(cycles)));

  // The recorded commands, rerun from the folder, make the same bitstream.
  const std::string first = read_bytes(out / "nf_rate_system.bin");
  fs::remove(out / "nf_rate_system.bin");
  fs::remove(out / "nf_rate_system.asc");
  const auto again = test::run_command(fmt::format("sh {} 2>&1", (out / "build.sh").string()));
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(read_bytes(out / "nf_rate_system.bin") == first);
}

TEST_CASE("a LIF network becomes an iCEBreaker bitstream", "[boards][bitstream][long]") {
  nf::test::TempDir tmp;
  const auto q = test::board_lif_network(16);
  boards::BuildOptions options;
  options.lanes = 2;
  options.trials = 8;
  const auto result = boards::build(q, "lif", boards::find_board("icebreaker"), options, tmp / "ib");
  CHECK(result.bitstream == tmp / "ib" / "nf_lif_system.bin");
  check_icebreaker_build(tmp / "ib", "nf_lif_system");
  const auto& c = result.report["performance"]["cycles_per_step"];
  CHECK(c["event_driven"] == true);
  CHECK(c["silent"].get<double>() <= c["mean"].get<double>());
  CHECK(c["mean"].get<double>() <= c["max"].get<double>());
  CHECK(c["max"].get<std::int64_t>() <= c["all_spiking"].get<std::int64_t>());
}
