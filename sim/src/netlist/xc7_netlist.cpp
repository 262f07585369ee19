#include "xc7_netlist.hpp"

#include <set>
#include <sstream>
#include <vector>

namespace nf::sim::detail {
using nlohmann::json;

namespace {

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// "module RAMB18E1 (" or "module RAMB36E1(": a block RAM module's first line.
bool block_ram_module_line(const std::string& line) {
  for (const char* name : {"module RAMB18E1", "module RAMB36E1"}) {
    const std::string n(name);
    if (starts_with(line, n) && line.size() > n.size() && (line[n.size()] == ' ' || line[n.size()] == '(')) return true;
  }
  return false;
}

// A Yosys JSON parameter as text (binary strings for numbers and bit
// vectors; strings as they are, Yosys appends a space to a string that
// would read as binary).
std::string parameter(const json& cell, const std::string& name) {
  const json& p = cell.at("parameters");
  if (!p.contains(name)) return {};
  const json& v = p.at(name);
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  std::string s = v.get<std::string>();
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// A binary parameter's value (x and z read 0), or -1 when it is not binary.
long long number(const std::string& bits) {
  if (bits.empty() || bits.size() > 62) return -1;
  long long v = 0;
  for (const char c : bits) {
    if (c != '0' && c != '1' && c != 'x' && c != 'z') return -1;
    v = 2 * v + (c == '1' ? 1 : 0);
  }
  return v;
}

}  // namespace

std::string strip_xc7_block_ram_models(const std::string& cells_sim, int* removed) {
  std::istringstream in(cells_sim);
  std::vector<std::string> kept;
  int count = 0;
  bool skipping = false;
  for (std::string line; std::getline(in, line);) {
    if (skipping) {
      if (starts_with(line, "endmodule")) skipping = false;
      continue;
    }
    if (block_ram_module_line(line)) {
      // An attribute line just above belongs to the dropped module.
      while (!kept.empty() && starts_with(kept.back(), "(*")) kept.pop_back();
      skipping = true;
      ++count;
      continue;
    }
    kept.push_back(line);
  }
  std::string out;
  for (const auto& line : kept) out += line + "\n";
  if (removed != nullptr) *removed = count;
  return out;
}

int set_xc7_power_on_values(json& design, const std::string& top) {
  // cells_sim.v's (and UNISIM's) default INIT of each flip-flop and latch.
  static const std::set<std::string> kInitOne = {"FDSE", "FDSE_1", "FDPE", "FDPE_1", "LDPE"};
  static const std::set<std::string> kInitZero = {"FDRE", "FDRE_1", "FDCE",   "FDCE_1", "FDRSE",
                                                  "FDRSE_1", "FDCPE", "FDCPE_1", "LDCE"};
  int changed = 0;
  for (auto& [_, cell] : design.at("modules").at(top).at("cells").items()) {
    const std::string type = cell.at("type").get<std::string>();
    const bool one = kInitOne.count(type) > 0;
    if (!one && kInitZero.count(type) == 0) continue;
    json& p = cell["parameters"];
    if (!p.contains("INIT")) continue;  // the model's default already
    const std::string init = parameter(cell, "INIT");
    if (init.find_first_of("xz") == std::string::npos) continue;
    p["INIT"] = one ? "1" : "0";
    ++changed;
  }
  return changed;
}

std::optional<std::string> find_xc7_sdp72_parity_bug(const json& design, const std::string& top) {
  for (const auto& [name, cell] : design.at("modules").at(top).at("cells").items()) {
    if (cell.at("type").get<std::string>() != "RAMB36E1") continue;
    if (parameter(cell, "RAM_MODE") != "SDP" || number(parameter(cell, "WRITE_WIDTH_B")) != 72) continue;
    const json& c = cell.at("connections");
    if (!c.contains("WEBWE") || !c.contains("DIPADIP") || !c.contains("DIPBDIP")) continue;
    bool written = false;  // a write enable that is not tied to 0
    for (const auto& bit : c.at("WEBWE")) written = written || !(bit.is_string() && bit == "0");
    if (written && c.at("DIPBDIP") == c.at("DIPADIP")) return name;
  }
  return std::nullopt;
}

}  // namespace nf::sim::detail
