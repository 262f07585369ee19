// The Xilinx synth netlist made ready for simulation
// (sim/src/netlist/xc7_netlist.hpp): Yosys's block RAM declarations dropped
// for neurofab's models, undefined flip-flop INITs at the primitive's power-on
// default, and Yosys 0.23's 72-bit SDP parity mapping recognised. The whole
// preparation is proven in lock step by test_netlist_board.cpp; these pin
// down each rule on its own.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "netlist/xc7_netlist.hpp"

using nlohmann::json;
namespace detail = nf::sim::detail;

namespace {

json design(json cells) { return {{"modules", {{"top", {{"cells", std::move(cells)}}}}}}; }

json cell(const std::string& type, json parameters, json connections = json::object()) {
  return {{"type", type}, {"parameters", std::move(parameters)}, {"connections", std::move(connections)}};
}

// A 72-bit SDP RAMB36E1 as Yosys 0.23 writes it: WRITE_WIDTH_B 72, write enables `we`, parity inputs.
json sdp72(json we, json dipa, json dipb) {
  return cell("RAMB36E1",
              {{"RAM_MODE", "SDP"}, {"READ_WIDTH_A", "00000000000000000000000001001000"},
               {"WRITE_WIDTH_B", "00000000000000000000000001001000"}},
              {{"WEBWE", std::move(we)}, {"DIPADIP", std::move(dipa)}, {"DIPBDIP", std::move(dipb)}});
}

}  // namespace

TEST_CASE("xc7 netlist: Yosys's RAMB18E1 and RAMB36E1 declarations are dropped, nothing else", "[sim][netlist]") {
  const std::string library =
      "module FDRE (output reg Q, input C, CE, D, R);\n  parameter [0:0] INIT = 1'b0;\nendmodule\n"
      "\n// Block RAM\n\n"
      "module RAMB18E1 (\n    input CLKARDCLK\n);\n    parameter INIT_A = 18'h0;\nendmodule\n"
      "\n"
      "(* keep *)\n"
      "module RAMB36E1(\n    output CASCADEOUTA\n);\nendmodule\n"
      "module RAMB18E1_SIBLING (input A);\nendmodule\n"
      "module DSP48E1 (input A);\nendmodule\n";
  int removed = 0;
  const std::string out = detail::strip_xc7_block_ram_models(library, &removed);
  CHECK(removed == 2);
  CHECK(out.find("RAMB18E1 (") == std::string::npos);
  CHECK(out.find("RAMB36E1(") == std::string::npos);
  CHECK(out.find("CLKARDCLK") == std::string::npos);
  CHECK(out.find("(* keep *)") == std::string::npos);  // the dropped module's attribute goes with it
  CHECK(out.find("module FDRE (") != std::string::npos);
  CHECK(out.find("module RAMB18E1_SIBLING (") != std::string::npos);  // another name that starts alike stays
  CHECK(out.find("module DSP48E1 (") != std::string::npos);
  CHECK(out.find("parameter [0:0] INIT = 1'b0;") != std::string::npos);

  int none = -1;
  CHECK(detail::strip_xc7_block_ram_models("module LUT1 (input I0);\nendmodule\n", &none) ==
        "module LUT1 (input I0);\nendmodule\n");
  CHECK(none == 0);
}

TEST_CASE("xc7 netlist: a flip-flop without a defined INIT powers up at its primitive's default", "[sim][netlist]") {
  json d = design({{"r0", cell("FDRE", {{"INIT", "x"}})},
                   {"c0", cell("FDCE", {{"INIT", "x"}})},
                   {"p1", cell("FDPE", {{"INIT", "x"}})},
                   {"s1", cell("FDSE_1", {{"INIT", "x"}})},
                   {"l1", cell("LDPE", {{"INIT", "z"}})},
                   {"kept1", cell("FDRE", {{"INIT", "1"}})},   // defined: as Yosys wrote it
                   {"kept0", cell("FDPE", {{"INIT", "0"}})},
                   {"absent", cell("FDPE", json::object())},  // the model's default already
                   {"lut", cell("LUT2", {{"INIT", "x01x"}})}});  // not a flip-flop: left alone
  CHECK(detail::set_xc7_power_on_values(d, "top") == 5);
  const json& c = d["modules"]["top"]["cells"];
  CHECK(c["r0"]["parameters"]["INIT"] == "0");
  CHECK(c["c0"]["parameters"]["INIT"] == "0");
  CHECK(c["p1"]["parameters"]["INIT"] == "1");
  CHECK(c["s1"]["parameters"]["INIT"] == "1");
  CHECK(c["l1"]["parameters"]["INIT"] == "1");
  CHECK(c["kept1"]["parameters"]["INIT"] == "1");
  CHECK(c["kept0"]["parameters"]["INIT"] == "0");
  CHECK_FALSE(c["absent"]["parameters"].contains("INIT"));
  CHECK(c["lut"]["parameters"]["INIT"] == "x01x");
}

TEST_CASE("xc7 netlist: Yosys 0.23's 72-bit SDP parity mapping is recognised", "[sim][netlist]") {
  // Written, and DIPBDIP carries DIPADIP's bits: the bug (brams_xc6v_map.v line 278).
  const json buggy =
      design({{"u_mem.mem.0.0", sdp72({10, 10, 10, 10, 11, 11, 11, 11}, {20, 21, 22, 23}, {20, 21, 22, 23})}});
  CHECK(detail::find_xc7_sdp72_parity_bug(buggy, "top") == std::optional<std::string>("u_mem.mem.0.0"));
  // Fixed upstream: the upper parity lanes get their own bits.
  CHECK_FALSE(detail::find_xc7_sdp72_parity_bug(
      design({{"m", sdp72({10, 10, 10, 10, 11, 11, 11, 11}, {20, 21, 22, 23}, {24, 25, 26, 27})}}), "top"));
  // Never written (a ROM: every write enable tied to 0): nothing is written wrongly.
  CHECK_FALSE(detail::find_xc7_sdp72_parity_bug(
      design({{"m", sdp72({"0", "0", "0", "0", "0", "0", "0", "0"}, {"x", "x", "x", "x"}, {"x", "x", "x", "x"})}}),
      "top"));
  // Written with parity lanes that carry nothing, which a correct mapping cannot be told from: refused too.
  CHECK(detail::find_xc7_sdp72_parity_bug(
      design({{"m", sdp72({"1", "1", "1", "1", "1", "1", "1", "1"}, {"x", "x", "x", "x"}, {"x", "x", "x", "x"})}}),
      "top"));
  // Other shapes: TDP, or the 36-bit SDP of a RAMB18E1 (mapped correctly by 0.23).
  json tdp = sdp72({10, 10, 10, 10, 11, 11, 11, 11}, {20, 21, 22, 23}, {20, 21, 22, 23});
  tdp["parameters"]["RAM_MODE"] = "TDP";
  CHECK_FALSE(detail::find_xc7_sdp72_parity_bug(design({{"m", tdp}}), "top"));
  json half = cell("RAMB18E1", {{"RAM_MODE", "SDP"}, {"WRITE_WIDTH_B", "00000000000000000000000000100100"}},
                   {{"WEBWE", {10, 10, 11, 11}}, {"DIPADIP", {20, 21}}, {"DIPBDIP", {20, 21}}});
  CHECK_FALSE(detail::find_xc7_sdp72_parity_bug(design({{"m", half}}), "top"));
}
