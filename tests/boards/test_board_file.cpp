// Board files, UART timing, pin constraints and the parsers of the tools'
// reports: every defect of a board file is refused naming the file and the
// field; the shipped boards load; the baud rate is refused beyond 2 %; the
// .pcf/.xdc carry the board file's pins; Yosys and nextpnr numbers are read
// as the tools print them (excerpts of real logs).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "neurofab/boards/board.hpp"
#include "neurofab/boards/constraints.hpp"
#include "neurofab/boards/utilisation.hpp"
#include "neurofab/common/error.hpp"
#include "temp_dir.hpp"

using namespace nf;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json ice40_board() {
  return json::parse(R"({
    "format": "neurofab-board", "format_version": 1, "name": "testboard", "title": "Test board",
    "vendor": "lattice", "family": "ice40", "device": "up5k", "package": "sg48",
    "clock": {"pin": "35", "frequency_hz": 12000000},
    "uart": {"rx_pin": "6", "tx_pin": "9", "baud": 115200, "bridge": "FT2232H B"},
    "resources": {"logic_cells": 5280, "bram_4k": 30, "spram_256k": 4, "dsp": 8},
    "notes": "", "sources": ["a test"]})");
}

json xc7_board() {
  return json::parse(R"({
    "format": "neurofab-board", "format_version": 1, "name": "testxc7", "title": "Test 7-series board",
    "vendor": "xilinx", "family": "xc7", "device": "xc7a35ticsg324-1L", "package": "csg324",
    "clock": {"pin": "E3", "frequency_hz": 100000000, "iostandard": "LVCMOS33"},
    "uart": {"rx_pin": "A9", "tx_pin": "D10", "baud": 115200, "iostandard": "LVCMOS33", "bridge": "FT2232HQ"},
    "resources": {"luts": 20800, "flip_flops": 41600, "bram_36k": 50, "dsp": 90},
    "notes": "", "sources": ["a test"]})");
}

fs::path write_board(const nf::test::TempDir& tmp, const json& doc, const std::string& name = "board.json") {
  const fs::path path = tmp / name;
  std::ofstream(path) << doc.dump(2);
  return path;
}

// The message of the InputError that loading `doc` throws ("" when it loads).
std::string load_error(const nf::test::TempDir& tmp, const json& doc) {
  try {
    boards::load_board(write_board(tmp, doc));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// Removes the field at a dotted path ("clock.pin").
json without(json doc, const std::string& path) {
  const auto dot = path.find('.');
  if (dot == std::string::npos) {
    doc.erase(path);
  } else {
    doc[path.substr(0, dot)].erase(path.substr(dot + 1));
  }
  return doc;
}

}  // namespace

TEST_CASE("the shipped board files load, are listed and carry the documented pins", "[boards][board]") {
  const auto boards = boards::list_boards();
  std::vector<std::string> names;
  for (const auto& b : boards) names.push_back(b.name);
  CHECK(names == std::vector<std::string>{"arty-a7-35", "icebreaker", "icestick", "pynq-z2"});

  const auto ib = boards::find_board("icebreaker");
  CHECK(ib.family == boards::Family::kIce40);
  CHECK(ib.device == "up5k");
  CHECK(ib.package == "sg48");
  CHECK(ib.clock.pin == "35");
  CHECK(ib.clock.frequency_hz == 12'000'000);
  CHECK(ib.uart.rx_pin == "6");
  CHECK(ib.uart.tx_pin == "9");
  CHECK(ib.ice40.logic_cells == 5280);
  CHECK(ib.ice40.dsp == 8);

  const auto stick = boards::find_board("icestick");
  CHECK(stick.device == "hx1k");
  CHECK(stick.ice40.dsp == 0);
  CHECK(stick.ice40.spram_256k == 0);

  const auto arty = boards::find_board("arty-a7-35");
  CHECK(arty.family == boards::Family::kXc7);
  CHECK(arty.device == "xc7a35ticsg324-1L");
  CHECK(arty.clock.frequency_hz == 100'000'000);
  CHECK(!arty.clock.iostandard.empty());

  // By path, as well as by name.
  const auto by_path = boards::find_board((boards::board_data_dir() / "pynq-z2.json").string());
  CHECK(by_path.name == "pynq-z2");
  CHECK(by_path.family == boards::Family::kXc7);
}

TEST_CASE("an unknown board name is refused with the known ones", "[boards][board]") {
  try {
    boards::find_board("icebraker");
    FAIL("no error");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(m.find("--board icebraker: unknown board") != std::string::npos);
    CHECK(m.find("icebreaker") != std::string::npos);
    CHECK(m.find("arty-a7-35") != std::string::npos);
  }
  CHECK_THROWS_AS(boards::find_board("/nonexistent/board.json"), InputError);
}

TEST_CASE("a valid board file loads field by field", "[boards][board]") {
  nf::test::TempDir tmp;
  REQUIRE(load_error(tmp, ice40_board()).empty());
  REQUIRE(load_error(tmp, xc7_board()).empty());
  const auto b = boards::load_board(write_board(tmp, xc7_board()));
  CHECK(b.uart.iostandard == "LVCMOS33");
  CHECK(b.xc7.luts == 20800);
  CHECK(b.xc7.bram_36k == 50);
  CHECK(b.clock_mhz() == 100.0);
}

TEST_CASE("a missing field is refused naming the file and the field", "[boards][board]") {
  nf::test::TempDir tmp;
  const std::string file = (tmp / "board.json").string();
  for (const std::string field :
       {"format", "format_version", "name", "title", "vendor", "family", "device", "package", "clock", "uart",
        "resources", "notes", "sources", "clock.pin", "clock.frequency_hz", "uart.rx_pin", "uart.tx_pin", "uart.baud",
        "uart.bridge", "resources.logic_cells", "resources.bram_4k", "resources.spram_256k", "resources.dsp"}) {
    INFO(field);
    const std::string m = load_error(tmp, without(ice40_board(), field));
    CHECK(m == fmt::format("{}: field '{}': missing", file, field));
  }
  for (const std::string field : {"resources.luts", "resources.flip_flops", "resources.bram_36k", "resources.dsp",
                                  "clock.iostandard", "uart.iostandard"}) {
    INFO(field);
    const std::string m = load_error(tmp, without(xc7_board(), field));
    CHECK(m.rfind(fmt::format("{}: field '{}': missing", file, field), 0) == 0);
  }
}

TEST_CASE("a field of the wrong type or value is refused naming the field", "[boards][board]") {
  nf::test::TempDir tmp;
  struct Defect {
    const char* what;
    std::function<void(json&)> change;
    const char* field;
    const char* says;
  };
  const std::vector<Defect> defects = {
      {"frequency as text", [](json& d) { d["clock"]["frequency_hz"] = "12 MHz"; }, "clock.frequency_hz",
       "expected an integer"},
      {"frequency in MHz", [](json& d) { d["clock"]["frequency_hz"] = 12; }, "clock.frequency_hz", "at least 1000"},
      {"name a number", [](json& d) { d["name"] = 5; }, "name", "expected a string"},
      {"pin a number", [](json& d) { d["uart"]["rx_pin"] = 6; }, "uart.rx_pin", "expected a string"},
      {"resources an array", [](json& d) { d["resources"] = json::array(); }, "resources", "expected an object"},
      {"negative BRAM", [](json& d) { d["resources"]["bram_4k"] = -1; }, "resources.bram_4k", "at least 0"},
      {"unknown family", [](json& d) { d["family"] = "ecp5"; }, "family", "unknown family 'ecp5'"},
      {"vendor of another family", [](json& d) { d["vendor"] = "xilinx"; }, "vendor", "does not make family 'ice40'"},
      {"unknown iCE40 device", [](json& d) { d["device"] = "hx2k"; }, "device", "unknown iCE40 device 'hx2k'"},
      {"DSP on an HX device", [](json& d) { d["device"] = "hx8k"; }, "resources.dsp", "has no SB_MAC16"},
      {"wrong format", [](json& d) { d["format"] = "neurofab-model"; }, "format", "expected \"neurofab-board\""},
      {"future version", [](json& d) { d["format_version"] = 2; }, "format_version", "unsupported version 2"},
      {"misspelt field", [](json& d) { d["resourses"] = d["resources"]; }, "resourses", "unknown field"},
      {"misspelt nested field", [](json& d) { d["uart"]["iostd"] = "LVCMOS33"; }, "uart.iostd", "unknown field"},
      {"UART pins the same", [](json& d) { d["uart"]["tx_pin"] = "6"; }, "uart.tx_pin", "also uart.rx_pin"},
      {"UART on the clock pin", [](json& d) { d["uart"]["rx_pin"] = "35"; }, "uart.rx_pin", "also clock.pin"},
      {"no sources", [](json& d) { d["sources"] = json::array(); }, "sources", "at least one"},
      {"pin with a space", [](json& d) { d["clock"]["pin"] = "3 5"; }, "clock.pin", "not a pin name"},
      {"upper-case name", [](json& d) { d["name"] = "IceBreaker"; }, "name", "lower-case"},
  };
  const std::string file = (tmp / "board.json").string();
  for (const auto& d : defects) {
    INFO(d.what);
    json doc = ice40_board();
    d.change(doc);
    const std::string m = load_error(tmp, doc);
    CHECK(m.rfind(fmt::format("{}: field '{}': ", file, d.field), 0) == 0);
    CHECK(m.find(d.says) != std::string::npos);
  }
  // 7-series: a part that is not one, and a package that is not the part's.
  json part = xc7_board();
  part["device"] = "xc7a35t";
  CHECK(load_error(tmp, part).find("field 'device': 'xc7a35t' is not a full 7-series part") != std::string::npos);
  json package = xc7_board();
  package["package"] = "cpg236";
  CHECK(load_error(tmp, package).find("field 'package': 'cpg236' is not the package of part") != std::string::npos);
  // Syntax errors name the file too.
  std::ofstream(tmp / "broken.json") << "{\"format\": ";
  try {
    boards::load_board(tmp / "broken.json");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("broken.json: not valid JSON") != std::string::npos);
  }
}

TEST_CASE("ClocksPerBit is the rounded clock/baud ratio, refused beyond 2 % error", "[boards][uart]") {
  nf::test::TempDir tmp;
  const auto ib = boards::load_board(write_board(tmp, ice40_board()));
  const auto t = boards::uart_timing(ib, 115200);
  CHECK(t.clocks_per_bit == 104);                            // 12 MHz / 115200 = 104.17
  CHECK(t.quiet_cycles == 20800);                            // 20 byte times
  CHECK(t.error == Approx(12e6 / 104 / 115200 - 1));         // +0.16 %
  CHECK(boards::uart_timing(ib, 1'000'000).clocks_per_bit == 12);
  const auto arty = boards::load_board(write_board(tmp, xc7_board()));
  CHECK(boards::uart_timing(arty, 115200).clocks_per_bit == 868);

  // 12 MHz / 13.25 = 905 660 baud rounds to 13 clocks: +1.9 %, accepted;
  // 12 MHz / 13.3 = 902 256 baud also to 13: +2.31 %, refused.
  CHECK(boards::uart_timing(ib, 905660).clocks_per_bit == 13);
  const auto refused = [&](std::int64_t baud, const std::string& says) {
    INFO(baud);
    try {
      boards::uart_timing(ib, baud);
      FAIL("accepted");
    } catch (const InputError& e) {
      const std::string m = e.what();
      CHECK(m.rfind(fmt::format("--baud {}:", baud), 0) == 0);
      CHECK(m.find(says) != std::string::npos);
    }
  };
  refused(902256, "+2.31 % off");
  refused(1411765, "% off");             // 8.5 clocks per bit: 6 % either way
  refused(3'000'000, "clocks per bit");  // 4 clocks per bit: too few to sample mid-bit
  refused(0, "must be positive");
}

TEST_CASE("the .pcf and .xdc carry the board file's pins", "[boards][constraints]") {
  for (const auto& b : boards::list_boards()) {
    INFO(b.name);
    std::map<std::string, std::string> pins, standards;
    std::string period;
    if (b.family == boards::Family::kIce40) {
      const std::string pcf = boards::pcf_text(b);
      static const std::regex kSetIo(R"(^set_io (\S+) (\S+)$)");
      std::istringstream in(pcf);
      for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_match(line, m, kSetIo)) pins[m[1]] = m[2];
      }
    } else {
      const std::string xdc = boards::xdc_text(b);
      static const std::regex kPin(R"(PACKAGE_PIN (\S+) IOSTANDARD (\S+) \} \[get_ports \{ (\S+) \}\])");
      for (auto it = std::sregex_iterator(xdc.begin(), xdc.end(), kPin); it != std::sregex_iterator(); ++it) {
        pins[(*it)[3]] = (*it)[1];
        standards[(*it)[3]] = (*it)[2];
      }
      std::smatch m;
      REQUIRE(std::regex_search(xdc, m, std::regex(R"(create_clock .*-period (\S+) .*\[get_ports \{ clk_i \}\])")));
      period = m[1];
      CHECK(std::stod(period) == Approx(1e9 / static_cast<double>(b.clock.frequency_hz)).epsilon(1e-6));
      CHECK(standards == std::map<std::string, std::string>{{"clk_i", b.clock.iostandard},
                                                            {"uart_rx_i", b.uart.iostandard},
                                                            {"uart_tx_o", b.uart.iostandard}});
    }
    CHECK(pins == std::map<std::string, std::string>{
                      {"clk_i", b.clock.pin}, {"uart_rx_i", b.uart.rx_pin}, {"uart_tx_o", b.uart.tx_pin}});
  }
  CHECK(boards::clock_period_ns(boards::find_board("pynq-z2")) == "8.000");
}

TEST_CASE("Yosys cell counts map to resources and a sound logic-cell bound", "[boards][utilisation]") {
  // The "design" totals of `stat -json` after synth_ice40 (shape of Yosys 0.23's output).
  const json stat = json::parse(R"({"creator": "Yosys 0.23", "modules": {"\\top": {}},
    "design": {"num_cells": 9, "num_cells_by_type": {"SB_CARRY": 295, "SB_DFF": 176, "SB_DFFE": 182,
      "SB_DFFESR": 89, "SB_DFFSR": 41, "SB_DFFSS": 1, "SB_LUT4": 1191, "SB_MAC16": 5, "SB_RAM40_4K": 11,
      "SB_RAM40_4KNR": 1, "SB_SPRAM256KA": 2, "SB_IO": 3, "SB_GB": 1}}})");
  const auto cells = boards::ice40_cells(boards::yosys_cell_counts(stat, "stat.json"));
  CHECK(cells.lut4 == 1191);
  CHECK(cells.carry == 295);
  CHECK(cells.dff == 176 + 182 + 89 + 41 + 1);
  CHECK(cells.bram == 12);
  CHECK(cells.dsp == 5);
  CHECK(cells.spram == 2);
  CHECK(cells.logic_cells_lower_bound() == 1191);
  boards::Ice40Cells carries;
  carries.lut4 = 10;
  carries.dff = 20;
  carries.carry = 30;
  CHECK(carries.logic_cells_lower_bound() == 30);

  const auto stick = boards::find_board("icestick");
  const auto rows = boards::ice40_fit(cells, stick);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].fits());    // 1191 of 1280 logic cells
  CHECK(rows[1].fits());    // 12 of 16 BRAM
  CHECK_FALSE(rows[2].fits());  // 5 DSP on a device with none
  CHECK_FALSE(rows[3].fits());  // 2 SPRAM

  const auto xc7 = boards::xc7_cells({{"LUT1", 21}, {"LUT6", 300}, {"RAM64M", 12}, {"SRLC32E", 3}, {"INV", 500},
                                      {"FDRE", 383}, {"FDCE", 472}, {"RAMB18E1", 3}, {"RAMB36E1", 1}, {"DSP48E1", 6}});
  CHECK(xc7.lut_logic == 321);
  CHECK(xc7.lut_memory == 12 * 4 + 3);
  CHECK(xc7.luts() == 321 + 51);
  CHECK(xc7.inv == 500);
  CHECK(xc7.flip_flops == 855);
  CHECK(xc7.bram_36k() == 2.5);
  CHECK(xc7.dsp == 6);
  CHECK_THROWS_AS(boards::yosys_cell_counts(json::parse(R"({"modules": {}})"), "x.json"), IoError);
}

TEST_CASE("nextpnr's report and failure logs are read as it writes them", "[boards][utilisation]") {
  const json report = json::parse(R"({"utilization": {"ICESTORM_LC": {"available": 5280, "used": 2404},
    "ICESTORM_RAM": {"available": 30, "used": 11}}, "fmax": {"clk_i$SB_IO_IN_$glb_clk":
    {"achieved": 14.97, "constraint": 12}}, "critical_paths": []})");
  const auto r = boards::read_pnr_report(report, "report.json");
  CHECK(r.utilisation.at("ICESTORM_LC") == std::pair<std::int64_t, std::int64_t>{2404, 5280});
  CHECK(r.fmax.at("clk_i$SB_IO_IN_$glb_clk").first == 14.97);

  // Excerpt of nextpnr-ice40 0.4 running out of logic cells on an HX1K.
  const std::string placement = R"(Info: Device utilisation:
Info: 	         ICESTORM_LC:  3700/ 1280   289%
Info: 	        ICESTORM_RAM:    11/   16    68%
Info: 	               SB_IO:     3/  112     2%

Info: Placed 3 cells based on constraints.
ERROR: Unable to place cell 'u_top.u_core.g_lane[1].u_mac.acc_o_SB_DFFE_Q_26_D_SB_LUT4_O_LC', no BELs remaining to implement cell type 'ICESTORM_LC'
0 warnings, 1 error)";
  const auto failed = boards::read_pnr_log(placement);
  CHECK(failed.exhausted_bel == "ICESTORM_LC");
  CHECK(failed.utilisation.at("ICESTORM_LC") == std::pair<std::int64_t, std::int64_t>{3700, 1280});
  CHECK(failed.utilisation.at("ICESTORM_RAM") == std::pair<std::int64_t, std::int64_t>{11, 16});
  CHECK_FALSE(failed.failed_fmax_mhz);

  // Excerpt of a timing failure: the placer's estimate (Info) is not the verdict; the routed one (ERROR) is.
  const std::string timing = R"(Info: Max frequency for clock 'clk_i$SB_IO_IN_$glb_clk': 11.12 MHz (FAIL at 12.00 MHz)
Info: Critical path report for clock 'clk_i$SB_IO_IN_$glb_clk' (posedge -> posedge):
Info: curr total
Info:  1.4  1.4  Source u_core.count_q_LC.O
Info:  1.8  3.2    Net u_core.count[6] budget 9.023000 ns (8,4) -> (8,4)
Info:  0.9 87.5  Source u_core.sum_LC.O
Info:  0.8 94.9  Setup u_core.overflow_q_LC.I3
Info: 0.0 ns logic, 0.0 ns routing

Info: Critical path report for cross-domain path '<async>' -> 'posedge clk_i$SB_IO_IN_$glb_clk':
Info:  0.0  0.0  Source uart_rx_i$sb_io.D_IN_0
Info:  1.0  3.0  Setup u_uart.sync_q_LC.I0
ERROR: Max frequency for clock 'clk_i$SB_IO_IN_$glb_clk': 10.54 MHz (FAIL at 12.00 MHz)
0 warnings, 1 error)";
  const auto slow = boards::read_pnr_log(timing);
  REQUIRE(slow.failed_fmax_mhz);
  CHECK(*slow.failed_fmax_mhz == 10.54);
  CHECK(*slow.failed_target_mhz == 12.0);
  CHECK(slow.critical_from == "u_core.count_q_LC.O");
  CHECK(slow.critical_to == "u_core.overflow_q_LC.I3");
  CHECK(slow.critical_ns == 94.9);
  CHECK(slow.exhausted_bel.empty());
}
