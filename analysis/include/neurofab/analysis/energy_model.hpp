#pragma once
// The per-operation energy model of `neurofab compare` (docs/compare.md).
//
// An energy table (JSON, "neurofab-energy-table"; the shipped one is
// analysis/data/energy/horowitz-isscc2014-45nm.json, installed in
// share/neurofab/energy (shipped_energy_table()), a user may pass their
// own) gives the energy of arithmetic operations at a few widths and of one
// 64-bit SRAM read at a few capacities. A network's cost per timestep is
//
//   E_step = Σ_ops  count_op · Σ_terms e_kind(width)          arithmetic
//          + Σ_mems (reads + write_factor · writes) · width_bits · e_bit(capacity)
//
// where the counts are what the integer golden model did (golden vectors:
// step_operations) or, for the float level, the same dataflow in fp32. The
// counts are measured; the energies are modelled from the table.
//
// Width scaling (the table's "scaling" per kind):
//   linear     size = bits                 (adders: a carry chain per bit)
//   quadratic  size = bits_a · bits_b      (a multiplier array); points at width w have size w²
// e(size) is interpolated linearly between the table's points and extrapolated
// in proportion to size from the nearest point.
// SRAM: e_64(capacity) is a power law between points (log-log interpolation),
// extended with the nearest segment's exponent; e_bit = e_64 / 64.
//
// FPGA estimate (a board build): E_step = gap · E_step(ASIC table) + P_static · t_step,
// with the family's FPGA/ASIC dynamic-energy gap and static power from the table.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nf::analysis {

struct EnergyCurve {
  bool quadratic = false;
  std::vector<std::pair<double, double>> points;  // (width bits, pJ), widths increasing
  // Energy of one operation on operands of bits_a and bits_b bits (bits_b: quadratic only).
  double at(int bits_a, int bits_b = 0) const;
};

struct FpgaEnergy {
  double dynamic_gap = 1;       // FPGA / ASIC dynamic energy for the same operations
  double static_power_mw = 0;
  std::string dynamic_gap_source, static_power_source;
};

struct EnergyTable {
  std::string name, title, source, technology;
  std::map<std::string, EnergyCurve> arithmetic;  // integer_add, integer_multiply, float_add, float_multiply
  std::vector<std::pair<double, double>> sram_read_64bit;  // (capacity bytes, pJ)
  double sram_write_factor = 1;
  std::map<std::string, FpgaEnergy> fpga;  // by board family (ice40, ...)

  double arithmetic_pj(const std::string& kind, int bits_a, int bits_b = 0) const;  // throws for an unknown kind
  double sram_pj_per_bit(double capacity_bytes) const;
};

// Reads and checks a table; any defect is one nf::InputError naming the file and field.
EnergyTable load_energy_table(const std::filesystem::path& file);
// The shipped table (the default of compare's --energy-table), among the
// resources (neurofab/common/resources.hpp); throws nf::IoError when missing.
std::filesystem::path shipped_energy_table();
EnergyTable parse_energy_table(const nlohmann::json& j, const std::string& file);

// One arithmetic operation of an energy term: kind and operand widths.
struct ArithmeticTerm {
  std::string kind;  // integer_add, integer_multiply, float_add, float_multiply
  int bits_a = 0;
  int bits_b = 0;
};

// The counts of one level, per timestep (means over the golden trials), with
// the operand widths of each operation as step_operations.hpp defines them.
struct StepCounts {
  struct Operation {
    double count = 0;
    int operand_bits = 0, second_operand_bits = 0, accumulator_bits = 0;
  };
  struct Traffic {
    int width_bits = 0;
    double reads = 0, writes = 0;
  };
  std::map<std::string, Operation> operations;
  std::map<std::string, Traffic> memories;
};

// What one operation of step_operations costs, e.g. mac_recurrent: an
// integer_multiply W_rec × h and an integer_add at the accumulator width. With
// `float32` the same operation in fp32 (the float level). Throws nf::InputError
// for a name it does not know (the counts and this model would have drifted apart).
std::vector<ArithmeticTerm> operation_terms(const std::string& name, const StepCounts::Operation& widths,
                                            bool float32);

// A memory of the core, for the SRAM energy of its accesses.
struct MemoryShape {
  std::string name;
  int width_bits = 0;         // of one element
  std::int64_t elements = 0;  // capacity
};
// The memories of a network's core, from the golden vectors' header
// (model_type, model, fixed_point); `float32`: 32-bit elements.
std::vector<MemoryShape> memory_shapes(const nlohmann::json& vectors_header, bool float32);

struct EnergyItem {
  std::string name;       // "mac_recurrent", "w_rec read", ...
  double count = 0;       // per timestep
  double pj_each = 0;     // from the table
  double pj = 0;          // count · pj_each
};

struct EnergyEstimate {
  std::vector<EnergyItem> items;
  double arithmetic_pj = 0, memory_pj = 0, total_pj = 0;  // per timestep
};

// The energy of `counts`; with `float32` every operation and memory element in
// fp32 / 32 bits. Throws nf::InputError for an operation or memory it does not know.
EnergyEstimate estimate_energy(const EnergyTable& table, const std::vector<MemoryShape>& memories,
                               const StepCounts& counts, bool float32 = false);

nlohmann::json to_json(const EnergyEstimate& estimate);

}  // namespace nf::analysis
