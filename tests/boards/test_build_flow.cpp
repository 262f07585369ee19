// The build flow short of place and route: a network that cannot fit is
// refused from Yosys's counts with the resource named and nothing written;
// bad options are refused before any work; Xilinx boards get a
// self-contained Vivado project whose pins are the board file's and whose
// report's numbers follow from the cycle model and the host-link frames.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "board_networks.hpp"
#include "neurofab/boards/build_flow.hpp"
#include "neurofab/golden/cycle_model.hpp"
#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/golden/golden_vectors.hpp"
#include "neurofab/rtl/rtl_generator.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

using namespace nf;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json read_json(const fs::path& path) { return json::parse(read_text(path)); }

std::string cli() { return NF_CLI_PATH; }

// Entries of `dir` other than `keep` (a refused build must leave no staging folder behind).
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a network that does not fit is refused before place and route, leaving nothing", "[boards][build][fit]") {
  nf::test::TempDir tmp;
  quantize::save_quantized(tmp / "q", test::board_rate_network(16));
  // The HX1K has no DSP blocks: two 8x16-bit multipliers in LUTs, the core
  // and the host link need more than its 1280 logic cells.
  const auto r = test::run_command(fmt::format("{} build --board icestick {} --lanes 2 -o {} 2>&1", cli(),
                                               (tmp / "q").string(), (tmp / "out").string()));
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "does not fit Lattice iCEstick"));
  CHECK(contains(r.output, "by Yosys's cell counts before place and route"));
  CHECK(contains(r.output, "logic cells: "));
  CHECK(contains(r.output, "1280 available"));
  CHECK(contains(r.output, "fewer MAC lanes (--lanes 1; now 2)"));
  CHECK(contains(r.output, "neurofab quantize"));
  CHECK(contains(r.output, "a smaller network (now N = 16)"));
  CHECK_FALSE(contains(r.output, "BRAM (SB_RAM40_4K):"));  // only what does not fit is named
  CHECK(entries(tmp.path()) == std::vector<std::string>{"q"});

  // With --force over an existing build: refused the same way, the old folder untouched.
  fs::create_directories(tmp / "old");
  std::ofstream(tmp / "old" / "marker") << "previous build";
  boards::BuildOptions options;
  options.lanes = 2;
  options.force = true;
  const auto q = quantize::load_quantized(tmp / "q");
  try {
    boards::build(q, (tmp / "q").string(), boards::find_board("icestick"), options, tmp / "old");
    FAIL("built");
  } catch (const boards::FitError& e) {
    CHECK(contains(e.what(), "logic cells: "));
  }
  CHECK(entries(tmp / "old") == std::vector<std::string>{"marker"});
  CHECK(read_text(tmp / "old" / "marker") == "previous build");
  CHECK(entries(tmp.path()) == std::vector<std::string>{"old", "q"});
}

TEST_CASE("bad build options are refused before any work, each named", "[boards][build][options]") {
  nf::test::TempDir tmp;
  quantize::save_quantized(tmp / "q", test::board_rate_network(8));
  const auto run = [&](const std::string& args) {
    return test::run_command(fmt::format("{} build {} {} -o {} 2>&1", cli(), (tmp / "q").string(), args,
                                         (tmp / "out").string()));
  };
  const auto baud = run("--board icebreaker --baud 1411765");  // 8.5 clocks per bit at 12 MHz: 6 % off
  INFO(baud.output);
  CHECK(baud.exit_code == 1);
  CHECK(baud.output.rfind("neurofab: error: --baud 1411765: ", 0) == 0);
  CHECK(contains(baud.output, "% off"));

  const auto lanes = run("--board icebreaker --lanes 9");
  CHECK(lanes.exit_code == 1);
  CHECK(contains(lanes.output, "--lanes: 9 lanes for 8 units"));

  const auto board = run("--board icebraker");
  CHECK(board.exit_code == 1);
  CHECK(contains(board.output, "--board icebraker: unknown board"));

  const auto missing = test::run_command(fmt::format("{} build {} -o {} 2>&1", cli(), (tmp / "q").string(),
                                                     (tmp / "out").string()));
  CHECK(missing.exit_code == 2);  // usage error
  CHECK(contains(missing.output, "--board"));

  // A folder without the system top's sources (--rtl-dir): named, nothing written.
  fs::create_directories(tmp / "empty-rtl");
  const auto sources = run("--board icebreaker --rtl-dir " + (tmp / "empty-rtl").string());
  CHECK(sources.exit_code == 1);
  CHECK(contains(sources.output, "missing: a source of the system top nf_rate_system"));

  CHECK(entries(tmp.path()) == std::vector<std::string>{"empty-rtl", "q"});

  fs::create_directories(tmp / "out");
  const auto exists = run("--board icebreaker");
  CHECK(exists.exit_code == 1);
  CHECK(contains(exists.output, "already exists (use --force to replace it)"));
}

TEST_CASE("boards and build --list-boards list every board file", "[boards][build][cli]") {
  const auto boards = test::run_command(cli() + " boards");
  CHECK(boards.exit_code == 0);
  for (const char* name : {"icebreaker", "icestick", "arty-a7-35", "pynq-z2"}) CHECK(contains(boards.output, name));
  CHECK(contains(boards.output, "up5k"));
  CHECK(contains(boards.output, "xc7z020clg400-1"));
  const auto listed = test::run_command(cli() + " build --list-boards");
  CHECK(listed.exit_code == 0);
  CHECK(listed.output == boards.output);
}

TEST_CASE("a Xilinx board gets a self-contained Vivado project and an estimate", "[boards][build][xc7]") {
  nf::test::TempDir tmp;
  const auto q = test::board_lif_network(16);
  const auto board = boards::find_board("arty-a7-35");
  boards::BuildOptions options;
  options.lanes = 2;
  options.trials = 12;
  options.trial_seed = 77;
  std::vector<std::string> stages;  // the optional progress callback: one call per step boundary
  options.progress = [&](int done, int total, const std::string& stage) {
    CHECK(done == static_cast<int>(stages.size()));
    CHECK(total == 5);
    stages.push_back(stage);
  };
  const fs::path out = tmp / "arty";
  const auto result = boards::build(q, "lif-q", board, options, out);
  CHECK(result.bitstream.empty());
  CHECK(stages == std::vector<std::string>{"RTL", "cycle statistics (12 trials)", "synthesis estimate (yosys)",
                                           "Vivado project", "report", "done"});

  // The project: script, README, pins, every source and image, nothing that points outside.
  for (const char* file : {"build.tcl", "README.md", "arty-a7-35.xdc", "report.json", "report.md", "build.sh",
                           "estimate.ys", "synth_stat.json", "logs/yosys.log", "rtl/nf_config_pkg.sv", "rtl/rtl.json",
                           "nf_lif_system.json"}) {  // the synth_xilinx netlist (neurofab verify --level synth)
    INFO(file);
    CHECK(fs::is_regular_file(out / file));
  }
  CHECK_FALSE(fs::exists(out / "nf_lif_system.bit"));
  const std::string tcl = read_text(out / "build.tcl");
  CHECK(contains(tcl, "create_project -force nf_build [file join $here vivado] -part xc7a35ticsg324-1L"));
  CHECK(contains(tcl, "set_property top nf_lif_system [current_fileset]"));
  CHECK(contains(tcl, "set_property generic {ClocksPerBit=868 QuietCycles=173600} [current_fileset]"));
  CHECK(contains(tcl, "add_files -fileset constrs_1 -norecurse [file join $here arty-a7-35.xdc]"));
  CHECK(contains(tcl, "launch_runs impl_1 -to_step write_bitstream"));
  int sv_files = 0, images = 0;
  for (const auto& e : fs::directory_iterator(out / "rtl")) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".sv") ++sv_files;
    if (e.path().extension() == ".mem") ++images;
    if (e.path().extension() == ".sv" || e.path().extension() == ".mem") {
      INFO(name);
      CHECK((contains(tcl, "  " + name + " \\\n") || contains(tcl, "  " + name + "]\n")));  // listed in build.tcl
    }
  }
  CHECK(sv_files == static_cast<int>(rtl::system_sources(models::Family::kLif).size()) + 1);  // + the package
  CHECK(images >= 5);
  CHECK_FALSE(contains(tcl, "/work/"));  // relative to the script only
  CHECK_FALSE(contains(read_text(out / "rtl" / "files.f"), "/"));
  CHECK(contains(read_text(out / "README.md"), "vivado -mode batch -source build.tcl"));

  // The XDC's pins and standards are the board file's.
  const std::string xdc = read_text(out / "arty-a7-35.xdc");
  std::map<std::string, std::string> pins;
  static const std::regex kPin(R"(PACKAGE_PIN (\S+) IOSTANDARD (\S+) \} \[get_ports \{ (\S+) \}\])");
  for (auto it = std::sregex_iterator(xdc.begin(), xdc.end(), kPin); it != std::sregex_iterator(); ++it) {
    pins[(*it)[3]] = std::string((*it)[1]) + " " + std::string((*it)[2]);
  }
  CHECK(pins == std::map<std::string, std::string>{{"clk_i", board.clock.pin + " " + board.clock.iostandard},
                                                   {"uart_rx_i", board.uart.rx_pin + " " + board.uart.iostandard},
                                                   {"uart_tx_o", board.uart.tx_pin + " " + board.uart.iostandard}});
  CHECK(contains(xdc, "create_clock -add -name sys_clk -period 10.000"));

  // The report: an estimate, honest about Vivado, numbers from the cycle model and the frames.
  const json r = read_json(out / "report.json");
  CHECK(r == result.report);
  CHECK(r["bitstream"].is_null());
  CHECK(r["timing"]["fmax_mhz"].is_null());
  CHECK(r["vivado"]["run"] == "vivado -mode batch -source build.tcl");
  CHECK(contains(r["utilisation_source"].get<std::string>(), "Yosys synth_xilinx estimate"));
  REQUIRE(r["utilisation"].size() == 4);
  for (const auto& u : r["utilisation"]) {
    INFO(u.dump());
    CHECK(u["used"].get<double>() <= u["available"].get<double>());
  }
  CHECK(r["utilisation"][0]["resource"] == "LUTs");
  CHECK(r["utilisation"][0]["used"].get<double>() > 100);  // a core, a UART link: not an empty netlist
  CHECK(r["utilisation"][0]["available"] == 20800);
  CHECK(r["uart"]["clocks_per_bit"] == 868);
  CHECK(r["model"]["config_id"] == read_json(out / "rtl" / "rtl.json")["config_id"]);
  CHECK(r["model"]["inputs"] == 4);  // Poisson encoding: 2·n_in core inputs
  CHECK(r["model"]["lanes"] == 2);
  CHECK(r["commands"].size() == 1);
  CHECK(r["commands"][0]["argv"] == json::array({"yosys", "-s", "../estimate.ys"}));

  const auto& perf = r["performance"];
  const auto& link = perf["host_link"];
  const int in_bytes = (r["model"]["widths"]["InputWidth"].get<int>() + 7) / 8;
  const int out_bytes = (r["model"]["widths"]["OutputWidth"].get<int>() + 7) / 8;
  CHECK(link["request_bytes"] == 5 + 4 * in_bytes);
  CHECK(link["response_bytes"] == 5 + 1 * out_bytes + 8);
  CHECK(link["uart_steps_per_second"].get<double>() ==
        Approx(115200.0 / (10.0 * (5 + 4 * in_bytes + 5 + out_bytes + 8))));

  // LIF cycles: recomputed here from golden vectors of the same trials and the cycle model.
  const auto& lif = std::get<quantize::IntegerLifRnn>(q.network);
  const golden::LifCoreShape shape{16, 4, 1, 2};
  golden::write_golden_vectors(q, 12, 77, tmp / "vectors");
  const auto v = golden::GoldenTrace::load((tmp / "vectors").string());
  std::int64_t total = 0, worst = 0, spikes = 0;
  for (int k = 0; k < v.trials(); ++k) {
    for (int t = 0; t < v.steps(); ++t) {
      const std::int64_t now = v.value<std::int64_t>("spike_count", k, t, 0);
      const std::int64_t before = t == 0 ? 0 : v.value<std::int64_t>("spike_count", k, t - 1, 0);
      const std::int64_t cycles = golden::lif_step_cycles(shape, before, now);
      total += cycles;
      worst = std::max(worst, cycles);
      spikes += now;
    }
  }
  REQUIRE(lif.config().n_rec == 16);
  REQUIRE(spikes > 0);  // the network is active: the statistics are not the silent bound
  const auto& c = perf["cycles_per_step"];
  CHECK(c["event_driven"] == true);
  CHECK(c["trials"] == 12);
  CHECK(c["trial_seed"] == 77);
  CHECK(c["mean"].get<double>() * 12 * v.steps() == Approx(static_cast<double>(total)).epsilon(1e-12));
  CHECK(c["max"] == worst);
  CHECK(c["silent"] == golden::lif_step_cycles(shape, 0, 0));
  CHECK(c["all_spiking"] == golden::lif_step_cycles(shape, 16, 16));
  CHECK(c["silent"].get<double>() < c["mean"].get<double>());
  CHECK(c["max"].get<std::int64_t>() <= c["all_spiking"].get<std::int64_t>());
  CHECK(perf["latency_us"]["max"].get<double>() == Approx(static_cast<double>(worst) / 100.0));
  CHECK(perf["steps_per_second"]["mean"].get<double>() == Approx(1e8 * 12 * v.steps() / static_cast<double>(total)));

  const std::string md = read_text(out / "report.md");
  CHECK(contains(md, "No bitstream"));
  CHECK(contains(md, "cycles per timestep on average"));
}

TEST_CASE("a rate network's report on a 125 MHz board follows the cycle model", "[boards][build][xc7]") {
  nf::test::TempDir tmp;
  quantize::save_quantized(tmp / "q", test::board_rate_network(20));
  const auto r = test::run_command(fmt::format("{} build --board pynq-z2 {} --lanes 4 --baud 921600 -o {} 2>&1",
                                               cli(), (tmp / "q").string(), (tmp / "out").string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.output, "no bitstream"));
  const json report = read_json(tmp / "out" / "report.json");
  const std::int64_t cycles = golden::rate_step_cycles({20, 2, 1, 4});
  const auto& c = report["performance"]["cycles_per_step"];
  CHECK(c["event_driven"] == false);
  CHECK(c["max"] == cycles);
  CHECK(c["mean"] == static_cast<double>(cycles));
  CHECK(report["performance"]["latency_us"]["mean"].get<double>() == Approx(static_cast<double>(cycles) / 125.0));
  CHECK(report["uart"]["baud"] == 921600);
  CHECK(report["uart"]["clocks_per_bit"] == 136);  // 125 MHz / 921600 = 135.6
  CHECK(report["uart"]["quiet_cycles"] == 200 * 136);
  CHECK(contains(read_text(tmp / "out" / "build.tcl"), "ClocksPerBit=136 QuietCycles=27200"));
  // 16-bit inputs and outputs: 5 + 2·2 and 5 + 1·2 + 8 bytes.
  CHECK(report["performance"]["host_link"]["request_bytes"] == 9);
  CHECK(report["performance"]["host_link"]["response_bytes"] == 15);
}

TEST_CASE("a design nextpnr cannot place is refused with the same kind of message", "[boards][build][fit]") {
  // A board file that claims more logic cells than its HX1K has: the check
  // from Yosys's counts passes, nextpnr's placer runs out of ICESTORM_LC.
  nf::test::TempDir tmp;
  json board = read_json(boards::board_data_dir() / "icestick.json");
  board["name"] = "overstated-icestick";
  board["resources"]["logic_cells"] = 100000;
  std::ofstream(tmp / "overstated.json") << board.dump();
  quantize::save_quantized(tmp / "q", test::board_rate_network(24));
  const auto r = test::run_command(fmt::format("{} build --board {} {} -o {} 2>&1", cli(),
                                               (tmp / "overstated.json").string(), (tmp / "q").string(),
                                               (tmp / "out").string()));
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "does not fit"));
  CHECK(contains(r.output, "found by nextpnr-ice40's placer"));
  CHECK(contains(r.output, "1280 available (nextpnr-ice40 ICESTORM_LC after packing)"));
  CHECK(contains(r.output, "a smaller network (now N = 24)"));
  CHECK(entries(tmp.path()) == std::vector<std::string>{"overstated.json", "q"});
}

TEST_CASE("a Xilinx board too small for the design is refused from the estimate", "[boards][build][fit][xc7]") {
  // An Arty whose board file allows two DSP48E1: four MAC lanes and the readout need five.
  nf::test::TempDir tmp;
  json board = read_json(boards::board_data_dir() / "arty-a7-35.json");
  board["resources"]["dsp"] = 2;
  std::ofstream(tmp / "small.json") << board.dump();
  const auto q = test::board_rate_network(8);
  boards::BuildOptions options;
  options.lanes = 4;
  try {
    boards::build(q, "rate-q", boards::load_board(tmp / "small.json"), options, tmp / "out");
    FAIL("built");
  } catch (const boards::FitError& e) {
    const std::string m = e.what();
    INFO(m);
    CHECK(contains(m, "by Yosys's synth_xilinx estimate"));
    CHECK(contains(m, "DSP (DSP48E1): 5 needed, 2 available"));
    CHECK(contains(m, "fewer MAC lanes (--lanes 2; now 4)"));
    CHECK_FALSE(contains(m, "LUTs:"));
  }
  CHECK_FALSE(fs::exists(tmp / "out"));
}
