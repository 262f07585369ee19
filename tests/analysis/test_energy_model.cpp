// The energy model of `neurofab compare`: the shipped table, width scaling,
// energy totals against a hand computation, malformed tables.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "neurofab/analysis/energy_model.hpp"
#include "neurofab/common/error.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using nf::analysis::EnergyTable;
using nf::analysis::StepCounts;

const fs::path kShippedTable = nf::analysis::shipped_energy_table();

nlohmann::json valid_table() { return nlohmann::json::parse(std::ifstream(kShippedTable)); }

// A table whose entries make hand computation easy: an add of b bits costs
// 0.5·b pJ, a multiply of a×b bits 0.25·a·b pJ (fp: twice that), and a 64-bit
// SRAM read of C bytes 64·√C pJ, so one bit costs √C pJ.
nlohmann::json unit_table() {
  nlohmann::json t = valid_table();
  t["arithmetic"]["integer_add"] = {{"scaling", "linear"}, {"points", {{1, 0.5}}}};
  t["arithmetic"]["integer_multiply"] = {{"scaling", "quadratic"}, {"points", {{1, 0.25}}}};
  t["arithmetic"]["float_add"] = {{"scaling", "linear"}, {"points", {{1, 1.0}}}};
  t["arithmetic"]["float_multiply"] = {{"scaling", "quadratic"}, {"points", {{1, 0.5}}}};
  t["sram"] = {{"read_64bit_by_capacity_bytes", {{1, 64.0}}}, {"write_factor", 2.0}};
  return t;
}

std::string load_error(const nlohmann::json& j) {
  try {
    nf::analysis::parse_energy_table(j, "table.json");
  } catch (const nf::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("the shipped table holds Horowitz's 45 nm figures at their widths", "[energy]") {
  const EnergyTable t = nf::analysis::load_energy_table(kShippedTable);
  CHECK(t.arithmetic_pj("integer_add", 8) == Approx(0.03));
  CHECK(t.arithmetic_pj("integer_add", 32) == Approx(0.1));
  CHECK(t.arithmetic_pj("integer_multiply", 8, 8) == Approx(0.2));
  CHECK(t.arithmetic_pj("integer_multiply", 32, 32) == Approx(3.1));
  CHECK(t.arithmetic_pj("float_add", 32) == Approx(0.9));
  CHECK(t.arithmetic_pj("float_multiply", 32, 32) == Approx(3.7));
  CHECK(t.sram_pj_per_bit(8192) == Approx(10.0 / 64));
  CHECK(t.sram_pj_per_bit(32768) == Approx(20.0 / 64));
  CHECK(t.sram_pj_per_bit(1048576) == Approx(100.0 / 64));
  REQUIRE(t.fpga.count("ice40") == 1);
  CHECK(t.fpga.at("ice40").dynamic_gap > 1);
}

TEST_CASE("widths between and beyond the table's points scale as documented", "[energy]") {
  const EnergyTable t = nf::analysis::load_energy_table(kShippedTable);
  // Adders: linear in bits between 8 (0.03) and 32 (0.1); proportional below 8.
  CHECK(t.arithmetic_pj("integer_add", 16) == Approx(0.03 + 0.07 * 8.0 / 24.0));
  CHECK(t.arithmetic_pj("integer_add", 4) == Approx(0.015));
  CHECK(t.arithmetic_pj("integer_add", 64) == Approx(0.2));
  // Multipliers: linear in a·b between 64 (0.2) and 1024 (3.1).
  CHECK(t.arithmetic_pj("integer_multiply", 16, 16) == Approx(0.2 + 2.9 * 192.0 / 960.0));
  CHECK(t.arithmetic_pj("integer_multiply", 8, 16) == Approx(0.2 + 2.9 * 64.0 / 960.0));
  CHECK(t.arithmetic_pj("integer_multiply", 4, 8) == Approx(0.1));
  // SRAM: a power law between points (exponent 1/2 from 8 KB to 32 KB), extended below.
  CHECK(t.sram_pj_per_bit(16384) == Approx(10.0 * std::sqrt(2.0) / 64));
  CHECK(t.sram_pj_per_bit(2048) == Approx(5.0 / 64));
  CHECK_THROWS_WITH(t.arithmetic_pj("integer_divide", 8), Catch::Contains("integer_divide"));
}

TEST_CASE("energy totals equal the sum of counts times the table's entries", "[energy]") {
  const EnergyTable t = nf::analysis::parse_energy_table(unit_table(), "unit.json");
  StepCounts c;
  c.operations["mac_recurrent"] = {2500, 8, 16, 27};  // W_rec 8 bit × h 16 bit into 27 bits
  c.operations["synop_readout"] = {7.5, 8, 0, 25};
  c.operations["leak"] = {50, 16, 17, 35};
  c.operations["decay"] = {101, 16, 13, 17};          // multiplier form
  c.operations["threshold"] = {40, 16, 0, 0};
  c.operations["table_lookup"] = {50, 16, 10, 0};
  c.memories["w_rec"] = {8, 2500, 0};
  c.memories["state"] = {16, 200, 50};
  const std::vector<nf::analysis::MemoryShape> shapes = {{"w_rec", 8, 2500}, {"state", 16, 100}};

  const auto e = nf::analysis::estimate_energy(t, shapes, c);
  // By hand: add(b) = 0.5 b, multiply(a, b) = 0.25 a b, a bit of a C-byte memory √C.
  const double arithmetic = 2500 * (0.25 * 8 * 16 + 0.5 * 27)  // mac: multiply + accumulate
                            + 7.5 * (0.5 * 25)                 // synop: accumulate
                            + 50 * (2 * 0.25 * 16 * 17 + 0.5 * 35)  // leak: two products and a sum
                            + 101 * (0.25 * 16 * 13)           // decay: one product
                            + 40 * (0.5 * 16)                  // compare
                            + 50 * 0.0;                        // table read: counted as memory
  const double memory = 2500 * 8 * std::sqrt(2500.0)                   // W_rec: 2500 bytes
                        + (200 + 2.0 * 50) * 16 * std::sqrt(200.0);    // state: 100 × 16 bits = 200 bytes
  CHECK(e.arithmetic_pj == Approx(arithmetic).epsilon(1e-12));
  CHECK(e.memory_pj == Approx(memory).epsilon(1e-12));
  CHECK(e.total_pj == Approx(arithmetic + memory).epsilon(1e-12));
  double items = 0;
  for (const auto& item : e.items) {
    CHECK(item.pj == Approx(item.count * item.pj_each).epsilon(1e-12));
    items += item.pj;
  }
  CHECK(items == Approx(e.total_pj).epsilon(1e-12));

  // The float level: the same operations in fp32 (fadd 32 pJ, fmul 0.5·32·32 = 512 pJ here).
  const std::vector<nf::analysis::MemoryShape> float_shapes = {{"w_rec", 32, 2500}, {"state", 32, 100}};
  const auto f = nf::analysis::estimate_energy(t, float_shapes, c, true);
  CHECK(f.arithmetic_pj ==
        Approx(2500 * (512 + 32) + 7.5 * 32 + 50 * (2 * 512 + 32) + 101 * 512 + 40 * 32).epsilon(1e-12));
  CHECK(f.memory_pj == Approx(2500 * 32 * std::sqrt(10000.0) + (200 + 2.0 * 50) * 32 * std::sqrt(400.0)).epsilon(1e-12));
}

TEST_CASE("a count the energy model does not know is an error, not a silent zero", "[energy]") {
  const EnergyTable t = nf::analysis::load_energy_table(kShippedTable);
  StepCounts near_miss;  // named like a MAC, but not one step_operations defines
  near_miss.operations["mac_sideways"] = {1, 8, 8, 16};
  CHECK_THROWS_WITH(nf::analysis::estimate_energy(t, {}, near_miss), Catch::Contains("'mac_sideways'"));
  StepCounts unknown_op;
  unknown_op.operations["teleport"] = {1, 8, 8, 16};
  CHECK_THROWS_WITH(nf::analysis::estimate_energy(t, {}, unknown_op), Catch::Contains("'teleport'"));
  StepCounts unknown_memory;
  unknown_memory.memories["w_dream"] = {8, 1, 0};
  CHECK_THROWS_WITH(nf::analysis::estimate_energy(t, {}, unknown_memory), Catch::Contains("'w_dream'"));
}

TEST_CASE("a malformed energy table gives one error naming the file and field", "[energy]") {
  CHECK(load_error(valid_table()) == "(no error)");
  auto t = valid_table();
  t["format"] = "something-else";
  CHECK_THAT(load_error(t), Catch::Contains("table.json") && Catch::Contains("'format'"));
  t = valid_table();
  t["arithmetic"].erase("integer_multiply");
  CHECK_THAT(load_error(t), Catch::Contains("arithmetic.integer_multiply"));
  t = valid_table();
  t["arithmetic"]["integer_add"]["scaling"] = "cubic";
  CHECK_THAT(load_error(t), Catch::Contains("arithmetic.integer_add.scaling") && Catch::Contains("cubic"));
  t = valid_table();
  t["arithmetic"]["integer_add"]["points"] = {{32, 0.1}, {8, 0.03}};
  CHECK_THAT(load_error(t), Catch::Contains("arithmetic.integer_add.points[1]") && Catch::Contains("increase"));
  t = valid_table();
  t["arithmetic"]["float_add"]["points"] = {{16, -0.4}};
  CHECK_THAT(load_error(t), Catch::Contains("arithmetic.float_add.points[0]") && Catch::Contains("non-negative"));
  t = valid_table();
  t["arithmetic"]["float_add"]["points"] = {{16, "cheap"}};
  CHECK_THAT(load_error(t), Catch::Contains("arithmetic.float_add.points[0]") && Catch::Contains("pair"));
  t = valid_table();
  t["sram"]["read_64bit_by_capacity_bytes"] = nlohmann::json::array();
  CHECK_THAT(load_error(t), Catch::Contains("sram.read_64bit_by_capacity_bytes"));
  t = valid_table();
  t["unit"] = "nJ";
  CHECK_THAT(load_error(t), Catch::Contains("'unit'"));
  t = valid_table();
  t["fpga"]["ice40"]["dynamic_gap"] = 0;
  CHECK_THAT(load_error(t), Catch::Contains("fpga.ice40.dynamic_gap"));

  // Files: missing, and not JSON.
  nf::test::TempDir dir;
  CHECK_THROWS_WITH(nf::analysis::load_energy_table(dir.path() / "absent.json"), Catch::Contains("absent.json"));
  std::ofstream(dir.path() / "broken.json") << "{\"format\": ";
  CHECK_THROWS_AS(nf::analysis::load_energy_table(dir.path() / "broken.json"), nf::InputError);
  CHECK_THROWS_WITH(nf::analysis::load_energy_table(dir.path() / "broken.json"), Catch::Contains("broken.json"));
}
