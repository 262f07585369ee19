// The routed iCE40 netlist's packed cells split back into cells_sim.v
// primitives (sim/src/netlist/ice40_unpack.hpp): each configuration of a
// logic cell, RAM, DSP and I/O pin becomes the primitive it selects, and an
// unconnected pin reads what the silicon reads (CEN, RCLKE/WCLKE and a DSP's
// CE 1, everything else 0). The whole rewrite is proven in lock step by
// test_netlist_board.cpp; these pin down each rule on its own.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "neurofab/common/error.hpp"
#include "netlist/ice40_unpack.hpp"

using nlohmann::json;
using nf::sim::detail::unpack_ice40_routed;

namespace {

// A nextpnr-style design: one module "top" with the given cells, nets 2…99 in use.
json design(json cells) {
  return {{"modules",
           {{"top",
             {{"ports", {{"clk_i", {{"direction", "input"}, {"bits", {2}}}}}},
              {"cells", std::move(cells)},
              {"netnames", {{"n", {{"bits", {99}}}}}}}}}}};
}

json logic_cell(json parameters, json connections) {
  json p = {{"LUT_INIT", "1000100010001000"}, {"NEG_CLK", "0"}, {"CARRY_ENABLE", "0"}, {"DFF_ENABLE", "0"},
            {"SET_NORESET", "0"}, {"ASYNC_SR", "0"}, {"CIN_CONST", "0"}, {"CIN_SET", "0"}};
  for (auto& [k, v] : parameters.items()) p[k] = v;
  return {{"type", "ICESTORM_LC"}, {"parameters", p}, {"connections", std::move(connections)}};
}

const json& cell(const json& unpacked, const std::string& name) {
  return unpacked.at("modules").at("nf_rate_system").at("cells").at(name);
}

}  // namespace

TEST_CASE("ice40 unpack: a logic cell without flip-flop is its LUT, and unconnected inputs read 0", "[sim][netlist]") {
  const json out = unpack_ice40_routed(
      design({{"lc", logic_cell({}, {{"I0", {10}}, {"I1", {11}}, {"I2", {"x"}}, {"I3", json::array()}, {"O", {12}}})}}),
      "nf_rate_system");
  const json& lut = cell(out, "lc$lut");
  CHECK(lut["type"] == "SB_LUT4");
  CHECK(lut["parameters"]["LUT_INIT"] == "1000100010001000");
  CHECK(lut["connections"]["I0"] == json::array({10}));
  CHECK(lut["connections"]["I2"] == json::array({"0"}));
  CHECK(lut["connections"]["I3"] == json::array({"0"}));
  CHECK(lut["connections"]["O"] == json::array({12}));
  CHECK(out["modules"]["nf_rate_system"]["cells"].size() == 1);
}

TEST_CASE("ice40 unpack: the flip-flop a logic cell's parameters select", "[sim][netlist]") {
  struct Case {
    json parameters, extra;
    std::string type;
  };
  const std::vector<Case> cases = {
      {{{"DFF_ENABLE", "1"}}, json::object(), "SB_DFF"},  // CEN unconnected reads 1: no enable pin
      {{{"DFF_ENABLE", "1"}}, {{"CEN", {20}}}, "SB_DFFE"},
      {{{"DFF_ENABLE", "1"}, {"ASYNC_SR", "1"}}, {{"CEN", {20}}, {"SR", {21}}}, "SB_DFFER"},
      {{{"DFF_ENABLE", "1"}, {"ASYNC_SR", "1"}, {"SET_NORESET", "1"}}, {{"SR", {21}}}, "SB_DFFS"},
      {{{"DFF_ENABLE", "1"}}, {{"SR", {21}}}, "SB_DFFSR"},
      {{{"DFF_ENABLE", "1"}, {"SET_NORESET", "1"}}, {{"CEN", {20}}, {"SR", {21}}}, "SB_DFFESS"},
      {{{"DFF_ENABLE", "1"}, {"NEG_CLK", "1"}}, {{"CEN", {20}}, {"SR", {21}}}, "SB_DFFNESR"},
  };
  for (const auto& c : cases) {
    INFO(c.type);
    json connections = {{"I0", {10}}, {"CLK", {2}}, {"O", {12}}};
    for (auto& [k, v] : c.extra.items()) connections[k] = v;
    const json out = unpack_ice40_routed(design({{"lc", logic_cell(c.parameters, connections)}}), "nf_rate_system");
    const json& ff = cell(out, "lc$ff");
    CHECK(ff["type"] == c.type);
    CHECK(ff["connections"]["Q"] == json::array({12}));
    CHECK(ff["connections"]["C"] == json::array({2}));
    // The LUT feeds the flip-flop through a net of its own.
    CHECK(ff["connections"]["D"] == cell(out, "lc$lut")["connections"]["O"]);
    CHECK(ff["connections"]["D"][0].get<int>() > 99);
    CHECK(ff["connections"].contains("E") == c.extra.contains("CEN"));
  }
}

TEST_CASE("ice40 unpack: a carry, with a constant carry-in", "[sim][netlist]") {
  const json out = unpack_ice40_routed(
      design({{"lc", logic_cell({{"CARRY_ENABLE", "1"}, {"CIN_CONST", "1"}, {"CIN_SET", "1"}},
                                {{"I1", {11}}, {"I2", {13}}, {"CIN", {14}}, {"COUT", {15}}, {"O", {12}}})}}),
      "nf_rate_system");
  const json& carry = cell(out, "lc$carry");
  CHECK(carry["type"] == "SB_CARRY");
  CHECK(carry["connections"]["I0"] == json::array({11}));  // the cell's I1 and I2 are the carry's operands
  CHECK(carry["connections"]["I1"] == json::array({13}));
  CHECK(carry["connections"]["CI"] == json::array({"1"}));  // CIN_CONST: CIN_SET, not the CIN pin
  CHECK(carry["connections"]["CO"] == json::array({15}));
}

TEST_CASE("ice40 unpack: RAM, DSP and I/O pins, and what is not modelled is refused", "[sim][netlist]") {
  json ram = {{"type", "ICESTORM_RAM"},
              {"parameters", {{"NEG_CLK_R", "1"}, {"NEG_CLK_W", "0"}, {"READ_MODE", "00"}, {"WRITE_MODE", "00"},
                              {"INIT_0", "1010"}, {"INIT_F", "0110"}}},
              {"connections", {{"RCLK", {2}}, {"WCLK", {2}}, {"RDATA_0", {30}}, {"RADDR_3", {31}}}}};
  json dsp = {{"type", "ICESTORM_DSP"},
              {"parameters", {{"A_SIGNED", "1"}}},
              {"connections", {{"A_0", {40}}, {"A_15", {41}}, {"O_31", {42}}}}};
  json pin_in = {{"type", "SB_IO"},
                 {"parameters", {{"PIN_TYPE", "00000000000000000000000000000001"}}},
                 {"connections", {{"PACKAGE_PIN", {2}}, {"D_IN_0", {50}}}}};
  const json out = unpack_ice40_routed(design({{"ram", ram}, {"dsp", dsp}, {"pin", pin_in}}), "nf_rate_system");
  const json& r = cell(out, "ram$ram");
  CHECK(r["type"] == "SB_RAM40_4KNR");
  CHECK(r["connections"].contains("RCLKN"));
  CHECK(r["connections"]["RCLKE"] == json::array({"1"}));  // pull-up
  CHECK(r["connections"]["WE"] == json::array({"0"}));
  CHECK(r["connections"]["RADDR"][3] == 31);
  CHECK(r["parameters"]["INIT_0"] == "1010");
  CHECK(r["parameters"]["INIT_F"] == "0110");
  const json& d = cell(out, "dsp$dsp");
  CHECK(d["type"] == "SB_MAC16");
  CHECK(d["connections"]["A"][0] == 40);
  CHECK(d["connections"]["A"][15] == 41);
  CHECK(d["connections"]["O"][31] == 42);
  CHECK(d["connections"]["CE"] == json::array({"1"}));  // nextpnr drops a CE tied to 1
  CHECK(d["connections"]["AHOLD"] == json::array({"0"}));
  CHECK(d["parameters"]["A_SIGNED"] == "1");
  const json& p = cell(out, "pin$in");
  CHECK(p["type"] == "SB_LUT4");
  CHECK(p["connections"]["I0"] == json::array({2}));
  CHECK(p["connections"]["O"] == json::array({50}));

  json registered = pin_in;
  registered["parameters"]["PIN_TYPE"] = "00000000000000000000000000010100";  // registered output
  CHECK_THROWS_AS(unpack_ice40_routed(design({{"pin", registered}}), "t"), nf::InputError);
  const json spram = {{"type", "ICESTORM_SPRAM"}, {"parameters", json::object()}, {"connections", json::object()}};
  CHECK_THROWS_WITH(unpack_ice40_routed(design({{"s", spram}}), "t"), Catch::Contains("ICESTORM_SPRAM"));
}
