#include "neurofab/models/family.hpp"
#include "neurofab/analysis/energy_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "neurofab/common/error.hpp"
#include "neurofab/common/json_fields.hpp"
#include "neurofab/common/resources.hpp"

namespace nf::analysis {

namespace {

constexpr const char* kEnergyTableFormat = "neurofab-energy-table";
constexpr int kEnergyTableFormatVersion = 1;

// Linear in `size` between points, proportional to size beyond the ends.
double interpolate_in_size(const std::vector<std::pair<double, double>>& points, double size) {
  if (size <= points.front().first) return points.front().second * size / points.front().first;
  if (size >= points.back().first) return points.back().second * size / points.back().first;
  for (std::size_t k = 1; k < points.size(); ++k) {
    if (size <= points[k].first) {
      const auto [s0, e0] = points[k - 1];
      const auto [s1, e1] = points[k];
      return e0 + (e1 - e0) * (size - s0) / (s1 - s0);
    }
  }
  return points.back().second;  // unreachable: size < the last point
}

// A power law between points (log-log), the nearest segment's exponent beyond
// the ends; one point: exponent 1/2 (bit-line energy grows as √capacity).
double power_law(const std::vector<std::pair<double, double>>& points, double x) {
  const auto exponent = [&](std::size_t k) {  // of the segment from point k-1 to k
    return std::log(points[k].second / points[k - 1].second) / std::log(points[k].first / points[k - 1].first);
  };
  if (points.size() == 1) return points[0].second * std::sqrt(x / points[0].first);
  std::size_t k = 1;
  while (k + 1 < points.size() && x > points[k].first) ++k;
  return points[k - 1].second * std::pow(x / points[k - 1].first, exponent(k));
}

// [[x, y], ...] with x > 0 increasing and y >= 0 (y > 0 when `positive`).
std::vector<std::pair<double, double>> read_points(const JsonFields& parent, const std::string& key,
                                                   bool positive) {
  const nlohmann::json& array = parent.array(key);
  if (array.empty()) parent.fail(key, "expected at least one [x, value] point");
  std::vector<std::pair<double, double>> points;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const auto& p = array[i];
    const std::string where = fmt::format("{}[{}]", key, i);
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
      parent.fail(where, fmt::format("expected a pair [x, value] of numbers, got {}", p.dump()));
    }
    const double x = p[0].get<double>(), y = p[1].get<double>();
    if (!std::isfinite(x) || x <= 0) parent.fail(where, fmt::format("x must be positive, got {}", x));
    if (!std::isfinite(y) || y < 0 || (positive && y == 0)) {
      parent.fail(where, fmt::format("the energy must be {}, got {}", positive ? "positive" : "non-negative", y));
    }
    if (!points.empty() && x <= points.back().first) {
      parent.fail(where, fmt::format("x must increase from point to point ({} after {})", x, points.back().first));
    }
    points.emplace_back(x, y);
  }
  return points;
}

EnergyCurve read_curve(const JsonFields& arithmetic, const std::string& kind) {
  const JsonFields curve = arithmetic.object(kind);
  EnergyCurve c;
  const std::string scaling = curve.string("scaling");
  if (scaling != "linear" && scaling != "quadratic") {
    curve.fail("scaling", fmt::format("expected \"linear\" or \"quadratic\", got \"{}\"", scaling));
  }
  c.quadratic = scaling == "quadratic";
  c.points = read_points(curve, "points", false);
  return c;
}

}  // namespace

double EnergyCurve::at(int bits_a, int bits_b) const {
  const double size = quadratic ? double(bits_a) * double(bits_b > 0 ? bits_b : bits_a) : double(bits_a);
  std::vector<std::pair<double, double>> by_size = points;
  if (quadratic) {
    for (auto& p : by_size) p.first *= p.first;
  }
  return interpolate_in_size(by_size, size);
}

double EnergyTable::arithmetic_pj(const std::string& kind, int bits_a, int bits_b) const {
  const auto it = arithmetic.find(kind);
  if (it == arithmetic.end()) {
    throw InputError(fmt::format("energy table '{}': no arithmetic entry '{}'", name, kind));
  }
  return it->second.at(bits_a, bits_b);
}

double EnergyTable::sram_pj_per_bit(double capacity_bytes) const {
  return power_law(sram_read_64bit, std::max(capacity_bytes, 1.0)) / 64.0;
}

EnergyTable parse_energy_table(const nlohmann::json& j, const std::string& file) {
  const JsonFields root(j, file);
  if (root.string("format") != kEnergyTableFormat) {
    root.fail("format", fmt::format("expected \"{}\"", kEnergyTableFormat));
  }
  if (root.integer("format_version") != kEnergyTableFormatVersion) {
    root.fail("format_version", fmt::format("this neurofab reads version {}", kEnergyTableFormatVersion));
  }
  if (root.string("unit") != "pJ") root.fail("unit", "energies must be given in \"pJ\"");
  EnergyTable t;
  t.name = root.string("name");
  t.title = root.has("title") ? root.string("title") : t.name;
  t.source = root.string("source");
  t.technology = root.string("technology");
  const JsonFields arithmetic = root.object("arithmetic");
  for (const char* kind : {"integer_add", "integer_multiply", "float_add", "float_multiply"}) {
    t.arithmetic[kind] = read_curve(arithmetic, kind);
  }
  const JsonFields sram = root.object("sram");
  t.sram_read_64bit = read_points(sram, "read_64bit_by_capacity_bytes", true);
  t.sram_write_factor = sram.has("write_factor") ? sram.number("write_factor") : 1.0;
  if (t.sram_write_factor < 0) sram.fail("write_factor", "must be non-negative");
  if (root.has("fpga")) {
    const JsonFields fpga = root.object("fpga");
    for (const auto& [family, entry] : root.raw("fpga").items()) {
      const JsonFields e = fpga.object(family);
      FpgaEnergy f;
      f.dynamic_gap = e.number("dynamic_gap");
      if (f.dynamic_gap <= 0) e.fail("dynamic_gap", "must be positive");
      f.static_power_mw = e.number("static_power_mw");
      if (f.static_power_mw < 0) e.fail("static_power_mw", "must be non-negative");
      f.dynamic_gap_source = e.string("dynamic_gap_source");
      f.static_power_source = e.string("static_power_source");
      t.fpga[family] = f;
    }
  }
  return t;
}

EnergyTable load_energy_table(const std::filesystem::path& file) {
  return parse_energy_table(JsonFields::parse_file(file), file.string());
}

std::filesystem::path shipped_energy_table() { return resource_path("energy/horowitz-isscc2014-45nm.json"); }

std::vector<ArithmeticTerm> operation_terms(const std::string& name, const StepCounts::Operation& w, bool float32) {
  const auto add = [&](int bits) { return ArithmeticTerm{float32 ? "float_add" : "integer_add", float32 ? 32 : bits, 0}; };
  const auto multiply = [&](int a, int b) {
    return ArithmeticTerm{float32 ? "float_multiply" : "integer_multiply", float32 ? 32 : a, float32 ? 32 : b};
  };
  // Multiply-accumulates: a product of the operands and an add at the accumulator's width.
  if (name == "mac_input" || name == "mac_recurrent" || name == "mac_readout") return {multiply(w.operand_bits, w.second_operand_bits), add(w.accumulator_bits)};
  // Synaptic events: a weight added into the accumulator (no multiply: the spike is 1).
  if (name == "synop_input" || name == "synop_recurrent" || name == "synop_readout") return {add(w.accumulator_bits)};
  // (2^D − α)·h + α·p: two products and their sum.
  if (name == "leak") {
    return {multiply(w.operand_bits, w.second_operand_bits), multiply(w.operand_bits, w.second_operand_bits),
            add(w.accumulator_bits)};
  }
  // The table read is the act_table memory's; the index is a shifted, clamped accumulator.
  if (name == "table_lookup") return {};
  if (name == "activation") return {add(w.operand_bits)};
  // Multiplier form: x · d_q; shift form: x − (x >> k), a subtraction.
  if (name == "decay") {
    if (w.second_operand_bits > 0) return {multiply(w.operand_bits, w.second_operand_bits)};
    return {add(w.accumulator_bits)};
  }
  // A compare is a subtraction; a spike's reset subtracts θ (or zeroes v).
  if (name == "threshold" || name == "spike") return {add(w.operand_bits)};
  throw InputError(fmt::format("energy model: no cost for the operation '{}' (counts and energy model disagree)", name));
}

std::vector<MemoryShape> memory_shapes(const nlohmann::json& header, bool float32) {
  const JsonFields h(header, "vectors.json");
  const JsonFields model = h.object("model");
  const JsonFields fp = h.object("fixed_point");
  const JsonFields formats = fp.object("formats");
  const auto bits = [&](const char* format) {
    return float32 ? 32 : static_cast<int>(formats.object(format).integer("total_bits"));
  };
  const std::int64_t n = model.integer("n_rec"), n_out = model.integer("n_out");
  const bool lif = models::family_field(h) == models::Family::kLif;
  const std::int64_t n_x = lif ? model.integer("n_in_encoded") : model.integer("n_in");
  std::vector<MemoryShape> shapes = {
      {"w_in", bits("W_in"), n * n_x},  {"w_rec", bits("W_rec"), n * n}, {"b_rec", bits("b_rec"), n},
      {"w_out", bits("W_out"), n_out * n}, {"b_out", bits("b_out"), n_out},
  };
  if (!lif) {
    const JsonFields activation = fp.object("activation");
    const std::int64_t entries = (std::int64_t{1} << activation.integer("index_bits")) +
                                 (activation.boolean("piecewise_linear") ? 1 : 0);
    shapes.push_back({"act_table", bits("state"), entries});
    shapes.push_back({"state", bits("state"), 2 * n});  // two banks: the old h is read while the new one is written
  } else {
    // Widths as step_operations.hpp defines them.
    const auto ceil_log2 = [](std::int64_t x) { return x > 1 ? static_cast<int>(std::ceil(std::log2(double(x)))) : 1; };
    const std::int64_t refractory = model.integer("refractory_steps");
    const int refractory_bits = refractory > 0 ? ceil_log2(refractory + 1) : 1;
    const JsonFields decay = fp.object("decay");
    const int parameter_bits = decay.string("form") == "multiplier" ? static_cast<int>(decay.integer("multiplier_bits")) + 1 : 6;
    shapes.push_back({"beta", float32 ? 32 : parameter_bits, n});
    shapes.push_back({"alpha_syn", float32 ? 32 : parameter_bits, n});
    shapes.push_back({"state", float32 ? 3 * 32 : 1 + refractory_bits + bits("membrane") + bits("current"), n});
    shapes.push_back({"spike_list", ceil_log2(n), n});
  }
  return shapes;
}

EnergyEstimate estimate_energy(const EnergyTable& table, const std::vector<MemoryShape>& memories,
                               const StepCounts& counts, bool float32) {
  EnergyEstimate e;
  for (const auto& [name, op] : counts.operations) {
    double each = 0;
    for (const auto& term : operation_terms(name, op, float32)) each += table.arithmetic_pj(term.kind, term.bits_a, term.bits_b);
    e.items.push_back({name, op.count, each, op.count * each});
    e.arithmetic_pj += op.count * each;
  }
  for (const auto& [name, traffic] : counts.memories) {
    const auto shape = std::find_if(memories.begin(), memories.end(), [&](const MemoryShape& m) { return m.name == name; });
    if (shape == memories.end()) {
      throw InputError(fmt::format("energy model: no shape for the memory '{}' (counts and energy model disagree)", name));
    }
    // An access moves one element: its width in the counts (fp32 at the float level).
    const int width = float32 ? shape->width_bits : traffic.width_bits;
    const double capacity_bytes = double(shape->elements) * shape->width_bits / 8.0;
    const double per_read = width * table.sram_pj_per_bit(capacity_bytes);
    const double per_write = per_read * table.sram_write_factor;
    if (traffic.reads > 0) e.items.push_back({name + " read", traffic.reads, per_read, traffic.reads * per_read});
    if (traffic.writes > 0) e.items.push_back({name + " write", traffic.writes, per_write, traffic.writes * per_write});
    e.memory_pj += traffic.reads * per_read + traffic.writes * per_write;
  }
  e.total_pj = e.arithmetic_pj + e.memory_pj;
  return e;
}

nlohmann::json to_json(const EnergyEstimate& estimate) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : estimate.items) {
    items.push_back({{"name", i.name}, {"count_per_step", i.count}, {"pj_each", i.pj_each}, {"pj_per_step", i.pj}});
  }
  return {{"arithmetic_pj_per_step", estimate.arithmetic_pj},
          {"memory_pj_per_step", estimate.memory_pj},
          {"total_pj_per_step", estimate.total_pj},
          {"items", items}};
}

}  // namespace nf::analysis
